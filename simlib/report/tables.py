"""Tables to show: the calibration targets against runs, numbers by the number rule."""

from __future__ import annotations

__all__ = ["calibration_table"]


def calibration_table(*results, lang: str = "nl"):
    """The calibration targets of ``data/`` against the model value of each result (the
    first usually the baseline): one row per available target (its indicator, group and
    school year, target value and relative tolerance in %), and per result the model value,
    the relative error in % and whether it is within tolerance (columns grouped by the
    result's scenario label). Cheap (no fit): :func:`simlib.analysis.calibration.fit` (``python -m
    simlib calibrate``) refits the free parameters when a change moves a target out of its
    tolerance. Each result must cover the targets' school years."""
    import pandas as pd

    from simlib.analysis import calibration
    from simlib.inputs.glossary import label
    from simlib.model.outcomes import INDICATOR_BY_ID
    from simlib.report import numbers as N

    if not results:
        raise ValueError("calibration_table needs at least one result")
    targets = [t for t in calibration.targets(results[0]) if t.available]
    w = [label("checks", f"cal_{k}", lang) for k in ("target", "what", "value", "tolerance",
                                                       "model", "error", "within", "yes", "no")]
    rows = {}
    for t in targets:
        what = f"{label('indicators', t.indicator, lang)} — {label('groups', t.group, lang)}"
        if t.denominator_group:
            what += f" / {label('groups', t.denominator_group, lang)}"
        unit = "share" if t.denominator_group else INDICATOR_BY_ID[t.indicator].unit
        row = {(w[0], w[1]): f"{what}, {t.school_year}",
               (w[0], w[2]): N.value_text(t.value, unit, lang, with_unit=False),
               (w[0], w[3]): N.value_text(t.tolerance, "share", lang, decimals=0)}
        for res in results:
            value = calibration.model_values(res, [t])[t.name]
            err = (value - t.value) / t.value
            name = res.scenario.label(lang)
            row[(name, w[4])] = N.value_text(value, unit, lang, with_unit=False)
            row[(name, w[5])] = N.relative_text(t.value, value, lang)
            row[(name, w[6])] = w[7] if abs(err) <= t.tolerance else w[8]
        rows[t.name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.columns = pd.MultiIndex.from_tuples(table.columns)
    table.index.name = "target"
    return table
