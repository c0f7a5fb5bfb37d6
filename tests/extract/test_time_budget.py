"""The whole-run time budget (--time-budget): pages not read in time are listed, the rest is checked."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from extract_helpers import LICENSE_LINES, pm_factory, scan_image

from shenbao.extract import Cache, ExtractSettings, cacheable, extract_all

PROGRAM = "smx2025-intelligent-retrofit"
FILLER = ["设备采购合同（续）", "第五条 质量保证：乙方保证所供设备符合国家标准及行业标准。",
          "第六条 违约责任：任何一方违约，应向守约方支付违约金。"]


def make_scan_pdf(path: Path, pages: list[list[str]], dpi: float = 200.0) -> Path:
    """A scanner-like PDF: one greyscale JPEG page image per list of lines, no text layer."""
    ims = [scan_image(lines).convert("L") for lines in pages]
    ims[0].save(path, "PDF", save_all=True, append_images=ims[1:], resolution=dpi)
    return path


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    pkg = tmp_path_factory.mktemp("budget") / "package"
    pkg.mkdir()
    make_scan_pdf(pkg / "scan.pdf", [LICENSE_LINES, FILLER, FILLER, FILLER])
    return pkg


def _run_cli(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shenbao.cli", *args], capture_output=True, text=True, timeout=600)


def test_tiny_budget_lists_unread_pages_without_failing(package, tmp_path):
    r = _run_cli(["check", str(package), "--program", PROGRAM, "--format", "json", "--no-cache",
                  "--no-progress", "--jobs", "1", "--time-budget", "0.001"])
    assert r.returncode in (0, 1), r.stderr
    assert "Traceback" not in r.stderr
    report = json.loads(r.stdout)
    (entry,) = [f for f in report["files"] if f["path"] == "scan.pdf"]
    assert entry["unread_pages"] and entry["unread_pages"][-1] == 4
    (f,) = [f for f in report["findings"] if f["rule"] == "file-unreadable" and f["path"] == "scan.pdf"]
    assert f["uncertain"] is True and f["severity"] == "warning"
    assert "未在时限内读取" in f["message_zh"] and "--time-budget" in f["fix"]
    assert not [f for f in report["findings"] if f["rule"] == "page-illegible"]  # unread is not illegible
    # the unread pages may hold any material: none is surely missing
    missing = [f for f in report["findings"] if f["rule"] == "material-missing"]
    assert missing and not [f for f in missing if f["severity"] == "error"]
    assert all(f["uncertain"] and f["path"] == "scan.pdf" for f in missing if f["material"] != "project_library")
    from shenbao.programs import load_schema

    import jsonschema

    jsonschema.validate(report, load_schema("report.schema.json"))


class _Clock:
    """``time.time()`` for shenbao.extract.pdf that jumps far ahead once ``after`` pages were read."""

    def __init__(self, after: int):
        import time

        self.after, self.read, self._time = after, 0, time.time

    def time(self) -> float:
        return self._time() + (1e6 if self.read >= self.after else 0.0)


def _clocked(monkeypatch, after: int) -> _Clock:
    from shenbao.extract import pdf

    clock = _Clock(after)
    real = pdf.read_page

    def read_page(*a, **k):
        p = real(*a, **k)
        clock.read += 1
        return p

    monkeypatch.setattr(pdf, "time", clock)
    monkeypatch.setattr(pdf, "read_page", read_page)
    return clock


def test_document_cut_short_keeps_read_pages_and_is_not_cached(package, tmp_path, monkeypatch):
    import time

    _clocked(monkeypatch, after=2)
    settings = ExtractSettings(ocr=False, visual=False, deadline=time.time() + 60)
    cache = Cache(tmp_path / "cache")
    (doc,) = extract_all([(package / "scan.pdf", "scan.pdf")], settings, cache=cache, pm_factory=pm_factory)
    assert [p.number for p in doc.pages] == [1, 2, 3, 4]
    assert doc.unread_pages == [3, 4] and doc.incomplete and doc.error is None
    assert all(p.source == "none" and "未在时限内读取" in p.note for p in doc.pages[2:])
    assert all("未在时限内读取" not in (p.note or "") for p in doc.pages[:2])
    assert not cacheable(doc)
    assert cache.get(doc.sha256, settings) is None  # a partial document is never cached as complete
    assert ExtractSettings(deadline=1.0).cache_key() == ExtractSettings().cache_key()


@pytest.mark.ocr
def test_pages_read_before_the_budget_are_checked(package, monkeypatch, capsys):
    from shenbao.cli import main

    _clocked(monkeypatch, after=1)
    code = main(["check", str(package), "--program", PROGRAM, "--format", "json", "--no-cache", "--no-progress",
                 "--jobs", "1", "--time-budget", "600"])
    assert code in (0, 1)
    report = json.loads(capsys.readouterr().out)
    (entry,) = [f for f in report["files"] if f["path"] == "scan.pdf"]
    assert entry["unread_pages"] == [2, 3, 4]
    assert "business_license" in entry["materials"]  # page 1 was read, classified and checked
    (f,) = [f for f in report["findings"] if f["rule"] == "file-unreadable" and f["path"] == "scan.pdf"]
    assert "第 2–4 页" in f["message_zh"]


def test_config_key_and_flag(tmp_path):
    from shenbao.cli import _parser
    from shenbao.config import ConfigError, load_config, parse_args

    (tmp_path / "shenbao.toml").write_text("time_budget = 30\n", encoding="utf-8")
    assert load_config(tmp_path / "shenbao.toml").options["time_budget"] == 30
    args = parse_args(_parser(), ["check", str(tmp_path), "--program", PROGRAM, "--config", str(tmp_path / "shenbao.toml")])
    assert args.time_budget == 30.0
    args = parse_args(_parser(), ["check", str(tmp_path), "--program", PROGRAM, "--time-budget", "0"])
    assert args.time_budget == 0.0
    (tmp_path / "bad.toml").write_text("time_budget = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(tmp_path / "bad.toml")


# -- long scans: a poor but upright page is not read four times ------------------------------------

class _FakeEngine:
    """Reads the upright page poorly; turned, reads ``turned_text`` well (or garbage). Records sizes."""

    def __init__(self, turned_good: bool):
        self.turned_good, self.calls, self.upright = turned_good, [], None

    def recognize(self, img):
        from shenbao.model import Line

        self.calls.append(img.shape[:2])
        h, w = img.shape[:2]
        if self.upright is None:  # the first call is the upright page
            self.upright = (h, w)
            return [Line("甲方乙方合同价款", (100, y, 900, y + 40), 0.5) for y in range(100, h - 100, 80)]
        if self.turned_good:
            return [Line("甲方乙方合同价款付款方式", (50, y, w - 50, y + 40), 0.99) for y in range(50, h - 50, 80)]
        return [Line("口口", (50, 50, 120, 90), 0.4)]


def _page():
    import numpy as np

    rgb = np.full((2339, 1654, 3), 240, np.uint8)
    rgb[200:2100:80, 150:1500] = 20  # lines of ink
    return rgb


def test_poor_upright_page_probes_instead_of_three_more_full_passes(monkeypatch):
    from shenbao.extract import ocr

    eng = _FakeEngine(turned_good=False)
    monkeypatch.setattr(ocr, "get_engine", lambda name: eng)
    r = ocr.ocr_page(_page(), "fake")
    assert r.rotation == 0
    full = [c for c in eng.calls if c in ((2339, 1654), (1654, 2339))]
    assert len(full) == 1 and len(eng.calls) == 4  # one full reading, three small probes
    area = sum(h * w for h, w in eng.calls) / (2339 * 1654)
    assert area < 2.0  # was 4.0: every orientation read in full


def test_upside_down_page_still_turned(monkeypatch):
    from shenbao.extract import ocr

    eng = _FakeEngine(turned_good=True)
    monkeypatch.setattr(ocr, "get_engine", lambda name: eng)
    r = ocr.ocr_page(_page(), "fake")
    assert r.rotation == 180 and r.confidence > 0.9
