"""The competency questions published as SPARQL examples (sh:SPARQLExecutable), served, linked, and each
one answering what queries/*.tsv expects when its published text is run."""

import pytest
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SH

from bonemet.build.examples import SCHEMA
from bonemet.io import open_store
from bonemet.sparql import run_compact_oxigraph, same_answers
from conftest import ROOT
from test_competency import QUERIES as GRAPH_ONLY
from test_competency import read_expected

QUESTIONS = sorted((ROOT / "queries").glob("*.rq"))


@pytest.fixture(scope="module")
def server(default_server):
    return default_server


@pytest.fixture(scope="module")
def served(server) -> Graph:
    status, headers, body = server.request("/.well-known/sparql-examples", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    return Graph().parse(data=body.decode("utf-8"), format="turtle")


def test_every_question_is_published_in_the_dump_and_served(built, served, server):
    dumped = Graph().parse(built.out / "sparql-examples.ttl", format="turtle")
    for g, endpoint in ((dumped, "https://w3id.org/bonemet/sparql"), (served, server.url + "/sparql")):
        examples = sorted(g.subjects(RDF.type, SH.SPARQLExecutable))
        assert len(examples) == len(QUESTIONS) == 38
        questions = {q.stem: q.read_text(encoding="utf-8") for q in QUESTIONS}
        for node in examples:
            text = questions[str(g.value(node, RDFS.label))]
            assert (node, RDF.type, SH.SPARQLSelectExecutable) in g and str(g.value(node, SH.select)) == text
            assert str(g.value(node, RDFS.comment)) == text.splitlines()[0].lstrip("# ").strip()
            assert g.value(node, SCHEMA.target) == URIRef(endpoint)


def test_json_ld_by_content_negotiation(server):
    status, headers, body = server.request("/.well-known/sparql-examples", headers={"Accept": "application/ld+json"})
    g = Graph().parse(data=body.decode("utf-8"), format="json-ld")
    assert status == 200 and len(list(g.subjects(RDF.type, SH.SPARQLExecutable))) == 38


def test_linked_from_the_service_description_and_void(server):
    examples = URIRef(server.url + "/.well-known/sparql-examples")
    for path in ("/sparql", "/.well-known/void"):
        _status, _headers, body = server.request(path, headers={"Accept": "text/turtle"})
        assert (None, RDFS.seeAlso, examples) in Graph().parse(data=body.decode("utf-8"), format="turtle"), path


@pytest.fixture(scope="module")
def store(built):
    return open_store([built.out / "bonemet.nt", built.out / "bonemet-inferred.nt", built.out / "bonemet-derivations.nt"])


# cq38 needs patient records beside the graph: tests/test_fhir_import.py checks its answer
@pytest.mark.parametrize("question", GRAPH_ONLY, ids=[q.stem for q in GRAPH_ONLY])
def test_each_published_example_gives_its_expected_answer(served, store, question):
    node = next(n for n in served.subjects(RDFS.label, None) if str(served.value(n, RDFS.label)) == question.stem)
    variables, rows = run_compact_oxigraph(store, str(served.value(node, SH.select)))
    expected_vars, expected_rows = read_expected(question.with_suffix(".tsv"))
    assert variables == expected_vars and rows and same_answers(rows, expected_rows)
