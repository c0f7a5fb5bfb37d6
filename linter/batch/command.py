"""The ``shenbao batch`` command: arguments to jobs, jobs to reports, reports to the summaries."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Callable, Optional

from . import Item, ResultStore, check_one, default_store_dir, finish_item, job_key, run_local
from .inbox import ListingError, list_inbox, read_listing

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class BatchUsageError(Exception):
    pass


# The per-package check (``job -> report``); None is :func:`shenbao.batch.check_one`. Tests set a
# module-level function here to stub the expensive part; it must be importable by worker processes.
CHECK: Optional[Callable[[dict], dict]] = None


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


class BatchProgress:
    """packages done / total, the package(s) being checked, elapsed and ETA, on stderr from the
    first second (the batch bar is shown at once: a batch is never a moment)."""

    def __init__(self, enabled: bool, total: int, console=None):
        self.bar = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        self.bar = Progress(TextColumn("检查申报包 / packages"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                            TextColumn("{task.description}"), console=console or Console(file=sys.stderr), transient=True,
                            refresh_per_second=4)
        self.bar.start()
        self.task = self.bar.add_task("", total=total)

    def __call__(self, done: int, total: int, current: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total, description=current[-50:])

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def run_batch(args, pm, programs: dict, check: Optional[Callable[[dict], dict]] = None) -> int:
    from ..config import ConfigError, find_config, load_config
    from ..engine import all_checks
    from . import summary as S
    from .cross import SinceError, apply_cross_package, mark_changes, read_previous

    check = check or CHECK or check_one
    lang = args.lang or "zh"
    en = lang == "en"
    inbox = Path(args.inbox)
    if not inbox.is_dir():
        raise BatchUsageError(f"找不到收件文件夹 / inbox folder not found: {inbox}")
    inbox_real = inbox.resolve()
    try:
        cfg_path = find_config(args.config)
        cfg = load_config(cfg_path) if cfg_path else None
    except ConfigError as exc:
        raise BatchUsageError(str(exc)) from exc
    top = cfg.options_for(None) if cfg else {}
    listing: dict[str, str] = {}
    if args.listing is not None:
        try:
            listing = read_listing(Path(args.listing))
        except ListingError as exc:
            raise BatchUsageError(str(exc)) from exc
    out = Path(args.out) if args.out else inbox_real.parent / f"{inbox_real.name}-shenbao"
    out_real = out.resolve()
    if _inside(out_real, inbox_real):
        raise BatchUsageError(f"输出文件夹不能在收件文件夹之内（会被当作申报包，且不得写入申报材料） / the output "
                              f"folder must not be inside the inbox (it would be taken as a package): {out}")
    previous = None
    if args.since is not None:
        try:
            previous = read_previous(Path(args.since))
        except SinceError as exc:
            raise BatchUsageError(str(exc)) from exc

    packages, not_packages = list_inbox(inbox_real, skip=tuple(p for p in [args.listing] if p))
    if not packages:
        raise BatchUsageError(f"收件文件夹中没有申报包（子文件夹或 .zip） / the inbox holds no package "
                              f"(sub-folder or .zip): {inbox}")
    items: list[Item] = []
    missing, unknown = [], []
    stem = {p.name: (p.name[:-4] if p.name.lower().endswith(".zip") else p.name) for p in packages}
    for p in packages:
        opts = cfg.options_for(p.path) if cfg else {}
        # a listing file, then the package's own folder in shenbao.toml [packages], then --program,
        # then the file's top-level program
        own = opts.get("program") if opts.get("program") != top.get("program") else None
        program = listing.get(p.name) or listing.get(stem[p.name]) or own or args.program or top.get("program")
        if not program:
            missing.append(p.name)
            continue
        if program not in programs:
            unknown.append(f"{p.name}: {program}")
            continue
        iso = lambda v: v.isoformat() if hasattr(v, "isoformat") else v  # noqa: E731
        job = {
            "path": str(p.path), "program": program,
            "as_of": iso(args.as_of or opts.get("as_of")), "notice_date": iso(args.notice_date or opts.get("notice_date")),
            "deadline": iso(args.deadline or opts.get("deadline")), "stage": args.stage or opts.get("stage") or "enterprise",
            "lang": lang, "ocr_engine": args.ocr, "ocr": not args.no_ocr, "timeout": args.timeout,
            "time_budget": args.time_budget, "max_pages": args.max_pages, "max_image_pixels": args.max_image_pixels,
            "select": list(args.select), "ignore": list(args.ignore), "plugins": list(args.plugin),
            "cache_dir": str(args.cache_dir or top.get("cache_dir") or "") or None, "use_cache": not args.no_cache,
        }
        items.append(Item(p.name, job))
    if missing:
        raise BatchUsageError("这些申报包没有指定项目（用 --program，或在 shenbao.toml [packages] / 清单文件中给出） / "
                              "no program for these packages (give --program, shenbao.toml [packages] or a "
                              f"listing file): {', '.join(missing)}")
    if unknown:
        raise BatchUsageError(f"未知项目 id / unknown program: {'; '.join(unknown)}（可用 / available: {', '.join(programs)}）")
    for name in sorted(set(listing) - {p.name for p in packages} - set(stem.values())):
        print(f"shenbao: 清单中的 {name} 不在收件文件夹中 / listed package not in the inbox: {name}", file=sys.stderr)
    for n in not_packages:
        print(f"shenbao: {n.name}: {n.reason_en if en else n.reason}", file=sys.stderr)

    # resume: results kept by the hash of the package's files, the settings, the pack and the version
    store = None if args.no_cache else ResultStore(default_store_dir(Path(args.cache_dir) if args.cache_dir else
                                                                     (Path(top["cache_dir"]) if top.get("cache_dir") else None)))
    t0 = time.monotonic()
    quiet = args.no_progress or bool(os.environ.get("CI")) or not sys.stderr.isatty()
    progress = BatchProgress(enabled=not quiet, total=len(items))
    reused = 0
    try:
        progress(0, len(items), items[0].name)
        if store is not None:
            for k, item in enumerate(items):
                item.key = job_key(item.job, programs[item.job["program"]].raw)
                kept = store.get(item.key)
                if kept is not None:
                    item.report, item.reused = kept, True
                    reused += 1
                    progress(reused, len(items), item.name)

        def done(item: Item, result: dict) -> None:
            finish_item(item, result, store)

        if args.scheduler:
            from .dask_run import SchedulerError, run_dask

            try:
                run_dask(items, check, args.scheduler, progress, done)
            except SchedulerError as exc:
                raise BatchUsageError(str(exc)) from exc
        else:
            jobs = args.jobs if args.jobs and args.jobs > 0 else int(top.get("jobs") or os.cpu_count() or 1)
            for item in items:  # the packages read at once share the cores (not part of the result's key)
                item.job["parallel"] = min(jobs, len(items))
            run_local(items, check, jobs, progress, done)
    except KeyboardInterrupt:
        progress.close()
        print("shenbao: 已中断；已完成的申报包已保存，重新运行同一命令将跳过它们 / interrupted; finished packages are "
              "kept and a re-run skips them", file=sys.stderr)
        raise
    finally:
        progress.close()

    checks = all_checks(pm)
    apply_cross_package(items, programs, checks)
    mark_changes(items, previous)

    # -- write ------------------------------------------------------------------------------------
    from ..reporters.json_report import dumps

    try:
        (out_real / "reports").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchUsageError(f"无法创建输出文件夹 / cannot create the output folder {out}: {exc.strerror}") from exc
    from ..reporters.html import render_package

    notes: list[str] = []
    taken: set[str] = set()
    rows = []
    for item in items:
        base = S.safe_name(item.name, taken)
        report_file = html_file = None
        if item.report is not None:
            report_file = f"reports/{base}.json"
            (out_real / report_file).write_text(dumps(item.report), "utf-8")
            try:  # the package's own HTML report, page thumbnails and evidence crops inside
                page = render_package(item.report, Path(item.job["path"]), lang, pm=pm)
                html_file = f"reports/{base}.html"
                (out_real / html_file).write_text(page, "utf-8")
            except Exception as exc:  # noqa: BLE001 - one report's HTML failing leaves its JSON
                item.note.append(f"HTML 报告未生成 / HTML report not written: {type(exc).__name__}: {exc}")
        rows.append(S.package_row(item, report_file, html_file, lang))
    as_of = args.as_of.isoformat() if args.as_of else None
    data = S.summary_data(rows, inbox=str(inbox), lang=lang, as_of=as_of,
                          since=str(args.since) if args.since else None, not_packages=not_packages, notes=notes)
    S.write_json(data, out_real / "summary.json")
    S.write_csv(data, out_real / "summary.csv")
    S.write_xlsx(data, out_real / "summary.xlsx")
    S.write_index_html(data, out_real / "index.html")

    t = data["totals"]
    secs = time.monotonic() - t0
    if en:
        print(f"shenbao: {t['packages']} packages ({reused} from the kept results): {t['errors']} with errors, "
              f"{t['warnings']} with warnings, {t['passed']} without problems, {t['failed']} failed; "
              f"{secs:.0f} s. Summary: {out / 'summary.xlsx'}", file=sys.stderr)
    else:
        print(f"shenbao: 共 {t['packages']} 个申报包（{reused} 个沿用上次结果）：{t['errors']} 个有错误，"
              f"{t['warnings']} 个有警告，{t['passed']} 个未发现问题，{t['failed']} 个检查失败；用时 {secs:.0f} 秒。"
              f"汇总：{out / 'summary.xlsx'}", file=sys.stderr)
    for note in notes:
        print(f"shenbao: {note}", file=sys.stderr)
    for item in items:
        if item.failed:
            print(f"shenbao: {item.name}: 检查失败 / check failed: {item.failed}", file=sys.stderr)
    if t["failed"]:
        return EXIT_USAGE
    return EXIT_FINDINGS if t["errors"] else EXIT_OK
