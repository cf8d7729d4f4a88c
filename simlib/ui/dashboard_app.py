"""The dashboard's server: Voila, with what a notebook server on this computer needs besides.

``python -m simlib.ui.dashboard_app NOTEBOOKS --port=PORT ...`` (started by
:mod:`simlib.ui.dashboard`, ``make dashboard``) is Voila's own application
(:class:`voila.app.Voila`, same options, same ``dashboard/voila.py`` settings) with:

- **a Host allow-list**: a request whose ``Host`` header is not ``127.0.0.1``, ``localhost``
  or ``[::1]`` with the server's port gets 403, web sockets included, before any handler runs
  (:func:`simlib.ui.dashboard.host_allowed`). A page of another site that rebinds its own name
  to 127.0.0.1 (DNS rebinding) sends its own name: refused. jupyter_server's own check
  (``allow_remote_access=False``, ``local_hostnames``) is on as well;
- **only the kernel messages a page needs** (:data:`simlib.ui.dashboard.PAGE_MESSAGE_TYPES`):
  the widgets' comm messages and ``kernel_info_request``. ``shutdown_request`` (which Voila
  allows), ``execute_request`` and the rest are dropped, so a client that reaches a kernel
  cannot end it or run code in it. ``DELETE /api/kernels/<id>`` is refused too (405);
- **a kernel ends with its page**: the page's closing call (``POST
  /voila/api/shutdown/<id>``, sent as the page is left) needs the ``_xsrf`` cookie, which
  Voila 0.5.13 never sets on a notebook page, so every call was refused (403) and every
  visit left its kernel for 30 minutes. The page handler sets it. A kernel whose page went
  without the call (a crashed tab) is ended ``orphan_timeout`` seconds after its web socket
  closed;
- **caps on open kernels**: at most ``max_kernels`` for the server and
  ``max_kernels_per_client`` per browser (a cookie ``simlib_client``: every browser here
  comes from 127.0.0.1, so the address cannot tell them apart); a page over a cap gets
  HTTP 503 and a page in Dutch and English saying how many pages are open and to close one
  (:func:`simlib.ui.dashboard.cap_page`);
- **preheated kernels, filled one notebook at a time**: Voila's pool (``preheat_kernel``,
  ``default_pool_size`` in ``dashboard/voila.py``, :data:`simlib.ui.dashboard.DEFAULT_POOL_SIZE`)
  keeps for every notebook ``NN_*.ipynb`` a kernel that has already run it, so a page opens
  without the kernel start, the imports and the notebook's first runs. Voila starts every
  pool at once (ten notebooks running together on a small machine); here one pool kernel
  runs its notebook at a time, and a page takes a spare kernel only once it has started
  (else it starts its own, as without a pool, instead of waiting in the queue). A spare
  kernel counts against no cap (:meth:`simlib.ui.dashboard.KernelLedger.spare`). The
  dashboard passes nothing to a notebook in its address (the language is the page's own
  toggle), so a notebook run before its page was asked for shows the same page.
"""

from __future__ import annotations

import asyncio
import contextvars
import fnmatch
import secrets
import sys
import tempfile
from pathlib import Path
from unittest import mock

import tornado.web
import voila.app as _voila_app
from jupyter_core.utils import ensure_async
from jupyter_server.services.kernels.handlers import KernelHandler
from tornado.ioloop import PeriodicCallback
from traitlets import Float, Integer
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from simlib.ui import dashboard as D

__all__ = ["DashboardApp", "main"]

#: The ticket of the page request being served (set by the page handler, read by the kernel
#: manager when that request starts its kernel).
_TICKET: contextvars.ContextVar[D.Ticket | None] = contextvars.ContextVar("simlib_ticket",
                                                                         default=None)

_REFUSED_HOST = ("<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"utf-8\">"
                 "<title>Geweigerd · Refused</title></head><body>"
                 "<h1>Geweigerd · Refused</h1>"
                 "<p lang=\"nl\">Dit dashboard antwoordt alleen op 127.0.0.1, localhost of "
                 "[::1] met zijn eigen poort.</p>"
                 "<p lang=\"en\">This dashboard only answers at 127.0.0.1, localhost or "
                 "[::1] with its own port.</p></body></html>")


class _RefusedHostHandler(tornado.web.RequestHandler):
    """403 for a request to a Host not on the allow-list (every method, web sockets too)."""

    def prepare(self):
        self.set_status(403)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(_REFUSED_HOST)


class _GuardedApplication(tornado.web.Application):
    """Voila's tornado application, with the Host allow-list in front of every handler."""

    def __init__(self, port_of, *args, **kwargs):
        self._port_of = port_of
        super().__init__(*args, **kwargs)

    def find_handler(self, request, **kwargs):
        if not D.host_allowed(request.host, self._port_of()):
            return self.get_handler_delegate(request, _RefusedHostHandler)
        return super().find_handler(request, **kwargs)


class _KernelModelHandler(KernelHandler):
    """``/api/kernels/<id>``: the model (the page reads it); no DELETE (pages do not)."""

    async def delete(self, kernel_id):
        raise tornado.web.HTTPError(405)


def _ledgered(base):
    """``base`` (Voila's kernel manager class) telling the app's ledger about kernels."""

    class LedgeredKernelManager(base):
        @property
        def _ledger(self) -> D.KernelLedger:
            return self.parent.ledger

        async def start_kernel(self, *args, **kwargs):
            kernel_id = await ensure_async(super().start_kernel(*args, **kwargs))
            ticket = _TICKET.get()
            if ticket is not None and ticket.kernel_id is None:
                self._ledger.started(ticket, kernel_id)
            return kernel_id

        async def shutdown_kernel(self, kernel_id, now=False, restart=False):
            if not restart:
                self._ledger.ending(kernel_id)
            return await ensure_async(super().shutdown_kernel(kernel_id, now=now,
                                                              restart=restart))

        def notify_connect(self, kernel_id):
            super().notify_connect(kernel_id)
            self._ledger.connected(kernel_id)

        def notify_disconnect(self, kernel_id):
            super().notify_disconnect(kernel_id)
            self._ledger.disconnected(kernel_id)

    LedgeredKernelManager.__name__ = f"Ledgered{base.__name__}"
    return LedgeredKernelManager


def _pooled(base):
    """``base`` (the class of Voila's pool of preheated kernels) filled one notebook at a
    time, with its spare kernels told to the ledger, and only started kernels offered."""

    class PooledKernelManager(base):
        _gate: asyncio.Semaphore | None = None

        def _notebook_filter(self, nb_path) -> bool:
            """Only the notebooks the landing page lists (``NN_*.ipynb`` in the folder served,
            not below it) get a pool; Voila passes the path under the root folder."""
            top = Path(nb_path).parent.resolve() == Path(self.root_dir).resolve()
            return (top and fnmatch.fnmatch(Path(nb_path).name, D.NOTEBOOK_GLOB)
                    and super()._notebook_filter(nb_path))

        def _ready(self, notebook_name: str) -> list:
            return [t for t in self._pools.get(notebook_name, [])
                    if t.done() and not t.cancelled() and t.exception() is None]

        def get_pool_size(self, notebook_name: str) -> int:
            """Spare kernels that have started (a page never waits for one in the queue)."""
            return len(self._ready(notebook_name))

        async def get_rendered_notebook(self, notebook_name: str, *args, **kwargs):
            pool = self._pools.get(notebook_name, [])
            pool.sort(key=lambda t: t not in self._ready(notebook_name))  # started first
            task, cache, kernel_id = await super().get_rendered_notebook(notebook_name, *args,
                                                                        **kwargs)
            ticket = _TICKET.get()
            if ticket is not None and ticket.kernel_id is None:
                self.parent.ledger.started(ticket, kernel_id)
            return task, cache, kernel_id

        async def _initialize(self, notebook_path: str, kernel_id: str | None = None, **kwargs):
            if kernel_id is not None:  # a restart: no new pool kernel
                return await super()._initialize(notebook_path, kernel_id, **kwargs)
            _TICKET.set(None)  # this task's own context: not the page that caused the refill
            if self._gate is None:
                self._gate = asyncio.Semaphore(1)
            gate = self._gate
            await gate.acquire()
            try:
                content = await super()._initialize(notebook_path, None, **kwargs)
            except BaseException:
                gate.release()
                raise
            self.parent.ledger.spare(content["kernel_id"])
            content["task"].add_done_callback(lambda _t: gate.release())  # notebook run
            return content

    PooledKernelManager.__name__ = f"Pooled{base.__name__}"
    return PooledKernelManager


class _PageHandler(TornadoVoilaHandler):
    """A notebook page: the ``_xsrf`` cookie its closing call needs, the client cookie, and
    the kernel caps (503 and :func:`simlib.ui.dashboard.cap_page` over a cap)."""

    def _client(self) -> str:
        cookie = self.get_cookie(D.CLIENT_COOKIE)
        if not cookie or len(cookie) > 64 or not cookie.isalnum():
            cookie = secrets.token_hex(16)
            self.set_cookie(D.CLIENT_COOKIE, cookie, httponly=True, samesite="Strict")
        return f"{self.request.remote_ip}/{cookie}"

    @tornado.web.authenticated
    async def get(self, path=None):
        self.xsrf_token  # noqa: B018 (sets the _xsrf cookie, read by the page's closing call)
        if not (path or "").lower().endswith(".ipynb"):  # not a notebook: Voila redirects
            return await super().get(path)
        ledger: D.KernelLedger = self.settings["simlib_ledger"]
        admitted = ledger.admit(self._client(), self.kernel_manager.list_kernel_ids())
        if isinstance(admitted, D.Refusal):
            self.log.warning("simlib: no kernel for %s (%s cap %d reached, %d open)",
                             self.request.path, admitted.scope, admitted.cap, admitted.open)
            self.set_status(503)
            self.set_header("Retry-After", "10")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(D.cap_page(admitted, self.base_url, self.request.uri))
            return
        token = _TICKET.set(admitted)
        try:
            await super().get(path)
        finally:
            _TICKET.reset(token)
            ledger.page_done(admitted)


class DashboardApp(Voila):
    """Voila with the Host allow-list, the page's kernel messages only, kernels ended with
    their page and capped (see the module's docstring). Settings: ``dashboard/voila.py``;
    ``--DashboardApp.max_kernels=N`` etc. on the command line."""

    max_kernels = Integer(D.DEFAULT_MAX_KERNELS, config=True,
                          help="Notebook pages (kernels) open at once on this server.")
    max_kernels_per_client = Integer(D.DEFAULT_MAX_KERNELS_PER_CLIENT, config=True,
                                     help="Notebook pages (kernels) open at once per browser.")
    orphan_timeout = Float(D.DEFAULT_ORPHAN_TIMEOUT, config=True,
                           help="Seconds a kernel lives on without its page.")

    aliases = {**Voila.aliases, "max-kernels": "DashboardApp.max_kernels",
               "max-kernels-per-client": "DashboardApp.max_kernels_per_client",
               "orphan-timeout": "DashboardApp.orphan_timeout"}

    def init_settings(self):
        self.ledger = D.KernelLedger(self.max_kernels, self.max_kernels_per_client)
        config = self.voila_configuration
        config.multi_kernel_manager_class = _ledgered(config.multi_kernel_manager_class)
        factory = _voila_app.voila_kernel_manager_factory

        def pooled_factory(base, preheat, *args, **kwargs):
            made = factory(base, preheat, *args, **kwargs)
            return _pooled(made) if preheat else made

        with mock.patch.object(_voila_app, "voila_kernel_manager_factory", pooled_factory):
            settings = super().init_settings()
        self.kernel_manager.allowed_message_types = list(D.PAGE_MESSAGE_TYPES)
        settings.update(allow_remote_access=False, local_hostnames=["localhost"],
                        simlib_ledger=self.ledger)
        return settings

    def init_handlers(self):
        swap = {TornadoVoilaHandler: _PageHandler, KernelHandler: _KernelModelHandler}
        return [(rule[0], swap.get(rule[1], rule[1]), *rule[2:]) for rule in
                super().init_handlers()]

    async def _end_orphans(self) -> None:
        for kernel_id in self.ledger.orphans(self.kernel_manager.list_kernel_ids(),
                                             self.orphan_timeout):
            self.log.info("simlib: ending kernel %s, its page is gone", kernel_id)
            try:
                await ensure_async(self.kernel_manager.shutdown_kernel(kernel_id))
            except Exception as exc:  # gone meanwhile: nothing to end
                self.log.debug("simlib: kernel %s: %s", kernel_id, exc)

    def start(self):
        # Voila.start, with the guarded application and the orphan check
        self.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=self.connection_dir_root)
        self.log.info("Storing connection files in %s.", self.connection_dir)
        settings = self.init_settings()
        self.app = _GuardedApplication(lambda: self.port, **settings)
        self.app.settings.update(self.tornado_settings)
        self.app.add_handlers(".*$", self.init_handlers())
        every = max(1.0, min(30.0, self.orphan_timeout / 4))
        PeriodicCallback(lambda: asyncio.ensure_future(self._end_orphans()),
                         every * 1000).start()
        self.log.info("simlib: at most %d kernels, %d per browser; a kernel without its page "
                      "ends after %.0f s", self.max_kernels, self.max_kernels_per_client,
                      self.orphan_timeout)
        self.listen()


def main(argv=None) -> None:
    DashboardApp.launch_instance(argv)


if __name__ == "__main__":
    sys.exit(main())
