"""Data provenance: every number in data/ says where it comes from or that it is an estimate."""

import re
import tomllib
from pathlib import Path

import pytest

from simlib.inputs import parameters as P

DATA = P.data_dir()


def test_every_parameter_has_unit_provenance_and_confidence():
    params = P.parameters()
    assert len(params) > 30
    for name, p in params.items():
        assert p.unit.strip(), name
        assert (p.source or "").strip() or len((p.estimate or "").strip()) > 40, name
        assert p.confidence in P.CONFIDENCE, name
        if p.calibrated or p.distribution:
            assert p.range is not None, name


def test_estimates_say_why():
    for name, p in P.parameters().items():
        if p.estimate:
            assert len(p.estimate.split()) >= 8, f"{name}: an estimate needs its reasoning"


def test_every_file_in_data_is_documented_and_read():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for path in DATA.iterdir():
        if path.suffix in (".toml", ".csv"):
            assert f"`{path.name}`" in readme, path.name
    assert set(P.PARAMETER_FILES) == {p.name for p in DATA.glob("*.toml")} - {P.CALIBRATION_FILE}


def test_calendar_has_a_source_note_and_no_school_days_in_summer():
    text = (DATA / "calendar.csv").read_text(encoding="utf-8")
    assert re.search(r"^# .*(estimate|source)", text, re.M | re.I)
    days = P.school_days_by_month()
    assert days[6] == days[7] == 0
    assert 160 <= sum(days) <= 185


def test_calibration_targets_of_the_foundation_are_declared():
    params = P.parameters()
    for name in ("dual_contract_learners_2025_26", "aanloopfase_learners_2025_26",
                 "syntra_share_of_dual", "arbeidsmarkt_share_of_dual"):
        assert params[name].target, name


@pytest.mark.parametrize("entry, problem", [
    ('[x]\nvalue = 1.0\nunit = "u"\nconfidence = "low"\n', "source or estimate"),
    ('[x]\nvalue = 1.0\nunit = "u"\nconfidence = "low"\nsource = "s"\nestimate = "e"\n',
     "source or estimate"),
    ('[x]\nvalue = 1.0\nconfidence = "low"\nsource = "s"\n', "missing unit"),
    ('[x]\nvalue = 5.0\nunit = "u"\nrange = [0, 1]\nconfidence = "low"\nsource = "s"\n',
     "outside its range"),
    ('[x]\nvalue = 1.0\nunit = "u"\nconfidence = "sure"\nsource = "s"\n', "confidence"),
    ('[x]\nvalue = 1.0\nunit = "u"\nconfidence = "low"\nsource = "s"\nfoo = 1\n', "unknown keys"),
    ('[x]\nvalue = 1.0\nunit = "u"\nconfidence = "low"\nsource = "s"\ncalibrated = true\n',
     "needs a range"),
])
def test_loader_refuses_entries_without_provenance_or_with_bad_keys(entry, problem):
    raw = tomllib.loads(entry)
    with pytest.raises(P.DataError, match=problem):
        P._build("test.toml", "x", raw["x"])


def test_data_hash_changes_with_the_data(tmp_path, monkeypatch):
    for path in DATA.iterdir():
        if path.is_file():
            (tmp_path / "data").mkdir(exist_ok=True)
            (tmp_path / "data" / path.name).write_bytes(path.read_bytes())
    monkeypatch.setenv("SIMLIB_HOME", str(tmp_path))
    first = P.data_hash()
    assert first == P.data_hash() and len(first) == 64
    calendar = tmp_path / "data" / "calendar.csv"
    calendar.write_text(calendar.read_text() + "\n", encoding="utf-8")
    assert P.data_hash() != first


def test_licence_names_cc_by_for_data():
    text = (Path(P.project_root()) / "LICENSE").read_text(encoding="utf-8")
    assert "CC-BY-4.0" in text
    assert "CC BY 4.0" in (DATA / "README.md").read_text(encoding="utf-8")
