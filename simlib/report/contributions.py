"""The text of a difference split over levers (:mod:`simlib.analysis.explain`): a plain table
in Dutch or English, numbers by the number rule, as ``python -m simlib explain`` prints it."""

from __future__ import annotations

from simlib.inputs.glossary import label, texts
from simlib.inputs.levers import levers
from simlib.report import numbers as N

__all__ = ["explanation_text"]


def explanation_text(ex, lang: str = "nl") -> str:
    """``ex`` (an :class:`simlib.analysis.explain.Explanation`) as a titled table: one row
    per changed lever (id, label, contribution with its unit; the standard error when
    sampled), the total (the difference ``compare`` reports), the two values, and what a
    contribution means."""
    lang = N._check_lang(lang)
    t = texts("explain")[lang]
    channels = texts("channels")[lang]
    names = channels if ex.by == "channel" else {lv.id: lv.label(lang) for lv in levers()}
    group = label("groups", ex.group, lang) if ex.group != "all" else label("groups", "all", lang)
    title = t["title"].format(indicator=label("indicators", ex.indicator, lang), group=group,
                              sy=ex.school_year, scenario=ex.scenario, base=ex.base)
    # (scenario names as the command line takes them: the same words as in meta.json)
    sampled = ex.method == "sampled"

    def amount(v: float) -> str:
        return N.difference_text(0.0, v, ex.unit, lang)

    first = channels["channel"] if ex.by == "channel" else t["lever"]
    head = [first, t["label"], t["contribution"]] + ([t["std_error"]] if sampled else [])
    rows = [[key, names.get(key, key), amount(c)]
            + ([N.value_text(se, ex.unit, lang)] if sampled else [])
            for key, c, se in zip(ex.table[ex.by], ex.table.contribution, ex.table.std_error,
                                  strict=True)]
    total = [t["total"], "", N.difference_text(ex.base_value, ex.value, ex.unit, lang)] \
        + ([""] if sampled else [])
    widths = [max(len(r[i]) for r in [head, *rows, total]) for i in range(len(head))]
    right = {2, 3}

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    k, kind = len(ex.table), "_channel" if ex.by == "channel" else ""
    method = t["sampled" + kind].format(p=ex.permutations, k=k, seed=ex.seed, runs=ex.runs) \
        if sampled else t["exact" + kind].format(n=2 ** k, k=k, runs=ex.runs)
    values = t["values"].format(base=ex.base, scenario=ex.scenario,
                                a=N.value_text(ex.base_value, ex.unit, lang),
                                b=N.value_text(ex.value, ex.unit, lang))
    sep = ["-" * w for w in widths]
    return "\n".join([title, "", line(head), line(sep), *map(line, rows), line(sep),
                      line(total), "", values, method, t["meaning" + kind]])
