"""SPARQL evaluation with pyoxigraph in worker processes that can be killed.

pyoxigraph cannot be interrupted from inside, and a pathological query can overflow its
stack and abort the process. So every query runs in a worker process holding its own
in-memory copy of the (small) graph: a query over the time limit has its worker killed and
replaced, a crash costs that one query, and the server process never evaluates anything.
"""

from __future__ import annotations

import asyncio
import collections
import multiprocessing
import pickle
import struct
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
    """A query worker's process and its end of the socket, non-blocking for the event loop.

    Messages are framed as multiprocessing.Connection frames them (a 4-byte big-endian length, or
    -1 and an 8-byte length, then a pickle): the worker side is a plain Connection."""

    def __init__(self, conn, pid: int):
        import os
        import socket

        self.conn, self.pid = conn, pid
        self.sock = socket.socket(fileno=os.dup(conn.fileno()))
        self.sock.setblocking(False)

    async def send(self, loop: asyncio.AbstractEventLoop, message: object) -> None:
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        header = struct.pack("!i", len(payload)) if len(payload) < 0x7FFFFFFF else struct.pack("!iQ", -1, len(payload))
        await loop.sock_sendall(self.sock, header + payload)

    async def receive(self, loop: asyncio.AbstractEventLoop) -> object:
        (size,) = struct.unpack("!i", await self._exactly(loop, 4))
        if size == -1:
            (size,) = struct.unpack("!Q", await self._exactly(loop, 8))
        return pickle.loads(await self._exactly(loop, size))

    async def _exactly(self, loop: asyncio.AbstractEventLoop, n: int) -> bytearray:
        buf = bytearray(n)
        view, got = memoryview(buf), 0
        while got < n:
            k = await loop.sock_recv_into(self.sock, view[got:])
            if k == 0:
                raise EOFError("the worker closed its connection")
            got += k
        return buf

    def kill(self) -> None:
        import os
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.sock.close()
        self.conn.close()


class QueryEngine:
    """A pool of query workers over the TriG dataset `dataset` plus `data_files` (path, format),
    the latter in the named graph DATA_GRAPH. Queries see the union of all graphs.

    The pool lives on one asyncio event loop: the server's (`attach`), so that a query goes from
    the HTTP request to its worker and back without a thread hand-off; `run` is for other threads."""

    def __init__(self, dataset: Path, *, workers: int = 2, timeout: float = 30.0, max_results: int = 10_000,
                 base_iri: str | None = None, data_files: Sequence[tuple[Path, str]] = (), on_disk: bool = False):
        import os
        import secrets
        import tempfile
        from multiprocessing.connection import Listener

        self.dataset, self.timeout, self.max_results, self.base_iri = dataset, timeout, max_results, base_iri
        self._ctx = multiprocessing.get_context("spawn")
        # a stack, not a queue: at low load the same worker, with warm caches, takes the next query
        self._idle: list[_Worker] = []
        self._workers: set[_Worker] = set()      # idle or busy: all are stopped on close
        self._waiting: collections.deque[asyncio.Future] = collections.deque()
        self._size = workers
        self._closed = False
        self.loop: asyncio.AbstractEventLoop | None = None
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
        self._idle = [self._spawn() for _ in range(workers)]

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Run the pool on `loop` (the server's), which must not be running a pool query yet."""
        self.loop = loop

    def _spawn(self) -> _Worker:
        with self._spawn_lock:
            self._control.send("fork")
            conn = self._listener.accept()
            worker = _Worker(conn, conn.recv())
            self._workers.add(worker)
            return worker

    def _release(self, worker: _Worker) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    async def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self._workers.discard(worker)
        if not self._closed:
            assert self.loop is not None
            self._release(await self.loop.run_in_executor(None, self._spawn))

    async def _acquire(self, timeout: float) -> _Worker | None:
        if self._idle:
            return self._idle.pop()
        assert self.loop is not None
        waiter = self.loop.create_future()
        self._waiting.append(waiter)
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            if waiter.done():             # handed a worker just as the time ran out: give it back
                self._release(waiter.result())
            waiter.cancel()
            return None

    async def arun(self, query: str, *, accept: str | None = None, format: str | None = None,
                   default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
                   max_results: int | None = None) -> Answer:
        """Evaluate a query in a worker; on the pool's loop."""
        start = time.monotonic()
        worker = await self._acquire(self.timeout)
        if worker is None:
            return error_answer(503, f"all {self._size} query workers stayed busy for {self.timeout:g} s; try again later")
        left = max(0.1, self.timeout - (time.monotonic() - start))
        assert self.loop is not None
        try:
            await worker.send(self.loop, Request(query, accept, format, default_graphs or [], named_graphs or [],
                                                 max_results or self.max_results, self.base_iri))
            answer = await asyncio.wait_for(worker.receive(self.loop), left)
            assert isinstance(answer, Answer)
        except TimeoutError:
            await self._replace(worker)
            return error_answer(503, f"the query ran longer than the {self.timeout:g} s limit and was stopped")
        except (EOFError, OSError, struct.error, pickle.UnpicklingError):
            await self._replace(worker)
            return error_answer(500, "the query crashed its worker process (too deep or too large?); "
                               "the service goes on")
        self._release(worker)
        return answer

    def run(self, query: str, *, accept: str | None = None, format: str | None = None,
            default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
            max_results: int | None = None) -> Answer:
        """`arun` from a thread other than the pool's loop (a loop of its own when none is attached)."""
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
            threading.Thread(target=self.loop.run_forever, name="bonemet-engine", daemon=True).start()
        call = self.arun(query, accept=accept, format=format, default_graphs=default_graphs,
                         named_graphs=named_graphs, max_results=max_results)
        return asyncio.run_coroutine_threadsafe(call, self.loop).result()

    def close(self) -> None:
        import shutil

        self._closed = True
        for worker in list(self._workers):
            worker.kill()
        self._idle, self._workers = [], set()
        self._control.close()                 # the loader exits when its control pipe closes
        self._zygote.join(5)
        if self._zygote.is_alive():
            self._zygote.kill()
        self._listener.close()
        shutil.rmtree(self._socket_dir, ignore_errors=True)
