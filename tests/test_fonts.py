"""The report's CJK font: found among the usual fonts, checked for glyphs, or a clear error."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner

from _ws_metrics import make_ws
from citymap import fonts
from citymap.cli.main import cli
from citymap.fonts import CJK_FAMILIES, FontError, cjk_font, covers


def _entry(name: str, path: str, index: int = 0, weight: int = 400) -> SimpleNamespace:
    return SimpleNamespace(name=name, fname=path, index=index, weight=weight)


def _real_noto() -> SimpleNamespace:
    for e in fonts.font_entries():
        if e.name == "Noto Sans CJK SC":
            return _entry(e.name, e.fname, getattr(e, "index", 0), e.weight)
    pytest.fail("Noto Sans CJK SC is not installed (scripts/test.sh installs fonts-noto-cjk)")


def _dejavu() -> str:
    from matplotlib import font_manager

    return str(font_manager.findfont("DejaVu Sans", fallback_to_default=False))


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("CITYMAP_FONT", raising=False)


def test_no_font_is_one_clear_line_naming_what_to_install(monkeypatch):
    monkeypatch.setattr(fonts, "font_entries", list)
    with pytest.raises(FontError) as err:
        cjk_font()
    msg = str(err.value)
    assert "\n" not in msg and "apt-get install fonts-noto-cjk" in msg and "中文字体" in msg
    with pytest.raises(FontError, match="install one — apt-get install fonts-noto-cjk"):
        cjk_font(lang="en")


def test_a_font_named_right_without_the_glyphs_is_passed_over(monkeypatch):
    # a file that claims to be Microsoft YaHei but is DejaVu (no Han glyphs): not chosen
    noto = _real_noto()
    fake = _entry("Microsoft YaHei", _dejavu())
    assert not covers(fake.fname)
    monkeypatch.setattr(fonts, "font_entries", lambda: [fake])
    with pytest.raises(FontError):
        cjk_font()
    monkeypatch.setattr(fonts, "font_entries", lambda: [fake, noto])
    assert cjk_font().name == "Noto Sans CJK SC"


def test_the_usual_fonts_in_order_and_founder_fonts(monkeypatch):
    noto = _real_noto()
    names = ["Some Latin Font", "FZShuSong-Z01", "宋体", "Microsoft YaHei", "WenQuanYi Zen Hei"]
    entries = [_entry(n, noto.fname, noto.index) for n in names]
    monkeypatch.setattr(fonts, "font_entries", lambda: entries)
    assert cjk_font().name == "WenQuanYi Zen Hei"
    monkeypatch.setattr(fonts, "font_entries", lambda: entries[:3])
    assert cjk_font().name == "宋体"  # the Chinese name of SimSun counts as SimSun
    monkeypatch.setattr(fonts, "font_entries", lambda: entries[:2])
    assert cjk_font().name == "FZShuSong-Z01"  # 方正 fonts of 信创 systems
    monkeypatch.setattr(fonts, "font_entries", lambda: entries[:1])
    assert cjk_font().name == "Some Latin Font"  # any font that really has the glyphs
    for family in ("Microsoft YaHei", "SimHei", "SimSun", "DengXian", "Noto Serif CJK SC",
                   "Source Han Sans SC", "Source Han Serif SC", "WenQuanYi Micro Hei",
                   "AR PL UMing CN", "AR PL UKai CN"):
        assert family in CJK_FAMILIES


def _render(text: str, family: str) -> np.ndarray:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(0.6, 0.6), dpi=100)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, text, fontsize=30, ha="center", va="center", family=family)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., 0].copy()


def test_noto_cjk_draws_a_known_character_not_tofu(monkeypatch):
    import warnings

    from matplotlib.ft2font import FT2Font

    font = cjk_font()
    assert font.name in CJK_FAMILIES
    face = FT2Font(font.path, face_index=font.index)
    assert face.get_char_index(ord("阳")) != 0  # glyph 0 is .notdef, the tofu box
    # what the report's charts draw: 阳 rendered with the chosen font is ink, and not the
    # box the same font draws for a character it lacks (a private-use code point)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the missing glyph of the tofu reference
        tofu = _render("\ue000", font.name)
    yang = _render("阳", font.name)
    assert (yang < 128).sum() > 30
    assert not np.array_equal(yang, tofu)
    assert face.get_char_index(0xE000) == 0


def test_report_uses_the_checked_font(monkeypatch):
    from citymap.report import _plt

    plt = _plt()
    assert plt.rcParams["font.sans-serif"][0] == cjk_font().name


def test_cli_report_without_a_font_fails_with_exit_2(tmp_path, monkeypatch):
    root = make_ws(tmp_path / "ws")
    monkeypatch.setattr(fonts, "font_entries", list)
    out = tmp_path / "r.html"
    r = CliRunner().invoke(cli, ["--workspace", str(root), "report", "-o", str(out)])
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误:") and "fonts-noto-cjk" in lines[0]
    assert not out.exists()
    r = CliRunner().invoke(cli, ["--workspace", str(root), "--lang", "en", "report",
                                 "-o", str(out)])
    assert r.exit_code == 2 and "install one" in r.output and not out.exists()


def test_citymap_font_names_a_file(monkeypatch, tmp_path):
    noto = _real_noto()
    monkeypatch.setenv("CITYMAP_FONT", noto.fname)
    assert cjk_font().path == noto.fname
    monkeypatch.setenv("CITYMAP_FONT", _dejavu())
    with pytest.raises(FontError, match="CITYMAP_FONT"):
        cjk_font()
    monkeypatch.setenv("CITYMAP_FONT", str(tmp_path / "none.ttf"))
    with pytest.raises(FontError, match="CITYMAP_FONT"):
        cjk_font()
