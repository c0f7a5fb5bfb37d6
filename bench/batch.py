"""Benchmark of ``shenbao batch``: packages per hour, cold and warm, local processes and 1 vs 2 Dask
workers. Not a test: it prints figures.

Generates an inbox of packages of the three contract programs in turn (三门峡 智能化改造 with a share
of scanned pages, 衡阳 贴息 and 赤峰 登云 as text-layer PDFs), then times ``shenbao batch`` on it:

* ``cold``: empty caches, ``--jobs J`` local processes;
* ``warm``: the same again: every package's result kept, so the re-run only hashes the files;
* ``warm-extract``: extraction cache warm but the kept results dropped (every package re-analysed);
* ``dask1`` / ``dask2``: a ``dask scheduler`` and 1 or 2 ``dask worker --nthreads 1`` on 127.0.0.1,
  each on its own empty cache (cold), so the speed-up is that of the whole check.

    .venv/bin/python bench/batch.py [--packages 21] [--out bench/out-batch] [--jobs 2] [--scan-ratio 0.3]
                                    [--modes cold,warm,warm-extract,dask1,dask2]

A cold 三门峡 package with scans takes ~100 s of OCR on a shared 2-core machine; ``--packages 3
--scan-ratio 0`` is a quick look.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PROGRAMS = ["smx2025-intelligent-retrofit", "hy2023-im-equipment-loan-interest", "chifeng-dt-cloud-mgmt"]
BIN = Path(sys.executable).parent


def generate(inbox: Path, gen: Path, n: int, scan_ratio: float) -> Path:
    from shenbao.fixtures.calls import CALLS, build
    from shenbao.fixtures.generate import AS_OF, generate_package

    inbox.mkdir(parents=True, exist_ok=True)
    rows = ["[packages]"]  # shenbao.toml: each package's program and 申报日
    for i in range(n):
        program = PROGRAMS[i % 3]
        name = f"{i:02d}-{program.split('-')[0]}"
        if not (inbox / name).exists():
            if program == PROGRAMS[0]:
                generate_package(gen / name, seed=3000 + i, scan_ratio=scan_ratio)
            else:
                build(gen / name, program, seed=3000 + i)
            shutil.move(str(gen / name / "package"), str(inbox / name))
        as_of = CALLS[program].as_of if program in CALLS else AS_OF
        rows.append(f'"{inbox.name}/{name}" = {{ program = "{program}", as_of = {as_of.isoformat()} }}')
    config = inbox.parent / "shenbao.toml"
    config.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return config


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and ``n`` workers on 127.0.0.1, stopped (by their process ids) on exit."""

    def __init__(self, n: int, work: Path):
        self.n, self.work, self.procs = n, work, []
        self.address = f"tcp://127.0.0.1:{_free_port()}"

    def __enter__(self):
        self.work.mkdir(parents=True, exist_ok=True)
        port = self.address.rsplit(":", 1)[1]
        self._start("scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard")
        for k in range(self.n):
            self._start("worker", self.address, "--nthreads", "1", "--no-dashboard", "--local-directory",
                        str(self.work / f"w{k}"))
        from distributed import Client

        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(self.address, timeout=5) as c:
                    c.wait_for_workers(self.n, timeout=max(1, deadline - time.monotonic()))
                    return self
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def _start(self, *cmd):
        log = open(self.work / f"{cmd[0]}-{len(self.procs)}.log", "wb")
        self.procs.append(subprocess.Popen([str(BIN / "dask"), *cmd], stdout=log, stderr=subprocess.STDOUT,
                                           cwd=self.work, start_new_session=True))

    def __exit__(self, *exc):
        for p in reversed(self.procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def run_batch(inbox: Path, config: Path, out: Path, cache: Path, extra: list[str]) -> tuple[float, dict]:
    cmd = [str(BIN / "shenbao"), "batch", str(inbox), "--config", str(config), "--out", str(out), "--cache-dir",
           str(cache), "--no-progress", *extra]
    t = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.monotonic() - t
    if proc.returncode not in (0, 1):
        print(proc.stderr, file=sys.stderr)
        raise SystemExit(f"shenbao batch failed ({proc.returncode})")
    return seconds, json.loads((out / "summary.json").read_text("utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--packages", type=int, default=21)
    ap.add_argument("--out", type=Path, default=Path("bench/out-batch"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--scan-ratio", type=float, default=0.3)
    ap.add_argument("--modes", default="cold,warm,warm-extract,dask1,dask2")
    args = ap.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    out = args.out.resolve()
    shutil.rmtree(out / "runs", ignore_errors=True)
    t = time.monotonic()
    config = generate(out / "inbox", out / "gen", args.packages, args.scan_ratio)
    print(f"generated {args.packages} packages ({', '.join(PROGRAMS)}) in {time.monotonic() - t:.0f} s", flush=True)
    inbox = out / "inbox"
    figures: dict[str, float] = {}
    summaries: dict[str, dict] = {}

    def report(mode: str, seconds: float, data: dict) -> None:
        n = data["totals"]["packages"]
        figures[mode] = seconds
        summaries[mode] = data
        print(f"{mode:14s} {n:3d} packages {seconds:8.1f} s  {seconds / n:7.1f} s/package  "
              f"{3600 * n / seconds:8.0f} packages/hour", flush=True)

    cold_cache = out / "runs" / "cache-local"
    if "cold" in modes or "warm" in modes or "warm-extract" in modes:
        shutil.rmtree(cold_cache, ignore_errors=True)
        report("cold", *run_batch(inbox, config, out / "runs" / "cold", cold_cache, ["--jobs", str(args.jobs)]))
    if "warm" in modes:
        report("warm", *run_batch(inbox, config, out / "runs" / "warm", cold_cache, ["--jobs", str(args.jobs)]))
    if "warm-extract" in modes:
        shutil.rmtree(cold_cache / "batch", ignore_errors=True)
        report("warm-extract", *run_batch(inbox, config, out / "runs" / "warm-extract", cold_cache,
                                          ["--jobs", str(args.jobs)]))
    for n in (1, 2):
        mode = f"dask{n}"
        if mode not in modes:
            continue
        cache = out / "runs" / f"cache-{mode}"
        shutil.rmtree(cache, ignore_errors=True)
        with Cluster(n, out / "runs" / f"cluster-{mode}") as cluster:
            report(mode, *run_batch(inbox, config, out / "runs" / mode, cache, ["--scheduler", cluster.address]))
    if "dask1" in figures and "dask2" in figures:
        print(f"speed-up 1 -> 2 Dask workers: {figures['dask1'] / figures['dask2']:.2f}x")
    if "cold" in figures and "warm" in figures:
        print(f"speed-up cold -> warm (kept results): {figures['cold'] / figures['warm']:.0f}x")
    base = next(iter(summaries.values()), None)
    same = all(s["packages"] == base["packages"] for s in summaries.values()) if base else True
    print(f"summaries of all modes equal: {same}")
    if base:
        t = base["totals"]
        print(f"verdicts: {t['errors']} with errors, {t['warnings']} with warnings, {t['passed']} passed, "
              f"{t['failed']} failed; summary: {out / 'runs' / next(iter(summaries)) / 'summary.xlsx'}")


if __name__ == "__main__":
    main()
