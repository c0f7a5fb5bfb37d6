from __future__ import annotations

from shenbao.check import Check


class FileUnreadable(Check):
    """检查内容：包中每个文件能否打开读取：损坏、截断、加密的文件，以及暂不支持的格式
    （.doc/.docx/.xls/.et/.ofd/.zip/.rar 等）。

    为何重要：评审人员打不开的文件等于没有提交；加密或损坏的 PDF 会导致整份材料被退回。

    如何修复：重新导出或扫描该文件为未加密的 PDF（或 JPG/PNG 图片、xlsx 表格）后替换。
    """

    rule = "file-unreadable"
    title = "文件无法读取"
    title_en = "File cannot be read"
    severity = "error"
    doc_en = """What it checks: every file in the package can be opened: corrupt, truncated and
encrypted files, and formats not read yet (.doc/.docx/.xls/.et/.ofd/.zip/.rar ...).

Why: a file the reviewer cannot open counts as not submitted.

How to fix: export or scan it again as an unencrypted PDF (or JPG/PNG, xlsx) and replace it."""

    def run(self, ctx, params):
        for doc in sorted(ctx.documents.values(), key=lambda d: d.path):
            if doc.kind == "unreadable":
                yield ctx.finding(
                    self, params,
                    f"文件无法读取：{doc.error or '未知原因'}",
                    f"File cannot be read: {doc.error_en or doc.error or 'unknown reason'}",
                    path=doc.path,
                    fix="重新导出或扫描为未加密的 PDF 后替换该文件。",
                    fix_en="Export or scan it again as an unencrypted PDF and replace the file.",
                )
            elif doc.kind == "unsupported":
                yield ctx.finding(
                    self, params,
                    f"暂不读取此格式：{doc.error or doc.format}",
                    f"Format not read yet: {doc.error_en or doc.format}",
                    path=doc.path, severity="warning",
                    fix="另存为 PDF（文档）或 xlsx（表格）后放入申报材料，否则本工具无法检查其内容。",
                    fix_en="Save it as PDF (documents) or xlsx (tables); otherwise its content is not checked.",
                )
