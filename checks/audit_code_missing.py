from __future__ import annotations

from shenbao.check import Check


class AuditCodeMissing(Check):
    """检查内容：要求“附验证码”的审计报告上，能否找到报告验证码、防伪编码、报备编号或
    “鉴证业务防伪标识”等可供查验的编码，或可识读的防伪二维码。

    为何重要：通知要求 2024 年度审计报告“附验证码”，没有验证码的报告无法在注册会计师协会系统中核验真伪。

    如何修复：向会计师事务所索取带验证码（或防伪二维码、报备编号）的报告页，一并装订提交。
    """

    rule = "audit-code-missing"
    title = "审计报告缺少验证码"
    title_en = "Audit report lacks its verification code"
    severity = "error"
    doc_en = """What it checks: an audit report that must carry a verification code shows a 报告
验证码, 防伪编码, 报备编号 or 鉴证业务防伪标识, or a QR code that decodes.

Why: without it the report cannot be verified with the CPA association.

How to fix: ask the audit firm for the report page with its verification code or QR, and include it."""

    def run(self, ctx, params):
        for m in ctx.program.materials:
            if m.kind != "audit_report" or not m.requirements.get("verification_code"):
                continue
            for seg in ctx.segments_of(m.id):
                codes = [f for f in ctx.facts_of("verification_code", material=m.id) if f.path == seg.path]
                if codes:
                    continue
                doc = ctx.documents[seg.path]
                pages = [p for p in doc.pages if seg.first_page <= p.number <= seg.last_page]
                if any(p.codes for p in pages):
                    continue  # a decodable QR code (防伪二维码) is the code
                unread = [(p, b) for p in pages for b in p.unread_codes]
                if unread:
                    # a QR symbol is there but could not be read: the code may well be fine
                    p, box = unread[0]
                    yield ctx.finding(
                        self, params,
                        f"审计报告第 {p.number} 页有二维码图案，但无法识读，未能确认其为报告验证码"
                        "（扫描过糊、二维码过小或被印章遮挡）；请人工核对。",
                        f"There is a QR symbol on page {p.number} of the audit report, but it cannot be read, so it "
                        "could not be confirmed as the verification code (blurred scan, code too small, or a seal "
                        "over it); check by eye.",
                        path=seg.path, page=p.number, bbox=box, material=m.id, uncertain=True,
                        fix="换用更清晰的扫描件（300 dpi），或在报告中标明报告验证码/防伪编码文字。",
                        fix_en="Scan the page more clearly (300 dpi), or include the printed verification code.",
                    )
                    continue
                ocr_pages = [p for p in pages if p.source == "ocr"]
                weak = [p for p in ocr_pages if p.confidence < 0.85]
                unsure = bool(weak)
                msg = "审计报告中未找到报告验证码、防伪编码、报备编号或防伪二维码。"
                msg_en = "No verification code, anti-counterfeit number, filing number or QR code was found in the audit report."
                if unsure:
                    msg += f"（报告为扫描件，部分页面识别置信度较低，请人工确认）"
                    msg_en += " (scanned report with low OCR confidence on some pages; check by eye)"
                yield ctx.finding(
                    self, params, msg, msg_en, path=seg.path, page=seg.first_page or None, material=m.id,
                    uncertain=unsure, confidence=min((p.confidence for p in weak), default=None),
                    fix="向会计师事务所索取带验证码（或防伪二维码、报备编号）的审计报告并替换。",
                    fix_en="Get the audit report with its verification code (or QR / filing number) from the audit firm.",
                )
