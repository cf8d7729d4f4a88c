"""Calibration: targets, the parameter overrides and overlay, and ``python -m simlib calibrate``.

The main check: the baseline (with ``data/calibration.toml``) reproduces each calibration
target that the engine can produce within the tolerance stated (and justified) in ``data/``.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib

import numpy as np
import pytest

from simlib import run
from simlib.analysis.calibration import NOT_AVAILABLE, _years_for, model_values, targets
from simlib.cli import main
from simlib.inputs import parameters as P

DATA = P.data_dir()
CALIBRATION = DATA / P.CALIBRATION_FILE
TARGET_NAMES = [name for name, p in P.parameters().items() if p.target]


def _calibration_record() -> dict:
    if not CALIBRATION.exists():
        return {}
    return tomllib.loads(CALIBRATION.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def baseline():
    years = _years_for(P.parameters()[n].target_spec.school_year for n in TARGET_NAMES)
    return run("baseline", years=years)


@pytest.fixture(scope="module")
def target_list(baseline):
    return {t.name: t for t in targets(baseline)}


@pytest.mark.parametrize("name", TARGET_NAMES)
def test_baseline_reproduces_target_within_tolerance(name, baseline, target_list):
    t = target_list[name]
    if not t.available:
        pytest.skip(f"{name}: {t.reason}")
    model = model_values(baseline, [t])[name]
    rel = (model - t.value) / t.value
    if abs(rel) <= t.tolerance:
        return
    fit = _calibration_record().get("fit", {}).get("targets", {}).get(name, {})
    if fit.get("fitted") is False:  # the last fit found it outside the free parameters' reach
        pytest.xfail(f"{name}: model {model:.4g} vs target {t.value:g} ({rel:+.1%}, tolerance "
                     f"{t.tolerance:.0%}); data/calibration.toml: {fit.get('note')}")
    pytest.fail(f"{name}: model {model:.4g} vs target {t.value:g} ({rel:+.1%}), tolerance "
                f"{t.tolerance:.0%} ({t.description}); re-run python -m simlib calibrate "
                "--write if the engine or the data changed")


def test_every_target_states_and_justifies_its_tolerance(target_list):
    assert set(target_list) == set(TARGET_NAMES)
    assert len(TARGET_NAMES) >= 6
    for t in target_list.values():
        assert 0 < t.tolerance <= 0.5, t.name
        assert len(t.tolerance_note.split()) >= 15, f"{t.name}: say why the tolerance is what it is"
        assert t.provenance.strip() and t.school_year, t.name


def test_targets_the_engine_cannot_produce_are_reported_not_faked(baseline, target_list):
    values = model_values(baseline, list(target_list.values()))
    groups = set(baseline.indicators.group)
    for t in target_list.values():
        if t.available:
            assert math.isfinite(values[t.name]), t.name
        else:
            assert t.name not in values
            assert t.reason.startswith(NOT_AVAILABLE), t.reason
            assert t.group not in groups or t.denominator_group not in groups
    if "provider=syntra" not in groups:
        assert not target_list["syntra_share_of_dual"].available


class _Coarser:
    """A result whose indicators lack some groups, as an engine without that axis gives."""

    def __init__(self, result, drop: str):
        df = result.indicators
        self.indicators = df[~df.group.str.startswith(drop)]


def test_a_target_on_an_axis_the_engine_lacks_is_not_available_and_not_fitted(baseline):
    coarse = _Coarser(baseline, "provider=")
    by_name = {t.name: t for t in targets(coarse)}
    syntra = by_name["syntra_share_of_dual"]
    assert not syntra.available and syntra.reason.startswith(NOT_AVAILABLE)
    assert "provider" in syntra.reason
    assert all(t.available for n, t in by_name.items() if n != "syntra_share_of_dual")
    # a missing label on an axis the engine does produce is a typo in data/, not a limit
    with pytest.raises(P.DataError, match="is not produced"):
        targets(_Coarser(baseline, "provider=syntra") if "provider=cdo" in set(
            baseline.indicators.group) else _Coarser(baseline, "finality=arbeidsmarkt"))


def _ranged(table: bool) -> P.Parameter:
    """A parameter with a range (a table or a scalar one), calibrated ones first."""
    params = sorted(P.parameters().values(), key=lambda p: not p.calibrated)
    return next(p for p in params if p.range and p.range[0] < p.range[1]
                and isinstance(p.value, float) != table)


def _other(p: P.Parameter, value: float) -> float:
    """A value in ``p``'s range other than ``value``."""
    lo, hi = p.range
    return lo + 0.25 * (hi - lo) if value != lo + 0.25 * (hi - lo) else lo + 0.75 * (hi - lo)


def test_overridden_changes_a_result_and_restores_it():
    p = _ranged(table=False)
    new = _other(p, p.value)

    def indicators():
        return run("baseline", years=1).indicators["value"].to_numpy()

    first = indicators()
    with P.overridden({p.name: new}) as params:
        assert P.param(p.name) == new == params[p.name].value
        assert P.parameters()[p.name].overridden
        assert "overridden" in P.parameters()[p.name].provenance
        assert P.active_overrides() == {p.name: new}
        second = indicators()
    third = indicators()
    assert np.array_equal(first, third, equal_nan=True)
    assert not np.array_equal(first, second, equal_nan=True)
    assert P.param(p.name) == p.value and P.active_overrides() == {}


def test_overridden_nests_takes_table_labels_and_restores_after_an_error():
    table, scalar = _ranged(table=True), _ranged(table=False)
    before = dict(table.value)
    label, other = next(iter(before)), list(before)[1:]
    new = _other(table, before[label])
    with P.overridden({table.name: {label: new}}):
        assert P.param(table.name)[label] == new
        assert all(P.param(table.name)[k] == before[k] for k in other)
        with pytest.raises(RuntimeError), P.overridden({scalar.name: _other(scalar, scalar.value)}):
            assert P.param(scalar.name) != scalar.value
            raise RuntimeError
        assert P.param(scalar.name) == scalar.value
        assert P.param(table.name)[label] == new
    assert dict(P.param(table.name)) == before


@pytest.mark.parametrize("make, problem", [
    (lambda s, t: {s.name + "_typo": s.value}, "no parameter"),
    (lambda s, t: {s.name: s.range[1] + 1.0}, "outside its range"),
    (lambda s, t: {s.name: float("nan")}, "finite number"),
    (lambda s, t: {s.name: {"a": s.value}}, "single number"),
    (lambda s, t: {t.name: {"no_such_label": t.range[0]}}, "no labels"),
    (lambda s, t: {t.name: t.range[0]}, "is a table"),
], ids=["unknown name", "out of range", "nan", "table for a number", "unknown label",
        "number for a table"])
def test_overridden_refuses_unknown_names_and_bad_values(make, problem):
    before = P.parameters()
    with pytest.raises(P.DataError, match=problem), \
            P.overridden(make(_ranged(table=False), _ranged(table=True))):
        pass
    assert P.parameters() is before


def test_calibration_file_names_only_calibrated_parameters_within_range_and_has_a_date():
    assert CALIBRATION.exists(), "run python -m simlib calibrate --write"
    raw = _calibration_record()
    assert set(raw) == {"fit", "values"}
    fit = raw["fit"]
    dt.date.fromisoformat(fit["date"])
    for key in ("command", "method", "cost", "success", "targets"):
        assert key in fit, key
    params = P.parameters()
    assert raw["values"]
    for name, value in raw["values"].items():
        p = params[name]
        assert p.calibrated, name
        values = value.values() if isinstance(value, dict) else [value]
        assert all(p.range[0] <= v <= p.range[1] for v in values), name
        assert p.calibration == fit["date"] and "calibrated" in p.provenance
        if isinstance(value, dict):
            assert all(p.value[k] == v for k, v in value.items()), name
        else:
            assert p.value == value, name
    assert all(not p.calibration for n, p in params.items() if n not in raw["values"])
    for name, row in fit["targets"].items():
        assert params[name].target and {"target", "model", "relative_error", "tolerance"} <= set(row)


def _copy_data(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    for path in DATA.iterdir():
        if path.is_file():
            (tmp_path / "data" / path.name).write_bytes(path.read_bytes())
    monkeypatch.setenv("SIMLIB_HOME", str(tmp_path))
    return tmp_path / "data"


@pytest.mark.parametrize("values, problem", [
    ('job_separation_hazard = 0.01', "not calibrated = true"),
    ('no_such_parameter = 0.01', "not a parameter"),
    ('route_dual_share_arbeidsmarkt = 0.9', "outside its range"),
])
def test_calibration_overlay_is_strict(tmp_path, monkeypatch, values, problem):
    data = _copy_data(tmp_path, monkeypatch)
    (data / P.CALIBRATION_FILE).write_text(f'[fit]\ndate = "2026-01-31"\n\n[values]\n{values}\n',
                                           encoding="utf-8")
    with pytest.raises(P.DataError, match=problem):
        P.parameters()


def test_calibration_overlay_replaces_values_and_records_the_fit_date(tmp_path, monkeypatch):
    data = _copy_data(tmp_path, monkeypatch)
    (data / P.CALIBRATION_FILE).write_text(
        '[fit]\ndate = "2026-01-31"\n\n[values]\nroute_dual_share_arbeidsmarkt = 0.05\n',
        encoding="utf-8")
    (data / "extra.toml").write_text('[extra_figure]\nvalue = 1.0\nunit = "u"\n'
                                     'confidence = "low"\nsource = "a test"\n', encoding="utf-8")
    assert P.PARAMETER_FILES == tuple(sorted(
        p.name for p in data.glob("*.toml") if p.name != P.CALIBRATION_FILE))
    p = P.parameters()["route_dual_share_arbeidsmarkt"]
    assert p.value == 0.05 and p.calibration == "2026-01-31"
    assert P.param("extra_figure") == 1.0
    assert P.parameters()["route_dual_share_dubbele"].calibration is None


@pytest.mark.parametrize("extra, problem", [
    ('target = true\n', "needs"),
    ('target = true\nindicator = "x"\nschool_year = "2025-27"\ntolerance = 0.1\n'
     'tolerance_note = "a b c d e"\n', "school_year"),
    ('target = true\nindicator = "x"\nschool_year = "2025-26"\ntolerance = 0\n'
     'tolerance_note = "a b c d e"\n', "tolerance"),
    ('target = true\nindicator = "x"\nschool_year = "2025-26"\ntolerance = 0.1\n'
     'tolerance_note = "because"\n', "tolerance_note"),
    ('target = true\nindicator = "x"\ngroup = "finality arbeidsmarkt"\nschool_year = "2025-26"\n'
     'tolerance = 0.1\ntolerance_note = "a b c d e"\n', "group"),
    ('indicator = "x"\n', "only allowed on a calibration target"),
])
def test_loader_refuses_bad_target_metadata(extra, problem):
    raw = tomllib.loads('[x]\nvalue = 1.0\nunit = "u"\nconfidence = "low"\nsource = "s"\n' + extra)
    with pytest.raises(P.DataError, match=problem):
        P._build("test.toml", "x", raw["x"])


def test_cli_prints_one_row_per_target_and_writes_nothing_without_write(capsys):
    before = CALIBRATION.read_bytes() if CALIBRATION.exists() else None
    assert main(["calibrate", "--maxiter", "2"]) == 0
    out = capsys.readouterr().out
    for name in TARGET_NAMES:
        rows = [line for line in out.splitlines() if line.startswith(name + " ")]
        assert len(rows) == 1, (name, out)
        assert rows[0].rstrip().endswith(("OK", "not fitted)", f"({NOT_AVAILABLE})")), rows[0]
    assert "free parameter" in out and "cost" in out
    assert (CALIBRATION.read_bytes() if CALIBRATION.exists() else None) == before
    assert main(["calibrate", "--maxiter", "0"]) == 2
