"""The state diagram of the model: one declaration of its boxes and arrows, drawn offline.

:data:`NODES` and :data:`TRANSITIONS` declare what the start notebook shows: the school
states of :data:`simlib.model.structure.SCHOOL_STATES`, the exits by qualification and the
labour-market statuses after exit, and the flows between them. Every label comes from the
glossary (``[states]``, ``[labour]`` and ``[diagram]`` of ``simlib/glossary.toml``), so
the drawing is in Dutch or English. :func:`state_diagram` draws it with matplotlib (no
browser script, no CDN: the dashboard is offline); :func:`png` gives the PNG bytes and
:func:`widget` an image that follows a language toggle.

The drawing simplifies the model as the README's mermaid diagram does (a guaranteed place,
for instance, is left out); every arrow of the README is an arrow here (tested).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from simlib.inputs.glossary import label

__all__ = ["Node", "Transition", "NODES", "TRANSITIONS", "EXIT", "LABOUR", "state_diagram",
           "png", "widget"]

#: The group boxes: every exit by qualification, and the labour-market statuses after exit.
EXIT = "exit"
LABOUR = "labour_market"
START = "start"


@dataclass(frozen=True)
class Node:
    """A box of the diagram at ``(x, y)`` (its centre, in diagram units). ``members``: the
    ids listed inside a group box (``section`` of the glossary names them)."""

    id: str
    x: float
    y: float
    section: str = "states"
    members: tuple[str, ...] = ()
    member_section: str = "states"
    size: tuple[float, float] | None = None

    def label(self, lang: str = "nl") -> str:
        return label(self.section, self.id, lang)


@dataclass(frozen=True)
class Transition:
    """An arrow ``source`` → ``target``; ``label`` is a key of the glossary's ``[diagram]``
    section (None: no text on the arrow). ``bend`` curves it (two arrows between the same
    boxes bend apart); ``over``: right from the top of ``source``, then down into the top of
    ``target`` (over the boxes between)."""

    source: str
    target: str
    label: str | None = None
    bend: float = 0.0
    label_shift: tuple[float, float] = (0.0, 0.0)
    over: bool = False


NODES: tuple[Node, ...] = (
    Node(START, 0.0, 7.2, section="diagram"),
    Node("non_dual", 4.2, 7.2),
    Node("aanloopfase", 4.2, 1.6),
    Node("searching", 9.6, 4.4),
    Node("dual_oao", 15.4, 6.0),
    Node("dual_soa", 15.4, 2.8),
    Node("groeifase", 9.6, -0.5),
    Node(EXIT, 20.7, 2.2, section="diagram",
         members=("qualified_education", "qualified_professional", "partial_qualification",
                  "unqualified"), size=(5.6, 4.6)),
    Node(LABOUR, 20.7, -2.7, section="diagram",
         members=("employed", "job_seeking", "further_study", "inactive"),
         member_section="labour"),
)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(START, "non_dual", "new_cohort", label_shift=(-0.1, 0.75)),
    Transition("non_dual", "searching", "enters_dual", 0.15),
    Transition("searching", "non_dual", "window_over", 0.15),
    Transition("non_dual", "aanloopfase", "screened_not_ready", 0.15,
               label_shift=(-1.0, 0.0)),
    Transition("aanloopfase", "non_dual", None, 0.15),
    Transition("aanloopfase", "searching", "work_ready", 0.15),
    Transition("searching", "aanloopfase", "window_over", 0.15),
    Transition("searching", "dual_oao", "place_oao", -0.2),
    Transition("dual_oao", "searching", "termination", -0.2),
    Transition("searching", "dual_soa", "place_soa", 0.2),
    Transition("dual_soa", "searching", "termination", 0.2),
    Transition("dual_oao", "non_dual", "termination", 0.08),
    Transition("aanloopfase", "groeifase", "when_open", 0.15, label_shift=(-0.7, -0.1)),
    Transition("groeifase", "searching", "springboard", 0.0),
    Transition("non_dual", EXIT, "qualify_or_leave", over=True),
    Transition("dual_oao", EXIT, None),
    Transition("dual_soa", EXIT, None),
    Transition("aanloopfase", EXIT, "leave_adult", label_shift=(3.6, 0.0)),
    Transition("groeifase", EXIT, None),
    Transition(EXIT, LABOUR, None),
)

_COLOURS = {  # the states' colours of simlib.report.plots (same ids, same colour in every chart)
    "non_dual": "#000000", "searching": "#E69F00", "dual_oao": "#0072B2",
    "dual_soa": "#56B4E9", "aanloopfase": "#CC79A7", "groeifase": "#009E73",
    EXIT: "#555555", LABOUR: "#555555",
}
_BOX = {"width": 3.5, "height": 1.1}
_GROUP = {"width": 5.2, "height": 2.6}


def _node(node_id: str) -> Node:
    return next(n for n in NODES if n.id == node_id)


def _size(node: Node) -> tuple[float, float]:
    if node.id == START:
        return 0.4, 0.4
    if node.size:
        return node.size
    box = _GROUP if node.members else _BOX
    return box["width"], box["height"]


def _wrap(text: str, width: int = 22) -> str:
    """``text`` in lines of at most ``width`` characters where it can (a part in
    parentheses is not broken)."""
    lines, line = [], ""
    for word in re.findall(r"\([^)]*\)|\S+", text):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def _edge_point(node: Node, towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the centre of ``node`` to ``towards`` leaves its box."""
    w, h = _size(node)
    dx, dy = towards[0] - node.x, towards[1] - node.y
    if dx == dy == 0:
        return node.x, node.y
    scale = min(w / 2 / abs(dx) if dx else float("inf"), h / 2 / abs(dy) if dy else float("inf"))
    return node.x + dx * scale, node.y + dy * scale


def _ends(a: Node, b: Node) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where an arrow from box ``a`` to box ``b`` starts and ends: on the line between their
    centres, except into a group box to their right, which an arrow enters from the left at
    the height of its source (within the box): arrows from many boxes then do not cross."""
    w, h = _size(b)
    if b.members and a.x < b.x - w / 2:
        target = (b.x - w / 2, min(max(a.y, b.y - h / 2 + 0.3), b.y + h / 2 - 0.3))
        return _edge_point(a, target), target
    return _edge_point(a, (b.x, b.y)), _edge_point(b, (a.x, a.y))


def state_diagram(lang: str = "nl", fig: Figure | None = None) -> Figure:
    """The states and the flows between them (:data:`NODES`, :data:`TRANSITIONS`), labelled
    in ``lang`` ("nl" or "en") from the glossary, as a matplotlib figure."""
    label("diagram", "exit", lang)  # checks lang
    fig = fig or Figure(figsize=(12, 6.6))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(-0.6, 23.6)
    ax.set_ylim(-4.5, 8.4)
    ax.set_aspect("equal")
    ax.axis("off")
    for node in NODES:
        _draw_node(ax, node, lang)
    for tr in TRANSITIONS:
        _draw_transition(ax, tr, lang)
    ax.text(-0.4, -4.4, _wrap(label("diagram", "note", lang), 140), ha="left", va="bottom",
            fontsize=8.5, color="#555555")
    return fig


def _draw_node(ax, node: Node, lang: str) -> None:
    w, h = _size(node)
    if node.id == START:
        ax.add_patch(Circle((node.x, node.y), w / 2, color="#000000", zorder=3))
        return
    colour = _COLOURS.get(node.id, "#000000")
    ax.add_patch(FancyBboxPatch((node.x - w / 2, node.y - h / 2), w, h,
                                boxstyle="round,pad=0.02,rounding_size=0.2",
                                facecolor="white", edgecolor=colour, linewidth=2.2, zorder=3))
    if not node.members:
        ax.text(node.x, node.y, _wrap(node.label(lang), 14), ha="center", va="center",
                fontsize=10, fontweight="bold", color="#1a1a1a", zorder=4)
        return
    ax.text(node.x, node.y + h / 2 - 0.2, node.label(lang), ha="center", va="top",
            fontsize=10.5, fontweight="bold", zorder=4)
    items = "\n".join(f"• {label(node.member_section, m, lang)}" for m in node.members)
    ax.text(node.x - w / 2 + 0.2, node.y + h / 2 - 0.75, items, ha="left", va="top",
            fontsize=8.5, linespacing=1.5, zorder=4)


def _draw_transition(ax, tr: Transition, lang: str) -> None:
    a, b = _node(tr.source), _node(tr.target)
    if tr.over:
        (wa, ha), (wb, hb) = _size(a), _size(b)
        start, end = (a.x + wa / 2, a.y + ha / 4), (b.x - wb / 2 + 1.0, b.y + hb / 2)
        route = "angle,angleA=0,angleB=90,rad=12"
        x, y = (start[0] + end[0]) / 2, start[1]
    else:
        start, end = _ends(a, b)
        route = f"arc3,rad={tr.bend}"
        # the middle of arc3's curve: the chord's middle moved by bend/2 x (dy, -dx)
        dx, dy = end[0] - start[0], end[1] - start[1]
        x = (start[0] + end[0]) / 2 + tr.bend / 2 * dy
        y = (start[1] + end[1]) / 2 - tr.bend / 2 * dx
    ax.add_patch(FancyArrowPatch(start, end, connectionstyle=route,
                                 arrowstyle="-|>,head_length=6,head_width=3.5", linewidth=1.2,
                                 color="#444444", shrinkA=3, shrinkB=3, zorder=2))
    if not tr.label:
        return
    x, y = x + tr.label_shift[0], y + tr.label_shift[1]
    long = abs(end[0] - start[0]) + abs(end[1] - start[1]) > 8
    ax.text(x, y, _wrap(label("diagram", tr.label, lang), 32 if long else 18), ha="center", va="center",
            fontsize=8.5, color="#222222", zorder=5, linespacing=1.1,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none",
                  "alpha": 0.92})


@cache
def png(lang: str = "nl", dpi: float = 110) -> bytes:
    """The diagram of :func:`state_diagram` as PNG bytes (remembered per language)."""
    from io import BytesIO

    buf = BytesIO()
    state_diagram(lang).savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def widget(toggle=None, lang: str = "nl"):
    """An ``ipywidgets.Image`` of the diagram in ``lang``; with ``toggle`` (a widget whose
    value is "nl" or "en", such as an app's ``lang_toggle``) it follows that toggle."""
    import ipywidgets as W

    lang = toggle.value if toggle is not None else lang
    image = W.Image(value=png(lang), format="png",
                    layout=W.Layout(max_width="100%", height="auto"))
    image.add_class("simlib-state-diagram")
    if toggle is not None:
        toggle.observe(lambda change: setattr(image, "value", png(change["new"])), names="value")
    return image
