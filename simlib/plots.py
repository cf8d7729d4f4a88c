"""Charts: ``f(result, ax=None, lang="nl") -> Axes``, labels and units from the registries.

Colour-blind-safe palette (Okabe & Ito 2008), Dutch number formatting (1.234,5) in Dutch
mode. The model never imports this module; notebooks and exports do.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from simlib.glossary import label

__all__ = ["PALETTE", "STATE_COLOURS", "number", "stocks", "DUAL_STATES"]

#: Okabe-Ito colours, distinguishable with the common forms of colour blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
DUAL_STATES = ("searching", "dual_oao", "dual_soa", "aanloopfase", "groeifase")
STATE_COLOURS = {
    "non_dual": PALETTE[7],
    "searching": PALETTE[1],
    "dual_oao": PALETTE[0],
    "dual_soa": PALETTE[4],
    "aanloopfase": PALETTE[3],
    "groeifase": PALETTE[2],
}


def number(value: float, lang: str = "nl", decimals: int = 0) -> str:
    """``value`` with thousands separators: 1.234,5 in Dutch, 1,234.5 in English."""
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _formatter(lang: str, decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: number(x, lang, decimals))


def stocks(result, ax: Axes | None = None, lang: str = "nl",
           states: tuple[str, ...] = DUAL_STATES) -> Axes:
    """Learners per state over time (one line per state), in learners.

    By default the dual-related states; the non-dual variant is about 30 times larger and
    would flatten them (pass ``states=("non_dual",)`` to see it).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    df = result.stocks
    for state in states:
        ax.plot(df.index, df[state], label=label("states", state, lang),
                color=STATE_COLOURS.get(state), linewidth=2)
    ax.set_ylabel(f"{label('axes', 'stock', lang)} ({label('units', 'learners', lang)})")
    ax.set_xlabel(label("axes", "month", lang))
    ax.yaxis.set_major_formatter(_formatter(lang))
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", alpha=0.3)
    title = {"nl": "Leerlingen per toestand", "en": "Learners per state"}[lang]
    ax.set_title(f"{title} — {result.scenario.label(lang)}", loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax
