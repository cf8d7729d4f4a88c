"""Uncertainty and sensitivity: reproducible draws, ordered bands, zero-width priors, SALib
on the Ishigami function, Dask and in-process identical, the sweep CLI, the charts."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import simlib
from simlib.analysis import sensitivity as S
from simlib.analysis import uncertainty as U
from simlib.cli import main
from simlib.model.simulation import REPRODUCIBILITY
from simlib.report import uncertainty_plots as UP

IND = ["dual_contract_learners", "unqualified_outflow_share"]


@pytest.fixture(scope="module")
def small_sweep():
    return U.sweep(["baseline", "langere_zoekperiode"], draws=3, seed=7, chunk_size=2,
                   years=3, indicators=IND)


def test_priors_cover_every_parameter_with_a_distribution():
    from simlib.inputs.parameters import parameters

    names = {p.name for p in U.priors()}
    assert names == {n for n, p in parameters().items() if p.distribution}
    with pytest.raises(ValueError, match="not an uncertain parameter"):
        U.priors(["no_such_parameter"])


@given(u=st.floats(0.0, 1.0))
def test_every_draw_lies_in_the_range(u):
    for p in U.priors():
        v = p.ppf(u)
        for x in (v.values() if isinstance(v, dict) else [v]):
            assert p.low - 1e-12 <= x <= p.high + 1e-12, p.name


def test_prior_quantiles():
    uni = U.Prior("x", "uniform", 1.0, 3.0, 2.5)
    assert uni.ppf(0.0) == 1.0 and uni.ppf(1.0) == 3.0 and uni.ppf(0.5) == 2.0
    tri = U.Prior("x", "triangular", 0.0, 4.0, 1.0)
    assert tri.ppf(0.25) == pytest.approx(1.0)  # the mode is at the CDF's 1/4
    assert tri.ppf(0.0) == 0.0 and tri.ppf(1.0) == pytest.approx(4.0)
    table = U.Prior("t", "uniform", 0.0, 1.0, {"a": 0.2, "b": 0.6})
    assert table.ppf(0.5) == {"a": 0.2, "b": 0.6}
    assert table.ppf(0.0) == {"a": 0.0, "b": 0.0} and table.ppf(1.0) == {"a": 1.0, "b": 1.0}
    low = table.ppf(0.25)
    assert low["a"] < low["b"]  # a table keeps its order


def test_draws_are_reproducible_and_independent_of_the_chunking_schedule():
    a = U.unit_draws(3, 20, 4, chunk_size=8)
    b = U.unit_draws(3, 20, 4, chunk_size=8)
    assert np.array_equal(a, b)
    # a chunk depends only on the seed and its number: the first 16 draws of a longer sweep
    # are those of a shorter one
    assert np.array_equal(U.unit_draws(3, 16, 4, chunk_size=8), a[:16])
    assert not np.array_equal(U.unit_draws(4, 20, 4, chunk_size=8), a)
    assert a.min() >= 0 and a.max() < 1


def test_bands_are_ordered(small_sweep):
    b = small_sweep.bands()
    assert len(b) == 2 * len(IND) * 3
    q = b[list(U.BAND_COLUMNS)].to_numpy()
    assert np.all(np.diff(q, axis=1) >= -1e-9)
    assert set(b["draws"]) == {3}
    assert set(b["unit"]) == {"learners", "share"}


def test_the_sweep_is_reproducible_and_paired(small_sweep):
    again = U.sweep(["baseline", "langere_zoekperiode"], draws=3, seed=7, chunk_size=2,
                    years=3, indicators=IND)
    pd.testing.assert_frame_equal(small_sweep.indicators, again.indicators)
    diff = small_sweep.difference("baseline", "langere_zoekperiode")
    assert set(diff["scenario"]) == {"langere_zoekperiode - baseline"}
    same = small_sweep.difference("baseline", "baseline")
    assert np.allclose(same[list(U.BAND_COLUMNS)].to_numpy(), 0.0)
    # the draws really vary: a band has width
    b = small_sweep.bands("baseline")
    assert (b["p95"] - b["p5"]).max() > 0


def _cohort_rows(result, indicators=IND, group="all"):
    df = result.indicators
    df = df[df["indicator"].isin(indicators) & (df["group"] == group)]
    return df.set_index(["indicator", "school_year"])["value"]


@pytest.mark.parametrize("resolution", ["finality", "full"])
def test_zero_width_ranges_give_zero_width_bands_equal_to_the_cohort_run(resolution):
    fixed = [p.fixed() for p in U.priors() if not p.is_table]
    sw = U.sweep("baseline", draws=2, seed=1, years=2, prior_list=fixed, indicators=IND,
                 resolution=resolution)
    assert sw.meta["resolution"] == resolution
    cohort = _cohort_rows(simlib.run("baseline", years=2, resolution=resolution))
    b = sw.bands().set_index(["indicator", "school_year"])
    assert len(b) == len(cohort)
    for col in U.BAND_COLUMNS:
        np.testing.assert_allclose(b[col].reindex(cohort.index), cohort, rtol=1e-12)


def test_each_draw_of_a_batch_equals_a_cohort_run_with_its_parameter_values():
    """The batch engine runs all draws of a chunk as one computation; draw k must be what a
    cohort run at the same resolution gives with draw k's parameter values."""
    from simlib.inputs.parameters import overridden

    plist = U.priors()
    sw = U.sweep(["baseline", "gegarandeerde_plaatsen"], draws=3, seed=11, years=2,
                 indicators=IND, chunk_size=3, source="prior")
    u = U.unit_draws(11, 3, len(plist), chunk_size=3)
    for k in (0, 2):
        with overridden(U.values(plist, u[k])):
            for name in ("baseline", "gegarandeerde_plaatsen"):
                want = _cohort_rows(simlib.run(name, years=2, resolution="finality"))
                got = sw.indicators[(sw.indicators["draw"] == k)
                                    & (sw.indicators["scenario"] == name)]
                got = got.set_index(["indicator", "school_year"])["value"]
                np.testing.assert_allclose(got.reindex(want.index), want, rtol=1e-12)


def test_threads_do_not_change_the_result():
    kwargs = dict(draws=4, seed=2, chunk_size=2, years=1, indicators=IND)
    one = U.sweep("baseline", threads=1, **kwargs)
    two = U.sweep("baseline", threads=2, **kwargs)
    pd.testing.assert_frame_equal(one.indicators, two.indicators, check_exact=True)


def test_collapsed_resolution_stays_close_to_the_full_model():
    """The sweep's default resolution merges regions and sectors into one market per
    finality; the baseline's headline indicators move by less than 5% (docs/uncertainty.md)."""
    full = _cohort_rows(simlib.run("baseline", years=3), IND + ["placements", "public_cost"])
    collapsed = _cohort_rows(simlib.run("baseline", years=3, resolution=U.RESOLUTION),
                             IND + ["placements", "public_cost"])
    np.testing.assert_allclose(collapsed.reindex(full.index), full, rtol=0.05)
    assert not np.allclose(collapsed.reindex(full.index), full, rtol=1e-6)  # really collapsed


def test_bad_resolution_or_group_is_refused_before_anything_runs():
    with pytest.raises(ValueError, match="resolution: 'regio'; expected one of full"):
        U.sweep("baseline", draws=1, resolution="regio")
    with pytest.raises(ValueError, match="region=limburg.*do not exist at resolution"):
        U.sweep("baseline", draws=1, groups=["region=limburg"])
    with pytest.raises(ValueError, match="unknown indicators"):
        U.sweep("baseline", draws=1, indicators=["no_such_indicator"])
    with pytest.raises(ValueError, match="resolution"):
        simlib.run("baseline", years=1, resolution="regio")


def test_sobol_matches_the_known_indices_of_the_ishigami_function():
    t = S.sobol(S.ishigami, ["x1", "x2", "x3"], n=1024, seed=1,
                bounds=[[-math.pi, math.pi]] * 3).set_index("parameter")
    for k, name in enumerate(["x1", "x2", "x3"]):
        assert t.loc[name, "S1"] == pytest.approx(S.ISHIGAMI_INDICES["S1"][k], abs=0.05)
        assert t.loc[name, "ST"] == pytest.approx(S.ISHIGAMI_INDICES["ST"][k], abs=0.05)


def test_morris_ranks_the_inputs_of_a_linear_function_by_their_weight():
    weights = np.array([0.1, 5.0, 1.0, 0.0])
    t = S.morris(lambda X: X @ weights, ["a", "b", "c", "d"], trajectories=8, seed=2)
    assert list(t["parameter"]) == ["b", "c", "a", "d"]
    assert t.set_index("parameter").loc["b", "mu_star"] == pytest.approx(5.0)


def test_model_function_and_tornado_on_two_parameters():
    plist = U.priors(["termination_hazard_per_month", "placement_hazard_per_school_day"])
    calls = []
    f = S.model_function("baseline", "dual_contract_learners", "2026-27", years=2,
                         prior_list=plist, progress=lambda d, n: calls.append((d, n)))
    y = f(np.array([[0.5, 0.5], [0.0, 1.0]]))
    assert y.shape == (2,) and np.all(np.isfinite(y)) and y[0] != y[1]
    assert calls[-1] == (2, 2)
    t = S.tornado_table("baseline", "dual_contract_learners", "2026-27", years=2,
                        prior_list=plist)
    assert list(t.columns[:5]) == ["parameter", "low", "high", "base", "swing"]
    assert t["swing"].is_monotonic_decreasing
    # more terminations: fewer learners with a contract
    term = t.set_index("parameter").loc["termination_hazard_per_month"]
    assert term["high"] < term["low"]
    d = S.drivers(t)
    assert list(d["rank"]) == [1, 2] and d["provenance"].str.len().min() > 10
    assert "Stopzetting van een overeenkomst (per maand)" in set(d["label"])
    assert "Termination of a contract (per month)" in set(S.drivers(t, lang="en")["label"])


def test_every_uncertain_parameter_has_a_dutch_and_english_label():
    """The sensitivity charts and the drivers table name assumptions by their glossary label;
    a new uncertain parameter in data/ needs one (and a stale label is an error too)."""
    from simlib.inputs.glossary import section

    labels = section("parameters")
    names = {p.name for p in U.priors()}
    assert names - set(labels) == set(), "add these to [parameters] in simlib/glossary.toml"
    assert set(labels) - names == set(), "labels of parameters that are not uncertain"


def test_sweep_cli_resolution_choices_are_the_engine_resolutions(tmp_path, capsys):
    from simlib.cli import build_parser
    from simlib.model.engine import RESOLUTIONS

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    flag = next(a for a in sub.choices["sweep"]._actions if a.dest == "resolution")
    assert set(flag.choices) == set(RESOLUTIONS) and flag.default == U.RESOLUTION
    assert main(["sweep", "baseline", "--draws", "1", "--resolution", "regio",
                 "--out", str(tmp_path / "x")]) == 2
    assert "invalid choice: 'regio'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_screen_then_sobol_ranks_all_parameters_and_analyses_the_top_ones():
    calls = []
    screen, sob = S.screen_then_sobol("baseline", "dual_contract_learners", "2026-27",
                                      years=2, trajectories=2, top=3, n=8, seed=4,
                                      progress=lambda d, n: calls.append((d, n)))
    k = len(U.priors())
    assert len(screen) == k and screen["mu_star"].is_monotonic_decreasing
    assert screen["mu_star"].iloc[0] > 0
    assert sorted(sob["parameter"]) == sorted(screen["parameter"][:3])
    assert {"S1", "ST", "S1_conf", "ST_conf"} <= set(sob.columns)
    total = 2 * (k + 1) + 8 * (3 + 2)
    assert calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def assert_reproduced(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """The project's promise across processes (simlib.model.simulation.REPRODUCIBILITY, also in
    every meta.json): the same rows, values within its tolerance."""
    from simlib.model.simulation import REPRODUCIBILITY as R

    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for col in a.columns:
        if pd.api.types.is_float_dtype(a[col]):
            np.testing.assert_allclose(b[col].to_numpy(), a[col].to_numpy(), rtol=R["rtol"],
                                       atol=R["atol"], err_msg=col)
        else:
            assert a[col].tolist() == b[col].tolist(), col


def test_dask_and_in_process_give_the_same_results_within_the_promise():
    distributed = pytest.importorskip("dask.distributed")
    kwargs = dict(draws=2, seed=5, chunk_size=1, years=1, indicators=IND)
    here = U.sweep("baseline", **kwargs)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        there = U.sweep("baseline", scheduler=cluster.scheduler_address, **kwargs)
    assert_reproduced(here.indicators, there.indicators)
    pd.testing.assert_frame_equal(here.draws, there.draws, check_exact=True)  # the seeds
    assert there.meta["scheduler"] == "dask"
    assert there.meta["reproducibility"] == REPRODUCIBILITY  # the promise goes with the file


_PROCESSES_SCRIPT = """
import pandas as pd
from simlib.analysis import uncertainty as U
from simlib.inputs.parameters import overridden
assert U.processes_available()
kw = dict(draws=4, seed=7, chunk_size=2, years=2, indicators=["outflow_unqualified"])
plain = U.sweep(["baseline", "langere_zoekperiode"], scheduler=U.PROCESSES, **kw)
from simlib.model.simulation import REPRODUCIBILITY as R
with overridden({"search_fail_split": {"non_dual": 0.4, "unqualified": 0.3}}):  # fixed in data/
    # (not drawn, so the override stays in force in every draw)
    here = U.sweep(["baseline", "langere_zoekperiode"], **kw)
    there = U.sweep(["baseline", "langere_zoekperiode"], scheduler=U.PROCESSES, **kw)
pd.testing.assert_frame_equal(here.indicators, there.indicators, check_exact=False,
                              rtol=R["rtol"], atol=R["atol"])
assert not plain.indicators["value"].equals(there.indicators["value"])  # the override applied
assert there.meta["scheduler"] == "processes" and here.meta["scheduler"] == "in-process"
print("OK")
"""


def test_worker_processes_give_the_in_process_result_with_the_overrides_in_force():
    """Local worker processes (forked) give the threads' result within the promise across
    processes, and parameter overrides in force go with the chunks. Run in a fresh interpreter: forking needs a
    process without other threads, which a test process does not promise."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _PROCESSES_SCRIPT], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "OK", done.stderr[-2000:]


def test_where_a_process_cannot_fork_the_workers_start_afresh_and_agree(monkeypatch):
    """In a process with other threads (a Jupyter kernel) or without fork (Windows), local
    worker processes are loky's, started afresh: the threads' result within the promise
    across processes, and the overrides in force go with the tasks."""
    import threading

    from simlib.inputs.parameters import overridden

    monkeypatch.setattr(threading, "active_count", lambda: 3)  # e.g. a Jupyter kernel
    assert not U.fork_available() and U.processes_available()
    kw = dict(draws=3, seed=4, chunk_size=2, years=1, indicators=IND)
    with overridden({"search_fail_split": {"non_dual": 0.4, "unqualified": 0.3}}):  # not drawn
        here = U.sweep("baseline", **kw)
        there = U.sweep("baseline", scheduler=U.PROCESSES, threads=2, **kw)
    assert_reproduced(here.indicators, there.indicators)
    assert there.meta["scheduler"] == "processes"
    assert not here.indicators["value"].equals(U.sweep("baseline", **kw).indicators["value"])


def test_workers_started_ahead_are_ready_for_the_first_sweep(monkeypatch):
    """An app can start loky's workers when it is built: each has swept one draw by the time
    its future is done; where workers are forked there is nothing to start."""
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 3)
    futures = U.start_workers(threads=2)
    assert len(futures) == 2 and [f.result(timeout=120) for f in futures] == [1, 1]
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    if U.fork_available():
        assert U.start_workers() == []


def test_without_fork_and_without_loky_worker_processes_are_refused(monkeypatch):
    import sys
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 3)
    monkeypatch.setitem(sys.modules, "loky", None)  # not installed
    assert not U.processes_available()
    with pytest.raises(RuntimeError, match="threads"):
        U.sweep("baseline", draws=1, years=1, scheduler=U.PROCESSES)


def test_tasks_of_several_chunks_give_the_bytes_of_one_chunk_a_task(monkeypatch):
    """A task runs up to TASK_DRAWS draws (whole chunks) as one batch: the same rows in the
    same order and the same bits as one chunk a task (how sweeps ran before), so the exports
    do not change; the progress still counts chunks."""
    kw = dict(draws=7, seed=11, chunk_size=2, years=2, indicators=IND)
    calls = []
    grouped = U.sweep(["baseline", "langere_zoekperiode"], progress=lambda d, t: calls.append(
        (d, t)), **kw)
    assert calls[-1] == (4, 4)
    monkeypatch.setattr(U, "TASK_DRAWS", 2)
    alone = U.sweep(["baseline", "langere_zoekperiode"], **kw)
    pd.testing.assert_frame_equal(grouped.indicators, alone.indicators, check_exact=True)
    rows = [{"final_fail_leave_share": 0.3 + 0.08 * k} for k in range(5)]
    one = U.evaluate("baseline", rows, years=1, indicators=IND, chunk_size=2)
    monkeypatch.setattr(U, "TASK_DRAWS", 64)
    pd.testing.assert_frame_equal(one, U.evaluate("baseline", rows, years=1, indicators=IND,
                                                  chunk_size=2), check_exact=True)


def test_chunks_are_grouped_by_their_number_only():
    chunks = U._chunks(1000, 16)
    groups = U._grouped(chunks, 16)
    assert [c for g in groups for c in g] == chunks  # every chunk once, in order
    assert max(sum(s for _, s in g) for g in groups) <= U.TASK_DRAWS and len(groups) >= 8
    assert U._grouped(U._chunks(5, 16), 16) == [[(0, 5)]]
    assert len(U._grouped(U._chunks(128, 16), 16)) == 8  # few chunks: one a task


def test_sweep_cli_writes_draws_bands_and_meta(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", "baseline", "--draws", "2", "--years", "1", "--seed", "3",
                 "--out", str(out)]) == 0
    bands = pd.read_csv(out / "bands.csv")
    assert {"p5", "p25", "p50", "p75", "p95", "unit"} <= set(bands.columns)
    assert len(pd.read_csv(out / "draws.csv")) == 2
    meta = json.loads((out / "meta.json").read_text())
    assert meta["seed"] == 3 and meta["recalibrated_per_draw"] is False
    assert meta["resolution"] == "finality" and meta["collapsed_axes"] == ["region", "sector"]
    assert "chunks 1/1" in capsys.readouterr().err
    # never overwritten without --force; bad input refused before anything runs
    assert main(["sweep", "baseline", "--draws", "2", "--out", str(out)]) == 2
    assert "already holds results" in capsys.readouterr().err
    assert main(["sweep", "basline", "--draws", "2", "--out", str(tmp_path / "x")]) == 2
    assert "did you mean baseline" in capsys.readouterr().err
    assert main(["sweep", "baseline", "--draws", "0", "--out", str(tmp_path / "y")]) == 2
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_uncertainty_charts_have_units_and_titles(small_sweep, lang):
    import matplotlib.pyplot as plt

    ax = UP.fan(small_sweep.bands(), "unqualified_outflow_share", lang=lang,
                scenario="baseline")
    assert "%" in ax.get_ylabel() and ax.get_title(loc="left")
    ax = UP.fan(small_sweep.difference("baseline", "langere_zoekperiode"),
                "dual_contract_learners", lang=lang)
    assert "langere_zoekperiode - baseline" in ax.get_title(loc="left").replace("\n", " ")
    t = pd.DataFrame({"parameter": ["a_b", "c"], "low": [1.0, 2.0], "high": [3.0, 2.5],
                      "base": [2.0, 2.0], "swing": [2.0, 0.5]})
    ax = UP.tornado(t, "dual_contract_learners", "2030-31", lang=lang)
    assert ax.get_xlabel().endswith(")") and len(ax.get_yticklabels()) == 2
    s = pd.DataFrame({"parameter": ["a", "b"], "S1": [0.5, 0.1], "S1_conf": [0.05, 0.05],
                      "ST": [0.6, 0.2], "ST_conf": [0.05, 0.05]})
    ax = UP.sobol_bars(s, "dual_contract_learners", "2030-31", lang=lang)
    assert ax.get_xlabel()
    text = UP.footnote(small_sweep.meta, lang)
    assert "3" in text and ("gekalibreerde ensemble" in text if lang == "nl"
                            else "calibrated ensemble" in text)
    plt.close("all")


@pytest.mark.parametrize("frame", [
    "sweep",
    pd.DataFrame({"draw": [0, 1, 2, 3, 4, 5], "indicator": ["a", "b", "c", "d", "e", "f"],
                  "value": [1e-05, 1e16, -0.0, float("inf"), 0.1 + 0.2, 123456789.123]}),
    pd.DataFrame({"draw": [0, 1], "unit": ["a,b", 'say "x"']}),       # quoted: pandas
    pd.DataFrame({"draw": [0, 1], "value": [float("nan"), 1.5]}),     # NaN: pandas
    pd.DataFrame({"draw": [0, 1], "unit": [None, "x"]}),              # missing: pandas
    pd.DataFrame({"unit": ["", "x"]}),                                 # one column: pandas
    pd.DataFrame({"draw": pd.Series([], dtype=int), "unit": pd.Series([], dtype=str)}),
], ids=["sweep", "floats", "quotes", "nan", "none", "one-column", "empty"])
def test_the_sweeps_csv_writer_writes_what_pandas_writes(frame, small_sweep, tmp_path):
    from simlib.files.outputs import plain_table

    frame = small_sweep.indicators if isinstance(frame, str) else frame
    frame.to_csv(tmp_path / "pandas.csv", index=False)
    assert plain_table(frame)(tmp_path / "fast.csv") == len(frame)
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
