"""PDF digital signatures: signed in the test with pyHanko and a self-signed certificate."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from extract_helpers import make_text_pdf, pm_factory

pytest.importorskip("pyhanko")

from shenbao.extract import ExtractSettings, extract_file  # noqa: E402
from shenbao.extract.pdf_signatures import read_signatures  # noqa: E402
from shenbao.model import Document  # noqa: E402

SIGNER = "张三"
ORG = "三门峡市示例科技有限公司"
NO_OCR = ExtractSettings(ocr=False, visual=False)


def _key_and_cert(tmp: Path) -> tuple[Path, Path]:
    """A self-signed RSA certificate (CN 张三, O 三门峡市示例科技有限公司) as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SIGNER),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORG),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    kp, cp = tmp / "key.pem", tmp / "cert.pem"
    kp.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()))
    cp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return kp, cp


def _sign(src: Path, dst: Path, tmp: Path, field: str = "Signature1", box=(350, 80, 530, 160)) -> Path:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    kp, cp = _key_and_cert(tmp)
    signer = signers.SimpleSigner.load(str(kp), str(cp))
    with open(src, "rb") as f:
        w = IncrementalPdfFileWriter(f, strict=False)
        out = signers.sign_pdf(w, signers.PdfSignatureMetadata(field_name=field), signer=signer,
                               new_field_spec=fields.SigFieldSpec(field, box=box, on_page=0))
        dst.write_bytes(out.getbuffer())
    return dst


def _append_content_update(src: Path, dst: Path) -> Path:
    """An incremental update after signing that draws on page 1 (changes what the page shows)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    with open(src, "rb") as f:
        w = IncrementalPdfFileWriter(f, strict=False)
        page_ref = w.find_page_for_modification(0)[0]
        stream = generic.StreamObject(stream_data=b"q 1 0 0 rg 100 500 200 50 re f Q")
        w.add_stream_to_page(0, w.add_object(stream))
        w.update_container(page_ref)
        with open(dst, "wb") as out:
            w.write(out)
    return dst


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("sig")
    plain = make_text_pdf(tmp / "contract.pdf", [["设备采购合同", "甲方：三门峡市示例科技有限公司"], ["第二页"]])
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    good = _sign(plain, tmp / "signed.pdf", tmp)
    after = dt.datetime.now(dt.timezone.utc)
    modified = _append_content_update(good, tmp / "signed-then-modified.pdf")
    tampered = tmp / "tampered.pdf"
    data = bytearray(good.read_bytes())
    at = data.index(b"/Producer") if b"/Producer" in data else 20
    data[at + 1] = ord("Q") if data[at + 1] != ord("Q") else ord("R")  # one byte inside the signed range
    tampered.write_bytes(bytes(data))
    return {"plain": plain, "good": good, "modified": modified, "tampered": tampered, "before": before, "after": after}


def test_signed_pdf_reports_signer_time_place_and_intact(signed):
    sigs = read_signatures(signed["good"])
    assert len(sigs) == 1
    s = sigs[0]
    assert s.field == "Signature1"
    assert s.signer == SIGNER and s.organisation == ORG
    t = dt.datetime.fromisoformat(s.time)
    assert signed["before"] - dt.timedelta(seconds=2) <= t <= signed["after"] + dt.timedelta(seconds=2)
    assert s.integrity == "intact" and s.covers_whole_file is True
    assert s.signer_verified is False and "未核验" in s.reason
    assert s.page == 1
    x0, y0, x1, y1 = s.bbox  # (350, 80, 530, 160) on A4 (595 x 842), origin top-left
    assert x0 == pytest.approx(350 / 595.27, abs=0.01) and x1 == pytest.approx(530 / 595.27, abs=0.01)
    assert y0 == pytest.approx(1 - 160 / 841.89, abs=0.01) and y1 == pytest.approx(1 - 80 / 841.89, abs=0.01)


def test_incremental_update_after_signing_is_modified(signed):
    (s,) = read_signatures(signed["modified"])
    assert s.signer == SIGNER
    assert s.covers_whole_file is False
    assert s.integrity == "modified" and "签名后" in s.reason


def test_bytes_changed_inside_the_signed_range_is_modified(signed):
    (s,) = read_signatures(signed["tampered"])
    assert s.integrity == "modified" and "摘要不符" in s.reason


def test_unsigned_pdf_yields_none_and_costs_nothing(signed, monkeypatch):
    assert read_signatures(signed["plain"]) == []
    from shenbao.extract import pdf_signatures

    def boom(*a, **k):  # the cheap test must keep pyHanko out of unsigned PDFs
        raise AssertionError("pyHanko called for an unsigned PDF")

    monkeypatch.setattr(pdf_signatures, "read_signatures", boom)
    doc = extract_file(signed["plain"], "contract.pdf", NO_OCR, pm_factory())
    assert doc.kind == "pdf" and doc.digital_signatures == []


def test_garbage_never_raises(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj << /ByteRange [0 10 20 30] /Contents <00> >> endobj\n%%EOF")
    out = read_signatures(bad)
    assert all(s.integrity == "unknown" for s in out)
    assert read_signatures(tmp_path / "missing.pdf")[0].integrity == "unknown"


def test_extraction_and_cache_round_trip(signed):
    doc = extract_file(signed["good"], "signed.pdf", NO_OCR, pm_factory())
    assert [s.signer for s in doc.digital_signatures] == [SIGNER]
    back = Document.from_dict(json.loads(json.dumps(doc.to_dict())))
    assert back.digital_signatures == doc.digital_signatures
    old = doc.to_dict()
    old.pop("digital_signatures")
    old.pop("unread_pages", None)
    assert Document.from_dict(old).digital_signatures == []  # cached before the field existed


def test_inspect_json_shows_the_signer(signed, tmp_path, capsys):
    from shenbao.cli import main

    assert main(["inspect", str(signed["good"]), "--format", "json", "--cache-dir", str(tmp_path / "c")]) == 0
    data = json.loads(capsys.readouterr().out)
    (s,) = data["digital_signatures"]
    assert s["signer"] == SIGNER and s["integrity"] == "intact" and s["page"] == 1
    assert main(["inspect", str(signed["modified"]), "--cache-dir", str(tmp_path / "c")]) == 0
    text = capsys.readouterr().out
    assert SIGNER in text and "签名后文件被修改" in text


def test_check_report_lists_signatures_as_evidence(signed, tmp_path, capsys):
    import shutil

    import jsonschema

    from shenbao.cli import main
    from shenbao.programs import load_schema

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    shutil.copy(signed["good"], pkg / "合同.pdf")
    shutil.copy(signed["modified"], pkg / "合同-改.pdf")
    base = ["check", str(pkg), "--program", "smx2025-intelligent-retrofit", "--no-cache", "--no-ocr", "--jobs", "1",
            "--no-progress"]
    assert main(base + ["--format", "json"]) in (0, 1)
    report = json.loads(capsys.readouterr().out)
    jsonschema.validate(report, load_schema("report.schema.json"))
    rows = {s["path"]: s for s in report["digital_signatures"]}
    assert rows["合同.pdf"]["signer"] == SIGNER and rows["合同.pdf"]["integrity"] == "intact"
    assert rows["合同-改.pdf"]["integrity"] == "modified"
    assert not [f for f in report["findings"] if "签名" in (f["message_zh"] or "") and f["rule"] == "file-unreadable"]
    assert main(base + ["--format", "text"]) in (0, 1)
    text = capsys.readouterr().out
    assert f"数字签名：签署人 {SIGNER} / {ORG}" in text and "文件未被修改" in text and "签名后文件已被修改" in text
    assert main(base + ["--format", "text", "--lang", "en"]) in (0, 1)
    assert f"Digital signature: signed by {SIGNER}" in capsys.readouterr().out
