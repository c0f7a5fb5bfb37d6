"""``shenbao batch``: every package of an inbox checked, one summary, the cross-package checks.

Flow: the client lists the inbox (:mod:`.inbox`), makes one *job* per package (a plain dict: the
package's path, its program and the run's settings), and runs :func:`check_one` on each job —
in this process, in local worker processes (``--jobs``), or on a Dask cluster (``--scheduler``,
:mod:`.dask_run`). Each job's report is kept by a key over the package's file contents, the
settings, the program pack and the tool version (:class:`ResultStore`), so an interrupted batch
resumes where it stopped. The client then judges the batch-scope checks across the reports
(:mod:`.cross`), marks findings against a previous summary (``--since``) and writes the summaries
(:mod:`.summary`).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from .. import __version__

BATCH_FORMAT = 1  # bump when a kept result can no longer be read as it was written


# -- one package ------------------------------------------------------------------------------------

_PM: dict = {}


def _pm_and_programs(plugins: tuple[str, ...]):
    """A plugin manager and the programs, built once per process (a worker checks many packages)."""
    if plugins not in _PM:
        from ..plugins_manager import get_plugin_manager
        from ..programs import programs_from_plugins

        pm = get_plugin_manager(plugins)
        _PM[plugins] = (pm, programs_from_plugins(pm, []))
    return _PM[plugins]


def _date(value) -> Optional[dt.date]:
    return dt.date.fromisoformat(value) if value else None


def job_program(job: dict, programs: dict):
    program = programs[job["program"]]
    notice = _date(job.get("notice_date")) or program.notice_date
    deadline = _date(job.get("deadline")) or program.deadline
    return dataclasses.replace(program, notice_date=notice, deadline=deadline)


def _ocr_threads(job: dict) -> int:
    """OCR threads for one package: the cores of this machine shared among the packages it checks
    at once (``job["parallel"]`` local processes, or the Dask workers on this host, from
    ``job["workers_per_host"]``); 2 when nothing says (a package alone on a 2-core machine)."""
    import os

    n = job.get("parallel")
    if not n and job.get("workers_per_host"):
        try:
            from distributed import get_worker

            host = get_worker().address.split("://")[-1].rsplit(":", 1)[0]
            n = job["workers_per_host"].get(host)
        except (ImportError, ValueError, AttributeError):
            n = None
    if not n:
        return 2
    return max(1, (os.cpu_count() or 1) // int(n))


def check_one(job: dict) -> dict:
    """Check one package (the worker's function: local process or Dask worker). Returns the JSON
    report, with ``cross_package`` data for the batch-scope checks; a crash is returned as
    ``{"failed": sentence}``, never raised, so one package cannot stop the batch."""
    try:
        from ..engine import RunOptions, lint_package

        pm, programs = _pm_and_programs(tuple(job.get("plugins") or ()))
        if job["program"] not in programs:
            return {"failed": f"未知项目 / unknown program: {job['program']}"}
        program = job_program(job, programs)
        options = RunOptions(
            as_of=_date(job.get("as_of")), stage=job.get("stage") or "enterprise", lang=job.get("lang") or "zh",
            jobs=1, cache_dir=Path(job["cache_dir"]) if job.get("cache_dir") else None,
            use_cache=job.get("use_cache", True), ocr_engine=job.get("ocr_engine") or "rapidocr",
            ocr=job.get("ocr", True), timeout_seconds=float(job.get("timeout") or 120.0),
            time_budget=float(job.get("time_budget") if job.get("time_budget") is not None else 600.0),
            select=tuple(job.get("select") or ()), ignore=tuple(job.get("ignore") or ()),
            extra_plugins=tuple(job.get("plugins") or ()), cross_package=True, ocr_threads=_ocr_threads(job),
            **{k: job[k] for k in ("max_pages", "max_image_pixels") if job.get(k)},
        )
        from ..cli import _PmFactory

        return lint_package(Path(job["path"]), program, options, pm, pm_factory=_PmFactory(tuple(job.get("plugins") or ())))
    except Exception as exc:  # noqa: BLE001 - a sentence for the summary, not a traceback
        return {"failed": f"{type(exc).__name__}: {exc}"}


# -- resume -----------------------------------------------------------------------------------------

# the path too: the report names its package (two packages of identical files are still two rows;
# a moved inbox is re-analysed, quickly, from the extraction cache)
SETTINGS_IN_KEY = ("path", "program", "as_of", "notice_date", "deadline", "stage", "lang", "ocr_engine", "ocr", "timeout",
                   "time_budget", "max_pages", "max_image_pixels", "select", "ignore", "plugins")


def _file_hash(path: Path, h) -> None:
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)


def package_digest(path: Path) -> str:
    """sha256 over the package's files: each relative path and content (links and folders walked
    as discovery does not matter here: any change of a file changes the key)."""
    h = hashlib.sha256()
    path = Path(path)
    if path.is_file():
        _file_hash(path, h)
        return h.hexdigest()
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            p = Path(root) / name
            rel = p.relative_to(path).as_posix()
            h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            try:
                _file_hash(p, h)
            except OSError as exc:
                h.update(f"<{exc.errno}>".encode())
            h.update(b"\0")
    return h.hexdigest()


def package_size(path: Path) -> int:
    """Bytes of the package's files: the parallel runners start the largest packages first, so a
    big scanned package does not start last and keep the batch waiting alone."""
    path = Path(path)
    try:
        if path.is_file():
            return path.stat().st_size
        total = 0
        for root, _dirs, files in os.walk(path):
            for name in files:
                try:
                    total += os.lstat(os.path.join(root, name)).st_size
                except OSError:
                    pass
        return total
    except OSError:
        return 0


def largest_first(items: list["Item"]) -> list["Item"]:
    return sorted(items, key=lambda i: (-package_size(Path(i.job["path"])), i.name))


def job_key(job: dict, program_raw: dict) -> str:
    settings = {k: job.get(k) for k in SETTINGS_IN_KEY}
    pack = {k: v for k, v in program_raw.items() if not str(k).startswith("__")}
    payload = json.dumps([BATCH_FORMAT, __version__, settings, pack, package_digest(Path(job["path"]))],
                         ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ResultStore:
    """Each package's report, by :func:`job_key`, in the user cache directory (``batch/``)."""

    def __init__(self, dir: Path):
        self.dir = Path(dir)

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json"

    def get(self, key: str) -> Optional[dict]:
        try:
            data = json.loads(self._path(key).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and "summary" in data else None

    def put(self, key: str, report: dict) -> None:
        p = self._path(key)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            tmp = p.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(report, ensure_ascii=False, default=str), "utf-8")
            os.replace(tmp, p)
        except OSError:
            pass  # a full disk loses the resume, not the batch


def default_store_dir(cache_dir: Optional[Path]) -> Path:
    if cache_dir is not None:
        return Path(cache_dir) / "batch"
    import platformdirs

    return Path(platformdirs.user_cache_dir("shenbao")) / "batch"


# -- running many -----------------------------------------------------------------------------------

@dataclass
class Item:
    """One package of the batch: its job and, once run, its report (or why it failed)."""

    name: str
    job: dict
    key: str = ""
    report: Optional[dict] = None
    failed: Optional[str] = None
    reused: bool = False  # taken from the kept results of an earlier run
    note: list[str] = field(default_factory=list)


Progress = Callable[[int, int, str], None]


def run_local(items: list[Item], check: Callable[[dict], dict], jobs: int, progress: Progress,
              done: Callable[[Item, dict], None]) -> None:
    """Run ``check`` on every item: in this process when ``jobs`` is 1, else in ``jobs`` worker
    processes (each package whole in one worker, its files extracted there one by one)."""
    todo = [i for i in items if i.report is None and i.failed is None]
    total, finished = len(items), len(items) - len(todo)
    if not todo:
        return
    if jobs <= 1 or len(todo) == 1:
        for item in todo:
            progress(finished, total, item.name)
            try:
                result = check(item.job)
            except Exception as exc:  # noqa: BLE001 - the package fails, not the batch
                result = {"failed": f"{type(exc).__name__}: {exc}"}
            done(item, result)
            finished += 1
            progress(finished, total, item.name)
        return
    import concurrent.futures as cf
    import multiprocessing as mp

    ctx = mp.get_context("spawn")  # as extraction does: no fork of a parent that may hold onnxruntime threads
    todo = largest_first(todo)
    with cf.ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=ctx) as pool:
        futures = {pool.submit(check, item.job): item for item in todo}
        pending = list(todo)
        progress(finished, total, ", ".join(i.name for i in pending[:jobs]))
        for fut in cf.as_completed(futures):
            item = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker that died: the package fails, not the batch
                result = {"failed": f"{type(exc).__name__}: {exc}"}
            done(item, result)
            finished += 1
            pending.remove(item)
            progress(finished, total, ", ".join(i.name for i in pending[:jobs]) or item.name)


def finish_item(item: Item, result: dict, store: Optional[ResultStore]) -> None:
    if not isinstance(result, dict) or "failed" in result or "summary" not in result:
        item.failed = (result or {}).get("failed") if isinstance(result, dict) else repr(result)
        item.failed = item.failed or "检查未返回报告 / the check returned no report"
        return
    item.report = result
    if store is not None and item.key:
        store.put(item.key, result)


__all__ = ["check_one", "job_key", "package_digest", "ResultStore", "Item", "run_local", "finish_item"]
