from __future__ import annotations

import re

from shenbao.check import Check

from ._visual import SIGNATURE_SURE, looked_at, segment_pages

# Which signature labels serve which role a pack names under ``requirements.signature``.
ROLE_LABELS = {
    "legal_representative": re.compile(r"法\s*定\s*代\s*表\s*人|法\s*人\s*代\s*表|法\s*人|单\s*位\s*负\s*责\s*人"),
    "cpa": re.compile(r"注\s*册\s*会\s*计\s*师"),
}
ROLE_ZH = {"legal_representative": "法定代表人", "cpa": "注册会计师"}
ROLE_EN = {"legal_representative": "legal representative", "cpa": "certified public accountant"}
# County review signatures, required only with --stage county.
COUNTY_SIGNERS = re.compile(r"审\s*核\s*人|核\s*实\s*人")


class SignatureMissing(Check):
    """检查内容：要求签字的材料（申报真实性声明的法定代表人签字、审计报告的注册会计师签字等）在
    签字栏（“法定代表人（签字）”“中国注册会计师：”等字样的右侧或下方）是否有手写笔迹。打印的姓名、
    只盖了章而没有签字，都不算签字。`--stage county` 时还检查县级“审核人”“现场核实人”的签字。

    为何重要：声明须由“单位法人签字”，审计报告须有注册会计师签名；未签字的声明不具效力，材料会被退回。

    如何修复：由本人在签字栏手写签名（声明要求黑色签字笔）后重新扫描。
    """

    rule = "signature-missing"
    title = "缺少签字"
    title_en = "Signature missing"
    severity = "error"
    doc_en = """What it checks: materials that must be signed (the legal representative on the
declaration, the CPAs on the audit report ...) carry handwriting in the signature field, right of or
below a label such as 法定代表人（签字） or 中国注册会计师：. A typed name or a seal alone is not a
signature. With `--stage county` the county 审核人 / 现场核实人 fields must be signed too.

Why: an unsigned declaration has no force; an audit report needs its CPAs' signatures. Both are
sent back.

How to fix: have the person sign by hand in the field (black pen for the declaration) and scan again."""

    def run(self, ctx, params):
        for m in ctx.program.materials:
            role = m.requirements.get("signature")
            county = ctx.stage == "county" and any(COUNTY_SIGNERS.search(b) for b in m.requirements.get("county_blocks", []))
            if not role and not county:
                continue
            for seg in ctx.segments_of(m.id):
                pages = looked_at(segment_pages(ctx, seg))
                if not pages:
                    continue
                if role:
                    yield from self._role(ctx, params, m, seg, pages, role)
                if county:
                    yield from self._fields(ctx, params, m, seg, pages, COUNTY_SIGNERS, "县级审核人员", "county reviewer")

    def _role(self, ctx, params, m, seg, pages, role):
        pattern = ROLE_LABELS.get(role)
        fields = [(p, f) for p in pages for f in p.signatures if pattern is None or pattern.search(f.label)]
        if not fields:  # no role-specific label: any signature field of the material
            fields = [(p, f) for p in pages for f in p.signatures]
        who, who_en = ROLE_ZH.get(role, role), ROLE_EN.get(role, role)
        if not fields:
            p = pages[-1]
            yield ctx.finding(
                self, params,
                f"未找到{who}签字栏，无法确认是否已签字，请人工查看。",
                f"No {who_en} signature field was found; check by eye that it is signed.",
                path=seg.path, page=p.number, material=m.id, uncertain=True,
                fix=f"确认{who}已在签字处手写签名。", fix_en=f"Make sure the {who_en} signed by hand.",
            )
            return
        yield from self._judge(ctx, params, m, seg, fields, who, who_en, every=(role == "cpa"))

    def _fields(self, ctx, params, m, seg, pages, pattern, who, who_en):
        fields = [(p, f) for p in pages for f in p.signatures if pattern.search(f.label)]
        yield from self._judge(ctx, params, m, seg, fields, who, who_en, every=True)

    def _judge(self, ctx, params, m, seg, fields, who, who_en, every):
        """Report unsigned fields: each of them when ``every`` (two CPAs), else only when none is signed."""
        if not every and any(f.signed for _, f in fields):
            return
        for p, f in fields:
            if f.signed:
                continue
            unsure = f.confidence < SIGNATURE_SURE
            label = f.label.strip("：: ")
            yield ctx.finding(
                self, params,
                f"“{label}”处未发现手写签名。" + ("（判断把握不大，请人工确认）" if unsure else ""),
                f"No handwritten signature in the “{label}” field." + (" (low confidence; check by eye)" if unsure else ""),
                path=seg.path, page=p.number, material=m.id, bbox=f.bbox,
                evidence=f"签字栏墨迹占比 {f.ink:.3f}", confidence=f.confidence, uncertain=unsure,
                fix=f"由{who}本人在“{label}”处手写签名后重新扫描。",
                fix_en=f"Have the {who_en} sign by hand in the “{label}” field and scan again.",
            )
            if not every:
                return
