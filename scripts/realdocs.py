#!/usr/bin/env python3
"""Rebuild the real-document corpus described by ``bench/realdocs/manifest.json``.

The files themselves are public documents found in public GitHub repositories; their licences are
unclear, so they stay out of this repository. This script puts them back into a folder
(default ``~/.cache/shenbao/realdocs/``), one file per manifest entry, named ``<id>.<format>``:

* from a local bare mirror if one exists (``/work/.mirror/<owner>+<name>/repo``, or any folder given
  with ``--mirror-root``): ``git --git-dir=X show COMMIT:PATH``;
* else, unless ``--offline``, by a partial clone of ``https://github.com/<owner>/<name>``
  (``git clone --filter=blob:none --no-checkout``, then ``git fetch`` of the pinned commit).

Every file is checked against its sha256. Files that cannot be had are listed; the exit status is
non-zero only with ``--strict``.

    python scripts/realdocs.py [--out DIR] [--only ID,...] [--offline] [--strict]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "bench" / "realdocs" / "manifest.json"
DEFAULT_OUT = Path(os.environ.get("SHENBAO_REALDOCS", Path.home() / ".cache" / "shenbao" / "realdocs"))
DEFAULT_MIRRORS = [Path("/work/.mirror")]


def load_manifest(path: Path = MANIFEST) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["documents"] if isinstance(data, dict) else data


def file_name(entry: dict) -> str:
    return f"{entry['id']}.{entry['format']}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _git(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0")
    return subprocess.run(["git", *args], capture_output=True, timeout=timeout, env=env)


def _mirror_gitdirs(source: str, roots: list[Path]) -> list[Path]:
    owner_name = source.split(":", 1)[-1]
    out = []
    for root in roots:
        base = root / owner_name.replace("/", "+")
        for cand in (base / "repo" / ".git", base / "repo", base):
            if (cand / "objects").is_dir():
                out.append(cand)
                break
    return out


def _show(gitdir: Path, commit: str, path: str) -> bytes | None:
    try:
        r = _git(["--git-dir", str(gitdir), "show", f"{commit}:{path}"], timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout if r.returncode == 0 else None


class Cloner:
    """Partial clones of GitHub repositories, one per source, made on demand in a temporary folder."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.dirs: dict[str, Path | None] = {}

    def gitdir(self, source: str) -> Path | None:
        if source in self.dirs:
            return self.dirs[source]
        owner_name = source.split(":", 1)[-1]
        dest = self.workdir / owner_name.replace("/", "+")
        url = f"https://github.com/{owner_name}.git"
        try:
            r = _git(["clone", "--quiet", "--bare", "--filter=blob:none", url, str(dest)], timeout=600)
            ok = r.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        self.dirs[source] = dest if ok else None
        return self.dirs[source]

    def get(self, source: str, commit: str, path: str) -> bytes | None:
        g = self.gitdir(source)
        if g is None:
            return None
        data = _show(g, commit, path)
        if data is None:  # the commit may not be reachable from the default refs
            try:
                _git(["--git-dir", str(g), "fetch", "--quiet", "--filter=blob:none", "origin", commit], timeout=600)
            except (OSError, subprocess.TimeoutExpired):
                return None
            data = _show(g, commit, path)
        return data


def rebuild(out: Path, entries: list[dict], *, mirror_roots: list[Path], offline: bool = False,
            verbose: bool = True) -> dict:
    """Put every entry's file into ``out``. Returns {"ok": [...], "missing": [(id, why)], "bad_hash": [...]}."""
    out.mkdir(parents=True, exist_ok=True)
    ok, missing, bad = [], [], []
    tmp = Path(tempfile.mkdtemp(prefix="realdocs-"))
    cloner = Cloner(tmp)
    try:
        for e in entries:
            dest = out / file_name(e)
            if dest.is_file() and _sha256(dest.read_bytes()) == e["sha256"]:
                ok.append(e["id"])
                continue
            data, why = None, "not in a local mirror"
            for g in _mirror_gitdirs(e["source"], mirror_roots):
                data = _show(g, e["commit"], e["path"])
                if data is not None:
                    break
            if data is None and not offline:
                data = cloner.get(e["source"], e["commit"], e["path"])
                why = "not in a local mirror, and GitHub could not be reached or lacks the commit"
            if data is None:
                missing.append((e["id"], why))
                continue
            if _sha256(data) != e["sha256"]:
                bad.append(e["id"])
                missing.append((e["id"], "sha256 mismatch"))
                continue
            dest.write_bytes(data)
            ok.append(e["id"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if verbose:
        print(f"realdocs: {len(ok)}/{len(entries)} files present in {out}")
        for did, why in missing:
            print(f"  missing {did}: {why}")
    return {"ok": ok, "missing": missing, "bad_hash": bad}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to fill (default %(default)s)")
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--mirror-root", type=Path, action="append", default=None,
                    help="folder holding <owner>+<name> bare mirrors (default /work/.mirror)")
    ap.add_argument("--only", default="", help="comma-separated ids")
    ap.add_argument("--offline", action="store_true", help="use local mirrors only, never the network")
    ap.add_argument("--strict", action="store_true", help="exit 1 when any file is missing")
    args = ap.parse_args(argv)
    entries = load_manifest(args.manifest)
    if args.only:
        want = {x.strip() for x in args.only.split(",") if x.strip()}
        entries = [e for e in entries if e["id"] in want]
    res = rebuild(args.out.expanduser(), entries, mirror_roots=args.mirror_root or DEFAULT_MIRRORS,
                  offline=args.offline)
    return 1 if (args.strict and res["missing"]) else 0


if __name__ == "__main__":
    sys.exit(main())
