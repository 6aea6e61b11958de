"""Queries answered by an external SPARQL store (`bonemet serve --backend URL`).

The server keeps its protocol front — read-only checks, length limits, time limit, result
formats, truncation, service description — and forwards each query over the SPARQL 1.1
Protocol. The store's answer is read (SPARQL JSON or N-Triples) and re-serialized by the same
code as the embedded engine's, so clients see the same formats and limits either way.

The dataset matches the embedded store's: unless the request names graphs, the default graph
is the merge of bonemet's published graphs and those graphs are also available by name.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import urllib.parse

from bonemet.formats import DUMP_SYNTAXES, RELEASE_GRAPHS, TRIG, by_suffix
from bonemet.namespaces import GRAPH
from bonemet.serve.conneg import NotAcceptable
from bonemet.serve.results import Answer, Request, answer_boolean, answer_graph, answer_solutions, error_answer
from bonemet.serve.static import StaticFiles
from bonemet.serve.void import sparql_statistics

PUBLISHED_GRAPHS = [str(GRAPH[name]) for name in RELEASE_GRAPHS]
ASK_FOR = "application/sparql-results+json, application/n-triples;q=0.9"


def _term(binding: dict):
    import pyoxigraph as ox

    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if "xml:lang" in binding:
        return ox.Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:
        return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(value)


class RemoteEngine:
    def __init__(self, endpoint: str, *, timeout: float = 30.0, max_results: int = 10_000,
                 auth_header: str | None = None, graphs: list[str] = PUBLISHED_GRAPHS):
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{endpoint}: not an http(s) URL")
        self.endpoint, self.timeout, self.max_results = endpoint, timeout, max_results
        self.graphs = graphs
        self.base_iri: str | None = None
        self._report: dict | None = None
        self._statistics: dict | None = None
        self._headers = {"Authorization": auth_header} if auth_header else {}

    def post(self, query: str, default_graphs: list[str], named_graphs: list[str]) -> tuple[int, str, bytes]:
        parts = urllib.parse.urlsplit(self.endpoint)
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = cls(parts.hostname or "", parts.port, timeout=self.timeout)
        form = [("query", query)] + [("default-graph-uri", g) for g in default_graphs] \
            + [("named-graph-uri", g) for g in named_graphs]
        try:
            conn.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                         body=urllib.parse.urlencode(form).encode("ascii"),
                         headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": ASK_FOR,
                                  **self._headers})
            resp = conn.getresponse()
            return resp.status, resp.getheader("Content-Type") or "", resp.read()
        finally:
            conn.close()

    def run(self, query: str, *, accept: str | None = None, format: str | None = None,
            default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
            max_results: int | None = None) -> Answer:
        import pyoxigraph as ox

        req = Request(query, accept, format, default_graphs or [], named_graphs or [],
                      max_results or self.max_results)
        if not default_graphs and not named_graphs:
            default_graphs, named_graphs = self.graphs, self.graphs
        try:
            status, ctype, body = self.post(query, default_graphs or [], named_graphs or [])
        except TimeoutError:
            return error_answer(503, f"the query ran longer than the {self.timeout:g} s limit and was stopped")
        except OSError as exc:
            return error_answer(502, f"the SPARQL store behind this server cannot be reached: {exc}")
        if status >= 400:
            text = body.decode("utf-8", "replace").strip()
            return error_answer(400 if status < 500 else 502, f"the SPARQL store answered {status}: {text[:500]}")
        try:
            if "json" in ctype:
                doc = json.loads(body)
                if "boolean" in doc:
                    return answer_boolean(bool(doc["boolean"]), req)
                variables = doc["head"]["vars"]
                rows = ({v: _term(b[v]) if v in b else None for v in variables} for b in doc["results"]["bindings"])
                return answer_solutions(variables, rows, req)
            return answer_graph((q.triple if hasattr(q, "triple") else q
                                 for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)), req)
        except NotAcceptable as exc:
            return error_answer(406, str(exc))
        except (ValueError, KeyError, SyntaxError) as exc:
            return error_answer(502, f"the SPARQL store's answer could not be read ({ctype}): {exc}")

    async def arun(self, query: str, *, accept: str | None = None, format: str | None = None,
                   default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
                   max_results: int | None = None) -> Answer:
        return await asyncio.to_thread(self.run, query, accept=accept, format=format, default_graphs=default_graphs,
                                       named_graphs=named_graphs, max_results=max_results)

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Nothing to do: each query is its own HTTP request to the store."""

    def select(self, query: str) -> list[dict]:
        """Rows of a SELECT as {variable: lexical value} (for statistics and pages)."""
        answer = self.run(query, accept="application/sparql-results+json", max_results=10**9)
        if answer.status != 200:
            raise RuntimeError(answer.body.decode("utf-8", "replace").strip())
        doc = json.loads(answer.body)
        return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]

    def report(self) -> dict:
        if self._report is None:
            self._report = remote_report(self.select, self.statistics())
        return self._report

    def statistics(self) -> dict:
        if self._statistics is None:
            self._statistics = sparql_statistics(self.select)
        return self._statistics

    def extra_triples(self) -> int | None:
        return None   # users' files go into the store itself, not beside it

    def downloads(self) -> list[tuple[str, int | None]]:
        return [(name, None) for name in REMOTE_DUMPS]   # made on request: no size to announce

    def static(self) -> StaticFiles | None:
        return None   # made from the store on request: no file to validate or cut into ranges

    def download(self, name: str) -> tuple[int, bytes]:
        """A download made from the store: the asserted, inferred or derivations graph, or all as TriG."""
        import pyoxigraph as ox

        if name not in REMOTE_DUMPS:
            return 404, f"no dump named {name!r}".encode()
        stem, ext = name.rsplit(".", 1)
        syntax = by_suffix("." + ext)
        assert syntax is not None   # REMOTE_DUMPS are named with the table's suffixes
        fmt = syntax.oxigraph
        graphs = PUBLISHED_GRAPHS if ext == "trig" else [str(GRAPH[name]) for name, s in RELEASE_GRAPHS.items() if s == stem]
        quads = []
        for graph in graphs:
            status, triples = _graph_triples(self, graph)
            if status != 200:
                return status, triples[0].encode("utf-8")
            quads += [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) if ext == "trig" else t
                      for t in triples]
        return 200, ox.serialize(quads, format=fmt) or b""

    def close(self) -> None:
        pass


REMOTE_DUMPS = [f"{stem}{s.suffix}" for stem in RELEASE_GRAPHS.values() for s in DUMP_SYNTAXES] \
    + ["bonemet" + TRIG.suffix]


def _graph_triples(engine: RemoteEngine, graph: str) -> tuple[int, list]:
    import pyoxigraph as ox

    try:
        status, _ctype, body = engine.post(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                                           [], [])
    except OSError as exc:
        return 502, [f"the SPARQL store cannot be reached: {exc}"]
    if status != 200:
        return 502, [f"the SPARQL store answered {status}"]
    return 200, [q.triple if hasattr(q, "triple") else q for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]


def remote_report(select, stats: dict) -> dict:
    """The build report's figures that the pages show, asked of the store."""
    from bonemet.namespaces import BME

    def per_source(cls: str) -> dict[str, int]:
        rows = select(f"""SELECT ?source (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH <{GRAPH['asserted']}> {{
            ?x a <https://w3id.org/bonemet/{cls}> ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?source }} }}
            GROUP BY ?source""")
        return dict(sorted((r["source"].rsplit("/", 1)[-1], int(r["n"])) for r in rows))

    entities = select(f"""SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ GRAPH <{GRAPH['asserted']}> {{
        ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(STRSTARTS(STR(?e), "{BME}")) }} }}""")
    return {"asserted_triples": stats["asserted"], "inferred_triples": stats["inferred"],
            "derivation_triples": stats["derivations"], "entities": int(entities[0]["n"]),
            "statements_per_source": per_source("SourcedStatement"),
            "statistics_per_source": per_source("Statistic")}
