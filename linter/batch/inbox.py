"""What an inbox holds: its packages (every sub-folder or ``.zip``), a listing file's programs, and
the heuristic that tells ``shenbao check`` it was pointed at several packages at once."""
from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..discover import IGNORED_DIRS, IGNORED_NAMES, display_name

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
CONFIG_NAMES = {"shenbao.toml", "pyproject.toml"}


@dataclass
class InboxEntry:
    name: str  # as shown: the folder's or the zip's name
    path: Path


@dataclass
class NotAPackage:
    name: str
    reason: str
    reason_en: str


def _is_zip(path: Path) -> bool:
    if path.suffix.lower() == ".zip":
        return True
    try:
        with open(path, "rb") as f:
            return f.read(4) in _ZIP_MAGIC and not _is_office(path)
    except OSError:
        return False


def _is_office(path: Path) -> bool:
    """An xlsx/docx is a zip too: it is a file of a package, never a package."""
    return path.suffix.lower() in (".xlsx", ".xlsm", ".docx", ".pptx", ".ofd", ".odt", ".ods")


def list_inbox(inbox: Path, skip: tuple[Path, ...] = ()) -> tuple[list[InboxEntry], list[NotAPackage]]:
    """Every sub-folder and zip of ``inbox``, sorted by name; the other entries, and why they are
    not checked. ``skip``: files of the run itself (the listing file) left out silently."""
    skip_real = {os.path.realpath(p) for p in skip}
    packages: list[InboxEntry] = []
    others: list[NotAPackage] = []
    with os.scandir(inbox) as it:
        entries = sorted(it, key=lambda e: e.name)
    for e in entries:
        name = display_name(e.name)
        if e.name in IGNORED_NAMES or e.name.startswith((".", "~$", "._")) or e.name in CONFIG_NAMES:
            continue
        if os.path.realpath(e.path) in skip_real:
            continue
        p = Path(e.path)
        try:
            if e.is_dir():
                if e.name in IGNORED_DIRS:
                    continue
                packages.append(InboxEntry(name, p))
            elif e.is_file() and _is_zip(p):
                packages.append(InboxEntry(name, p))
            else:
                others.append(NotAPackage(name, "不是文件夹或 zip 压缩包，未作为申报包检查",
                                          "not a folder or a zip archive; not checked as a package"))
        except OSError as exc:
            others.append(NotAPackage(name, f"无法访问：{exc.strerror}", f"cannot access: {exc.strerror}"))
    return packages, others


# -- listing file ----------------------------------------------------------------------------------

PACKAGE_HEADERS = {"package", "申报包", "文件夹", "包名", "申报材料", "folder"}
PROGRAM_HEADERS = {"program", "项目", "项目id", "program id", "program_id", "申报项目"}


class ListingError(Exception):
    pass


def _norm(h) -> str:
    return re.sub(r"\s+", " ", str(h or "").strip().lower())


def read_listing(path: Path) -> dict[str, str]:
    """``{package name: program id}`` from a csv or xlsx with a header row naming the columns
    (package/申报包/文件夹 and program/项目). Raises ListingError with a sentence."""
    rows: list[list] = []
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            ws = wb.worksheets[0]
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            wb.close()
        else:
            raw = path.read_bytes()
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ListingError(f"{path}: 无法识别文件编码 / cannot decode the listing file")
            rows = [r for r in csv.reader(io.StringIO(text))]
    except ListingError:
        raise
    except (OSError, zipfile.BadZipFile, ValueError, KeyError) as exc:
        raise ListingError(f"{path}: 无法读取清单文件 / cannot read the listing file: {exc}") from exc
    for i, row in enumerate(rows[:10]):
        heads = [_norm(h) for h in row]
        pk = next((k for k, h in enumerate(heads) if h in PACKAGE_HEADERS), None)
        pr = next((k for k, h in enumerate(heads) if h in PROGRAM_HEADERS), None)
        if pk is not None and pr is not None:
            out: dict[str, str] = {}
            for r in rows[i + 1:]:
                name = str(r[pk]).strip() if pk < len(r) and r[pk] is not None else ""
                prog = str(r[pr]).strip() if pr < len(r) and r[pr] is not None else ""
                if name and prog:
                    out[name] = prog
            return out
    raise ListingError(f"{path}: 找不到“申报包/package”与“项目/program”两列的表头 / "
                       f"no header row with a package and a program column")


# -- several packages in one folder (for `shenbao check`) -----------------------------------------

# One package has one business licence and one cover / application form; a folder whose units
# (top-level sub-folders and zips) each hold their own is an inbox, not a package.
_LICENCE = re.compile(r"营业执照|执照")
_FRONT = re.compile(r"封面|申请表|申报表|申报书")
# a unit named as an enterprise: 甲科技有限公司, 乙机械厂_2025, 丙集团（申报）
_COMPANY = re.compile(r"(有限公司|有限责任公司|集团|厂|合作社)([-_ （(].*)?$")


def _names_in(unit: Path) -> list[str]:
    names: list[str] = []
    try:
        if unit.is_dir():
            for root, dirs, files in os.walk(unit):
                dirs[:] = [d for d in dirs if d not in IGNORED_DIRS and not d.startswith(".")]
                names.extend(files)
                if len(names) > 5000:
                    break
        else:
            with zipfile.ZipFile(unit) as z:
                names = [n.rsplit("/", 1)[-1] for n in z.namelist()[:5000]]
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError):
        return []
    return names


def several_packages(folder: Path) -> Optional[list[str]]:
    """The units of ``folder`` that each look like a whole package, when there are two or more;
    else None. A unit looks like a package when its file names hold both a 营业执照 and a cover or
    application form, or when it is named as an enterprise and holds files. One package whose
    materials are sorted into sub-folders (基本材料/, 财务/, 发票/) has one licence and one cover:
    it is not taken for several."""
    if not folder.is_dir():
        return None
    try:
        units = [u for u in sorted(folder.iterdir(), key=lambda p: p.name)
                 if not u.name.startswith(".") and u.name not in IGNORED_DIRS
                 and (u.is_dir() or (u.is_file() and u.suffix.lower() == ".zip"))]
    except OSError:
        return None
    if len(units) < 2:
        return None
    looking: list[str] = []
    named: list[str] = []
    for u in units:
        names = _names_in(u)
        if not names:
            continue
        if any(_LICENCE.search(n) for n in names) and any(_FRONT.search(n) for n in names):
            looking.append(display_name(u.name))
        if _COMPANY.search(u.stem if u.is_file() else u.name):
            named.append(display_name(u.name))
    if len(looking) >= 2:
        return looking
    if len(named) >= 2:
        return named
    return None
