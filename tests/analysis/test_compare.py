"""Tests of ``simlib.analysis.compare``: the comparison table, the text summary and ``compare`` CLI.

The contract: ``compare(a, b)`` has the columns indicator, group, school_year, a, b,
difference (``b - a``), relative_difference (``(b - a) / |a|``, NaN where ``a == 0``), one
row per indicator x group x school year, in the order of the indicator registry, then group,
then school year; results over different years or with different indicators are refused.
``python -m simlib compare A B --out DIR`` writes comparison.csv and meta.json, with the same
exit codes and ``--out`` rule as ``run``.
"""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pandas as pd
import pytest

import simlib
from simlib.analysis.compare import COLUMNS, compare
from simlib.inputs.glossary import label
from simlib.model.outcomes import INDICATORS
from simlib.model.simulation import MAX_YEARS
from simlib.report.summary import summary

YEARS = 2
EXPECTED_COLUMNS = ["indicator", "group", "school_year", "a", "b", "difference",
                    "relative_difference", "status"]


@pytest.fixture(scope="module")
def baseline():
    return simlib.run("baseline", years=YEARS)


@pytest.fixture(scope="module")
def longer_search():
    return simlib.run(simlib.scenario(search_window_days=30, search_extension_days=30),
                      years=YEARS)


@pytest.fixture(scope="module")
def langere_zoekperiode():
    return simlib.run("langere_zoekperiode", years=YEARS)


# --- compare() -----------------------------------------------------------------------------


def test_columns_and_one_row_per_indicator_group_year(baseline, longer_search):
    df = compare(baseline, longer_search)
    assert list(df.columns) == EXPECTED_COLUMNS == list(COLUMNS)
    ind = baseline.indicators
    assert len(df) == len(ind)
    assert not df.duplicated(["indicator", "group", "school_year"]).any()
    assert set(map(tuple, df[["indicator", "group", "school_year"]].to_numpy())) == set(
        map(tuple, ind[["indicator", "group", "school_year"]].to_numpy()))


def test_row_order_registry_then_group_then_year(baseline, longer_search):
    df = compare(baseline, longer_search)
    ind = baseline.indicators
    registry = [i.id for i in INDICATORS if i.id in set(ind.indicator)]  # some need more years
    assert list(dict.fromkeys(df.indicator)) == registry
    present = set(map(tuple, ind[["indicator", "group", "school_year"]].to_numpy()))
    groups = list(dict.fromkeys(ind.group))  # not every indicator has every group
    years = sorted(set(ind.school_year))
    expected = [(i, g, y) for i in registry for g in groups for y in years
                if (i, g, y) in present]
    assert len(expected) == len(present)
    assert list(map(tuple, df[["indicator", "group", "school_year"]].to_numpy())) == expected


def test_values_match_the_two_results(baseline, longer_search):
    df = compare(baseline, longer_search)
    for _, row in df.sample(25, random_state=1).iterrows():
        a = baseline.value(row.indicator, row.school_year, row.group)
        b = longer_search.value(row.indicator, row.school_year, row.group)
        np.testing.assert_equal([row.a, row.b], [a, b])
        np.testing.assert_allclose(row.difference, b - a)
        if a != 0 and not np.isnan(a):
            np.testing.assert_allclose(row.relative_difference, (b - a) / abs(a))


def test_baseline_against_itself_is_all_zero(baseline):
    df = compare(baseline, baseline)
    known = df.a.notna()
    assert known.any()
    assert (df.difference[known] == 0).all()
    nonzero = known & (df.a != 0)
    assert (df.relative_difference[nonzero] == 0).all()
    assert df.relative_difference[df.a == 0].isna().all()


def test_relative_difference_nan_where_a_is_zero(baseline, longer_search):
    df = compare(baseline, longer_search)
    zero = df.a == 0
    assert zero.any(), "expected some zero indicators in the baseline (e.g. no Groeifase)"
    assert df.relative_difference[zero].isna().all()
    assert df.relative_difference[~zero & df.a.notna() & df.b.notna()].notna().all()


def test_relative_difference_uses_the_absolute_value_of_a(baseline, longer_search):
    df = compare(baseline, longer_search)
    ok = df.a.notna() & df.b.notna() & (df.a != 0)
    assert (np.sign(df.relative_difference[ok]) == np.sign(df.difference[ok])).all()


def test_longer_search_raises_placement_share_every_year(baseline, longer_search):
    df = compare(baseline, longer_search)
    share = df[df.indicator == "placement_share"]
    assert len(share) == YEARS * df.group.nunique()
    assert (share.difference > 0).all(), share
    assert (share.relative_difference > 0).all()


def test_mismatched_years_refused(baseline):
    other = simlib.run("baseline", years=YEARS - 1)
    with pytest.raises(ValueError, match="different years"):
        compare(baseline, other)
    with pytest.raises(ValueError, match="different years"):
        summary(other, baseline)


class _Fake:
    """A result-like object with a chosen indicators table."""

    def __init__(self, real, indicators: pd.DataFrame):
        self.years = real.years
        self.scenario = real.scenario
        self.indicators = indicators


def test_an_indicator_on_one_side_only_is_not_applicable(baseline):
    ind = baseline.indicators
    fewer = _Fake(baseline, ind[ind.indicator != "public_cost"].reset_index(drop=True))
    for a, b in ((baseline, fewer), (fewer, baseline)):
        df = compare(a, b)
        cost = df[df.indicator == "public_cost"]
        assert len(cost) == len(ind[ind.indicator == "public_cost"])
        assert (cost.status == "not_applicable").all() and cost.difference.isna().all()
        assert (df[df.indicator != "public_cost"].status == "compared").all()
    text = summary(baseline, fewer, indicators=("public_cost", "placement_share"))
    assert "niet van toepassing in" in text and "ongewijzigd" in text


def test_the_readmes_example_compares_a_closed_groeifase_with_an_open_one(cli, tmp_path):
    """`python -m simlib compare baseline pakket_serv` (the README's example) ended in an
    internal error: the Groeifase's shares exist in pakket_serv only."""
    out = tmp_path / "pakket"
    code, _, err = cli("compare", "baseline", "pakket_serv", "--out", out, "--years", 4)
    assert code == 0, err
    df = pd.read_csv(out / "comparison.csv")
    g12 = df[df.indicator == "groeifase_12_months_share"]
    assert len(g12) and (g12.status == "not_applicable").all() and g12.a.isna().all()
    assert set(df.status) == {"compared", "not_applicable"}


# --- summary() -----------------------------------------------------------------------------

NUMBER = re.compile(r"\d")


def test_summary_dutch(baseline, longer_search):
    text = summary(baseline, longer_search, indicators=("placement_share", "public_cost"))
    assert label("indicators", "placement_share", "nl") in text
    assert label("indicators", "public_cost", "nl") in text
    assert label("units", "eur_per_school_year", "nl") in text
    assert NUMBER.search(text)
    line = next(s for s in text.splitlines() if label("indicators", "placement_share", "nl") in s)
    assert re.search(r"\b\d{2},\d %", line), line  # a share in % with a decimal comma
    assert "procentpunt" in line and not re.search(r"\d\.\d", line), line
    assert "stijging" in line


def test_summary_english(baseline, longer_search):
    text = summary(baseline, longer_search, indicators=("placement_share",), lang="en",
                   school_year=sorted(set(baseline.indicators.school_year))[0])
    assert label("indicators", "placement_share", "en") in text
    assert re.search(r"\b\d{2}\.\d%", text), text
    assert "percentage points" in text
    assert "increase" in text


def test_summary_dutch_thousands_separator(baseline, longer_search):
    text = summary(baseline, longer_search, indicators=("public_cost",))
    assert re.search(r"\d{1,3}(\.\d{3})+\b", text), text


def test_summary_unchanged(baseline):
    text = summary(baseline, baseline, indicators=("placement_share",), lang="en")
    assert "unchanged" in text


def test_summary_rejects_unknown_input(baseline, longer_search):
    with pytest.raises(ValueError, match="unknown indicators"):
        summary(baseline, longer_search, indicators=("placement_shar",))
    with pytest.raises(ValueError, match="school year"):
        summary(baseline, longer_search, school_year="1999-00")
    with pytest.raises(ValueError, match="lang"):
        summary(baseline, longer_search, lang="fr")


# --- python -m simlib compare ---------------------------------------------------------------


def test_cli_compare_writes_csv_and_meta(cli, tmp_path, baseline, langere_zoekperiode):
    out = tmp_path / "cmp"
    code, stdout, err = cli("compare", "baseline", "langere_zoekperiode", "--out", out,
                            "--years", YEARS)
    assert code == 0, err
    csv_path, meta_path = out / "comparison.csv", out / "meta.json"
    assert stdout.splitlines() == [str(csv_path), str(meta_path)]
    raw = csv_path.read_bytes()
    assert b"\r" not in raw
    raw.decode("utf-8")
    with csv_path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == EXPECTED_COLUMNS
    df = pd.read_csv(csv_path)
    a, b = baseline, langere_zoekperiode
    assert len(df) == len(a.indicators) == len(b.indicators)
    assert not df.duplicated(["indicator", "group", "school_year"]).any()
    expected = compare(a, b)
    np.testing.assert_allclose(df[["a", "b", "difference"]].to_numpy(float),
                               expected[["a", "b", "difference"]].to_numpy(float), rtol=1e-12)
    np.testing.assert_allclose(df.relative_difference.to_numpy(float),
                               expected.relative_difference.to_numpy(float), rtol=1e-12)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert meta["a"]["scenario"] == "baseline"
    assert meta["b"]["scenario"] == "langere_zoekperiode"
    assert meta["b"]["levers"]["search_window_days"]["2026-09-01"] == 30
    assert set(meta["a"]["levers"]) == {lv.id for lv in simlib.levers()}


def test_cli_compare_refuses_existing_comparison(cli, tmp_path):
    out = tmp_path / "cmp"
    out.mkdir()
    existing = out / "comparison.csv"
    existing.write_bytes(b"keep me\r\n\xff")
    code, stdout, err = cli("compare", "baseline", "langere_zoekperiode", "--out", out,
                            "--years", YEARS)
    assert code == 2
    assert "comparison.csv" in err and "--force" in err
    assert "Traceback" not in err
    assert stdout == ""
    assert existing.read_bytes() == b"keep me\r\n\xff"
    assert not (out / "meta.json").exists()


def test_cli_compare_force_overwrites(cli, tmp_path):
    out = tmp_path / "cmp"
    out.mkdir()
    (out / "comparison.csv").write_text("old\n", encoding="utf-8")
    code, _, err = cli("compare", "baseline", "baseline", "--out", out, "--years", 1,
                       "--force")
    assert code == 0, err
    assert (out / "comparison.csv").read_text(encoding="utf-8").startswith(
        ",".join(EXPECTED_COLUMNS) + "\n")


def test_cli_compare_bad_scenario_writes_nothing(cli, tmp_path):
    out = tmp_path / "cmp"
    code, stdout, err = cli("compare", "baseline", "langere_zoekperiod", "--out", out,
                            "--years", YEARS)
    assert code == 2
    assert "langere_zoekperiode" in err  # the suggestion
    assert "Traceback" not in err
    assert stdout == ""
    assert not out.exists()


@pytest.mark.parametrize("years", [0, MAX_YEARS + 1])
def test_cli_compare_years_out_of_range(cli, tmp_path, years):
    out = tmp_path / "cmp"
    code, _, err = cli("compare", "baseline", "baseline", "--out", out,
                       "--years", years)
    assert code == 2
    assert "--years" in err
    assert not out.exists()
