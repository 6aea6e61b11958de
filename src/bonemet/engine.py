"""SPARQL evaluation with pyoxigraph in worker processes that can be killed.

pyoxigraph cannot be interrupted from inside, and a pathological query can overflow its
stack and abort the process. So every query runs in a worker process holding its own
in-memory copy of the (small) graph: a query over the time limit has its worker killed and
replaced, a crash costs that one query, and the server process never evaluates anything.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .conneg import GRAPH_TYPES, RESULTS_TYPES, NotAcceptable, choose
from .namespace import GRAPH

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    truncated_at: int | None = None  # the row/triple limit, when the result was cut there


@dataclass
class Request:
    query: str
    accept: str | None
    format: str | None
    default_graphs: list[str]
    named_graphs: list[str]
    max_results: int
    base_iri: str | None = None


def error_answer(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


# ---------------------------------------------------------------- serializers (run in workers)

def _term_json(term) -> dict:
    import pyoxigraph as ox
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _term_xml(term) -> str:
    import pyoxigraph as ox
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _csv_cell(term) -> str:
    import pyoxigraph as ox
    if term is None:
        return ""
    value = f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value
    if any(c in value for c in ',"\n\r'):
        value = '"' + value.replace('"', '""') + '"'
    return value


def serialize_solutions(variables: list[str], rows: list, media: str) -> bytes:
    if media == "application/sparql-results+json":
        bindings = [{v: _term_json(row[v]) for v in variables if row[v] is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if media == "application/sparql-results+xml":
        out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out += ["</head>", "<results>"]
        for row in rows:
            out.append("<result>" + "".join(f"<binding name={quoteattr(v)}>{_term_xml(row[v])}</binding>"
                                            for v in variables if row[v] is not None) + "</result>")
        out += ["</results>", "</sparql>"]
        return "\n".join(out).encode("utf-8")
    if media == "text/csv":
        lines = [",".join(variables)] + [",".join(_csv_cell(row[v]) for v in variables) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    # text/tab-separated-values: terms in SPARQL/Turtle syntax
    lines = ["\t".join("?" + v for v in variables)]
    lines += ["\t".join("" if row[v] is None else str(row[v]) for v in variables) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def serialize_boolean(value: bool, media: str) -> bytes:
    if media == "application/sparql-results+json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if media == "application/sparql-results+xml":
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode("utf-8")
    return (("true" if value else "false") + "\n").encode("utf-8")


def serialize_triples(triples: list, media: str) -> bytes:
    import pyoxigraph as ox
    fmt = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
           "application/ld+json": ox.RdfFormat.JSON_LD, "application/rdf+xml": ox.RdfFormat.RDF_XML}[media]
    return ox.serialize(triples, format=fmt)


CONTENT_TYPES = {m: m + ("; charset=utf-8" if m.startswith("text/") or m.endswith("json") else "")
                 for m in list(RESULTS_TYPES) + list(GRAPH_TYPES)}


def execute(store, req: Request) -> Answer:
    """Evaluate one query on a pyoxigraph store (inside a worker)."""
    import pyoxigraph as ox
    try:
        default_graphs = [ox.NamedNode(g) for g in req.default_graphs]
        named_graphs = [ox.NamedNode(g) for g in req.named_graphs]
    except (ValueError, SyntaxError) as exc:
        return error_answer(400, f"bad graph IRI in default-graph-uri or named-graph-uri: {exc}")
    kwargs = {"default_graph": default_graphs} if default_graphs else {"use_default_graph_as_union": True}
    if named_graphs:
        kwargs["named_graphs"] = named_graphs
    try:
        result = store.query(req.query, base_iri=req.base_iri, **kwargs)
        if isinstance(result, ox.QueryBoolean):
            return answer_boolean(bool(result), req)
        if isinstance(result, ox.QuerySolutions):
            return answer_solutions([v.value for v in result.variables], result, req)
        return answer_graph(result, req)
    except NotAcceptable as exc:
        return error_answer(406, str(exc))
    except SyntaxError as exc:
        return error_answer(400, f"malformed query: {exc}")
    except ValueError as exc:  # invalid arguments the engine itself rejects
        return error_answer(400, f"bad request: {exc}")
    except OSError as exc:
        return error_answer(500, f"query evaluation failed: {exc}")


def answer_boolean(value: bool, req: Request) -> Answer:
    media = choose(["application/sparql-results+json", "application/sparql-results+xml",
                    "text/csv", "text/tab-separated-values"], req.accept, req.format)
    return Answer(200, CONTENT_TYPES[media], serialize_boolean(value, media))


def answer_solutions(variables: list[str], rows, req: Request) -> Answer:
    """Rows: anything indexable by variable name, None where unbound."""
    media = choose(list(RESULTS_TYPES), req.accept, req.format)
    rows = list(islice(rows, req.max_results + 1))
    cut = len(rows) > req.max_results
    return Answer(200, CONTENT_TYPES[media], serialize_solutions(variables, rows[:req.max_results], media),
                  req.max_results if cut else None)


def answer_graph(triples, req: Request) -> Answer:
    media = choose(list(GRAPH_TYPES), req.accept, req.format)
    triples = list(islice(triples, req.max_results + 1))
    cut = len(triples) > req.max_results
    return Answer(200, CONTENT_TYPES[media], serialize_triples(triples[:req.max_results], media),
                  req.max_results if cut else None)


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

    from .abox_reasoning import OX_FORMATS

    sources = [(dataset, "trig", None)] + [(p, f, ox.NamedNode(DATA_GRAPH)) for p, f in data_files]
    for path, fmt, graph in sources:
        quads = (ox.Quad(q.subject, q.predicate, q.object, graph or q.graph_name)
                 for q in ox.parse(path=path, format=OX_FORMATS[fmt]))
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
    store = ox.Store(disk_dir) if disk_dir else ox.Store()
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
            _serve_queries(conn, store if store is not None else ox.Store.read_only(disk_dir))
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
                 base_iri: str | None = None, data_files: list[tuple[Path, str]] = (), on_disk: bool = False):
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
