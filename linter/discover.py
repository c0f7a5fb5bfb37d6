"""Finding the files of a package, read-only, without following links out of it.

Zip archives in the package are looked into: their members are files of the package too, named
``材料.zip!/营业执照.pdf`` and handed to extraction as :class:`~shenbao.extract.archive.Member`
(read in place, see :mod:`shenbao.extract.archive`). Nothing is ever written.
"""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from .extract import archive

# Files that operating systems and sync tools leave in folders; never part of a package.
IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", ".localized"}
IGNORED_DIRS = {".git", "__MACOSX", ".svn", ".hg"}
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

Source = Union[Path, archive.Member]


@dataclass
class Skipped:
    """A directory entry that is not read, and why (shown in the report as unreadable)."""

    path: str
    reason: str
    reason_en: str


def display_name(name: str) -> str:
    """A file name as text: names that are not valid UTF-8 (old GBK archives) keep a readable form
    with the bad bytes shown as \\xNN, so the report can be written and still names the file."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def os_reason(exc: OSError, what_zh: str = "无法访问", what_en: str = "cannot access") -> tuple[str, str]:
    """Return ``(zh, en)`` for an OS error, without the absolute path it may carry."""
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        return "没有读取权限，未读取（请检查文件权限）", "permission denied, not read"
    if code == errno.ELOOP:
        return "链接形成循环，已跳过", "symbolic link loop, skipped"
    if code == errno.ENOENT:
        return "文件在检查过程中消失了", "the file disappeared during the check"
    if code == errno.ENAMETOOLONG:
        return "文件名或路径过长，未读取", "file name or path too long, not read"
    return f"{what_zh}：{exc.strerror or type(exc).__name__}", f"{what_en}: {exc.strerror or type(exc).__name__}"


def discover(package: Path, *, archives: bool = True) -> tuple[list[tuple[Source, str]], list[Skipped]]:
    """Return ``[(source, package-relative posix path)]`` sorted by relative path, and the
    entries skipped (links leaving the package, link loops, unreadable folders and files,
    archive members that cannot be read safely).

    Symlinks are followed only when they resolve inside the package; a folder is visited once
    (by its resolved path), so link loops end. With ``archives``, the members of plain zip
    archives are listed after the archive itself.
    """
    package = Path(package)
    files: list[tuple[Source, str]] = []
    skipped: list[Skipped] = []

    def add_file(p: Path, rel: str) -> None:
        files.append((p, rel))
        if not archives:
            return
        try:
            with open(p, "rb") as f:
                head = f.read(4)
        except OSError as exc:
            files.pop()
            skipped.append(Skipped(rel, *os_reason(exc)))
            return
        if head in _ZIP_MAGIC:
            from .extract.sniff import sniff

            try:
                fmt, _ = sniff(p)
            except OSError:
                return
            if fmt == "zip":
                ok, bad = archive.members(p, rel)
                files.extend(ok)
                skipped.extend(Skipped(path, zh, en) for path, zh, en in bad)

    if package.is_file():
        add_file(package.resolve(), display_name(package.name))
        return _unique(files, skipped)
    root = Path(os.path.realpath(package))
    seen_dirs: set[str] = set()

    def walk(dir_path: Path, rel_prefix: str) -> None:
        real = os.path.realpath(dir_path)
        if real in seen_dirs:
            skipped.append(Skipped(rel_prefix or ".", "文件夹链接形成循环，已跳过", "folder link loop, skipped"))
            return
        seen_dirs.add(real)
        try:
            with os.scandir(dir_path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(rel_prefix or ".", *os_reason(exc, "无法打开文件夹", "cannot open folder")))
            return
        for entry in entries:
            name = entry.name
            if name in IGNORED_NAMES or name.startswith("~$") or name.startswith("._"):
                continue
            rel = f"{rel_prefix}/{display_name(name)}" if rel_prefix else display_name(name)
            p = Path(entry.path)
            try:
                if entry.is_symlink():
                    if not _inside(os.path.realpath(p), str(root)):
                        skipped.append(Skipped(rel, "链接指向申报材料文件夹之外，未读取", "link points outside the package, not read"))
                        continue
                    try:
                        os.path.realpath(p, strict=True)
                    except OSError as exc:
                        if exc.errno == errno.ENOENT:
                            skipped.append(Skipped(rel, "链接指向的文件不存在", "broken link"))
                        else:
                            skipped.append(Skipped(rel, *os_reason(exc)))
                        continue
                if entry.is_dir():
                    if name in IGNORED_DIRS:
                        continue
                    walk(p, rel)
                elif entry.is_file():
                    add_file(p, rel)
                else:
                    skipped.append(Skipped(rel, "不是普通文件（设备、管道或套接字），未读取",
                                           "not a regular file (device, pipe or socket), not read"))
            except OSError as exc:
                skipped.append(Skipped(rel, *os_reason(exc)))
            except (RuntimeError, ValueError) as exc:  # e.g. a name with NUL bytes on odd filesystems
                skipped.append(Skipped(rel, f"无法访问：{type(exc).__name__}", f"cannot access: {type(exc).__name__}"))

    walk(root, "")
    return _unique(files, skipped)


def _unique(files: list[tuple[Source, str]], skipped: list[Skipped]) -> tuple[list[tuple[Source, str]], list[Skipped]]:
    """Sort, and make every shown path unique (a folder really named ``a.zip!`` beside ``a.zip``,
    or two names that differ only in undecodable bytes) so no file hides another in the report."""
    seen: set[str] = set()

    def fresh(path: str) -> str:
        if path not in seen:
            seen.add(path)
            return path
        k = 2
        while f"{path} ({k})" in seen:
            k += 1
        seen.add(f"{path} ({k})")
        return f"{path} ({k})"

    files = [(src, fresh(rel)) for src, rel in sorted(files, key=lambda t: t[1])]
    skipped = [Skipped(fresh(s.path), s.reason, s.reason_en) for s in sorted(skipped, key=lambda s: s.path)]
    files.sort(key=lambda t: t[1])
    return files, skipped


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
