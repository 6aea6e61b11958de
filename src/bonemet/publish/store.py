"""Publishing the built graph to an external store over the SPARQL 1.1 Graph Store HTTP Protocol.

Each graph (asserted, inferred, shapes) is replaced by one HTTP PUT, which stores apply as a
single transaction: a failed PUT leaves that graph's previous version in place. Bodies are
streamed from the file in blocks, so progress can be shown and nothing large is held in memory.
Transient failures (connection errors, timeouts, 5xx) are retried with exponential back-off;
other refusals (4xx) are not. Afterwards, each graph's triple count is read back through the
store's SPARQL endpoint and compared with the local build.
"""

from __future__ import annotations

import base64
import http.client
import json
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bonemet.formats import RELEASE_GRAPHS
from bonemet.namespaces import GRAPH

CHUNK = 256 * 1024


class PublishError(Exception):
    """Publishing stopped; `exit_code` tells the kind, the message what the store now holds."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


UNREACHABLE, REFUSED, STORE_ERROR, MISMATCH = 3, 4, 5, 1


@dataclass
class Upload:
    graph: str
    path: Path
    media: str
    triples: int


@dataclass
class Target:
    store: str                        # Graph Store Protocol endpoint, e.g. http://host:7878/store
    sparql: str                       # SPARQL query endpoint, e.g. http://host:7878/query
    auth: str | None = None           # "user:password" (Basic) or "Bearer TOKEN"
    timeout: float = 60.0
    retries: int = 4
    backoff: float = 1.0
    headers: dict = field(default_factory=dict)

    def __post_init__(self):
        for url in (self.store, self.sparql):
            parts = urllib.parse.urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise PublishError(f"{url}: not an http(s) URL", 2)
        if self.auth:
            self.headers["Authorization"] = authorization(self.auth)


def authorization(auth: str) -> str:
    """The Authorization header for "USER:PASSWORD" (HTTP Basic) or "Bearer TOKEN"."""
    if auth.lower().startswith("bearer "):
        return auth
    return "Basic " + base64.b64encode(auth.encode("utf-8")).decode("ascii")


def uploads_for(dist: Path, shapes: list[Path], workdir: Path, graph_base: str = str(GRAPH)) -> list[Upload]:
    """What a publication consists of: the built graphs and the shapes, each in its named graph."""
    out = []
    for name, stem in RELEASE_GRAPHS.items():
        path = dist / f"{stem}.nt"
        if not path.is_file():
            raise PublishError(f"{path} not found; run `bonemet build` first", 2)
        out.append(Upload(graph_base + name, path, "application/n-triples", _count_ntriples(path)))
    out.append(Upload(graph_base + "shapes", _shapes_file(shapes, workdir), "application/n-triples", -1))
    out[-1].triples = _count_ntriples(out[-1].path)
    return out


def _shapes_file(shapes: list[Path], workdir: Path) -> Path:
    """The shapes as one N-Triples file, so they upload and count like the graphs."""
    from rdflib import Graph

    g = Graph()
    for path in shapes:
        g.parse(path, format="turtle")
    target = workdir / "shapes.nt"
    target.write_text(g.serialize(format="nt"), encoding="utf-8")
    return target


def _count_ntriples(path: Path) -> int:
    """Distinct triples of an N-Triples file, as the store will count them."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return len(store)


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urllib.parse.urlsplit(url)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    path = parts.path or "/"
    return cls(parts.hostname or "", parts.port, timeout=timeout), path + (f"?{parts.query}" if parts.query else "")


def _chunks(path: Path, progress: Callable[[int], None]) -> Iterator[bytes]:
    sent = 0
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            sent += len(block)
            progress(sent)
            yield block


def _describe_status(status: int, body: bytes, url: str) -> str:
    text = body.decode("utf-8", "replace").strip().splitlines()
    detail = f": {text[0][:200]}" if text else ""
    if status in (401, 403):
        return f"{url} refused the credentials (HTTP {status}){detail}; check --auth"
    if status == 404:
        return f"{url} has no Graph Store endpoint there (HTTP 404){detail}; check --to"
    return f"{url} answered HTTP {status}{detail}"


def _with_retries(target: Target, what: str, attempt: Callable[[], tuple[int, bytes]],
                  log: Callable[[str], None]) -> bytes:
    """Run `attempt` until it succeeds, retrying transient failures; raise PublishError otherwise."""
    delay = target.backoff
    for n in range(1, target.retries + 2):
        try:
            status, body = attempt()
        except (ConnectionError, TimeoutError, OSError, http.client.HTTPException) as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            kind, transient = UNREACHABLE, True
        else:
            if 200 <= status < 300:
                return body
            reason, transient = _describe_status(status, body, what), status >= 500
            kind = STORE_ERROR if status >= 500 else REFUSED
        if not transient or n > target.retries:
            raise PublishError(reason, kind)
        log(f"{what}: {reason}; retrying in {delay:g} s ({n}/{target.retries})")
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def put_graph(target: Target, upload: Upload, log: Callable[[str], None],
              progress: Callable[[str], None]) -> None:
    url = target.store + ("&" if "?" in target.store else "?") + urllib.parse.urlencode({"graph": upload.graph})
    size = upload.path.stat().st_size

    def sent(n: int) -> None:
        progress(f"{upload.graph}: {n * 100 // max(size, 1)}% of {size / 1e6:.1f} MB sent")

    def attempt() -> tuple[int, bytes]:
        conn, path = _connection(url, target.timeout)
        try:
            # Streamed with a Content-Length, not chunked: Virtuoso 7 answers 201 to a chunked PUT
            # and stores nothing.
            conn.request("PUT", path, body=_chunks(upload.path, sent),
                         headers={"Content-Type": upload.media, "Content-Length": str(size), **target.headers})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    _with_retries(target, url, attempt, log)


def count_graph(target: Target, graph: str, log: Callable[[str], None]) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"

    def attempt() -> tuple[int, bytes]:
        conn, path = _connection(target.sparql, target.timeout)
        try:
            # A form, not application/sparql-query: Virtuoso 7 never answers the latter.
            conn.request("POST", path, body=urllib.parse.urlencode({"query": query}).encode("ascii"),
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "Accept": "application/sparql-results+json", **target.headers})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    body = _with_retries(target, target.sparql, attempt, log)
    try:
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    except (ValueError, KeyError, IndexError) as exc:
        raise PublishError(f"{target.sparql} did not answer a COUNT query with SPARQL JSON ({exc})", STORE_ERROR) from None


def publish(target: Target, uploads: list[Upload], log: Callable[[str], None] = lambda _m: None,
            progress: Callable[[str], None] = lambda _m: None) -> dict[str, int]:
    """Replace each graph, then verify the counts. Returns the store's count per graph."""
    done: list[Upload] = []
    for upload in uploads:
        log(f"replacing {upload.graph} ({upload.triples} triples)")
        try:
            put_graph(target, upload, log, progress)
        except PublishError as exc:
            state = "; ".join([f"{u.graph}: replaced by this build" for u in done]
                              + [f"{upload.graph}: not replaced (its previous version, if any, is unchanged)"]
                              + [f"{u.graph}: not attempted (unchanged)" for u in uploads[len(done) + 1:]])
            raise PublishError(f"{exc}\nstate of the store: {state}\nrerun `bonemet publish` to finish; "
                               "each graph is replaced whole, so a rerun restarts cleanly", exc.exit_code) from None
        done.append(upload)
    counts = {u.graph: count_graph(target, u.graph, log) for u in uploads}
    wrong = [f"{u.graph}: store has {counts[u.graph]}, build has {u.triples}" for u in uploads
             if counts[u.graph] != u.triples]
    if wrong:
        raise PublishError("uploaded, but the triple counts differ: " + "; ".join(wrong), MISMATCH)
    return counts
