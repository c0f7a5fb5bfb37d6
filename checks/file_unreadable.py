from __future__ import annotations

import re

from shenbao.check import Check
from shenbao.extract.plugin import INFO_NOTES

_ESCAPED = re.compile(r"\\x([0-9a-f]{2})")


def name_bytes(shown: str) -> bytes:
    """Return the bytes of a file name shown with ``\\xNN`` escapes (see ``discover.display_name``)."""
    out, pos = bytearray(), 0
    for m in _ESCAPED.finditer(shown):
        out += shown[pos:m.start()].encode("utf-8")
        out.append(int(m.group(1), 16))
        pos = m.end()
    return bytes(out + shown[pos:].encode("utf-8"))


def gbk_guess(shown: str) -> str | None:
    """Return the name decoded as GBK when it was shown with undecodable bytes, else None."""
    if not _ESCAPED.search(shown):
        return None
    try:
        return name_bytes(shown).decode("gb18030")
    except UnicodeDecodeError:
        return None


class FileUnreadable(Check):
    """检查内容：包中每个文件能否打开读取：损坏、截断、加密的文件，疑似恶意构造的文件（压缩炸弹、
    像素炸弹、XML 实体扩展、路径跳转），指向材料文件夹之外或形成循环的链接，没有读取权限的文件，
    以及暂不支持的格式（.doc/.docx/.xls/.et/.rar 等）。只读取了一部分（页数超限）或读取时发现
    问题（交叉引用表损坏、外部链接、文件名不是 UTF-8 编码）的文件给出警告；设有权限密码（无需密码即可
打开）的 PDF 给出提示。因整体读取时限（--time-budget）用完而未读取的页面，每个文件给出一条
不确定的警告，列出这些页面。压缩包（.zip）中的文件会逐个检查，
    同时提示解压后提交。

    为何重要：评审人员打不开的文件等于没有提交；加密或损坏的 PDF 会导致整份材料被退回。

    如何修复：重新导出或扫描该文件为未加密的 PDF（或 JPG/PNG 图片、xlsx 表格）后替换。
    """

    rule = "file-unreadable"
    title = "文件无法读取"
    title_en = "File cannot be read"
    severity = "error"
    doc_en = """What it checks: every file in the package can be opened: corrupt, truncated and
encrypted files, files built to do harm (zip bombs, pixel bombs, XML entity expansion, path
traversal), links out of the package or in loops, files without read permission, and formats not
read yet (.doc/.docx/.xls/.et/.rar ...). Files read only in part (page limit) or with a
problem a reviewer will hit (repaired cross-reference table, external links, a file name that is
not UTF-8) are warnings; a PDF with only a permissions password (it opens without one) is a note.
Pages left unread because the run's time budget (--time-budget) ran out give one uncertain warning
per file, naming them. The files inside a .zip are checked one by one, with a warning to extract it.

Why: a file the reviewer cannot open counts as not submitted.

How to fix: export or scan it again as an unencrypted PDF (or JPG/PNG, xlsx) and replace it."""

    def run(self, ctx, params):
        docs = sorted(ctx.documents.values(), key=lambda d: d.path)
        for doc in docs:
            if _ESCAPED.search(doc.path):
                guess = gbk_guess(doc.path)
                yield ctx.finding(
                    self, params,
                    "文件名不是 UTF-8 编码" + (f"（按 GBK 解读为“{guess}”）" if guess else "")
                    + "，上传到申报系统或在其他电脑上打开时可能显示为乱码",
                    "The file name is not valid UTF-8" + (f" (as GBK: '{guess}')" if guess else "")
                    + "; portals and other computers may show it garbled",
                    path=doc.path, severity="warning",
                    fix="用中文系统重新命名该文件（或用支持 GBK 文件名的工具重新解压）。",
                    fix_en="Rename the file (or extract the archive again with a tool that handles GBK names).",
                )
            if getattr(doc, "unread_pages", None):
                yield self._not_read(ctx, params, doc)
            if doc.kind == "unreadable":
                yield ctx.finding(
                    self, params,
                    f"文件无法读取：{doc.error or '未知原因'}",
                    f"File cannot be read: {doc.error_en or doc.error or 'unknown reason'}",
                    path=doc.path,
                    fix="重新导出或扫描为未加密的 PDF 后替换该文件。",
                    fix_en="Export or scan it again as an unencrypted PDF and replace the file.",
                )
            elif doc.kind == "unsupported" and doc.format == "zip":
                yield self._archive(ctx, params, doc, docs)
            elif doc.kind == "unsupported":
                yield ctx.finding(
                    self, params,
                    f"暂不读取此格式：{doc.error or doc.format}",
                    f"Format not read yet: {doc.error_en or doc.format}",
                    path=doc.path, severity="warning",
                    fix="另存为 PDF（文档）或 xlsx（表格）后放入申报材料，否则本工具无法检查其内容。",
                    fix_en="Save it as PDF (documents) or xlsx (tables); otherwise its content is not checked.",
                )
            elif doc.error and all(n in INFO_NOTES for n in doc.error.split("；")):
                yield ctx.finding(
                    self, params, f"提示：{doc.error}", f"Note: {doc.error_en or doc.error}",
                    path=doc.path, severity="info",
                    fix="一般无需处理；如申报系统拒收，请向出具单位索取未加密的版本。",
                    fix_en="Usually nothing to do; if the portal rejects it, ask the issuer for an unencrypted copy.",
                )
            elif doc.error:  # read, but not all of it, or with something a reviewer will trip over
                yield ctx.finding(
                    self, params,
                    f"文件读取不完整或存在问题：{doc.error}",
                    f"File read with problems: {doc.error_en or doc.error}",
                    path=doc.path, severity="warning",
                    fix="按提示重新导出或拆分该文件后替换。",
                    fix_en="Export the file again (or split it) as the message says and replace it.",
                )

    def _not_read(self, ctx, params, doc):
        """One uncertain warning for the pages the time budget (--time-budget) left unread."""
        runs: list[list[int]] = []
        for n in sorted(set(doc.unread_pages)):
            if runs and n == runs[-1][1] + 1:
                runs[-1][1] = n
            else:
                runs.append([n, n])
        label = "、".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)
        label_en = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)
        return ctx.finding(
            self, params,
            f"第 {label} 页未在时限内读取（整体读取时限已用完），这些页面上的内容未检查，"
            f"相关材料的缺失或问题可能未被发现",
            f"Page{'s' if len(doc.unread_pages) > 1 else ''} {label_en} not read in time (the run's time budget ran "
            f"out); what is on them was not checked",
            path=doc.path, page=None, severity="warning", uncertain=True,
            evidence=f"已读取 {len(doc.pages) - len(doc.unread_pages)} / {len(doc.pages)} 页",
            fix="用更长的时限重新检查：--time-budget 秒数（0 为不限时），或在 shenbao.toml 中设置 time_budget；"
                "也可用 --jobs 增加并行进程。",
            fix_en="Check again with a longer budget: --time-budget SECONDS (0 = none), or time_budget in "
                   "shenbao.toml; --jobs adds worker processes.",
        )

    def _archive(self, ctx, params, doc, docs):
        prefix = doc.path + "!/"
        inside = [d for d in docs if d.path.startswith(prefix)]
        if inside:
            zh = (f"压缩包：其中 {len(inside)} 个文件已逐个检查（见“{prefix}…”），但申报系统一般不接受压缩包，"
                  f"请解压后放入申报材料")
            en = (f"Zip archive: its {len(inside)} files were checked one by one (see '{prefix}...'), but portals "
                  f"do not accept archives; extract it into the package")
        elif "!/" in doc.path:
            zh = "压缩包中又有压缩包，未展开检查，请解压后放入申报材料"
            en = "An archive inside an archive is not opened; extract it into the package"
        else:
            zh = f"压缩包：{doc.error or '空压缩包'}"
            en = f"Zip archive: {doc.error_en or 'empty archive'}"
        return ctx.finding(self, params, zh, en, path=doc.path, severity="warning",
                           fix="解压压缩包，把其中的文件直接放入申报材料文件夹。",
                           fix_en="Extract the archive and put its files into the package folder.")
