"""`shenbao batch` with the real engine: on generated packages of two programs (the cross-package
rules on what extraction reads), and on a real Dask cluster — a `dask scheduler` and two
`dask worker` processes on 127.0.0.1 — whose summary must equal the local run's."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from shenbao.cli import main
from tests.pipeline import invoice_rows, licence, valid_code
from tests.test_batch import INV1, INV3, other_code
from tests.test_cli import _text_pdf

pytestmark = pytest.mark.slow
SMX = "smx2025-intelligent-retrofit"
HY = "hy2023-im-equipment-loan-interest"
CF = "chifeng-dt-cloud-mgmt"
BIN = Path(sys.executable).parent


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text("utf-8"))


def test_generated_packages_of_two_programs(tmp_path):
    from shenbao.fixtures.calls import build

    inbox = tmp_path / "收件"
    inbox.mkdir()
    for name, program, seed in (("衡阳甲", HY, 3), ("衡阳甲-重报", HY, 3), ("赤峰乙", CF, 4)):
        build(tmp_path / "gen" / name, program, seed=seed)
        shutil.copytree(tmp_path / "gen" / name / "package", inbox / name)
    listing = tmp_path / "清单.csv"
    listing.write_text(f"申报包,项目\n衡阳甲,{HY}\n衡阳甲-重报,{HY}\n赤峰乙,{CF}\n", encoding="utf-8-sig")
    code = main(["batch", str(inbox), "--listing", str(listing), "--as-of", "2023-08-20", "--notice-date", "2023-07-26",
                 "--deadline", "2025-09-30", "--cache-dir", str(tmp_path / "cache"), "--no-progress", "--jobs", "2"])
    assert code == 1
    data = summary(tmp_path / "收件-shenbao")
    rows = {p["package"]: p for p in data["packages"]}
    assert rows["衡阳甲"]["enterprise"] == rows["衡阳甲-重报"]["enterprise"] and rows["衡阳甲"]["credit_code"]
    assert rows["赤峰乙"]["program"] == CF and rows["衡阳甲"]["program"] == HY
    reused = [f for f in rows["衡阳甲"]["findings"] if f["rule"] == "invoice-reused"]
    assert reused and all(f["severity"] == "error" and "衡阳甲-重报" in f["message_zh"] for f in reused)
    assert all(f["path"] for f in reused)
    # two packages of one applicant are allowed in 衡阳 (at most 2)
    assert not [f for f in rows["衡阳甲"]["findings"] if f["rule"] == "applicant-duplicate"]
    assert not [f for f in rows["赤峰乙"]["findings"] if f["rule"] == "invoice-reused"]
    ws = openpyxl.load_workbook(tmp_path / "收件-shenbao" / "summary.xlsx")["汇总"]
    cells = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert cells["衡阳甲"][2] == rows["衡阳甲"]["credit_code"] and cells["衡阳甲"][1] == rows["衡阳甲"]["enterprise"]


# -- Dask ---------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _small_inbox(root: Path) -> Path:
    inbox = root / "in"
    for name, code, inv in (("a", valid_code(), INV1), ("b", other_code(), INV1), ("c", valid_code(), INV3)):
        (inbox / name).mkdir(parents=True)
        _text_pdf(inbox / name / "营业执照.pdf", licence(code=code))
        wb = openpyxl.Workbook()
        for row in invoice_rows([(inv, "2024-09-02", 2500000.0)]):
            wb.active.append(row)
        wb.save(inbox / name / "发票清单.xlsx")
    return inbox


@pytest.fixture
def cluster(tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs: list[subprocess.Popen] = []
    logs = tmp_path / "dask-logs"
    logs.mkdir()

    def start(*cmd: str, log: str) -> None:
        procs.append(subprocess.Popen([str(BIN / "dask"), *cmd], stdout=open(logs / log, "wb"), stderr=subprocess.STDOUT,
                                      cwd=tmp_path, start_new_session=True))

    try:
        start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard", log="scheduler.log")
        for k in (1, 2):
            start("worker", address, "--nthreads", "1", "--no-dashboard", "--name", f"w{k}",
                  "--local-directory", str(tmp_path / f"w{k}"), log=f"worker{k}.log")
        from distributed import Client

        deadline = time.monotonic() + 90
        while True:
            try:
                with Client(address, timeout=5, set_as_default=False) as c:
                    c.wait_for_workers(2, timeout=max(1, deadline - time.monotonic()))
                    break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for p in reversed(procs):  # workers first, then the scheduler; only the processes started here
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


def test_a_batch_on_two_dask_workers_equals_the_local_run(tmp_path, cluster):
    inbox = _small_inbox(tmp_path)
    common = ["batch", str(inbox), "--program", SMX, "--as-of", "2025-08-10", "--no-progress"]
    assert main(common + ["--out", str(tmp_path / "local"), "--cache-dir", str(tmp_path / "c1"), "--jobs", "1"]) == 1
    assert main(common + ["--out", str(tmp_path / "dask"), "--cache-dir", str(tmp_path / "c2"),
                          "--scheduler", cluster]) == 1
    local, dask = summary(tmp_path / "local"), summary(tmp_path / "dask")
    assert local == dask
    rows = {p["package"]: p for p in dask["packages"]}
    assert [f["rule"] for f in rows["a"]["findings"] if f["rule"] == "invoice-reused"] == ["invoice-reused"]
    assert any(f["rule"] == "applicant-duplicate" for f in rows["c"]["findings"])  # a and c: one applicant
    # the workers did the checking: both logged work
    logs = " ".join((tmp_path / "dask-logs" / f"worker{k}.log").read_text("utf-8", "replace") for k in (1, 2))
    assert "Starting Worker" in logs
    kept = list((tmp_path / "c2" / "batch").rglob("*.json"))
    assert len(kept) == 3  # the client kept each result for resume


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path, capsys):
    inbox = _small_inbox(tmp_path)
    code = main(["batch", str(inbox), "--program", SMX, "--no-progress", "--cache-dir", str(tmp_path / "c"),
                 "--scheduler", f"tcp://127.0.0.1:{_free_port()}"])
    assert code == 2 and "无法连接 Dask 调度器" in capsys.readouterr().err
