"""OFD (数电票, e-government documents): read as positioned text pages, template labels included, and
a damaged or hostile OFD is a clear finding, never a crash."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

from extract_helpers import pm_factory

from shenbao.extract import ExtractSettings, extract_file
from shenbao.model import Document

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def _text(x: float, y: float, text: str, size: float = 3.175, oid: int = 1) -> str:
    return (f'<ofd:TextObject ID="{oid}" Boundary="{x} {y} 90 6" Size="{size}">'
            f'<ofd:TextCode X="0" Y="4" DeltaX="g {max(0, len(text) - 1)} {size}">{text}</ofd:TextCode></ofd:TextObject>')


def make_ofd(path: Path, page_texts: list[str], template_texts: list[str], signed: bool = False) -> Path:
    """An OFD the way tax-bureau invoices are laid out: labels on a template page, values on the page."""
    doc = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {NS}><ofd:CommonData>'
           '<ofd:PageArea><ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox></ofd:PageArea>'
           '<ofd:TemplatePage ID="1" BaseLoc="Tpls/Tpl_0/Content.xml"/></ofd:CommonData>'
           '<ofd:Pages><ofd:Page ID="9" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>'
           + ('<ofd:Signatures>Signs/Signatures.xml</ofd:Signatures>' if signed else '') + '</ofd:Document>')
    page = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}><ofd:Template TemplateID="1"/>'
            f'<ofd:Content><ofd:Layer ID="2">{"".join(page_texts)}</ofd:Layer></ofd:Content></ofd:Page>')
    tpl = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}><ofd:Content><ofd:Layer ID="3">'
           f'{"".join(template_texts)}</ofd:Layer></ofd:Content></ofd:Page>')
    root = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} DocType="OFD" Version="1.0"><ofd:DocBody>'
            '<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", root)
        z.writestr("Doc_0/Document.xml", doc)
        z.writestr("Doc_0/Pages/Page_0/Content.xml", page)
        z.writestr("Doc_0/Tpls/Tpl_0/Content.xml", tpl)
        if signed:
            z.writestr("Doc_0/Signs/Signatures.xml",
                       f'<ofd:Signatures {NS}><ofd:Signature ID="1" BaseLoc="Sign_0/Signature.xml"/></ofd:Signatures>')
    return path


def invoice_ofd(path: Path, signed: bool = True) -> Path:
    labels = [_text(70, 8, "电子发票（普通发票）", 5, 1), _text(140, 8, "发票号码：", oid=2),
              _text(140, 14, "开票日期：", oid=3), _text(12, 30, "名称：", oid=4), _text(110, 30, "名称：", oid=5),
              _text(12, 38, "统一社会信用代码/纳税人识别号：", oid=6), _text(110, 38, "统一社会信用代码/纳税人识别号：", oid=7),
              _text(12, 90, "价税合计（大写）", oid=10),
              _text(150, 90, "（小写）", oid=11)]
    # 购买方信息 / 销售方信息 printed vertically, a character a row, left of each block
    labels += [_text(4, 26 + 5 * i, ch, oid=30 + i) for i, ch in enumerate("购买方信息")]
    labels += [_text(102, 26 + 5 * i, ch, oid=40 + i) for i, ch in enumerate("销售方信息")]
    values = [_text(160, 8, "25412000000012345678", oid=20), _text(160, 14, "2025年03月18日", oid=21),
              _text(25, 30, "灵宝市金城冶金有限责任公司", oid=22), _text(123, 30, "郑州恒通电气设备有限公司", oid=23),
              _text(70, 38, "91411282MA46L0QX3P", oid=24), _text(168, 38, "91410100MA40XXD59L", oid=25),
              _text(60, 90, "壹拾贰万叁仟肆佰元整", oid=26), _text(165, 90, "¥123400.00", oid=27)]
    return make_ofd(path, values, labels, signed=signed)


def test_an_ofd_invoice_is_read_as_a_text_page_with_its_template_labels(tmp_path):
    doc = extract_file(invoice_ofd(tmp_path / "发票.ofd"), "发票.ofd", ExtractSettings(), pm_factory())
    assert doc.kind == "ofd" and doc.readable and len(doc.pages) == 1
    page = doc.pages[0]
    assert page.source == "text-layer"
    flat = "".join(page.text.split())
    assert "发票号码：25412000000012345678" in flat and "名称：灵宝市金城冶金有限责任公司" in flat
    assert all(0.0 <= v <= 1.0 for line in page.lines for v in line.bbox)
    assert "电子签章" in (page.note or "")


def test_the_invoice_facts_are_read_from_an_ofd(tmp_path):
    from shenbao.facts.invoice import invoice_facts

    doc = extract_file(invoice_ofd(tmp_path / "发票.ofd"), "发票.ofd", ExtractSettings(), pm_factory())
    facts = {f.kind: f.value for f in invoice_facts(doc, doc.pages[0])}
    assert facts["invoice_number"] == "25412000000012345678"
    assert facts["invoice_total"] == Decimal("123400.00")
    assert facts["seller_name"] == "郑州恒通电气设备有限公司"


def test_a_damaged_or_hostile_ofd_is_unreadable_with_a_reason(tmp_path):
    truncated = tmp_path / "a.ofd"
    truncated.write_bytes(invoice_ofd(tmp_path / "ok.ofd").read_bytes()[:300])
    bomb = tmp_path / "b.ofd"
    with zipfile.ZipFile(bomb, "w") as z:
        z.writestr("OFD.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')
    no_root = tmp_path / "c.ofd"
    with zipfile.ZipFile(no_root, "w") as z:
        z.writestr("OFD.xml", f'<ofd:OFD {NS}><ofd:DocBody/></ofd:OFD>')
    for path in (truncated, bomb, no_root):
        doc = extract_file(path, path.name, ExtractSettings(), pm_factory())
        assert isinstance(doc, Document) and doc.kind == "unreadable" and doc.error and doc.error_en, path


def test_inspect_reads_an_ofd_through_the_cli(tmp_path):
    path = invoice_ofd(tmp_path / "数电票.ofd")
    shenbao = Path(sys.executable).with_name("shenbao")
    p = subprocess.run([str(shenbao), "inspect", str(path), "--format", "json",
                        "--cache-dir", str(tmp_path / "cache")], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["kind"] == "ofd"
    kinds = {f["kind"]: f["value"] for f in out["facts"]}
    assert kinds.get("invoice_number") == "25412000000012345678"
