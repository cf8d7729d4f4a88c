"""Charts of uncertainty: fan charts (bands), the tornado and Sobol bars; and their footnote.

Same conventions as :mod:`simlib.report.plots`: Dutch by default (``lang="en"`` for English), units
on every axis, shares in percent, the footnote says what the bands do and do not include.
:func:`trend_bands` and :func:`difference_bands` add bands to a chart of :mod:`simlib.report.plots`
(the option "uncertainty bands" of the apps in :mod:`simlib.ui`); :func:`with_bands` adds
their numbers to the chart's table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.legend_handler import HandlerTuple

from simlib.analysis.uncertainty import BAND_COLUMNS
from simlib.inputs.glossary import label, texts
from simlib.report.plots import (
    PALETTE,
    _axes,
    _decimals,
    _display,
    _indicator,
    _lang,
    _school_year_axis,
    _TickFormatter,
    _title,
    _trend_ylim,
    _value_label,
    number,
)

__all__ = ["fan", "trend_bands", "difference_bands", "with_bands", "band_note", "tornado",
           "sobol_bars", "footnote"]

TEXT = texts("uncertainty_plots")


def _param_label(name: str, lang: str) -> str:
    """A parameter's label from the glossary (``[parameters]``), else its name made readable."""
    text = label("parameters", name, lang)
    return text.replace("_", " ") if text == name else text


def _label_width_pt(parameters, lang: str, size: float = 8) -> float:
    """About how many points the parameter labels of a bar chart take left of its axes."""
    return max(len(_param_label(p, lang)) for p in parameters) * size * 0.55 + 12


#: The legend of a chart with bands: over the shading, on a light box to stay readable.
_LEGEND = {"loc": "best", "fontsize": 8.5, "frameon": True, "framealpha": 0.85,
           "edgecolor": "none"}


def _rows(band_table: pd.DataFrame, indicator: str, group: str,
          scenario: str | None = None) -> pd.DataFrame:
    """The bands of one indicator and group (and scenario), by school year."""
    df = band_table[(band_table["indicator"] == indicator) & (band_table["group"] == group)]
    if scenario is not None:
        df = df[df["scenario"] == scenario]
    return df.sort_values("school_year", kind="stable")


def _shade(ax: Axes, x, df: pd.DataFrame, scale: float, colour: str,
           labels: tuple[str | None, str | None] = (None, None)) -> tuple:
    """The 90% band (light) and the 50% band (dark) of ``df`` over ``x``, shaded."""
    band90 = ax.fill_between(x, df["p5"] * scale, df["p95"] * scale, color=colour, alpha=0.18,
                             lw=0, label=labels[0])
    band50 = ax.fill_between(x, df["p25"] * scale, df["p75"] * scale, color=colour, alpha=0.38,
                             lw=0, label=labels[1])
    return band90, band50


def fan(band_table: pd.DataFrame, indicator: str, ax: Axes | None = None, lang: str = "nl", *,
        group: str = "all", scenario: str | None = None) -> Axes:
    """Median and 50%/90% bands over the school years from a :func:`~simlib.analysis.uncertainty.bands`
    table (one scenario, or a difference)."""
    lang = _lang(lang)
    t = TEXT[lang]
    ax = _axes(ax)
    df = _rows(band_table, indicator, group, scenario)
    if df.empty:
        raise ValueError(f"no bands for indicator {indicator!r}, group {group!r}")
    name = df["scenario"].iloc[0]
    df = df[df["scenario"] == name]
    ind = _indicator(indicator)
    scale, _ = _display(ind.unit)
    x = list(range(len(df)))
    colour = PALETTE[0]
    _shade(ax, x, df, scale, colour, (t["band90"], t["band50"]))
    ax.plot(x, df["p50"] * scale, color=colour, lw=2, label=t["median"])
    ax.set_xticks(x, list(df["school_year"]), rotation=45, ha="right")
    _school_year_axis(ax, lang)
    what = "difference" if " - " in name else "value"
    ax.set_ylabel(_value_label(ind.unit, lang, what))
    ax.yaxis.set_major_formatter(_TickFormatter(lang))
    key = "fan_diff" if " - " in name else "fan"
    _title(ax, t[key].format(ind=label("indicators", indicator, lang), name=name,
                             n=int(df["draws"].max())))
    ax.legend(loc="best", fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return ax


def trend_bands(band_table: pd.DataFrame, ax: Axes, lang: str = "nl", *,
                indicator: str, group: str = "all", scenarios: Sequence[str]) -> Axes:
    """Shade the 50% and 90% bands of each scenario on a :func:`simlib.report.plots.trend` chart.

    ``scenarios`` are the names of the trend's lines in their order; each band takes its
    line's colour (a scenario without bands in ``band_table``, or shown twice, gets them
    once at most). The legend gains
    one entry for the medians (dotted) and one per band width, each with a swatch per
    scenario; the value axis grows to show the bands whole."""
    lang = _lang(lang)
    t = TEXT[lang]
    scale, _ = _display(_indicator(indicator).unit)
    lines = list(ax.get_lines())
    drawn: dict[str, tuple] = {}  # per scenario: (90% band, 50% band, median)
    values = [np.asarray(line.get_ydata(), float) for line in lines]
    for line, name in zip(lines, scenarios, strict=False):
        df = _rows(band_table, indicator, group, name)
        if df.empty or name in drawn:
            continue
        x, colour = list(df["school_year"]), line.get_color()
        median, = ax.plot(x, df["p50"] * scale, color=colour, lw=1.2, ls=":")
        drawn[name] = (*_shade(ax, x, df, scale, colour), median)
        values += [df["p5"].to_numpy(float) * scale, df["p95"].to_numpy(float) * scale]
    if not drawn:
        return ax
    _trend_ylim(ax, np.concatenate(values))
    handles, labels = ax.get_legend_handles_labels()
    handles += [tuple(d[k] for d in drawn.values()) for k in (2, 1, 0)]
    labels += [t["draws_median"], t["band50"], t["band90"]]
    ax.legend(handles, labels, handler_map={tuple: HandlerTuple(ndivide=None, pad=0)},
              **_LEGEND)
    return ax


def difference_bands(band_table: pd.DataFrame, ax: Axes, lang: str = "nl", *,
                     indicator: str, group: str = "all") -> Axes:
    """Whiskers of the 50% (thick) and 90% (thin) bands of a paired difference
    (:meth:`simlib.analysis.uncertainty.Sweep.difference`) on a :func:`simlib.report.plots.difference` chart,
    at the right of each bar (clear of the bar's number); the legend keeps its entries."""
    lang = _lang(lang)
    t = TEXT[lang]
    scale, _ = _display(_indicator(indicator).unit)
    df = _rows(band_table, indicator, group)
    if df.empty:
        return ax
    x = np.asarray(ax.xaxis.convert_units(list(df["school_year"])), float) + 0.22
    colour = "#333333"
    thin = ax.vlines(x, df["p5"] * scale, df["p95"] * scale, color=colour, lw=1)
    thick = ax.vlines(x, df["p25"] * scale, df["p75"] * scale, color=colour, lw=4)
    lo, hi = ax.get_ylim()
    low, high = float(np.nanmin(df["p5"] * scale)), float(np.nanmax(df["p95"] * scale))
    pad = 0.05 * (max(hi, high) - min(lo, low))
    ax.set_ylim(min(lo, low - pad), max(hi, high + pad))
    old = ax.get_legend()
    handles = [*(old.legend_handles if old else []), thick, thin]
    labels = [*(text.get_text() for text in (old.get_texts() if old else [])), t["band50"],
              t["band90"]]
    ax.legend(handles, labels, **_LEGEND)
    return ax


def with_bands(table: pd.DataFrame, band_table: pd.DataFrame, keys: Sequence[str],
               prefix: str = "") -> pd.DataFrame:
    """``table`` with the band columns of ``band_table`` (``p5`` ... ``p95``, ``draws``, each
    name prefixed with ``prefix``) joined on ``keys``; rows without bands get empty cells."""
    cols = [*BAND_COLUMNS, "draws"]
    bands = band_table[[*keys, *cols]].rename(columns={c: prefix + c for c in cols})
    return table.merge(bands, on=list(keys), how="left")


def band_note(meta: dict, lang: str = "nl", *, kinds: Sequence[str] = ("trend",),
              paired: bool = False) -> str:
    """The footnote of a chart with bands drawn by :func:`trend_bands` (kind ``"trend"``)
    and :func:`difference_bands` (``"difference"``): :func:`footnote`, then what the shading
    and the whiskers are and that the draws are paired."""
    t = TEXT[_lang(lang)]
    parts = [footnote(meta, lang), *(t[f"{k}_note"] for k in kinds)]
    if paired and "trend" in kinds:
        parts.append(t["paired_note"])
    return " ".join(parts)


def tornado(table: pd.DataFrame, indicator: str, school_year: str, ax: Axes | None = None,
            lang: str = "nl", *, top: int = 12, effect: tuple[str, str] | None = None) -> Axes:
    """The tornado of :func:`~simlib.analysis.sensitivity.tornado_table`: the indicator with each
    assumption at the low and the high end of its range, the largest swings on top.

    The centre is the point run (column ``point``: :func:`simlib.run`, the number the
    scenario apps show, written by the number rule) where the table has it, else the
    table's ``base``; each bar is ``low - base`` or ``high - base`` drawn from the centre.
    ``effect``: the labels (variant, base) of an effect table (variant minus base): the
    title names both, the axis is a difference and the centre the difference of the point
    runs."""
    lang = _lang(lang)
    t = TEXT[lang]
    ind = _indicator(indicator)
    scale, _ = _display(ind.unit)
    df = table.head(top).iloc[::-1]
    ax = _axes(ax, figsize=(9, 0.4 * len(df) + 1.6))
    base = float(df["base"].iloc[0]) * scale
    first = df.iloc[-1]
    point = "point" in df and np.isfinite(first["point"])
    centre = float(first["point"]) * scale if point else base
    y = range(len(df))
    ax.barh(y, (df["low"] * scale - base).to_numpy(), left=centre, color=PALETTE[1],
            label=t["low"])
    ax.barh(y, (df["high"] * scale - base).to_numpy(), left=centre, color=PALETTE[0],
            alpha=0.85, label=t["high"])
    ax.axvline(centre, color="#333333", lw=1, label=_centre_label(first, ind.unit, lang,
                                                                  point, effect is not None))
    name = label("indicators", indicator, lang)
    title = t["tornado"].format(ind=name, sy=school_year) if effect is None else \
        t["tornado_effect"].format(ind=name, sy=school_year, variant=effect[0], base=effect[1])
    return _parameter_bars(ax, df, _value_label(ind.unit, lang,
                                                "value" if effect is None else "difference"),
                           title, lang)


def _centre_label(row: pd.Series, unit: str, lang: str, point: bool, effect: bool) -> str:
    """The legend of the tornado's centre line: the point run by the number rule (the
    difference of the point runs for an effect, as the scenario apps write it), else the
    run with the values in ``data/`` at the sweep's resolution."""
    from simlib.report import numbers as N

    t = TEXT[lang]
    if not point:
        scale, _ = _display(unit)
        v = float(row["base"]) * scale
        return f"{t['base']}: {number(v, lang, _decimals([v], unit))}"
    if not effect:
        return t["point"].format(v=N.value_text(float(row["point"]), unit, lang))
    a = float(row["point_base"]) if "point_base" in row else 0.0
    b = float(row["point_variant"]) if "point_variant" in row else a + float(row["point"])
    return t["point_effect"].format(v=N.difference_text(a, b, unit, lang))


def sobol_bars(table: pd.DataFrame, indicator: str, school_year: str, ax: Axes | None = None,
               lang: str = "nl", *, effect: tuple[str, str] | None = None) -> Axes:
    """First-order and total Sobol indices per assumption (with their 95% intervals);
    ``effect``: the labels (variant, base) of indices of an effect (variant minus base)."""
    lang = _lang(lang)
    t = TEXT[lang]
    df = table.iloc[::-1]
    ax = _axes(ax, figsize=(9, 0.45 * len(df) + 1.6))
    y = range(len(df))
    h = 0.38
    ax.barh([v + h / 2 for v in y], df["ST"], h, xerr=df["ST_conf"], color=PALETTE[0],
            label=t["ST"])
    ax.barh([v - h / 2 for v in y], df["S1"], h, xerr=df["S1_conf"], color=PALETTE[1],
            label=t["S1"])
    name = label("indicators", indicator, lang)
    title = t["sobol"].format(ind=name, sy=school_year) if effect is None else \
        t["sobol_effect"].format(ind=name, sy=school_year, variant=effect[0], base=effect[1])
    return _parameter_bars(ax, df, t["share"], title, lang)


def _parameter_bars(ax: Axes, df: pd.DataFrame, xlabel: str, title: str, lang: str) -> Axes:
    """The common finish of a chart of bars per assumption (tornado, Sobol): the assumptions
    as labels, the axis label and ticks by the number rule, the title clear of the labels,
    the legend under the axis label (inside the axes it covered the longest bar), a grid
    along the values."""
    ax.set_yticks(list(range(len(df))), [_param_label(p, lang) for p in df["parameter"]],
                  fontsize=8)
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_formatter(_TickFormatter(lang))
    _title(ax, title, left_pt=_label_width_pt(df["parameter"], lang))
    ax.legend(**{**_LEGEND, "loc": "upper center", "bbox_to_anchor": (0.5, -0.1),
                 "ncols": 3, "frameon": False})
    ax.grid(axis="x", alpha=0.3)
    return ax


def footnote(meta: dict, lang: str = "nl") -> str:
    """The footnote of an uncertainty chart, from a sweep's ``meta``: the draws, what the
    bands include (``meta["band_includes"]``: members of the calibrated ensemble, or prior
    only: not calibrated) and the axes the sweep's resolution collapses
    (``meta["collapsed_axes"]``)."""
    t = TEXT[_lang(lang)]
    axes = meta.get("collapsed_axes") or []
    collapsed = t["collapsed"].format(axes=", ".join(label("axes", a, lang).lower()
                                                     for a in axes)) if axes \
        else t["not_collapsed"]
    lang = _lang(lang)
    includes = (meta.get("band_includes") or {}).get(lang)
    if includes is None:  # a sweep from before the ensemble: drawn from the priors
        from simlib.analysis.ensemble import band_label

        includes = band_label("prior", lang)
    return t["footnote"].format(
        n=meta["draws"], k=len(meta["parameters"]), seed=meta["seed"], includes=includes,
        collapsed=collapsed, version=meta["simlib_version"], data=meta["data_hash"][:12])
