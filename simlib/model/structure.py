"""The model's structure: strata axes, states, and the monthly timeline.

Declared once here; the engine, the outcomes and the charts look them up.

Strata: region x sector x finality (a market cell) x year x years behind x indicator pupil x
readiness x provider, the axes of DESIGN.md §3.2 at their default resolution (6 x 7 x 2 x 5 x 3
x 2 x 3 x 3 = 22,680 strata). The kernel simulates 7,560 of them (84 cells x 90 inner strata);
the provider axis is post-stratified (see ``POST_AXES``).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import product

import numpy as np

__all__ = [
    "HORIZON_YEARS",
    "FOCUS_SCHOOL_YEAR",
    "AXES",
    "CELL_AXES",
    "INNER_AXES",
    "POST_AXES",
    "CELLS",
    "INNER",
    "SCHOOL_STATES",
    "QUALIFICATIONS",
    "LABOUR_STATUSES",
    "EXIT_STATES",
    "STATES",
    "Strata",
    "STRATA",
    "Timeline",
    "SEARCH_BIN_DAYS",
    "START",
    "dated_entry",
]

#: Axes of a stratum and their labels. The first three make a market cell (region x sector x
#: finality: the placement market); the other five split learners inside a cell.
CELL_AXES: dict[str, tuple[str, ...]] = {
    "region": ("antwerpen", "limburg", "oost_vlaanderen", "vlaams_brabant", "west_vlaanderen",
               "brussel"),
    "sector": ("bouw", "techniek", "horeca_voeding", "zorg_welzijn", "handel_kantoor",
               "persoonlijke_zorg", "overige"),
    "finality": ("arbeidsmarkt", "dubbel"),
}
INNER_AXES: dict[str, tuple[str, ...]] = {
    "year": ("3", "4", "5", "6", "7"),
    "behind": ("0", "1", "2"),
    "ses": ("no", "yes"),
    "readiness": ("low", "medium", "high"),
}
#: Axes split after the kernel (post-stratified): no rate depends on them, so the engine splits
#: learners on the dual route by each cell's shares (exact by linearity of the flows).
POST_AXES: dict[str, tuple[str, ...]] = {
    "provider": ("school", "cdo", "syntra"),
}
AXES: dict[str, tuple[str, ...]] = {**CELL_AXES, **INNER_AXES, **POST_AXES}

SCHOOL_STATES = ("non_dual", "searching", "dual_oao", "dual_soa", "aanloopfase", "groeifase")
QUALIFICATIONS = ("qualified_education", "qualified_professional", "partial_qualification",
                  "unqualified")
LABOUR_STATUSES = ("employed", "job_seeking", "further_study", "inactive")
#: Exit states: one per (qualification, labour-market status), named ``<qualification>.<status>``.
EXIT_STATES = tuple(f"{q}.{s}" for q, s in product(QUALIFICATIONS, LABOUR_STATUSES))
#: All states of ``Result.stocks``, mutually exclusive.
STATES = SCHOOL_STATES + EXIT_STATES

#: The search window is tracked in steps of this many school days (a tunnel state).
SEARCH_BIN_DAYS = 5
#: First month of the simulation: school year 2025-26.
START = _dt.date(2025, 9, 1)


def dated_entry(value, date: str):
    """A lever's new ``value`` from ``date`` (ISO) as a scenario entry: the plain value if
    ``date`` is the first simulated month or earlier (it holds throughout), else
    ``{date: value}``. The one rule of the apps' sliders and of goal seeking."""
    return value if date <= START.isoformat() else {date: value}


#: School years simulated unless a caller says otherwise (2025-26 to 2034-35): the one
#: default horizon of ``run``, the CLI, the apps, the sweeps and the texts.
HORIZON_YEARS = 10
#: The school year the sweeps (uncertainty, sensitivity) report unless told otherwise: the
#: sixth of the horizon (a default, not a finding: every sweep and page takes another).
FOCUS_SCHOOL_YEAR = "2030-31"


@dataclass(frozen=True)
class Strata:
    """The stratum grid: ``shape`` over ``AXES``; strata are flattened in C order."""

    axes: tuple[tuple[str, tuple[str, ...]], ...]

    # cached (a hot path of the rates): the instance is frozen, so they never go stale
    @cached_property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(labels) for _, labels in self.axes)

    @cached_property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.axes)

    def coord(self, axis: str) -> np.ndarray:
        """Index along ``axis`` of every flattened stratum, shape (size,) (read-only)."""
        return _coord(self, axis)

    def along(self, axis: str, values: dict[str, float] | tuple[float, ...]) -> np.ndarray:
        """A per-stratum array, shape (size,), taking ``values`` by the label on ``axis``."""
        labels = dict(self.axes)[axis]
        vec = np.array([values[lb] for lb in labels] if isinstance(values, dict) else values,
                       dtype=float)
        return vec[self.coord(axis)]


@cache
def _coord(strata: Strata, axis: str) -> np.ndarray:
    i = strata.names.index(axis)
    idx = np.indices(strata.shape)[i].reshape(-1)
    idx.flags.writeable = False
    return idx


STRATA = Strata(tuple(AXES.items()))
CELLS = Strata(tuple(CELL_AXES.items()))
INNER = Strata(tuple(INNER_AXES.items()))


@dataclass(frozen=True)
class Timeline:
    """Monthly steps from September 2025 over ``years`` school years."""

    years: int

    @property
    def months(self) -> int:
        return 12 * self.years

    def dates(self) -> list[_dt.date]:
        """First day of every simulated month."""
        return list(_dates(self.months))

    def iso(self) -> list[str]:
        return [d.isoformat() for d in self.dates()]

    def calendar_month(self) -> np.ndarray:
        """Calendar month (1-12) of every step."""
        return np.array([d.month for d in self.dates()])

    def school_year(self) -> list[str]:
        """School-year label ('2025-26') of every step."""
        return [f"{d.year - (d.month < 9)}-{(d.year - (d.month < 9) + 1) % 100:02d}"
                for d in self.dates()]

    def school_year_index(self) -> np.ndarray:
        """0 for the first simulated school year, 1 for the next, ..."""
        return np.arange(self.months) // 12

    def month_in_school_year(self) -> np.ndarray:
        """0 for September ... 11 for August."""
        return np.arange(self.months) % 12


@cache
def _dates(months: int) -> tuple[_dt.date, ...]:
    out = []
    for t in range(months):
        y, m = divmod(START.month - 1 + t, 12)
        out.append(_dt.date(START.year + y, m + 1, 1))
    return tuple(out)
