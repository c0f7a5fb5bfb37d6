"""The OCR detector's input size (issue 11): a 200 dpi page is detected at a long side of 1280,
a tall screenshot keeps a short side of 736 or more, small images are left as RapidOCR takes them,
and the setting is part of the cache key (a reading at another size is another result)."""
from types import SimpleNamespace

import pytest

from shenbao.extract import ExtractSettings
from shenbao.extract.ocr_rapid import RapidEngine


def size(h: int, w: int, side: int = 1280) -> tuple[str, int]:
    return RapidEngine._detector_size(SimpleNamespace(det_long_side=side), h, w)


def test_a4_page_at_200_dpi_is_detected_at_1280():
    assert size(2339, 1654) == ("max", 1280)  # portrait
    assert size(1654, 2339) == ("max", 1280)  # landscape


def test_a_tall_phone_screenshot_keeps_its_short_side_readable():
    kind, long = size(2400, 1080)
    assert kind == "max"
    # the short side the detector sees stays at RapidOCR's floor of 736 px (1080 * 1636 / 2400)
    assert 1080 * long / 2400 == pytest.approx(736, abs=1)


def test_small_images_and_the_engine_default_are_untouched():
    assert size(534, 911) == ("min", 736)  # a small scan: scaled up as RapidOCR does
    assert size(2339, 1654, side=0) == ("min", 736)  # 0: the engine's own rule


def test_the_detector_size_is_part_of_the_cache_key():
    a, b = ExtractSettings(), ExtractSettings(ocr_det_side=0)
    assert a.ocr_det_side == 1280
    assert a.cache_key() != b.cache_key()
    # without OCR the detector size changes nothing, so it does not split the cache
    assert ExtractSettings(ocr=False).cache_key() == ExtractSettings(ocr=False, ocr_det_side=0).cache_key()


def test_cli_and_config_take_the_detector_size(tmp_path, capsys):
    from shenbao.cli import main

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "说明.txt").write_text("空", "utf-8")
    with pytest.raises(SystemExit) as exc:  # argparse's usage error
        main(["check", str(pkg), "--program", "smx2025-intelligent-retrofit", "--ocr-detect-side", "-5"])
    assert exc.value.code == 2
    assert "--ocr-detect-side" in capsys.readouterr().err
    cfg = tmp_path / "shenbao.toml"
    cfg.write_text('ocr_detect_side = "big"\n', "utf-8")
    assert main(["check", str(pkg), "--program", "smx2025-intelligent-retrofit", "--config", str(cfg),
                 "--cache-dir", str(tmp_path / "c"), "--no-progress"]) == 2
    assert "ocr_detect_side" in capsys.readouterr().err
    cfg.write_text("ocr_detect_side = 0\n", "utf-8")
    assert main(["check", str(pkg), "--program", "smx2025-intelligent-retrofit", "--config", str(cfg),
                 "--cache-dir", str(tmp_path / "c"), "--no-progress", "--format", "json"]) in (0, 1)
