"""Black-box tests of the scenario loader: ``simlib.load_scenario`` and ``simlib.inputs.scenario``.

The contract under test (scenario files, validation, the API):

- A scenario file has the top-level keys label_nl, label_en, description_nl, description_en,
  name (defaults to the file stem), base (defaults to "baseline") and a ``[levers]`` table.
  A scalar replaces the base's value from the start; a dated table ``{"YYYY-MM-01" = value}``
  merges into the base's schedule. A bare ``base`` is looked up beside the file, then in
  ``scenarios/``. Every combination of in-range values is valid; a lever whose parent lever
  is off is ignored, not refused.
- Validation reports every problem, each as
  ``<path>: <key>: <problem>; expected <allowed>[; did you mean <nearest>?]``.
- ``Scenario`` is immutable and offers ``value``, ``schedules``, ``resolved`` and ``changed``.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import simlib
from simlib import Scenario, ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE_FILE = ROOT / "scenarios" / "baseline.toml"

LEVERS = {lv.id: lv for lv in simlib.levers()}
NUMERIC = [lv for lv in simlib.levers() if lv.kind in ("int", "float")]
BOOL = next(lv for lv in simlib.levers() if lv.kind == "bool")
CHOICE = next(lv for lv in simlib.levers() if lv.kind == "choice")
CHILDREN = [lv for lv in simlib.levers() if lv.parent is not None]
#: A lever with a dated history (more than one value in its schedule), if the registry has one.
HISTORY = next((lv for lv in simlib.levers() if len(lv.schedule) > 1), None)

WINDOW = "search_window_days"  # int 10..60
EXTENSION = "search_extension_days"  # int 0..60
COACHING = "coaching_visits_per_month"  # float 0..4
PREMIUM = "employer_premium_paid_eur_per_year"  # float 0..5000
#: A float lever other than the named ones.
OTHER_FLOAT = next(lv.id for lv in NUMERIC
                   if lv.kind == "float" and lv.id not in (COACHING, PREMIUM))

FAR_FUTURE = "2099-09-01"
FAR_PAST = "1990-09-01"


# --- helpers -------------------------------------------------------------------------------


def write(folder: Path, filename: str, text: str) -> Path:
    """Write a scenario file (dedented) and return its path."""
    path = folder / filename
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems_of(path_or_name) -> list[str]:
    """The problem lines of a scenario that must fail validation."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path_or_name)
    problems = [str(p) for p in info.value.problems]
    assert problems, "a ScenarioError must list at least one problem"
    return problems


def line_re(path: str, key: str, problem: str) -> re.Pattern:
    """``<path>: <key>: <problem>; expected <allowed>`` (key and problem are regexes)."""
    return re.compile(rf"^{re.escape(path)}: {key}: {problem}; expected .+")


def assert_problem(line: str, path: Path | str, key: str, problem: str,
                   suggestion: str | None = None, expected: str | None = None) -> None:
    assert "\n" not in line, line
    assert line_re(str(path), key, problem).match(line), line
    if expected is not None:
        assert f"; expected {expected}" in line, line
    if suggestion is not None:
        assert line.endswith(f"; did you mean {suggestion}?"), line


def other_value(lv):
    """An in-range value of ``lv`` that differs from its default."""
    if lv.kind == "bool":
        return not lv.default
    if lv.kind == "choice":
        return next(c for c in lv.choices if c != lv.default)
    return lv.max if lv.default != lv.max else lv.min


def toml_value(value) -> str:
    """A Python scalar as a TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


# --- the baseline --------------------------------------------------------------------------


def test_known_ids_exist_in_the_registry():
    for lever_id, kind in ((WINDOW, "int"), (EXTENSION, "int"), (COACHING, "float"),
                           (PREMIUM, "float")):
        assert LEVERS[lever_id].kind == kind


@pytest.mark.parametrize("ref", ["baseline", str(BASELINE_FILE), BASELINE_FILE],
                         ids=["name", "path-str", "Path"])
def test_baseline_loads_by_name_and_by_path(ref):
    sc = load_scenario(ref)
    assert isinstance(sc, Scenario)
    assert sc.name == "baseline"
    assert set(sc.schedules) == set(LEVERS)


def test_baseline_values_equal_registry_defaults():
    sc = load_scenario("baseline")
    for lv in simlib.levers():
        assert sc.value(lv.id, FAR_FUTURE) == lv.default, lv.id
        assert dict(sc.schedules[lv.id]) == dict(lv.schedule), lv.id
        for date, value in lv.schedule.items():
            assert sc.value(lv.id, date) == value, (lv.id, date)
    assert sc.changed() == {}
    assert sc.resolved() == {lv.id: dict(lv.schedule) for lv in simlib.levers()}


def test_name_defaults_to_file_stem(tmp_path):
    path = write(tmp_path, "longer_window.toml", f"""
        label_nl = "Langer"
        label_en = "Longer"
        [levers]
        {WINDOW} = 30
        """)
    sc = load_scenario(path)
    assert sc.name == "longer_window"
    assert sc.label_nl == "Langer"
    assert sc.label_en == "Longer"


def test_name_key_overrides_file_stem(tmp_path):
    path = write(tmp_path, "file_stem.toml", f"""
        name = "chosen_name"
        [levers]
        {WINDOW} = 30
        """)
    assert load_scenario(path).name == "chosen_name"


def test_empty_file_is_the_baseline(tmp_path):
    sc = load_scenario(write(tmp_path, "nothing.toml", ""))
    assert sc.name == "nothing"
    assert sc.changed() == {}
    assert sc.resolved() == load_scenario("baseline").resolved()


# --- overrides and bases -------------------------------------------------------------------


def test_scalar_override_replaces_from_the_start(tmp_path):
    sc = load_scenario(write(tmp_path, "s.toml", f"""
        [levers]
        {WINDOW} = 30
        {COACHING} = 2
        """))
    for date in (FAR_PAST, *LEVERS[WINDOW].schedule, "2027-09-01", FAR_FUTURE):
        assert sc.value(WINDOW, date) == 30
        assert sc.value(COACHING, date) == 2.0
    assert isinstance(sc.value(COACHING, FAR_FUTURE), float)
    assert set(sc.changed()) == {WINDOW, COACHING}


@pytest.mark.skipif(HISTORY is None, reason="no lever with a dated history in the registry")
def test_scalar_override_replaces_a_dated_history(tmp_path):
    new = other_value(HISTORY)
    sc = load_scenario(write(tmp_path, "s.toml", f"""
        [levers]
        {HISTORY.id} = {toml_value(new)}
        """))
    for date in (FAR_PAST, *HISTORY.schedule, FAR_FUTURE):
        assert sc.value(HISTORY.id, date) == new, date


def test_dated_override_merges_into_base_schedule(tmp_path):
    base = LEVERS[COACHING].default
    sc = load_scenario(write(tmp_path, "s.toml", f"""
        [levers.{COACHING}]
        "2027-09-01" = 2.0
        "2029-01-01" = 3.5
        """))
    assert sc.value(COACHING, "2027-08-01") == base
    assert sc.value(COACHING, "2027-08-31") == base
    assert sc.value(COACHING, "2027-09-01") == 2.0
    assert sc.value(COACHING, "2028-12-01") == 2.0
    assert sc.value(COACHING, "2029-01-01") == 3.5
    assert sc.value(COACHING, FAR_FUTURE) == 3.5
    schedule = dict(sc.schedules[COACHING])
    # the base's own dates survive the merge, and the schedule stays in date order
    assert set(LEVERS[COACHING].schedule) | {"2027-09-01", "2029-01-01"} == set(schedule)
    assert list(schedule) == sorted(schedule)
    assert list(sc.changed()) == [COACHING]


@pytest.mark.skipif(HISTORY is None, reason="no lever with a dated history in the registry")
def test_dated_override_keeps_the_base_history(tmp_path):
    last = list(HISTORY.schedule)[-1]
    year = int(last[:4]) + 2
    new = other_value(HISTORY)
    sc = load_scenario(write(tmp_path, "s.toml", f"""
        [levers.{HISTORY.id}]
        "{year}-09-01" = {toml_value(new)}
        """))
    for date, value in HISTORY.schedule.items():
        assert sc.value(HISTORY.id, date) == value
    assert sc.value(HISTORY.id, f"{year}-08-01") == HISTORY.default
    assert sc.value(HISTORY.id, f"{year}-09-01") == new


@pytest.mark.skipif(HISTORY is None, reason="no lever with a dated history in the registry")
@pytest.mark.xfail(strict=True, reason="a dated override earlier than the base's first "
                   "schedule date becomes the value before it too (Scenario.value falls back "
                   "to the first value of the merged schedule), so before the date != base")
def test_dated_override_before_the_base_history_keeps_the_base_before_it(tmp_path):
    first = next(iter(HISTORY.schedule))
    year = int(first[:4]) - 3
    new = other_value(HISTORY)
    sc = load_scenario(write(tmp_path, "s.toml", f"""
        [levers.{HISTORY.id}]
        "{year}-09-01" = {toml_value(new)}
        """))
    assert sc.value(HISTORY.id, f"{year}-09-01") == new
    base = load_scenario("baseline")
    assert sc.value(HISTORY.id, f"{year - 1}-09-01") == base.value(HISTORY.id, f"{year - 1}-09-01")


def test_dated_value_for_bool_and_choice_levers(tmp_path):
    sc = load_scenario(write(tmp_path, "s.toml", f"""
        [levers.{BOOL.id}]
        "2028-09-01" = {toml_value(other_value(BOOL))}
        [levers.{CHOICE.id}]
        "2028-09-01" = {toml_value(other_value(CHOICE))}
        """))
    for lv in (BOOL, CHOICE):
        assert sc.value(lv.id, "2028-08-01") == lv.default
        assert sc.value(lv.id, "2028-09-01") == other_value(lv)


def test_chained_bases_apply_both_diffs_in_order(tmp_path):
    write(tmp_path, "first.toml", f"""
        [levers]
        {WINDOW} = 30
        {EXTENSION} = 10
        [levers.{COACHING}]
        "2027-09-01" = 2.0
        [levers.{PREMIUM}]
        "2027-09-01" = 1500.0
        """)
    second = write(tmp_path, "second.toml", f"""
        base = "first"
        [levers]
        {WINDOW} = 40
        {PREMIUM} = 2500.0
        [levers.{EXTENSION}]
        "2028-09-01" = 30
        [levers.{COACHING}]
        "2028-09-01" = 3.0
        """)
    sc = load_scenario(second)
    assert sc.base == "first"
    # second's scalar replaces first's scalar
    assert sc.value(WINDOW, FAR_PAST) == 40
    assert sc.value(WINDOW, FAR_FUTURE) == 40
    # second's dated value merges into first's scalar
    assert sc.value(EXTENSION, "2028-08-01") == 10
    assert sc.value(EXTENSION, "2028-09-01") == 30
    # second's dated value merges into first's dated value, on top of the registry default
    assert sc.value(COACHING, "2027-08-01") == LEVERS[COACHING].default
    assert sc.value(COACHING, "2027-09-01") == 2.0
    assert sc.value(COACHING, "2028-09-01") == 3.0
    # second's scalar replaces first's dated history from the start
    assert sc.value(PREMIUM, FAR_PAST) == 2500.0
    assert sc.value(PREMIUM, "2027-09-01") == 2500.0
    assert set(sc.changed()) == {WINDOW, EXTENSION, COACHING, PREMIUM}


def test_three_level_chain(tmp_path):
    write(tmp_path, "a.toml", f"[levers]\n{WINDOW} = 30\n")
    write(tmp_path, "b.toml", f'base = "a"\n[levers]\n{EXTENSION} = 5\n')
    sc = load_scenario(write(tmp_path, "c.toml", f'base = "b"\n[levers]\n{COACHING} = 1.5\n'))
    assert (sc.value(WINDOW, FAR_FUTURE), sc.value(EXTENSION, FAR_FUTURE),
            sc.value(COACHING, FAR_FUTURE)) == (30, 5, 1.5)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A project home (SIMLIB_HOME) whose scenarios/ holds the baseline and ``other``."""
    home = tmp_path / "home"
    (home / "scenarios").mkdir(parents=True)
    shutil.copy(BASELINE_FILE, home / "scenarios" / "baseline.toml")
    write(home / "scenarios", "other.toml", f"[levers]\n{WINDOW} = 30\n")
    monkeypatch.setenv("SIMLIB_HOME", str(home))
    return home


def test_base_found_in_scenarios_dir(home, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    sc = load_scenario(write(work, "s.toml", 'base = "other"\n'))
    assert sc.value(WINDOW, FAR_FUTURE) == 30


def test_base_beside_the_file_wins_over_scenarios_dir(home, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    write(work, "other.toml", f"[levers]\n{WINDOW} = 40\n")
    sc = load_scenario(write(work, "s.toml", 'base = "other"\n'))
    assert sc.value(WINDOW, FAR_FUTURE) == 40


# --- immutability --------------------------------------------------------------------------


@pytest.fixture
def dated(tmp_path) -> Scenario:
    return load_scenario(write(tmp_path, "dated.toml", f"""
        [levers]
        {WINDOW} = 30
        [levers.{COACHING}]
        "2027-09-01" = 2.0
        """))


@pytest.mark.parametrize("attr", ["name", "label_nl", "base", "schedules"])
def test_assigning_an_attribute_raises(dated, attr):
    with pytest.raises(AttributeError):
        setattr(dated, attr, "x")
    with pytest.raises(AttributeError):
        dated.brand_new_attribute = 1


def test_schedules_cannot_be_mutated(dated):
    with pytest.raises(TypeError):
        dated.schedules[WINDOW] = {"2016-09-01": 40}
    with pytest.raises(TypeError):
        del dated.schedules[WINDOW]
    with pytest.raises(TypeError):
        dated.schedules[COACHING]["2030-09-01"] = 3.0
    with pytest.raises(TypeError):
        dated.schedules[WINDOW][next(iter(dated.schedules[WINDOW]))] = 40
    assert dated.value(WINDOW, FAR_FUTURE) == 30
    assert dated.value(COACHING, FAR_FUTURE) == 2.0


def test_resolved_and_changed_return_copies(dated):
    dated.resolved()[COACHING]["2030-09-01"] = 3.0
    dated.changed()[WINDOW]["2030-09-01"] = 50
    assert dated.value(COACHING, FAR_FUTURE) == 2.0
    assert dated.value(WINDOW, FAR_FUTURE) == 30


def test_overrides_leave_the_registry_and_baseline_untouched(dated):
    registry = {lv.id: lv for lv in simlib.levers()}
    assert "2027-09-01" not in registry[COACHING].schedule
    assert load_scenario("baseline").value(COACHING, FAR_FUTURE) == registry[COACHING].default
    assert load_scenario("baseline").value(WINDOW, FAR_FUTURE) == registry[WINDOW].default


def test_overrides_cannot_be_mutated(dated):
    with pytest.raises(TypeError):
        dated.overrides[COACHING]["2030-09-01"] = 3.0


# --- bad inputs: one problem each ----------------------------------------------------------

#: (id, [levers] TOML body, key regex, problem regex, expected substring, suggestion)
BAD_LEVERS = [
    ("unknown-lever", "search_windw_days = 30", r"levers\.search_windw_days", "unknown lever",
     None, WINDOW),
    ("below-min", f"{WINDOW} = 5", rf"levers\.{WINDOW}", ".*out of range.*",
     LEVERS[WINDOW].allowed(), None),
    ("above-max", f"{WINDOW} = 61", rf"levers\.{WINDOW}", ".*out of range.*",
     LEVERS[WINDOW].allowed(), None),
    ("float-above-max", f"{COACHING} = 4.01", rf"levers\.{COACHING}", ".*out of range.*",
     LEVERS[COACHING].allowed(), None),
    ("float-negative", f"{PREMIUM} = -1.0", rf"levers\.{PREMIUM}", ".*out of range.*",
     LEVERS[PREMIUM].allowed(), None),
    ("nan", f"{COACHING} = nan", rf"levers\.{COACHING}", ".+", LEVERS[COACHING].allowed(),
     None),
    ("string-for-int", f'{WINDOW} = "30"', rf"levers\.{WINDOW}", "wrong type.*",
     LEVERS[WINDOW].allowed(), None),
    ("float-for-int", f"{WINDOW} = 30.0", rf"levers\.{WINDOW}", "wrong type.*",
     LEVERS[WINDOW].allowed(), None),
    ("float-for-int-fraction", f"{EXTENSION} = 2.5", rf"levers\.{EXTENSION}", "wrong type.*",
     LEVERS[EXTENSION].allowed(), None),
    ("int-for-bool", f"{BOOL.id} = 1", rf"levers\.{BOOL.id}", "wrong type.*", BOOL.allowed(),
     None),
    ("string-for-bool", f'{BOOL.id} = "true"', rf"levers\.{BOOL.id}", "wrong type.*",
     BOOL.allowed(), None),
    ("bool-for-int", f"{WINDOW} = true", rf"levers\.{WINDOW}", "wrong type.*",
     LEVERS[WINDOW].allowed(), None),
    ("bool-for-float", f"{PREMIUM} = false", rf"levers\.{PREMIUM}", "wrong type.*",
     LEVERS[PREMIUM].allowed(), None),
    ("unknown-choice", f'{CHOICE.id} = "no_such_choice"', rf"levers\.{CHOICE.id}", ".+",
     CHOICE.allowed(), None),
    ("int-for-choice", f"{CHOICE.id} = 1", rf"levers\.{CHOICE.id}", "wrong type.*",
     CHOICE.allowed(), None),
    ("toml-date-for-number", f"{WINDOW} = 2027-09-01", rf"levers\.{WINDOW}", "wrong type.*",
     LEVERS[WINDOW].allowed(), None),
    ("list-for-number", f"{WINDOW} = [30]", rf"levers\.{WINDOW}", "wrong type.*",
     LEVERS[WINDOW].allowed(), None),
    ("date-not-first-of-month", f'{COACHING} = {{"2027-09-15" = 1.0}}',
     rf'levers\.{COACHING}\S*2027-09-15\S*', ".*first of a month.*", None, None),
    ("impossible-month", f'{COACHING} = {{"2027-13-01" = 1.0}}',
     rf'levers\.{COACHING}\S*2027-13-01\S*', ".+", None, None),
    ("non-date-key", f'{COACHING} = {{"september" = 1.0}}',
     rf'levers\.{COACHING}\S*september\S*', ".*date.*", None, None),
    ("short-date-key", f'{COACHING} = {{"2027-09" = 1.0}}',
     rf'levers\.{COACHING}\S*2027-09\S*', ".*date.*", None, None),
    ("bad-value-in-dated-table", f'{WINDOW} = {{"2027-09-01" = 99}}',
     rf'levers\.{WINDOW}\S*2027-09-01\S*', ".*out of range.*", LEVERS[WINDOW].allowed(), None),
    ("wrong-type-in-dated-table", f'{BOOL.id} = {{"2027-09-01" = "yes"}}',
     rf'levers\.{BOOL.id}\S*2027-09-01\S*', "wrong type.*", BOOL.allowed(), None),
    ("empty-dated-table", f"{COACHING} = {{}}", rf"levers\.{COACHING}", ".*empty.*", None, None),
]


@pytest.mark.parametrize("body, key, problem, expected, suggestion",
                         [case[1:] for case in BAD_LEVERS], ids=[case[0] for case in BAD_LEVERS])
def test_bad_lever_entry_gives_one_problem(tmp_path, body, key, problem, expected, suggestion):
    path = write(tmp_path, "bad.toml", f"[levers]\n{body}\n")
    [line] = problems_of(path)
    assert_problem(line, path, key, problem, suggestion, expected)


def test_empty_dated_table_as_table_header(tmp_path):
    path = write(tmp_path, "bad.toml", f"[levers.{COACHING}]\n")
    [line] = problems_of(path)
    assert_problem(line, path, rf"levers\.{COACHING}", ".*empty.*")


def test_unknown_top_level_key_with_suggestion(tmp_path):
    path = write(tmp_path, "bad.toml", 'lable_en = "Longer"\n')
    [line] = problems_of(path)
    assert_problem(line, path, "lable_en", ".*unknown.*", suggestion="label_en")


def test_wrong_type_top_level_key(tmp_path):
    path = write(tmp_path, "bad.toml", "label_nl = 3\n")
    [line] = problems_of(path)
    assert_problem(line, path, "label_nl", "wrong type.*")


def test_levers_not_a_table(tmp_path):
    path = write(tmp_path, "bad.toml", "levers = 3\n")
    [line] = problems_of(path)
    assert_problem(line, path, "levers", ".+")


def test_missing_base_with_suggestion(tmp_path):
    path = write(tmp_path, "bad.toml", 'base = "baselin"\n')
    [line] = problems_of(path)
    assert_problem(line, path, "base", ".*not found.*", suggestion="baseline")


def test_missing_base_suggests_a_file_beside(tmp_path):
    write(tmp_path, "sibling_policy.toml", f"[levers]\n{WINDOW} = 30\n")
    path = write(tmp_path, "bad.toml", 'base = "sibling_polcy"\n')
    [line] = problems_of(path)
    assert_problem(line, path, "base", ".*not found.*", suggestion="sibling_policy")


def test_cyclic_base(tmp_path):
    a = write(tmp_path, "a.toml", f'base = "b"\n[levers]\n{WINDOW} = 30\n')
    b = write(tmp_path, "b.toml", f'base = "a"\n[levers]\n{EXTENSION} = 30\n')
    for path in (a, b):
        [line] = problems_of(path)
        assert re.match(rf"^({re.escape(str(a))}|{re.escape(str(b))}): base: .*cycl.*; "
                        r"expected .+", line), line


def test_self_base_is_cyclic(tmp_path):
    path = write(tmp_path, "loop.toml", 'base = "loop"\n')
    [line] = problems_of(path)
    assert_problem(line, path, "base", ".*cycl.*")


def test_malformed_toml(tmp_path):
    path = write(tmp_path, "bad.toml", f"[levers\n{WINDOW} = 30\n")
    [line] = problems_of(path)
    assert re.match(rf"^{re.escape(str(path))}: [^:]+: .*TOML.*; expected .+", line,
                    re.IGNORECASE), line


def test_duplicate_key_is_malformed_toml(tmp_path):
    path = write(tmp_path, "bad.toml", f"[levers]\n{WINDOW} = 30\n{WINDOW} = 40\n")
    [line] = problems_of(path)
    assert line.startswith(f"{path}: ")
    assert "toml" in line.lower()


def test_missing_file(tmp_path):
    path = tmp_path / "nope.toml"
    [line] = problems_of(path)
    assert line.startswith(f"{path}: ")
    assert "; expected " in line


def test_unknown_scenario_name_with_suggestion():
    [line] = problems_of("baselien")
    assert re.match(r"^baselien: [^:]+: .*not found.*; expected .+", line), line
    assert line.endswith("; did you mean baseline?")


# --- bad inputs: every problem, in file order ----------------------------------------------


def test_every_problem_is_reported_in_file_order(tmp_path):
    path = write(tmp_path, "many.toml", f"""
        label_nl = "Veel fouten"
        lable_en = "Many mistakes"
        [levers]
        search_windw_days = 30
        {WINDOW} = 5
        {COACHING} = 1.0
        {EXTENSION} = 2.5
        {BOOL.id} = 1
        {CHOICE.id} = {toml_value(other_value(CHOICE))}
        [levers.{PREMIUM}]
        "2027-09-15" = 100.0
        "2028-09-01" = 9000.0
        "2029-09-01" = 2000.0
        [levers.{OTHER_FLOAT}]
        """)
    lines = problems_of(path)
    keys = [
        ("lable_en", "unknown"),
        ("levers.search_windw_days", "unknown lever"),
        (f"levers.{WINDOW}", "out of range"),
        (f"levers.{EXTENSION}", "wrong type"),
        (f"levers.{BOOL.id}", "wrong type"),
        (f"levers.{PREMIUM}", "first of a month"),
        (f"levers.{PREMIUM}", "out of range"),
        (f"levers.{OTHER_FLOAT}", "empty"),
    ]
    assert len(lines) == len(keys), "\n".join(lines)
    for line, (key, problem) in zip(lines, keys, strict=True):
        assert line.startswith(f"{path}: {key}"), (line, key)
        assert problem in line, (line, problem)
        assert line_re(str(path), r"\S+", ".+").match(line), line


def test_problems_of_the_file_and_its_base_are_all_reported(tmp_path):
    parent = write(tmp_path, "parent.toml", f"[levers]\n{WINDOW} = 99\n")
    child = write(tmp_path, "child.toml", f'base = "parent"\n[levers]\n{EXTENSION} = -1\n')
    lines = problems_of(child)
    assert len(lines) == 2, lines
    assert any(line.startswith(f"{child}: levers.{EXTENSION}: ") for line in lines), lines
    assert any(line.startswith(f"{parent}: levers.{WINDOW}: ") for line in lines), lines


def test_top_level_problems_in_file_order(tmp_path):
    path = write(tmp_path, "order.toml", 'label_nl = 3\nlable_en = "x"\n')
    lines = problems_of(path)
    assert [line.split(": ")[1] for line in lines] == ["label_nl", "lable_en"]


def test_base_problem_before_lever_problems(tmp_path):
    path = write(tmp_path, "order.toml", f'base = "nope"\n[levers]\n{WINDOW} = 5\n')
    lines = problems_of(path)
    assert [line.split(": ")[1] for line in lines] == ["base", f"levers.{WINDOW}"]


def test_problem_is_one_line_even_for_odd_keys(tmp_path):
    path = write(tmp_path, "odd.toml", '[levers]\n"search\\nwindow" = 30\n')
    [line] = problems_of(path)
    assert "\n" not in line, line


# --- simlib.scenario(...) ------------------------------------------------------------------


def test_scenario_overrides_report_every_problem():
    with pytest.raises(ScenarioError) as info:
        simlib.scenario(search_windw_days=30, **{WINDOW: 5, COACHING: "a", BOOL.id: 1,
                                                 EXTENSION: 10, PREMIUM: {"2027-09-15": 1.0}})
    lines = [str(p) for p in info.value.problems]
    assert len(lines) == 5, lines
    expected_keys = ["search_windw_days", WINDOW, COACHING, BOOL.id, PREMIUM]
    for line, key in zip(lines, expected_keys, strict=True):
        assert re.match(rf"^[^:]+: (levers\.)?{key}\S*: .+; expected .+", line), line
    assert lines[0].endswith(f"; did you mean {WINDOW}?")
    assert str(info.value).splitlines() == lines


def test_scenario_is_a_value_error_subclass():
    with pytest.raises(ValueError):
        simlib.scenario(**{WINDOW: 1000})


def test_scenario_with_unknown_base():
    with pytest.raises(ScenarioError) as info:
        simlib.scenario(base="no_such_base", **{WINDOW: 30})
    assert info.value.problems


def test_scenario_good_overrides_change_exactly_those_levers():
    overrides = {
        WINDOW: 30,
        COACHING: {"2027-09-01": 2.0},
        BOOL.id: other_value(BOOL),
        CHOICE.id: other_value(CHOICE),
    }
    sc = simlib.scenario(**overrides)
    assert isinstance(sc, Scenario)
    assert set(sc.changed()) == set(overrides)
    assert sc.value(WINDOW, FAR_FUTURE) == 30
    assert sc.value(COACHING, "2027-08-01") == LEVERS[COACHING].default
    assert sc.value(COACHING, "2027-09-01") == 2.0
    assert sc.value(BOOL.id, FAR_FUTURE) == other_value(BOOL)
    assert sc.value(CHOICE.id, FAR_FUTURE) == other_value(CHOICE)
    assert set(sc.resolved()) == set(LEVERS)


def test_scenario_without_overrides_is_the_baseline():
    sc = simlib.scenario()
    assert sc.changed() == {}
    assert sc.resolved() == load_scenario("baseline").resolved()


def test_scenario_on_a_scenario_base(tmp_path):
    base = simlib.scenario(**{WINDOW: 30})
    sc = simlib.scenario(base=base, **{EXTENSION: 5})
    assert set(sc.changed()) == {WINDOW, EXTENSION}
    on_file = simlib.scenario(base=str(write(tmp_path, "f.toml", f"[levers]\n{WINDOW} = 40\n")),
                              **{EXTENSION: 5})
    assert on_file.value(WINDOW, FAR_FUTURE) == 40
    assert on_file.value(EXTENSION, FAR_FUTURE) == 5


def test_scenario_does_not_alias_the_callers_dict():
    dated = {"2027-09-01": 2.0}
    sc = simlib.scenario(**{COACHING: dated})
    dated["2027-09-01"] = 3.0
    dated["2030-09-01"] = 4.0
    assert sc.value(COACHING, FAR_FUTURE) == 2.0


# --- parent levers -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline_indicators():
    return simlib.run("baseline", years=1).indicators


@pytest.mark.skipif(not CHILDREN, reason="no lever with a parent in the registry")
@pytest.mark.parametrize("child", CHILDREN, ids=[lv.id for lv in CHILDREN])
def test_child_lever_with_parent_off_is_ignored_not_refused(tmp_path, child,
                                                            baseline_indicators):
    parent = LEVERS[child.parent]
    assert parent.kind == "bool"
    if parent.default is not False:
        pytest.skip(f"parent {parent.id} is on today")
    value = other_value(child)
    sc = load_scenario(write(tmp_path, "child.toml", f"""
        [levers]
        {child.id} = {toml_value(value)}
        """))
    assert sc.value(child.id, FAR_FUTURE) == value
    assert sc.value(parent.id, FAR_FUTURE) is False
    assert simlib.scenario(**{child.id: value}).value(child.id, FAR_FUTURE) == value
    # ignored: with its parent off the child changes nothing in a run
    indicators = simlib.run(sc, years=1).indicators
    assert indicators.equals(baseline_indicators)


# --- properties ----------------------------------------------------------------------------


def _strategy(lv):
    if lv.kind == "int":
        return st.integers(lv.min, lv.max)
    if lv.kind == "float":
        return st.floats(lv.min, lv.max)
    if lv.kind == "bool":
        return st.booleans()
    return st.sampled_from(lv.choices)


@given(st.fixed_dictionaries({lv.id: _strategy(lv) for lv in NUMERIC}))
def test_any_in_range_numeric_values_are_valid(values):
    sc = simlib.scenario(**values)
    for lever_id, value in values.items():
        assert sc.value(lever_id, FAR_FUTURE) == value
        assert sc.value(lever_id, FAR_PAST) == value


@given(st.fixed_dictionaries({lv.id: _strategy(lv) for lv in simlib.levers()}))
def test_any_in_range_combination_of_all_levers_is_valid_in_a_file(tmp_path_factory, values):
    folder = tmp_path_factory.mktemp("prop")
    body = "\n".join(f"{k} = {toml_value(v)}" for k, v in values.items())
    sc = load_scenario(write(folder, "prop.toml", f"[levers]\n{body}\n"))
    for lever_id, value in values.items():
        assert sc.value(lever_id, FAR_FUTURE) == value


@given(lv=st.sampled_from(simlib.levers()), data=st.data(), month=st.integers(1, 12))
def test_dated_value_applies_from_its_date(lv, data, month):
    # a date at least a year after the start of the lever's history
    year = data.draw(st.integers(int(next(iter(lv.schedule))[:4]) + 2, 2060))
    value = data.draw(_strategy(lv))
    date = f"{year}-{month:02d}-01"
    sc = simlib.scenario(**{lv.id: {date: value}})
    assert sc.value(lv.id, date) == value
    assert sc.value(lv.id, FAR_FUTURE) == value
    before = f"{year - 1}-{month:02d}-01"
    assert sc.value(lv.id, before) == load_scenario("baseline").value(lv.id, before)


@given(lv=st.sampled_from(NUMERIC), data=st.data())
def test_out_of_range_values_are_refused(lv, data):
    span = lv.max - lv.min
    if lv.kind == "int":
        value = data.draw(st.one_of(st.integers(lv.max + 1, lv.max + 10 * span + 10),
                                    st.integers(lv.min - 10 * span - 10, lv.min - 1)))
    else:
        value = data.draw(st.one_of(
            st.floats(lv.max, lv.max + 10 * span, exclude_min=True),
            st.floats(lv.min - 10 * span, lv.min, exclude_max=True)))
    with pytest.raises(ScenarioError) as info:
        simlib.scenario(**{lv.id: value})
    [problem] = info.value.problems
    assert lv.allowed() in str(problem)
