from __future__ import annotations

from shenbao.check import Check
from shenbao.classify import squash

MIN_CHARS = 8  # an OCR page of a text material with fewer characters than this was not read


class PageIllegible(Check):
    """检查内容：扫描件、照片的每一页能否被清楚识读：文字识别（OCR）的平均置信度过低，
    或应有文字的材料页几乎识别不出文字。

    为何重要：通知要求“复印件要清晰可见，否则将不予认定”；机器读不清的页面，评审人员往往也看不清。

    如何修复：重新扫描（建议 200–300 dpi、不要倾斜、光线均匀），不要用手机在暗处翻拍。
    """

    rule = "page-illegible"
    title = "页面模糊难以识读"
    title_en = "Page is illegible"
    severity = "warning"
    doc_en = """What it checks: every scanned or photographed page can be read: the mean OCR
confidence is too low, or a page of a text material yields almost no text.

Why: the notice says copies must be clearly legible or they are not accepted.

How to fix: scan again (200-300 dpi, straight, even light) instead of a dim phone photo."""
    params_schema = {"min_confidence": {"type": "number", "minimum": 0, "maximum": 1,
                                        "description": "mean OCR confidence below which a page is reported (default 0.75)"}}

    def run(self, ctx, params):
        min_conf = float(params.get("min_confidence", 0.75))
        for doc in sorted(ctx.documents.values(), key=lambda d: d.path):
            unread = set(getattr(doc, "unread_pages", None) or ())  # not read in time: file-unreadable says so
            for page in doc.pages:
                if page.number in unread:
                    continue
                scanned = page.source == "ocr" or (page.source == "none" and (doc.kind == "image" or page.image_coverage >= 0.5))
                if not scanned or "空白页" in (page.note or ""):
                    continue  # text layers are legible by nature; blank pages are not illegible
                chars = len(squash(page.text))
                material = ctx.material_of(doc.path, page.number) or _guessed_material(ctx, doc.path, page.number)
                if chars < MIN_CHARS:
                    if material is None:
                        continue  # a photo without text (设备照片) is not a text page
                    msg = f"第 {page.number} 页几乎识别不出文字（{chars} 个字符），可能过于模糊、过暗或不是材料页。"
                    msg_en = f"Page {page.number} yields almost no text ({chars} characters): too blurred or dark?"
                    conf = page.confidence
                elif page.confidence < min_conf:
                    msg = f"第 {page.number} 页文字识别置信度仅 {page.confidence:.2f}（低于 {min_conf:.2f}），页面可能模糊不清。"
                    msg_en = f"Page {page.number}: OCR confidence {page.confidence:.2f} is below {min_conf:.2f}; the page may be illegible."
                    conf = page.confidence
                else:
                    continue
                yield ctx.finding(
                    self, params, msg, msg_en, path=doc.path, page=page.number, confidence=conf,
                    evidence=page.text[:80] or None,
                    fix="重新扫描该页（200–300 dpi，端正、光线均匀）后替换。",
                    fix_en="Scan the page again (200-300 dpi, straight, even light) and replace it.",
                )


def _guessed_material(ctx, path: str, number: int):
    """The material a page that could not be classified is probably part of (its file name or a weak
    reading points to one, e.g. “6-信用中国-失信被执行人查询结果.pdf” read as two characters)."""
    for seg in ctx.segments:
        if seg.path == path and seg.material is None and seg.runner_up and (
                seg.first_page <= number <= seg.last_page or seg.first_page <= 0):
            return ctx.program.material(seg.runner_up)
    return None
