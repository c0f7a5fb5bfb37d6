"""date-out-of-window, amount-below-minimum, investment-below-threshold and sum-mismatch on the
invoice list, as an xlsx and as a text-layer PDF table."""
from tests.pipeline import doc, findings, invoice_rows, run, sheet_doc

CLEAN = [("25412000000012345678", "2024-09-02", 1200000.00),
         ("25412000000012345679", "2024-11-15", 600000.00),
         ("25412000000012345680", "2025-03-20", 450000.00)]


def test_clean_list_has_no_findings():
    report = run([sheet_doc("发票清单.xlsx", invoice_rows(CLEAN))])
    for rule in ("date-out-of-window", "amount-below-minimum", "investment-below-threshold", "sum-mismatch"):
        assert findings(report, rule) == [], rule


def test_invoice_dated_before_the_window_is_reported_with_its_row():
    rows = CLEAN + [("25412000000012345681", "2024-05-20", 50000.00)]
    report = run([sheet_doc("发票清单.xlsx", invoice_rows(rows))])
    [f] = findings(report, "date-out-of-window")
    assert f["path"] == "发票清单.xlsx" and f["material"] == "invoice_list"
    assert "25412000000012345681" in f["message"] and "2024年5月20日" in f["message"]


def test_invoice_below_ten_thousand_is_reported():
    rows = CLEAN + [("25412000000012345682", "2024-12-01", 8500.00)]
    [f] = findings(run([sheet_doc("发票清单.xlsx", invoice_rows(rows))]), "amount-below-minimum")
    assert "8,500.00" in f["message"]


def test_total_that_does_not_add_up():
    report = run([sheet_doc("发票清单.xlsx", invoice_rows(CLEAN, total=2350000.00))])
    [f] = findings(report, "sum-mismatch")
    assert "2,350,000.00" in f["message"] and "2,250,000.00" in f["message"]


def test_investment_below_two_million():
    rows = [("25412000000012345678", "2024-09-02", 900000.00), ("25412000000012345679", "2024-11-15", 600000.00)]
    [f] = findings(run([sheet_doc("发票清单.xlsx", invoice_rows(rows))]), "investment-below-threshold")
    assert "1,500,000.00" in f["message"] and "2,000,000.00" in f["message"]


def test_specialized_sme_certificate_lowers_the_threshold_to_one_million():
    rows = [("25412000000012345678", "2024-09-02", 900000.00), ("25412000000012345679", "2024-11-15", 600000.00)]
    cert = doc("专精特新.pdf", "河南省专精特新中小企业\n证书\n经认定，三门峡市宏达智能装备有限公司为河南省专精特新中小企业\n有效期三年\n河南省工业和信息化厅")
    assert findings(run([sheet_doc("发票清单.xlsx", invoice_rows(rows)), cert]), "investment-below-threshold") == []


def test_out_of_window_invoices_do_not_count_towards_the_threshold():
    rows = [("25412000000012345678", "2024-05-02", 1500000.00), ("25412000000012345679", "2024-11-15", 600000.00)]
    [f] = findings(run([sheet_doc("发票清单.xlsx", invoice_rows(rows))]), "investment-below-threshold")
    assert "600,000.00" in f["message"]


def test_text_layer_pdf_table_is_read_too():
    lines = ["三门峡市2025年度“三大改造”暨新一代信息技术融合应用项目区间有效投资发票清单",
             "企业名称：三门峡市宏达智能装备有限公司"]
    report = run([doc("发票清单.pdf", "\n".join(lines))])
    assert report["materials"][[m["id"] for m in report["materials"]].index("invoice_list")]["status"] == "present"


def test_sum_over_a_garbled_ocr_table_is_uncertain():
    """A skewed scan whose rows interleave under OCR: the mismatch is shown, but as uncertain."""
    from tests.pipeline import page
    from shenbao.model import Document, Line

    def row(y, *cells):
        return [Line(text, (0.05 + 0.12 * i, y, 0.15 + 0.12 * i, y + 0.015), 0.97) for i, text in enumerate(cells)]

    lines = (row(0.10, "序号", "发票号码", "开具日期", "开具金额")
             + row(0.13, "1", "25412000000012345678", "2024-09-02", "1,200,000.00")
             + row(0.16, "2", "", "2024-11-15", "600,000.00")  # the number wrapped onto another row
             + row(0.19, "合计", "", "", "2,500,000.00"))
    p = page("三门峡市区间有效投资发票清单\n发票号码 开具日期 开具金额 合计", source="ocr", confidence=0.97)
    p.lines = lines
    report = run([Document("清单.jpg", "image", "jpeg", pages=[p])])
    [f] = findings(report, "sum-mismatch")
    assert f["uncertain"] and f["severity"] == "warning"


def test_an_invoice_amount_read_with_three_decimals_is_uncertain_not_an_error():
    """OCR read “¥128,380.00” as “¥128.380”: 128.38 元 would be under the 1 万元 minimum, but money
    is printed with two decimals, so the reading is shown for a person to check."""
    from tests.pipeline import doc

    def invoice(amount: str):
        return doc("资金证明材料/增值税专用发票79160110.jpg",
                   "电子发票（增值税专用发票） 发票号码：25412521723894693416\n开票日期：2025年06月05日\n"
                   "购买方信息 名称：三门峡市宏达智能装备有限公司 销售方信息 名称：北京瑞智机器人有限公司\n"
                   f"价税合计（大写）壹拾贰万捌仟叁佰捌拾圆整 （小写）{amount}", source="ocr", confidence=0.97)

    [f] = findings(run([invoice("¥128.380")]), "amount-below-minimum")
    assert f["uncertain"] and f["severity"] == "warning"
    [f] = findings(run([invoice("¥128.38")]), "amount-below-minimum")
    assert not f["uncertain"] and f["severity"] == "error"


def test_an_invoice_amount_run_into_the_next_number_keeps_its_two_decimals():
    """OCR joined “¥8,500.00” and the seller's credit code “9141010003…”: the amount is 8,500.00."""
    from tests.pipeline import doc

    d = doc("资金证明材料/IMG_20250805_184945.png",
            "电子发票（增值税专用发票） 发票号码：25412521723894693416\n开票日期：2025年06月05日\n"
            "购买方信息 名称：三门峡市宏达智能装备有限公司 销售方信息 名称：北京瑞智机器人有限公司\n"
            "价税合计（大写）捌仟伍佰圆整 （小写）¥8,500.009141010003", source="ocr", confidence=0.97)
    [f] = findings(run([d]), "amount-below-minimum")
    assert not f["uncertain"] and "8,500.00" in f["message"]
