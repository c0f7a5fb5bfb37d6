import datetime as dt

from tests.pipeline import doc, findings, licence, run


def test_company_registered_under_two_years_is_an_error_on_the_licence_page():
    report = run([doc("营业执照.pdf", licence(established="2024年03月15日"))], as_of=dt.date(2025, 8, 10))
    [f] = findings(report, "registration-age")
    assert f["severity"] == "error"
    assert (f["path"], f["page"], f["material"]) == ("营业执照.pdf", 1, "business_license")
    assert "2024年3月15日" in f["message"] and "2 年" in f["message"]


def test_two_full_years_on_the_application_day_passes():
    report = run([doc("营业执照.pdf", licence(established="2023年08月10日"))], as_of=dt.date(2025, 8, 10))
    assert findings(report, "registration-age") == []


def test_as_of_decides_the_age():
    d = doc("营业执照.pdf", licence(established="2023年08月11日"))
    assert findings(run([d], as_of=dt.date(2025, 8, 10)), "registration-age")
    assert not findings(run([d], as_of=dt.date(2025, 8, 11)), "registration-age")


def test_unreadable_establishment_date_on_a_scan_is_uncertain_not_a_pass_or_fail():
    text = licence().replace("成立日期 2019年03月15日", "成立日期 ▇▇▇▇")
    report = run([doc("执照.jpg", text, source="ocr", confidence=0.55)])
    [f] = findings(report, "registration-age")
    assert f["uncertain"] is True and f["severity"] == "warning"
