"""Generated documents equal what their command writes (they cannot drift from the registry)."""

from __future__ import annotations

from pathlib import Path

from simlib.cli import main
from simlib.report.docs import levers_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_docs_levers_md_is_what_the_command_writes(capsys):
    committed = (DOCS / "levers.md").read_text(encoding="utf-8")
    assert committed == levers_markdown(), (
        "docs/levers.md differs from the registry: run "
        "`python -m simlib levers --markdown > docs/levers.md`")
    assert main(["levers", "--markdown"]) == 0
    assert capsys.readouterr().out == committed


def test_every_lever_has_a_row():
    import simlib

    text = levers_markdown()
    for lv in simlib.levers():
        assert f"`{lv.id}`" in text
