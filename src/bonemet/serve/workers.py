"""SPARQL evaluation with pyoxigraph in worker processes that can be killed.

pyoxigraph cannot be interrupted from inside, and a pathological query can overflow its
stack and abort the process. So every query runs in a worker process holding its own
in-memory copy of the (small) graph: a query over the time limit has its worker killed and
replaced, a crash costs that one query, and the server process never evaluates anything.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from bonemet.formats import by_name
from bonemet.namespaces import GRAPH
from bonemet.serve.results import Answer, Request, error_answer, execute


def _release_memory():
    """A function that hands freed heap back to the system (glibc's malloc_trim), or a no-op.

    A big aggregation leaves hundreds of MB free but still mapped in the worker; forked workers
    share the loaded store, so what matters is what each holds privately between queries."""
    import ctypes
    import ctypes.util

    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return lambda: None
    return lambda: trim(0)


def _serve_queries(conn, store) -> None:
    release = _release_memory()
    while True:
        try:
            req = conn.recv()
        except EOFError:
            return
        try:
            answer = execute(store, req)
        except Exception as exc:  # noqa: BLE001 - a bug must cost one query, not the worker
            answer = error_answer(500, f"query evaluation failed: {type(exc).__name__}: {exc}")
        conn.send(answer)
        release()


def _load(store, dataset: str, data_files: list[tuple[str, str]], batch: int = 100_000) -> None:
    """Stream the files into the store in batches: bulk loading a whole file at once buffers
    it in memory (about 900 MB for a 1M-triple registry), batches keep that under 200 MB."""
    from itertools import islice

    import pyoxigraph as ox

    sources = [(dataset, "trig", None)] + [(p, f, ox.NamedNode(DATA_GRAPH)) for p, f in data_files]
    for path, fmt, graph in sources:
        quads = (ox.Quad(q.subject, q.predicate, q.object, graph or q.graph_name)
                 for q in ox.parse(path=path, format=by_name(fmt).oxigraph))
        try:
            while chunk := list(islice(quads, batch)):
                store.bulk_extend(chunk)
        except SyntaxError as exc:
            raise ValueError(f"{path}: not valid {fmt}: {exc.msg}") from None


def _zygote_main(control, address: str, authkey: bytes, dataset: str, data_files: list[tuple[str, str]],
                 disk_dir: str | None) -> None:
    """Load the data once, then fork query workers on demand, which start in milliseconds.

    In memory (small data), the workers inherit the loaded store. On disk (large data), the
    store is written to `disk_dir` and each worker opens it read-only: Oxigraph's in-memory store
    is copied page by page into every worker as queries touch it (reads update reference
    counts), so in-memory workers cost a full copy of the data each."""
    import os
    import signal
    from multiprocessing.connection import Client

    import pyoxigraph as ox

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # forked workers are reaped by the kernel
    store: ox.Store | None = ox.Store(disk_dir) if disk_dir else ox.Store()
    assert store is not None
    try:
        _load(store, dataset, data_files)
        triples = len(store)
        if disk_dir:
            store.flush()
            del store
            store = None
    except ValueError as exc:
        control.send(("error", str(exc)))
        return
    except OSError as exc:
        control.send(("error", f"cannot load the data: {exc}"))
        return
    control.send(("ready", triples))
    while True:
        try:
            control.recv()
        except EOFError:
            return                                   # the server has gone
        if os.fork() == 0:
            control.close()
            conn = Client(address, authkey=authkey)
            conn.send(os.getpid())
            _serve_queries(conn, store if store is not None else ox.Store.read_only(str(disk_dir)))
            os._exit(0)


# ---------------------------------------------------------------- the pool (server side)

DATA_GRAPH = str(GRAPH["data"])   # where `serve --data` files go


class EngineError(Exception):
    """The query engine could not start; the message says why."""


class _Worker:
    def __init__(self, conn, pid: int):
        self.conn, self.pid = conn, pid

    def kill(self) -> None:
        import os
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.conn.close()


class QueryEngine:
    """A pool of query workers over the TriG dataset `dataset` plus `data_files` (path, format),
    the latter in the named graph DATA_GRAPH. Queries see the union of all graphs."""

    def __init__(self, dataset: Path, *, workers: int = 2, timeout: float = 30.0, max_results: int = 10_000,
                 base_iri: str | None = None, data_files: Sequence[tuple[Path, str]] = (), on_disk: bool = False):
        import os
        import secrets
        import tempfile
        from multiprocessing.connection import Listener

        self.dataset, self.timeout, self.max_results, self.base_iri = dataset, timeout, max_results, base_iri
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._size = workers
        self._closed = False
        self._spawn_lock = threading.Lock()
        self._socket_dir = tempfile.mkdtemp(prefix="bonemet-engine-")
        address, authkey = os.path.join(self._socket_dir, "workers"), secrets.token_bytes(16)
        self._listener = Listener(address, family="AF_UNIX", authkey=authkey)
        self._control, child = self._ctx.Pipe()
        self.on_disk = on_disk
        self._zygote = self._ctx.Process(target=_zygote_main, daemon=True, args=(
            child, address, authkey, str(dataset), [(str(p), fmt) for p, fmt in data_files],
            os.path.join(self._socket_dir, "store") if on_disk else None))
        self._zygote.start()
        child.close()
        try:
            status, detail = self._control.recv()
        except EOFError:
            status, detail = "error", "the loader process died (out of memory?)"
        if status != "ready":
            self.close()
            raise EngineError(detail)
        self.triples = detail
        for _ in range(workers):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        with self._spawn_lock:
            self._control.send("fork")
            conn = self._listener.accept()
            return _Worker(conn, conn.recv())

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        if not self._closed:
            self._idle.put(self._spawn())

    def run(self, query: str, *, accept: str | None = None, format: str | None = None,
            default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
            max_results: int | None = None) -> Answer:
        start = time.monotonic()
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return error_answer(503, f"all {self._size} query workers stayed busy for {self.timeout:g} s; try again later")
        left = max(0.1, self.timeout - (time.monotonic() - start))
        try:
            worker.conn.send(Request(query, accept, format, default_graphs or [], named_graphs or [],
                                     max_results or self.max_results, self.base_iri))
            if not worker.conn.poll(left):
                self._replace(worker)
                return error_answer(503, f"the query ran longer than the {self.timeout:g} s limit and was stopped")
            answer = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            return error_answer(500, "the query crashed its worker process (too deep or too large?); "
                               "the service goes on")
        self._idle.put(worker)
        return answer

    def close(self) -> None:
        import shutil

        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                break
        self._control.close()                 # the loader exits when its control pipe closes
        self._zygote.join(5)
        if self._zygote.is_alive():
            self._zygote.kill()
        self._listener.close()
        shutil.rmtree(self._socket_dir, ignore_errors=True)
