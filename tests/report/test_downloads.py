"""Exports as browser downloads and scenario uploads, without a browser.

- :mod:`simlib.report.downloads`: the same files as an export (footnote in the chart, the numbers
  in the CSV), as ``<a download>`` links carrying the bytes; nothing left on the server.
- :class:`simlib.ui.ExportPanel` in ``"browser"`` mode writes nothing; in ``"files"`` mode it
  writes and links the same files.
- :mod:`simlib.ui.upload`: an upload is data only and reports the CLI's messages; the compare
  app offers a valid upload and keeps working after an invalid one.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
import tomllib
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import simlib  # noqa: E402
from simlib import cli, ui  # noqa: E402
from simlib.inputs.scenario import ScenarioError  # noqa: E402
from simlib.report import downloads  # noqa: E402
from simlib.ui import upload  # noqa: E402

YEARS = 2
DATE = "2025-10-01"
LINK = re.compile(r'<a class=\'simlib-download\' download="([^"]+)" href="data:([^;,]+)'
                  r'(?:;charset=utf-8)?;base64,([^"]+)"')


@pytest.fixture(scope="module")
def results():
    base = ui.baseline(YEARS)
    variant = ui.run_cached(simlib.scenario(name="download_test", label_nl="Downloadtest",
                                            label_en="Download test", search_window_days=30),
                            YEARS)
    return [base, variant]


@pytest.fixture(scope="module")
def chart(results):
    return ui.Chart(("trend",), results, indicator="dual_contract_learners")


def _links(text: str) -> dict[str, tuple[str, bytes]]:
    return {html.unescape(name): (mime, base64.b64decode(data))
            for name, mime, data in LINK.findall(text)}


# --- simlib.report.downloads ----------------------------------------------------------------------


def test_default_mode_follows_the_environment():
    assert downloads.default_mode({}) == "files"
    assert downloads.default_mode({"SIMLIB_DASHBOARD": "0"}) == "files"
    assert downloads.default_mode({"SIMLIB_DASHBOARD": "1"}) == "browser"
    assert downloads.default_mode({"VOILA_KERNEL_ID": "abc"}) == "browser"
    assert downloads.default_mode({"VOILA_BASE_URL": "/"}) == "browser"


def test_links_carry_the_files_themselves():
    files = {"a b&c.png": b"\x89PNG\r\n\x1a\nxyz", "x.csv": "é,1\n".encode(), "s.toml": b"k=1\n",
             "f.svg": b"<svg/>", "f.pdf": b"%PDF-1.4", "odd.bin": b"\0"}
    text = downloads.links_html(files, "nl")
    links = _links(text)
    assert set(links) == set(files)
    for name, (mime, data) in links.items():
        assert data == files[name]
        assert mime == downloads.mime_type(name).split(";")[0]
    assert links["x.csv"][0] == "text/csv" and "text/csv;charset=utf-8" in text
    assert links["a b&c.png"][0] == "image/png" and 'download="a b&amp;c.png"' in text
    assert links["odd.bin"][0] == "application/octet-stream"
    assert "Klik op een bestand" in text
    assert "Click a file" in downloads.links_html(files, "en")
    assert downloads.links_html({}) == ""


def test_a_file_too_large_is_listed_not_linked(monkeypatch):
    monkeypatch.setattr(downloads, "MAX_LINK_BYTES", 10)
    text = downloads.links_html({"big.png": b"x" * 11, "small.csv": b"a"}, "en")
    assert set(_links(text)) == {"small.csv"}
    assert "big.png" in text and "too large" in text


def test_export_files_are_the_export_and_leave_nothing(chart, results, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    files = downloads.export_files({"verloop": (chart.figure, chart.table)}, results,
                                   lang="nl", date=DATE)
    assert list(files) == ["verloop.png", "verloop.svg", "verloop.pdf", "verloop.csv",
                           "verloop.baseline.toml", "verloop.download_test.toml"]
    assert list(tmp_path.iterdir()) == []  # the temporary folder is gone
    assert files["verloop.png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert files["verloop.pdf"].startswith(b"%PDF")
    svg_text = " ".join(t.strip() for t in ET.fromstring(files["verloop.svg"]).itertext())
    assert "Downloadtest (download_test)" in svg_text  # the footnote is in the chart
    assert "simlib" in svg_text and DATE in svg_text
    csv = pd.read_csv(io.BytesIO(files["verloop.csv"]))
    assert list(csv.columns) == list(chart.table.columns)
    assert len(csv) == len(chart.table)
    sc = tomllib.loads(files["verloop.download_test.toml"].decode())
    assert sc["levers"]["search_window_days"] == 30
    # byte for byte what export() writes
    written = simlib.report.export.export(tmp_path / "uit", chart.figure, chart.table, results,
                                   stem="verloop", date=DATE)
    assert downloads.read_files(written) == files


# --- ExportPanel ---------------------------------------------------------------------------


def test_browser_mode_writes_nothing_and_offers_links(chart, tmp_path):
    panel = ui.ExportPanel(chart, folder=str(tmp_path / "uit"), stem="verloop", date=DATE,
                           mode="browser")
    assert panel.folder.layout.display == "none" and panel.overwrite.layout.display == "none"
    assert panel.button.description == "Maak de bestanden om te downloaden"
    panel.button.click()
    assert not (tmp_path / "uit").exists()
    assert panel.paths == []
    links = _links(panel.links.value)
    assert set(links) == set(panel.files) >= {"verloop.png", "verloop.csv"}
    assert all(data == panel.files[name] for name, (_, data) in links.items())
    panel.set_lang("en")
    assert panel.button.description == "Make the files to download"


def test_files_mode_writes_and_links_the_same_files(chart, tmp_path):
    panel = ui.ExportPanel(chart, folder=str(tmp_path / "uit"), stem="verloop", date=DATE,
                           mode="files")
    paths = panel.export()
    assert paths and all(p.is_file() for p in paths)
    links = _links(panel.links.value)
    assert links.keys() == {p.name for p in paths}
    assert all(links[p.name][1] == p.read_bytes() for p in paths)


def test_browser_mode_is_the_default_in_the_dashboard(chart, monkeypatch):
    monkeypatch.setenv("SIMLIB_DASHBOARD", "1")
    assert ui.ExportPanel(chart).mode == "browser"
    monkeypatch.delenv("SIMLIB_DASHBOARD")
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    monkeypatch.delenv("VOILA_BASE_URL", raising=False)
    assert ui.ExportPanel(chart).mode == "files"
    with pytest.raises(ValueError, match="mode"):
        ui.ExportPanel(chart, mode="cloud")


# --- uploads -------------------------------------------------------------------------------

BAD = {
    "unknown_lever": "[levers]\nserch_window_days = 30\n",
    "out_of_range": "[levers]\ncoaching_visits_per_month = 99\n",
    "malformed": "[levers\nsearch_window_days = 30\n",
    "base_path": 'base = "../../../etc/passwd"\n[levers]\nsearch_window_days = 30\n',
    "base_unknown": 'base = "bestaat_niet"\n',
    "unknown_key": 'lable_nl = "x"\n',
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_an_invalid_upload_reports_what_the_cli_reports(case, tmp_path, capsys):
    text = BAD[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")
    assert cli.main(["validate", str(path)]) == 2
    cli_lines = [line.replace(str(path), path.name)
                 for line in capsys.readouterr().err.splitlines() if line]
    with pytest.raises(ScenarioError) as info:
        upload.read_upload(text.encode(), f"{case}.toml")
    assert [str(p) for p in info.value.problems] == cli_lines


def test_an_upload_never_reads_a_file_on_the_server(tmp_path):
    secret = tmp_path / "geheim.toml"
    secret.write_text("[levers]\nsearch_window_days = 30\n", encoding="utf-8")
    for base in (str(secret), str(secret.with_suffix("")), "../scenarios/baseline",
                 "/etc/passwd", "geheim"):
        with pytest.raises(ScenarioError, match="base"):
            upload.read_upload(f'base = "{base}"\n'.encode(), "x.toml")


def test_a_valid_upload_is_a_scenario():
    sc = upload.read_upload('\ufefflabel_nl = "Mijn"\nlabel_en = "Mine"\n[levers]\n'
                            'search_window_days = 35\n'.encode(), "C:\\Users\\a\\mijn scenario.toml")
    assert sc.name == "mijn_scenario" and sc.label("en") == "Mine"
    assert list(sc.changed()) == ["search_window_days"]
    assert sc.base == "baseline"


def test_not_utf8_and_too_large_are_refused():
    with pytest.raises(ScenarioError, match="UTF-8"):
        upload.read_upload(b"\xff\xfe[levers]", "x.toml")
    with pytest.raises(ScenarioError, match="too large"):
        upload.read_upload(b"#" * (upload.MAX_UPLOAD_BYTES + 1), "x.toml")


@pytest.mark.parametrize("given, name", [("mijn.toml", "mijn"), ("../../etc/passwd", "passwd"),
                                         ("a b/c d.TOML", "c_d"), ("...toml", "upload"),
                                         ("é.toml", "upload")])
def test_upload_names_are_plain(given, name):
    assert upload.upload_name(given) == name


def _pick(widget: upload.ScenarioUpload, text: str, name: str) -> None:
    """What the front end does when a file is chosen."""
    widget.picker.value = ({"name": name, "type": "", "size": len(text),
                            "content": memoryview(text.encode()),
                            "last_modified": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},)


def test_the_upload_widget_shows_problems_and_keeps_scenarios():
    w = upload.ScenarioUpload("nl")
    seen = []
    w.on_scenario(lambda key, sc: seen.append((key, sc.name)))
    _pick(w, BAD["unknown_lever"], "kapot.toml")
    assert "simlib-upload-error" in w.message.value
    assert "kapot.toml: levers.serch_window_days: unknown lever" in html.unescape(w.message.value)
    assert "did you mean search_window_days?" in html.unescape(w.message.value)
    assert seen == [] and w.scenarios == {} and w.picker.value == ()
    _pick(w, "[levers]\nsearch_window_days = 30\n", "goed.toml")
    assert seen == [("upload:goed", "goed")] and "upload:goed" in w.scenarios
    assert "Opgeladen" in w.message.value
    w.set_lang("en")
    assert w.picker.description == "Choose a scenario file"
    assert w.label("upload:goed").endswith("(uploaded goed.toml)")


def test_the_compare_app_offers_an_upload_and_survives_a_bad_one():
    app = ui.CompareApp(a="baseline", b="langere_zoekperiode", years=YEARS)
    before = [r.scenario.name for r in app.results]
    image = app.chart.image.value
    _pick(app.upload, BAD["out_of_range"], "kapot.toml")
    assert [r.scenario.name for r in app.results] == before
    assert app.chart.image.value == image and "Fout" not in app.status.value
    assert "out of range" in app.upload.message.value
    _pick(app.upload, "[levers]\nsearch_window_days = 35\n", "eigen.toml")
    assert app.pick_b.value == "upload:eigen"
    assert [r.scenario.name for r in app.results] == ["baseline", "eigen"]
    assert app.chart.image.value != image
    assert "upload:eigen" in [v for _, v in app.pick_a.options]
    app.set_lang("en")  # the uploaded scenario stays offered, labelled in English
    assert app.pick_b.value == "upload:eigen"
    assert "(uploaded eigen.toml)" in dict((v, k) for k, v in app.pick_b.options)["upload:eigen"]


def test_the_compare_notebooks_text_mentions_the_upload():
    from simlib.inputs import pages

    assert "scenariobestand (TOML) op" in pages.text("07_scenario_vergelijking", "intro", "nl")
    assert "scenario file (TOML)" in pages.text("07_scenario_vergelijking", "intro", "en")


# --- links only for what is shown ----------------------------------------------------------


def _offered(panel) -> set[str]:
    return set(_links(panel.links.value))


def test_a_redraw_of_an_exported_chart_withdraws_its_links(results):
    chart = ui.Chart(("trend",), results, indicator="dual_contract_learners")
    panel = ui.ExportPanel(chart, stem="verloop", date=DATE, mode="browser")
    panel.outdated()  # nothing offered: nothing to say
    assert panel.message.value == "" and panel.links.value == ""
    panel.download()
    assert "verloop.png" in _offered(panel) and panel.files
    chart.redraw(lang="en")  # what is shown changed, without the app telling the panel
    assert _offered(panel) == set() and panel.files == {}
    assert "gewijzigd sinds de vorige export" in panel.message.value
    panel.set_lang("en")
    panel.download()
    assert _offered(panel)
    chart.redraw(indicator="placement_share")
    assert _offered(panel) == set() and "changed since the last export" in panel.message.value


def test_every_change_of_what_an_app_shows_withdraws_the_links(monkeypatch):
    monkeypatch.setenv("SIMLIB_DASHBOARD", "1")
    app = ui.ScenarioApp(years=YEARS)
    panel = app.export_panel
    assert panel.mode == "browser"
    changes = {
        "lever": lambda: setattr(app.panel.controls["search_window_days"].widget, "value", 30),
        "option": lambda: setattr(app.indicator, "value", "placement_share"),
        "view": lambda: setattr(app.view, "value", "difference"),
        "language": lambda: setattr(app.lang_toggle, "value", "en"),
    }
    for what, change in changes.items():
        panel.button.click()
        assert _offered(panel), what
        change()
        assert _offered(panel) == set() and panel.files == {}, what
        assert "⏳" not in panel.message.value and panel.message.value, what
    compare = ui.CompareApp(a="baseline", b="langere_zoekperiode", years=YEARS)
    compare.export_panel.button.click()
    assert _offered(compare.export_panel)
    compare.pick_b.value = ui.SLIDERS  # a scenario pick
    assert _offered(compare.export_panel) == set()


# --- "save as scenario" in the dashboard ---------------------------------------------------


def test_save_as_scenario_in_the_dashboard_is_a_download(tmp_path, monkeypatch):
    monkeypatch.setenv("SIMLIB_DASHBOARD", "1")
    shared = tmp_path / "mijn_scenarios"
    shared.mkdir()
    (shared / "van_iemand_anders.toml").write_text(
        'label_nl = "Van iemand anders"\nlabel_en = "Someone else\'s"\n[levers]\n'
        'search_window_days = 35\n', encoding="utf-8")
    app = ui.CompareApp(a="baseline", b=ui.SLIDERS, years=YEARS, save_dir=shared)
    values = [v for _, v in app.pick_a.options]
    assert not any("van_iemand_anders" in v for v in values)  # no other user's file listed
    assert app.save_folder.layout.display == "none"
    assert app.save_overwrite.layout.display == "none"
    assert app.save_button.description == "Download als scenario"
    app.panel.controls["coaching_visits_per_month"].widget.value = 3.5
    app.save_name.value = "mijn test"
    app.save_label.value = "Meer coaching"
    assert app.save() is None
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["mijn_scenarios",
                                                           "van_iemand_anders.toml"]
    links = _links(app.save_links.value)
    assert set(links) == set(app.save_files) == {"mijn_test.toml"}
    mime, data = links["mijn_test.toml"]
    assert mime == "application/toml" and data == app.save_files["mijn_test.toml"]
    sc = tomllib.loads(data.decode())
    assert sc["label_nl"] == "Meer coaching"
    # dated as every app dates a change (the lever's earliest date)
    assert sc["levers"]["coaching_visits_per_month"] == {"2026-09-01": 3.5}
    path = tmp_path / "terug.toml"  # the download is a valid scenario file
    path.write_bytes(data)
    assert simlib.load_scenario(path).changed() == app.panel.scenario().changed()
    assert "niets op de server" in app.save_message.value
    app.lang_toggle.value = "en"
    assert app.save_button.description == "Download as scenario"
    assert "Click a file" in app.save_links.value
    app.panel.controls["coaching_visits_per_month"].widget.value = 1.5  # the sliders moved
    assert app.save_files == {} and app.save_links.value == ""
    assert "sliders have changed" in app.save_message.value
    app.save_name.value = "baseline"  # refused with the reason, as a file would be
    assert app.save() is None and "baseline.toml" in app.save_message.value
    assert app.save_files == {}


def test_save_as_scenario_in_jupyterlab_writes_where_the_folder_field_says(tmp_path,
                                                                           monkeypatch):
    for name in ("SIMLIB_DASHBOARD", "VOILA_KERNEL_ID", "VOILA_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    app = ui.CompareApp(a="baseline", b=ui.SLIDERS, years=YEARS, save_dir=tmp_path / "eerst")
    assert app.save_folder.layout.display != "none" and app.save_folder.description == "Map"
    app.panel.controls["coaching_visits_per_month"].widget.value = 3.5
    app.save_folder.value = str(tmp_path / "elders")
    path = app.save()
    assert path == tmp_path / "elders" / "mijn_scenario.toml" and path.is_file()
    assert not (tmp_path / "eerst").exists()
    assert str(path) in [v for _, v in app.pick_b.options]
    assert app.save_files == {} and app.save_links.value == ""
