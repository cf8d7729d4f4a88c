"""Export what a notebook shows: the chart as PNG, SVG and PDF, its numbers as CSV, the scenarios as TOML.

One call, :func:`export` (or :func:`export_many` for several charts), writes for each chart

- ``STEM.png`` (300 dpi), ``STEM.svg`` (text kept as text) and ``STEM.pdf`` (TrueType fonts,
  ``pdf.fonttype = 42``, so text stays editable for an adviser);
- ``STEM.csv``: the numbers the chart shows, UTF-8 with ``,`` as separator and ``.`` as
  decimal mark; with ``belgian_excel=True`` ``;`` and ``,`` (what Excel with Belgian
  settings expects) and a UTF-8 byte-order mark, so Excel reads accents correctly;

and, once, ``STEM.NAME.toml`` for every scenario shown: a scenario file over ``baseline``
that :func:`simlib.load_scenario` validates and that reproduces the same result.

Every chart carries a footnote (:func:`footnote`): the scenario names, the model version
(``simlib.__version__``), the date, the changed levers with the grade of the evidence behind
them, and where the assumptions and sources are (``data/``, see ``data/SOURCES.md``).

**The date.** The footnote and the file metadata (SVG ``Date``, PDF ``CreationDate``) carry
the export date, chosen as: the ``date`` argument if given (a ``datetime.date`` or
``"YYYY-MM-DD"``), else the UTC date of the ``SOURCE_DATE_EPOCH`` environment variable (the
reproducible-builds convention) if set, else today. With the same inputs and the same date,
two exports are byte-identical: the SVG hash salt is fixed and no clock time is written.

**Overwriting.** Nothing is overwritten unless ``overwrite=True``: if any target file
exists, :class:`ExportExistsError` names it and nothing at all is written (the same for
:func:`write_csv` and :func:`write_scenario`). Nothing is dropped either: two different
scenarios under one name, or names that clean to the same file name, are refused
(``ValueError``) before anything is written, whatever ``overwrite`` says.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import matplotlib
import pandas as pd

from simlib.inputs.glossary import texts

__all__ = ["ExportExistsError", "export", "export_many", "export_date", "footnote",
           "scenario_toml", "write_scenario", "write_csv", "FIGURE_FORMATS", "DPI"]

FIGURE_FORMATS = ("png", "svg", "pdf")
DPI = 300
#: rcParams for every exported figure: editable text in PDF and SVG, a fixed SVG id salt.
RC = {"pdf.fonttype": 42, "svg.fonttype": "none", "svg.hashsalt": "simlib-export"}
MAX_LISTED_LEVERS = 8

_TEXT = texts("export")


class ExportExistsError(FileExistsError):
    """An export would overwrite files; ``paths`` lists them. Nothing was written."""

    def __init__(self, paths: list[Path]):
        self.paths = list(paths)
        names = ", ".join(str(p) for p in self.paths)
        super().__init__(f"export would overwrite {names}; nothing was written. Choose another "
                         "name or folder, or pass overwrite=True")


def export_date(date: _dt.date | str | None = None) -> _dt.date:
    """The date an export carries: ``date``, else ``SOURCE_DATE_EPOCH`` (UTC), else today."""
    if isinstance(date, _dt.datetime):
        return date.date()
    if isinstance(date, _dt.date):
        return date
    if isinstance(date, str):
        return _dt.date.fromisoformat(date)
    if date is not None:
        raise TypeError(f"date must be a datetime.date or 'YYYY-MM-DD', not {date!r}")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return _dt.datetime.fromtimestamp(int(epoch), _dt.UTC).date()
    return _dt.date.today()


def _scenarios(items: Iterable) -> list:
    """Scenarios of ``items`` (Scenarios or Results), first occurrence of each name kept."""
    out, seen = [], set()
    for item in items:
        sc = getattr(item, "scenario", item)
        if sc.name not in seen:
            seen.add(sc.name)
            out.append(sc)
    return out


def footnote(scenarios: Iterable, lang: str = "nl", date: _dt.date | str | None = None) -> str:
    """The footnote every chart carries (one paragraph per line; :func:`plots.set_footnote`
    wraps it): scenarios, model version and commit (``simlib 0.2.0 (1a2b3c4)``) and date,
    changed levers with their evidence grade, assumptions and sources. ``scenarios`` holds
    Scenarios or Results."""
    from simlib.files.version import model_label
    from simlib.inputs.levers import lever

    text = _TEXT[lang]
    scs = _scenarios(scenarios)
    names = "; ".join(f"{sc.label(lang)} ({sc.name})" for sc in scs)
    head = (f"{text['scenarios' if len(scs) > 1 else 'scenario']}: {names}. "
            f"{text['model']}: {model_label()}, {text['date']} {export_date(date)}.")
    changed: dict[str, None] = {}
    for sc in scs:
        changed.update(dict.fromkeys(sc.changed()))
    if changed:
        parts = [f"{lever(k).label(lang)} ({lever(k).evidence_grade})"
                 for k in list(changed)[:MAX_LISTED_LEVERS]]
        if len(changed) > MAX_LISTED_LEVERS:
            parts.append(text["more"].format(n=len(changed) - MAX_LISTED_LEVERS))
        levers_text = "; ".join(parts)
    else:
        levers_text = text["none"]
    return f"{head}\n{text['changed']}: {levers_text}.\n{text['sources']}."


def _file_name(name: str) -> str:
    """A scenario name valid for a scenario file (letters, digits, ``_ . -``)."""
    clean = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_.-")
    return clean or "scenario"


def scenario_toml(scenario) -> str:
    """``scenario`` (a Scenario or Result) as scenario-file text over ``baseline``."""
    import tomli_w

    sc = getattr(scenario, "scenario", scenario)
    data = sc.toml_dict()
    data["name"] = _file_name(data["name"])
    return tomli_w.dumps(data)


def write_scenario(scenario, path: str | Path, overwrite: bool = False) -> Path:
    """Write ``scenario`` as a scenario file at ``path`` (refused if it exists, unless
    ``overwrite``); the file validates with :func:`simlib.load_scenario`. Returns the path."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise ExportExistsError([path])
    if path.name == "baseline.toml":
        raise ValueError(f"{path}: a scenario file beside others may not be called "
                         "baseline.toml (it would become their base); choose another name")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(scenario_toml(scenario), encoding="utf-8", newline="\n")
    return path


def write_csv(table: pd.DataFrame, path: str | Path, belgian_excel: bool = False,
              overwrite: bool = False) -> Path:
    """Write ``table`` as CSV (no index): UTF-8, ``,`` and ``.``; or for Belgian Excel
    ``;`` and a decimal comma, UTF-8 with a byte-order mark. Refused
    (:class:`ExportExistsError`) if ``path`` exists, unless ``overwrite``."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise ExportExistsError([path])
    if belgian_excel:
        table.to_csv(path, index=False, sep=";", decimal=",", encoding="utf-8-sig",
                     lineterminator="\n")
    else:
        table.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def _save_figure(fig, path: Path, fmt: str, date: _dt.date, dpi: float) -> None:
    midnight = _dt.datetime(date.year, date.month, date.day, tzinfo=_dt.UTC)
    metadata = {"png": {"Software": f"matplotlib {matplotlib.__version__}, simlib"},
                "svg": {"Date": date.isoformat()},
                "pdf": {"CreationDate": midnight, "ModDate": midnight}}[fmt]
    with matplotlib.rc_context(RC):
        fig.savefig(path, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")


def export_many(folder: str | Path, charts: Mapping[str, tuple], scenarios: Iterable = (), *,
                lang: str = "nl", date: _dt.date | str | None = None, overwrite: bool = False,
                belgian_excel: bool = False, dpi: float = DPI, note: str | None = None
                ) -> list[Path]:
    """Export several charts: ``charts`` maps a file stem to ``(figure, table)`` or ``(figure,
    table, chart_note)`` (table and chart_note may be None). Each figure gets the footnote of
    ``scenarios`` (Scenarios or Results) in ``lang``, followed by ``note`` if given and then
    its own ``chart_note`` (e.g. what the uncertainty bands of that chart include);
    every scenario is written once as ``FIRSTSTEM.NAME.toml``. Returns the paths written, in
    order. Raises :class:`ExportExistsError` before writing anything if a file exists and
    ``overwrite`` is false.
    """
    from simlib.report.plots import set_footnote

    if not charts:
        raise ValueError("nothing to export: no charts given")
    folder = Path(folder)
    day = export_date(date)
    scenarios = list(scenarios)
    scs = _scenarios(scenarios)
    stems = list(charts)
    for stem in stems:
        if not stem or Path(stem).name != stem:
            raise ValueError(f"file stem {stem!r} must be a plain file name (no folder)")
    plan: list[tuple[Path, str, object]] = []  # a figure goes with its own note
    for stem, (fig, table, *chart_note) in charts.items():
        plan += [(folder / f"{stem}.{fmt}", fmt, (fig, *chart_note[:1]))
                 for fmt in FIGURE_FORMATS]
        if table is not None:
            plan.append((folder / f"{stem}.csv", "csv", table))
    _distinct(scenarios)
    plan += [(folder / f"{stems[0]}.{_file_name(sc.name)}.toml", "toml", sc) for sc in scs]
    _one_source_per_file(plan)
    existing = [p for p, _, _ in plan if p.exists()]
    if existing and not overwrite:
        raise ExportExistsError(existing)
    folder.mkdir(parents=True, exist_ok=True)
    extra = note
    note = footnote(scs, lang, day) if scs else None
    if extra:
        note = f"{note}\n{extra}" if note else extra
    for path, kind, obj in plan:
        if kind in FIGURE_FORMATS:
            fig, *own = obj
            text = "\n".join(n for n in (note, *own) if n)
            if text:
                set_footnote(fig, text)
            _save_figure(fig, path, kind, day, dpi)
        elif kind == "csv":
            write_csv(obj, path, belgian_excel, overwrite=overwrite)
        else:
            write_scenario(obj, path, overwrite=True)
    return [p for p, _, _ in plan]


def _distinct(items: Iterable) -> None:
    """Refuse two different scenarios under one name (one would be dropped: the export keeps
    one file per name); the same scenario given twice is fine."""
    seen: dict[str, str] = {}
    for item in items:
        sc = getattr(item, "scenario", item)
        text = scenario_toml(sc) + f"{sc.label_nl}\n{sc.label_en}\n"
        if seen.setdefault(sc.name, text) != text:
            raise ValueError(f"two different scenarios are both named {sc.name!r}; one would be "
                             "dropped from the export; give them distinct names")


def _one_source_per_file(plan: list[tuple[Path, str, object]]) -> None:
    """Refuse two things written to one file name (one would overwrite the other), also
    where only letter case tells them apart (one file on Windows and macOS)."""
    first: dict[str, tuple[Path, object]] = {}
    for path, _, obj in plan:
        key = str(path).casefold()
        if key in first:
            a = getattr(first[key][1], "name", first[key][0].name)
            b = getattr(obj, "name", path.name)
            raise ValueError(f"{a!r} and {b!r} would be written to the same file "
                             f"({first[key][0].name} and {path.name}); give them names that "
                             "differ in letters, digits, '_', '-' or '.'")
        first[key] = (path, obj)


def export(folder: str | Path, figure, table: pd.DataFrame | None = None,
           scenarios: Iterable = (), *, stem: str = "grafiek", lang: str = "nl",
           date: _dt.date | str | None = None, overwrite: bool = False,
           belgian_excel: bool = False, dpi: float = DPI) -> list[Path]:
    """Export one chart: ``STEM.png/.svg/.pdf``, ``STEM.csv`` (if ``table``) and one
    ``STEM.NAME.toml`` per scenario, into ``folder``. See :func:`export_many`."""
    return export_many(folder, {stem: (figure, table)}, scenarios, lang=lang, date=date,
                       overwrite=overwrite, belgian_excel=belgian_excel, dpi=dpi)
