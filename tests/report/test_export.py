"""Export: one press writes PNG, SVG, PDF, CSV and scenario TOML; never overwrites without the
flag; byte-identical for the same inputs; the footnote is on the chart."""

from __future__ import annotations

import datetime as dt
import struct
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import simlib  # noqa: E402
from simlib import ui  # noqa: E402
from simlib.report import export  # noqa: E402

YEARS = 2
DATE = "2025-10-01"


@pytest.fixture(scope="module")
def results():
    base = ui.baseline(YEARS)
    variant = ui.run_cached(simlib.scenario(name="export_test", label_nl="Exporttest",
                                            label_en="Export test", search_window_days=30,
                                            screening_quality="high"), YEARS)
    return [base, variant]


@pytest.fixture
def panel(results, tmp_path):
    chart = ui.Chart(("trend",), results, indicator="dual_contract_learners")
    p = ui.ExportPanel(chart, folder=str(tmp_path / "uit"), stem="verloop", date=DATE)
    return p


def _press(panel):
    panel.button.click()
    return panel.paths


def test_one_press_writes_every_file(panel, results, tmp_path):
    paths = _press(panel)
    folder = tmp_path / "uit"
    names = {p.name for p in paths}
    assert names == {"verloop.png", "verloop.svg", "verloop.pdf", "verloop.csv",
                     "verloop.baseline.toml", "verloop.export_test.toml"}
    assert all(p.parent == folder and p.is_file() for p in paths)
    assert all(str(p) in panel.message.value for p in paths)  # the panel reports the paths
    png = (folder / "verloop.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    fig = panel.source.figure
    assert (width, height) == (round(fig.get_figwidth() * 300), round(fig.get_figheight() * 300))
    ET.parse(folder / "verloop.svg")  # well-formed XML
    pdf = (folder / "verloop.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf and b"/Type3" not in pdf  # TrueType: text stays editable
    table = pd.read_csv(folder / "verloop.csv")
    assert list(table.columns) == ["scenario", "school_year", "indicator", "group", "value",
                                   "unit"]
    assert set(table.scenario) == {"baseline", "export_test"}
    assert table.value.iloc[0] == pytest.approx(
        results[0].value("dual_contract_learners", table.school_year.iloc[0]))


def test_belgian_excel_csv(panel, tmp_path):
    panel.belgian.value = True
    _press(panel)
    raw = (tmp_path / "uit" / "verloop.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with byte-order mark for Excel
    text = raw.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.split(";")[:2] == ["scenario", "school_year"]
    value = first.split(";")[4]
    assert "," in value and "." not in value
    table = pd.read_csv(tmp_path / "uit" / "verloop.csv", sep=";", decimal=",",
                        encoding="utf-8-sig")
    assert table.value.dtype.kind == "f"


def test_scenario_toml_validates_and_reproduces_the_result(panel, results, tmp_path):
    _press(panel)
    loaded = simlib.load_scenario(tmp_path / "uit" / "verloop.export_test.toml")
    assert loaded.changed() == results[1].scenario.changed()
    again = simlib.run(loaded, years=YEARS)
    pd.testing.assert_frame_equal(again.indicators, results[1].indicators)
    base = simlib.load_scenario(tmp_path / "uit" / "verloop.baseline.toml")
    assert base.changed() == {}


def test_no_overwrite_without_the_flag(panel, tmp_path):
    paths = _press(panel)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths}
    panel.stem.value = "verloop"
    assert _press(panel) == []
    assert "verloop.png" in panel.message.value  # the error names the file
    with pytest.raises(export.ExportExistsError, match="verloop.png"):
        export.export(tmp_path / "uit", panel.source.figure, panel.source.table,
                      panel.source.scenarios, stem="verloop")
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths} == before
    panel.overwrite.value = True
    assert _press(panel) == paths


def test_two_exports_are_byte_identical(results, tmp_path):
    written = []
    for k in range(2):
        chart = ui.Chart(("trend", "difference"), results, indicator="placement_share")
        written.append(export.export(tmp_path / f"run{k}", chart.figure, chart.table,
                                     chart.scenarios, stem="vergelijking", date=DATE))
    for a, b in zip(*written, strict=True):
        assert a.name == b.name
        assert a.read_bytes() == b.read_bytes(), a.name


def test_footnote_in_the_svg(panel, results, tmp_path):
    _press(panel)
    svg = (tmp_path / "uit" / "verloop.svg").read_text(encoding="utf-8")
    for needle in (f"simlib {simlib.__version__}", DATE, "export_test", "Exporttest",
                   "data/SOURCES.md"):
        assert needle in svg, needle
    note = export.footnote(results, "nl", DATE)
    lever = next(lv for lv in simlib.levers() if lv.id == "screening_quality")
    assert f"{lever.label('nl')} ({lever.evidence_grade})" in note
    assert "Changed levers" in export.footnote(results, "en", DATE)


def test_date_from_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    assert export.export_date() == dt.date(2026, 1, 1)
    assert export.export_date("2025-02-01") == dt.date(2025, 2, 1)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert export.export_date() == dt.date.today()


def test_a_stem_must_be_a_file_name(panel, tmp_path):
    with pytest.raises(ValueError, match="plain file name"):
        export.export(tmp_path, panel.source.figure, stem="../elders")


# --- nothing dropped or overwritten without the flag ---------------------------------------


def _figure():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    return fig


def test_two_different_scenarios_with_one_name_are_refused(tmp_path):
    a = simlib.scenario(name="zelfde", search_window_days=30)
    b = simlib.scenario(name="zelfde", search_window_days=40)
    with pytest.raises(ValueError, match="zelfde"):
        export.export(tmp_path / "uit", _figure(), None, [a, b], stem="g", date=DATE)
    assert not (tmp_path / "uit").exists()


def test_the_same_scenario_twice_is_written_once(tmp_path):
    a = simlib.scenario(name="zelfde", search_window_days=30)
    again = simlib.scenario(name="zelfde", search_window_days=30)
    paths = export.export(tmp_path / "uit", _figure(), None, [a, again], stem="g", date=DATE)
    assert [p.name for p in paths if p.suffix == ".toml"] == ["g.zelfde.toml"]


@pytest.mark.parametrize("names", [("a b", "a_b"), ("x!", "x?"), ("Hoog", "hoog")])
def test_names_that_clean_to_one_file_name_are_refused(tmp_path, names):
    scs = [simlib.scenario(name=n, search_window_days=30 + k) for k, n in enumerate(names)]
    with pytest.raises(ValueError, match="same file"):
        export.export(tmp_path / "uit", _figure(), None, scs, stem="g", date=DATE)
    assert not (tmp_path / "uit").exists()


def test_write_csv_refuses_to_overwrite(tmp_path):
    table = pd.DataFrame({"a": [1.5, 2.0]})
    path = export.write_csv(table, tmp_path / "t.csv")
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite"):
        export.write_csv(pd.DataFrame({"a": [9]}), path)
    assert path.read_bytes() == before
    export.write_csv(pd.DataFrame({"a": [9]}), path, overwrite=True)
    assert pd.read_csv(path).a.tolist() == [9]
