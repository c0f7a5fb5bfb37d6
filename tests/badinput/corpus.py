"""The bad-input corpus: one package per case, each a valid 营业执照 plus the bad input.

Every case states, per file, what the report must say: its status in ``files`` and the
``file-unreadable`` finding (severity and words of the reason in Chinese and English), or that
there is none. The licence must be classified in every case: the rest of the package is checked.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import make

GOOD = "营业执照.pdf"


@dataclass(frozen=True)
class Expect:
    path: str  # as in the report (package-relative, archive members as "a.zip!/b.pdf")
    status: str  # files[].status: unreadable | unsupported | classified | unrecognised
    severity: Optional[str]  # severity of its file-unreadable finding; None: there must be none
    zh: str = ""  # words of the Chinese reason
    en: str = ""  # words of the English reason


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path, Path], None]  # (package dir, a scratch dir outside the package)
    expect: tuple[Expect, ...]
    extra_args: tuple[str, ...] = ()
    needs: str = ""  # "symlink" | "bytes-names" | "" : a platform feature the case needs
    slow: bool = False  # run once (no jobs-2 / warm-cache repeats)
    only_listed: bool = True  # every file in the report is in ``expect`` (or the good licence)
    notes: str = ""


def _w(pkg: Path, rel: str, data: bytes) -> None:
    make.write(pkg / rel, data)


def _zero(pkg, out):
    _w(pkg, "新建文件夹/附件3.pdf", b"")


def _truncated(pkg, out):
    data = make.text_pdf([make.AUDIT_LINES] * 3)
    _w(pkg, "审计报告(1).pdf", data[: len(data) * 2 // 5])


def _truncated_tail(pkg, out):
    data = make.text_pdf([make.AUDIT_LINES] * 3)
    _w(pkg, "审计报告(2).pdf", data[: len(data) - 20])  # only startxref/%%EOF are cut: readers recover


def _broken_xref(pkg, out):
    _w(pkg, "补充材料.pdf", make.broken_xref_pdf())


def _encrypted_user(pkg, out):
    _w(pkg, "附件-加密.pdf", make.text_pdf([make.AUDIT_LINES], encrypt="smx2025"))


def _encrypted_owner(pkg, out):
    from reportlab.lib import pdfencrypt

    enc = pdfencrypt.StandardEncryption("", ownerPassword="owner-secret", canPrint=0, canModify=0, canCopy=0)
    _w(pkg, "审计报告.pdf", make.text_pdf([make.AUDIT_LINES], encrypt=enc))


def _deep(pkg, out):
    _w(pkg, "深层嵌套.pdf", make.deep_pdf())


def _loop(pkg, out):
    _w(pkg, "循环引用.pdf", make.loop_pdf())


def _zero_pages(pkg, out):
    _w(pkg, "空白.pdf", make.zero_page_pdf())


def _thousand_pages(pkg, out):
    _w(pkg, "生产记录.pdf", make.many_pages_pdf(1000))


def _png_bomb(pkg, out):
    _w(pkg, "现场照片.png", make.png_claiming(50_000, 50_000))


def _jpeg_bomb(pkg, out):
    _w(pkg, "现场照片.jpg", make.jpeg_claiming(50_000, 50_000))


def _wrong_extension(pkg, out):
    _w(pkg, "设备照片.pdf", make.small_image("PNG"))
    _w(pkg, "车间照片.png", make.small_image("JPEG"))
    _w(pkg, "营业执照副本.jpg", make.text_pdf([make.LICENCE_LINES]))


def _xlsx_bomb(pkg, out):
    _w(pkg, "发票清单.xlsx", make.xlsx_bomb(1.0))


def _xlsx_entities(pkg, out):
    _w(pkg, "发票清单.xlsx", make.xlsx_with_entities())


def _xlsx_external(pkg, out):
    _w(pkg, "投资明细.xlsx", make.xlsx_with_external_link())


def _xlsx_encrypted(pkg, out):
    _w(pkg, "财务报表.xlsx", make.encrypted_xlsx())


def _xlsx_huge(pkg, out):
    _w(pkg, "全表.xlsx", make.xlsx_huge_sheet())


def _office_formats(pkg, out):
    _w(pkg, "财务报表.xls", make.xls_bytes())
    _w(pkg, "设备清单.et", make.xls_bytes())
    _w(pkg, "承诺书.docx", make.docx_bytes())
    _w(pkg, "电子发票.ofd", make.ofd_bytes())
    _w(pkg, "全部材料.rar", make.rar_bytes())


ZIP = "申报材料.zip"


def _zip(pkg, out):
    z = make.RawZip()
    # GBK names without the UTF-8 flag (what Windows' 发送到压缩文件夹 writes)
    z.add("审计报告/2024年度审计报告.pdf".encode("gbk"), make.text_pdf([make.AUDIT_LINES]))
    z.add("审计报告/".encode("gbk"), b"", deflate=False)
    z.add("说明.txt", "本压缩包含审计报告。".encode("utf-8"))  # a UTF-8 name with the flag set
    z.add("../../../tmp/evil.sh", b"#!/bin/sh\necho pwned\n")  # traversal
    z.add("..\\..\\Windows\\evil.bat", b"echo pwned\r\n")
    z.add("/etc/cron.d/evil", b"* * * * * root true\n")  # absolute
    z.add("内层.zip", make.RawZip().add("a.pdf", make.text_pdf([["inner"]], chinese=False)).bytes())
    z.add("加密.pdf", b"\0" * 64, flags=0x1)  # encrypted member (flag bit 0)
    z.add("__MACOSX/._说明.txt", b"\0\5\26\7")
    _w(pkg, ZIP, z.bytes())


def _zip_bomb(pkg, out):
    _w(pkg, "发票.zip", make.zip_bomb(1.0))


def _zip_damaged(pkg, out):
    data = make.RawZip().add("a.pdf", make.text_pdf([["a"]], chinese=False)).bytes()
    _w(pkg, "附件.zip", data[: len(data) // 2])


def _symlinks(pkg, out):
    (out / "secret.txt").write_text("outside the package")
    (out / "外部文件夹").mkdir(exist_ok=True)
    (out / "外部文件夹" / "x.pdf").write_bytes(make.text_pdf([["outside"]], chinese=False))
    os.symlink("..", pkg / "上级目录")  # loops back to the package's parent: outside
    os.symlink(".", pkg / "循环")  # a folder link to itself
    (pkg / "子目录").mkdir()
    os.symlink("..", pkg / "子目录" / "回到上层")  # loop to the package root
    os.symlink("b.pdf", pkg / "a.pdf")  # a file link loop
    os.symlink("a.pdf", pkg / "b.pdf")
    os.symlink(str(out / "secret.txt"), pkg / "外部文件.pdf")
    os.symlink(str(out / "外部文件夹"), pkg / "外部链接文件夹")
    os.symlink("不存在.pdf", pkg / "断开的链接.pdf")
    os.symlink(GOOD, pkg / "营业执照-快捷方式.pdf")  # inside: read


def _no_permission(pkg, out):
    _w(pkg, "无权限.pdf", make.text_pdf([make.AUDIT_LINES]))
    (pkg / "无权限.pdf").chmod(0)
    (pkg / "锁定文件夹").mkdir()
    _w(pkg, "锁定文件夹/a.pdf", make.text_pdf([["locked"]], chinese=False))
    (pkg / "锁定文件夹").chmod(0)


GBK_FILE = "审计报告.pdf".encode("gbk")
GBK_DIR = "附件".encode("gbk")


def _bytes_names(pkg, out):
    root = os.fsencode(pkg)
    os.makedirs(root + b"/" + GBK_DIR)
    with open(root + b"/" + GBK_DIR + b"/" + GBK_FILE, "wb") as f:
        f.write(make.text_pdf([make.AUDIT_LINES]))
    with open(root + b"/\xff\xfe-bad.txt", "wb") as f:
        f.write(b"not utf-8 name")


def _display(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape").encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


MANY = 10_000


def _many(pkg, out):
    d = pkg / "微信图片"
    d.mkdir()
    png = make.small_image("PNG", size=(8, 8))
    for i in range(MANY):
        if i % 100 == 0:
            (d / f"IMG_{i:05d}.png").write_bytes(png)
        else:
            (d / f"note_{i:05d}.txt").write_bytes(b"%d\n" % i)


def _special_files(pkg, out):
    os.mkfifo(pkg / "管道")
    (pkg / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (pkg / "~$营业执照.docx").write_bytes(b"\0" * 162)


E = Expect
UNREADABLE, UNSUPPORTED = "unreadable", "unsupported"


CASES: list[Case] = [
    Case("zero-byte", _zero, (E("新建文件夹/附件3.pdf", UNREADABLE, "error", "0 字节", "empty"),)),
    Case("truncated-pdf", _truncated, (E("审计报告(1).pdf", UNREADABLE, "error", "损坏", "damaged"),)),
    Case("truncated-pdf-tail", _truncated_tail, (E("审计报告(2).pdf", "classified", "warning", "不完整", "truncated"),)),
    Case("broken-xref", _broken_xref, (E("补充材料.pdf", "unrecognised", "warning", "交叉引用表", "cross-reference"),)),
    Case("encrypted-user-password", _encrypted_user, (E("附件-加密.pdf", UNREADABLE, "error", "加密", "encrypted"),)),
    Case("encrypted-owner-password", _encrypted_owner, (E("审计报告.pdf", "classified", "info", "权限密码", "permissions password"),)),
    Case("deep-nesting", _deep, (E("深层嵌套.pdf", None, None),), only_listed=True),
    Case("object-loops", _loop, (E("循环引用.pdf", None, None),)),
    Case("zero-pages", _zero_pages, (E("空白.pdf", UNREADABLE, "error", "没有任何页面", "no pages"),)),
    Case("thousand-pages", _thousand_pages, (E("生产记录.pdf", "unrecognised", None),), slow=True),
    Case("thousand-pages-over-limit", _thousand_pages,
         (E("生产记录.pdf", "unrecognised", "warning", "只读取了前 500 页", "first 500 of 1000"),),
         extra_args=("--max-pages", "500"), slow=True),
    Case("png-bomb", _png_bomb, (E("现场照片.png", UNREADABLE, "error", "像素过大", "decompression bomb"),)),
    Case("jpeg-bomb", _jpeg_bomb, (E("现场照片.jpg", UNREADABLE, "error", "像素过大", "decompression bomb"),)),
    Case("wrong-extension", _wrong_extension, (
        E("设备照片.pdf", "unrecognised", None), E("车间照片.png", "unrecognised", None),
        E("营业执照副本.jpg", "classified", None))),
    Case("xlsx-zip-bomb", _xlsx_bomb, (E("发票清单.xlsx", UNREADABLE, "error", "压缩炸弹", "zip bomb"),)),
    Case("xlsx-entity-expansion", _xlsx_entities, (E("发票清单.xlsx", UNREADABLE, "error", "XML 实体", "XML entity"),)),
    Case("xlsx-external-link", _xlsx_external, (E("投资明细.xlsx", None, "warning", "外部链接", "external link"),)),
    Case("xlsx-whole-grid", _xlsx_huge, (E("全表.xlsx", "", "warning", "工作表过大", "were cut"),)),
    Case("xlsx-password", _xlsx_encrypted, (E("财务报表.xlsx", UNREADABLE, "error", "加密", "encrypted"),)),
    Case("office-and-archives", _office_formats, (
        E("财务报表.xls", UNSUPPORTED, "warning", ".xls", ".xls"),
        E("设备清单.et", UNSUPPORTED, "warning", ".et", ".et"),
        E("承诺书.docx", UNSUPPORTED, "warning", ".docx", ".docx"),
        E("电子发票.ofd", UNREADABLE, "error", "没有任何页面", "no pages"),  # OFD is read: this one has no pages
        E("全部材料.rar", UNSUPPORTED, "warning", "请解压", "extract"))),
    Case("zip-in-package", _zip, (
        E(ZIP, UNSUPPORTED, "warning", "请解压", "extract"),
        E(f"{ZIP}!/审计报告/2024年度审计报告.pdf", "classified", None),
        E(f"{ZIP}!/说明.txt", UNSUPPORTED, "warning", "纯文本", "plain text"),
        E(f"{ZIP}!/../../../tmp/evil.sh", UNREADABLE, "error", "路径", "path"),
        E(f"{ZIP}!/..\\..\\Windows\\evil.bat", UNREADABLE, "error", "路径", "path"),
        E(f"{ZIP}!//etc/cron.d/evil", UNREADABLE, "error", "路径", "path"),
        E(f"{ZIP}!/内层.zip", UNSUPPORTED, "warning", "请解压", "extract"),
        E(f"{ZIP}!/加密.pdf", UNREADABLE, "error", "加密", "encrypted"))),
    Case("zip-bomb", _zip_bomb, (E("发票.zip", UNREADABLE, "error", "压缩炸弹", "zip bomb"),)),
    Case("zip-damaged", _zip_damaged, (E("附件.zip", UNREADABLE, "error", "损坏", "damaged"),)),
    Case("symlinks", _symlinks, (
        E("上级目录", UNREADABLE, "error", "之外", "outside"),
        E("循环", UNREADABLE, "error", "循环", "loop"),
        E("子目录/回到上层", UNREADABLE, "error", "循环", "loop"),
        E("a.pdf", UNREADABLE, "error", "循环", "loop"),
        E("b.pdf", UNREADABLE, "error", "循环", "loop"),
        E("外部文件.pdf", UNREADABLE, "error", "之外", "outside"),
        E("外部链接文件夹", UNREADABLE, "error", "之外", "outside"),
        E("断开的链接.pdf", UNREADABLE, "error", "不存在", "broken link"),
        E("营业执照-快捷方式.pdf", "classified", None)), needs="symlink"),
    Case("no-permission", _no_permission, (
        E("无权限.pdf", UNREADABLE, "error", "没有读取权限", "permission denied"),
        E("锁定文件夹", UNREADABLE, "error", "没有读取权限", "permission denied")), needs="unprivileged"),
    Case("non-utf8-names", _bytes_names, (
        E(_display(GBK_DIR + b"/" + GBK_FILE), "classified", "warning", "按 GBK 解读为“附件/审计报告.pdf”", "not valid UTF-8"),
        E(_display(b"\xff\xfe-bad.txt"), UNSUPPORTED, "warning", "纯文本", "plain text")), needs="bytes-names"),
    Case("ten-thousand-files", _many, (), slow=True, only_listed=False),
    Case("special-files", _special_files, (E("管道", UNREADABLE, "error", "不是普通文件", "not a regular file"),)),
]

BY_NAME = {c.name: c for c in CASES}


def build(case: Case, pkg: Path, outside: Path) -> None:
    """Write the case's package: the good licence plus the bad input."""
    pkg.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    make.write(pkg / GOOD, licence_pdf())
    case.build(pkg, outside)


_LICENCE: dict = {}


def licence_pdf() -> bytes:
    if "pdf" not in _LICENCE:
        _LICENCE["pdf"] = make.text_pdf([make.LICENCE_LINES])
    return _LICENCE["pdf"]


def remove_tree(path: Path) -> None:
    """Remove a corpus package, restoring permissions first."""
    for dirpath, dirnames, filenames in os.walk(path):
        for n in dirnames:
            p = os.path.join(dirpath, n)
            if not os.path.islink(p):
                os.chmod(p, 0o755)
    shutil.rmtree(path, ignore_errors=True)
