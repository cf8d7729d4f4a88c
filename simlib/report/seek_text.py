"""The text of a goal-seeking answer (:mod:`simlib.analysis.seek`): a plain table in Dutch or
English, numbers by the number rule, as ``python -m simlib seek`` prints it."""

from __future__ import annotations

from simlib.inputs.glossary import label, texts
from simlib.report import numbers as N
from simlib.report.describe import format_value

__all__ = ["seek_text"]


def seek_text(a, lang: str = "nl") -> str:
    """``a`` (an :class:`simlib.analysis.seek.Answer`) as text: the question, one row per
    lever (its value in the base, the value found before snapping to the step, the answer on
    the step), whether the target is reached (or out of reach, with the best reachable
    effect), the public cost against the base, from when the levers apply and how it was
    found."""
    lang = N._check_lang(lang)
    t = texts("seek")[lang]
    q = a.question
    ind = label("indicators", q.indicator, lang)
    group = label("groups", q.group, lang)
    change = N.difference_text(0.0, q.change, q.unit, lang)
    title = t["title"].format(indicator=ind, group=group, change=change, sy=q.school_year,
                              base=q.base.name)
    head = [t["lever"], t["label"], t["today"].format(base=q.base.name), t["found"],
            t["answer"]]
    rows = [[lv.id, lv.label(lang), format_value(lv, q.base.value(lv.id, lv.earliest_date),
                                                 lang),
             N.value_text(a.unsnapped[lv.id], lv.unit, lang, decimals=N.lever_decimals(lv) + 2
                          if not N.is_share(lv.unit) else N.lever_decimals(lv) + 1),
             format_value(lv, a.values[lv.id], lang)] for lv in q.levers]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [head, ["-" * w for w in widths], *rows]]
    words = dict(indicator=ind, effect=N.difference_text(0.0, a.effect, q.unit, lang),
                 a=N.value_text(a.base_value, q.unit, lang),
                 b=N.value_text(a.value, q.unit, lang),
                 cost_diff=N.difference_text(a.base_cost, a.cost, "eur_per_school_year", lang),
                 cost=N.value_text(a.cost, "eur_per_school_year", lang), sy=q.school_year,
                 change=change)
    verdict = t["reached"] if a.reached else t["out_of_reach"] if a.best else t["short"]
    dates = ", ".join(f"{lv.id} {lv.earliest_date}" for lv in q.levers)
    return "\n".join([title, "", *lines, "", verdict.format(**words),
                      t["from_date"].format(dates=dates),
                      t["method"].format(method=a.method, runs=a.runs)])
