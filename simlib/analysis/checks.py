"""The shared invariant checks: what every run and every policy module must satisfy.

The tests (``tests/model/test_policies.py``, ``tests/report/test_themes.py``) and the researcher's notebook
(``notebooks/09_model_uitbreiden.ipynb``) use the same functions, so a module written in a
notebook passes the same suite as the registered ones:

- :func:`check_invariants` — one :class:`simlib.Result`: learners are conserved every month
  (stock = start + inflow), no stock or recorded flow is negative, nobody leaves school
  without a full qualification before the end of compulsory schooling (in any state, by
  year and years behind: :func:`simlib.model.rates.adult_share`), and the rates it ran on
  are valid (finite, non-negative, probabilities and shares at most 1, the routing shares of
  a failed search and of a termination summing to 1, provider shares summing to 1).
- :func:`check_module` — one policy module: it declares ``LEVERS``, ``RATES`` and ``apply``,
  its levers exist in the registry, it changes only rates it declares and that exist, it is
  neutral at today's lever values (a module without levers always acts: noted, since it
  then changes the baseline and so the calibration), and a run with it passes
  :func:`check_invariants`.
- :func:`policy_module` — a module built in a few lines (for a notebook): a name, the rates
  it changes, the ``apply`` function, and optionally the levers it reads, an evidence grade
  and labels.
(The calibration targets against one or more runs, to see whether a module moves the
calibrated baseline out of tolerance, are :func:`simlib.report.tables.calibration_table`.)

Each returns a :class:`CheckReport` (shown as a table in a notebook, in Dutch by default:
``report.text("en")`` or ``report.lang = "en"``; the words are in the glossary's
``[checks]``) and, by default, raises :class:`InvariantError` listing every failed check.
"""

from __future__ import annotations

import functools
import html
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from simlib.inputs import scenario as _scenarios
from simlib.model import simulation as _simulation

__all__ = ["Check", "CheckReport", "InvariantError", "check_invariants", "check_rates",
           "check_module", "module_checks", "MODULE_CHECKS", "policy_module"]

#: Relative tolerance of the conservation check (the engine conserves to rounding).
RTOL = 1e-9


class InvariantError(AssertionError):
    """A run or a module failed a shared invariant; the message lists every failed check."""


def _words(key: str, lang: str, **fields) -> str:
    from simlib.inputs.glossary import label

    return label("checks", key, lang).format(**fields)


def _small(value: float, lang: str) -> str:
    """A tiny or any number in two significant digits, with the language's decimal mark."""
    text = f"{value:.2g}"
    return text.replace(".", ",") if lang == "nl" else text


@dataclass(frozen=True)
class Text:
    """Words of the glossary's ``[checks]`` (``key``) with their fields, in either language;
    a field given as a :class:`Text` or a number is written in the same language."""

    key: str
    fields: tuple[tuple[str, object], ...] = ()

    def __call__(self, lang: str = "nl") -> str:
        values = {k: (v(lang) if isinstance(v, Text) else _small(v, lang)
                      if isinstance(v, float) else v) for k, v in self.fields}
        return _words(self.key, lang, **values)


def _t(key: str, **fields) -> Text:
    return Text(key, tuple(fields.items()))


@dataclass(frozen=True)
class Check:
    """One check: its name, whether it passed, and what was found (``note``: passed, but
    worth knowing). ``name`` and ``detail`` are English (stable for scripts and tests);
    :meth:`label` and :meth:`details` give either language."""

    name: str
    passed: bool
    detail: str = ""
    note: bool = False
    words: Text | None = None     #: the name in both languages
    found: Text | None = None     #: the detail in both languages

    @staticmethod
    def of(key: str | Text, passed: bool, found: Text | str | None = None,
           note: bool = False) -> Check:
        words = key if isinstance(key, Text) else _t(key)
        found_t = found if isinstance(found, Text) else None
        detail = found_t("en") if found_t else (found or "")
        return Check(words("en"), passed, detail, note, words, found_t)

    def label(self, lang: str = "nl") -> str:
        return self.words(lang) if self.words else self.name

    def details(self, lang: str = "nl") -> str:
        return self.found(lang) if self.found else self.detail


@dataclass
class CheckReport:
    """The checks of one run or module, in order; written in :attr:`lang` (Dutch unless
    set, as every page of the suite)."""

    subject: str | Text
    checks: list[Check] = field(default_factory=list)
    lang: str = "nl"

    @property
    def ok(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def problems(self) -> list[str]:
        return [f"{c.name}: {c.detail}" for c in self.checks if not c.passed]

    def title(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        return self.subject(lang) if isinstance(self.subject, Text) else self.subject

    def text(self, lang: str | None = None) -> str:
        lang = lang or self.lang
        lines = [f"{self.title(lang)}: {_words('all_passed' if self.ok else 'failed', lang)}"]
        for c in self.checks:
            mark = _words("mark_ok" if c.passed and not c.note else "mark_note" if c.passed
                          else "mark_fail", lang)
            detail = c.details(lang)
            lines.append(f"  [{mark}] {c.label(lang)}" + (f" — {detail}" if detail else ""))
        return "\n".join(lines)

    def raise_if_failed(self) -> CheckReport:
        if not self.ok:
            raise InvariantError(self.text("en"))
        return self

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        lang = self.lang
        rows = []
        for c in self.checks:
            colour, mark = (("#009E73", "✓") if c.passed and not c.note else
                            ("#E69F00", "•") if c.passed else ("#D55E00", "✗"))
            rows.append(f"<tr><td style='color:{colour};font-weight:bold'>{mark}</td>"
                        f"<td style='text-align:left'>{html.escape(c.label(lang))}</td>"
                        f"<td style='text-align:left'>{html.escape(c.details(lang))}</td></tr>")
        verdict = f"✓ {_words('all_passed', lang)}" if self.ok else \
            f"✗ {_words('some_failed', lang)}"
        return (f"<b>{html.escape(self.title(lang))}</b>: {verdict}"
                f"<table>{''.join(rows)}</table>")


def _report(subject: str | Text, checks: list[Check], raise_error: bool,
            lang: str = "nl") -> CheckReport:
    report = CheckReport(subject, checks, lang)
    return report.raise_if_failed() if raise_error else report


# --- one run -------------------------------------------------------------------------------


def _conservation(result) -> Check:
    total = np.asarray(result.stocks, float).sum(axis=1)
    inflow = np.asarray(result.inflow, float)
    expected = total[0] + np.cumsum(inflow) - inflow[0]
    gap = np.abs(total - expected)
    worst = int(np.argmax(gap))
    ok = bool(np.all(gap <= RTOL * np.maximum(np.abs(expected), 1.0)))
    return Check.of("conservation", ok, _t("gap", v=float(gap[worst]), m=worst) if not ok
                    else _t("gap_ok", v=float(gap.max())))


def _no_negative(result) -> Check:
    stocks = np.asarray(result.stocks, float)
    scale = max(float(stocks.sum(axis=1).max()), 1.0)
    rec = np.asarray(result.trajectory.rec, float)
    low = min(float(stocks.min()), float(rec.min()))
    ok = low >= -RTOL * scale
    return Check.of("no_negative", ok, _t("lowest", v=low))


def _compulsory_schooling(result) -> Check:
    """No leaver without a full qualification in a (month, year, years behind) where nobody
    is past compulsory schooling yet (the law's ages, not the run's rates)."""
    from simlib.model.rates import adult_share
    from simlib.model.structure import INNER

    tr = result.trajectory
    leavers = np.asarray(tr.leavers, float)  # (T, I)
    minors = adult_share(tr.timeline) == 0.0
    scale = max(float(np.asarray(result.stocks, float).sum(axis=1).max()), 1.0)
    worst = float(leavers[minors].max()) if minors.any() else 0.0
    ok = worst <= RTOL * scale
    found = _t("minors", v=worst)
    if not ok:
        t, i = np.unravel_index(np.argmax(np.where(minors, leavers, -1.0)), leavers.shape)
        where = {a: dict(INNER.axes)[a][INNER.coord(a)[i]] for a in ("year", "behind")}
        found = Text("minors", (("v", worst),))
        found = _t("minors_full", head=found, tail=_t("minors_where", m=int(t),
                                                        year=where["year"],
                                                        behind=where["behind"]))
    return Check.of("compulsory", ok, found)


def check_rates(rates: dict, months: int) -> list[Check]:
    """The checks of a rates dict (:func:`simlib.model.simulation.policy_rates`) over ``months``."""
    from simlib.model import kernel as K

    checks = []
    bad_sign, too_big = [], []
    for name in K.KERNEL_RATES:
        full = rates[name].full(months)
        if not (np.all(np.isfinite(full)) and np.all(full >= 0)):
            bad_sign.append(name)
        if K.RATE_KINDS[name] == K.SHARE and np.any(full > 1 + 1e-12):
            too_big.append(name)
    checks.append(Check.of("rates_valid", not bad_sign,
                           _t("failing", x=str(bad_sign)) if bad_sign
                           else _t("n_rates", n=len(K.KERNEL_RATES))))
    checks.append(Check.of("rates_bounded", not too_big,
                           _t("failing", x=str(too_big)) if too_big else None))
    for event, destinations in K.SPLITS.items():
        prefix = f"{event}_to_"
        total = sum(rates[prefix + to].full(months) for to in destinations)
        err = float(np.max(np.abs(total - 1.0)))
        checks.append(Check.of(_t("routing", prefix=prefix), err <= 1e-9, _t("error", v=err)))
    provider = np.asarray(rates["provider_share"], float)
    err = float(np.max(np.abs(provider.sum(axis=1) - 1.0)))
    checks.append(Check.of("provider", err <= 1e-9, _t("error", v=err)))
    return checks


def check_invariants(result, *, raise_error: bool = True, lang: str = "nl") -> CheckReport:
    """The shared invariants of one run (see the module docstring); raises
    :class:`InvariantError` listing every failure unless ``raise_error=False``; the report
    reads in ``lang``."""
    months = result.trajectory.timeline.months
    checks = [_conservation(result), _no_negative(result), _compulsory_schooling(result),
              *check_rates(result.trajectory.rates, months)]
    extra = getattr(result, "extra_modules", ())
    subject = _t("subject_full", head=_t("subject_run", name=result.scenario.name,
                                           years=result.years),
                 tail=_t("subject_with", modules=", ".join(extra)) if extra else _t("empty"))
    return _report(subject, checks, raise_error, lang)


# --- one policy module ---------------------------------------------------------------------


def policy_module(name: str, rates: Sequence[str], apply: Callable, *,
                  levers: Sequence[str] = (), evidence: str = "D", label_nl: str | None = None,
                  label_en: str | None = None, doc: str = "") -> types.ModuleType:
    """A policy module built in code, as a registered module in ``simlib/policies/`` is:

    ``name`` (an identifier), ``rates`` (the names it may change), ``apply(rates, lv, ctx) ->
    dict`` (see :mod:`simlib.model.policies`), ``levers`` (registry ids it reads), the grade of the
    evidence behind its effect (A-D, default D: an assumption) and labels for texts.
    Run it with ``simlib.run(scenario, extra_modules=[module])``.
    """
    from simlib.inputs.levers import EVIDENCE_GRADES

    if not name.isidentifier():
        raise ValueError(f"name must be an identifier, not {name!r}")
    if evidence not in EVIDENCE_GRADES:
        raise ValueError(f"evidence must be one of {EVIDENCE_GRADES}, not {evidence!r}")
    module = types.ModuleType(name, doc)
    module.LEVERS = tuple(levers)
    module.RATES = tuple(rates)
    module.apply = apply
    module.EVIDENCE = evidence
    module.LABEL_NL = label_nl or name
    module.LABEL_EN = label_en or label_nl or name
    return module


def _values(x, months: int) -> np.ndarray:
    from simlib.model.rates import Rate

    if isinstance(x, Rate):
        return x.full(months)
    return np.broadcast_to(np.asarray(x, float), (months,))


class _ModuleContext:
    """What the checks of one module share, computed once, when a check first needs it."""

    def __init__(self, module, scenario, years: int):
        from simlib.model.policies import module_names
        from simlib.model.simulation import module_name

        self.module, self.scenario, self.years = module, scenario, years
        self.name = module_name(module)
        self.registered = self.name in module_names()

    @functools.cached_property
    def declared(self) -> bool:
        m = self.module
        return all(hasattr(m, k) for k in ("LEVERS", "RATES", "apply"))

    @functools.cached_property
    def timeline(self):
        from simlib.model.structure import Timeline

        return Timeline(self.years)

    @functools.cached_property
    def base(self) -> dict:
        """The rates before any module (at today's rules every registered module is
        neutral, so this is also what an extra module, applied after them, receives)."""
        from simlib.model.policies import module_names
        from simlib.model.simulation import policy_rates

        return policy_rates(_scenarios.load_scenario("baseline"), self.timeline,
                            disabled=module_names())

    @functools.cached_property
    def applied(self):
        """The module's rates at today's lever values, or the exception apply raised."""
        from simlib.inputs.levers import levers
        from simlib.model.engine import LeverValues
        from simlib.model.simulation import _context

        today = LeverValues({x.id: dict(x.schedule) for x in levers()}, self.timeline)
        try:
            return self.module.apply(dict(self.base), today, _context(self.timeline, self.base))
        except Exception as exc:  # reported, not raised: the report lists every failure
            return exc

    @functools.cached_property
    def run(self):
        """A run with the module, or the exception it raised."""
        sc = self.scenario if isinstance(self.scenario, _scenarios.Scenario) else \
            _scenarios.load_scenario(self.scenario)
        try:
            with np.errstate(all="ignore"):  # a broken module's NaN: reported by the checks
                return _simulation.run(sc, years=self.years,
                                       extra_modules=() if self.registered else (self.module,))
        except Exception as exc:
            return exc


def _declares(ctx: _ModuleContext) -> list[Check]:
    m = ctx.module
    return [Check.of("declares", ctx.declared and callable(getattr(m, "apply", None))
                     and bool(m.RATES))]


def _levers_exist(ctx: _ModuleContext) -> list[Check]:
    from simlib.inputs.levers import lever_ids

    unknown = [x for x in ctx.module.LEVERS if x not in set(lever_ids())]
    return [Check.of("levers_exist", not unknown,
                     _t("unknown", x=str(unknown)) if unknown else
                     _t("plain", x=", ".join(ctx.module.LEVERS)) if ctx.module.LEVERS
                     else _t("no_levers"))]


def _rates_exist(ctx: _ModuleContext) -> list[Check]:
    missing = sorted(set(ctx.module.RATES) - set(ctx.base))
    return [Check.of("rates_exist", not missing, _t("unknown", x=str(missing)) if missing
                     else _t("plain", x=", ".join(ctx.module.RATES)))]


def _only_declared(ctx: _ModuleContext) -> list[Check]:
    if isinstance(ctx.applied, Exception):
        return [Check.of("apply_runs", False, _t("plain", x=repr(ctx.applied)))]
    stray = sorted(set(ctx.applied) - set(ctx.module.RATES))
    return [Check.of("only_declared", not stray,
                     _t("undeclared", x=str(stray)) if stray else None)]


def _neutral(ctx: _ModuleContext) -> list[Check]:
    if isinstance(ctx.applied, Exception):
        return [Check.of("apply_runs", False, _t("plain", x=repr(ctx.applied)))]
    if not ctx.module.LEVERS:
        return [Check.of("neutral", True, _t("always_acts"), note=True)]
    months, base = ctx.timeline.months, ctx.base
    moved = [r for r, v in ctx.applied.items() if r in base and not np.allclose(
        _values(v, months), _values(base[r], months), rtol=1e-12, atol=0)]
    return [Check.of("neutral", not moved, _t("changes", x=str(moved)) if moved else None)]


def _invariants(ctx: _ModuleContext) -> list[Check]:
    if isinstance(ctx.run, Exception):
        return [Check.of("run_with", False, _t("plain", x=repr(ctx.run)))]
    return [Check.of(_t("run_prefix", name=c.words), c.passed, c.found, c.note)
            for c in check_invariants(ctx.run, raise_error=False).checks]


#: The shared checks of a policy module, by name (each yields one or more :class:`Check`).
MODULE_CHECKS: dict[str, Callable[[_ModuleContext], list[Check]]] = {
    "declares": _declares,
    "levers_exist": _levers_exist,
    "rates_exist": _rates_exist,
    "only_declared": _only_declared,
    "neutral": _neutral,
    "invariants": _invariants,
}


def module_checks(module, *, scenario="baseline", years: int = 2, run: bool = True):
    """The shared checks of one policy module as ``(name, check)`` pairs, ``check()``
    returning its :class:`Check` list, so a test can run each on its own and a failure names
    the check (as scikit-learn's estimator checks do). ``run=False`` leaves out the run."""
    ctx = _ModuleContext(module, scenario, years)
    for name, fn in MODULE_CHECKS.items():
        if name == "invariants" and not run:
            continue
        yield name, functools.partial(fn, ctx)


def check_module(module, *, scenario="baseline", years: int = 2, run: bool = True,
                 raise_error: bool = True, lang: str = "nl") -> CheckReport:
    """The shared checks of one policy module (registered or not; see the module docstring):
    every check of :func:`module_checks` in order, stopping after "declares" fails (nothing
    else can be checked then). ``run=False`` leaves out the model run; the report reads in
    ``lang``."""
    from simlib.model.simulation import module_name

    subject = _t("subject_module", name=module_name(module))
    checks: list[Check] = []
    for name, check in module_checks(module, scenario=scenario, years=years, run=run):
        found = check()
        checks += [c for c in found if c not in checks]  # "apply_runs" once, not twice
        if name == "declares" and not found[0].passed:
            break
    return _report(subject, checks, raise_error, lang)
