"""The policy-note bundle of ``python -m simlib report``: one scenario against its base, in
five files an adviser can send.

:func:`build` runs both scenarios (every school year of the horizon) and gathers what a
note needs, in one language (:class:`Note`): the question (the two scenarios, their labels
and the variant's description), the generated text (the apps' comparison text,
:func:`simlib.report.summary.summary`, under the levers that changed), the comparison of the
headline indicators in the chosen school year, the split of the difference by lever
(Shapley values, :func:`simlib.report.plots.why_table`, the runs the "Waarom?" chart shares)
for :data:`WHY_INDICATORS`, the changed levers with their SERV passage and evidence grade,
and the footnote (:func:`simlib.report.export.footnote`, with commit and data hash).
:func:`write` writes, complete or not at all (:func:`simlib.files.outputs.write_folder`):

- ``report.html``: self-contained (inline CSS and SVG charts, nothing fetched), printable
  (``@media print``: A4, a page break before every section);
- ``report.pdf``: the same content laid out on A4 pages by matplotlib
  (:mod:`simlib.report.bundle_files`): no browser or system library needed;
- ``tabellen.xlsx``: one sheet per table, numbers as numbers, and a ``bron`` sheet;
- ``scenario.toml``: the variant as a scenario file over ``baseline``
  (:func:`simlib.report.export.scenario_toml`), which reproduces the run;
- ``meta.json``: both runs' :meth:`simlib.Result.meta` (model version, commit, data hash).

The date every file carries is :func:`simlib.report.export.export_date` (``SOURCE_DATE_EPOCH``
or today): with the same inputs and date, the workbook and the PDF are byte-identical.
"""

from __future__ import annotations

import datetime as _dt
import html
import io
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from simlib.inputs.glossary import label, texts
from simlib.report import numbers as N
from simlib.report import summary as _summary
from simlib.report.bundle_files import (
    RC,
    comparison_head,
    comparison_rows,
    contribution_rows,
    freeze_layout,
    lever_rows,
    text_blocks,
)

__all__ = ["FILES", "HEADLINE_INDICATORS", "WHY_INDICATORS", "TREND_INDICATORS",
           "DEFAULT_SCHOOL_YEAR", "Note", "build", "write", "html_text", "school_years",
           "figures"]

#: The files of a bundle (``--out`` holding any of them is refused without ``--force``).
FILES = ("report.html", "report.pdf", "tabellen.xlsx", "scenario.toml", "meta.json")
#: The indicators of the comparison text and table: those of the apps' comparison text.
HEADLINE_INDICATORS = _summary.HEADLINE_INDICATORS
#: The indicators drawn over the school years (level and difference).
TREND_INDICATORS = ("dual_contract_learners", "unqualified_outflow")
#: The indicators whose difference is split by lever (the "Waarom?" waterfall and table):
#: one split costs 2^n model runs for n changed levers (512 for ``pakket_serv``).
WHY_INDICATORS = ("dual_contract_learners", "unqualified_outflow")
#: The school year of the tables and the split when ``--school-year`` is not given.
DEFAULT_SCHOOL_YEAR = "2030-31"

_TEXT = texts("report")


def school_years() -> list[str]:
    """The school years a bundle can be asked for (those the model can simulate)."""
    from simlib.model.simulation import MAX_YEARS
    from simlib.model.structure import Timeline

    return list(dict.fromkeys(Timeline(MAX_YEARS).school_year()))


@dataclass(frozen=True)
class Note:
    """What a bundle shows, in one language: the two results (``base``, ``variant``), the
    school year of its tables, the generated text (``summary``: the apps' comparison text,
    its title first; ``changed``: the changed levers in words, as the apps list them above
    it), the tables (DataFrames with numbers in
    the indicators' own units: shares as fractions, money in EUR) and the footnote."""

    base: object
    variant: object
    school_year: str
    lang: str
    date: _dt.date
    summary: list[str]
    changed: list[str]
    changes: list
    comparison: pd.DataFrame
    contributions: dict[str, pd.DataFrame]
    series: dict[str, pd.DataFrame]
    footnote: str
    provenance: str
    meta: dict = field(default_factory=dict)

    def words(self) -> dict[str, str]:
        """The bundle's words (glossary ``[text_report]``) in the note's language."""
        return _TEXT[self.lang]

    def title(self) -> str:
        return self.words()["title"].format(a=self.base.scenario.label(self.lang),
                                            b=self.variant.scenario.label(self.lang))

    def question(self) -> str:
        years = list(dict.fromkeys(self.base.indicators.school_year))
        sa, sb = self.base.scenario, self.variant.scenario
        return self.words()["question_text"].format(
            a=sa.label(self.lang), a_id=sa.name, b=sb.label(self.lang), b_id=sb.name,
            sy=self.school_year, first=years[0], last=years[-1])

    def description(self) -> str:
        return self.variant.scenario.description(self.lang)


def _progress_line(done: int, total: int) -> None:
    """``runs i/N`` on standard error, one line rewritten, ended when all are done."""
    print(f"\rruns {done}/{total}", end="" if done < total else "\n", file=sys.stderr,
          flush=True)


def build(scenario, base="baseline", school_year: str = DEFAULT_SCHOOL_YEAR,
          lang: str = "nl", *, date: _dt.date | str | None = None,
          progress: Callable[[int, int], None] | bool | None = None) -> Note:
    """The note of ``scenario`` against ``base`` (names, files or Scenarios) for
    ``school_year`` in ``lang``: loads both (a bad one raises
    :class:`simlib.inputs.scenario.ScenarioError` before anything runs), runs them over the
    horizon and splits the differences of :data:`WHY_INDICATORS` by lever.
    ``progress(runs done, runs)`` follows the split's runs (``True``: a line on standard
    error). A school year the model does not simulate raises a ``ScenarioError`` (the
    command line's exit code 2) naming ``--school-year``, the school years and the nearest."""
    from simlib.files.version import model_label
    from simlib.inputs.scenario import (
        Problem,
        Scenario,
        ScenarioError,
        load_scenario,
        nearest,
    )
    from simlib.model.simulation import run
    from simlib.model.structure import HORIZON_YEARS
    from simlib.report.describe import lever_changes, lever_differences
    from simlib.report.export import export_date, footnote
    from simlib.report.plots.why import _explanation
    from simlib.report.summary import summary

    lang = N._check_lang(lang)
    if school_year not in school_years():
        raise ScenarioError([Problem(school_year, "--school-year", "not a simulated school "
                                     "year", "one of " + ", ".join(school_years()),
                                     nearest(school_year, school_years(), cutoff=0.5))])
    variant = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    reference = base if isinstance(base, Scenario) else load_scenario(base)
    from simlib.analysis.explain import years_for

    years = max(HORIZON_YEARS, years_for(school_year))
    rb, rv = run(reference, years), run(variant, years)
    if progress is True:
        progress = _progress_line
    t = _TEXT[lang]
    contributions = {}
    for ind in WHY_INDICATORS:
        ex = _explanation([rb, rv], ind, "all", school_year, progress or None)
        contributions[ind] = _contribution_table(ex, lang)
    meta_b, meta_v = rb.meta(), rv.meta()
    provenance = t["provenance"].format(
        version=model_label(), commit=(meta_v["simlib_commit"] or "?")[:12],
        data=meta_v["data_sha256"][:16],
        calibration=(meta_v.get("calibration") or {}).get("sha256", "?")[:16])
    day = export_date(date)
    return Note(base=rb, variant=rv, school_year=school_year, lang=lang, date=day,
                summary=summary(rb, rv, HEADLINE_INDICATORS, school_year, lang).split("\n"),
                changed=lever_differences(reference, variant, lang),
                changes=lever_changes(reference, variant, lang),
                comparison=_comparison(rb, rv, school_year, lang),
                contributions=contributions,
                series={ind: _series(rb, rv, ind, lang) for ind in TREND_INDICATORS},
                footnote=footnote([rb, rv], lang, day), provenance=provenance,
                meta={"a": meta_b, "b": meta_v, "school_year": school_year, "lang": lang,
                      "date": day.isoformat(), "difference": "b - a",
                      "indicators": list(HEADLINE_INDICATORS),
                      "why_indicators": list(WHY_INDICATORS)})


def _comparison(rb, rv, school_year: str, lang: str) -> pd.DataFrame:
    """The headline indicators of both results in ``school_year`` (group all): indicator,
    label, unit, a, b, difference, relative_difference (a fraction; NaN where undefined)."""
    from simlib.analysis.compare import compare
    from simlib.model.outcomes import INDICATOR_BY_ID

    table = compare(rb, rv)
    rows = table[(table.school_year == school_year) & (table.group == "all")
                 & table.indicator.isin(HEADLINE_INDICATORS)].copy()
    rows["order"] = rows.indicator.map(HEADLINE_INDICATORS.index)
    rows = rows.sort_values("order")
    return pd.DataFrame({
        "indicator": rows.indicator.to_numpy(),
        "label": [label("indicators", i, lang) for i in rows.indicator],
        "unit": [INDICATOR_BY_ID[i].unit for i in rows.indicator],
        "a": rows.a.to_numpy(float), "b": rows.b.to_numpy(float),
        "difference": rows.difference.to_numpy(float),
        "relative_difference": [r if not N.is_share(INDICATOR_BY_ID[i].unit) else float("nan")
                                for i, r in zip(rows.indicator, rows.relative_difference,
                                                strict=True)]})


def _contribution_table(ex, lang: str) -> pd.DataFrame | None:
    """One row per changed lever (lever, label, contribution, std_error, unit), largest
    first; None when no lever differs. ``attrs`` keep the method, base value and value."""
    if ex is None:
        return None
    from simlib.inputs.levers import lever

    table = pd.DataFrame({"lever": ex.table.lever.to_numpy(),
                          "label": [lever(k).label(lang) for k in ex.table.lever],
                          "contribution": ex.table.contribution.to_numpy(float),
                          "std_error": ex.table.std_error.to_numpy(float),
                          "unit": ex.unit})
    table.attrs.update(method=ex.method, runs=ex.runs, permutations=ex.permutations,
                       base_value=ex.base_value, value=ex.value, indicator=ex.indicator)
    return table


def _series(rb, rv, indicator: str, lang: str) -> pd.DataFrame:
    """``indicator`` (group all) per school year in both results and their difference."""
    def values(res):
        rows = res.indicators
        rows = rows[(rows.indicator == indicator) & (rows.group == "all")]
        return rows.set_index("school_year").value.astype(float)

    a, b = values(rb), values(rv)
    return pd.DataFrame({"school_year": a.index.to_numpy(), "a": a.to_numpy(),
                         "b": b.reindex(a.index).to_numpy(),
                         "difference": (b.reindex(a.index) - a).to_numpy()})


# --- charts ------------------------------------------------------------------------------

def figures(note: Note, size: tuple[float, float] = (8.0, 4.6)) -> list[tuple[str, Figure]]:
    """The note's charts as (title, figure): for each of :data:`TREND_INDICATORS` its trend
    and its difference per school year, then for each of :data:`WHY_INDICATORS` the
    "Waarom?" waterfall in the note's school year. No pyplot: nothing accumulates."""
    from simlib.report import plots

    out = []
    results = [note.base, note.variant]
    for ind in TREND_INDICATORS:
        for kind in ("trend", "difference"):
            fig = Figure(figsize=size, layout="constrained")
            getattr(plots, kind)(results, fig.add_subplot(), note.lang, indicator=ind)
            out.append((f"{kind}_{ind}", freeze_layout(fig)))
    for ind in WHY_INDICATORS:
        fig = Figure(figsize=(size[0], size[1] * 1.2), layout="constrained")
        plots.why(results, fig.add_subplot(), note.lang, indicator=ind,
                  school_year=note.school_year)
        out.append((f"why_{ind}", freeze_layout(fig)))
    return out


def svg_text(fig: Figure, prefix: str = "c") -> str:
    """``fig`` as an ``<svg>`` element to put inside HTML: no XML prologue, no DOCTYPE and no
    namespace declarations (an HTML parser gives inline SVG its namespace), no metadata, and
    every id (and reference to one) prefixed with ``prefix``, so that several charts in one
    page keep distinct ids."""
    buf = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format="svg", facecolor="white", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text, count=0)
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    return re.sub(r'(\bid="|url\(#|href="#)', rf"\g<1>{prefix}-", text)


# --- the HTML page -----------------------------------------------------------------------

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60em; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; vertical-align: top; }
th { background: #eee; text-align: left; } td.num { text-align: right; white-space: nowrap; }
figure { margin: 1em 0; } figure svg { width: 100%; max-width: 44em; height: auto; }
.footnote { font-size: 0.8em; color: #444; white-space: pre-line; }
.passage { font-style: italic; }
@media print {
  @page { size: A4; margin: 18mm 15mm; }
  body { max-width: none; margin: 0; font-size: 10pt; }
  section { page-break-before: always; break-before: page; }
  section.first { page-break-before: auto; break-before: auto; }
  figure, table, tr { page-break-inside: avoid; break-inside: avoid; }
}
"""


def _e(text) -> str:
    return html.escape(str(text))


def _table_html(head: list[str], rows: list[list[str]], numeric_from: int) -> str:
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(
        f"<td class='num'>{_e(c)}</td>" if i >= numeric_from else f"<td>{_e(c)}</td>"
        for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def html_text(note: Note, charts: list[tuple[str, Figure]] | None = None) -> str:
    """The note as one self-contained HTML page (inline CSS and SVG; no link to fetch)."""
    w, lang = note.words(), note.lang
    charts = figures(note) if charts is None else charts
    parts = [f"<!DOCTYPE html>\n<html lang='{lang}'><head><meta charset='utf-8'>"
             f"<title>{_e(note.title())}</title><style>{_CSS}</style></head><body>",
             f"<section class='first'><h1>{_e(note.title())}</h1>",
             f"<h2>{_e(w['question'])}</h2><p>{_e(note.question())}</p>"]
    if note.description():
        parts.append(f"<p>{_e(note.description())}</p>")
    parts.append(f"<h2>{_e(w['text'])}</h2>")
    for head, *lines in text_blocks(note):
        items = "".join(f"<li>{_e(x)}</li>" for x in lines)
        parts.append(f"<p><b>{_e(head)}</b></p><ul>{items}</ul>")
    parts.append("</section>")
    parts.append(f"<section><h2>{_e(w['charts'])}</h2>")
    parts += [f"<figure id='{_e(name)}'>{svg_text(fig, name)}</figure>" for name, fig in charts]
    parts.append("</section>")
    parts.append(f"<section><h2>{_e(w['tables'])}</h2>"
                 f"<h3>{_e(w['comparison'].format(sy=note.school_year))}</h3>"
                 + _table_html(comparison_head(note), comparison_rows(note), 2))
    for ind in WHY_INDICATORS:
        title = w["contributions"].format(ind=label("indicators", ind, lang), sy=note.school_year)
        parts.append(f"<h3>{_e(title)}</h3>")
        if note.contributions[ind] is None:
            parts.append(f"<p>{_e(w['no_contributions'])}</p>")
        else:
            parts.append(_table_html(*contribution_rows(note, ind), 1))
    parts.append("</section>")
    parts.append(f"<section><h2>{_e(w['levers'])}</h2>")
    rows = lever_rows(note)
    if not rows:
        parts.append(f"<p>{_e(w['no_levers'])}</p>")
    for r in rows:
        parts.append(f"<h3>{_e(r['label'])}</h3><p>{_e(r['change'])}</p><p><b>"
                     f"{_e(w['passage'])}:</b> <span class='passage'>{_e(r['passage'])}</span>"
                     f"</p><p><b>{_e(w['evidence'])}:</b> {_e(r['grade'])}"
                     + (f" — {_e(r['evidence_note'])}" if r["evidence_note"] else "")
                     + f"<br><b>{_e(w['status'])}:</b> {_e(r['status'])}; "
                     f"<b>{_e(w['requested_by'])}:</b> {_e(r['requested_by'])}</p>")
    parts.append("</section>")
    parts.append(f"<section class='first'><h2>{_e(w['footnote'])}</h2>"
                 f"<p class='footnote'>{_e(note.footnote)}\n{_e(note.provenance)}</p>"
                 "</section></body></html>\n")
    return "".join(parts)


# --- writing -----------------------------------------------------------------------------

def write(folder: str | Path, note: Note, overwrite: bool = False) -> list[Path]:
    """Write the bundle's five files (:data:`FILES`) into ``folder``, complete or not at all
    (:func:`simlib.files.outputs.write_folder`); returns the paths, ``meta.json`` last."""
    from simlib.files.outputs import write_folder
    from simlib.report import bundle_files as F
    from simlib.report.export import scenario_toml

    charts = figures(note)

    def text_file(text: str):
        def write_text(path: Path) -> int:
            path.write_text(text, encoding="utf-8", newline="\n")
            return text.count("\n")
        return write_text

    files = {"report.html": text_file(html_text(note, charts)),
             "report.pdf": lambda path: F.write_pdf(note, path),
             "tabellen.xlsx": lambda path: F.write_xlsx(note, path),
             "scenario.toml": text_file(scenario_toml(note.variant))}
    return write_folder(folder, files, note.meta, overwrite=overwrite)
