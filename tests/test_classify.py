"""Classification: content decides, combined PDFs are cut into materials by page range, and every
page is accounted for (classified, separator or unrecognised)."""
from shenbao.model import Document

from tests.pipeline import audit_report, credit_page, licence, page, run

STATEMENT = "资产负债表 会企01表\n编制单位：三门峡市宏达智能装备有限公司 {period} 单位：元\n项目 期末余额\n资产总计 1,000.00"


def combined(*texts: str, colour_pages=()) -> Document:
    pages = [page(t, i) for i, t in enumerate(texts, start=1)]
    for n in colour_pages:
        pages[n - 1].colour_ratio = 0.9
    return Document(path="申请报告.pdf", kind="pdf", format="pdf", pages=pages)


def material_pages(report) -> dict:
    return {m["id"]: [p for f in m["files"] for p in f["pages"]] for m in report["materials"] if m["files"]}


def test_combined_pdf_is_cut_at_titles_and_separators():
    doc = combined(
        "三门峡市2025年度“三大改造”暨新一代信息技术融合应用项目申请报告\n项目名称：智能化改造\n申请单位（盖章）：\n填报日期：2025年8月5日",
        "第三部分 企业基本情况",
        licence(),
        credit_page("失信被执行人"),
        credit_page("重大税收违法失信主体"),
        "",  # a coloured page with no text
        audit_report(),
        STATEMENT.format(period="2024年12月31日"),  # audited statements stay in the report
        "财务报表附注\n一、公司基本情况",
        STATEMENT.format(period="2024年12月31日"),  # after the notes: the separate 2024 statements
        STATEMENT.format(period="2025年6月30日"),  # a new period: the 2025-06 statements
        colour_pages=(6,),
    )
    report = run([doc])
    pages = material_pages(report)
    assert pages["cover"] == [1]
    assert pages["business_license"] == [3]
    assert pages["credit_dishonest"] == [4] and pages["credit_tax"] == [5]
    assert pages["audit_report"] == [7, 8, 9]
    assert pages["statements_2024"] == [10] and pages["statements_2025_06"] == [11]
    entry = report["files"][0]
    assert entry["separator_pages"] == [2, 6] and entry["unrecognised_pages"] == []


def test_a_page_that_fits_no_material_is_listed_as_unrecognised():
    # A titleless page continues the material before it (a report's second page); one that no
    # material precedes is reported.
    doc = combined("今天天气很好，我们去公园散步。\n这是一页与申报无关的文字。", licence(), credit_page("失信被执行人"))
    entry = run([doc])["files"][0]
    assert entry["unrecognised_pages"] == [1]


def test_a_file_that_fits_nothing_is_unrecognised_not_dropped():
    doc = Document(path="随手拍.jpg", kind="image", format="jpeg", pages=[page("风景照片", source="ocr", confidence=0.9)])
    entry = run([doc])["files"][0]
    assert entry["status"] == "unrecognised" and entry["materials"] == []


def test_generic_title_takes_the_kind_its_words_tell():
    cert = "证 明\n三门峡市工业和信息化局：\n兹有三门峡市宏达智能装备有限公司，系我局管辖纳税人。2024年度市县两级地方留成部分为1,460,953.24元。\n国家税务总局三门峡市湖滨区税务局"
    doc = combined(credit_page("严重违法失信名单", site="国家企业信用信息公示系统"), cert)
    assert material_pages(run([doc]))["tax_certificate"] == [2]


def test_a_certificate_under_a_letterhead_after_a_list_is_its_own_material():
    """The bureau's name above “证明” (a letterhead), right after the payment list's last page."""
    cert = ("国家税务总局渑池县税务局\n证明\n三门峡市工业和信息化局、三门峡市财政局：\n"
            "兹有三门峡市宏达智能装备有限公司，系我局管辖纳税人。经查询金税系统，该企业2024年度累计缴纳各项税收"
            "21,363,607.85元，其中市县两级地方留成部分为6,927,641.48元。")
    listing = ("2024年7月1日至2025年6月30日区间付款清单\n申请单位名称（盖章）：三门峡市宏达智能装备有限公司 单位：万元\n"
               "序号 设备名称 收款单位 发票号码 实际付款金额\n1 数控机床 洛阳机床厂 12345678 120.00\n合计 120.00")
    doc = combined(listing, cert)
    pages = material_pages(run([doc]))
    assert pages.get("tax_certificate") == [2] and pages.get("payment_list") == [1], pages


def test_period_is_read_from_the_title_not_a_comparative_column():
    """A June 2025 balance sheet prints the 2024 year-end as its comparative column."""
    june = ("资产负债表 会企01表\n编制单位：三门峡市宏达智能装备有限公司 2025年6月30日 单位：元\n"
            "项目 2025年6月30日 2024年12月31日\n资产总计 1,000.00 900.00")
    doc = Document(path="报表.pdf", kind="pdf", format="pdf", pages=[page(june)])
    assert material_pages(run([doc])) == {"statements_2025_06": [1]}


def test_a_sentence_naming_another_material_does_not_start_it():
    """A report page that says “详见区间有效投资发票清单” is still the report, not the invoice list."""
    report_p1 = "项目建设情况\n一、项目概述\n本项目由三门峡市宏达智能装备有限公司投资建设。"
    report_p2 = ("五、投资预算和资金来源\n项目计算区间内实际完成投资含税336.86万元\n"
                 "主要软硬件设施清单详见区间有效投资发票清单。\n六、效益分析\n预计年新增销售收入约4860万元")
    report_p3 = "附件1-7：区间有效投资发票清单\n序号 发票号码 开具日期 开具金额\n1 12345678 2024-08-01 120.00\n合计 120.00"
    doc = Document(path="项目建设情况.pdf", kind="pdf", format="pdf",
                   pages=[page(report_p1, 1), page(report_p2, 2), page(report_p3, 3)])
    pages = material_pages(run([doc]))
    assert pages["project_report"] == [1, 2]
    assert pages["invoice_list"] == [3]  # a real heading, with its annex number, still starts the list


def test_an_audit_reports_own_contents_page_is_part_of_the_report():
    toc = "目录\n一、审计报告 1-2\n二、资产负债表 3\n三、利润表 4\n四、财务报表附注 5-20"
    doc = combined(audit_report(), toc, STATEMENT.format(period="2024年12月31日"))
    pages = material_pages(run([doc]))
    assert pages["audit_report"] == [1, 2, 3] and "toc" not in pages


def test_a_close_call_is_shown_in_the_report_with_its_runner_up():
    """No title; the words fit the declaration a little better than the application form."""
    text = "本单位郑重声明，所报材料真实，如有不实愿承担法律责任，特此声明。\n计划总投资 累计完成投资 申请金额"
    report = run([Document(path="扫描件(3).pdf", kind="pdf", format="pdf", pages=[page(text)])])
    [seg] = report["files"][0]["segments"]
    assert seg["material"] == "declaration" and seg["runner_up"] == "application_form" and seg["low_margin"]
    from shenbao.reporters.text import render_plain

    shown = render_plain(report, lang="zh")
    assert "识别把握不大" in shown and "扫描件(3).pdf" in shown


def test_a_title_decides_without_a_close_call():
    doc = combined(audit_report(), STATEMENT.format(period="2024年12月31日"))
    [seg] = run([doc])["files"][0]["segments"]
    assert seg["material"] == "audit_report" and not seg["low_margin"]


def test_a_title_sharing_its_row_with_the_first_label_still_counts():
    """Old VAT e-invoice text layers put the title and 发票代码 on one row; a bank receipt's words
    (账号, 开户行, 金额) must not win over it."""
    text = ("湖北增值税电子普通发票 发票代码:042001900211\n发票号码:31578266 开票日期:2019年09月19日\n"
            "名称:武汉某某商贸有限公司 账号 开户行及账号:招商银行武汉分行 金额 税额\n价税合计(大写)壹佰零叁元伍角 (小写)¥103.50")
    doc = Document(path="dzfp_042001900211_31578266.pdf", kind="pdf", format="pdf", pages=[page(text)])
    assert material_pages(run([doc])) == {"fund_proofs": [1]}
    [seg] = run([doc])["files"][0]["segments"]
    assert "invoice" in seg["reason"] and "title" in seg["reason"]


def test_a_browser_print_header_with_the_time_is_a_title():
    """A web page printed from a browser opens with “2025/8/7 13:15  <page title>”: the clock's
    colon is no label's, so the page starts the query result its title names and does not run on
    the one before it."""
    tax = "信用中国\n重大税收违法失信主体查询\n三门峡市宏达智能装备有限公司 查询\n未查询到相关信息"
    gsxt = ("2025/8/7 13:15 严重违法失信名单查询-国家企业信用信息公示系统\n"
            "— 11 —\nhttps://www.gsxt.gov.cn/corp-query-entprise-info-hot-search-list.html 1/1")
    pages = material_pages(run([combined(tax, gsxt)]))
    assert pages["credit_tax"] == [1] and pages["credit_gsxt"] == [2]
