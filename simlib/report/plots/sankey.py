"""The transitions of one school year as a flow diagram (Sankey)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from simlib.inputs.glossary import label
from simlib.report.numbers import number
from simlib.report.plots.common import _TEXT, NODE_COLOURS, _axes, _lang, _results, _title

# --- sankey --------------------------------------------------------------------------------


def _node_label(node: str, lang: str) -> str:
    if node in ("inflow", "dual", "guaranteed"):
        return label("axes", f"node_{node}", lang)
    return label("states", node, lang)


def _school_year(result, school_year: str | None) -> str:
    years = list(dict.fromkeys(result.trajectory.timeline.school_year()))
    if school_year is None:
        return years[0]
    if school_year not in years:
        raise ValueError(f"school year {school_year!r} not in the result; expected one of {years}")
    return school_year


def flows_table(result, school_year: str | None = None) -> pd.DataFrame:
    """Transitions in one school year (September to August), summed over its 12 months.

    Columns scenario, school_year, from, to, value, unit (learners per school year); one row
    per non-zero flow of ``result.trajectory.flows`` (nodes ``simlib.model.kernel.FLOW_NODES``).
    ``school_year`` defaults to the first. Given several results, the last is used.
    """
    from simlib.model.kernel import FLOW_NODES

    res = _results(result)[-1]
    sy = _school_year(res, school_year)
    months = np.asarray(res.trajectory.timeline.school_year()) == sy
    matrix = np.asarray(res.trajectory.flows)[months].sum(axis=0)
    rows = [(res.scenario.name, sy, FLOW_NODES[i], FLOW_NODES[j], float(matrix[i, j]),
             "learners_per_school_year")
            for i in range(len(FLOW_NODES)) for j in range(len(FLOW_NODES)) if matrix[i, j] > 0]
    return pd.DataFrame(rows, columns=["scenario", "school_year", "from", "to", "value", "unit"])


def _band(ax: Axes, x0: float, x1: float, y0: tuple[float, float], y1: tuple[float, float],
          colour: str) -> None:
    """A band from the interval y0 at x0 to the interval y1 at x1 (cubic curves)."""
    xm = (x0 + x1) / 2
    verts = [(x0, y0[1]), (xm, y0[1]), (xm, y1[1]), (x1, y1[1]),
             (x1, y1[0]), (xm, y1[0]), (xm, y0[0]), (x0, y0[0]), (x0, y0[1])]
    codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.LINETO,
             MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
    ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=colour, edgecolor="none",
                           alpha=0.4))


def _spread(centres: list[float], sizes: list[float], bottom: float) -> list[float]:
    """Label centres (top to bottom, descending y) moved apart so that labels of ``sizes``
    (heights in data units) do not overlap and none reaches below ``bottom``: a sweep down,
    then, if the last label is too low, a sweep back up."""
    ys = list(centres)
    for k in range(1, len(ys)):  # push down
        need = (sizes[k - 1] + sizes[k]) / 2
        if ys[k - 1] - ys[k] < need:
            ys[k] = ys[k - 1] - need
    if ys and ys[-1] < bottom + sizes[-1] / 2:  # out at the bottom: push the block back up
        ys[-1] = bottom + sizes[-1] / 2
        for k in range(len(ys) - 2, -1, -1):
            need = (sizes[k] + sizes[k + 1]) / 2
            if ys[k] - ys[k + 1] < need:
                ys[k] = ys[k + 1] + need
    return ys


def sankey(result, ax: Axes | None = None, lang: str = "nl", *, school_year: str | None = None,
           hide: Sequence[str] = ()) -> Axes:
    """Transitions in one school year as a left-to-right flow diagram.

    Left, each state a learner leaves (and the new learners); right, each state or exit a
    learner enters; a band's height is the number of transitions in the school year
    (learners per school year, summed over its 12 months; a learner who moves twice counts
    twice; staying put is not a transition). ``hide`` leaves out nodes (e.g. ``("non_dual",)``
    to look at the dual routes alone). Given several results, the last is drawn.
    """
    from simlib.model.kernel import FLOW_NODES

    lang = _lang(lang)
    res = _results(result)[-1]
    table = flows_table(res, school_year)
    sy = _school_year(res, school_year)
    table = table[~table["from"].isin(hide) & ~table["to"].isin(hide)]
    ax = _axes(ax, figsize=(10, 6.5))
    order = {n: i for i, n in enumerate(FLOW_NODES)}
    out_tot = table.groupby("from")["value"].sum()
    in_tot = table.groupby("to")["value"].sum()
    left = sorted(out_tot.index, key=order.get)
    right = sorted(in_tot.index, key=order.get)
    total = float(table["value"].sum())
    gap = 0.035 * total if total > 0 else 1.0
    width = 0.035

    def place(nodes, totals):
        pos, y = {}, 0.0
        for node in nodes:
            h = float(totals[node])
            pos[node] = (y, y + h)
            y += h + gap
        return pos, y - gap

    lpos, lh = place(left, out_tot)
    rpos, rh = place(right, in_tot)
    height = max(lh, rh, 1.0)
    # centre the shorter column; y grows downwards in reading order
    loff, roff = (height - lh) / 2, (height - rh) / 2
    lnext = {n: lpos[n][0] + loff for n in left}
    rnext = {n: rpos[n][0] + roff for n in right}
    table = table.assign(_f=table["from"].map(order), _t=table["to"].map(order))
    ordered = table.sort_values(["_f", "_t"])
    for src, dst, value in zip(ordered["from"], ordered["to"], ordered["value"], strict=True):
        y0 = (lnext[src], lnext[src] + value)
        lnext[src] += value
        y1 = (rnext[dst], rnext[dst] + value)
        rnext[dst] += value
        _band(ax, width, 1 - width, (height - y0[0], height - y0[1]),
              (height - y1[0], height - y1[1]), NODE_COLOURS[src])
    # nodes and labels (Dutch numbers in nl), labels pushed apart where nodes are thin
    fig_h_pt = ax.figure.get_figheight() * 72 * ax.get_position().height
    per_pt = 1.02 * height / max(fig_h_pt, 1.0)
    for nodes, pos, off, x, totals, side in ((left, lpos, loff, 0.0, out_tot, "left"),
                                             (right, rpos, roff, 1 - width, in_tot, "right")):
        texts, centres, sizes = [], [], []
        for node in nodes:
            top, bottom = height - (pos[node][0] + off), height - (pos[node][1] + off)
            ax.add_patch(Rectangle((x, bottom), width, top - bottom,
                                   facecolor=NODE_COLOURS[node], edgecolor="none"))
            text = (f"{textwrap.fill(_node_label(node, lang), 36)}\n"
                    f"{number(float(totals[node]), lang)}")
            texts.append(text)
            centres.append((top + bottom) / 2)
            sizes.append((text.count("\n") + 1) * 8 * 1.25 * per_pt)
        tx = -0.02 if side == "left" else 1.02
        edge = 0.0 if side == "left" else 1.0
        for text, yc, centre, size in zip(texts, _spread(centres, sizes, -0.01 * height),
                                          centres, sizes, strict=True):
            ax.text(tx, yc, text, ha="right" if side == "left" else "left",
                    va="center", fontsize=8, linespacing=1.1)
            if abs(yc - centre) > 0.25 * size:  # moved off its node: a leader line
                ax.plot([edge, tx * 0.985 + edge * 0.015], [centre, yc], color="#777777",
                        linewidth=0.6)
    ax.set_xlim(-0.62, 1.62)
    ax.set_ylim(-0.01 * height, 1.01 * height)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel(f"{label('axes', 'from_to', lang)} — {label('axes', 'school_year', lang)} "
                  f"{sy} ({label('units', 'school_year', lang)})")
    ax.set_ylabel(f"{label('axes', 'transitions', lang)} "
                  f"({label('units', 'learners_per_school_year', lang)})")
    _title(ax, f"{_TEXT[lang]['sankey']}, {_TEXT[lang]['school_year']} {sy} — "
               f"{res.scenario.label(lang)}")
    if total == 0:
        ax.text(0.5, 0.5, _TEXT[lang]["no_data"], ha="center", va="center",
                transform=ax.transAxes)
    return ax
