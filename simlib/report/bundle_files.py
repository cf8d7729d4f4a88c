"""The PDF and the workbook of a policy-note bundle (:mod:`simlib.report.bundle`).

**report.pdf** — the note's print layout on A4 pages, drawn by matplotlib's PDF backend
(``PdfPages``): text pages (title, question, generated text), two charts a page (drawn again
on the page's own axes, so they keep their sizes), the tables, the levers with their
passages and evidence, and the footnote; a running footer with the page number. Nothing but
matplotlib is needed: no browser, no system library. Text is laid out by an estimate of
DejaVu Sans's mean letter width (0.55 em), a simplification: a line may end a little short
of the margin. With the same note and date the file is byte-identical (fixed creation date,
TrueType fonts, ``pdf.fonttype = 42``).

**tabellen.xlsx** — one sheet per table (the comparison, each split by lever, each series,
the levers) with labels in the note's language and units in the column headers, numbers as
numbers in the unit the charts show (shares in %, differences of shares in percentage
points, money per school year in millions of euros), and a ``bron`` ("source") sheet with
the provenance. XlsxWriter with the creation date set to the note's date writes the same
bytes for the same note (its zip entries carry a fixed 1980 timestamp).
"""

from __future__ import annotations

import datetime as _dt
import textwrap
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from simlib.inputs.glossary import label, texts
from simlib.report import numbers as N

__all__ = ["write_pdf", "write_xlsx", "pdf_pages", "freeze_layout", "text_blocks", "comparison_head",
           "comparison_rows", "contribution_rows", "lever_rows", "RC"]

#: rcParams of every chart: text kept as text in SVG, a fixed SVG id salt, TrueType in PDF.
RC = {"svg.fonttype": "none", "svg.hashsalt": "simlib-report", "pdf.fonttype": 42}

A4 = (8.27, 11.69)  # inches
MARGIN = 0.75       # inches, every side
LETTER_EM = 0.55    # the mean letter width of DejaVu Sans, in em (an estimate)


# --- the note's tables as text (the HTML page and the PDF share them) -------------------

def text_blocks(note) -> list[list[str]]:
    """The generated text as blocks (a title, then its items): the changed levers (as the
    apps list them, ``[text_ui]`` words), then the comparison text; a parts line ("waarvan
    ...") joins the line above it, as in the apps."""
    ui = texts("ui")[note.lang]
    blocks = [[ui["levers_changed"], *note.changed] if note.changed else [ui["no_levers"]]]
    head, *lines = note.summary
    items: list[str] = []
    for line in lines:
        if line.startswith("  ") and items:
            items[-1] += "; " + line.strip()
        elif line.strip():
            items.append(line.removeprefix("- "))
    return [*blocks, [head, *items]]


def comparison_rows(note) -> list[list[str]]:
    """The comparison table as text by the number rule: label, unit, base, variant,
    difference, relative difference (empty for shares and where undefined)."""
    rows = []
    for r in note.comparison.itertuples():
        rel = "" if pd.isna(r.relative_difference) else N.relative_text(r.a, r.b, note.lang)
        diff = "" if pd.isna(r.difference) else N.difference_text(r.a, r.b, r.unit, note.lang,
                                                                  with_unit=False)
        rows.append([r.label, N.unit_words(r.unit, note.lang),
                     N.value_text(r.a, r.unit, note.lang, with_unit=False),
                     N.value_text(r.b, r.unit, note.lang, with_unit=False), diff, rel])
    return rows


def comparison_head(note) -> list[str]:
    w = note.words()
    return [w["indicator"], w["unit"], note.base.scenario.label(note.lang),
            note.variant.scenario.label(note.lang), w["difference"], w["relative"]]


def contribution_rows(note, indicator: str) -> tuple[list[str], list[list[str]]]:
    """A split's table as text: head, then one row per lever and the total."""
    w, table = note.words(), note.contributions[indicator]
    sampled = table.attrs["method"] == "sampled"
    unit = table.unit.iloc[0] if len(table) else ""
    head = [w["lever"], f"{w['contribution']} ({N.axis_unit(unit, note.lang, True)})"] \
        + ([w["std_error"]] if sampled else [])
    # the parts written so that they add up to the total as written (as the waterfall does)
    total, parts = N.parts_text(table.attrs["value"] - table.attrs["base_value"],
                                list(table.contribution), unit, note.lang)
    rows = [[r.label, part]
            + ([N.value_text(r.std_error, unit, note.lang, with_unit=False)] if sampled else [])
            for r, part in zip(table.itertuples(), parts, strict=True)]
    rows.append([w["total"], total] + ([""] if sampled else []))
    return head, rows


def lever_rows(note) -> list[dict[str, str]]:
    """One entry per changed lever: its label, the change in words, its SERV passage, its
    evidence grade (with the note on the evidence) and status."""
    out = []
    for c in note.changes:
        lv = c.lever
        grade = label("evidence", lv.evidence_grade, note.lang)  # "D: aanname"
        out.append({"id": lv.id, "label": lv.label(note.lang), "change": c.change or c.after,
                    "passage": lv.passage, "grade": grade,
                    "evidence_note": lv.evidence_note,
                    "status": label("status", lv.status, note.lang),
                    "requested_by": lv.requested_by})
    return out


# --- the PDF -----------------------------------------------------------------------------

class _Pages:
    """Text laid out from the top of an A4 page down, a new page when one is full."""

    def __init__(self, footer: str):
        self.footer = footer
        self.pages: list[Figure] = []
        self.y = 0.0

    def new(self) -> Figure:
        fig = Figure(figsize=A4)
        self.pages.append(fig)
        n = len(self.pages)
        fig.text(MARGIN / A4[0], 0.4 / A4[1], self.footer.format(n=n), fontsize=7,
                 color="#555555", ha="left", va="bottom")
        self.y = A4[1] - MARGIN
        return fig

    @property
    def fig(self) -> Figure:
        return self.pages[-1] if self.pages else self.new()

    def room(self, inches: float) -> None:
        if not self.pages or self.y - inches < MARGIN + 0.2:
            self.new()

    def line(self, text: str, size: float = 9.5, x: float = 0.0, weight: str = "normal",
             ha: str = "left", advance: bool = True, style: str = "normal") -> None:
        height = size * 1.4 / 72
        self.room(height)
        fig = self.fig
        fig.text((MARGIN + x) / A4[0], (self.y - size / 72) / A4[1], text, fontsize=size,
                 fontweight=weight, ha=ha, va="baseline", fontstyle=style)
        if advance:
            self.y -= height

    def paragraph(self, text: str, size: float = 9.5, indent: float = 0.0,
                  weight: str = "normal", style: str = "normal", after: float = 0.06) -> None:
        width = A4[0] - 2 * MARGIN - indent
        chars = max(20, int(width * 72 / (size * LETTER_EM)))
        for line in textwrap.wrap(text, chars) or [""]:
            self.line(line, size, indent, weight, style=style)
        self.y -= after

    def heading(self, text: str, size: float = 13, new_page: bool = False) -> None:
        if new_page:
            self.new()
        self.room(size * 4 / 72)  # a heading is not left alone at the foot of a page
        self.y -= 0.08
        self.paragraph(text, size, weight="bold", after=0.08)

    @staticmethod
    def _cells(head: list[str], rows: list[list[str]], size: float, numeric_from: int):
        """Column widths (inches; a number column sized by its longest cell, a text column
        by at most 18 letters; the first wraps to what is left) and each row's cells as
        wrapped lines."""
        width = A4[0] - 2 * MARGIN
        em = size * LETTER_EM / 72

        def need(i: int) -> float:  # the longest cell, or the head's longest word
            longest = max([len(r[i]) for r in rows] + [len(x) * 1.15 for x in head[i].split()])
            return max(8, longest if i >= numeric_from or i == 0 else min(longest, 18)) * em + 0.3

        widths = [need(i) for i in range(len(head))]
        widths[0] = max(1.8, min(widths[0], width - sum(widths[1:])))
        if sum(widths) > width:  # too wide: share the room by the columns' needs
            widths = [w * width / sum(widths) for w in widths]
        cells = [[textwrap.wrap(c, max(6, int((w - 0.25) / em)),
                                break_long_words=k > 0) or [""]  # a head breaks at spaces
                  for c, w in zip(row, widths, strict=True)]
                 for k, row in enumerate([head, *rows])]
        return widths, cells

    def table_height(self, head: list[str], rows: list[list[str]], numeric_from: int,
                     size: float = 8.5) -> float:
        """The inches :meth:`table` takes."""
        _, cells = self._cells(head, rows, size, numeric_from)
        return sum(max(len(c) for c in row) for row in cells) * size * 1.4 / 72 + 0.12

    def table(self, head: list[str], rows: list[list[str]], numeric_from: int,
              size: float = 8.5) -> None:
        """A table, its head in bold under a rule; cells from ``numeric_from`` on aligned
        right."""
        widths, cells_of = self._cells(head, rows, size, numeric_from)
        for k, cells in enumerate(cells_of):
            n = max(len(c) for c in cells)
            self.room(n * size * 1.4 / 72)
            for j in range(n):
                x = 0.0
                for i, (c, w) in enumerate(zip(cells, widths, strict=True)):
                    text = c[j] if j < len(c) else ""
                    right = i >= numeric_from
                    self.line(text, size, x + (w - 0.15 if right else 0), "bold" if k == 0
                              else "normal", "right" if right else "left", advance=False)
                    x += w
                self.y -= size * 1.4 / 72
            if k == 0:
                self.fig.add_artist(Line2D(
                    [MARGIN / A4[0], (MARGIN + sum(widths)) / A4[0]],
                    [(self.y + 0.04) / A4[1]] * 2, color="#888888", linewidth=0.6))
        self.y -= 0.12

    def keep(self, inches: float) -> None:
        """A new page unless ``inches`` fit on this one (when they fit on a page at all):
        a table is not split from its heading or across pages when it can be helped."""
        if inches <= A4[1] - 2 * MARGIN - 0.2:
            self.room(inches)


def freeze_layout(fig: Figure) -> Figure:
    """Lay ``fig`` out once (its constrained layout), round the axes' places to 1e-6 of the
    figure and drop the layout engine: the same figure then saves to the same bytes. (The
    layout's solver can differ in the 13th digit from one save to the next, as matplotlib
    reuses text measures across renderers; at a PDF's ten decimals that shows.)"""
    fig.draw_without_rendering()
    places = [(ax, [round(v, 6) for v in ax.get_position().bounds]) for ax in fig.axes]
    fig.set_layout_engine("none")
    for ax, bounds in places:
        ax.set_position(bounds)
    return fig


def _chart_pages(note, pages: _Pages) -> None:
    """The charts two a page, each drawn afresh on the page's own axes."""
    from simlib.report import plots

    results = [note.base, note.variant]
    drawers = [(kind, ind) for ind in note.series for kind in ("trend", "difference")]
    drawers += [("why", ind) for ind in note.contributions]
    for k in range(0, len(drawers), 2):
        page = Figure(figsize=A4, layout="constrained")
        page.get_layout_engine().set(w_pad=0.45, h_pad=0.35)  # inches: the page's margins
        pages.pages.append(page)
        axes = page.subplots(2, 1)
        for ax, (kind, ind) in zip(axes, drawers[k:k + 2], strict=False):
            opts = {"school_year": note.school_year} if kind == "why" else {}
            getattr(plots, kind)(results, ax, note.lang, indicator=ind, **opts)
        if len(drawers[k:k + 2]) < 2:
            axes[1].set_axis_off()
        plots.set_footnote(page, pages.footer.format(n=len(pages.pages)))
        freeze_layout(page)


def pdf_pages(note) -> list[Figure]:
    """The PDF's pages as matplotlib figures, in order (what :func:`write_pdf` saves; also
    for looking at them as pictures)."""
    w, lang = note.words(), note.lang
    footer = (f"{note.variant.scenario.name} / {note.base.scenario.name} — "
              f"{note.date.isoformat()} — {w['page']}")
    pages = _Pages(footer)
    pages.new()
    pages.paragraph(note.title(), 16, weight="bold", after=0.15)
    pages.heading(w["question"])
    pages.paragraph(note.question())
    if note.description():
        pages.paragraph(note.description(), 8.5, style="italic")
    pages.heading(w["text"])
    for head, *lines in text_blocks(note):
        pages.paragraph(head, weight="bold")
        for line in lines:
            pages.paragraph("• " + line, indent=0.15, after=0.02)
        pages.y -= 0.08
    _chart_pages(note, pages)
    pages.heading(w["tables"], new_page=True)
    pages.heading(w["comparison"].format(sy=note.school_year), 11)
    pages.table(comparison_head(note), comparison_rows(note), 2)
    for ind in note.contributions:
        rows = contribution_rows(note, ind) if note.contributions[ind] is not None else None
        pages.keep((pages.table_height(*rows, 1) if rows else 0.2) + 0.6)  # with its heading
        pages.heading(w["contributions"].format(ind=label("indicators", ind, lang),
                                                sy=note.school_year), 11)
        if rows is None:
            pages.paragraph(w["no_contributions"])
        else:
            pages.table(*rows, 1)
    pages.heading(w["levers"], new_page=True)
    rows = lever_rows(note)
    if not rows:
        pages.paragraph(w["no_levers"])
    for r in rows:
        pages.heading(r["label"], 10.5)
        pages.paragraph(r["change"])
        pages.paragraph(f"{w['passage']}: {r['passage']}", 8.5, indent=0.15, style="italic")
        grade = r["grade"] + (f" — {r['evidence_note']}" if r["evidence_note"] else "")
        pages.paragraph(f"{w['evidence']}: {grade}", 8.5, indent=0.15)
        pages.paragraph(f"{w['status']}: {r['status']}; {w['requested_by']}: "
                        f"{r['requested_by']}", 8.5, indent=0.15, after=0.1)
    pages.heading(w["footnote"], 11)
    for part in [*note.footnote.split("\n"), note.provenance]:
        pages.paragraph(part, 8)
    return pages.pages


def write_pdf(note, path: str | Path) -> int:
    """Write ``report.pdf`` (see the module); returns the number of pages."""
    day = note.date
    midnight = _dt.datetime(day.year, day.month, day.day, tzinfo=_dt.UTC)
    figs = pdf_pages(note)
    with matplotlib.rc_context(RC), PdfPages(path, metadata={
            "Title": note.title(), "Creator": "simlib report", "CreationDate": midnight,
            "ModDate": midnight}) as pdf:
        for fig in figs:
            pdf.savefig(fig, facecolor="white")
    return len(figs)


# --- the workbook ------------------------------------------------------------------------

def _number_format(decimals: int, signed: bool = False) -> str:
    body = "#,##0" + ("." + "0" * decimals if decimals else "")
    return f"+{body};-{body};{body}" if signed else body


def _shown(value: float, unit: str, difference: bool = False) -> tuple[float | None, str, int]:
    """``value`` in the unit the charts show (scale, unit words' id, decimals)."""
    d = N.display(unit)
    dec = N.decimals_for(unit) if d.scale == 1.0 or N.is_share(unit) else 1
    v = None if value is None or pd.isna(value) else float(value) * d.scale
    return v, d.difference_unit if difference else d.unit, dec


def write_xlsx(note, path: str | Path) -> int:
    """Write ``tabellen.xlsx`` (see the module); returns the number of sheets."""
    import xlsxwriter

    w, lang = note.words(), note.lang
    day = note.date
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": note.title(), "author": "simlib",
                       "created": _dt.datetime(day.year, day.month, day.day)})
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top",
                          "bg_color": "#EEEEEE", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    formats: dict[str, object] = {}

    def fmt(spec: str):
        if spec not in formats:
            formats[spec] = wb.add_format({"num_format": spec})
        return formats[spec]

    def sheet(name: str, head: list[str], widths: list[float]):
        ws = wb.add_worksheet(name[:31])
        for i, (h, width) in enumerate(zip(head, widths, strict=True)):
            ws.write_string(0, i, h, bold)
            ws.set_column(i, i, width)
        ws.freeze_panes(1, 0)
        return ws

    def num(ws, row: int, col: int, value, spec: str) -> None:
        if value is None or pd.isna(value):
            ws.write_blank(row, col, None)
        else:
            ws.write_number(row, col, float(value), fmt(spec))

    a_name, b_name = note.base.scenario.label(lang), note.variant.scenario.label(lang)
    # the comparison in the school year
    ws = sheet(w["sheet_comparison"], [w["indicator"], w["id"], w["unit"], a_name, b_name,
                                       w["difference"], w["difference_unit"],
                                       w["relative"]], [34, 24, 22, 16, 16, 16, 22, 14])
    for k, r in enumerate(note.comparison.itertuples(), start=1):
        va, unit, dec = _shown(r.a, r.unit)
        vb, _, _ = _shown(r.b, r.unit)
        vd, dunit, _ = _shown(r.difference, r.unit, difference=True)
        ws.write_string(k, 0, r.label, wrap)
        ws.write_string(k, 1, r.indicator)
        ws.write_string(k, 2, label("units", unit, lang))
        num(ws, k, 3, va, _number_format(dec))
        num(ws, k, 4, vb, _number_format(dec))
        num(ws, k, 5, vd, _number_format(dec, True))
        ws.write_string(k, 6, label("units", dunit, lang))
        num(ws, k, 7, r.relative_difference, "+0.0%;-0.0%;0.0%")
    sheets = 1
    # each split by lever
    for ind, table in note.contributions.items():
        if table is None:
            continue
        unit = table.unit.iloc[0]
        _, dunit, dec = _shown(0.0, unit, difference=True)
        words = label("units", dunit, lang)
        sampled = table.attrs["method"] == "sampled"
        head = [w["lever"], w["id"], f"{w['contribution']} ({words})"] + (
            [f"{w['std_error']} ({words})"] if sampled else [])
        ws = sheet(f"{w['sheet_contributions']} {ind}", head, [40, 36, 20, 20][:len(head)])
        for k, r in enumerate(table.itertuples(), start=1):
            ws.write_string(k, 0, r.label, wrap)
            ws.write_string(k, 1, r.lever)
            num(ws, k, 2, _shown(r.contribution, unit)[0], _number_format(dec + 1, True))
            if sampled:
                num(ws, k, 3, _shown(r.std_error, unit)[0], _number_format(dec + 1))
        k = len(table) + 1
        ws.write_string(k, 0, w["total"], bold)
        num(ws, k, 2, _shown(table.attrs["value"] - table.attrs["base_value"], unit)[0],
            _number_format(dec + 1, True))
        sheets += 1
    # each series over the school years
    for ind in note.series:
        from simlib.model.outcomes import INDICATOR_BY_ID

        unit = INDICATOR_BY_ID[ind].unit
        _, vunit, dec = _shown(0.0, unit)
        _, dunit, _ = _shown(0.0, unit, difference=True)
        vw, dw = label("units", vunit, lang), label("units", dunit, lang)
        ws = sheet(f"{w['sheet_series']} {ind}", [w["school_year"], f"{a_name} ({vw})",
                                                  f"{b_name} ({vw})",
                                                  f"{w['difference']} ({dw})"],
                   [12, 28, 28, 20])
        for k, r in enumerate(note.series[ind].itertuples(), start=1):
            ws.write_string(k, 0, r.school_year)
            num(ws, k, 1, _shown(r.a, unit)[0], _number_format(dec))
            num(ws, k, 2, _shown(r.b, unit)[0], _number_format(dec))
            num(ws, k, 3, _shown(r.difference, unit)[0], _number_format(dec, True))
        sheets += 1
    # the levers
    ws = sheet(w["sheet_levers"], [w["lever"], w["id"], w["change"], w["passage"],
                                   w["evidence"], w["status"], w["requested_by"]],
               [30, 30, 40, 60, 40, 18, 24])
    for k, r in enumerate(lever_rows(note), start=1):
        grade = r["grade"] + (f" — {r['evidence_note']}" if r["evidence_note"] else "")
        for i, key in enumerate(("label", "id", "change", "passage")):
            ws.write_string(k, i, r[key], wrap)
        ws.write_string(k, 4, grade, wrap)
        ws.write_string(k, 5, r["status"], wrap)
        ws.write_string(k, 6, r["requested_by"], wrap)
    sheets += 1
    # the provenance
    meta = note.meta["b"]
    sa, sb = note.base.scenario, note.variant.scenario
    ws = sheet(w["sheet_source"], [w["key"], w["value"]], [24, 100])
    rows = [(w["scenario"], f"{sb.label(lang)} ({sb.name})"),
            (w["base"], f"{sa.label(lang)} ({sa.name})"),
            (w["school_year"], note.school_year), (w["date"], note.date.isoformat()),
            (w["command"], f"python -m simlib report {sb.name} --base {sa.name} --lang "
                           f"{lang} --school-year {note.school_year} --out DIR"),
            (w["model"], str(meta.get("simlib_version"))),
            (w["commit"], str(meta.get("simlib_commit"))),
            (w["data"], str(meta.get("data_sha256"))),
            (w["calibration"], str((meta.get("calibration") or {}).get("sha256"))),
            *[(w["note"], part) for part in note.footnote.split("\n")]]
    for k, (key, value) in enumerate(rows, start=1):
        ws.write_string(k, 0, key)
        ws.write_string(k, 1, value, wrap)
    wb.close()
    return sheets + 1
