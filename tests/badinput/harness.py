"""Running ``shenbao check`` as a user does (a subprocess), and proving the package was not touched."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

PROGRAM = "smx2025-intelligent-retrofit"
AS_OF = "2025-08-10"
_TIMING = re.compile(r',\n  "timing": \{[^{}]*\}')
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    report: Optional[dict]
    tmp_left: list[str]  # what the run left in its private TMPDIR (must be nothing)

    @property
    def stable(self) -> str:
        """The JSON text without the timing block: two runs must give exactly these bytes."""
        return _TIMING.sub("", self.stdout)


def drop_dac_override() -> None:
    """In a child process of root: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
    bounding set (so the exec'd program does not regain them), so file permissions apply as they
    do to any user; root reads a mode-000 file otherwise."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    PR_CAPBSET_DROP = 24
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def permissions_apply(path: Path) -> bool:
    """Return True when a run (dropping root's override when root) cannot read ``path``."""
    code = f"open({os.fsdecode(path)!r}, 'rb')"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True,
                       preexec_fn=drop_dac_override if os.geteuid() == 0 else None)
    return p.returncode != 0 and b"PermissionError" in p.stderr


def check(package: Path, cache: Path, *extra: str, jobs: int = 1, ocr: bool = False, timeout: float = 600,
          unprivileged: bool = False, cwd: Optional[Path] = None) -> Run:
    """Run ``shenbao check PACKAGE --format json`` in a subprocess with a private TMPDIR."""
    tmp = Path(tempfile.mkdtemp(prefix="shenbao-tmpdir-"))
    os.chmod(tmp, 0o777)
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONHASHSEED="random", HOME=str(tmp))
    env.pop("SHENBAO_DEBUG", None)
    cmd = [sys.executable, "-m", "shenbao.cli", "check", os.fsdecode(package), "--program", PROGRAM, "--as-of", AS_OF,
           "--format", "json", "--no-progress", "--cache-dir", str(cache), "--jobs", str(jobs), *extra]
    if not ocr:
        cmd.append("--no-ocr")
    preexec = drop_dac_override if unprivileged and os.geteuid() == 0 else None
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, preexec_fn=preexec,
                           cwd=str(cwd) if cwd else None)
        out, err = p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")
        try:
            report = json.loads(out)
        except ValueError:
            report = None
        left = sorted(os.listdir(tmp))
    finally:
        _rmtree(tmp)
    return Run(p.returncode, out, err, report, left)


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def tree_state(*roots: Path) -> dict:
    """Names (as bytes), contents, link targets, modes and mtimes of everything under ``roots``,
    without following links. Unreadable files are recorded as such (with their metadata)."""
    state = {}
    for root in roots:
        broot = os.fsencode(root)
        for dirpath, dirnames, filenames in os.walk(broot):
            for name in sorted(dirnames + filenames):
                p = os.path.join(dirpath, name)
                st = os.lstat(p)
                if os.path.islink(p):
                    what = b"link:" + os.readlink(p)
                elif os.path.isfile(p):
                    try:
                        with open(p, "rb") as f:
                            h = hashlib.sha256()
                            for chunk in iter(lambda: f.read(1 << 20), b""):
                                h.update(chunk)
                        what = h.hexdigest().encode()
                    except PermissionError:
                        what = b"unreadable"
                elif os.path.isdir(p):
                    what = b"dir"
                else:
                    what = b"special"
                state[os.path.relpath(p, broot)] = (what, st.st_mtime_ns, st.st_mode, st.st_size)
            # os.walk cannot list a folder without permission; its metadata above is enough
    return state


def file_findings(report: dict, path: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == "file-unreadable" and f["path"] == path]
