"""The policy-note bundle (``python -m simlib report``, :mod:`simlib.report.bundle`): the five
files written complete, a self-contained printable page, a PDF and a workbook that open and
repeat byte for byte, English with ``--lang en``, and bad input refused before any run."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile

import numpy as np
import pytest

from simlib.inputs.glossary import texts
from simlib.report import bundle as B
from simlib.report import bundle_files as F

SCENARIO = "langere_zoekperiode"  # two changed levers: a split of 4 runs
YEAR = "2027-28"
DATE = "2026-03-02"


@pytest.fixture(scope="module")
def note():
    return B.build(SCENARIO, "baseline", YEAR, "nl", date=DATE)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, note):
    folder = tmp_path_factory.mktemp("bundle") / "note"
    paths = B.write(folder, note)
    return folder, paths


def _sheets(path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())


def _sheet_xml(path, k: int) -> tuple[str, list[str]]:
    """The XML of the k-th sheet (1-based) and the workbook's shared strings."""
    with zipfile.ZipFile(path) as z:
        strings = re.findall(r"<t[^>]*>([^<]*)</t>", z.read("xl/sharedStrings.xml").decode())
        return z.read(f"xl/worksheets/sheet{k}.xml").decode(), strings


def _cell(xml: str, ref: str) -> tuple[str | None, str]:
    """(type, raw value) of cell ``ref``; type None for a number."""
    m = re.search(rf'<c r="{ref}"(?: s="\d+")?(?: t="(\w+)")?><v>([^<]*)</v></c>', xml)
    assert m, f"no value in {ref}"
    return m.group(1), m.group(2)


def test_the_five_files_are_written_complete(bundle):
    folder, paths = bundle
    assert [p.name for p in paths] == list(B.FILES)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert set(meta["files"]) == set(B.FILES) - {"meta.json"}
    for name, record in meta["files"].items():
        data = (folder / name).read_bytes()
        assert record["bytes"] == len(data) > 0
        assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert meta["a"]["scenario"] == "baseline" and meta["b"]["scenario"] == SCENARIO
    assert meta["b"]["data_sha256"] and "simlib_commit" in meta["b"]
    assert meta["school_year"] == YEAR


def test_the_scenario_file_reproduces_the_variant(bundle, note):
    from simlib.inputs.scenario import load_scenario

    folder, _ = bundle
    again = load_scenario(folder / "scenario.toml")
    assert dict(again.schedules) == dict(note.variant.scenario.schedules)


def test_the_page_is_self_contained_and_printable(bundle, note):
    folder, _ = bundle
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "http" not in page  # nothing to fetch (not even a namespace URL)
    assert not re.search(r"<(img|script|link|iframe)\b|src=|@import|url\((?!#)", page)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # the charts' ids kept apart
    refs = {a or b for a, b in re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', page)}
    assert refs and refs <= set(ids)
    assert page.count("<svg") == len(B.TREND_INDICATORS) * 2 + len(B.WHY_INDICATORS)
    assert "@media print" in page and "break-before: page" in page
    sc = note.variant.scenario
    assert sc.label("nl") in page and sc.description("nl")[:40] in page
    for change in note.changes:  # each changed lever with its passage and evidence grade
        assert change.lever.label("nl") in page
        assert change.lever.passage[:40].replace("'", "&#x27;") in page
    assert note.provenance in page and "Waarom?" in page


def test_the_split_adds_up_to_the_compared_difference(note):
    row = note.comparison.set_index("indicator").loc["dual_contract_learners"]
    table = note.contributions["dual_contract_learners"]
    assert set(table.lever) == {"search_window_days", "search_extension_days"}
    assert table.contribution.sum() == pytest.approx(row.difference, rel=1e-6)
    assert table.attrs["value"] - table.attrs["base_value"] == pytest.approx(row.difference)


def test_the_pdf_opens_and_has_its_pages(bundle, note):
    folder, _ = bundle
    data = (folder / "report.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type /Page\b", data))
    assert pages == len(F.pdf_pages(note)) >= 5


def test_the_workbook_has_one_sheet_per_table_and_numbers_as_numbers(bundle, note):
    folder, _ = bundle
    path = folder / "tabellen.xlsx"
    w = texts("report")["nl"]
    names = _sheets(path)
    assert names[0] == w["sheet_comparison"] and names[-1] == w["sheet_source"] == "bron"
    assert len(names) == 1 + len(B.WHY_INDICATORS) + len(B.TREND_INDICATORS) + 2
    assert all(len(n) <= 31 for n in names) and len(set(names)) == len(names)
    xml, strings = _sheet_xml(path, 1)
    comparison = note.comparison.reset_index(drop=True)
    for k, r in comparison.iterrows():  # base and variant as numbers, shares in %
        kind, raw = _cell(xml, f"D{k + 2}")
        assert kind is None
        scale = 100.0 if r.unit == "share" else 1e-6 if r.unit == "eur_per_school_year" else 1
        assert float(raw) == pytest.approx(r.a * scale)
    assert "Eenheid" in strings and "Basislijn: de regels van vandaag" in strings
    xml, strings = _sheet_xml(path, len(names))  # the provenance
    assert note.meta["b"]["data_sha256"] in strings


def test_the_workbook_and_the_pdf_repeat_byte_for_byte(tmp_path, note, bundle):
    folder, _ = bundle
    B.write(tmp_path / "again", note)
    for name in ("tabellen.xlsx", "report.pdf", "report.html"):
        assert (tmp_path / "again" / name).read_bytes() == (folder / name).read_bytes(), name


def test_english_labels(tmp_path):
    note = B.build(SCENARIO, "baseline", YEAR, "en", date=DATE)
    B.write(tmp_path, note)
    names = _sheets(tmp_path / "tabellen.xlsx")
    assert names[0] == "comparison" and names[-1] == "source"
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<html lang='en'>" in page and "Policy note" in page and "Why?" in page
    assert note.variant.scenario.label("en") in page and "Beleidsnota" not in page
    _, strings = _sheet_xml(tmp_path / "tabellen.xlsx", 1)
    assert "Unit" in strings and "Eenheid" not in strings


def test_the_headline_indicators_are_those_of_the_apps():
    from simlib.ui.summary_text import SUMMARY_INDICATORS

    assert B.HEADLINE_INDICATORS == SUMMARY_INDICATORS


# --- the command line ----------------------------------------------------------------------

@pytest.fixture
def no_run(monkeypatch):
    """Any model run fails the test: bad input must be refused before one."""
    import simlib.model.simulation as S

    def run(*args, **kwargs):
        raise AssertionError("a model run before the input was checked")

    monkeypatch.setattr(S, "run", run)


@pytest.mark.parametrize("argv, words", [
    (["langere_zoekperiod"], ["scenario: not found", "did you mean langere_zoekperiode?"]),
    ([SCENARIO, "--base", "basline"], ["basline", "did you mean baseline?"]),
    ([SCENARIO, "--school-year", "2030-3"], ["--school-year", "2030-31", "expected one of"]),
    ([SCENARIO, "--school-year", "2070-71"], ["--school-year", "2034-35"]),
])
def test_bad_input_exits_2_before_any_run(cli, tmp_path, no_run, argv, words):
    out = tmp_path / "note"
    code, stdout, err = cli("report", *argv, "--out", out)
    assert code == 2 and "Traceback" not in err, err
    for word in words:
        assert word in err
    assert not out.exists()


def test_an_existing_bundle_is_kept_without_force(cli, tmp_path, no_run):
    (tmp_path / "report.html").write_text("mine", encoding="utf-8")
    code, _, err = cli("report", SCENARIO, "--out", tmp_path)
    assert code == 2 and "--force" in err and "--out" in err
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "mine"


def test_the_command_writes_the_bundle_and_force_replaces_it(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01: one date both times
    out = tmp_path / "note"
    code, stdout, err = cli("report", SCENARIO, "--school-year", YEAR, "--lang", "en",
                            "--out", out)
    assert code == 0, err
    assert [p.rsplit("/", 1)[-1] for p in stdout.split()] == list(B.FILES)
    first = (out / "tabellen.xlsx").read_bytes()
    assert _sheets(out / "tabellen.xlsx")[-1] == "source"
    code, _, err = cli("report", SCENARIO, "--school-year", YEAR, "--lang", "en", "--out",
                       out, "--force")
    assert code == 0, err
    assert (out / "tabellen.xlsx").read_bytes() == first
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["lang"] == "en" and meta["date"] == "2026-01-01"
    assert np.isfinite(meta["b"]["years"])
