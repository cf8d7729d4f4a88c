"""The state diagram of the start notebook (:mod:`simlib.report.diagram`): one declaration of the
states and flows, every label from the glossary in both languages, drawn offline, the same
arrows as the README's mermaid diagram, and an image that follows the language toggle."""

from __future__ import annotations

import json
import re
from pathlib import Path

import ipywidgets as W
import pytest

from simlib.inputs.glossary import LANGS, label, section
from simlib.model import structure as model
from simlib.report import diagram

ROOT = Path(__file__).resolve().parents[2]
START_NOTEBOOK = ROOT / "notebooks" / "00_start_hier.ipynb"


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]


def test_the_declaration_names_every_state_of_the_model():
    ids = {n.id for n in diagram.NODES}
    assert set(model.SCHOOL_STATES) <= ids
    exit_box = next(n for n in diagram.NODES if n.id == diagram.EXIT)
    labour = next(n for n in diagram.NODES if n.id == diagram.LABOUR)
    assert exit_box.members == model.QUALIFICATIONS
    assert labour.members == model.LABOUR_STATUSES
    for tr in diagram.TRANSITIONS:
        assert {tr.source, tr.target} <= ids, tr
    edges = [(t.source, t.target) for t in diagram.TRANSITIONS]
    assert len(edges) == len(set(edges)), "an arrow is declared twice"


def test_every_label_comes_from_the_glossary_in_both_languages():
    keys = {(n.section, n.id) for n in diagram.NODES if n.id != "start"}
    keys |= {(n.member_section, m) for n in diagram.NODES for m in n.members}
    keys |= {("diagram", t.label) for t in diagram.TRANSITIONS if t.label}
    keys.add(("diagram", "note"))
    for sec, key in sorted(keys):
        entry = section(sec).get(key)
        assert entry is not None, f"add {key} to [{sec}] in simlib/glossary.toml"
        assert set(entry) == set(LANGS) and all(entry.values()), (sec, key)


def _readme_edges() -> set[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```mermaid\n(.*?)```", text, re.S).group(1)
    names = {"[*]": "start", "exit": diagram.EXIT, "labour_market": diagram.LABOUR}
    edges = set()
    for a, b in re.findall(r"^\s*(\S+)\s*-->\s*([^\s:]+)", block, re.M):
        edges.add((names.get(a, a), names.get(b, b)))
    return edges


def test_every_arrow_of_the_readme_is_drawn():
    readme = _readme_edges()
    assert len(readme) >= 15  # the README's diagram was found and read
    drawn = {(t.source, t.target) for t in diagram.TRANSITIONS}
    assert readme - drawn == set(), "the README shows arrows the drawing lacks"


@pytest.mark.parametrize("lang", LANGS)
def test_the_drawing_is_labelled_in_the_language(lang):
    fig = diagram.state_diagram(lang)
    text = "\n".join(_texts(fig))
    flat = " ".join(text.split())
    for state in (*model.SCHOOL_STATES, *model.QUALIFICATIONS):
        assert " ".join(label("states", state, lang).split()) in flat, state
    for status in model.LABOUR_STATUSES:
        assert label("labour", status, lang) in flat
    for tr in diagram.TRANSITIONS:
        if tr.label:
            assert " ".join(label("diagram", tr.label, lang).split()) in flat, tr.label
    assert "-->" not in text and "stateDiagram" not in text
    assert diagram.png(lang)[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_languages_differ_and_a_bad_language_is_refused():
    assert diagram.png("nl") != diagram.png("en")
    assert any("Searching" in t for t in _texts(diagram.state_diagram("en")))
    with pytest.raises(ValueError, match="lang"):
        diagram.state_diagram("fr")


def test_the_image_follows_the_language_toggle():
    toggle = W.ToggleButtons(options=[("Nederlands", "nl"), ("English", "en")], value="nl")
    image = diagram.widget(toggle)
    assert image.value == diagram.png("nl")
    toggle.value = "en"
    assert image.value == diagram.png("en")
    assert diagram.widget(lang="en").value == diagram.png("en")


def test_the_start_notebook_draws_it_without_mermaid():
    nb = json.loads(START_NOTEBOOK.read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in nb["cells"]]
    assert not any("mermaid" in s or "stateDiagram" in s for s in sources)
    code = [s for c, s in zip(nb["cells"], sources, strict=True) if c["cell_type"] == "code"]
    assert "diagram.widget(galerij.lang_toggle)" in code  # a thin cell: the drawing is simlib's
