"""Learners per state over time."""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.axes import Axes

from simlib.inputs.glossary import label
from simlib.report.plots.common import (
    _TEXT,
    DUAL_STATES,
    STATE_COLOURS,
    _axes,
    _lang,
    _results,
    _TickFormatter,
    _title,
)

# --- stocks --------------------------------------------------------------------------------


def stocks_table(result_or_results, states: tuple[str, ...] = DUAL_STATES) -> pd.DataFrame:
    """Learners per state at the end of each month: columns scenario, month, state, value, unit."""
    frames = []
    for res in _results(result_or_results):
        df = res.stocks[list(states)].copy()
        df.index = df.index.strftime("%Y-%m-%d")
        long = df.reset_index().melt(id_vars="month", var_name="state", value_name="value")
        long.insert(0, "scenario", res.scenario.name)
        long["unit"] = "learners"
        frames.append(long)
    return pd.concat(frames, ignore_index=True)


def stocks(result, ax: Axes | None = None, lang: str = "nl",
           states: tuple[str, ...] = DUAL_STATES) -> Axes:
    """Learners per state over time (one line per state), in learners.

    By default the dual-related states; the non-dual variant is about 30 times larger and
    would flatten them (pass ``states=("non_dual",)`` to see it). Given several results, the
    last is drawn solid and the others dashed (the reference).
    """
    lang = _lang(lang)
    results = _results(result)
    ax = _axes(ax)
    styles = ["--", ":", "-."]
    for k, res in enumerate(results):
        last = k == len(results) - 1
        df = res.stocks
        for state in states:
            ax.plot(df.index, df[state], color=STATE_COLOURS.get(state),
                    linewidth=2 if last else 1.3, linestyle="-" if last else styles[k % 3],
                    label=label("states", state, lang) if last else None)
    ax.set_ylabel(f"{label('axes', 'stock', lang)} ({label('units', 'learners', lang)})")
    ax.set_xlabel(f"{label('axes', 'month', lang)} ({label('units', 'month_end', lang)})")
    ax.yaxis.set_major_formatter(_TickFormatter(lang))
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", alpha=0.3)
    names = " / ".join(r.scenario.label(lang) for r in results)
    _title(ax, f"{_TEXT[lang]['stocks']} — {names}")
    handles, labels = ax.get_legend_handles_labels()
    if len(results) > 1:
        from matplotlib.lines import Line2D

        for k, res in enumerate(results):
            last = k == len(results) - 1
            handles.append(Line2D([], [], color="#444444", linewidth=2 if last else 1.3,
                                  linestyle="-" if last else styles[k % 3]))
            labels.append(textwrap.fill(res.scenario.label(lang), 34))
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
              fontsize=8.5)
    return ax
