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
  (:func:`simlib.ui.dashboard.cap_page`).
"""

from __future__ import annotations

import asyncio
import contextvars
import secrets
import sys
import tempfile

import tornado.web
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
