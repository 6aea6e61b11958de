"""The routes of `bonemet serve`, independent of the HTTP server: one request in, one `Reply` out.

The transport (bonemet.serve.app) has already framed the request and read its body within the
limits; what is left here is what the README lists: the SPARQL 1.1 Protocol, the pages, the
Linked Data documents and the dumps. A route may block (it waits for a query worker), so the
transport calls `Exchange.handle` on a thread.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from rdflib import Graph, URIRef

from bonemet.formats import by_media_type, content_type, download_type
from bonemet.namespaces import BASE
from bonemet.serve.conneg import GRAPH_TYPES, LD_TYPES, NotAcceptable, choose, extension_media
from bonemet.serve.documents import construct_query, ontology_sections, search_query, service_description, unsafe_iri
from bonemet.serve.entity import PAGE_ROWS, gather, group_count, group_rows, label_query
from bonemet.serve.guard import QueryRefused, check_query
from bonemet.serve.results import Answer
from bonemet.serve.site import QueryFailed, Site
from bonemet.serve.static import GZIP_MIN_BYTES, Response, accepts_gzip
from bonemet.serve.why import MAX_ROWS, chain, chain_query, conclusion, is_derivation, own_query

HTML = content_type("text/html")
TEXT = "text/plain; charset=utf-8"
COMMON = {"Access-Control-Allow-Origin": "*",
          "Access-Control-Expose-Headers": "Bonemet-Result-Truncated, Bonemet-Result-Limit"}


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)   # Content-Length is the transport's


@dataclass
class Pending:
    """A query for the engine, and how to make the reply from its answer: the transport awaits
    the engine on its event loop instead of blocking a thread."""
    query: str
    options: dict
    finish: Callable[[Answer], Reply]


def text_reply(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, (message.rstrip() + "\n").encode("utf-8"), COMMON | {"Content-Type": TEXT} | (headers or {}))


class Exchange:
    """One request: `method`, the request `target` (path and query string), `headers` with
    lower-case names, and the `body` already read."""

    def __init__(self, site: Site, method: str, target: str, headers: dict[str, str], body: bytes = b""):
        self.site, self.method, self.target, self.headers, self.body = site, method, target, headers, body

    def handle(self) -> Reply | Pending:
        if self.method in ("GET", "HEAD"):
            return self.route_get()
        if self.method == "POST":
            return self.route_post()
        if self.method == "OPTIONS":
            return Reply(204, b"", COMMON | {"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                                             "Access-Control-Allow-Headers": "Content-Type, Accept",
                                             "Access-Control-Max-Age": "86400"})
        return text_reply(405, "read-only: only GET, HEAD, POST (queries) and OPTIONS are served",
                          {"Allow": "GET, HEAD, POST, OPTIONS"})

    # ------------------------------------------------------------------ plumbing

    def send(self, status: int, body: bytes, ctype: str, headers: dict | None = None) -> Reply:
        headers = COMMON | {"Content-Type": ctype} | (headers or {})
        if len(body) > GZIP_MIN_BYTES and accepts_gzip(self.headers.get("accept-encoding")):
            body = gzip.compress(body, compresslevel=5)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = ", ".join(filter(None, [headers.get("Vary"), "Accept-Encoding"]))
        return Reply(status, body, headers)

    def fail(self, status: int, message: str) -> Reply:
        return self.send(status, (message.rstrip() + "\n").encode("utf-8"), TEXT)

    def answer(self, ans: Answer) -> Reply:
        headers = {"Vary": "Accept"}
        if ans.truncated_at is not None:
            headers |= {"Bonemet-Result-Truncated": "true", "Bonemet-Result-Limit": str(ans.truncated_at)}
        return self.send(ans.status, ans.body, ans.content_type, headers)

    def send_file(self, response: Response) -> Reply:
        """A static file's response as StaticFiles built it (validators, range, encoding already chosen)."""
        return Reply(response.status, response.body if response.status != 304 else b"",
                     {"Access-Control-Allow-Origin": "*"} | response.headers)

    # ------------------------------------------------------------------ routes

    def route_get(self) -> Reply | Pending:
        url = urlsplit(self.target)
        params = parse_qs(url.query, keep_blank_values=True)
        if url.path == "/sparql":
            return self.sparql(params)
        if url.path == "/":
            return self.home()
        if url.path == "/query":
            return self.query_page(params)
        if url.path == "/editor":
            return self.send(200, self.site.pages.editor(self.site.base_url + "/sparql", self.site.examples), HTML)
        if url.path.startswith("/static/yasgui/"):
            asset = self.site.assets.respond(self.method, url.path[len("/static/yasgui/"):], self.headers)
            return self.send_file(asset) if asset else self.fail(404, "no such file")
        if url.path == "/search":
            return self.search_page(params)
        if url.path.startswith("/dumps/"):
            return self.dump(url.path[len("/dumps/"):])
        if url.path.startswith("/.well-known/sparql-examples"):
            return self.rdf_document(self.site.examples_graph, "SPARQL examples", url.path)
        if url.path in ("/.well-known/void", "/.well-known/void.ttl"):
            return self.rdf_document(self.site.void, "Dataset description (VoID + DCAT)", url.path)
        if url.path.rstrip("/") == "/shapes" or url.path.startswith("/shapes/"):
            return self.rdf_document(self.site.shapes, "SHACL shapes", url.path)
        return self.linked_data(url.path, params)

    def route_post(self) -> Reply | Pending:
        url = urlsplit(self.target)
        if url.path != "/sparql":
            return text_reply(405, "only /sparql accepts POST", {"Allow": "GET, HEAD, OPTIONS"})
        params = parse_qs(url.query, keep_blank_values=True)
        ctype, _, ctype_params = (self.headers.get("content-type") or "").partition(";")
        ctype = ctype.strip().lower()
        charset = next((v.strip().strip('"').lower() for k, _, v in (p.partition("=") for p in ctype_params.split(";"))
                        if k.strip().lower() == "charset"), "utf-8")
        if charset not in ("utf-8", "utf8"):
            return self.fail(415, f"the request body must be UTF-8, not {charset}")
        if ctype == "application/sparql-update":
            return self.fail(403, "this endpoint is read-only: SPARQL Update is not accepted")
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            return self.fail(400, "the request body is not UTF-8")
        if ctype == "application/x-www-form-urlencoded":
            return self.sparql(params | parse_qs(text, keep_blank_values=True))
        if ctype == "application/sparql-query":
            if "query" in params:
                return self.fail(400, "a query must not be given both in the body and in the URL")
            return self.sparql(params | {"query": [text]})
        return self.fail(415, "POST needs Content-Type application/sparql-query or application/x-www-form-urlencoded")

    def sparql(self, params: dict[str, list[str]]) -> Reply | Pending:
        if "update" in params:
            return self.fail(403, "this endpoint is read-only: SPARQL Update is not accepted")
        queries = params.get("query", [])
        if not queries:
            return self.service_description()
        if len(queries) > 1:
            return self.fail(400, "exactly one 'query' parameter is allowed")
        query = queries[0]
        try:
            check_query(query, max_length=self.site.limits.max_query_length)
        except QueryRefused as exc:
            too_long = 414 if self.method in ("GET", "HEAD") else 413   # in the URL: URI too long; in a body: too large
            return self.fail(too_long if "limit" in str(exc) else 400, str(exc))
        formats = params.get("format", [])
        return Pending(query, {"accept": self.headers.get("accept"), "format": formats[0] if formats else None,
                               "default_graphs": params.get("default-graph-uri", []),
                               "named_graphs": params.get("named-graph-uri", [])}, self.answer)

    def negotiate(self, path: str) -> tuple[str, str]:
        """(path without extension, media type) by file extension or Accept."""
        stem, dot, ext = path.rpartition(".")
        media = extension_media(ext) if dot and "/" not in ext else None
        if media:
            return stem, media
        return path, choose(LD_TYPES, self.headers.get("accept"))

    def rdf_document(self, graph: Graph, title: str, path: str) -> Reply:
        try:
            stem, media = self.negotiate(path)
        except NotAcceptable as exc:
            return self.fail(406, str(exc))
        if media == "text/html":
            return self.send(200, self.site.pages.document(title, graph.serialize(format="turtle")), HTML,
                             {"Vary": "Accept"})
        body = graph.serialize(format=by_media_type(media).rdflib).encode("utf-8")
        return self.send(200, body, content_type(media), {"Vary": "Accept", "Content-Location": path})

    def linked_data(self, path: str, params: dict[str, list[str]]) -> Reply:
        try:
            stem, media = self.negotiate(path)
        except NotAcceptable as exc:
            return self.fail(406, str(exc))
        iri = BASE + stem.lstrip("/")
        if stem == "/ontology" and media == "text/html":
            return self.send(200, self.site.pages.ontology(ontology_sections(self.site.ontology), self.site.trees()), HTML,
                             {"Vary": "Accept"})
        if (URIRef(iri), None, None) in self.site.void:  # the dataset and its named graphs
            return self.rdf_document(self.site.void.cbd(URIRef(iri)), "Dataset description", path)
        if unsafe_iri(iri):
            return self.send(404, self.site.pages.not_found(path), HTML)
        if media == "text/html":
            try:
                if "links" in params:
                    return self.links_page(iri, params)
                if is_derivation(iri):
                    return self.why_page(iri)
                page = gather(self.site.select, iri, self.site.rules, self.site.ordered_lists)
            except QueryFailed as exc:
                return self.answer(exc.answer)
            if not (page.own or page.relations or page.figures or page.groups):
                return self.send(404, self.site.pages.not_found(iri), HTML, {"Vary": "Accept"})
            in_trees = [t for t in self.site.trees() if iri in t.nodes]
            return self.send(200, self.site.pages.resource(page, self.site.heatmap(iri), in_trees), HTML,
                             {"Vary": "Accept", "Content-Location": stem + ".html"})
        ans = self.site.engine.run(construct_query(iri), accept=media, max_results=20_000)
        if ans.status == 200 and ans.body.strip() in (b"", b"[]", b"{}"):
            return self.fail(404, f"nothing is known about {iri}")
        suffix = by_media_type(media).suffix
        return self.send(ans.status, ans.body, ans.content_type,
                         {"Vary": "Accept", "Content-Location": f"{stem}{suffix}"})

    def why_page(self, iri: str) -> Reply:
        """A derivation's page: the chain of rules down to the sources' statements."""
        step = chain(self.site.select(chain_query(iri), MAX_ROWS), iri)
        concluded = conclusion(self.site.select(own_query(iri), 100))
        if step is None or concluded is None:
            return self.send(404, self.site.pages.not_found(iri), HTML, {"Vary": "Accept"})
        label, triple = concluded
        return self.send(200, self.site.pages.derivation(iri, label or iri, triple, step), HTML,
                         {"Vary": "Accept", "Content-Location": "/" + iri[len(BASE):] + ".html"})

    def links_page(self, iri: str, params: dict[str, list[str]]) -> Reply:
        """?links=PROPERTY&page=N: one page of the resources linking here by PROPERTY."""
        prop, number = (params.get("links") or [""])[0], (params.get("page") or ["1"])[0]
        if not number.isdigit() or int(number) < 1 or unsafe_iri(prop) or ":" not in prop:
            return self.fail(400, "?links= needs a property IRI and ?page= a page number from 1")
        count, prop_label = group_count(self.site.select, iri, prop)
        pages = max(1, -(-count // PAGE_ROWS))
        if count == 0 or int(number) > pages:
            return self.send(404, self.site.pages.not_found(f"page {number} of the links to {iri} by {prop}"), HTML)
        rows = group_rows(self.site.select, iri, prop, (int(number) - 1) * PAGE_ROWS, PAGE_ROWS,
                          self.site.ordered_lists)
        label = next((r["o"]["value"] for r in self.site.select(label_query(iri), 1)), iri.rsplit("/", 1)[-1])
        return self.send(200, self.site.pages.links(iri, label, prop, prop_label, count, int(number), PAGE_ROWS, rows),
                         HTML)

    def search_page(self, params: dict[str, list[str]]) -> Reply:
        """Entities whose label or synonym starts with q (case-insensitive)."""
        q = (params.get("q") or [""])[0].strip()[:100]
        hits = []
        if q:
            ans = self.site.engine.run(search_query(q), accept="application/sparql-results+json", max_results=200)
            if ans.status == 200:
                hits = json.loads(ans.body)["results"]["bindings"]
        return self.send(200, self.site.pages.search(q, hits), HTML)

    def query_page(self, params: dict[str, list[str]]) -> Reply:
        query = (params.get("query") or [""])[0]
        result: dict = {}
        if query.strip():
            try:
                check_query(query, max_length=self.site.limits.max_query_length)
                ans = self.site.engine.run(query, accept="application/sparql-results+json")
                if ans.status == 200 and ans.content_type.startswith("application/sparql-results+json"):
                    result = {"doc": json.loads(ans.body)}
                elif ans.status == 200:
                    result = {"text": ans.body.decode("utf-8", "replace")}
                else:
                    result = {"error": ans.body.decode("utf-8", "replace"), "error_kind": f"Error {ans.status}"}
            except QueryRefused as exc:
                result = {"error": str(exc), "error_kind": "Refused"}
        return self.send(200, self.site.pages.query(query or self.site.examples[0][1], self.site.examples, **result),
                         HTML)

    def service_description(self) -> Reply:
        ttl = service_description(self.site.base_url + "/sparql", self.site.report)
        try:
            media = choose(list(GRAPH_TYPES), self.headers.get("accept"))
        except NotAcceptable as exc:
            return self.fail(406, str(exc))
        body = ttl.encode("utf-8")
        if media != "text/turtle":
            body = Graph().parse(data=ttl, format="turtle").serialize(format=by_media_type(media).rdflib).encode("utf-8")
        return self.send(200, body, content_type(media), {"Vary": "Accept"})

    def dump(self, name: str) -> Reply:
        if name not in dict(self.site.dumps):
            return self.fail(404, f"no dump named {name!r}")
        static = self.site.engine.static()
        response = static.respond(self.method, name, self.headers) if static else None
        if response is not None:
            return self.send_file(response)
        status, body = self.site.engine.download(name)
        if status != 200:
            return self.fail(status, body.decode("utf-8", "replace"))
        return self.send(200, body, download_type(name) or "application/octet-stream",
                         {"Content-Disposition": f'attachment; filename="{name}"'})

    def home(self) -> Reply:
        return self.send(200, self.site.pages.home(self.site.report, self.site.examples, self.site.dumps,
                                                   self.site.heatmap()), HTML)
