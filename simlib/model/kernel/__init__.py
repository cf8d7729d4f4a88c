"""The private fast kernel of the cohort engine (numba).

Not public API: :mod:`simlib.model.engine` prepares every input and reads every output. The
kernel moves expected numbers of learners month by month; each market cell (region x sector
x finality) owns a contiguous block of strata. One run uses one core: on a 2-core machine
threads over cells lose more to waiting than they gain (measured in benchmarks/). A batch of
independent runs (parameter draws, :func:`run_batch`) releases the GIL, so batches run in
threads.

Layout (:mod:`.layout`, where every name the kernel reads or writes is declared once):
``state[c, k, i]`` with ``c`` the market cell, ``k`` a duration (tunnel) bin and ``i`` the
inner stratum, innermost, in the kernel's order (ses, year, behind, readiness; see
:func:`kernel_order`), so that every step is a loop over the strata of a cell that the
compiler vectorises (SIMD). A rate ``n`` at month ``t``, cell ``c``, inner stratum ``i`` is
``tc[n, t, c] * pool[row[n, t], i]``: the inner factors are a pool of distinct rows and, per
rate and month, the row to use (a rate that does not change over the months has one row, so a
batch's rates take little memory).

Each month, each cell takes these steps (:mod:`.loop`), one compiled function each:

1. inflow (September) and 2. route choice and screening (:mod:`.entry`);
3. the market, searchers and vacancies, and 4a. placement over the search window
   (:mod:`.market`);
4b. contracts: terminations by contract month, refusals, leaving; 4c. guaranteed places;
   the firms' active places (:mod:`.contracts`);
4d. failed searches and 4e. terminations: where they go (:mod:`.destinations`);
4f. the Aanloopfase and 4g. the Groeifase (:mod:`.phases`);
4h. the moves, the exits and what is recorded (:mod:`.moves`);
5. the year end (August, :mod:`.year_end`).

The leavers' labour market runs after the kernel, on group totals (:mod:`.labour`).
"""

from pathlib import Path

from simlib.model.kernel import (
    contracts,
    destinations,
    entry,
    labour,
    layout,
    loop,
    market,
    moves,
    numerics,
    phases,
    year_end,
)
from simlib.model.kernel.cache import keep_fresh
from simlib.model.kernel.labour import labour_months
from simlib.model.kernel.layout import (
    BIN_DAYS,
    EXTRA,
    FLOW_NODES,
    GROEIFASE_RULES,
    INNER,
    KD,
    KERNEL_RATES,
    LEAVE_QUALIFICATIONS,
    LEAVE_ROUTES,
    LEAVERS,
    M_COHORT,
    M_DAYS,
    M_G_INTAKE,
    M_G_MAX,
    M_G_OPEN,
    M_SEP,
    M_WINDOW,
    MONTH_SCALARS,
    NB,
    NE,
    NON_DUAL_Q,
    NP,
    NR,
    NY,
    Q_FAILED,
    Q_LEAVE,
    Q_OAO,
    Q_SOA,
    Q_SRCH,
    Q_TERM,
    RATE_DECLARATIONS,
    RATE_KINDS,
    RECORDED,
    SHARE,
    SPLITS,
    WORK,
    A,
    F,
    G,
    M,
    Market,
    Outputs,
    R,
    Rates,
    State,
    W,
    kernel_order,
    search_bins,
)
from simlib.model.kernel.loop import run_batch, run_kernel
from simlib.model.kernel.numerics import _p

__all__ = [
    "BIN_DAYS", "EXTRA", "FLOW_NODES", "GROEIFASE_RULES", "INNER", "KD", "KERNEL_RATES",
    "LEAVE_QUALIFICATIONS", "LEAVE_ROUTES", "LEAVERS", "MONTH_SCALARS", "NB", "NE",
    "NON_DUAL_Q", "NP", "NR", "NY", "RATE_DECLARATIONS", "RATE_KINDS", "RECORDED", "SHARE", "SPLITS",
    "WORK", "A", "F", "G", "M", "R", "W", "Q_LEAVE", "Q_SRCH", "Q_OAO", "Q_SOA", "Q_TERM",
    "Q_FAILED", "M_DAYS", "M_WINDOW", "M_COHORT", "M_SEP", "M_G_OPEN", "M_G_INTAKE", "M_G_MAX",
    "State", "Rates", "Market", "Outputs", "kernel_order", "search_bins", "run_kernel",
    "run_batch", "labour_months", "_p",
]

#: Every compiled function of the kernel (the on-disk cache of each is kept in step with
#: the kernel's files, see :mod:`.cache`).
DISPATCHERS = tuple(obj for module in (contracts, destinations, entry, labour, layout, loop,
                                       market, moves, numerics, phases, year_end)
                    for obj in vars(module).values()
                    if hasattr(obj, "py_func") and obj.__module__ == module.__name__)
keep_fresh(DISPATCHERS, Path(__file__).parent)
