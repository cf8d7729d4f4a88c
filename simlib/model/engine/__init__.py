"""The cohort engine: expected monthly learner flows over all strata.

Each month (the kernel, :mod:`simlib.model.kernel`, runs it; this package prepares its inputs
and reads its outputs):

1. **Inflow** (September): a new cohort enters year 3 in the non-dual variant, scaled with the
   population aged 12-17, spread over regions, sectors, finalities, years behind, indicator
   pupils and readiness as in ``data/``.
2. **Route choice** (September and October, or later if the entry deadline moves): a share
   of non-dual learners enters dual with a provider (school, CDO, Syntra); screening judges
   them work-ready (they search) or not (Aanloopfase), with an accuracy that depends on the
   screening lever and on their latent readiness.
3. **Placement market** per region x sector x finality: searchers U and vacancies V (active
   places minus filled places) give a daily placement hazard from a Cobb-Douglas matching
   function with fixed elasticities; employers rank searchers by readiness (crowding-out);
   no searcher's chance in a month exceeds V / U. The 20 + 20 school-day window runs in
   5-day steps (a tunnel), stops in July and August and restarts after a termination.
   Searchers whose window ends go to a guaranteed place (if that lever is on and has room),
   or to the non-dual variant, the Aanloopfase, the Groeifase (broad intake) or, past 18,
   leave.
4. **Contracts** (OAO, SOA) carry their month (a tunnel): terminations are front-loaded;
   conditional recognition adds refusals in the first three months. Guaranteed places
   transfer to firms at a yearly rate. **Firms**: each cell's active places move towards the
   firms' offer (today's places times the supply levers' factor) over
   ``firm_adjustment_months``; each termination or refusal makes
   ``firm_inactivation_per_termination`` places inactive (bad experiences), so the offer at
   today's rules is what keeps today's places steady.
5. **Aanloopfase and Groeifase** carry their duration: work-ready learners search, others
   move to non-dual or, from a set month and if the Groeifase is open with room, enter it
   (else they wait); the Groeifase ends in a springboard, leaving, or its maximum duration.
6. **Year end** (August): advance, repeat (one more year behind), qualify or leave.
7. **Labour market** (after the kernel): leavers by group, qualification and route enter a
   labour-market status and move with months since exit.

Learners are conserved every month: tests/model/test_engine.py checks totals, rows and stocks.
Capacities (guaranteed places, Groeifase) are Flanders-wide and rationed with last month's
demand (a one-month lag: a simplification).

The pieces, one purpose each: :mod:`.lever_values` (lever values per month), :mod:`.inputs`
(what a draw reads from ``data/``), :mod:`.cells` (resolutions and collapsing cells),
:mod:`.rate_arrays` (the kernel's rate arrays of a batch), :mod:`.state` (the state and one
kernel call), :mod:`.burn_in` (the burn-in and the start state), :mod:`.batch` (running a
batch, post-stratifying, the results) and :mod:`.labour` (the labour market). Other code
imports from this package.
"""

from simlib.model.engine.batch import Batch, Trajectory, post_stratify, simulate, simulate_batch
from simlib.model.engine.burn_in import SETTLE_YEARS, Start, initial, start
from simlib.model.engine.cells import RESOLUTIONS, cell_grid, collapse
from simlib.model.engine.inputs import BURN_IN_YEARS, Draw, draw_inputs
from simlib.model.engine.labour import EXIT_MONTHS
from simlib.model.engine.lever_values import LeverValues
from simlib.model.engine.rate_arrays import MAX_WINDOW_DAYS, InnerRates

__all__ = ["LeverValues", "simulate", "Trajectory", "BURN_IN_YEARS", "SETTLE_YEARS",
           "EXIT_MONTHS", "Draw", "draw_inputs", "Start", "start", "Batch", "simulate_batch",
           "RESOLUTIONS", "cell_grid", "collapse", "post_stratify", "InnerRates",
           "MAX_WINDOW_DAYS", "initial"]
