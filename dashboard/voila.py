# Voila settings of the dashboard (`make dashboard`, `python -m simlib.ui.dashboard`), read
# through --Voila.config_file_paths=dashboard. The template `simlib` lives in
# dashboard/voila/templates/simlib/ (found through JUPYTER_PATH, set by simlib.ui.dashboard).
from simlib.ui.dashboard import page_config_hook

c = get_config()  # noqa: F821 (traitlets config files get `get_config` from their loader)

c.Voila.ip = "127.0.0.1"                      # this machine only
c.VoilaConfiguration.template = "simlib"      # the lab template without CDN links
c.VoilaConfiguration.theme = "light"
c.VoilaConfiguration.page_config_hook = page_config_hook   # the landing page's catalogue
c.VoilaConfiguration.show_tracebacks = False  # an error message, not a traceback
c.VoilaConfiguration.strip_sources = True     # code cells hidden, also in the page source
# A closed page ends its kernel, a page gone without a word 5 minutes later (the server,
# simlib/ui/dashboard_app.py: --DashboardApp.orphan_timeout). Behind that: kernels without a
# connection and idle for 30 minutes are stopped.
c.MappingKernelManager.cull_idle_timeout = 1800
c.MappingKernelManager.cull_interval = 300
