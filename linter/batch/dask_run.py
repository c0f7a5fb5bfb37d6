"""``--scheduler tcp://HOST:8786``: the packages of a batch on a Dask distributed cluster.

The client sends each package's job (its path: the inbox is on a filesystem the workers share) and
the workers run :func:`shenbao.batch.check_one`, which returns the report dict; the client keeps the
results and writes the summary. Workers must have the same shenbao (and plugins) installed.
"""
from __future__ import annotations

from typing import Callable


class SchedulerError(Exception):
    pass


def run_dask(items, check: Callable[[dict], dict], address: str, progress, done, timeout: float = 20.0) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - a dependency
        raise SchedulerError("未安装 distributed / the distributed package is not installed") from exc
    todo = [i for i in items if i.report is None and i.failed is None]
    total, finished = len(items), len(items) - len(todo)
    if not todo:
        return
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(f"无法连接 Dask 调度器 / cannot reach the Dask scheduler {address}: {exc}") from exc
    from . import largest_first

    todo = largest_first(todo)
    try:
        # each package's OCR threads: the cores of its worker's host shared among the workers there
        per_host: dict[str, int] = {}
        for w in (client.scheduler_info().get("workers") or {}).values():
            host = str(w.get("host") or "")
            per_host[host] = per_host.get(host, 0) + 1
        for item in todo:
            item.job["workers_per_host"] = per_host
        futures = {}
        for item in todo:
            # priority: the scheduler starts the largest packages first (submission order alone is not kept)
            fut = client.submit(check, item.job, key=f"shenbao-{item.key[:16] or id(item)}-{len(futures)}", pure=False,
                                priority=len(todo) - len(futures))
            futures[fut] = item
        pending = list(todo)
        progress(finished, total, ", ".join(i.name for i in pending[:2]))
        for fut in as_completed(list(futures)):
            item = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker lost: the package fails, the batch goes on
                result = {"failed": f"Dask: {type(exc).__name__}: {exc}"}
            done(item, result)
            finished += 1
            pending.remove(item)
            progress(finished, total, ", ".join(i.name for i in pending[:2]) or item.name)
    finally:
        client.close()
