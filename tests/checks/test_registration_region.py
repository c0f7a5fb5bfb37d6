"""registration-region: the credit code's registration division lies in the notice's region."""
import datetime as dt

import pytest

from shenbao.facts.credit_code import is_valid_credit_code
from tests.pipeline import doc, findings, licence, run

HY = "hy2023-im-equipment-loan-interest"
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def code_in(division: str, body: str = "MA4T8K2X7") -> str:
    first = "91" + division + body
    return first + CHARSET[(31 - sum(CHARSET.index(c) * w for c, w in zip(first, WEIGHTS)) % 31) % 31]


def report(code: str, pid: str = HY, source: str = "text-layer", confidence: float = 1.0):
    assert is_valid_credit_code(code)
    return run([doc("营业执照.pdf", licence(code=code), source=source, confidence=confidence)],
               as_of=dt.date(2023, 8, 10), pid=pid)


@pytest.mark.parametrize("division", ["430405", "430481", "430400"])
def test_a_code_issued_in_hengyang_passes(division):
    assert findings(report(code_in(division)), "registration-region") == []


def test_a_code_issued_in_another_city_is_an_error_naming_the_division():
    [f] = findings(report(code_in("431102")), "registration-region")
    assert f["severity"] == "error" and "431102" in f["message"] and "衡阳市" in f["message"]
    assert f["path"] == "营业执照.pdf" and "在衡阳市登记注册" in f["basis"]


@pytest.mark.parametrize("division", ["430000", "100000"])
def test_a_provincial_or_national_registration_cannot_be_placed_and_is_not_reported(division):
    assert findings(report(code_in(division)), "registration-region") == []


def test_an_unsure_ocr_reading_is_a_warning_marked_uncertain():
    [f] = findings(report(code_in("431102"), source="ocr", confidence=0.82), "registration-region")
    assert f["severity"] == "warning" and f["uncertain"] is True


def test_each_program_names_its_own_region():
    assert findings(report(code_in("411202"), pid="smx2025-intelligent-retrofit"), "registration-region") == []
    [f] = findings(report(code_in("430405"), pid="smx2025-intelligent-retrofit"), "registration-region")
    assert "三门峡市" in f["message"]
    assert findings(report(code_in("150426"), pid="chifeng-dt-cloud-mgmt"), "registration-region") == []
