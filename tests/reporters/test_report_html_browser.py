"""The HTML report in a real browser: Debian's headless Chromium loads what `shenbao check --format
html` wrote for a small package with known defects, and the test reads what a user would see —
the verdict, every finding's message and rule, images that actually decoded, working filters — and
that the page asked for nothing over the network. It saves a screenshot and prints its path.

scripts/setup.sh installs ``chromium``; the test is skipped only where /usr/bin/chromium is absent.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from shenbao.cli import main
from tests.pipeline import credit_page, declaration, licence
from tests.reporters.htmltree import parse
from tests.test_cli import _text_pdf

CHROMIUM = Path("/usr/bin/chromium")
PROGRAM = "smx2025-intelligent-retrofit"
LICENCE = "营业执照 <副本> & 复印件.pdf"  # markup characters in a file name, shown as typed

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                     "(scripts/setup.sh installs it)"),
]


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={tmp / 'chromium-profile'}", *args]
    env = {**os.environ, "HOME": str(tmp)}  # no profile or crash dumps outside the test's folder
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, check=False)


def _tree(root: Path) -> dict:
    return {p.relative_to(root): (p.read_bytes() if p.is_file() else "dir", p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*"))}


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A package with known defects (a company under 2 years old, a stale 信用中国 query, a typed
    declaration with neither seal nor signature), checked once as JSON and once as HTML."""
    tmp = tmp_path_factory.mktemp("html-browser")
    pkg = tmp / "申报材料"
    pkg.mkdir()
    _text_pdf(pkg / "申报真实性声明.pdf", declaration())
    _text_pdf(pkg / LICENCE, licence(established="2024年05月20日"))
    _text_pdf(pkg / "信用中国查询.pdf", credit_page("失信被执行人", when="2024-12-01 09:00:00"))
    before = _tree(pkg)
    common = ["check", str(pkg), "--program", PROGRAM, "--as-of", "2025-08-10", "--no-progress",
              "--cache-dir", str(tmp / "cache")]
    assert main([*common, "--format", "json", "--output", str(tmp / "report.json")]) == 1
    html_path = tmp / "out" / "report.html"
    assert main([*common, "--format", "html", "--output", str(html_path), "--evidence", str(tmp / "evidence")]) == 1
    assert _tree(pkg) == before  # the package is only read
    report = json.loads((tmp / "report.json").read_text("utf-8"))
    return tmp, html_path, report


def test_report_in_chromium_shows_verdict_findings_images_and_filters(checked):
    tmp, html_path, report = checked
    # the defects the package was built with are in the report (else this test proves nothing)
    rules = {(f["rule"], f["path"]) for f in report["findings"]}
    assert {("registration-age", LICENCE), ("credit-query-date", "信用中国查询.pdf"),
            ("seal-missing", "申报真实性声明.pdf"), ("signature-missing", "申报真实性声明.pdf")} <= rules

    run = _chromium(tmp, "--virtual-time-budget=5000", "--dump-dom", html_path.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    dom = parse(run.stdout)
    assert dom.find_all("html")[0].attrs.get("data-loaded") == "true", "the page's script did not run to load"

    # the verdict, at the top
    verdict = dom.by_class("verdict-word")
    assert verdict and verdict[0].text == "不通过"
    assert "三门峡" in dom.by_id("top").text and PROGRAM in dom.by_id("top").text

    # every finding, with its message, rule and location, exactly once
    articles = dom.by_class("finding")
    assert len(articles) == len(report["findings"])
    shown = [(a.attrs["data-rule"], a.by_class("message")[0].text) for a in articles]
    assert sorted(shown) == sorted((f["rule"], f["message"]) for f in report["findings"])
    [age] = [a for a in articles if a.attrs["data-rule"] == "registration-age"]
    assert f"{LICENCE} · 第 1 页" in age.text and "注册年限不足" in age.text  # the rule's title, not only its id

    # images: decoded by the browser (naturalWidth > 0), each next to a finding that names a page
    imgs = dom.find_all("img")
    assert len(imgs) >= 4
    for img in imgs:
        assert img.attrs["src"].startswith("data:image/"), img.attrs["src"][:40]
        assert int(img.attrs.get("data-natural-width", "0")) > 0, img.attrs.get("alt")
    for a in articles:
        if a.attrs["data-rule"] in ("registration-age", "credit-query-date", "signature-missing"):
            assert [i.attrs["class"] for i in a.find_all("img")] == ["thumb", "crop"], a.attrs["data-rule"]
        if a.attrs["data-rule"] == "material-missing":
            assert a.find_all("img") == []

    # the filters are there and shown (the script ran): severity boxes, a rule list, a count
    form = dom.by_id("filters")
    assert form is not None and "hidden" not in form.attrs
    assert {i.attrs["value"] for i in form.find_all("input")} >= {"error"}
    assert "registration-age" in [o.attrs["value"] for o in form.find_all("option")]
    n = len(report["findings"])
    assert dom.by_id("filter-count").text == f"显示 {n} / {n} 条问题"

    # nothing from the network: every src/href is in-page or data:
    for node in dom.iter():
        for attr in ("src", "href", "srcset", "action", "poster"):
            v = node.attrs.get(attr)
            assert v is None or v.startswith(("#", "data:")), (node.tag, attr, v[:60])
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", run.stdout)

    shot = tmp / "html-report.png"
    run = _chromium(tmp, "--hide-scrollbars", f"--screenshot={shot}", "--window-size=1280,2000", html_path.as_uri())
    assert run.returncode == 0 and shot.stat().st_size > 20_000, run.stderr[-2000:]
    print(f"\nscreenshot of the HTML report: {shot}")


def test_a_link_can_preset_the_filters_in_chromium(checked):
    tmp, html_path, report = checked
    run = _chromium(tmp, "--virtual-time-budget=5000", "--dump-dom", html_path.as_uri() + "#rule=signature-missing")
    assert run.returncode == 0, run.stderr[-2000:]
    dom = parse(run.stdout)
    visible = [a.attrs["data-rule"] for a in dom.by_class("finding") if "is-filtered" not in a.attrs["class"].split()]
    assert visible == ["signature-missing"]
    assert dom.by_id("filter-count").text == f"显示 1 / {len(report['findings'])} 条问题"


def test_prints_on_a4_without_the_filters(checked):
    import pypdfium2 as pdfium

    tmp, html_path, report = checked
    pdf_path = tmp / "printed.pdf"
    run = _chromium(tmp, "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}", html_path.as_uri())
    assert run.returncode == 0 and pdf_path.exists(), run.stderr[-2000:]
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        sizes = {tuple(round(v) for v in pdf[i].get_size()) for i in range(len(pdf))}
        text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    assert sizes == {(595, 842)}  # A4 in points
    compact = re.sub(r"\s+", "", text)
    assert "不通过" in compact and "注册年限不足" in compact
    n = len(report["findings"])
    assert "严重程度" not in compact and f"显示{n}/{n}条问题" not in compact  # the filter bar is not printed
