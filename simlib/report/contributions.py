"""The text of a difference split over levers (:mod:`simlib.analysis.explain`): a plain table
in Dutch or English, numbers by the number rule, as ``python -m simlib explain`` prints it."""

from __future__ import annotations

from simlib.inputs.glossary import label, texts
from simlib.inputs.levers import levers
from simlib.report import numbers as N

__all__ = ["explanation_text", "drivers_text"]


def drivers_text(ex, lang: str = "nl") -> str:
    """One sentence naming what drives the difference of ``ex`` (an
    :class:`simlib.analysis.explain.Explanation`): the largest contribution, and the
    second where it is at least a quarter of the first, each with its amount by the number
    rule (levers with their evidence grade; channels by name), said to work the other way
    when its sign differs. Empty when nothing differs."""
    lang = N._check_lang(lang)
    t = texts("explain")[lang]
    rows = [(k, c) for k, c in zip(ex.table[ex.by], ex.table.contribution, strict=True)
            if not N.text_is_zero(N.difference_text(0.0, c, ex.unit, lang))]
    if not rows:
        return ""
    if ex.by == "channel":
        names = texts("channels")[lang]

        def part(key: str, c: float) -> str:
            return t["driver_channel"].format(label=names.get(key, key),
                                             amount=N.difference_text(0.0, c, ex.unit, lang))
    else:
        by_id = {lv.id: lv for lv in levers()}

        def part(key: str, c: float) -> str:
            lv = by_id.get(key)
            return t["driver_lever"].format(
                label=lv.label(lang) if lv else key, grade=lv.evidence_grade if lv else "?",
                amount=N.difference_text(0.0, c, ex.unit, lang))
    total = N.difference_text(ex.base_value, ex.value, ex.unit, lang)
    (k1, c1), rest = rows[0], rows[1:]
    if rest and abs(rest[0][1]) >= 0.25 * abs(c1):
        key = "drivers_more" if (rest[0][1] > 0) == (c1 > 0) else "drivers_against"
        return t[key].format(total=total, first=part(k1, c1), second=part(*rest[0]))
    return t["drivers"].format(total=total, first=part(k1, c1))


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
                      line(total), "", drivers_text(ex, lang), values, method,
                      t["meaning" + kind]])
