"""All UI words in one place: the glossary (simlib/glossary.toml), whose loader refuses an
entry without both languages; no module keeps a table of words of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simlib.inputs import glossary

SIMLIB = Path(__file__).resolve().parents[2] / "simlib"
#: a literal table keyed by language ({"nl": ..., "en": ...}), the way words used to be kept
_OWN_WORDS = re.compile(r"""[{,]\s*["']nl["']\s*:\s*[{("'f]""")


@pytest.mark.parametrize("path", sorted(SIMLIB.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_keeps_its_own_words(path):
    source = path.read_text(encoding="utf-8")
    found = [m.group(0) for m in _OWN_WORDS.finditer(source)]
    assert not found, f"{path.name}: a table of words by language; put them in glossary.toml"


def test_every_entry_has_both_languages():
    for name in glossary._glossary():
        for key, labels in glossary.section(name).items():
            assert set(labels) == set(glossary.LANGS), (name, key)
            assert all(isinstance(v, str) for v in labels.values()), (name, key)


def test_the_loader_refuses_an_entry_without_both_languages(monkeypatch):
    import tomllib

    real = tomllib.loads

    def fake(text):
        data = real(text)
        data["units"]["broken"] = {"nl": "alleen Nederlands"}
        return data

    glossary._glossary.cache_clear()
    monkeypatch.setattr(tomllib, "loads", fake)
    try:
        with pytest.raises(ValueError, match="needs exactly nl and en"):
            glossary._glossary()
    finally:
        monkeypatch.undo()
        glossary._glossary.cache_clear()
