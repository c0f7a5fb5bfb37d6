"""Zip archives inside a package: listed and read in place, never unpacked next to the package.

A plain ``.zip`` (not an Office/OFD container) that a user put into the package is opened with
:mod:`zipfile`; its members become package files named ``材料.zip!/审计报告.pdf``, read like any other
file. A member is copied, one at a time, into a private :class:`tempfile.TemporaryDirectory`
under a generated name (never the name stored in the archive), read there, and the directory is
removed at once, whatever happens.

Names are shown as the user would see them: names written without the UTF-8 flag (Windows'
“发送到压缩文件夹”, old WinRAR) are GBK, which :mod:`zipfile` decodes as cp437, so they are turned
back. Names that climb out of the archive (``../``, ``/etc/..``, ``C:\\``) are reported, not read.

Bounds (checked on the central directory before anything is decompressed, and again while
reading, since a header may lie): at most :data:`MAX_MEMBERS` members, :data:`MAX_MEMBER_SIZE` per
member, :data:`MAX_TOTAL_SIZE` in all, and no member over :data:`RATIO_MIN_SIZE` that inflates
more than :data:`MAX_RATIO` times (a zip bomb). Office files use :func:`bomb_check` with the same
limits before openpyxl opens them.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import struct
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator, Optional

MAX_MEMBERS = 2000  # a package zip holds tens of files; 2 000 is generous and cheap to list
MAX_MEMBER_SIZE = 512 << 20  # one member, uncompressed (a 300-page scan PDF is ~100-200 MB)
MAX_TOTAL_SIZE = 2 << 30  # all members, uncompressed
MAX_RATIO = 100  # PDFs/JPEGs barely compress; XML ~10-30x; a zip bomb 1000x and more
RATIO_MIN_SIZE = 16 << 20  # small members may compress as much as they like
SEP = "!/"  # "材料.zip!/营业执照.pdf": a member's path in the report (as Java and 7-Zip write it)

_IGNORED = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$|\._)", re.I)
_DRIVE = re.compile(r"^[A-Za-z]:")


class ArchiveError(Exception):
    """An archive or member cannot be read; ``zh`` and ``en`` say why."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class Member:
    """A file inside a zip in the package: what discovery hands extraction instead of a path."""

    archive: Path  # absolute path of the zip
    name: str  # the name as zipfile decoded it (the key to open it)
    index: int  # position in the central directory (names may repeat)
    size: int  # uncompressed size stated in the central directory

    @property
    def suffix(self) -> str:
        """The member's extension, lower case, for sniffing refinements (``.xls`` vs ``.doc``)."""
        s = PurePosixPath(display_name(self.name, 0x800).replace("\\", "/")).suffix.lower()
        return s if re.fullmatch(r"\.[a-z0-9]{1,8}", s) else ""


@dataclass(frozen=True)
class Entry:
    """One central-directory entry: its display name, and why it is not read (or None)."""

    name: str  # as shown to the user
    info: zipfile.ZipInfo
    index: int
    problem: Optional[tuple[str, str]] = None


def display_name(name: str, flag_bits: int) -> str:
    """Return a member name as the user's archiver shows it: without the UTF-8 flag (bit 11) the
    bytes are usually GBK, which zipfile decoded as cp437; decode them again."""
    if flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return name


def unsafe(name: str) -> bool:
    """Return True when a member name would land outside the folder it is extracted to."""
    n = name.replace("\\", "/")
    return n.startswith("/") or bool(_DRIVE.match(n)) or ".." in n.split("/") or "\0" in n


def ignored(name: str) -> bool:
    """Return True for entries archivers add that are never part of a package (__MACOSX, .DS_Store)."""
    return bool(_IGNORED.search(name.replace("\\", "/")))


def central_directory_count(path: Path) -> Optional[int]:
    """Return the number of entries the end-of-central-directory record states (zip64 aware), or
    None when there is none. Read from the file's tail only, before zipfile loads the directory."""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - (1 << 16) - 22))
            tail = f.read()
    except OSError:
        return None
    i = tail.rfind(b"PK\x05\x06")
    if i < 0 or len(tail) - i < 22:
        return None
    count = struct.unpack("<H", tail[i + 10:i + 12])[0]
    if count == 0xFFFF:
        j = tail.rfind(b"PK\x06\x06", 0, i)
        if j >= 0 and len(tail) - j >= 56:
            count = struct.unpack("<Q", tail[j + 32:j + 40])[0]
    return count


def bomb_check(z: zipfile.ZipFile) -> Optional[tuple[str, str]]:
    """Return ``(zh, en)`` when the central directory describes a zip bomb, else None."""
    infos = z.infolist()
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_SIZE and ratio > MAX_RATIO:
            return (f"疑似压缩炸弹：其中“{display_name(info.filename, info.flag_bits)}”解压后 {_mb(info.file_size)}，"
                    f"压缩比 {ratio:.0f}:1，未读取",
                    f"possible zip bomb: '{display_name(info.filename, info.flag_bits)}' inflates to "
                    f"{_mb(info.file_size)} ({ratio:.0f}:1), not read")
        if info.file_size > MAX_MEMBER_SIZE:
            return (f"压缩包中的文件“{display_name(info.filename, info.flag_bits)}”解压后 {_mb(info.file_size)}，"
                    f"超过 {_mb(MAX_MEMBER_SIZE)} 的上限（可能是压缩炸弹），未读取",
                    f"'{display_name(info.filename, info.flag_bits)}' inflates to {_mb(info.file_size)}, over the "
                    f"{_mb(MAX_MEMBER_SIZE)} limit (possible zip bomb), not read")
    if total > MAX_TOTAL_SIZE:
        return (f"疑似压缩炸弹：解压后共 {_mb(total)}，超过 {_mb(MAX_TOTAL_SIZE)} 的上限，未读取",
                f"possible zip bomb: {_mb(total)} uncompressed in all, over the {_mb(MAX_TOTAL_SIZE)} limit, not read")
    return None


def _mb(n: int) -> str:
    return f"{n / (1 << 30):.1f} GB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MB"


def survey(path: Path) -> tuple[list[Entry], Optional[tuple[str, str]]]:
    """Return the archive's entries (files only, archiver litter left out) and a problem with
    the whole archive (damaged, too many members, a zip bomb) as ``(zh, en)``, or None."""
    count = central_directory_count(path)
    if count is not None and count > MAX_MEMBERS:
        return [], (f"压缩包内文件过多（{count} 个，上限 {MAX_MEMBERS} 个），未读取，请解压后整理放入申报材料",
                    f"the archive holds too many entries ({count}, limit {MAX_MEMBERS}); not read, extract it into the package")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS:
                return [], (f"压缩包内文件过多（{len(infos)} 个，上限 {MAX_MEMBERS} 个），未读取，请解压后整理放入申报材料",
                            f"the archive holds too many entries ({len(infos)}, limit {MAX_MEMBERS}); not read")
            bomb = bomb_check(z)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        return [], (f"压缩包已损坏，无法打开（{e}）", f"the zip archive is damaged and cannot be opened: {e}")
    if bomb:
        return [], bomb
    entries = []
    for i, info in enumerate(infos):
        name = display_name(info.filename, info.flag_bits)
        if info.is_dir() or ignored(name):
            continue
        problem = None
        if unsafe(name):
            problem = ("压缩包中的文件名含有“../”或绝对路径，解压时会写到压缩包目录之外（疑似恶意文件），未读取",
                       "the name climbs out of the archive (../ or an absolute path); a path-traversal entry, not read")
        elif info.flag_bits & 0x1:
            problem = ("压缩包中的文件已加密（设置了解压密码），无法读取", "the archive member is encrypted (password-protected zip)")
        elif info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
            problem = (f"压缩包中的文件使用了不支持的压缩方式（{info.compress_type}），无法读取",
                       f"the member uses an unsupported compression method ({info.compress_type})")
        entries.append(Entry(name, info, i, problem))
    return entries, None


def members(path: Path, rel: str) -> tuple[list[tuple[Member, str]], list[tuple[str, str, str]]]:
    """Return the readable members as ``(Member, "rel!/name")`` and the entries not read as
    ``("rel!/name", zh, en)``. An archive with a problem of its own gives neither (its own
    Document carries the reason)."""
    entries, problem = survey(path)
    if problem:
        return [], []
    ok, bad = [], []
    seen: dict[str, int] = {}
    for e in entries:
        shown = f"{rel}{SEP}{e.name}"
        if shown in seen:  # the same name twice: keep both, numbered
            seen[shown] += 1
            shown = f"{shown} ({seen[shown]})"
        else:
            seen[shown] = 1
        if e.problem:
            bad.append((shown, *e.problem))
        else:
            ok.append((Member(Path(path), e.info.filename, e.index, e.info.file_size), shown))
    return ok, bad


def _open(member: Member, z: zipfile.ZipFile) -> tuple[zipfile.ZipInfo, "zipfile.ZipExtFile"]:
    infos = z.infolist()
    if member.index >= len(infos) or infos[member.index].filename != member.name:
        raise ArchiveError("压缩包在读取过程中发生了变化", "the archive changed while it was read")
    info = infos[member.index]
    if info.file_size > MAX_MEMBER_SIZE:
        raise ArchiveError(f"文件解压后超过 {_mb(MAX_MEMBER_SIZE)} 的上限，未读取", f"member over the {_mb(MAX_MEMBER_SIZE)} limit, not read")
    return info, z.open(info)


def _copy(member: Member, sink) -> int:
    """Stream the member's bytes into ``sink(chunk)``; return the byte count. Raises ArchiveError."""
    try:
        with zipfile.ZipFile(member.archive) as z:
            info, f = _open(member, z)
            n = 0
            with f:
                while True:
                    chunk = f.read(1 << 20)
                    if not chunk:
                        break
                    n += len(chunk)
                    if n > MAX_MEMBER_SIZE:  # zipfile stops at the stated size; belt and braces
                        raise ArchiveError("文件解压后超过上限，未读取", "member inflates past the limit, not read")
                    sink(chunk)
            return n
    except ArchiveError:
        raise
    except RuntimeError as e:  # zipfile: "File is encrypted, password required"
        raise ArchiveError("压缩包中的文件已加密，无法读取", f"the archive member is encrypted: {e}") from e
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, __import__("zlib").error) as e:
        raise ArchiveError(f"压缩包中的文件已损坏，无法解压（{e}）", f"the archive member is damaged: {e}") from e


def member_sha256(member: Member) -> str:
    """Return the hex sha256 of a member's bytes (for the content-addressed cache)."""
    h = hashlib.sha256()
    _copy(member, h.update)
    return h.hexdigest()


def copy_to(member: Member, folder: Path) -> Path:
    """Write the member's bytes into ``folder`` under a generated name (never the stored one)
    and return the path. Raises ArchiveError."""
    target = Path(folder) / f"member{member.suffix}"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        _copy(member, out.write)
    return target


@contextlib.contextmanager
def private_dir() -> Iterator[Path]:
    """Yield a private temporary directory (mode 0700) that is removed on exit, errors included."""
    with tempfile.TemporaryDirectory(prefix="shenbao-member-") as tmp:
        yield Path(tmp)


@contextlib.contextmanager
def materialised(member: Member) -> Iterator[Path]:
    """Yield a temporary path holding the member's bytes, in a private directory that is removed
    on exit (also on errors and timeouts). The file name is generated, never the stored name."""
    with private_dir() as tmp:
        yield copy_to(member, tmp)
