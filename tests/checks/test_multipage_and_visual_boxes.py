"""Lists printed over several pages (rows on page 1, more rows and the 合计 on page 2), and where the
visual checks point when something is missing: the tax bureau's stamp label, the perforation-seal
slice's edge and height."""
from tests.pipeline import (declaration, doc, findings, invoice_rows, licence, looked, run, seal, application_form)

CLEAN = [("25412000000012345678", "2024-09-02", 1200000.00),
         ("25412000000012345679", "2024-11-15", 600000.00),
         ("25412000000012345680", "2025-03-20", 450000.00)]


def _two_page_list(total: float):
    """A text-layer 发票清单 printed over two pages: rows on both, the 合计 on the second."""
    from tests.pipeline import page
    from shenbao.model import Document

    rows = invoice_rows(CLEAN + [("25412000000012345681", "2025-04-02", 300000.00)], total=total)
    title, company, head, body, last = rows[:1], rows[1:2], rows[2], rows[3:-1], rows[-1]
    grids = [[head] + body[:2], [head] + body[2:] + [last]]
    pages = []
    for n, grid in enumerate(grids, start=1):
        text = [title[0][0], company[0][0]] + ["\t".join("" if v is None else str(v) for v in r) for r in grid]
        p = page("\n".join(text), number=n)
        p.tables = [[["" if v is None else str(v) for v in r] for r in grid]]
        pages.append(p)
    return Document("发票清单.pdf", "pdf", "pdf", pages=pages)


def test_list_over_two_pages_is_summed_over_both():
    report = run([_two_page_list(2550000.00)])
    assert findings(report, "sum-mismatch") == []
    assert findings(report, "investment-below-threshold") == []  # 255万: all rows count, not only page 1's


def test_list_over_two_pages_with_a_wrong_total():
    [f] = findings(run([_two_page_list(2650000.00)]), "sum-mismatch")
    assert f["page"] == 2 and "2,550,000.00" in f["message"]


def _invoice_list_with_tax_label(seals_by_page):
    text = "\n".join("\t".join("" if v is None else str(v) for v in r) for r in invoice_rows())
    last = text + "\n税务部门审核意见（盖章）：\n经核对，以上发票信息与税务系统记录一致。"
    return looked(doc("发票清单.pdf", text.replace("合计", "续表"), last), seals_by_page)


def test_missing_tax_seal_points_at_the_tax_bureaus_stamp_label():
    report = run([_invoice_list_with_tax_label({1: [seal()], 2: [seal()]})])
    [f] = findings(report, "seal-missing")
    assert f["page"] == 2 and "税务" in f["message"] and f["confidence"] is not None
    label = next(l.bbox for l in _invoice_list_with_tax_label({}).pages[1].lines if "税务部门审核意见" in l.text)
    assert f["bbox"][1] <= label[1] <= f["bbox"][3]


def test_missing_company_seal_is_not_placed_at_the_tax_bureaus_label():
    report = run([_invoice_list_with_tax_label({1: [seal()], 2: [seal("国家税务总局三门峡市湖滨区税务局", issuer="tax")]})])
    [f] = findings(report, "seal-missing")
    assert f["page"] == 2 and f["confidence"] is not None
    # no 盖章 label of the applicant's on the page: the page as a whole, not the tax bureau's label
    assert f["bbox"] == [0.0, 0.0, 1.0, 1.0]


def _volume(slices: dict, edge="right"):
    d = doc("合订本.pdf", application_form(), licence(), declaration(), declaration(), licence(), declaration())
    x = (0.97, 1.0) if edge == "right" else (0.0, 0.03)
    looked(d, {n: [seal("", issuer="unknown", bbox=(x[0], y, x[1], y + 0.1), edge=edge)] for n, y in slices.items()})
    for p in d.pages:
        p.image_coverage = 1.0
    return d


def test_a_gap_in_the_perforation_seal_is_boxed_where_its_neighbours_slices_are():
    [f] = findings(run([_volume({1: 0.2, 2: 0.2, 5: 0.6, 6: 0.6}, edge="left")]), "perforation-seal-missing")
    assert f["page"] == 3 and f["confidence"] is not None
    x0, y0, x1, y1 = f["bbox"]
    assert x0 == 0.0 and x1 <= 0.1 and y0 <= 0.2 and y1 >= 0.7
