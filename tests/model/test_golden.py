"""Results stay what they were: every scenario file, two resolutions and a sweep, against
values stored from commit 425abd6 (before issue 15 made the runs faster).

Speed work (a kernel in parallel, a run that resumes from a reference, a cheaper
post-processing, a faster sweep) must not change an answer. This test reruns what the
stored file holds and compares value by value: the stocks at the end of every school year,
every indicator for three groups (all learners, one region, one provider: the provider is
a split after the run), each scenario file at the full resolution, two at the sweep's
resolution ("finality"), and a 20-draw sweep of the baseline.

The tolerance is the project's promise across processes
(:data:`simlib.model.simulation.REPRODUCIBILITY`, 1e-10 relative), not 1e-12: the stored file
was written by another process, and a process that compiles the fast-math kernel afresh and
one that loads numba's cached build differ by up to 1.4e-11 relative. Within one process
the new paths are held to 1e-12 by their own tests (tests/model/test_resume.py,
tests/model/test_kernel_paths.py).

To write the file anew (only when a change of the model is meant to change results; say so
in the commit)::

    .venv/bin/python tests/model/test_golden.py --write [--overwrite]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

GOLDEN = Path(__file__).with_name("golden") / "results.npz"
GROUPS = ("all", "region=limburg", "provider=syntra")
AT_FINALITY = ("baseline", "pakket_serv")
SWEEP = {"draws": 20, "seed": 1, "indicators": ("dual_contract_learners",
                                                "unqualified_outflow", "public_cost")}


def _run_values(name: str, resolution: str) -> tuple[np.ndarray, list[str]]:
    import simlib
    from simlib.model.simulation import run

    r = run(simlib.load_scenario(name), resolution=resolution)
    august = r.stocks[r.stocks.index.month == 8]
    labels = [f"stock {m:%Y-%m} {s}" for m in august.index for s in august.columns]
    values = [august.to_numpy().ravel()]
    d = r.indicators
    d = d[d.group.isin(GROUPS)].sort_values(["indicator", "group", "school_year"])
    labels += [f"{i} {g} {y}" for i, g, y in zip(d.indicator, d.group, d.school_year, strict=True)]
    values.append(d.value.to_numpy(float))
    return np.concatenate(values), labels


def _sweep_values() -> tuple[np.ndarray, list[str]]:
    from simlib.analysis.uncertainty import sweep

    s = sweep("baseline", SWEEP["draws"], seed=SWEEP["seed"], indicators=SWEEP["indicators"],
              source="prior")  # the stored entry is a prior sweep (issue 16)
    d = s.indicators.sort_values(["indicator", "group", "school_year", "draw"])
    labels = [f"draw {k} {i} {g} {y}" for k, i, g, y in
              zip(d.draw, d.indicator, d.group, d.school_year, strict=True)]
    return d.value.to_numpy(float), labels


def collect() -> dict[str, tuple[np.ndarray, list[str]]]:
    """What the stored file holds, computed now: key -> (values, labels)."""
    from simlib.inputs.scenario import scenario_names

    out = {f"full/{n}": _run_values(n, "full") for n in scenario_names()}
    out.update({f"finality/{n}": _run_values(n, "finality") for n in AT_FINALITY})
    out["sweep/baseline"] = _sweep_values()
    return out


def _stored() -> dict[str, tuple[np.ndarray, list[str]]]:
    with np.load(GOLDEN) as f:
        labels = json.loads(str(f["labels"]))
        return {k: (f[k.replace("/", "__")], labels[k]) for k in labels}


@pytest.fixture(scope="module")
def stored():
    return _stored()


@pytest.fixture(scope="module")
def now():
    return collect()


def test_the_stored_file_covers_every_scenario_file(stored):
    from simlib.inputs.scenario import scenario_names

    assert {f"full/{n}" for n in scenario_names()} <= set(stored)
    assert "sweep/baseline" in stored


def test_results_equal_the_stored_ones(stored, now):
    from simlib.model.simulation import REPRODUCIBILITY

    rtol, atol = REPRODUCIBILITY["rtol"], REPRODUCIBILITY["atol"]
    assert set(now) == set(stored)
    for key, (values, labels) in stored.items():
        got, got_labels = now[key]
        assert got_labels == labels, key
        bad = ~np.isclose(got, values, rtol=rtol, atol=atol)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            pytest.fail(f"{key}: {int(bad.sum())} of {len(values)} values moved, e.g. "
                        f"{labels[k]}: {got[k]!r} against {values[k]!r} stored")


def _write(overwrite: bool) -> int:
    if GOLDEN.exists() and not overwrite:
        print(f"{GOLDEN} exists; add --overwrite to replace it", file=sys.stderr)
        return 2
    from simlib.files.version import commit

    data = collect()
    GOLDEN.parent.mkdir(exist_ok=True)
    labels = {k: v[1] for k, v in data.items()}
    arrays = {k.replace("/", "__"): v[0] for k, v in data.items()}
    np.savez_compressed(GOLDEN, labels=np.array(json.dumps(labels)), **arrays)
    (GOLDEN.with_suffix(".json")).write_text(json.dumps(
        {"commit": commit(), "written_by": "tests/model/test_golden.py --write",
         "what": "stocks at each August and indicators (groups " + ", ".join(GROUPS)
                 + ") of every scenario file; two at resolution finality; a "
                 + f"{SWEEP['draws']}-draw sweep of the baseline (seed {SWEEP['seed']})",
         "values": int(sum(len(v[0]) for v in data.values()))}, indent=2) + "\n")
    print(f"wrote {GOLDEN} ({sum(len(v[0]) for v in data.values())} values)")
    return 0


if __name__ == "__main__":
    if "--write" not in sys.argv[1:]:
        print(__doc__)
        sys.exit(2)
    sys.exit(_write("--overwrite" in sys.argv[1:]))
