"""Every entry of data/ is uncertain with a justified range, or fixed with its reason.

Calibration targets are observations and take neither. An uncertain entry has a
``distribution`` over a ``range`` that contains its value and a sentence starting
``Range`` in its ``estimate`` or ``source`` (why this low and high). A table moves as one
piece in uncertainty runs (one draw per table, no mode), so its distribution is
``uniform``, and its range is not the placeholder [0, 1]. The loader refuses a ``fixed``
without a reason, next to a ``distribution``, on a calibrated parameter or on a target.
"""

import tomllib

import pytest

from simlib.inputs import parameters as P


def _entries():
    return [p for p in P.parameters().values() if not p.target]


def test_every_entry_but_the_targets_is_uncertain_or_fixed_never_both():
    params = P.parameters()
    bare = sorted(n for n, p in params.items()
                  if not p.target and not p.distribution and not p.fixed)
    assert not bare, f"entries of data/ with neither a distribution nor fixed: {bare}"
    both = sorted(n for n, p in params.items() if p.distribution and p.fixed)
    assert not both
    targets = [p for p in params.values() if p.target]
    assert len(targets) >= 8
    assert all(not p.distribution and not p.fixed for p in targets)


def test_calibrated_parameters_keep_a_prior():
    calibrated = [p for p in P.parameters().values() if p.calibrated]
    assert calibrated
    for p in calibrated:
        assert p.distribution and p.range is not None and not p.fixed, p.name


def test_every_uncertain_range_is_justified_contains_the_value_and_is_no_placeholder():
    for p in _entries():
        if not p.distribution:
            continue
        lo, hi = p.range
        assert lo < hi, f"{p.name}: an uncertain entry needs a range of some width"
        file_value = p.file_value if p.file_value is not None else p.value
        for value in (p.value, file_value):  # the calibrated value and the file's
            xs = list(value.values()) if p.axis else [value]
            assert all(lo <= x <= hi for x in xs), p.name
        text = f"{p.source or ''} {p.estimate or ''}"
        assert "Range " in text, f"{p.name}: say why the range is [{lo:g}, {hi:g}] ('Range ...')"
        if p.axis:
            assert p.distribution == "uniform", \
                f"{p.name}: a table moves by one uniform draw (no mode): declare uniform"
            assert (lo, hi) != (0.0, 1.0), f"{p.name}: the placeholder range [0, 1]"


def test_fixed_reasons_are_sentences():
    fixed = [p for p in _entries() if p.fixed]
    assert fixed
    for p in fixed:
        assert len(p.fixed.split()) >= 5, p.name


def test_the_calibration_stays_inside_the_ranges():
    for p in P.parameters().values():
        if p.calibration is None:
            continue
        xs = list(p.value.values()) if p.axis else [p.value]
        assert all(p.range[0] <= x <= p.range[1] for x in xs), p.name


_BASE = 'value = 0.5\nunit = "share"\nrange = [0.0, 1.0]\nconfidence = "low"\nestimate = "e"\n'
_WHY = 'fixed = "A legal amount set in the decree of 2024."\n'


@pytest.mark.parametrize("extra, problem", [
    (_WHY + 'distribution = "uniform"\n', "both fixed and distribution"),
    ('fixed = "a count"\n', "at least five words"),
    ('fixed = ""\n', "at least five words"),
    ("fixed = 3\n", "fixed must say why"),
    (_WHY + 'distribution = "uniform"\ncalibrated = true\n', "both fixed and distribution"),
    (_WHY + "calibrated = true\n", "calibrated parameter cannot be fixed"),
    (_WHY + 'target = true\nindicator = "x"\nschool_year = "2025-26"\ntolerance = 0.1\n'
     'tolerance_note = "a note of five words or more"\n', "calibration target is an observation"),
    ('distribution = "uniform"\ntarget = true\nindicator = "x"\nschool_year = "2025-26"\n'
     'tolerance = 0.1\ntolerance_note = "a note of five words or more"\n',
     "calibration target is an observation"),
])
def test_loader_refuses_bad_fixed_entries(extra, problem):
    raw = tomllib.loads("[x]\n" + _BASE + extra)
    with pytest.raises(P.DataError, match=problem):
        P._build("test.toml", "x", raw["x"])


def test_loader_keeps_the_fixed_reason():
    raw = tomllib.loads("[x]\n" + _BASE + _WHY)
    p = P._build("test.toml", "x", raw["x"])
    assert p.fixed == "A legal amount set in the decree of 2024." and p.distribution is None
