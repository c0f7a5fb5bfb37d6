"""`shenbao batch`: what a county reviewer sees — the xlsx cells, the csv rows, summary.json, the
HTML index, exit codes and messages — with the per-package check stubbed through
``shenbao.batch.command.CHECK`` (tests/batch_stub.py: the real classify -> facts -> checks on
documents in memory), and `shenbao check` on a folder of several packages."""
from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

import shenbao.batch.command as command
from shenbao.cli import main
from tests.batch_stub import fake_check, write_stub
from tests.pipeline import doc, licence, run, valid_code

SMX = "smx2025-intelligent-retrofit"
HY = "hy2023-im-equipment-loan-interest"
CF = "chifeng-dt-cloud-mgmt"
INV1, INV2, INV3 = "25412000000012345678", "25412000000012345679", "25412000000012345680"


def other_code() -> str:
    from shenbao.facts.credit_code import check_digit

    body = "91411202MA9KXY987"
    return body + check_digit(body)


@pytest.fixture
def stub(monkeypatch):
    monkeypatch.setattr(command, "CHECK", fake_check)


def batch(tmp_path, inbox, *extra, program=SMX):
    args = ["batch", str(inbox), "--as-of", "2025-08-10", "--cache-dir", str(tmp_path / "cache"), "--no-progress",
            "--jobs", "1"]
    if program:
        args += ["--program", program]
    return main(args + list(extra))


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text("utf-8"))


def row_of(data: dict, name: str) -> dict:
    [row] = [p for p in data["packages"] if p["package"] == name]
    return row


def findings_of(data: dict, name: str, rule: str) -> list[dict]:
    return [f for f in row_of(data, name)["findings"] if f["rule"] == rule]


# -- the summaries ----------------------------------------------------------------------------------

def test_one_row_per_package_in_xlsx_csv_json_and_html(tmp_path, stub, capsys):
    inbox = tmp_path / "收件"
    write_stub(inbox / "甲公司", code=valid_code(), invoices=[[INV1, 1200000], [INV2, 900000]])
    write_stub(inbox / "乙公司", code=other_code(), name="三门峡市乙机械有限公司", invoices=[[INV3, 2500000]])
    (inbox / "丙公司.zip").write_bytes(b"PK\x03\x04 this is not a whole zip")  # a broken zip
    (inbox / "丁公司").mkdir()  # an empty folder
    (inbox / "说明.txt").write_text("给审核人员的说明", "utf-8")
    assert batch(tmp_path, inbox) == 1
    err = capsys.readouterr().err
    assert "说明.txt" in err and "不是文件夹或 zip 压缩包" in err
    out = tmp_path / "收件-shenbao"  # next to the inbox, never inside it or a package
    # a JSON and a self-contained HTML report for each package that could be checked
    assert sorted(p.name for p in (out / "reports").iterdir()) == [
        "丁公司.html", "丁公司.json", "丙公司.zip.html", "丙公司.zip.json", "乙公司.html", "乙公司.json", "甲公司.html", "甲公司.json"]
    page = (out / "reports" / "乙公司.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "三门峡市乙机械有限公司" in page and "http://" not in page
    assert not any(p.name not in ("甲公司", "乙公司", "丙公司.zip", "丁公司", "说明.txt") for p in inbox.iterdir())
    assert sorted(p.name for p in (inbox / "甲公司").iterdir()) == ["stub.json"]

    wb = openpyxl.load_workbook(out / "summary.xlsx")
    ws = wb["汇总"]
    head = [c.value for c in ws[1]]
    assert head[:9] == ["申报包", "企业名称", "统一社会信用代码", "项目", "结论", "错误", "警告", "待核实", "最严重的问题"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    rows = {r[0]: dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"甲公司", "乙公司", "丙公司.zip", "丁公司"}
    assert rows["甲公司"]["统一社会信用代码"] == valid_code()
    assert rows["乙公司"]["企业名称"] == "三门峡市乙机械有限公司"
    assert rows["甲公司"]["结论"] == "有错误" and rows["甲公司"]["项目"] == SMX
    assert rows["丙公司.zip"]["最严重的问题"].startswith("[file-unreadable]")
    assert "空的申报包" in rows["丁公司"]["备注"]
    assert "material-missing" in head and re.fullmatch(r"错\d+.*", rows["甲公司"]["material-missing"])
    link = ws.cell(2, head.index("报告") + 1)
    assert link.hyperlink.target == f"reports/{link.value[len('reports/'):]}" and (out / link.value).is_file()
    ws2 = wb["全部问题"]
    head2 = [c.value for c in ws2[1]]
    assert head2[:5] == ["申报包", "企业名称", "规则", "严重程度", "待核实"] and ws2.freeze_panes == "A2"
    assert sum(1 for r in ws2.iter_rows(min_row=2, values_only=True)) == sum(
        r["错误"] + r["警告"] for r in rows.values()) + sum(
        1 for p in summary(out)["packages"] for f in p["findings"] if f["severity"] == "info")

    with open(out / "summary.csv", encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    assert lines[0] == head and len(lines) == 5
    assert lines[1][:5] == [str(rows["丁公司"][h] or "") for h in head[:5]]  # same rows, same order

    data = summary(out)
    assert data["totals"] == {"packages": 4, "failed": 0, "errors": 4, "warnings": 0, "passed": 0}
    assert [n["name"] for n in data["not_packages"]] == ["说明.txt"]
    assert not any("HTML 报告未生成" in n for n in data["notes"])

    page = (out / "index.html").read_text("utf-8")
    assert all(name in page for name in ("甲公司", "乙公司", "丙公司.zip", "丁公司", "有错误"))
    assert 'href="reports/' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # self-contained, no network


def test_english_summary(tmp_path, stub):
    inbox = tmp_path / "in"
    write_stub(inbox / "a", code=valid_code())
    assert batch(tmp_path, inbox, "--lang", "en", "--out", str(tmp_path / "o")) == 1
    ws = openpyxl.load_workbook(tmp_path / "o" / "summary.xlsx")["Summary"]
    assert [c.value for c in ws[1]][:5] == ["Package", "Enterprise", "Credit code", "Program", "Verdict"]
    assert ws.cell(2, 5).value == "errors"
    assert "Batch check summary" in (tmp_path / "o" / "index.html").read_text("utf-8")


def test_exit_0_when_no_package_has_errors(tmp_path, stub):
    inbox = tmp_path / "in"
    write_stub(inbox / "a", code=valid_code())
    write_stub(inbox / "b", code=other_code())
    assert batch(tmp_path, inbox, "--select", "credit-code-invalid") == 0
    data = summary(tmp_path / "in-shenbao")
    assert [p["verdict"] for p in data["packages"]] == ["passed", "passed"]


# -- usage errors: exit 2, a sentence, nothing written ------------------------------------------------

def test_usage_errors(tmp_path, stub, capsys):
    inbox = tmp_path / "in"
    write_stub(inbox / "a", code=valid_code())
    assert batch(tmp_path, tmp_path / "nowhere") == 2
    assert "找不到收件文件夹" in capsys.readouterr().err
    assert batch(tmp_path, inbox, program="no-such-program") == 2
    assert "未知项目" in capsys.readouterr().err
    assert batch(tmp_path, inbox, "--out", str(inbox / "out")) == 2
    assert "输出文件夹不能在收件文件夹之内" in capsys.readouterr().err
    assert batch(tmp_path, inbox, program=None) == 2
    assert "没有指定项目" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert batch(tmp_path, tmp_path / "empty") == 2
    assert "没有申报包" in capsys.readouterr().err
    (tmp_path / "prev.json").write_text("{}", "utf-8")
    assert batch(tmp_path, inbox, "--since", str(tmp_path / "prev.json")) == 2
    assert "不是 shenbao batch 生成的 summary.json" in capsys.readouterr().err
    assert not (tmp_path / "in-shenbao").exists()


def test_a_crashing_package_is_a_row_and_the_batch_goes_on(tmp_path, stub, capsys):
    inbox = tmp_path / "in"
    write_stub(inbox / "a", code=valid_code())
    write_stub(inbox / "b", crash=True)
    assert batch(tmp_path, inbox) == 2  # the tool failed on one package; the summary is still written
    err = capsys.readouterr().err
    assert "b: 检查失败" in err and "Traceback" not in err
    data = summary(tmp_path / "in-shenbao")
    assert row_of(data, "b")["verdict"] == "failed" and "stub crash" in row_of(data, "b")["error"]
    assert row_of(data, "a")["verdict"] == "errors"
    ws = openpyxl.load_workbook(tmp_path / "in-shenbao" / "summary.xlsx")["汇总"]
    assert [r[4] for r in ws.iter_rows(min_row=2, values_only=True)] == ["有错误", "检查失败"]


# -- programs per package -------------------------------------------------------------------------------

def test_programs_from_a_listing_file_and_from_shenbao_toml(tmp_path, stub, monkeypatch):
    inbox = tmp_path / "in"
    for name in ("a", "b", "c"):
        write_stub(inbox / name, code=valid_code())
    listing = tmp_path / "清单.csv"
    listing.write_text("序号,申报包,项目\n1,a,hy2023-im-equipment-loan-interest\n", encoding="utf-8-sig")
    (tmp_path / "shenbao.toml").write_text('[packages]\n"in/b" = "chifeng-dt-cloud-mgmt"\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    assert batch(tmp_path, inbox, "--listing", str(listing), "--notice-date", "2025-06-01",
                 "--deadline", "2025-09-30") == 1
    data = summary(tmp_path / "in-shenbao")
    assert [(p["package"], p["program"]) for p in data["packages"]] == [("a", HY), ("b", CF), ("c", SMX)]
    wb = openpyxl.Workbook()
    wb.active.append(["package", "program"])
    wb.active.append(["c", HY])
    wb.save(tmp_path / "list.xlsx")
    assert batch(tmp_path, inbox, "--listing", str(tmp_path / "list.xlsx"), "--out", str(tmp_path / "o2"),
                 "--notice-date", "2025-06-01", "--deadline", "2025-09-30") == 1
    assert row_of(summary(tmp_path / "o2"), "c")["program"] == HY


# -- cross-package checks -------------------------------------------------------------------------------

def test_invoice_reused_is_an_error_in_both_packages_naming_the_other(tmp_path, stub):
    inbox = tmp_path / "in"
    write_stub(inbox / "甲", code=valid_code(), invoices=[[INV1, 1200000], [INV2, 900000]])
    write_stub(inbox / "乙", code=other_code(), name="三门峡市乙机械有限公司", invoices=[[INV2, 900000]])
    write_stub(inbox / "丙", code=other_code(), name="三门峡市丙有限公司", invoices=[[INV3, 900000]])
    assert batch(tmp_path, inbox) == 1
    data = summary(tmp_path / "in-shenbao")
    [a], [b] = findings_of(data, "甲", "invoice-reused"), findings_of(data, "乙", "invoice-reused")
    assert a["severity"] == b["severity"] == "error"
    assert INV2 in a["message_zh"] and "乙" in a["message_zh"] and "甲" in b["message_zh"]
    assert a["path"] == "发票清单.xlsx" and "L564-566" in a["basis"]
    assert findings_of(data, "丙", "invoice-reused") == []  # its invoice is its own
    report = json.loads((tmp_path / "in-shenbao" / "reports" / "甲.json").read_text("utf-8"))
    rule = [r for r in report["rules"] if r["id"] == "invoice-reused"][0]
    assert rule["findings"] == 1 and report["summary"]["errors"] == sum(f["severity"] == "error" for f in report["findings"])


def test_invoice_reused_pairs_code_and_number_of_an_invoice_page():
    from shenbao.check import BatchItem
    from checks.invoice_reused import InvoiceReused

    items = [BatchItem("甲", SMX, {"basis": "b"}, [{"key": "044001900111-12345678", "label": "发票代码 044001900111 号码 12345678",
                                                    "path": "发票1.pdf", "page": 1, "sure": True}]),
             BatchItem("乙", SMX, {"basis": "b"}, [{"key": "044001900111-12345678", "label": "发票代码 044001900111 号码 12345678",
                                                    "path": "fp.pdf", "page": 2, "sure": False}]),
             BatchItem("丙", SMX, {"basis": "b"}, [{"key": "044001900112-12345678", "label": "x", "path": "f.pdf",
                                                    "page": 1, "sure": True}])]
    got = list(InvoiceReused().judge(items))
    assert sorted(p for p, _ in got) == ["乙", "甲"]  # same 号码 under another 代码 is another invoice
    # an OCR reading of low confidence on either side: uncertain, a warning to look at
    assert {f.severity for _, f in got} == {"warning"} and all(f.uncertain for _, f in got)


def test_applicant_duplicate_hengyang_two_allowed_three_is_an_error(tmp_path, stub):
    inbox = tmp_path / "in"
    for name in ("a", "b"):
        write_stub(inbox / name, code=valid_code())
    assert batch(tmp_path, inbox, program=HY) == 1
    assert all(findings_of(summary(tmp_path / "in-shenbao"), n, "applicant-duplicate") == [] for n in ("a", "b"))
    write_stub(inbox / "c", code=valid_code())
    write_stub(inbox / "d", code=other_code())
    assert batch(tmp_path, inbox, "--out", str(tmp_path / "o"), program=HY) == 1
    data = summary(tmp_path / "o")
    for name in ("a", "b", "c"):
        [f] = findings_of(data, name, "applicant-duplicate")
        assert f["severity"] == "error" and valid_code() in f["message_zh"] and "超过通知允许的 2 个" in f["message_zh"]
        assert "L39" in f["basis"] and "产业数字化工作推进项目除外" in f["basis"]
        assert all(o in f["message_zh"] for o in {"a", "b", "c"} - {name})
    assert findings_of(data, "d", "applicant-duplicate") == []


def test_applicant_duplicate_sanmenxia_warns_beyond_one_and_chifeng_sets_no_limit(tmp_path, stub):
    inbox = tmp_path / "in"
    for name in ("a", "b"):
        write_stub(inbox / name, code=valid_code())
    batch(tmp_path, inbox)
    data = summary(tmp_path / "in-shenbao")
    [f] = findings_of(data, "a", "applicant-duplicate")
    assert f["severity"] == "warning" and "L375-377" in f["basis"] and "原则上" in f["basis"]
    batch(tmp_path, inbox, "--out", str(tmp_path / "o"), "--notice-date", "2025-06-01", "--deadline", "2025-09-30",
          program=CF)
    assert all(findings_of(summary(tmp_path / "o"), n, "applicant-duplicate") == [] for n in ("a", "b"))


def test_check_on_one_package_does_not_run_or_pass_the_batch_rules():
    report = run([doc("营业执照.pdf", licence())])
    ids = {r["id"] for r in report["rules"]}
    assert "invoice-reused" not in ids and "applicant-duplicate" not in ids and "credit-code-invalid" in ids
    assert "cross_package" not in report


def test_the_new_rules_are_documented_with_their_basis(capsys):
    assert main(["rules", "--format", "json"]) == 0
    ids = {r["id"] for r in json.loads(capsys.readouterr().out)}
    assert {"invoice-reused", "applicant-duplicate"} <= ids
    assert main(["rule", "applicant-duplicate"]) == 0
    out = capsys.readouterr().out
    assert "检查内容" in out and "为何重要" in out and "如何修复" in out
    assert "hy2023-im-equipment-loan-interest" in out and "L39" in out and "L375-377" in out
    assert "chifeng" not in out  # the 赤峰 guide sets no limit
    assert main(["rule", "invoice-reused", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "What it checks" in out and "How to fix" in out and "L564-566" in out and "chifeng-dt-cloud-mgmt" in out


# -- resume, --since, parallel ----------------------------------------------------------------------

def counting_check(job: dict) -> dict:
    log = Path(job["path"]).parent.parent / "checked.log"
    with open(log, "a", encoding="utf-8") as f:
        f.write(Path(job["path"]).name + "\n")
    return fake_check(job)


def test_a_rerun_skips_finished_packages_and_rechecks_a_changed_one(tmp_path, monkeypatch):
    monkeypatch.setattr(command, "CHECK", counting_check)
    inbox = tmp_path / "in"
    write_stub(inbox / "a", code=valid_code())
    write_stub(inbox / "b", code=other_code())
    log = tmp_path / "checked.log"
    assert batch(tmp_path, inbox) == 1
    assert sorted(log.read_text().split()) == ["a", "b"]
    first = summary(tmp_path / "in-shenbao")
    log.unlink()
    assert batch(tmp_path, inbox) == 1
    assert not log.exists()  # both kept: nothing checked again
    assert summary(tmp_path / "in-shenbao") == first
    write_stub(inbox / "b", code=other_code(), invoices=[[INV1, 10]])
    assert batch(tmp_path, inbox, "--as-of", "2025-08-10") == 1
    assert log.read_text().split() == ["b"]
    log.unlink()
    assert batch(tmp_path, inbox, "--as-of", "2025-08-11") == 1  # other settings: checked again
    assert sorted(log.read_text().split()) == ["a", "b"]


def test_since_marks_findings_new_unchanged_and_fixed(tmp_path, stub):
    inbox = tmp_path / "in"
    write_stub(inbox / "a", code=valid_code(), invoices=[[INV1, 1200000]])
    write_stub(inbox / "b", code=other_code(), name="三门峡市乙机械有限公司", invoices=[[INV1, 1200000]])
    batch(tmp_path, inbox, "--out", str(tmp_path / "run1"))
    prev = tmp_path / "run1" / "summary.json"
    assert len(findings_of(summary(tmp_path / "run1"), "a", "invoice-reused")) == 1
    # b resubmits with its own invoice; a is unchanged
    write_stub(inbox / "b", code=other_code(), name="三门峡市乙机械有限公司", invoices=[[INV3, 1200000], [INV2, 5]])
    batch(tmp_path, inbox, "--out", str(tmp_path / "run2"), "--since", str(prev))
    data = summary(tmp_path / "run2")
    a = row_of(data, "a")
    assert [f["rule"] for f in a["fixed"]] == ["invoice-reused"] and a["fixed"][0]["change"] == "fixed"
    assert {f["change"] for f in a["findings"]} == {"unchanged"}
    b = row_of(data, "b")
    assert b["new"] >= 1 and any(f["change"] == "new" and f["rule"] == "amount-below-minimum" for f in b["findings"])
    wb = openpyxl.load_workbook(tmp_path / "run2" / "summary.xlsx")
    head = [c.value for c in wb["汇总"][1]]
    assert "新增" in head and "已修复" in head
    rows = {r[0]: dict(zip(head, r)) for r in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert rows["a"]["新增"] == 0 and rows["a"]["已修复"] == 1
    head2 = [c.value for c in wb["全部问题"][1]]
    assert head2[-1] == "变化"
    fixed = [r for r in wb["全部问题"].iter_rows(min_row=2, values_only=True) if r[-1] == "已修复"]
    assert [(r[0], r[2]) for r in fixed] == [("a", "invoice-reused"), ("b", "invoice-reused")]


def test_two_local_processes_give_the_same_summary_as_one(tmp_path, stub):
    inbox = tmp_path / "in"
    write_stub(inbox / "a", code=valid_code(), invoices=[[INV1, 1200000]])
    write_stub(inbox / "b", code=other_code(), invoices=[[INV1, 1200000]])
    write_stub(inbox / "c", code=valid_code())
    batch(tmp_path, inbox, "--out", str(tmp_path / "one"), "--no-cache")
    args = ["batch", str(inbox), "--program", SMX, "--as-of", "2025-08-10", "--no-cache", "--no-progress",
            "--jobs", "2", "--out", str(tmp_path / "two")]
    assert main(args) == 1
    one, two = summary(tmp_path / "one"), summary(tmp_path / "two")
    assert one["packages"] and one["packages"] == two["packages"]


def test_the_progress_bar_shows_from_the_first_second():
    from rich.console import Console

    buf = io.StringIO()
    bar = command.BatchProgress(True, 3, console=Console(file=buf, force_terminal=True, width=120))
    bar(0, 3, "甲公司")
    time.sleep(0.6)
    shown = buf.getvalue()
    bar.close()
    assert "检查申报包" in shown and "0/3" in shown and "甲公司" in shown and "ETA" in shown


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, stub, capsys):
    inbox = tmp_path / "in"
    write_stub(inbox / "a", code=valid_code())
    main(["batch", str(inbox), "--program", SMX, "--as-of", "2025-08-10", "--cache-dir", str(tmp_path / "c")])
    assert "检查申报包 / packages" not in capsys.readouterr().err


# -- `check` on a folder of several packages ------------------------------------------------------------

def _named_files(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in names:
        (folder / n).write_bytes(b"%PDF-1.4\n%%EOF\n")


def test_check_on_an_inbox_of_folders_or_zips_points_to_batch(tmp_path, capsys):
    inbox = tmp_path / "收件"
    _named_files(inbox / "企业一", "营业执照.pdf", "申请表.pdf", "审计报告.pdf")
    _named_files(inbox / "企业二", "1-封面.pdf", "营业执照副本.pdf")
    code = main(["check", str(inbox), "--program", SMX, "--cache-dir", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 2 and "似乎包含多个申报包" in err and "shenbao batch" in err and "企业一" in err and "企业二" in err
    assert "several packages" in err and "--one-package" in err
    zips = tmp_path / "zips"
    zips.mkdir()
    for name in ("甲科技有限公司.zip", "乙机械厂.zip"):
        with zipfile.ZipFile(zips / name, "w") as z:
            z.writestr("材料/说明.pdf", b"%PDF-1.4\n%%EOF\n")
    assert main(["check", str(zips), "--program", SMX, "--cache-dir", str(tmp_path / "c")]) == 2
    assert "shenbao batch" in capsys.readouterr().err


def test_one_package_with_material_subfolders_checks_normally(tmp_path, capsys):
    from tests.test_cli import _text_pdf

    pkg = tmp_path / "申报材料"
    (pkg / "01 基本材料").mkdir(parents=True)
    (pkg / "02 财务材料").mkdir()
    (pkg / "03 发票").mkdir()
    _text_pdf(pkg / "01 基本材料" / "营业执照.pdf", licence())
    _named_files(pkg / "01 基本材料", "申请表.pdf", "承诺书.pdf")
    _named_files(pkg / "02 财务材料", "审计报告.pdf")
    _named_files(pkg / "03 发票", "发票1.pdf", "发票2.pdf")
    code = main(["check", str(pkg), "--program", SMX, "--as-of", "2025-08-10", "--format", "json",
                 "--cache-dir", str(tmp_path / "c"), "--jobs", "1"])
    captured = capsys.readouterr()
    assert code == 1 and json.loads(captured.out)["applicant"]["credit_code"] == valid_code()
    assert "batch" not in captured.err


def test_check_warns_when_licences_are_read_in_several_subfolders(tmp_path, capsys):
    from tests.test_cli import _text_pdf

    inbox = tmp_path / "inbox"
    for name, code in (("a", valid_code()), ("b", other_code())):
        (inbox / name).mkdir(parents=True)
        # names say nothing; the contents do: each folder its own licence and its own cover
        _text_pdf(inbox / name / "scan001.pdf", licence(code=code))
        _text_pdf(inbox / name / "scan002.pdf", "三门峡市2025年度“三大改造”项目申请报告\n申请单位：三门峡市某某有限公司\n"
                                                 "项目联系人：王明\n联系方式：13800000000\n填报日期：2025年8月1日")
    code = main(["check", str(inbox), "--program", SMX, "--as-of", "2025-08-10", "--format", "json",
                 "--cache-dir", str(tmp_path / "c"), "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1 and "警告 / warning" in err and "shenbao batch" in err and "a、b" in err


def interrupted_at_c(job: dict) -> dict:
    if Path(job["path"]).name == "c":
        raise KeyboardInterrupt  # the reviewer presses Ctrl-C while c is being checked
    return counting_check(job)


def test_an_interrupted_batch_resumes_where_it_stopped(tmp_path, monkeypatch, capsys):
    inbox = tmp_path / "in"
    for name in ("a", "b", "c", "d"):
        write_stub(inbox / name, code=valid_code() if name != "d" else other_code())
    log = tmp_path / "checked.log"
    monkeypatch.setattr(command, "CHECK", interrupted_at_c)
    assert batch(tmp_path, inbox) == 2
    err = capsys.readouterr().err
    assert "已中断" in err and "重新运行同一命令将跳过它们" in err and "Traceback" not in err
    assert log.read_text().split() == ["a", "b"]
    log.unlink()
    monkeypatch.setattr(command, "CHECK", counting_check)
    assert batch(tmp_path, inbox) == 1
    assert log.read_text().split() == ["c", "d"]  # a and b were kept
    assert [p["package"] for p in summary(tmp_path / "in-shenbao")["packages"]] == ["a", "b", "c", "d"]


def test_packages_checked_at_once_share_the_cores_for_ocr(monkeypatch):
    """Two local processes on a 2-core machine run OCR with one thread each, not two (four
    threads on two cores made a second Dask worker slower than one)."""
    import os

    from shenbao.batch import _ocr_threads

    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert _ocr_threads({"parallel": 2}) == 4
    assert _ocr_threads({"parallel": 16}) == 1
    assert _ocr_threads({}) == 2  # a package alone: as `shenbao check`
    # a Dask job outside a worker (no worker to ask its host): the default
    assert _ocr_threads({"workers_per_host": {"127.0.0.1": 2}}) == 2


def test_the_after_check_warning_needs_a_licence_and_a_front_in_each_sub_folder():
    """Licences read in two sub-folders alone do not make an inbox (one package kept a copy of its
    licence with each case, as the bad-input corpus does); a licence and a cover or 申请表 in each do."""
    from shenbao.cli import licences_in_units
    from shenbao.programs import programs_from_plugins
    from shenbao.plugins_manager import get_plugin_manager

    program = programs_from_plugins(get_plugin_manager())[SMX]
    lic = next(m for m in program.materials_of_kind("business_license"))
    front = next(m for m in program.materials if "封面" in m.title)

    def report(licence_paths, front_paths):
        return {"materials": [{"id": lic.id, "title": lic.title, "files": [{"path": p} for p in licence_paths]},
                              {"id": front.id, "title": front.title, "files": [{"path": p} for p in front_paths]}]}

    assert licences_in_units(report(["甲/执照.pdf", "乙/执照.pdf"], ["封面.pdf"]), program) is None
    assert licences_in_units(report(["甲/执照.pdf", "乙/执照.pdf"], ["甲/封面.pdf"]), program) is None
    assert licences_in_units(report(["甲/执照.pdf", "乙/执照.pdf"], ["甲/封面.pdf", "乙/封面.pdf"]), program) == ["乙", "甲"]
