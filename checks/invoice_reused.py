from __future__ import annotations

import re
from collections import defaultdict

from shenbao.check import Check
from shenbao.model import Finding

_CODE = re.compile(r"\d{10,12}")
_NUMBER = re.compile(r"\d{8}")
_DIGITAL = re.compile(r"\d{20}")
# An invoice number read by OCR below this confidence may be a misread: a match is shown as
# uncertain (a warning to look at), not an error.
SURE = 0.9


def _sure(source: str, confidence: float) -> bool:
    return source != "ocr" or confidence >= SURE


class InvoiceReused(Check):
    """检查内容：同一张发票（发票代码 + 发票号码，或 20 位全电发票号码）是否出现在本批次的两个或多个申报包中。
    由 `shenbao batch` 跨申报包检查；`shenbao check` 只看一个申报包，不运行本规则。

    为何重要：一张发票只能证明一笔投入。同一发票出现在两个申报包中，要么是同一企业重复申报、重复享受补助，
    要么有一方的材料不真实；通知要求付款凭证、发票不得重复提供。

    如何修复：核对两个申报包中的该发票原件与记账凭证，撤下不属于本项目的发票，并重新核算投资额。
    """

    rule = "invoice-reused"
    title = "发票在多个申报包中重复使用"
    title_en = "Invoice used in more than one package"
    severity = "error"
    scope = "batch"
    doc_en = """What it checks: the same invoice (发票代码 + 发票号码, or the 20-digit number of a fully
digital invoice) appearing in two or more packages of one batch. It is judged across packages by
`shenbao batch`; `shenbao check` sees one package and does not run it.

Why: one invoice proves one expense. The same invoice in two packages is either one enterprise
claiming twice or material that is not genuine; the notices forbid supplying the same invoices and
payment proofs twice.

How to fix: compare the original invoice and its bookkeeping voucher in both packages, remove the
invoice that does not belong to this project and recompute the investment."""

    def collect(self, ctx, params):
        """Each invoice identity of the package, once: ``{key, label, path, page, sure}``. An invoice
        page gives 代码 + 号码 (or a 20-digit number); a list row only a 20-digit number (an 8-digit
        号码 without its 代码 is not unique)."""
        found: dict[str, dict] = {}

        def add(key: str, label: str, path, page, source, confidence) -> None:
            entry = {"key": key, "label": label, "path": path, "page": page, "sure": _sure(source, confidence)}
            old = found.get(key)
            if old is None or (entry["sure"] and not old["sure"]):
                found[key] = entry

        codes = {(f.path, f.page): f for f in ctx.facts_of("invoice_code") if isinstance(f.value, str)}
        for f in ctx.facts_of("invoice_number"):
            number = str(f.value or "")
            if _DIGITAL.fullmatch(number):
                add(number, f"全电发票号码 {number}", f.path, f.page, f.source, f.confidence)
                continue
            code = codes.get((f.path, f.page))
            if code is not None and _NUMBER.fullmatch(number) and _CODE.fullmatch(str(code.value)):
                conf = min(f.confidence, code.confidence)
                src = "ocr" if "ocr" in (f.source, code.source) else f.source
                add(f"{code.value}-{number}", f"发票代码 {code.value} 号码 {number}", f.path, f.page, src, conf)
        for f in ctx.facts_of("invoice_row"):
            number = str(getattr(f.value, "number", "") or "")
            if _DIGITAL.fullmatch(number):
                add(number, f"全电发票号码 {number}", f.path, f.page, f.source, f.confidence)
        return sorted(found.values(), key=lambda e: e["key"])

    def judge(self, items):
        where: dict[str, list[tuple[str, dict]]] = defaultdict(list)
        for item in items:
            for entry in item.data or []:
                where[entry["key"]].append((item.package, entry))
        by_package = {i.package: i for i in items}
        for key in sorted(where):
            hits = where[key]
            packages = sorted({p for p, _ in hits})
            if len(packages) < 2:
                continue
            for package, entry in hits:
                others = [p for p in packages if p != package]
                params = by_package[package].params
                sure = entry["sure"] and all(e["sure"] for p, e in hits if p != package)
                label = entry["label"]
                label_en = label.replace("全电发票号码", "digital invoice").replace("发票代码", "code").replace("号码", "number")
                zh_others, en_others = "、".join(others), ", ".join(others)
                if sure:
                    msg = f"{label} 同时出现在申报包 {zh_others} 中：同一张发票不得重复提供。"
                    msg_en = f"{label_en} also appears in package {en_others}: one invoice may not be supplied twice."
                else:
                    msg = (f"{label} 似乎也出现在申报包 {zh_others} 中，但其中有识别结果置信度不高，"
                           f"可能是识别误差，请人工核对两处发票原件。")
                    msg_en = (f"{label_en} seems to appear in package {en_others} too, but one reading is OCR of "
                              f"low confidence; compare both original invoices by eye.")
                sev = params.get("severity") or self.severity
                yield package, Finding(
                    rule=self.rule, severity="warning" if not sure and sev == "error" else sev,
                    message=msg, message_en=msg_en, path=entry.get("path"), page=entry.get("page"),
                    evidence=f"{key} ↔ {en_others}", uncertain=not sure,
                    fix="核对两个申报包中的该发票原件与记账凭证，撤下不属于本项目的发票并重新核算投资额。",
                    fix_en="Check the original invoice and voucher in both packages; remove the one that does "
                           "not belong to this project and recompute the investment.",
                    basis=params.get("basis") or None)
