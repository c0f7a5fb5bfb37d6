from __future__ import annotations

from shenbao.check import Check

from ._visual import (ISSUER_EN, ISSUER_OF_REQUIREMENT, ISSUER_ZH, SEAL_SURE, TEXT_SURE, describe_seal, expected_seal_box,
                      looked_at, seal_owner, segment_pages, stamp_label, whole_seals)


class SealMissing(Check):
    """检查内容：程序包要求盖章的材料上是否有申报单位的公章——封面、申请表、营业执照和身份证复印件、
    信用查询截图、声明、绩效目标表等至少一处；发票清单、付款清单逐页；发票清单和地方留成证明还要有
    税务部门的章，审计报告要有会计师事务所的章。印章由页面图像中的红色（或蓝色）圆形、椭圆形印迹识别，
    并读取印章文字判断是哪个单位的章：盖的是其他公司的章，视同未盖申报单位公章。`--stage county`
    时还检查县级意见栏的盖章。

    为何重要：通知要求相关材料“加盖单位公章”“逐页加盖企业公章”，发票清单“必须经税务部门盖章确认，
    否则不予受理”。缺章是最常见的退件原因。

    如何修复：在指出的页面（“盖章”字样处）加盖申报单位公章后重新扫描；发票清单请到主管税务部门盖章确认。
    """

    rule = "seal-missing"
    title = "缺少印章"
    title_en = "Seal missing"
    severity = "error"
    doc_en = """What it checks: every material the program says must be stamped carries the applicant's
seal: at least once (cover, application form, licence and ID copies, credit printouts, declaration,
performance form), or on every page (invoice and payment lists). The invoice list and the tax
certificate also need the tax bureau's seal, the audit report the audit firm's. Seals are found as
red (or blue) round or oval stamps in the page image, and their text is read to tell whose seal it
is: another company's seal counts as no seal of the applicant. With `--stage county` the county
opinion blocks must be stamped too.

Why: the notice requires 加盖单位公章 / 逐页加盖企业公章, and an invoice list 必须经税务部门盖章确认,
否则不予受理. A missing seal is the most common reason a package is sent back.

How to fix: stamp the page shown (at its 盖章 label) and scan it again; have the tax bureau stamp the
invoice list."""

    def run(self, ctx, params):
        name = ctx.applicant.name
        for m in ctx.program.materials:
            req = m.requirements
            if not (req.get("seal") or req.get("third_party_seal") or (ctx.stage == "county" and req.get("county_blocks"))):
                continue
            for seg in ctx.segments_of(m.id):
                pages = looked_at(segment_pages(ctx, seg))
                if not pages:
                    continue  # a spreadsheet, or nothing could be rendered: nothing to look at
                if req.get("seal"):
                    if req.get("seal_every_page"):
                        for p in pages:
                            yield from self._own_seal(ctx, params, m, seg, [p], name, every_page=True)
                    else:
                        yield from self._own_seal(ctx, params, m, seg, pages, name, every_page=False)
                if req.get("third_party_seal"):
                    yield from self._third_party(ctx, params, m, seg, pages, req["third_party_seal"], name)
                if ctx.stage == "county" and req.get("county_blocks"):
                    yield from self._county(ctx, params, m, seg, pages)

    # -- the applicant's own seal --------------------------------------------------------------
    def _own_seal(self, ctx, params, m, seg, pages, name, every_page):
        owners = [seal_owner(s, name) for p in pages for s in whole_seals(p)]
        good = [o for o in owners if o.kind in ("own", "unknown") and o.seal.confidence >= SEAL_SURE]
        if good:
            return
        where = _stamp_page(pages)
        scope = f"第 {where.number} 页" if every_page else "该材料"
        scope_en = f"page {where.number}" if every_page else "this material"
        foreign = [o for o in owners if o.kind == "foreign"]
        faint = [o for o in owners if o.kind in ("own", "unknown")]
        if foreign:
            s = foreign[0].seal
            page = next(p for p in pages if s in p.seals)
            yield ctx.finding(
                self, params,
                f"{scope}所盖印章为“{s.text}”，不是申报单位（{name}）的公章。",
                f"The seal on {scope_en} reads “{s.text}”, not the applicant's ({name}).",
                path=seg.path, page=page.number, material=m.id, bbox=s.bbox, evidence=describe_seal(s),
                confidence=s.text_confidence,
                fix=f"改盖{name}的公章后重新扫描。", fix_en=f"Stamp it with {name}'s own seal and scan again.",
            )
            return
        if faint:
            s = max(faint, key=lambda o: o.seal.confidence).seal
            page = next(p for p in pages if s in p.seals)
            yield ctx.finding(
                self, params,
                f"{scope}只发现一处不清晰的疑似印章，无法确认已加盖申报单位公章，请人工查看。",
                f"Only a faint possible seal was found on {scope_en}; check by eye that the applicant's seal is there.",
                path=seg.path, page=page.number, material=m.id, bbox=s.bbox, evidence=describe_seal(s),
                confidence=s.confidence, uncertain=True,
                fix="确认公章清晰可见；必要时重新盖章、扫描。", fix_en="Make sure the seal is clearly visible; stamp and scan again if needed.",
            )
            return
        msg = f"{scope}未发现申报单位公章（要求{'逐页' if every_page else ''}加盖单位公章）。"
        msg_en = f"No applicant seal found on {scope_en} (the program requires {'every page to be' if every_page else 'it to be'} stamped)."
        yield ctx.finding(
            self, params, msg + _scan_note(where), msg_en,
            path=seg.path, page=where.number, material=m.id, bbox=expected_seal_box(where) or WHOLE_PAGE,
            uncertain=_unsure(where), confidence=where.confidence,
            fix="在“盖章”处加盖申报单位公章后重新扫描上传。", fix_en="Stamp it with the applicant's seal at the 盖章 label and scan it again.",
        )

    # -- a third party's seal (tax bureau, audit firm ...) ----------------------------------------
    def _third_party(self, ctx, params, m, seg, pages, wanted, name):
        issuer = ISSUER_OF_REQUIREMENT.get(wanted, "government")
        seals = [(p, s) for p in pages for s in whole_seals(p) if s.confidence >= SEAL_SURE]
        if any(s.issuer == issuer for _, s in seals):
            return
        # a seal whose text could not be read, beside the applicant's own: may well be the one
        unread = [(p, s) for p, s in seals if s.issuer == "unknown" or s.text_confidence < TEXT_SURE]
        # the page that asks for this party's seal (税务部门审核意见（盖章）), else the last page
        labelled = [p for p in pages if stamp_label(p, wanted) is not None]
        last = labelled[-1] if labelled else pages[-1]
        who, who_en = ISSUER_ZH.get(issuer, wanted), ISSUER_EN.get(issuer, wanted)
        if unread:
            p, s = unread[-1]
            yield ctx.finding(
                self, params,
                f"未能确认{who}的印章：第 {p.number} 页有印章，但印章文字未能识别，请人工确认是否为{wanted}的章。",
                f"Could not confirm the {who_en}'s seal: page {p.number} has a seal whose text could not be read.",
                path=seg.path, page=p.number, material=m.id, bbox=s.bbox, evidence=describe_seal(s),
                confidence=s.text_confidence, uncertain=True,
                fix=f"确认该页有{wanted}的印章。", fix_en=f"Check that the page carries the {who_en}'s seal.",
            )
            return
        yield ctx.finding(
            self, params,
            f"未发现{who}的印章（要求经{wanted}盖章确认）。" + _scan_note(last),
            f"No seal of the {who_en} was found (the program requires it).",
            path=seg.path, page=last.number, material=m.id, uncertain=_unsure(last),
            bbox=expected_seal_box(last, wanted) or expected_seal_box(last) or WHOLE_PAGE, confidence=last.confidence,
            evidence="; ".join(describe_seal(s) for _, s in seals) or None,
            fix=f"请到{wanted}盖章确认后重新扫描。", fix_en=f"Have the {who_en} stamp it, then scan it again.",
        )

    # -- county opinion blocks (county-forwarded package) -----------------------------------------
    def _county(self, ctx, params, m, seg, pages):
        for label in m.requirements.get("county_blocks", []):
            if "意见" not in label:
                continue  # 审核人 / 核实人 sign, they do not stamp
            key = label.replace("（", "").replace("）", "")[-6:]
            for p in pages:
                hits = [l for l in p.lines if key in l.text.replace("（", "").replace("）", "")]
                if not hits:
                    continue
                lb = hits[0].bbox
                below = [s for s in whole_seals(p) if s.confidence >= SEAL_SURE
                         and lb[1] - 0.02 <= (s.bbox[1] + s.bbox[3]) / 2 <= lb[3] + 0.3]
                if not below:
                    yield ctx.finding(
                        self, params, f"县级审核栏“{label}”未盖章（县级转报材料需盖章）。",
                        f"The county block “{label}” is not stamped (required in a county-forwarded package).",
                        path=seg.path, page=p.number, material=m.id,
                        bbox=(max(0.0, lb[0] - 0.02), lb[1], min(1.0, lb[2] + 0.5), min(1.0, lb[3] + 0.25)),
                        fix=f"由{label[:-2]}填写意见并盖章。", fix_en="Have the county office fill in its opinion and stamp it.",
                    )
                break


# No 盖章 label to point at (a copy, a printout): the seal is missing from the page as a whole.
WHOLE_PAGE = (0.0, 0.0, 1.0, 1.0)


def _stamp_page(pages):
    """The page that asks for the seal: the last one with a 盖章 label, else the last page."""
    with_label = [p for p in pages if expected_seal_box(p) is not None]
    return with_label[-1] if with_label else pages[-1]


def _unsure(page) -> bool:
    """A photographed or poorly scanned page: a seal may be there but too faint to see."""
    return page.source == "ocr" and page.confidence < 0.75


def _scan_note(page) -> str:
    return "（该页为低质量扫描件，可能有未识别的印章，请人工确认）" if _unsure(page) else ""
