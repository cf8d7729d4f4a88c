"""The text of the notebook pages (simlib/pages.toml): every page reads in one language, the
one of its toggle, from top to bottom; the notebooks show no text of their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simlib import ui
from simlib.inputs import pages

NOTEBOOKS = sorted(Path(__file__).resolve().parents[2].joinpath("notebooks").glob("[0-9]*.ipynb"))


def test_every_section_has_both_languages_and_the_english_is_not_a_copy():
    for name, table in pages.pages().items():
        for key, entry in table.items():
            assert set(entry) == {"nl", "en"} and entry["nl"] != entry["en"], (name, key)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_shows_only_the_pages_text_and_no_markdown_of_its_own(path):
    """A markdown cell would stay Dutch in English mode: every heading and explanation is a
    section of the page, shown in the toggle's language."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert not [c for c in nb["cells"] if c["cell_type"] == "markdown"], path.name
    source = "\n".join("".join(c["source"]) for c in nb["cells"])
    assert f'ui.Page("{path.stem}"' in source
    sections = [s for s in pages.page(path.stem) if s not in ("title", "summary")]
    for section in sections:  # every section of the page is shown
        assert f'"{section}"' in source, (path.name, section)


def test_a_page_follows_its_toggle():
    import ipywidgets as W

    toggle = W.ToggleButtons(options=[("Nederlands", "nl"), ("English", "en")], value="nl")
    page = ui.Page("01_basislijn", toggle)
    shown = page.section("intro")
    assert "De basislijn verkennen" in shown.value
    toggle.value = "en"
    assert "Exploring the baseline" in shown.value and "verkennen" not in shown.value
    with pytest.raises(KeyError, match="no section"):
        page.section("nope")
    with pytest.raises(KeyError, match="no page"):
        ui.Page("99_nope")


def test_the_loader_refuses_a_copy_and_a_missing_language(monkeypatch):
    with pytest.raises(pages.PageError, match="copy"):
        pages._pair("x", {"nl": "zelfde", "en": "zelfde"})
    with pytest.raises(pages.PageError, match="nl and en"):
        pages._pair("x", {"nl": "alleen"})
