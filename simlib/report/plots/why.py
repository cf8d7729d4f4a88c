"""The "Waarom?" / "Why?" chart: the difference of the last result from the first split over
the levers that differ between their scenarios (Shapley values,
:func:`simlib.analysis.explain.contributions`), drawn as a waterfall.

The bars start at 0 and step by each lever's contribution, largest first; the last bar is
their total, the difference the difference chart and ``compare`` show for that indicator,
group and school year. The runs it needs (2^n for n changed levers, up to ten; sampled
orders beyond) are model runs with the values of ``data/`` (no uncertainty) and are kept:
the table and the chart of one setting share them (:data:`_KEPT`).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from simlib.inputs.glossary import label, texts
from simlib.inputs.levers import levers
from simlib.report.numbers import signed
from simlib.report.plots.common import (
    DIRECTION_COLOURS,
    PALETTE,
    _axes,
    _decimals,
    _display,
    _indicator,
    _lang,
    _results,
    _school_years,
    _title,
    _value_label,
    set_chart_note,
)

__all__ = ["why", "why_table"]

#: The explanations of the last settings shown, by scenarios, indicator, group and year.
_KEPT: OrderedDict = OrderedDict()
_KEEP = 8


def _scenario_key(sc) -> tuple:
    return (sc.name, tuple((k, tuple(v.items())) for k, v in sorted(sc.schedules.items())))


def _explanation(results, indicator: str, group: str, school_year: str | None,
                 progress=None, by: str = "lever"):
    """The explanation of the last result against the first, by lever or by channel (None
    when their scenarios set every lever alike), kept for the last few settings;
    ``progress(runs done, runs)``."""
    from simlib.analysis import explain as E

    results = _results(results)
    base, variant = results[0].scenario, results[-1].scenario
    sy = school_year or _school_years(results[0])[-1]
    key = (_scenario_key(base), _scenario_key(variant), indicator, group, sy,
           results[0].years, by)
    if key not in _KEPT:
        if not E.changed_levers(variant, base):
            _KEPT[key] = None
        else:
            _KEPT[key] = E.contributions(variant, indicator, sy, base=base, group=group,
                                         progress=progress, by=by)
    _KEPT.move_to_end(key)
    while len(_KEPT) > _KEEP:
        _KEPT.popitem(last=False)
    return _KEPT[key]


def why_table(result_or_results, indicator: str = "dual_contract_learners",
              group: str = "all", school_year: str | None = None,
              split: str = "lever") -> pd.DataFrame:
    """The contributions of the levers (``split="channel"``: the channels) that differ (last
    result against the first): lever (or channel), contribution, unit, std_error (0 where
    exact), school_year, scenario_a, scenario_b, method; no rows when no lever differs.
    ``school_year`` defaults to the last. (``split``, not ``by``: the apps' ``by`` is the
    breakdown's axis.)"""
    _indicator(indicator)
    ex = _explanation(result_or_results, indicator, group, school_year, by=split)
    cols = [split, "contribution", "unit", "std_error"]
    if ex is None:
        return pd.DataFrame(columns=cols + ["school_year", "scenario_a", "scenario_b",
                                            "method"])
    return ex.table[cols].assign(school_year=ex.school_year, scenario_a=ex.base,
                                 scenario_b=ex.scenario, method=ex.method)


def why(result_or_results, ax: Axes | None = None, lang: str = "nl", *,
        indicator: str = "dual_contract_learners", group: str = "all",
        school_year: str | None = None, progress=None, split: str = "lever") -> Axes:
    """The waterfall of the levers' contributions to the difference of the last result from
    the first in ``school_year`` (default the last): one bar per changed lever from where
    the previous one ended (green where it is favourable, vermillion where unfavourable,
    blue for an indicator without a direction), then the total. ``progress(runs done,
    runs)`` follows the model runs a new setting needs. ``split="channel"``: the same
    difference by the model's channels (:data:`simlib.analysis.explain.CHANNELS`)."""
    lang = _lang(lang)
    t = texts("why")[lang]
    ind = _indicator(indicator)
    scale, _ = _display(ind.unit)
    ax = _axes(ax, figsize=(9, 5.5))
    ex = _explanation(result_or_results, indicator, group, school_year, progress, split)
    name = label("indicators", indicator, lang)
    if group != "all":
        name += f" — {label('groups', group, lang)}"
    set_chart_note(ax, None)
    if ex is None:
        ax.text(0.5, 0.5, t["nothing"], ha="center", va="center", transform=ax.transAxes,
                fontsize=10, wrap=True)
        ax.set_axis_off()
        _title(ax, t["title"].format(ind=name, sy=school_year or ""))
        return ax
    names = texts("channels")[lang] if split == "channel" else \
        {lv.id: lv.label(lang) for lv in levers()}
    parts = ex.table.contribution.to_numpy(float) * scale
    rows = [names.get(k, k) for k in ex.table[split]] + [t["total"]]
    start = np.concatenate([[0.0], np.cumsum(parts)[:-1]])
    total = float(parts.sum())
    colours = [DIRECTION_COLOURS[int(np.sign(p)) * ind.direction] if p != 0 else PALETTE[0]
               for p in parts]
    y = np.arange(len(rows))[::-1]
    ax.barh(y[:-1], parts, left=start, color=colours, height=0.6)
    ax.barh(y[-1:], [total], left=0.0, color="#555555", height=0.6)
    for k in range(len(parts) - 1):  # the steps joined by thin lines
        ax.plot([start[k] + parts[k]] * 2, [y[k] - 0.3, y[k + 1] + 0.3], color="#999999",
                linewidth=0.8)
    ax.axvline(0, color="#333333", linewidth=0.8)
    dec = _decimals(np.append(parts, total), ind.unit)
    errors = ex.table.std_error.to_numpy(float) * scale
    for k, (p, s) in enumerate(zip(parts, start, strict=True)):
        text = signed(p, lang, dec) + (f" ± {signed(errors[k], lang, dec).lstrip('+')}"
                                       if ex.method == "sampled" else "")
        ax.annotate(text, (max(s, s + p), y[k]), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.annotate(signed(total, lang, dec),  # as the difference chart writes it
                (max(0.0, total), y[-1]), xytext=(4, 0), textcoords="offset points",
                va="center", fontsize=8, fontweight="bold")
    ax.set_yticks(list(y), rows, fontsize=8)
    lo = min(0.0, float(np.min(np.append(start + np.minimum(parts, 0), total))))
    hi = max(0.0, float(np.max(np.append(start + np.maximum(parts, 0), total))))
    span = max(hi - lo, 1e-9)
    ax.set_xlim(lo - 0.05 * span, hi + 0.22 * span)
    ax.set_xlabel(_value_label(ind.unit, lang, "difference"))
    ax.grid(axis="x", alpha=0.3)
    # wrapped to the room right of the levers' labels (8 pt, about 0.55 em a letter)
    _title(ax, t["title_channel" if split == "channel" else "title"].format(
        ind=name, sy=ex.school_year), left_pt=max(len(r) for r in rows) * 8 * 0.55 + 12)
    k = len(parts)
    from simlib.report.contributions import drivers_text

    kind = "_channel" if split == "channel" else ""
    method = t["note_sampled" + kind].format(p=ex.permutations, k=k) \
        if ex.method == "sampled" else t["note_exact" + kind].format(n=2 ** k, k=k)
    set_chart_note(ax, f"{drivers_text(ex, lang)} {method}")
    return ax

