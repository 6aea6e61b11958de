"""The result writers, in process: each SPARQL result format read back by an independent reader
(rdflib's SPARQL result parsers, Python's csv), on terms of every kind, and the truncation rule."""

import csv
import io
import json

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.query import Result

from bonemet.serve.results import Request, answer_solutions, execute, serialize_boolean, serialize_solutions

XSD = "http://www.w3.org/2001/XMLSchema#"
ROWS = [
    {"x": ox.NamedNode("https://w3id.org/bonemet/entity/Femur"), "y": ox.Literal("thigh bone", language="en")},
    {"x": ox.BlankNode("b0"), "y": ox.Literal("42", datatype=ox.NamedNode(XSD + "integer"))},
    {"x": ox.NamedNode("http://e/a,b"), "y": ox.Literal('say "hi"\nand, go')},
    {"x": ox.NamedNode("http://e/unbound"), "y": None},
]
EXPECTED = [
    (URIRef("https://w3id.org/bonemet/entity/Femur"), Literal("thigh bone", lang="en")),
    (BNode("b0"), Literal("42", datatype=URIRef(XSD + "integer"))),
    (URIRef("http://e/a,b"), Literal('say "hi"\nand, go')),
    (URIRef("http://e/unbound"), None),
]
PARSED = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml"}


def test_case_count():
    assert len(ROWS) == len(EXPECTED) == 4


@pytest.mark.parametrize("media", sorted(PARSED))
def test_json_and_xml_read_back_by_rdflib(media):
    body = serialize_solutions(["x", "y"], ROWS, media)
    result = Result.parse(io.BytesIO(body), format=PARSED[media])
    got = [(row[0], row[1]) for row in result]
    assert [str(v) for v in result.vars] == ["x", "y"]
    assert [(type(a), str(a), b) for a, b in got] == [(type(a), str(a), b) for a, b in EXPECTED]


def test_csv_quotes_commas_quotes_and_newlines():
    body = serialize_solutions(["x", "y"], ROWS, "text/csv").decode("utf-8")
    assert body.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows == [["x", "y"], ["https://w3id.org/bonemet/entity/Femur", "thigh bone"], ["_:b0", "42"],
                    ["http://e/a,b", 'say "hi"\nand, go'], ["http://e/unbound", ""]]


def test_tsv_writes_terms_in_sparql_syntax():
    lines = serialize_solutions(["x", "y"], ROWS, "text/tab-separated-values").decode("utf-8").splitlines()
    assert lines[0] == "?x\t?y"
    assert lines[1] == '<https://w3id.org/bonemet/entity/Femur>\t"thigh bone"@en'
    assert lines[2] == f'_:b0\t"42"^^<{XSD}integer>'


@pytest.mark.parametrize("media, expected", [
    ("application/sparql-results+json", {"head": {}, "boolean": True}),
    ("text/csv", "true\n"), ("text/tab-separated-values", "true\n")])
def test_boolean(media, expected):
    body = serialize_boolean(True, media).decode("utf-8")
    assert (json.loads(body) if media.endswith("json") else body) == expected


def test_truncation_is_announced_at_the_limit():
    req = Request("", "text/csv", None, [], [], max_results=2)
    answer = answer_solutions(["x", "y"], iter(ROWS), req)
    assert answer.truncated_at == 2 and answer.body.decode().count("\r\n") == 3
    exact = answer_solutions(["x", "y"], iter(ROWS), Request("", "text/csv", None, [], [], max_results=4))
    assert exact.truncated_at is None


def test_execute_answers_errors_as_http_statuses():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o")))
    ok = execute(store, Request("SELECT ?o WHERE { ?s ?p ?o }", None, None, [], [], 10))
    assert ok.status == 200 and json.loads(ok.body)["results"]["bindings"][0]["o"]["value"] == "o"
    assert execute(store, Request("SELECT ?o WHERE {", None, None, [], [], 10)).status == 400
    assert execute(store, Request("ASK {}", "image/png", None, [], [], 10)).status == 406
    assert execute(store, Request("ASK {}", None, None, ["not an iri"], [], 10)).status == 400
