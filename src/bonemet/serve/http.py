"""`bonemet serve`: the SPARQL 1.1 Protocol endpoint, the home page and the dumps.

Standard-library HTTP server (threads); queries are evaluated by bonemet.serve.workers.
Routes are listed in the README.
"""

from __future__ import annotations

import gzip
import json
import signal
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from rdflib import Graph, URIRef

from bonemet.build.examples import examples_graph
from bonemet.formats import by_media_type, content_type, download_type
from bonemet.namespaces import BASE
from bonemet.project import Project
from bonemet.serve.backend import LocalBackend, QueryBackend
from bonemet.serve.conneg import GRAPH_TYPES, LD_TYPES, NotAcceptable, choose, extension_media
from bonemet.serve.documents import construct_query, describe_query, ontology_sections, search_query, service_description
from bonemet.serve.guard import QueryRefused, check_query
from bonemet.serve.pages import Renderer
from bonemet.serve.remote import RemoteEngine
from bonemet.serve.results import Answer
from bonemet.serve.static import GZIP_MIN_BYTES, Response, accepts_gzip
from bonemet.serve.void import dataset_description

HTML = content_type("text/html")


@dataclass
class Limits:
    query_timeout: float = 30.0
    max_results: int = 10_000
    max_query_length: int = 100_000
    max_body_bytes: int = 1_000_000


class BonemetServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, *, dist: Path, project: Project, limits: Limits, workers: int = 2,
                 base_url: str | None = None,
                 data_files: Sequence[tuple[Path, str]] = (), backend: str | None = None,
                 backend_auth: str | None = None, on_disk: bool = False):
        self.dist, self.project, self.limits, self.backend = dist, project, limits, backend
        # read before binding or starting workers: a missing packaged file is one line, not a half-started server
        self.examples = [(p.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip(),
                          p.read_text(encoding="utf-8")) for p in project.query_files()]
        self.shapes_ttl = "\n".join(p.read_text(encoding="utf-8") for p in project.shape_files())
        self.ontology = Graph().parse(project.require(project.ontology), format="turtle")
        super().__init__(address, Handler)  # bind first: a busy port fails before workers start
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        self.base_url = (base_url or f"http://{host}:{port}").rstrip("/")
        self.pages = Renderer(self.base_url)
        self.engine: QueryBackend
        if backend:
            self.engine = RemoteEngine(backend, timeout=limits.query_timeout, max_results=limits.max_results,
                                       auth_header=backend_auth)
        else:
            self.engine = LocalBackend(dist, workers=workers, timeout=limits.query_timeout,
                                       max_results=limits.max_results, data_files=data_files, on_disk=on_disk)
        self.engine.base_iri = self.base_url + "/sparql"  # relative IRIs in queries resolve against the endpoint
        self.report = self.engine.report()
        self.dumps = self.engine.downloads()
        self.examples_graph = examples_graph(project.query_files(), self.base_url + "/sparql")
        self.void = dataset_description(self.engine.statistics(), self.report["entities"], self.dumps,
                                        self.base_url, self.engine.extra_triples())

    def server_close(self) -> None:
        super().server_close()
        if getattr(self, "engine", None) is not None:  # absent when binding the port failed
            self.engine.close()


class Handler(BaseHTTPRequestHandler):
    server: BonemetServer
    server_version = "bonemet"
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body leave in separate writes; without TCP_NODELAY, Nagle's algorithm holds the
        # body until the client's delayed ACK (~40 ms), which caps a keep-alive client at ~25 requests/s.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):  # one line per request on stderr, as usual, but quieter
        if getattr(self.server, "verbose", False):
            super().log_message(fmt, *args)

    # ------------------------------------------------------------------ plumbing

    def send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        if accepts_gzip(self.headers.get("Accept-Encoding")) and len(body) > GZIP_MIN_BYTES:
            body = gzip.compress(body)
            headers = dict(headers or {}, **{"Content-Encoding": "gzip"})
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "Bonemet-Result-Truncated, Bonemet-Result-Limit")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_file(self, response: Response) -> None:
        """A static file's response as StaticFiles built it (validators, range, encoding already chosen)."""
        self.send_response(response.status)
        if response.status != 304:   # a 304 has no body, and no length of its own
            self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and response.status != 304:
            self.wfile.write(response.body)

    def fail(self, status: int, message: str) -> None:
        self.send(status, (message.rstrip() + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    def answer(self, ans: Answer) -> None:
        headers = {"Vary": "Accept"}
        if ans.truncated_at is not None:
            headers |= {"Bonemet-Result-Truncated": "true", "Bonemet-Result-Limit": str(ans.truncated_at)}
        self.send(ans.status, ans.body, ans.content_type, headers)

    def read_body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None:
            self.fail(411, "a Content-Length header is required")
            return None
        try:
            n = int(length)
        except ValueError:
            self.fail(400, "Content-Length is not a number")
            return None
        if n > self.server.limits.max_body_bytes:
            # read (and drop) a moderately oversized body so the client sees the 413, not a broken pipe
            if n <= 64 * self.server.limits.max_body_bytes:
                for _ in range(0, n, 1 << 20):
                    self.rfile.read(min(1 << 20, n))
                    n -= 1 << 20
            self.close_connection = True
            self.fail(413, f"the request body is over the limit of {self.server.limits.max_body_bytes} bytes")
            return None
        return self.rfile.read(n)

    # ------------------------------------------------------------------ routes

    def do_OPTIONS(self):
        self.send(204, b"", "text/plain", {"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                                           "Access-Control-Allow-Headers": "Content-Type, Accept",
                                           "Access-Control-Max-Age": "86400"})

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.guarded(self.route_get)

    def do_POST(self):
        self.guarded(self.route_post)

    def guarded(self, route) -> None:
        """A bug in one route answers 500 for that request; the server goes on."""
        try:
            route()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - last line of defence for the service
            print(f"bonemet serve: internal error on {self.command} {self.path}: {exc!r}", file=sys.stderr)
            try:
                self.fail(500, "internal server error")
            except OSError:
                self.close_connection = True

    def route_get(self):
        url = urlsplit(self.path)
        if len(self.path) > self.server.limits.max_query_length + 4096:
            return self.fail(414, f"the request line is too long; queries are limited to "
                                  f"{self.server.limits.max_query_length} characters")
        params = parse_qs(url.query, keep_blank_values=True)
        if url.path == "/sparql":
            return self.sparql(params)
        if url.path == "/":
            return self.home()
        if url.path == "/query":
            return self.query_page(params)
        if url.path == "/search":
            return self.search_page(params)
        if url.path.startswith("/dumps/"):
            return self.dump(url.path[len("/dumps/"):])
        if url.path.startswith("/.well-known/sparql-examples"):
            return self.rdf_document(self.server.examples_graph, "SPARQL examples", url.path)
        if url.path in ("/.well-known/void", "/.well-known/void.ttl"):
            return self.rdf_document(self.server.void, "Dataset description (VoID + DCAT)", url.path)
        if url.path.rstrip("/") == "/shapes" or url.path.startswith("/shapes/"):
            return self.rdf_document(Graph().parse(data=self.server.shapes_ttl, format="turtle"),
                                     "SHACL shapes", url.path)
        self.linked_data(url.path)

    def do_PUT(self):
        self.fail(405, "read-only: only GET, HEAD, POST (queries) and OPTIONS are served")

    do_DELETE = do_PATCH = do_PUT

    def route_post(self):
        url = urlsplit(self.path)
        if url.path != "/sparql":
            return self.fail(405, "only /sparql accepts POST")
        params = parse_qs(url.query, keep_blank_values=True)
        ctype, _, ctype_params = (self.headers.get("Content-Type") or "").partition(";")
        ctype = ctype.strip().lower()
        charset = next((v.strip().strip('"').lower() for k, _, v in (p.partition("=") for p in ctype_params.split(";"))
                        if k.strip().lower() == "charset"), "utf-8")
        if charset not in ("utf-8", "utf8"):
            return self.fail(415, f"the request body must be UTF-8, not {charset}")
        if ctype == "application/sparql-update":
            return self.fail(403, "this endpoint is read-only: SPARQL Update is not accepted")
        body = self.read_body()
        if body is None:
            return
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return self.fail(400, "the request body is not UTF-8")
        if ctype == "application/x-www-form-urlencoded":
            form = parse_qs(text, keep_blank_values=True)
            return self.sparql(params | form, from_form=True)
        if ctype == "application/sparql-query":
            if "query" in params:
                return self.fail(400, "a query must not be given both in the body and in the URL")
            return self.sparql(params | {"query": [text]}, from_form=True)
        self.fail(415, "POST needs Content-Type application/sparql-query or application/x-www-form-urlencoded")

    def sparql(self, params: dict[str, list[str]], from_form: bool = False) -> None:
        if "update" in params:
            return self.fail(403, "this endpoint is read-only: SPARQL Update is not accepted")
        queries = params.get("query", [])
        if not queries:
            return self.service_description()
        if len(queries) > 1:
            return self.fail(400, "exactly one 'query' parameter is allowed")
        query = queries[0]
        try:
            check_query(query, max_length=self.server.limits.max_query_length)
        except QueryRefused as exc:
            status = 413 if "limit" in str(exc) else 400
            return self.fail(status, str(exc))
        formats = params.get("format", [])
        self.answer(self.server.engine.run(
            query, accept=self.headers.get("Accept"), format=formats[0] if formats else None,
            default_graphs=params.get("default-graph-uri", []), named_graphs=params.get("named-graph-uri", [])))

    def negotiate(self, path: str) -> tuple[str, str]:
        """(path without extension, media type) by file extension or Accept."""
        stem, dot, ext = path.rpartition(".")
        media = extension_media(ext) if dot and "/" not in ext else None
        if media:
            return stem, media
        return path, choose(LD_TYPES, self.headers.get("Accept"))

    def send_graph(self, graph, media: str, location: str) -> None:
        body = graph.serialize(format=by_media_type(media).rdflib).encode("utf-8")
        self.send(200, body, content_type(media), {"Vary": "Accept", "Content-Location": location})

    def rdf_document(self, graph, title: str, path: str) -> None:
        try:
            stem, media = self.negotiate(path)
        except NotAcceptable as exc:
            return self.fail(406, str(exc))
        if media == "text/html":
            body = self.server.pages.document(title, graph.serialize(format="turtle"))
            return self.send(200, body, HTML, {"Vary": "Accept"})
        self.send_graph(graph, media, path)

    def linked_data(self, path: str) -> None:
        try:
            stem, media = self.negotiate(path)
        except NotAcceptable as exc:
            return self.fail(406, str(exc))
        iri = BASE + stem.lstrip("/")
        if stem == "/ontology" and media == "text/html":
            return self.ontology_page()
        if (URIRef(iri), None, None) in self.server.void:  # the dataset and its named graphs
            return self.rdf_document(self.server.void.cbd(URIRef(iri)), "Dataset description", path)
        if any(c in iri for c in '<>" {}|\\^`'):
            return self.send(404, self.server.pages.not_found(path), HTML)
        if media == "text/html":
            ans = self.server.engine.run(describe_query(iri), accept="application/sparql-results+json",
                                         max_results=20_000)
            if ans.status != 200:
                return self.answer(ans)
            rows = json.loads(ans.body)["results"]["bindings"]
            if not rows:
                return self.send(404, self.server.pages.not_found(iri), HTML, {"Vary": "Accept"})
            body = self.server.pages.resource(iri, rows)
            return self.send(200, body, HTML,
                             {"Vary": "Accept", "Content-Location": stem + ".html"})
        ans = self.server.engine.run(construct_query(iri), accept=media, max_results=20_000)
        if ans.status == 200 and ans.body.strip() in (b"", b"[]", b"{}"):
            return self.fail(404, f"nothing is known about {iri}")
        suffix = by_media_type(media).suffix
        self.send(ans.status, ans.body, ans.content_type, {"Vary": "Accept", "Content-Location": f"{stem}{suffix}"})

    def ontology_page(self) -> None:
        self.send(200, self.server.pages.ontology(ontology_sections(self.server.ontology)), HTML, {"Vary": "Accept"})

    def search_page(self, params: dict[str, list[str]]) -> None:
        """Entities whose label or synonym starts with q (case-insensitive)."""
        q = (params.get("q") or [""])[0].strip()[:100]
        hits = []
        if q:
            ans = self.server.engine.run(search_query(q), accept="application/sparql-results+json", max_results=200)
            if ans.status == 200:
                hits = json.loads(ans.body)["results"]["bindings"]
        self.send(200, self.server.pages.search(q, hits), HTML)

    def query_page(self, params: dict[str, list[str]]) -> None:
        query = (params.get("query") or [""])[0]
        result: dict = {}
        if query.strip():
            try:
                check_query(query, max_length=self.server.limits.max_query_length)
                ans = self.server.engine.run(query, accept="application/sparql-results+json")
                if ans.status == 200 and ans.content_type.startswith("application/sparql-results+json"):
                    result = {"doc": json.loads(ans.body)}
                elif ans.status == 200:
                    result = {"text": ans.body.decode("utf-8", "replace")}
                else:
                    result = {"error": ans.body.decode("utf-8", "replace"), "error_kind": f"Error {ans.status}"}
            except QueryRefused as exc:
                result = {"error": str(exc), "error_kind": "Refused"}
        self.send(200, self.server.pages.query(query or self.server.examples[0][1], self.server.examples, **result),
                  HTML)

    def service_description(self) -> None:
        ttl = service_description(self.server.base_url + "/sparql", self.server.report)
        try:
            media = choose(list(GRAPH_TYPES), self.headers.get("Accept"))
        except NotAcceptable as exc:
            return self.fail(406, str(exc))
        body = ttl.encode("utf-8")
        if media != "text/turtle":
            body = Graph().parse(data=ttl, format="turtle").serialize(format=by_media_type(media).rdflib).encode("utf-8")
        self.send(200, body, content_type(media), {"Vary": "Accept"})

    def dump(self, name: str) -> None:
        if name not in dict(self.server.dumps):
            return self.fail(404, f"no dump named {name!r}")
        static = self.server.engine.static()
        response = static.respond(self.command, name, dict(self.headers.items())) if static else None
        if response is not None:
            return self.send_file(response)
        status, body = self.server.engine.download(name)
        if status != 200:
            return self.fail(status, body.decode("utf-8", "replace"))
        self.send(200, body, download_type(name) or "application/octet-stream",
                  {"Content-Disposition": f'attachment; filename="{name}"'})

    def home(self) -> None:
        self.send(200, self.server.pages.home(self.server.report, self.server.examples, self.server.dumps), HTML)


def serve(*, host: str, port: int, dist: Path, project: Project, limits: Limits, base_url: str | None = None,
          workers: int = 2,
          data_files: Sequence[tuple[Path, str]] = (), backend: str | None = None, backend_auth: str | None = None,
          on_disk: bool = False) -> None:
    server = BonemetServer((host, port), dist=dist, project=project, limits=limits, workers=workers, base_url=base_url,
                           data_files=data_files, backend=backend, backend_auth=backend_auth, on_disk=on_disk)
    print(f"bonemet serve: listening on {server.base_url} (SPARQL at {server.base_url}/sparql)", file=sys.stderr,
          flush=True)

    def stop(_signum, _frame):
        raise KeyboardInterrupt   # SIGTERM: shut down as on Ctrl-C, stopping workers and removing temp files
    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
