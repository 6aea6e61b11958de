"""Evaluating one query on a pyoxigraph store and writing its answer in the negotiated format.

The writers are pure functions of (rows, media type): the worker processes and the remote
backend share them, so both answer in the same formats with the same truncation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from bonemet.formats import by_media_type, content_type
from bonemet.serve.conneg import GRAPH_TYPES, RESULTS_TYPES, NotAcceptable, choose

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
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    return (("true" if value else "false") + "\n").encode("utf-8")


def serialize_triples(triples: list, media: str) -> bytes:
    return ox.serialize(triples, format=by_media_type(media).oxigraph) or b""


CONTENT_TYPES = {m: content_type(m) for m in list(RESULTS_TYPES) + list(GRAPH_TYPES)}


def execute(store, req: Request) -> Answer:
    """Evaluate one query on a pyoxigraph store (inside a worker)."""
    try:
        default_graphs = [ox.NamedNode(g) for g in req.default_graphs]
        named_graphs = [ox.NamedNode(g) for g in req.named_graphs]
    except (ValueError, SyntaxError) as exc:
        return error_answer(400, f"bad graph IRI in default-graph-uri or named-graph-uri: {exc}")
    kwargs: dict[str, object] = ({"default_graph": default_graphs} if default_graphs
                                 else {"use_default_graph_as_union": True})
    if named_graphs:
        kwargs["named_graphs"] = named_graphs
    try:
        result = store.query(req.query, base_iri=req.base_iri, **kwargs)
        if isinstance(result, ox.QueryBoolean):
            return answer_boolean(bool(result), req)
        if isinstance(result, ox.QuerySolutions):
            media = choose(list(RESULTS_TYPES), req.accept, req.format)
            if media == JSON:
                fast = json_in_rust(result, req.max_results)
                if fast is not None:
                    return fast
                result = store.query(req.query, base_iri=req.base_iri, **kwargs)   # large: the exact path
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


JSON = "application/sparql-results+json"


class _Capped:
    """A binary sink for pyoxigraph's serializers that gives up past `cap` bytes."""

    def __init__(self, cap: int):
        self.parts: list[bytes] = []
        self.size, self.cap = 0, cap

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.cap:
            raise _TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


class _TooLarge(Exception):
    pass


def json_in_rust(solutions: ox.QuerySolutions, max_results: int) -> Answer | None:
    """SPARQL JSON results written by pyoxigraph (in Rust, several times faster than building them
    in Python), when the answer is certainly within `max_results` rows; None otherwise, and the
    solutions are then consumed.

    Rows are counted without parsing, in pyoxigraph's compact layout (checked by its opening): `{"`
    cannot occur inside a JSON string (quotes are escaped there), and it opens the three objects of
    the head, every row, and every binding (`{"type":"`, which a row opening `{"type":{` is not); a row
    with no binding is `{}`, counted wherever it occurs (an overcount only means the exact path)."""
    sink = _Capped(64 * max_results + 65_536)
    try:
        solutions.serialize(sink, format=ox.QueryResultsFormat.JSON)  # type: ignore[arg-type]
    except _TooLarge:
        return None
    body = b"".join(sink.parts)
    if not body.startswith(b'{"head":{"vars":[') or b'"results":{"bindings":[' not in body:
        return None
    if body.count(b'{"') - 3 - body.count(b'{"type":"') + body.count(b"{}") > max_results:   # {}: a row with no binding
        return None
    return Answer(200, CONTENT_TYPES[JSON], body)


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
