from __future__ import annotations

from shenbao.check import Check

from ._visual import SIGNATURE_SURE, looked_at, segment_pages

INK_ZH = {"black": "黑色", "blue": "蓝色", "red": "红色"}
INK_EN = {"black": "black", "blue": "blue", "red": "red"}


class SignatureInk(Check):
    """检查内容：程序包规定签字笔颜色的材料（如申报真实性声明“单位法人签字必须用黑色签字笔”），
    手写签名的墨迹颜色是否符合要求。颜色由签字栏中去除印刷文字和印章后剩余笔迹的色调判断；
    黑白扫描件无法判断颜色，不报告。

    为何重要：通知明确要求黑色签字笔，蓝色、红色笔签字会被要求重签。

    如何修复：用黑色签字笔重新签字后扫描。
    """

    rule = "signature-ink"
    title = "签字笔颜色不符"
    title_en = "Signature in the wrong ink colour"
    severity = "error"
    doc_en = """What it checks: where a program prescribes the pen (the declaration: 单位法人签字必须用
黑色签字笔), the handwritten signature is in that colour. The colour is the hue of the ink left in
the signature field once printed text and seals are removed; grayscale scans cannot tell and are
not reported.

Why: the notice requires a black pen; a blue or red signature is sent back to be signed again.

How to fix: sign again with a black pen and scan."""

    def run(self, ctx, params):
        for m in ctx.program.materials:
            want = m.requirements.get("signature_ink")
            if not want or want == "any":
                continue
            for seg in ctx.segments_of(m.id):
                for p in looked_at(segment_pages(ctx, seg)):
                    for f in p.signatures:
                        if not f.signed or not f.colour or f.colour == want:
                            continue
                        unsure = f.confidence < SIGNATURE_SURE
                        label = f.label.strip("：: ")
                        yield ctx.finding(
                            self, params,
                            f"“{label}”处的签字为{INK_ZH.get(f.colour, f.colour)}，要求使用{INK_ZH.get(want, want)}签字笔。",
                            f"The signature in “{label}” is in {INK_EN.get(f.colour, f.colour)} ink; "
                            f"the program requires {INK_EN.get(want, want)}.",
                            path=seg.path, page=p.number, material=m.id, bbox=f.bbox, confidence=f.confidence,
                            uncertain=unsure, evidence=f"签字墨迹颜色：{f.colour}",
                            fix=f"用{INK_ZH.get(want, want)}签字笔重新签字后扫描。",
                            fix_en=f"Sign again with a {INK_EN.get(want, want)} pen and scan.",
                        )
