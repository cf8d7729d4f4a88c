"""Runs that resume from an earlier run: the months before a change are taken, not computed.

A lever dated September 2027 leaves every month before it as in a run without that change:
the kernel's inputs (rate arrays, month scalars, the start) are equal up to that month, so its
state and records are too. :func:`run_kernel_resuming` keeps the last :data:`REFERENCES` single
runs (their kernel inputs, their raw records and snapshots of their state at the Septembers
of :data:`SNAPSHOT_MONTHS`),
finds for a new run the reference whose inputs equal its own for the longest time, copies that
reference's records before the resume month ``t0`` and runs the kernel only from ``t0`` on.

Exact by construction, and refused wherever it would not be:

- the same :class:`~simlib.model.engine.burn_in.Start` object (the same parameter values,
  data and resolution: :func:`~simlib.model.engine.burn_in.initial` keys it by them), the
  same inflow and market constants;
- every kernel input of the months before ``t0`` equal, value by value (``!=``, so a NaN
  never matches);
- ``t0`` a month of :data:`SNAPSHOT_MONTHS` (or the run's end) whose previous month had both Flanders-wide capacities (guaranteed
  places, the Groeifase) closed: the kernel rations a capacity with last month's demand,
  which it carries only within one call and starts at zero (:func:`exact_cut`);
- the state's duration bins compatible (:func:`_adapted`): the same Aanloopfase bins (the
  learners' months there are tracked up to the run's bin count from the start, see
  :meth:`~simlib.model.engine.state.EngineState.resized`), the same Groeifase bins unless
  the Groeifase was closed in every month before ``t0`` (it is then empty), and search bins
  added empty or dropped only where empty (equal windows before ``t0`` fill the same bins).

Each reference takes about 15 MB at the full resolution (its records, rate arrays and three
snapshots);
:data:`REFERENCES` bounds them. Thread-safe: the store is guarded by a lock, a reference is
never changed after it is stored (its arrays are read-only) and a run copies the snapshot it
resumes from.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from simlib.model import kernel as K
from simlib.model.engine.burn_in import Start
from simlib.model.engine.rate_arrays import InnerRates
from simlib.model.engine.state import EngineState, kernel_state, market, outputs, run_months

__all__ = ["REFERENCES", "Reference", "run_kernel_resuming", "forget", "exact_cut",
           "first_difference"]

#: The most reference runs kept (least recently used dropped first).
REFERENCES = 4
#: The months at whose start a run keeps a snapshot of its state (where it is exact, see
#: :func:`exact_cut`): September 2026, 2027 and 2028. Every lever's earliest date is
#: September 2026 or 2027 and every scenario file dates its levers there; a change dated
#: later resumes from September 2028. A simplification: each snapshot costs a copy of the
#: state (1.6 MB at the full resolution, about 0.5 ms) in every run, so later Septembers,
#: which only a later-dated change could use, are not kept.
SNAPSHOT_MONTHS = (12, 24, 36)

_LOCK = threading.Lock()
_STORE: OrderedDict[int, Reference] = OrderedDict()
_SERIAL = [0]


@dataclass(frozen=True)
class Reference:
    """A single run the next runs can resume from: its start, its kernel inputs, its
    state's bins ``(ka, kg, ks)``, the kernel's raw records (before post-stratification,
    :class:`~simlib.model.kernel.layout.Outputs` over all its months) and its state at the
    start of each month in ``snapshots`` (kernel order, :class:`~simlib.model.kernel.layout.State`)."""

    start: Start
    RTC: np.ndarray
    RTI: InnerRates
    MS: np.ndarray
    bins: tuple[int, int, int]
    out: K.Outputs
    snapshots: dict[int, K.State]

    @property
    def months(self) -> int:
        return self.MS.shape[2]


def exact_cut(MS: np.ndarray, t: int) -> bool:
    """Whether a run cut at month ``t`` (a kernel call ending before ``t``, the next
    starting at ``t``) equals the uncut run: the kernel carries last month's demand of the
    Flanders-wide capacities only within a call and starts a call at zero, so the cut is exact
    where neither capacity was open in month ``t - 1`` (no demand was counted). The other
    values the kernel carries between months are the state (snapshotted), its cache of rate
    rows (refilled with the same values) and scratch rows that every month writes before it
    reads them; its search bins in use are recomputed, and bins it adds are empty (zeros added
    change no sum)."""
    if t <= 0:
        return True
    closed = (MS[:, K.M.guarantee_on, t - 1] <= 0.5) & (MS[:, K.M.groeifase_open, t - 1] <= 0.5)
    return bool(closed.all())


def first_difference(ref: Reference, RTC: np.ndarray, RTI: InnerRates, MS: np.ndarray) -> int:
    """The first month whose kernel inputs differ from ``ref``'s (the shorter run's length if
    none do)."""
    n = min(ref.months, MS.shape[2])
    if RTC.shape[3] != ref.RTC.shape[3] or RTC.shape[:2] != ref.RTC.shape[:2]:
        return 0
    differs = (MS[:, :, :n] != ref.MS[:, :, :n]).any(axis=(0, 1))
    differs |= (RTC[:, :, :n] != ref.RTC[:, :, :n]).any(axis=(0, 1, 3))
    # the inner factors: compare each distinct (row, reference row) pair once
    a, b = RTI.index[:, :, :n], ref.RTI.index[:, :, :n]
    pairs, inverse = np.unique(a.astype(np.int64) * ref.RTI.pool.shape[1] + b,
                               return_inverse=True)
    ra, rb = np.divmod(pairs, ref.RTI.pool.shape[1])
    pair_differs = (RTI.pool[0, ra] != ref.RTI.pool[0, rb]).any(axis=1)
    differs |= pair_differs[inverse.reshape(a.shape)].any(axis=(0, 1))
    hit = np.flatnonzero(differs)
    return int(hit[0]) if hit.size else n


def _adapted(snap: K.State, bins: tuple[int, int, int], MS: np.ndarray,
             t0: int) -> K.State | None:
    """A copy of the snapshot ``snap`` with the state bins ``bins`` of the new run, or None
    if its bins cannot be changed exactly (see the module's docstring)."""
    ka, kg, ks = bins
    if ka != snap.aan.shape[2]:
        return None
    gro = snap.gro
    if kg != gro.shape[2]:
        if (MS[:, K.M.groeifase_open, :t0] > 0.5).any() or gro.any():
            return None
        gro = np.zeros((*gro.shape[:2], kg, gro.shape[3]))
    srch = snap.srch
    have = srch.shape[2]
    if ks < have:
        if srch[:, :, ks:].any():
            return None
        srch = srch[:, :, :ks]
    elif ks > have:
        srch = np.concatenate([srch, np.zeros((*srch.shape[:2], ks - have, srch.shape[3]))],
                              axis=2)
    return K.State(*(np.array(x, order="C") for x in
                     (snap.nd, srch, snap.oao, snap.soa, snap.gua, snap.aan, gro,
                      snap.places)))


def _find(begin: Start, RTC, RTI, MS, bins) -> tuple[Reference, int, K.State | None] | None:
    """The reference and month to resume from (the latest such month over all references)
    with the adapted state (None when every month is taken), or None."""
    T = MS.shape[2]
    with _LOCK:
        refs = list(reversed(_STORE.values()))
    best = None
    for ref in refs:
        if ref.start is not begin:
            continue
        limit = first_difference(ref, RTC, RTI, MS)
        if best is not None and limit <= best[1]:
            continue
        if limit >= T:  # every month as in the reference: nothing to run
            if ref.bins[0] == bins[0] and (ref.bins[1] == bins[1] or not (
                    MS[:, K.M.groeifase_open] > 0.5).any()):
                best = (ref, T, None)
                continue
        for t0 in sorted((t for t in ref.snapshots if t <= min(limit, T - 1)), reverse=True):
            if best is not None and t0 <= best[1]:
                break
            state = _adapted(ref.snapshots[t0], bins, MS, t0)
            if state is not None:
                best = (ref, t0, state)
                break
    if best is not None:
        with _LOCK:
            for key, ref in _STORE.items():
                if ref is best[0]:
                    _STORE.move_to_end(key)
                    break
    return best


def _frozen(kst: K.State) -> K.State:
    copy = K.State(*(np.array(x, order="C") for x in kst))
    for x in copy:
        x.flags.writeable = False
    return copy


def run_kernel_resuming(begin: Start, state: EngineState, RTC: np.ndarray, RTI: InnerRates,
                        MS: np.ndarray) -> tuple[K.Outputs, int]:
    """The kernel's outputs of one run (one draw) from ``begin`` with the rate arrays
    ``RTC``, ``RTI`` and month scalars ``MS``, ``state`` being ``begin``'s state with the
    run's bins; and the months taken from a reference (0: none).

    Resumes from the stored reference that shares the most months (see the module's
    docstring), else runs all months; either way the run is stored as a reference, with
    snapshots at each exact month of :data:`SNAPSHOT_MONTHS` it computed and those it took (its months before
    ``t0`` are the reference's).
    """
    if RTC.shape[0] != 1:
        raise ValueError("a resumed run is one draw")
    T = MS.shape[2]
    C = state.places.shape[1]
    bins = (state.aan.shape[3], state.gro.shape[3], state.srch.shape[3])
    found = _find(begin, RTC, RTI, MS, bins)
    out = outputs(1, T, C, True)
    snapshots: dict[int, K.State] = {}
    t0 = 0
    if found is not None:
        ref, t0, kst = found
        for mine, theirs in zip(out, ref.out, strict=True):
            mine[:, :t0] = theirs[:, :t0]
        snapshots = {t: s for t, s in ref.snapshots.items() if t <= t0 and t < T}
    if t0 < T:
        if found is None:
            kst = kernel_state(state)
            kst = K.State(*kst[:7], kst.places.copy())
        mk, fl = market(kst.places, begin.U0, begin.V0, begin.per_draw("alpha"),
                        begin.per_draw("beta"), begin.target0, begin.per_draw("kappa"),
                        begin.per_draw("tau"), begin.per_draw("front_load"),
                        begin.per_draw("rank"))
        cuts = [t for t in SNAPSHOT_MONTHS if t0 < t < T and exact_cut(MS, t)]
        a = t0
        for b in [*cuts, T]:
            if b > a:
                run_months(kst, RTC, RTI, MS, begin.inflow, fl, mk, out, True, a, b)
                a = b
            if b in cuts and b not in snapshots:
                snapshots[b] = _frozen(kst)
    for x in out:
        x.flags.writeable = False
    if found is None or t0 < T or found[0].months != T or found[0].bins != bins:
        # (a run equal to its reference in every month and bin adds nothing to the store)
        frozen_rti = InnerRates(_readonly(RTI.pool), _readonly(RTI.index))
        ref = Reference(begin, _readonly(RTC), frozen_rti, _readonly(MS), bins, out,
                        snapshots)  # the run's own arrays, made read-only (not copied)
        with _LOCK:
            _SERIAL[0] += 1
            _STORE[_SERIAL[0]] = ref
            while len(_STORE) > REFERENCES:
                _STORE.popitem(last=False)
    # the caller's copies (the stored records stay read-only; rec is post-stratified anew)
    return K.Outputs(out.rec, *(x.copy() for x in out[1:])), t0


def _readonly(x: np.ndarray) -> np.ndarray:
    """``x`` itself, made read-only (a view if it does not own its data)."""
    if x.base is not None:
        x = x.view()
    x.flags.writeable = False
    return x


def forget() -> None:
    """Drop every stored reference (the next run computes all its months)."""
    with _LOCK:
        _STORE.clear()
