"""The ``shenbao`` command. Exit codes: 0 no error findings, 1 error findings, 2 usage error or failure."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Optional

from . import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD: {value!r}")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="shenbao",
        description="申报材料合规检查 / compliance linter for subsidy application packages",
    )
    p.add_argument("--version", action="version", version=f"shenbao-lint {__version__}")
    p.add_argument("-p", "--plugin", action="append", default=[], metavar="MODULE",
                   help="额外加载的插件模块 / load an extra plugin module by name")
    sub = p.add_subparsers(dest="command", required=True)

    from .config import non_negative_float, non_negative_int, positive_int

    c = sub.add_parser("check", help="检查一个申报材料文件夹 / check a package")
    c.add_argument("package", type=Path, help="申报材料文件夹（或单个文件） / package folder or file")
    c.add_argument("--program", required=True, help="项目 id，见 `shenbao programs` / program id")
    c.add_argument("--as-of", type=_date, help="申报日 YYYY-MM-DD（默认今天） / application day (default: today)")
    c.add_argument("--notice-date", type=_date, metavar="YYYY-MM-DD",
                   help="通知发布日期（指南未给出时，如赤峰；覆盖程序包中的日期） / the notice's date, "
                        "where the guide gives none (overrides the pack's)")
    c.add_argument("--deadline", type=_date, metavar="YYYY-MM-DD",
                   help="申报截止日期（指南未给出时） / the submission deadline, where the guide gives none")
    c.add_argument("--stage", choices=["enterprise", "county"], default="enterprise",
                   help="enterprise：企业自查；county：县级转报的材料（审核栏须填写）")
    c.add_argument("--format", default="text", help="text|json|sarif|junit|html（插件可增加） / output format")
    c.add_argument("--output", "-o", type=Path, help="写入文件而非标准输出 / write to a file")
    c.add_argument("--lang", choices=["zh", "en"], default=None, help="报告语言 / report language (default zh)")
    c.add_argument("--jobs", "-j", type=int, default=None, help="并行进程数（默认 CPU 核数） / worker processes")
    c.add_argument("--ocr", default="rapidocr", help="OCR 引擎：rapidocr（默认）或 tesseract / OCR engine")
    c.add_argument("--no-ocr", action="store_true", help="不做 OCR（扫描件将无法检查） / skip OCR")
    c.add_argument("--ocr-detect-side", type=non_negative_int, default=None, metavar="PX",
                   help="文字检测所用图像的长边像素（默认 1280；0 为引擎原始尺寸，较慢） / long side of the image "
                        "the OCR text detector sees (default 1280; 0 = the engine's own size, slower)")
    c.add_argument("--no-cache", action="store_true", help="不使用缓存 / do not use the cache")
    c.add_argument("--cache-dir", type=Path, help="缓存目录（默认用户缓存目录） / cache directory")
    c.add_argument("--timeout", type=float, default=120.0,
                   help="读取时限（秒）：打开文件或读取/识别一页的最长时间，超时记为无法读取 / "
                        "time limit per step (opening a file, reading or OCR-ing one page)")
    c.add_argument("--time-budget", type=non_negative_float, default=600.0, metavar="SECONDS",
                   help="整体读取时限（秒，默认 600，0 为不限）：超过后不再读取后续页面，已读页面照常检查，"
                        "未读页面在报告中列出 / whole-run budget: after it no further page is read "
                        "(pages read are still checked; pages not read are listed); 0 = none")

    c.add_argument("--max-pages", type=positive_int, default=None, help="每个文件最多读取的页数（默认 2000） / pages read per document")
    c.add_argument("--max-image-pixels", type=positive_int, default=None,
                   help="可读取的最大图片像素数（默认 8000 万） / largest image read, in pixels")
    c.add_argument("--config", type=Path, default=None,
                   help="配置文件（默认当前目录的 shenbao.toml 或 pyproject.toml [tool.shenbao]） / config file")
    c.add_argument("--select", action="append", default=[], help="只运行这些规则（前缀） / only these rules")
    c.add_argument("--ignore", action="append", default=[], help="跳过这些规则（前缀） / skip these rules")
    c.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")
    c.add_argument("--evidence", type=Path, metavar="DIR",
                   help="把每条问题所指区域（印章、签字栏、二维码等）截图保存到此目录（须在申报材料之外） / "
                        "write a crop of each finding's region to DIR (outside the package)")

    c.add_argument("--one-package", action="store_true",
                   help="此文件夹确为一个申报包（不提示“似乎包含多个申报包”） / the folder is one package")

    b = sub.add_parser("batch", help="逐个检查收件文件夹中的每个申报包并汇总 / check every package of an inbox")
    b.add_argument("inbox", type=Path, help="收件文件夹：每个子文件夹或 .zip 为一个申报包 / inbox: each sub-folder or .zip is a package")
    b.add_argument("--program", help="项目 id（也可由 shenbao.toml [packages] 或 --listing 按申报包给出） / program id")
    b.add_argument("--listing", type=Path, metavar="FILE",
                   help="清单文件（csv/xlsx，列：申报包/package、项目/program） / listing file with a package and a program column")
    b.add_argument("--out", type=Path, metavar="DIR",
                   help="输出文件夹（默认在收件文件夹旁：<收件>-shenbao） / output folder (default: next to the inbox)")
    b.add_argument("--jobs", "-j", type=int, default=None, help="并行检查的申报包数（默认 CPU 核数） / packages checked at once")
    b.add_argument("--scheduler", metavar="tcp://HOST:8786",
                   help="在 Dask 集群上运行（各节点共享收件文件夹） / run on a Dask distributed cluster (shared filesystem)")
    b.add_argument("--since", type=Path, metavar="PREVIOUS.json",
                   help="上次的 summary.json：标出新增、未变、已修复的问题 / a previous summary.json: mark findings new, unchanged, fixed")
    b.add_argument("--as-of", type=_date, help="申报日 YYYY-MM-DD（默认今天） / application day")
    b.add_argument("--notice-date", type=_date, metavar="YYYY-MM-DD", help="通知发布日期（指南未给出时） / the notice's date")
    b.add_argument("--deadline", type=_date, metavar="YYYY-MM-DD", help="申报截止日期（指南未给出时） / the deadline")
    b.add_argument("--stage", choices=["enterprise", "county"], default=None, help="enterprise 或 county")
    b.add_argument("--lang", choices=["zh", "en"], default=None, help="汇总与报告语言 / language (default zh)")
    b.add_argument("--ocr", default="rapidocr", help="OCR 引擎 / OCR engine")
    b.add_argument("--no-ocr", action="store_true", help="不做 OCR / skip OCR")
    b.add_argument("--no-cache", action="store_true", help="不使用缓存，也不保存各申报包的结果 / no cache, no resume")
    b.add_argument("--cache-dir", type=Path, help="缓存目录（默认用户缓存目录） / cache directory")
    b.add_argument("--timeout", type=float, default=120.0, help="每一步的读取时限（秒） / time limit per step")
    b.add_argument("--time-budget", type=non_negative_float, default=600.0, metavar="SECONDS",
                   help="每个申报包的整体读取时限（秒，0 为不限） / reading budget per package")
    b.add_argument("--max-pages", type=positive_int, default=None, help="每个文件最多读取的页数 / pages read per document")
    b.add_argument("--max-image-pixels", type=positive_int, default=None, help="最大图片像素数 / largest image read")
    b.add_argument("--config", type=Path, default=None, help="配置文件 / config file")
    b.add_argument("--select", action="append", default=[], help="只运行这些规则（前缀） / only these rules")
    b.add_argument("--ignore", action="append", default=[], help="跳过这些规则（前缀） / skip these rules")
    b.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")

    pr = sub.add_parser("programs", help="列出可用的申报项目 / list programs")
    pr.add_argument("--format", choices=["text", "json"], default="text")

    r = sub.add_parser("rules", help="列出全部规则 / list rules")
    r.add_argument("--format", choices=["text", "json"], default="text")
    r.add_argument("--lang", choices=["zh", "en"], default="zh")

    r1 = sub.add_parser("rule", help="说明一条规则 / explain one rule")
    r1.add_argument("rule_id")
    r1.add_argument("--lang", choices=["zh", "en"], default="zh")
    r1.add_argument("--format", choices=["text", "json"], default="text")

    pk = sub.add_parser("pack", help="程序包工具 / program pack tools")
    pk_sub = pk.add_subparsers(dest="pack_command", required=True)
    pv = pk_sub.add_parser("validate", help="单独校验程序包文件 / validate pack files alone")
    pv.add_argument("files", type=Path, nargs="+", help="程序包 YAML 文件 / pack YAML files")

    ini = sub.add_parser("init", help="生成插件骨架（含测试） / write a plugin skeleton with a test")
    ini_sub = ini.add_subparsers(dest="init_command", required=True)
    ip = ini_sub.add_parser("program", help="继承已有程序包的新项目 / a program extending another")
    ip.add_argument("name", help="新项目 id / the new program id")
    ip.add_argument("--extends", required=True, help="继承的程序包 id / pack id to extend")
    ip.add_argument("--dir", type=Path, default=Path("."), help="写入目录（默认当前目录） / where to write")
    ic = ini_sub.add_parser("check", help="新规则 / a new check")
    ic.add_argument("rule", help="规则 id，如 my-rule / rule id")
    ic.add_argument("--dir", type=Path, default=Path("."), help="写入目录（默认当前目录） / where to write")

    i = sub.add_parser("inspect", help="显示从一个文件读出的内容 / show what was read from one file")
    i.add_argument("file", type=Path)
    i.add_argument("--program", default="smx2025-intelligent-retrofit", help="用于分类的项目 id / program used to classify")
    i.add_argument("--format", choices=["text", "json"], default="text")
    i.add_argument("--ocr", default="rapidocr")
    i.add_argument("--no-cache", action="store_true")
    i.add_argument("--cache-dir", type=Path)
    return p


def main(argv: Optional[list[str]] = None) -> int:
    from .config import ConfigError, parse_args

    try:
        args = parse_args(_parser(), argv)  # shenbao.toml / [tool.shenbao] values are the defaults
    except ConfigError as exc:
        print(f"shenbao: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        from .plugins_manager import get_plugin_manager

        pm = get_plugin_manager(tuple(args.plugin))
        handler = {"check": cmd_check, "batch": cmd_batch, "programs": cmd_programs, "rules": cmd_rules, "rule": cmd_rule,
                   "inspect": cmd_inspect, "pack": cmd_pack, "init": cmd_init}[args.command]
        return handler(args, pm)
    except UsageError as exc:
        print(f"shenbao: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("shenbao: 已中断 / interrupted", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the user sees a sentence, not a traceback
        from .programs import PackError
        from .plugins_manager import PluginError

        if isinstance(exc, (PackError, PluginError)):
            print(f"shenbao: {exc}", file=sys.stderr)
        else:
            print(f"shenbao: 内部错误 / internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            if os.environ.get("SHENBAO_DEBUG"):
                raise
        return EXIT_USAGE


# -- check ---------------------------------------------------------------------------------------

_PACK_ERRORS: list[tuple[str, str]] = []  # packs left out of this run, and why


def _programs(pm):
    """The programs of every plugin; a bad pack is disabled with a message on stderr (once), so one
    broken third-party pack does not take every command down."""
    from .programs import programs_from_plugins

    errors: list[tuple[str, str]] = []
    programs = programs_from_plugins(pm, errors)
    for key, msg in errors:
        if (key, msg) not in _PACK_ERRORS:
            _PACK_ERRORS.append((key, msg))
            print(f"shenbao: 程序包已停用 / pack disabled: {msg}", file=sys.stderr)
    return programs


def _unknown_program(pid: str, programs) -> UsageError:
    why = [msg for key, msg in _PACK_ERRORS if key == pid]
    if why:
        return UsageError(f"项目 {pid} 的程序包有误，已停用 / the pack of {pid} is disabled: {why[0]}")
    return UsageError(f"未知项目 id / unknown program: {pid}（可用 / available: {', '.join(programs)}）")


def _reporters(pm) -> dict:
    out = {}
    for result in pm.hook.shenbao_add_reporters():
        out.update(result or {})
    return out


def _quiet(args) -> bool:
    return args.format != "text" or bool(os.environ.get("CI")) or args.no_progress or not sys.stderr.isatty()


class _Progress:
    """A progress bar on stderr that appears only when extraction takes more than a moment."""

    DELAY = 1.0

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.started = time.monotonic()
        self.bar = None
        self.task = None

    def __call__(self, done: int, total: int, path: str) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < self.DELAY and done < total:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("读取文件 / reading"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), TextColumn("{task.description}"),
                                console=Console(file=sys.stderr), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("", total=total)
        self.bar.update(self.task, completed=done, description=path[-40:])

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _dated(program, args):
    """The program with the run's notice date and deadline (flags or config) over the pack's: a guide
    without dates (赤峰) gets them here, and a county that set an earlier deadline can say so."""
    import dataclasses

    notice = getattr(args, "notice_date", None) or program.notice_date
    deadline = getattr(args, "deadline", None) or program.deadline
    if notice and deadline and deadline < notice:
        raise UsageError(f"截止日期 {deadline} 早于通知日期 {notice} / the deadline is before the notice date")
    return dataclasses.replace(program, notice_date=notice, deadline=deadline)


def cmd_check(args, pm) -> int:
    from .engine import RunOptions, lint_package

    programs = _programs(pm)
    if args.program not in programs:
        raise _unknown_program(args.program, programs)
    reporters = _reporters(pm)
    if args.format not in reporters:
        raise UsageError(f"未知输出格式 / unknown format: {args.format}（可用 / available: {', '.join(sorted(reporters))}）")
    if not args.package.exists():
        raise UsageError(f"找不到申报材料 / package not found: {args.package}")
    if args.ocr not in _ocr_engines(pm):
        raise UsageError(f"未知 OCR 引擎 / unknown OCR engine: {args.ocr}（可用 / available: {', '.join(_ocr_engines(pm))}）")
    lang = args.lang or "zh"
    if not args.one_package:
        from .batch.inbox import several_packages

        several = several_packages(args.package)
        if several:
            raise UsageError(several_message(args.package, several))
    evidence_dir = None
    if args.evidence is not None:
        from .evidence import EvidenceError, check_folder

        try:
            evidence_dir = check_folder(args.evidence, args.package)
        except EvidenceError as exc:
            raise UsageError(str(exc)) from exc
    jobs = args.jobs if args.jobs and args.jobs > 0 else (os.cpu_count() or 1)
    progress = _Progress(enabled=not _quiet(args))
    options = RunOptions(
        as_of=args.as_of, stage=args.stage, lang=lang, jobs=jobs, cache_dir=args.cache_dir,
        use_cache=not args.no_cache, ocr_engine=args.ocr, ocr=not args.no_ocr, timeout_seconds=args.timeout,
        time_budget=args.time_budget,
        progress=progress, select=tuple(args.select), ignore=tuple(args.ignore), extra_plugins=tuple(args.plugin),
        **{k: v for k, v in (("max_pages", args.max_pages), ("max_image_pixels", args.max_image_pixels)) if v},
        **({"ocr_det_side": args.ocr_detect_side} if args.ocr_detect_side is not None else {}),
        evidence_dir=evidence_dir,
    )
    try:
        report = lint_package(args.package, _dated(programs[args.program], args), options, pm,
                              pm_factory=_PmFactory(tuple(args.plugin)))
    finally:
        progress.close()
    several = licences_in_units(report, programs[args.program]) if not args.one_package else None
    if several:
        print(f"shenbao: 警告 / warning: {several_message(args.package, several, read=True)}", file=sys.stderr)
    render = reporters[args.format]
    if args.format == "text" and args.output is None:
        from .reporters.text import render as render_text

        out = render_text(report, lang, color=sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    elif args.format == "html" and _is_builtin_html(render):
        from .reporters.html import render_package

        out = render_package(report, args.package, lang, pm=pm)  # page thumbnails and crops, in memory
    else:
        out = render(report, lang)
    _emit(out, args.output)
    return EXIT_FINDINGS if report["summary"]["errors"] else EXIT_OK


def _is_builtin_html(render) -> bool:
    """True unless a plugin replaced the ``html`` format (its renderer then gets the report alone)."""
    from .reporters import html

    return render is html.render


def several_message(package: Path, units: list[str], read: bool = False) -> str:
    shown = "、".join(units[:5]) + ("……" if len(units) > 5 else "")
    why = "读出的营业执照分别在" if read else "似乎各是一个完整的申报包："
    why_en = "business licences were read in" if read else "each look like a whole package:"
    return (f"{package} 似乎包含多个申报包（{why} {shown}）。批量检查请用 / for an inbox of packages use: "
            f"shenbao batch {package} --program …；如确为一个申报包，请加 --one-package。 / "
            f"{package} seems to hold several packages ({why_en} {', '.join(units[:5])}); "
            f"if it is one package, add --one-package.")


def licences_in_units(report: dict, program) -> Optional[list[str]]:
    """After the check: the top-level sub-folders or zips of the folder checked that each hold a
    business licence and a cover or application form of their own, when there are two or more, as
    when several packages were merged into one report (a warning only). A licence alone in two
    places is not enough: one package may keep a second copy of it elsewhere."""
    import re

    ids = {m.id for m in program.materials_of_kind("business_license")}
    front = re.compile(r"封面|申请表|申报表|申报书")
    licences: dict[str, set] = {}
    fronts: set[str] = set()  # units that also hold a cover or application form of their own
    for m in report.get("materials") or []:
        is_licence, is_front = m.get("id") in ids, bool(front.search(m.get("title") or ""))
        if not (is_licence or is_front):
            continue
        for f in m.get("files") or []:
            path = f.get("path") or ""
            unit = path.split("!/", 1)[0].split("/", 1)[0] if ("/" in path) else None
            if unit and is_licence:
                licences.setdefault(unit, set()).add(path)
            if unit and is_front:
                fronts.add(unit)
    # one package keeps its licence in two places at times; several packages each bring a front too
    units = sorted(u for u in licences if u in fronts)
    return units if len(units) >= 2 else None


class _PmFactory:
    """Picklable: a worker process builds its own plugin manager with the same extra plugins."""

    def __init__(self, extra: tuple[str, ...]):
        self.extra = extra

    def __call__(self):
        from .plugins_manager import get_plugin_manager

        return get_plugin_manager(self.extra)


def _ocr_engines(pm) -> dict:
    out = {}
    for result in pm.hook.shenbao_add_ocr_engines():
        out.update(result or {})
    return out


def _emit(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def cmd_batch(args, pm) -> int:
    from .batch.command import BatchUsageError, run_batch

    programs = _programs(pm)
    if args.program and args.program not in programs:
        raise _unknown_program(args.program, programs)
    if args.ocr not in _ocr_engines(pm):
        raise UsageError(f"未知 OCR 引擎 / unknown OCR engine: {args.ocr}（可用 / available: {', '.join(_ocr_engines(pm))}）")
    try:
        return run_batch(args, pm, programs)
    except BatchUsageError as exc:
        raise UsageError(str(exc)) from exc


# -- programs, rules -----------------------------------------------------------------------------

def _iso(day) -> Optional[str]:
    return day.isoformat() if day else None


def cmd_programs(args, pm) -> int:
    programs = _programs(pm)
    rows = [{"id": p.id, "title": p.title, "source": p.source, "notice_date": _iso(p.notice_date),
             "deadline": _iso(p.deadline), "origin": p.origin} for p in programs.values()]
    if args.format == "json":
        _emit(json.dumps(rows, ensure_ascii=False, indent=2), None)
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "项目 / title", "来源 / source", "通知日期 / notice", "截止 / deadline")
    for r in rows:
        table.add_row(r["id"], r["title"], r["source"], r["notice_date"] or "运行时给出 / --notice-date",
                      r["deadline"] or "运行时给出 / --deadline")
    Console(width=120).print(table)
    return EXIT_OK


def _rule_info(cls) -> dict:
    import inspect

    return {"id": cls.rule, "title": cls.title, "title_en": cls.title_en, "severity": cls.severity,
            "doc": inspect.cleandoc(cls.__doc__ or ""), "doc_en": inspect.cleandoc(cls.doc_en or ""),
            "params": {k: v.get("description", "") for k, v in cls.params_schema.items()}}


def cmd_rules(args, pm) -> int:
    from .engine import all_checks

    rules = [_rule_info(c) for c in all_checks(pm).values()]
    if args.format == "json":
        _emit(json.dumps(rules, ensure_ascii=False, indent=2), None)
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table

    table = Table("rule", "标题 / title", "severity")
    for r in rules:
        table.add_row(r["id"], r["title"] if args.lang == "zh" else r["title_en"], r["severity"])
    Console(width=120).print(table)
    return EXIT_OK


def cmd_rule(args, pm) -> int:
    from .engine import all_checks

    checks = all_checks(pm)
    if args.rule_id not in checks:
        raise UsageError(f"未知规则 / unknown rule: {args.rule_id}（见 / see `shenbao rules`）")
    info = _rule_info(checks[args.rule_id])
    # Where programs use the rule, and on what basis.
    uses = []
    for p in _programs(pm).values():
        for c in p.checks:
            if c["rule"] == args.rule_id:
                uses.append({"program": p.id, "basis": c.get("basis") or "", "params": c.get("params") or {}})
    info["used_by"] = uses
    if args.format == "json":
        _emit(json.dumps(info, ensure_ascii=False, indent=2), None)
        return EXIT_OK
    title = info["title"] if args.lang == "zh" else info["title_en"]
    lines = [f"{info['id']}  {title}  [{info['severity']}]", "", info["doc"] if args.lang == "zh" else info["doc_en"]]
    if info["params"]:
        lines += ["", "参数 / parameters:"] + [f"  {k}: {v}" for k, v in info["params"].items()]
    if uses:
        lines += ["", "依据 / basis:" if args.lang == "zh" else "Basis:"]
        lines += [f"  {u['program']}: {u['basis'] or '-'}" for u in uses]
    _emit("\n".join(lines), None)
    return EXIT_OK


# -- inspect -------------------------------------------------------------------------------------

def cmd_inspect(args, pm) -> int:
    from .inspect_file import inspect_file, render_inspection

    programs = _programs(pm)
    if args.program not in programs:
        raise _unknown_program(args.program, programs)
    if not args.file.is_file():
        raise UsageError(f"找不到文件 / file not found: {args.file}")
    data = inspect_file(args.file, programs[args.program], pm, ocr_engine=args.ocr, use_cache=not args.no_cache,
                        cache_dir=args.cache_dir)
    if args.format == "json":
        _emit(json.dumps(data, ensure_ascii=False, indent=2, default=str), None)
    else:
        _emit(render_inspection(data), None)
    return EXIT_OK


# -- plugin authors ------------------------------------------------------------------------------

def cmd_pack(args, pm) -> int:
    """``pack validate FILE…``: the files loaded with the installed packs they may extend; errors of
    the files named (file, key, expectation), exit 2; else what each file's program holds."""
    import yaml

    from .programs import programs_from_plugins

    wanted: dict[str, Path] = {}
    for path in args.files:
        if not path.is_file():
            raise UsageError(f"找不到文件 / file not found: {path}")
        try:
            data = yaml.safe_load(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            print(f"{path}: 无法读取程序包 / cannot read program pack: {exc}", file=sys.stderr)
            return EXIT_USAGE
        pid = data.get("id") if isinstance(data, dict) else None
        wanted[str(pid or path)] = path
    errors: list[tuple[str, str]] = []
    installed = {p for p in programs_from_plugins(pm, [])}
    programs = programs_from_plugins(pm, errors, extra=[p for p in wanted.values()])
    bad = [msg for key, msg in errors if key in wanted or any(str(p) in msg for p in wanted.values())]
    for msg in bad:
        print(msg, file=sys.stderr)
    for pid, path in wanted.items():
        if pid in installed and pid in programs:
            print(f"{path}: 程序 id 与已安装的重复 / program id already installed: {pid}", file=sys.stderr)
            bad.append(pid)
        elif pid in programs:
            prog = programs[pid]
            print(f"{path}: OK {pid} — {len(prog.materials)} 项材料 / materials, {len(prog.checks)} 条规则 / checks")
        elif not bad:
            print(f"{path}: OK（抽象程序包 / abstract pack）")
    return EXIT_USAGE if bad else EXIT_OK


def cmd_init(args, pm) -> int:
    from .scaffold import ScaffoldError, init_check, init_program

    try:
        if args.init_command == "program":
            written = init_program(args.dir, args.name, args.extends, _programs(pm) | _abstract_ids(pm))
        else:
            written = init_check(args.dir, args.rule)
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from exc
    for path in written:
        print(path)
    print("安装并测试 / install and test: pip install -e <dir> && python -m pytest <dir>/tests")
    return EXIT_OK


def _abstract_ids(pm) -> dict:
    """Abstract packs can be extended too (smx2025-annex1): their ids, for ``init program``."""
    from .programs import _read_pack, plugin_pack_items

    out = {}
    for item in plugin_pack_items(pm, []):
        try:
            pack = _read_pack(item)
        except Exception:  # noqa: BLE001 - a broken pack is reported by the commands that load it
            continue
        if pack.get("abstract") and pack.get("id"):
            out[pack["id"]] = None
    return out


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
