"""Charts of uncertainty: fan charts (bands), the tornado and Sobol bars; and their footnote.

Same conventions as :mod:`simlib.plots`: Dutch by default (``lang="en"`` for English), units
on every axis, shares in percent, the footnote says what the bands do and do not include.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from simlib.glossary import label
from simlib.plots import (
    PALETTE,
    _axes,
    _display,
    _indicator,
    _lang,
    _school_year_axis,
    _TickFormatter,
    _title,
    _value_label,
    number,
)

__all__ = ["fan", "tornado", "sobol_bars", "footnote"]

TEXT = {
    "nl": {
        "fan": "{ind}: mediaan met 50%- en 90%-banden ({n} trekkingen)",
        "fan_diff": "{ind}, verschil {name}: mediaan met 50%- en 90%-banden ({n} gepaarde "
                    "trekkingen)",
        "median": "mediaan", "band50": "50%-band", "band90": "90%-band",
        "tornado": "{ind} in {sy}: elke aanname alleen aan de onder- en bovengrens van haar "
                   "bereik",
        "low": "ondergrens van het bereik", "high": "bovengrens van het bereik",
        "base": "waarde in data/",
        "sobol": "{ind} in {sy}: aandeel van de spreiding per aanname (Sobol)",
        "S1": "eerste orde (alleen)", "ST": "totaal (met interacties)",
        "share": "aandeel van de variantie (0–1)",
        "footnote": "Banden: {n} trekkingen van {k} onzekere parameters uit hun bereik in data/ "
                    "(seed {seed}); geen herkalibratie per trekking, geen ingeklapte assen. "
                    "simlib {version}, data {data}.",
    },
    "en": {
        "fan": "{ind}: median with 50% and 90% bands ({n} draws)",
        "fan_diff": "{ind}, difference {name}: median with 50% and 90% bands ({n} paired draws)",
        "median": "median", "band50": "50% band", "band90": "90% band",
        "tornado": "{ind} in {sy}: each assumption alone at the low and high end of its range",
        "low": "low end of the range", "high": "high end of the range",
        "base": "value in data/",
        "sobol": "{ind} in {sy}: share of the spread per assumption (Sobol)",
        "S1": "first order (alone)", "ST": "total (with interactions)",
        "share": "share of the variance (0–1)",
        "footnote": "Bands: {n} draws of {k} uncertain parameters from their ranges in data/ "
                    "(seed {seed}); no recalibration per draw, no axis collapsed. "
                    "simlib {version}, data {data}.",
    },
}


def _param_label(name: str, lang: str) -> str:
    """A parameter's name made readable (parameters have no glossary labels yet)."""
    return name.replace("_", " ")


def fan(band_table: pd.DataFrame, indicator: str, ax: Axes | None = None, lang: str = "nl", *,
        group: str = "all", scenario: str | None = None) -> Axes:
    """Median and 50%/90% bands over the school years from a :func:`~simlib.uncertainty.bands`
    table (one scenario, or a difference)."""
    lang = _lang(lang)
    t = TEXT[lang]
    ax = _axes(ax)
    df = band_table[(band_table["indicator"] == indicator) & (band_table["group"] == group)]
    if scenario is not None:
        df = df[df["scenario"] == scenario]
    if df.empty:
        raise ValueError(f"no bands for indicator {indicator!r}, group {group!r}")
    name = df["scenario"].iloc[0]
    df = df[df["scenario"] == name].sort_values("school_year")
    ind = _indicator(indicator)
    scale, _ = _display(ind.unit)
    x = list(range(len(df)))
    colour = PALETTE[0]
    ax.fill_between(x, df["p5"] * scale, df["p95"] * scale, color=colour, alpha=0.18,
                    lw=0, label=t["band90"])
    ax.fill_between(x, df["p25"] * scale, df["p75"] * scale, color=colour, alpha=0.38,
                    lw=0, label=t["band50"])
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


def tornado(table: pd.DataFrame, indicator: str, school_year: str, ax: Axes | None = None,
            lang: str = "nl", *, top: int = 12) -> Axes:
    """The tornado of :func:`~simlib.sensitivity.tornado_table`: the indicator with each
    assumption at the low and the high end of its range, the largest swings on top."""
    lang = _lang(lang)
    t = TEXT[lang]
    ind = _indicator(indicator)
    scale, _ = _display(ind.unit)
    df = table.head(top).iloc[::-1]
    ax = _axes(ax, figsize=(9, 0.4 * len(df) + 1.6))
    base = float(df["base"].iloc[0]) * scale
    y = range(len(df))
    ax.barh(y, (df["low"] * scale - base).to_numpy(), left=base, color=PALETTE[1],
            label=t["low"])
    ax.barh(y, (df["high"] * scale - base).to_numpy(), left=base, color=PALETTE[0],
            alpha=0.85, label=t["high"])
    ax.axvline(base, color="#333333", lw=1, label=f"{t['base']}: {number(base, lang, 1)}")
    ax.set_yticks(list(y), [_param_label(p, lang) for p in df["parameter"]], fontsize=8)
    ax.set_xlabel(_value_label(ind.unit, lang))
    ax.xaxis.set_major_formatter(_TickFormatter(lang))
    _title(ax, t["tornado"].format(ind=label("indicators", indicator, lang), sy=school_year))
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return ax


def sobol_bars(table: pd.DataFrame, indicator: str, school_year: str, ax: Axes | None = None,
               lang: str = "nl") -> Axes:
    """First-order and total Sobol indices per assumption (with their 95% intervals)."""
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
    ax.set_yticks(list(y), [_param_label(p, lang) for p in df["parameter"]], fontsize=8)
    ax.set_xlabel(t["share"])
    ax.xaxis.set_major_formatter(_TickFormatter(lang))
    _title(ax, t["sobol"].format(ind=label("indicators", indicator, lang), sy=school_year))
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return ax


def footnote(meta: dict, lang: str = "nl") -> str:
    """The footnote of an uncertainty chart, from a sweep's ``meta``."""
    return TEXT[_lang(lang)]["footnote"].format(
        n=meta["draws"], k=len(meta["parameters"]), seed=meta["seed"],
        version=meta["simlib_version"], data=meta["data_hash"][:12])
