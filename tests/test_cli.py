"""The commands a user types: inspect, programs, rules, rule."""
import json

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from shenbao.cli import main
from tests.pipeline import licence

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
RULES = {"material-missing", "registration-age", "credit-query-date", "audit-code-missing", "date-out-of-window",
         "amount-below-minimum", "investment-below-threshold", "sum-mismatch", "field-blank", "name-mismatch",
         "credit-code-invalid", "file-unreadable", "page-illegible"}


def _text_pdf(path, text: str) -> None:
    pdfmetrics.registerFont(TTFont("wqy", FONT, subfontIndex=0))
    c = canvas.Canvas(str(path), pagesize=A4)
    y = 780
    for line in text.splitlines():
        c.setFont("wqy", 12)
        c.drawString(60, y, line)
        y -= 24
    c.save()


def test_inspect_shows_type_material_source_and_facts(tmp_path, capsys):
    pdf = tmp_path / "微信图片_2025.pdf"  # the name says nothing; the content does
    _text_pdf(pdf, licence(established="2019年03月15日"))
    assert main(["inspect", str(pdf), "--format", "json", "--cache-dir", str(tmp_path / "c")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "pdf"
    assert data["segments"][0]["material"] == "business_license" and data["segments"][0]["score"] > 0.5
    assert data["pages"][0]["source"] == "text-layer"
    facts = {f["kind"]: f["value"] for f in data["facts"]}
    assert facts["established_date"] == "2019-03-15"
    assert len(facts["credit_code"]) == 18
    assert main(["inspect", str(pdf), "--cache-dir", str(tmp_path / "c")]) == 0
    text = capsys.readouterr().out
    assert "business_license" in text and "established_date" in text


def test_rules_lists_every_contract_rule_and_rule_explains_with_basis(capsys):
    assert main(["rules", "--format", "json"]) == 0
    ids = {r["id"] for r in json.loads(capsys.readouterr().out)}
    assert RULES <= ids
    assert main(["rule", "date-out-of-window"]) == 0
    out = capsys.readouterr().out
    assert "检查内容" in out and "如何修复" in out and "L549-557" in out
    assert main(["rule", "date-out-of-window", "--lang", "en"]) == 0
    assert "What it checks" in capsys.readouterr().out
    assert main(["rule", "no-such-rule"]) == 2


def test_programs_json_has_the_contract_fields(capsys):
    assert main(["programs", "--format", "json"]) == 0
    [prog] = [p for p in json.loads(capsys.readouterr().out) if p["id"] == "smx2025-intelligent-retrofit"]
    assert (prog["notice_date"], prog["deadline"], prog["source"]) == ("2025-07-16", "2025-08-18", "seed-000")


def test_json_output_is_only_json(tmp_path, capsys):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    _text_pdf(pkg / "a.pdf", licence())
    code = main(["check", str(pkg), "--program", "smx2025-intelligent-retrofit", "--as-of", "2025-08-10",
                 "--format", "json", "--cache-dir", str(tmp_path / "c")])
    captured = capsys.readouterr()
    assert code == 1  # most materials are missing
    json.loads(captured.out)
    assert captured.err == ""
