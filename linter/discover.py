"""Finding the files of a package, read-only, without following links out of it."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Files that operating systems and sync tools leave in folders; never part of a package.
IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", ".localized"}
IGNORED_DIRS = {".git", "__MACOSX", ".svn", ".hg"}


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


def discover(package: Path) -> tuple[list[tuple[Path, str]], list[Skipped]]:
    """Return ``[(absolute path, package-relative posix path)]`` sorted by relative path, and the
    entries skipped (links leaving the package, link loops, unreadable folders).

    Symlinks are followed only when they resolve inside the package; a folder is visited once
    (by its resolved path), so link loops end.
    """
    root = package.resolve()
    files: list[tuple[Path, str]] = []
    skipped: list[Skipped] = []
    seen_dirs: set[Path] = set()

    def walk(dir_path: Path, rel_prefix: str) -> None:
        real = dir_path.resolve()
        if real in seen_dirs:
            skipped.append(Skipped(rel_prefix or ".", "文件夹链接形成循环，已跳过", "folder link loop, skipped"))
            return
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(dir_path), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(Skipped(rel_prefix or ".", f"无法打开文件夹：{exc.strerror}", f"cannot open folder: {exc.strerror}"))
            return
        for entry in entries:
            name = entry.name
            rel = f"{rel_prefix}/{display_name(name)}" if rel_prefix else display_name(name)
            if name in IGNORED_NAMES or name.startswith("~$") or name.startswith("._"):
                continue
            p = Path(entry.path)
            try:
                if entry.is_symlink():
                    target = p.resolve()
                    if not _inside(target, root):
                        skipped.append(Skipped(rel, "链接指向申报材料文件夹之外，未读取", "link points outside the package, not read"))
                        continue
                    if not target.exists():
                        skipped.append(Skipped(rel, "链接指向的文件不存在", "broken link"))
                        continue
                if entry.is_dir():
                    if name in IGNORED_DIRS:
                        continue
                    walk(p, rel)
                elif entry.is_file():
                    files.append((p, rel))
                else:
                    skipped.append(Skipped(rel, "不是普通文件，未读取", "not a regular file, not read"))
            except OSError as exc:
                skipped.append(Skipped(rel, f"无法访问：{exc.strerror}", f"cannot access: {exc.strerror}"))

    if package.is_file():
        return [(package.resolve(), package.name)], []
    walk(root, "")
    files.sort(key=lambda t: t[1])
    return files, skipped


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False
