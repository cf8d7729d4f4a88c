"""Goal seeking: which value of a lever (or which combination of chosen levers) reaches a
change of ``+N`` (or ``-N``) on an indicator in a school year, at the least public cost.

The question (:func:`question`, every input checked before any run): an indicator, a target
change against ``base`` (default ``baseline``), a school year, a group, and one or more
numeric levers of the registry (:mod:`simlib.inputs.levers`), each searched within its
``min``..``max`` and snapped to its ``step``. A lever is set as the apps set it
(:func:`simlib.model.structure.dated_entry`, the one rule): from its ``earliest_date``
(a plain value if that is the first simulated month or earlier), merged into the base's
schedule. Every point is a full run of :func:`simlib.run` (the model with the parameter
values in ``data/``: no uncertainty), cached by the values tried.

- **One lever** (:func:`_one`): the effect ``f(x) = indicator(x) - indicator(base)`` on a
  grid of at most :data:`GRID` values over the range; every interval where ``f - N`` changes
  sign is a bracket for :func:`scipy.optimize.brentq` (a crossing: the effect is not
  assumed monotone); each crossing is snapped to the lever's step, to the neighbour on the
  side that reaches the target (both tried). Of several crossings the one with the least
  public cost wins. No crossing: the target is **out of reach** within the range, and the
  answer is the value with the best effect (the grid's best, refined by a bounded
  :func:`scipy.optimize.minimize_scalar`), said so; this is an answer, not a user error.
- **Several levers** (:func:`_several`): minimise ``public_cost`` in the school year subject
  to ``f >= N`` (``f <= N`` for a negative N). The candidates: each lever's own answer (the
  others as in ``base``), a coarse grid over the box (at most :data:`BOX_POINTS` points),
  then :func:`scipy.optimize.minimize` (SLSQP, the box scaled to [0, 1], finite-difference
  gradients of one lever step) from the best feasible point; the result snapped to the steps
  (the floor/ceiling combinations tried) and the cheapest feasible point kept. So the answer
  is never dearer than a feasible single-lever answer. At most :data:`MAX_RUNS` runs: the
  optimiser stops at the budget and the best point found is the answer (a simplification:
  a local search from the grid's best, not a proof of the global optimum).

"Reached" is ``f >= N`` (``f <= N`` when N is negative) less a tolerance of
:data:`TOLERANCE` of ``|N|`` (the snapped value can fall just short of a target crossed
between two steps only if neither neighbour reaches it; then ``reached`` is False and the
effect is stated).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from simlib.inputs.levers import Lever, lever_ids, levers
from simlib.inputs.scenario import Scenario, load_scenario, nearest, scenario

__all__ = ["SEEK_FILES", "HELP", "MAX_RUNS", "GRID", "BOX_POINTS", "MAX_LEVERS", "TOLERANCE",
           "SeekError", "Question", "Answer", "question", "seek", "seek_rows",
           "answer_scenario", "arguments", "question_of", "progress_line",
           "scenario_toml", "meta", "write", "dated"]

#: The files ``seek`` writes; ``--out`` holding any of them is refused without ``--force``.
SEEK_FILES = ("seek.csv", "scenario.toml", "meta.json")
#: The most model runs one seek makes (runs take about 0.1 s each).
MAX_RUNS = 190
#: Grid values of one lever's range (fewer when the range has fewer steps).
GRID = 11
#: Points of the coarse grid over several levers' box.
BOX_POINTS = 49
#: The most levers one seek combines (the grid and the budget cannot cover more).
MAX_LEVERS = 4
#: Relative tolerance on the target (of ``|N|``) for "reached".
TOLERANCE = 1e-3
#: The ``seek`` command's help line.
HELP = ("the lever value(s) reaching --change on --indicator in --school-year at the least "
        "public cost; writes seek.csv, scenario.toml, meta.json")
#: The cost indicator minimised.
COST = "public_cost"


class SeekError(ValueError):
    """A question that cannot be asked (the message names the flag and what is expected)."""


@dataclass(frozen=True)
class Question:
    """A checked question (see :func:`question`)."""

    indicator: str
    change: float
    school_year: str
    levers: tuple[Lever, ...]
    base: Scenario
    group: str = "all"
    unit: str = ""


@dataclass
class Answer:
    """The answer: ``values`` (lever id -> snapped value), ``unsnapped`` (before snapping),
    ``effect`` (indicator minus base at the snapped values), ``value`` and ``base_value``
    (the indicator), ``cost`` and ``base_cost`` (public cost in the school year), ``reached``
    (whether the effect reaches the target), ``best`` (True when the target is out of reach
    and this is the best reachable effect), ``runs`` (distinct model runs), ``method``."""

    question: Question
    values: dict
    unsnapped: dict
    effect: float
    value: float
    base_value: float
    cost: float
    base_cost: float
    reached: bool
    runs: int
    method: str
    best: bool = False
    candidates: list = field(default_factory=list)


def _near(value: str, options: Sequence[str]) -> str:
    near = nearest(value, list(options), cutoff=0.5)
    return f"; did you mean {near!r}?" if near else ""


def question(indicator: str, change: float, school_year: str, lever_list: Sequence[str],
             base: str | Scenario = "baseline", group: str = "all") -> Question:
    """The question checked, before any run: a known indicator and school year, a group of
    the model, a finite non-zero change, 1 to :data:`MAX_LEVERS` distinct numeric levers
    that the base does not ignore. Raises :class:`SeekError` naming the flag; a bad base
    raises :class:`simlib.inputs.scenario.ScenarioError`."""
    from simlib.analysis.explain import years_for
    from simlib.model.groups import group_masks
    from simlib.model.outcomes import INDICATORS
    from simlib.model.simulation import MAX_YEARS
    from simlib.model.structure import Timeline

    units = {ind.id: ind.unit for ind in INDICATORS}
    if indicator not in units:
        raise SeekError(f"{indicator!r}: --indicator: not an indicator{_near(indicator, units)}"
                        f" Expected one of {', '.join(list(units)[:12])}, ...")
    years = list(dict.fromkeys(Timeline(MAX_YEARS).school_year()))
    if school_year not in years:
        raise SeekError(f"{school_year!r}: --school-year: not a simulated school year"
                        f"{_near(school_year, years)} Expected one of {', '.join(years)}")
    years_for(school_year)
    groups = list(dict.fromkeys(["all", *group_masks()[0]]))
    if group not in groups:
        raise SeekError(f"{group!r}: --group: not a group{_near(group, groups)} Expected all "
                        "or axis=label, e.g. finality=arbeidsmarkt")
    if not math.isfinite(change) or change == 0:
        raise SeekError(f"{change}: --change: expected a finite non-zero change, e.g. +500 "
                        "or -200")
    if not lever_list:
        raise SeekError("--lever: none given; expected at least one numeric lever id")
    if len(set(lever_list)) != len(lever_list):
        raise SeekError(f"--lever: {', '.join(lever_list)}: a lever given twice; expected "
                        "each lever once")
    if len(lever_list) > MAX_LEVERS:
        raise SeekError(f"--lever: {len(lever_list)} levers; expected at most {MAX_LEVERS} "
                        f"(the search makes at most {MAX_RUNS} runs)")
    ids = lever_ids()
    numeric = [lv.id for lv in levers() if lv.kind in ("int", "float")]
    base_sc = base if isinstance(base, Scenario) else load_scenario(base)
    chosen = []
    for lid in lever_list:
        if lid not in ids:
            raise SeekError(f"{lid!r}: --lever: not a lever{_near(lid, ids)} Expected a "
                            f"numeric lever, one of {', '.join(numeric[:12])}, ... "
                            "(python -m simlib levers)")
        lv = next(x for x in levers() if x.id == lid)
        if lv.kind not in ("int", "float"):
            raise SeekError(f"{lid!r}: --lever: a {lv.kind} lever ({lv.allowed()}): it has "
                            "no range to search; expected a numeric lever"
                            f"{_near(lid, numeric)}")
        if lv.parent and not base_sc.value(lv.parent, lv.earliest_date):
            raise SeekError(f"{lid!r}: --lever: ignored while {lv.parent!r} is off, as it is "
                            f"in --base {base_sc.name!r}; expected a base that switches "
                            f"{lv.parent!r} on")
        chosen.append(lv)
    return Question(indicator, float(change), school_year, tuple(chosen), base_sc, group,
                    units[indicator])


def dated(lv: Lever, value):
    """``value`` of ``lv`` as a scenario entry from the lever's earliest date (a plain value
    if that is the first simulated month or earlier): the apps' rule."""
    from simlib.model.structure import dated_entry

    return dated_entry(value, lv.earliest_date)


def answer_scenario(q: Question, values: dict, name: str | None = None) -> Scenario:
    """The base with ``values`` (lever id -> value) set the apps' way (:func:`dated`)."""
    over = {lv.id: dated(lv, lv.coerce(values[lv.id])) for lv in q.levers}
    if name is None:
        return scenario(q.base, **over)
    label_nl = f"Doel: {q.indicator} {q.change:+g} in {q.school_year}"
    label_en = f"Goal: {q.indicator} {q.change:+g} in {q.school_year}"
    return scenario(q.base, name=name, label_nl=label_nl, label_en=label_en, **over)


class _Budget(Exception):
    """The run budget is spent."""


class _Runs:
    """The effect and cost of lever values, one cached run each, counted."""

    def __init__(self, q: Question, progress: Callable[[int, int], None] | None):
        from simlib.analysis.explain import years_for

        self.q, self.progress = q, progress
        self.years = years_for(q.school_year)
        self.cache: dict[tuple, tuple[float, float]] = {}
        self.base_value, self.base_cost = self._measure(q.base)

    def _measure(self, sc: Scenario) -> tuple[float, float]:
        from simlib.model.simulation import run

        r = run(sc, self.years)
        return (float(r.value(self.q.indicator, self.q.school_year, self.q.group)),
                float(r.value(COST, self.q.school_year, "all")))

    def key(self, values: dict) -> tuple:
        return tuple(float(lv.coerce(values[lv.id])) if lv.kind == "float"
                     else values[lv.id] for lv in self.q.levers)

    def __call__(self, values: dict) -> tuple[float, float]:
        """(effect, cost) at ``values`` (every chosen lever; int levers rounded)."""
        values = {lv.id: (int(round(values[lv.id])) if lv.kind == "int"
                          else float(values[lv.id])) for lv in self.q.levers}
        k = self.key(values)
        if k not in self.cache:
            if len(self.cache) >= MAX_RUNS:
                raise _Budget
            value, cost = self._measure(answer_scenario(self.q, values))
            self.cache[k] = (value - self.base_value, cost)
            if self.progress:
                self.progress(len(self.cache), MAX_RUNS)
        return self.cache[k]


def _reaches(q: Question, effect: float) -> bool:
    slack = TOLERANCE * abs(q.change)
    return effect >= q.change - slack if q.change > 0 else effect <= q.change + slack


def _snaps(lv: Lever, x: float) -> list:
    """The step values either side of ``x`` within the range (one if ``x`` is on a step)."""
    lo, step = lv.min, lv.step
    k = (x - lo) / step
    out = []
    for kk in dict.fromkeys([math.floor(k + 1e-9), math.ceil(k - 1e-9)]):
        v = min(max(lo + kk * step, lv.min), lv.max)
        v = int(round(v)) if lv.kind == "int" else round(float(v), 10)
        out.append(v)
    return list(dict.fromkeys(out))


def _grid(lv: Lever, n: int) -> list:
    steps = int(round((lv.max - lv.min) / lv.step))
    ks = sorted(set(np.linspace(0, steps, min(n, steps + 1)).round().astype(int).tolist()))
    return [_snaps(lv, lv.min + k * lv.step)[0] for k in ks]


def _one(runs: _Runs, lv: Lever, fixed: dict, grid: int = GRID) -> list[dict]:
    """Candidates for one lever (``fixed``: the other levers' values): each crossing of
    the target, solved and snapped, as ``{"values", "unsnapped", "effect", "cost"}``; or,
    if none, the best reachable point with ``"best": True``."""
    from scipy.optimize import brentq, minimize_scalar

    q = runs.q
    sign = 1.0 if q.change > 0 else -1.0

    def f(x: float) -> float:
        return runs({**fixed, lv.id: x})[0]

    xs = _grid(lv, grid)
    fs = [f(x) for x in xs]
    out = []
    for (a, fa), (b, fb) in itertools.pairwise(zip(xs, fs, strict=True)):
        if (fa - q.change) * (fb - q.change) > 0 or fa == fb:
            continue
        if fa == q.change or fb == q.change:
            root = a if fa == q.change else b
        else:
            root = brentq(lambda x: f(x) - q.change, a, b, xtol=lv.step / 4, maxiter=20)
        for v in _snaps(lv, root):
            e, c = runs({**fixed, lv.id: v})
            out.append({"values": {**fixed, lv.id: v}, "unsnapped": {**fixed, lv.id: root},
                        "effect": e, "cost": c, "reached": _reaches(q, e),
                        "crossing": True})
    if out:
        return out
    i = int(np.argmax([sign * x for x in fs]))
    lo, hi = xs[max(i - 1, 0)], xs[min(i + 1, len(xs) - 1)]
    x = xs[i]
    if hi > lo:
        res = minimize_scalar(lambda x: -sign * f(x), bounds=(lo, hi), method="bounded",
                              options={"xatol": lv.step, "maxiter": 12})
        x = float(res.x)
    cands = [(v, *runs({**fixed, lv.id: v})) for v in [*_snaps(lv, x), xs[i]]]
    v, e, c = max(cands, key=lambda t: (sign * t[1], -t[2]))
    return [{"values": {**fixed, lv.id: v}, "unsnapped": {**fixed, lv.id: x}, "effect": e,
             "cost": c, "reached": _reaches(q, e), "best": True}]


def _base_values(q: Question) -> dict:
    """Each chosen lever's value in force in ``base`` at its earliest date."""
    return {lv.id: q.base.value(lv.id, lv.earliest_date) for lv in q.levers}


def _pick(q: Question, cands: list[dict]) -> dict:
    """The cheapest candidate that reaches the target; else the one with the best effect."""
    ok = [c for c in cands if c["reached"]]
    if ok:
        return min(ok, key=lambda c: c["cost"])
    sign = 1.0 if q.change > 0 else -1.0
    return {**max(cands, key=lambda c: (sign * c["effect"], -c["cost"])), "best": True}


def _several(runs: _Runs, q: Question) -> tuple[list[dict], str]:
    """Candidates for several levers (see the module); the method's words."""
    from scipy.optimize import minimize

    base = _base_values(q)
    cands: list[dict] = []
    for lv in q.levers:  # each lever alone, the others as in the base
        cands += _one(runs, lv, {k: v for k, v in base.items() if k != lv.id}, grid=7)
    k = len(q.levers)
    per = max(2, int(BOX_POINTS ** (1 / k)))
    for point in itertools.product(*[_grid(lv, per) for lv in q.levers]):
        values = dict(zip([lv.id for lv in q.levers], point, strict=True))
        e, c = runs(values)
        cands.append({"values": values, "unsnapped": values, "effect": e, "cost": c,
                      "reached": _reaches(q, e)})
    start = _pick(q, cands)
    lo = np.array([lv.min for lv in q.levers], float)
    span = np.array([lv.max - lv.min for lv in q.levers], float)
    eps = float(max(lv.step / (lv.max - lv.min) for lv in q.levers))
    sign = 1.0 if q.change > 0 else -1.0

    def at(u):
        x = lo + np.clip(u, 0, 1) * span
        return runs(dict(zip([lv.id for lv in q.levers], x, strict=True)))

    cost_scale = max(abs(runs.base_cost), 1.0)
    u0 = (np.array([start["values"][lv.id] for lv in q.levers], float) - lo) / span
    method = "slsqp"
    try:
        res = minimize(lambda u: at(u)[1] / cost_scale, u0, method="SLSQP",
                       bounds=[(0, 1)] * k,
                       constraints=[{"type": "ineq",
                                     "fun": lambda u: sign * (at(u)[0] - q.change)
                                     / abs(q.change)}],
                       options={"maxiter": 15, "eps": eps, "ftol": 1e-6})
        u = np.clip(res.x, 0, 1)
    except _Budget:
        method, u = "slsqp (stopped at the run budget)", u0
    x = lo + u * span
    try:
        for combo in itertools.product(*[_snaps(lv, xi) for lv, xi in
                                         zip(q.levers, x, strict=True)]):
            values = dict(zip([lv.id for lv in q.levers], combo, strict=True))
            e, c = runs(values)
            cands.append({"values": values, "unsnapped": dict(
                zip([lv.id for lv in q.levers], x.tolist(), strict=True)), "effect": e,
                "cost": c, "reached": _reaches(q, e)})
    except _Budget:
        method += "; snapping stopped at the run budget"
    return cands, method


def seek(q: Question, progress: Callable[[int, int], None] | None = None) -> Answer:
    """Answer ``q`` (see the module); ``progress(runs done, run budget)``."""
    runs = _Runs(q, progress)
    if len(q.levers) == 1:
        lv = q.levers[0]
        cands, method = _one(runs, lv, {}), "grid + brentq"
        if cands[0].get("best"):
            method = "grid + bounded search (target out of reach)"
    else:
        cands, method = _several(runs, q)
    best = _pick(q, cands)
    v = best["values"]
    if progress:
        progress(len(runs.cache) + 1, len(runs.cache) + 1)
    return Answer(q, {lv.id: v[lv.id] for lv in q.levers},
                  {lv.id: float(best["unsnapped"][lv.id]) for lv in q.levers},
                  best["effect"], runs.base_value + best["effect"], runs.base_value,
                  best["cost"], runs.base_cost, best["reached"], len(runs.cache) + 1,
                  method, not best["reached"] and not any(c.get("crossing") for c in cands),
                  cands)


def seek_rows(a: Answer) -> list[dict]:
    """The rows of ``seek.csv``: one per lever (``quantity`` = the lever id, ``value``,
    ``unit``), then the indicator's target, reached change, and the public cost (``kind``
    says which)."""
    q = a.question
    rows = [{"kind": "lever", "quantity": lv.id, "value": a.values[lv.id], "unit": lv.unit}
            for lv in q.levers]
    rows += [{"kind": "target", "quantity": q.indicator, "value": q.change, "unit": q.unit},
             {"kind": "reached", "quantity": q.indicator, "value": a.effect, "unit": q.unit},
             {"kind": "public_cost", "quantity": COST, "value": a.cost,
              "unit": "eur_per_school_year"}]
    return rows


def arguments(p):
    """The ``seek`` command's flags added to the parser ``p``; returns ``p``."""
    p.add_argument("--indicator", required=True, help="an indicator id, e.g. active_places")
    p.add_argument("--change", required=True, type=float,
                   help="the target change against --base, e.g. +500 or -200")
    p.add_argument("--school-year", required=True, help="e.g. 2030-31")
    p.add_argument("--lever", action="append", required=True, metavar="LEVER",
                   help=f"a numeric lever to search within its range (repeatable, at most "
                   f"{MAX_LEVERS}: then the cheapest combination)")
    p.add_argument("--base", default="baseline", help="the scenario the change is against "
                   "and the answer builds on (default baseline)")
    p.add_argument("--group", default="all", help="all (default) or axis=label, e.g. "
                   "finality=arbeidsmarkt")
    p.add_argument("--lang", choices=("nl", "en"), default="nl")
    p.add_argument("--out", required=True, help="folder to write seek.csv, scenario.toml and "
                   "meta.json into")
    p.add_argument("--force", action="store_true", help="overwrite results already in --out")
    return p


def question_of(args) -> Question:
    """The question of the command's ``args`` (:func:`question`)."""
    return question(args.indicator, args.change, args.school_year, args.lever, args.base,
                    args.group)


def progress_line(done: int, total: int) -> None:
    """The progress line on stderr: runs made (of :data:`MAX_RUNS` at most), ended when
    ``done == total`` (the seek's last call)."""
    import sys

    end = done >= total
    print(f"\rruns {done}" + ("" if end else f" (at most {total})"), end="\n" if end else "",
          file=sys.stderr, flush=True)


def scenario_toml(a: Answer) -> str:
    """The answer as a scenario file over ``baseline`` (:meth:`Scenario.toml_dict`), with a
    comment saying what it answers."""
    import tomli_w

    q = a.question
    sc = answer_scenario(q, a.values, name=f"seek_{q.indicator}_{q.school_year}")
    head = (f"# python -m simlib seek --indicator {q.indicator} --change {q.change:+g} "
            f"--school-year {q.school_year} "
            + " ".join(f"--lever {lv.id}" for lv in q.levers)
            + f" --base {q.base.name} --group {q.group}\n"
            f"# effect {a.effect:+.6g} ({'reached' if a.reached else 'not reached'}), "
            f"public cost {a.cost:.6g} EUR in {q.school_year}\n")
    return head + tomli_w.dumps(sc.toml_dict())


def meta(a: Answer) -> dict:
    """``meta.json`` of an answer: the question, the answer, the runs, the model."""
    from simlib.files.version import model_label

    q = a.question
    return {"indicator": q.indicator, "change": q.change, "school_year": q.school_year,
            "group": q.group, "base": q.base.name, "unit": q.unit,
            "levers": {lv.id: {"value": a.values[lv.id], "unsnapped": a.unsnapped[lv.id],
                               "min": lv.min, "max": lv.max, "step": lv.step,
                               "unit": lv.unit, "from": lv.earliest_date}
                       for lv in q.levers},
            "base_value": a.base_value, "value": a.value, "effect": a.effect,
            "reached": a.reached, "out_of_reach": a.best, "tolerance": TOLERANCE,
            "public_cost": a.cost, "base_public_cost": a.base_cost, "runs": a.runs,
            "method": a.method, "model": model_label(),
            "objective": "least public_cost in the school year such that the effect "
                         "(indicator minus base) reaches the change"}


def write(folder, a: Answer, overwrite: bool = False) -> list:
    """Write ``seek.csv``, ``scenario.toml`` and ``meta.json`` into ``folder``, complete or
    not at all (:func:`simlib.files.outputs.write_folder`); returns the paths."""
    import pandas as pd

    from simlib.files.outputs import table, write_folder

    rows = pd.DataFrame(seek_rows(a))
    text = scenario_toml(a)

    def toml(path) -> int:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        return text.count("\n")

    files = {"seek.csv": table(rows, index=False, lineterminator="\n", encoding="utf-8"),
             "scenario.toml": toml}
    return write_folder(folder, files, meta(a), overwrite=overwrite)
