"""The apps' "Rapport" button: the policy note of what is shown (the last scenario against
the first), written into the export folder or, in the dashboard, offered as downloads."""

from __future__ import annotations

from simlib import ui
from simlib.report import bundle as B
from simlib.ui.export_panel import ExportPanel


def _app(tmp_path):
    app = ui.ScenarioApp(years=10, export_folder=tmp_path)
    app.panel.controls["search_window_days"].widget.value = 30
    return app


def test_the_report_button_writes_the_bundle_of_what_is_shown(tmp_path):
    app = _app(tmp_path)
    panel = app.export_panel
    assert panel.report_button.description == "Rapport (beleidsnota)"
    panel.report_button.click()
    folder = tmp_path / "scenario_grafiek_rapport"
    assert {p.name for p in folder.iterdir()} == set(B.FILES)
    assert set(panel.files) == set(B.FILES) and "Rapport gemaakt" in panel.message.value
    assert "report.pdf" in panel.links.value
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "Zoekperiode voor een leerwerkplek" in html
    # a second click without overwrite is refused and loses nothing
    before = (folder / "tabellen.xlsx").read_bytes()
    panel.report()
    assert "would be overwritten; nothing was written" in panel.message.value
    assert panel.files == {} or panel.links.value == ""
    assert (folder / "tabellen.xlsx").read_bytes() == before


def test_in_the_dashboard_the_report_is_only_offered_as_downloads(tmp_path):
    app = _app(tmp_path)
    panel = ExportPanel(app.chart, lang="en", folder=tmp_path, mode="browser")
    files = panel.report()
    assert set(files) == set(B.FILES) and files["report.pdf"][:4] == b"%PDF"
    assert not any(tmp_path.iterdir())  # nothing written on the server
    assert panel.report_button.description == "Report (policy note)"
    app.panel.controls["search_window_days"].widget.value = 35
    app.chart.redraw(results=app.results)  # what is shown changed: the links go
    assert panel.files == {} and panel.links.value == ""
