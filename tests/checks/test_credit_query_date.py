from tests.pipeline import credit_page, doc, findings, run


def _three(when_tax="2025-08-05 10:25:01"):
    return [
        doc("a.pdf", credit_page("失信被执行人")),
        doc("b.pdf", credit_page("重大税收违法失信主体", when=when_tax)),
        doc("c.pdf", credit_page("严重违法失信名单", site="国家企业信用信息公示系统")),
    ]


def test_query_before_the_notice_date_is_an_error_on_that_page():
    report = run(_three(when_tax="2025-07-10 09:00:00"))
    [f] = findings(report, "credit-query-date")
    assert (f["path"], f["page"], f["material"], f["severity"]) == ("b.pdf", 1, "credit_tax", "error")
    assert "2025年7月10日" in f["message"]


def test_queries_between_notice_and_application_day_pass():
    assert findings(run(_three()), "credit-query-date") == []


def test_query_after_the_application_day_is_reported():
    report = run(_three(when_tax="2025-08-12 09:00:00"))
    assert [f["path"] for f in findings(report, "credit-query-date")] == ["b.pdf"]


def test_a_printed_footer_date_counts_when_there_is_no_query_label():
    text = credit_page("失信被执行人").replace("查询时间：2025-08-05 10:21:33", "打印时间 2025/7/1 10:22")
    report = run([doc("a.pdf", text)])
    [f] = findings(report, "credit-query-date")
    assert "2025年7月1日" in f["message"]


def test_no_visible_time_is_uncertain():
    text = credit_page("失信被执行人").replace("查询时间：2025-08-05 10:21:33", "")
    [f] = findings(run([doc("a.pdf", text)]), "credit-query-date")
    assert f["uncertain"] and f["severity"] == "warning"
