"""Documents generated from the registries: ``docs/levers.md`` (``python -m simlib levers
--markdown``). A test checks that the committed file equals what this writes, so the page can
never drift from the registry."""

from __future__ import annotations

import re

from simlib.inputs.levers import Lever, levers

__all__ = ["levers_markdown"]

_INTRO = (
    "Every policy option of the simulator, with today's value (`default`), its allowed "
    "values, where the SERV advice on the Actieplan Duaal Leren discusses it, its status and "
    "the grade of the evidence behind its effect. Status: `in_force` (today's rule), "
    "`plan_study` (under study in the action plan), `serv_suggestion` (suggested by the SERV), "
    "`research_option` (for analysis only). Evidence: A Flemish evidence, B causal evidence "
    "from abroad, C descriptive or analogue evidence, D assumption. A lever marked ↳ is used "
    "only while the switch above it (its parent) is on. Full descriptions (NL/EN), who asks "
    "for each lever and why, the earliest date and the rates it acts on are in the registry."
)


def _where(passage: str) -> str:
    """Where in the advice, without the quotation: the parts before each ':'."""
    parts = [p.strip() for p in re.split(r";\s*(?=[A-Za-z])", passage)]
    return "; ".join(p.split(":", 1)[0].strip() for p in parts)


def _value(lv: Lever, v) -> str:
    if lv.kind == "bool":
        return str(v).lower()
    if lv.kind == "choice":
        return str(v)
    return f"{v:.2f}" if lv.unit.startswith("eur") and not float(v).is_integer() else f"{v:g}"


def _allowed(lv: Lever) -> str:
    if lv.kind == "bool":
        return "true / false"
    if lv.kind == "choice":
        return ", ".join(f"`{c}`" for c in lv.choices or ())
    return f"{lv.min:g} – {lv.max:g} (step {lv.step:g})"


def levers_markdown() -> str:
    """The lever registry as a Markdown page, one table per theme, in registry order."""
    registry = levers()
    out = [f"Generated from `simlib/inputs/levers.toml` ({len(registry)} levers) by "
           "`python -m simlib levers --markdown > docs/levers.md`; `python -m simlib levers` "
           "shows the same registry. Edit the registry, not this file.", "",
           "# Policy levers", "", _INTRO, ""]
    themes: dict[str, list[Lever]] = {}
    for lv in registry:
        themes.setdefault(lv.theme, []).append(lv)
    head = "| id | label_nl | unit | default | range / choices | passage | status | evidence |"
    for theme, members in themes.items():
        out += ["", f"## {theme}", "", head, "|---|---|---|---|---|---|---|---|"]
        for lv in members:
            mark = "↳ " if lv.parent else ""
            out.append(f"| {mark}`{lv.id}` | {lv.label_nl} | {lv.unit} | "
                       f"`{_value(lv, lv.default)}` | {_allowed(lv)} | {_where(lv.passage)} | "
                       f"{lv.status} | {lv.evidence_grade} |")
    return "\n".join(out) + "\n"
