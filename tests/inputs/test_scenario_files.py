"""Every scenario in scenarios/ validates, runs, carries both labels and cites the advice."""

import tomllib

import numpy as np
import pytest

import simlib
from simlib.analysis import checks
from simlib.inputs.parameters import scenarios_dir
from simlib.inputs.scenario import scenario_names

NAMES = scenario_names()


def test_there_is_a_baseline_and_one_scenario_per_wired_lever():
    assert "baseline" in NAMES
    assert {"langere_zoekperiode", "hogere_premie", "meer_begeleiding"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_scenario_file_has_both_labels_and_descriptions(name):
    raw = tomllib.loads((scenarios_dir() / f"{name}.toml").read_text(encoding="utf-8"))
    for key in ("label_nl", "label_en", "description_nl", "description_en"):
        assert raw.get(key, "").strip(), f"{name}: {key}"
    assert raw["label_nl"] != raw["label_en"]
    assert raw["description_nl"] != raw["description_en"]


@pytest.mark.parametrize("name", NAMES)
def test_scenario_validates_and_runs(name):
    sc = simlib.load_scenario(name)
    result = simlib.run(sc, years=2)
    assert np.isfinite(np.asarray(result.stocks)).all()
    checks.check_invariants(result)  # conservation, no negative stock, valid rates
    if name != "baseline":
        assert sc.changed(), f"{name} changes nothing"
        assert "SERV" in sc.description_nl


def test_baseline_changes_nothing():
    assert simlib.load_scenario("baseline").changed() == {}


def test_uploaded_text_is_data_only():
    from simlib.inputs.scenario import ScenarioError, load_scenario_text

    good = load_scenario_text('label_nl = "x"\nlabel_en = "y"\nbase = "langere_zoekperiode"\n'
                              "[levers]\ncoaching_visits_per_month = 1.0\n", name="upload")
    assert good.value("search_window_days", "2027-01-01") == 30
    assert good.value("coaching_visits_per_month", "2027-01-01") == 1.0
    for base in ("../data/baseline", "/etc/passwd", "nope"):
        with pytest.raises(ScenarioError) as err:
            load_scenario_text(f'base = "{base}"\n', name="upload")
        assert all(str(p).startswith("upload.toml: base:") for p in err.value.problems)
