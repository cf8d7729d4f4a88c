"""The calibrated ensemble: reproducible, inside the priors' support, drawn towards the
targets; the stored file refused when stale or malformed; sweeps from the ensemble or the
priors; the command line's refusals (exit 2).

Fits here use a few parameters (the others stay at their values of ``data/``) and few
steps, so that they run in seconds."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from simlib.analysis import ensemble as E
from simlib.analysis import ensemble_fit as F
from simlib.analysis import uncertainty as U
from simlib.cli import main

#: Parameters that move the dual-contract learners of 2025-26 a lot over their priors.
FEW = ["route_dual_share_arbeidsmarkt", "route_dual_share_dubbele", "aanloop_ready_hazard"]
DUAL = "dual_contract_learners_2025_26"


@pytest.fixture(scope="module")
def few():
    return U.priors(FEW)


@pytest.fixture(scope="module")
def small_fit(few):
    return F.fit(12, seed=5, steps=30, prior_list=few)


def _within(model, targets_, name):
    j = [t.name for t in targets_].index(name)
    t = targets_[j]
    return np.abs(model[:, j] / t.value - 1) <= t.tolerance


def test_the_ensemble_is_reproducible_with_its_seed(few, small_fit):
    again = F.fit(12, seed=5, steps=30, prior_list=few)
    np.testing.assert_array_equal(small_fit.u, again.u)
    np.testing.assert_array_equal(small_fit.model, again.model)
    other = F.fit(12, seed=6, steps=30, prior_list=few)
    assert not np.array_equal(small_fit.u, other.u)


def test_members_stay_in_the_priors_support(few, small_fit):
    assert small_fit.u.shape == (12, len(few))
    assert np.all((small_fit.u >= 0) & (small_fit.u <= 1))
    frame = E.members_frame(few, small_fit.u)
    for p in few:
        assert frame[p.name].between(p.low, p.high).all(), p.name
    assert 0 < small_fit.acceptance <= 1 and small_fit.effective_sample_size > 0


def test_the_fit_moves_draws_towards_the_targets(few, small_fit):
    post = F._Posterior(few, small_fit.targets, small_fit.targets, U.RESOLUTION, None)
    prior_model = post.model(U.unit_draws(99, 48, len(few)))
    before = _within(prior_model, small_fit.targets, DUAL).mean()
    after = _within(small_fit.model, small_fit.targets, DUAL).mean()
    assert after >= 0.5 and after > before + 0.2, (before, after)


def test_a_held_out_target_is_not_fitted_but_still_reported(few):
    f = F.fit(8, seed=1, steps=4, prior_list=few, hold_out=[DUAL])
    assert f.held_out == [DUAL] and DUAL in [t.name for t in f.targets]
    with pytest.raises(ValueError, match="not an available target"):
        F.fit(8, steps=4, prior_list=few, hold_out=["no_such_target"])


@pytest.mark.parametrize("kwargs, match", [({"members": 0}, "members"),
                                           ({"members": 4, "steps": 1}, "steps"),
                                           ({"members": 4, "seed": -1}, "seed"),
                                           ({"members": 4, "walkers": 3}, "walkers")])
def test_bad_arguments_are_refused_before_anything_runs(few, kwargs, match):
    with pytest.raises(ValueError, match=match):
        F.fit(prior_list=few, **kwargs)


def test_coverage_says_which_bands_cover_each_target(small_fit):
    table = F.coverage(small_fit.model, small_fit.targets, small_fit.model[0])
    assert list(table["target"]) == [t.name for t in small_fit.targets]
    q = table[["p5", "p25", "p50", "p75", "p95"]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= 0)
    row = table.set_index("target").loc[DUAL]
    assert row["covered_50"] == (row["p25"] <= 5600 <= row["p75"])
    assert 0 <= row["point_quantile"] <= 1


# --- the stored file -------------------------------------------------------------------------

def _store(folder, n=5, seed=3, prior_list=None):
    plist = prior_list if prior_list is not None else U.priors()
    u = np.random.default_rng(seed).random((n, len(plist)))
    return E.write(E.members_frame(plist, u), plist, {"date": "2026-12-01", "seed": seed},
                   folder), u


def test_a_stored_ensemble_reads_back(tmp_path):
    plist = U.priors()
    _, u = _store(tmp_path)
    ens = E.load(plist, tmp_path)
    assert ens.size == 5 and list(ens.members.columns) == [p.name for p in plist]
    rows = ens.rows(plist)
    for p, x in zip(plist, u[2], strict=True):
        want = p.ppf(x)
        got = rows[2][p.name]
        if p.is_table:
            assert got == pytest.approx(want)
        else:
            assert got == pytest.approx(want, rel=1e-9)
    assert "5 leden" in ens.label("nl") and "5 members" in ens.label("en")


def test_the_loader_refuses_an_ensemble_of_other_priors(tmp_path):
    plist = U.priors()
    _store(tmp_path, prior_list=plist[1:])  # one parameter fewer: written before it existed
    with pytest.raises(E.EnsembleError, match=rf"ensemble.csv.*new uncertain parameters: "
                       rf"{plist[0].name}.*re-run"):
        E.load(plist, tmp_path)
    _store(tmp_path, prior_list=plist)
    meta = json.loads((tmp_path / E.PROVENANCE_FILE).read_text())
    meta["priors"][plist[0].name]["range"] = [0.0, 9.0]
    (tmp_path / E.PROVENANCE_FILE).write_text(json.dumps(meta))
    with pytest.raises(E.EnsembleError, match=f"range changed: {plist[0].name}"):
        E.load(plist, tmp_path)


def test_the_loader_refuses_a_missing_edited_or_malformed_ensemble(tmp_path):
    plist = U.priors()
    with pytest.raises(E.EnsembleError, match="no calibrated ensemble stored"):
        E.load(plist, tmp_path)
    csv, meta_path = _store(tmp_path)[0]
    csv.write_text(csv.read_text().replace(",", ";", 3))
    with pytest.raises(E.EnsembleError, match="changed after it was written"):
        E.load(plist, tmp_path)
    meta_path.write_text("{not json")
    with pytest.raises(E.EnsembleError, match="ensemble.json: unreadable"):
        E.load(plist, tmp_path)
    # a value outside its prior's support, written with a matching checksum
    frame = E.members_frame(plist, np.full((2, len(plist)), 0.5))
    scalar = next(p for p in plist if not p.is_table)
    frame.loc[1, scalar.name] = scalar.high * 2 + 1
    E.write(frame, plist, {"date": "2026-12-01"}, tmp_path)
    with pytest.raises(E.EnsembleError, match=f"{scalar.name}: value .* outside"):
        E.load(plist, tmp_path)
    meta_path.unlink()
    with pytest.raises(E.EnsembleError, match="provenance .* is missing"):
        E.load(plist, tmp_path)


# --- sweeps ----------------------------------------------------------------------------------

@pytest.fixture
def stored(tmp_path, monkeypatch):
    _store(tmp_path, n=5)
    monkeypatch.setattr(E, "stored_folder", lambda: tmp_path)
    return tmp_path


def test_a_sweep_from_the_ensemble_runs_its_members(stored):
    ind = ["dual_contract_learners"]
    sw = U.sweep("baseline", 6, seed=2, years=1, indicators=ind, chunk_size=4)
    assert sw.meta["source"] == "ensemble" and sw.meta["calibrated_ensemble"]
    assert "5 members of the calibrated ensemble of 2026-12-01" in sw.meta["band_includes"]["en"]
    members = sw.meta["ensemble_members"]
    np.testing.assert_array_equal(members, U.member_draws(2, 6, 5, chunk_size=4))
    ens = E.load(U.priors(), stored)
    plist = U.priors()
    rows = ens.rows(plist, members)
    # each draw is its member: the same values as a batch evaluation of the member's row
    want = U.evaluate("baseline", rows, years=1, indicators=ind, chunk_size=4)
    pd.testing.assert_frame_equal(sw.indicators, want)
    scalar = next(p.name for p in plist if not p.is_table)
    np.testing.assert_allclose(sw.draws[scalar], [r[scalar] for r in rows])
    again = U.sweep("baseline", 6, seed=2, years=1, indicators=ind, chunk_size=4)
    pd.testing.assert_frame_equal(sw.indicators, again.indicators)


def test_a_prior_sweep_is_todays_sweep(stored):
    """source='prior' draws every parameter from its prior, as before the ensemble."""
    plist = U.priors()
    ind = ["dual_contract_learners"]
    sw = U.sweep("baseline", 3, seed=4, years=1, indicators=ind, source="prior")
    u = U.unit_draws(4, 3, len(plist))
    want = U.evaluate("baseline", [U.values(plist, x) for x in u], years=1, indicators=ind)
    pd.testing.assert_frame_equal(sw.indicators, want)
    assert sw.meta["source"] == "prior" and not sw.meta["calibrated_ensemble"]
    assert sw.meta["band_includes"]["en"].startswith("prior only")
    with pytest.raises(ValueError, match="source"):
        U.sweep("baseline", 1, years=1, source="posterior")


def test_a_sweep_refuses_a_stale_ensemble(stored):
    _store(stored, prior_list=U.priors()[2:])
    with pytest.raises(E.EnsembleError, match="other priors"):
        U.sweep("baseline", 1, years=1)


# --- the command line ------------------------------------------------------------------------

@pytest.mark.parametrize("argv, says", [
    (["calibrate", "--ensemble", "0"], "--ensemble: 0"),
    (["calibrate", "--ensemble", "5", "--seed", "-1"], "--seed: -1"),
    (["calibrate", "--ensemble", "5", "--steps", "1"], "--steps: 1"),
    (["calibrate", "--seed", "3"], "--seed: only with --ensemble"),
    (["calibrate", "--report", "--write"], "--write with --report"),
    (["calibrate", "--ensemble", "5", "--hold-out", "nope"], "--hold-out: nope"),
    (["calibrate", "--ensemble", "x"], "invalid int value"),
])
def test_bad_calibrate_input_exits_2(capsys, argv, says):
    assert main(argv) == 2
    assert says in capsys.readouterr().err


def test_sweep_with_a_stale_ensemble_exits_2_naming_the_file(capsys, stored, tmp_path):
    _store(stored, prior_list=U.priors()[1:])
    code = main(["sweep", "baseline", "--draws", "1", "--years", "1", "--scheduler",
                 "threads", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "ensemble.csv" in err and "re-run" in err and "Traceback" not in err
    code = main(["sweep", "baseline", "--draws", "1", "--prior-only", "--source", "ensemble",
                 "--out", str(tmp_path / "out")])
    assert code == 2


def test_sweep_says_what_its_band_includes(capsys, stored, tmp_path):
    code = main(["sweep", "baseline", "--draws", "2", "--years", "1", "--scheduler",
                 "threads", "--prior-only", "--out", str(tmp_path / "p")])
    assert code == 0
    assert "bands: prior only" in capsys.readouterr().err
    meta = json.loads((tmp_path / "p" / "meta.json").read_text())
    assert meta["source"] == "prior"
    assert main(["sweep", "baseline", "--draws", "2", "--years", "1", "--scheduler",
                 "threads", "--out", str(tmp_path / "e")]) == 0
    assert "5 members of the calibrated ensemble" in capsys.readouterr().err


def test_the_report_of_a_stored_ensemble_writes_its_coverage_table(capsys, stored, tmp_path):
    out = tmp_path / "cov"
    assert main(["calibrate", "--report", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "5 members of 2026-12-01" in text and DUAL in text
    table = pd.read_csv(out / "coverage.csv")
    assert {"target", "value", "tolerance", "p25", "p75", "covered_50", "covered_90",
            "point", "point_quantile"} <= set(table.columns)
    assert DUAL in set(table["target"])
    assert main(["calibrate", "--report", "--out", str(out)]) == 2  # not without --force


def test_an_indicator_asked_twice_gives_each_draw_once():
    from simlib.analysis import uncertainty as U

    sw = U.sweep("baseline", 4, seed=2, years=1, indicators=["dual_contract_learners"] * 2,
                 groups=["all", "all"])
    assert len(sw.indicators) == 4 and (sw.bands()["draws"] == 4).all()
