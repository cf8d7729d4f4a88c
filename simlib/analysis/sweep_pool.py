"""Where the tasks of a sweep run: threads here, local worker processes, or a Dask cluster.

:func:`execute` runs a list of independent tasks (the chunk tasks of
:mod:`simlib.analysis.uncertainty`) and returns their tables in order, whatever order they
finish in. Three places:

- ``None``: threads in this process (the kernel releases the GIL; the Python preparation of
  the draws does not, so two threads on two cores gain less than two processes);
- :data:`PROCESSES`: local worker processes. Forked ones where that is safe
  (:func:`fork_available`: the ``fork`` start method exists and this process runs no other
  Python thread, as on the command line): they start at once and inherit the imported
  modules and the tasks. Elsewhere (a Jupyter kernel runs threads; Windows has no fork) the
  reusable pool of ``loky`` (the process pool of the joblib project): fresh interpreters
  started without fork, kept between calls (a second sweep in a notebook pays no start-up)
  and ended after :data:`IDLE_SECONDS` without work;
- a Dask scheduler address: the tasks go to that cluster.

Ctrl-C (or a notebook's "interrupt the kernel") stops the sweep within seconds and leaves no
worker running a task.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import pandas as pd

__all__ = ["PROCESSES", "execute", "processes_available", "fork_available", "start_workers",
           "SchedulerUnreachable", "CONNECT_TIMEOUT", "IDLE_SECONDS"]

#: ``scheduler`` value for local worker processes (see :func:`execute`).
PROCESSES = "processes"
#: Seconds a loky worker waits idle for the next sweep before it ends.
IDLE_SECONDS = 300

#: The tasks and the task function of a sweep on forked worker processes: the children read
#: them from here (inherited memory), so a task (its Scenario objects) need not be pickled.
_FORKED: tuple[Callable, list[dict]] | None = None


def _forked_chunk(j: int) -> pd.DataFrame:
    run, tasks = _FORKED
    return run(tasks[j])


# --- stopping and connecting (Ctrl-C, Dask) ------------------------------------------------

#: Seconds to wait for a Dask scheduler to answer before :class:`SchedulerUnreachable`.
CONNECT_TIMEOUT = 5


class SchedulerUnreachable(ConnectionError):
    """No Dask scheduler answered at ``address`` within :data:`CONNECT_TIMEOUT` seconds (or
    what answered is not one); ``reason`` says what happened."""

    def __init__(self, address: str, reason: str):
        self.address, self.reason = address, reason
        super().__init__(f"{address}: cannot connect to a Dask scheduler ({reason})")


def _connect(address: str):
    """A ``dask.distributed.Client`` of the scheduler at ``address``, or
    :class:`SchedulerUnreachable` within about :data:`CONNECT_TIMEOUT` seconds (also when
    Dask, an optional extra, is not installed: only sweeps on a cluster need it)."""
    import contextlib

    try:
        from dask.distributed import Client
    except ImportError:
        raise SchedulerUnreachable(address, "Dask is not installed; install it with pip "
                                   "install 'duaal-leren-simulator[dask]'") from None

    client = Client.__new__(Client)  # kept, to be closed at once if connecting fails
    try:
        client.__init__(address, timeout=CONNECT_TIMEOUT)
    except Exception as exc:
        with contextlib.suppress(Exception):
            client.close(timeout=1)
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise SchedulerUnreachable(address, reason) from None
    return client


#: In a forked worker: Ctrl-C has come (no task starts any more) / a task is running
#: (Ctrl-C stops it at once, within the task's own code only, never while the pool sends a
#: result: that would leave the result pipe half-written).
_STOPPING = False
_IN_CHUNK = False


#: Seconds after which Ctrl-C is raised again when it came during a finaliser (see below).
_RETRY_S = 0.005


def _worker_ctrl_c(signum, frame) -> None:
    global _STOPPING, _IN_CHUNK
    _STOPPING = True
    if not _IN_CHUNK:
        return
    if _in_finaliser(frame):
        # an exception raised in a finaliser (``__del__``, run by the garbage collector in
        # the middle of the task) is printed as "Exception ignored" and lost: raise it once
        # the finaliser is done (the alarm calls this handler again)
        import signal

        signal.setitimer(signal.ITIMER_REAL, _RETRY_S)
        return
    _IN_CHUNK = False  # at most once a task, and never once it has returned
    raise KeyboardInterrupt


def _in_finaliser(frame) -> bool:
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def _worker_start() -> None:
    """Initializer of a forked worker: Ctrl-C ends its task and skips the rest."""
    import signal

    signal.signal(signal.SIGINT, _worker_ctrl_c)
    signal.signal(signal.SIGALRM, _worker_ctrl_c)  # Ctrl-C again after a finaliser


def _stoppable_chunk(j: int) -> pd.DataFrame:
    """:func:`_forked_chunk` in a worker that Ctrl-C stops between and within tasks."""
    global _IN_CHUNK
    try:
        _IN_CHUNK = True
        if _STOPPING:
            raise KeyboardInterrupt
        return _forked_chunk(j)
    finally:
        _IN_CHUNK = False


def _stop_workers(pool) -> None:
    """Stop a forked process pool now: pass Ctrl-C on to the workers (a terminal sends it to
    them too; ``kill -INT`` only to this process), drop the tasks not yet started and wait for
    the workers to exit. In one call: a second ``shutdown`` (the ``with`` block's) would undo
    ``cancel_futures`` before the pool acts on it. Not terminated: a worker killed while it
    sends a result leaves the result pipe half-written and the pool waiting forever."""
    import contextlib
    import signal

    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            os.kill(proc.pid, signal.SIGINT)
    pool.shutdown(wait=True, cancel_futures=True)


# --- end stopping and connecting -----------------------------------------------------------


def fork_available() -> bool:
    """Whether worker processes can be forked here: the ``fork`` start method exists (Linux,
    macOS) and this process runs no other Python thread (forking a process with threads,
    e.g. a Jupyter kernel, can deadlock)."""
    import multiprocessing as mp
    import threading

    return "fork" in mp.get_all_start_methods() and threading.active_count() == 1


def processes_available() -> bool:
    """Whether local worker processes can run a sweep here: forked ones
    (:func:`fork_available`) or, anywhere, loky's (a dependency of the package)."""
    if fork_available():
        return True
    try:
        import loky  # noqa: F401
    except ImportError:
        return False
    return True


def execute(tasks: list[dict], run: Callable[[dict], pd.DataFrame],
            run_here: Callable[[dict], pd.DataFrame], scheduler: str | None,
            threads: int | None, progress: Callable[[int, int], None] | None,
            sizes: Sequence[int] | None = None) -> pd.DataFrame:
    """Run ``tasks`` with ``run`` (in another process or on a Dask worker: it sets one BLAS
    thread itself) or ``run_here`` (threads in this process, under one BLAS thread set here),
    in ``threads`` workers (default one per core), and return their tables concatenated in
    task order. ``progress(done, total)`` counts ``sizes`` (units per task, default 1 each):
    called once per unit as the tasks finish."""
    results: list[pd.DataFrame | None] = [None] * len(tasks)
    sizes = list(sizes) if sizes is not None else [1] * len(tasks)
    total = sum(sizes)

    def collect(done_in_order) -> None:
        """Store each task's table (``(j, table)`` as they finish) and report progress."""
        done = 0
        for j, table in done_in_order:
            results[j] = table
            for _ in range(sizes[j]):  # one call per unit: a progress line counts them all
                done += 1
                if progress:
                    progress(done, total)

    workers = max(1, min(threads or os.cpu_count() or 1, len(tasks)))
    if scheduler == PROCESSES and fork_available():
        _forked(tasks, run, workers, collect)
    elif scheduler == PROCESSES:  # loky's pool keeps its size between sweeps (a resize
        # would end workers or start cold ones): one worker per core, or ``threads``
        _spawned(tasks, run, max(1, threads or os.cpu_count() or 1), collect)
    elif scheduler is None:
        from concurrent.futures import ThreadPoolExecutor, as_completed

        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"), \
                ThreadPoolExecutor(workers, thread_name_prefix="simlib-sweep") as pool:
            futures = {pool.submit(run_here, task): j for j, task in enumerate(tasks)}
            try:
                collect((futures[f], f.result()) for f in as_completed(futures))
            except BaseException:  # Ctrl-C or a failed task: only running tasks finish
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    else:
        from dask.distributed import as_completed

        with _connect(scheduler) as client:
            futures = client.map(run, tasks, pure=False)
            index = {f.key: j for j, f in enumerate(futures)}
            collect((index[f.key], f.result()) for f in as_completed(futures))
    return pd.concat(results, ignore_index=True)


def _forked(tasks, run, workers, collect) -> None:
    """The tasks on ``workers`` forked processes (see :func:`fork_available`)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    global _FORKED
    _FORKED = (run, tasks)
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"),
                                 initializer=_worker_start) as pool:
            futures = {pool.submit(_stoppable_chunk, j): j for j in range(len(tasks))}
            try:
                collect((futures[f], f.result()) for f in as_completed(futures))
            except BaseException:  # Ctrl-C or a failed task: stop now, not after all
                _stop_workers(pool)
                raise
    finally:
        _FORKED = None


def _loky_pool(workers: int):
    """loky's reusable pool of ``workers`` processes (RuntimeError without loky)."""
    try:
        from loky import get_reusable_executor
    except ImportError:
        raise RuntimeError("local worker processes need the fork start method and a process "
                           "without other threads, or the package loky (pip install loky); "
                           "use scheduler=None (threads)") from None
    return get_reusable_executor(max_workers=workers, timeout=IDLE_SECONDS)


def start_workers(warm_up: Callable[[], object], threads: int | None = None) -> list:
    """Start the worker processes a sweep with ``scheduler=PROCESSES`` will use here, without
    waiting: where fork is refused (a notebook kernel), loky's pool of ``threads`` workers
    (default one per core), each running ``warm_up()`` (imports, the compiled kernel), so
    that the first sweep finds them ready. Returns the futures (nothing where workers are
    forked: they start at once anyway). For an app that will sweep, e.g. when it is built."""
    if fork_available():
        return []
    workers = max(1, threads or os.cpu_count() or 1)
    pool = _loky_pool(workers)
    return [pool.submit(warm_up) for _ in range(workers)]


def _spawned(tasks, run, workers, collect) -> None:
    """The tasks on loky's reusable pool of ``workers`` processes started without fork (a
    notebook kernel, Windows). The tasks are pickled to the workers. On Ctrl-C or a failed
    task the tasks not started are dropped and the workers killed (loky replaces a killed
    pool at the next call), so nothing runs on after the sweep."""
    from concurrent.futures import as_completed

    pool = _loky_pool(workers)
    futures = {pool.submit(run, task): j for j, task in enumerate(tasks)}
    try:
        collect((futures[f], f.result()) for f in as_completed(futures))
    except BaseException:  # loky fails the tasks not started itself
        pool.shutdown(wait=True, kill_workers=True)
        raise
