# Voila settings of the dashboard (`make dashboard`, `python -m simlib.ui.dashboard`), read
# through --Voila.config_file_paths=dashboard. The template `simlib` lives in
# dashboard/voila/templates/simlib/ (found through JUPYTER_PATH, set by simlib.ui.dashboard).
from simlib.ui.dashboard import DEFAULT_POOL_SIZE, page_config_hook

c = get_config()  # noqa: F821 (traitlets config files get `get_config` from their loader)

c.Voila.ip = "127.0.0.1"                      # this machine only
c.VoilaConfiguration.template = "simlib"      # the lab template without CDN links
c.VoilaConfiguration.theme = "light"
c.VoilaConfiguration.page_config_hook = page_config_hook   # the landing page's catalogue
c.VoilaConfiguration.show_tracebacks = False  # an error message, not a traceback
c.VoilaConfiguration.strip_sources = True     # code cells hidden, also in the page source
# Preheated kernels: for each notebook NN_*.ipynb of the folder served, one kernel that has
# already run the notebook waits for a page (simlib/ui/dashboard_app.py fills the pools one
# notebook at a time, and a page only takes a spare kernel that has started; `--pool-size=0`
# turns this off). A kernel taken is replaced `fill_delay` seconds after its page opened.
c.VoilaConfiguration.preheat_kernel = DEFAULT_POOL_SIZE > 0
c.VoilaConfiguration.default_pool_size = DEFAULT_POOL_SIZE
c.VoilaKernelManager.fill_delay = 1.0
# A closed page ends its kernel, a page gone without a word 5 minutes later (the server,
# simlib/ui/dashboard_app.py: --DashboardApp.orphan_timeout). Behind that: kernels without a
# connection and idle for 30 minutes are stopped.
c.MappingKernelManager.cull_idle_timeout = 1800
c.MappingKernelManager.cull_interval = 300
