"""The prefix table and the closed namespace of ontology terms, in process."""

import subprocess
import sys

import pytest
from rdflib import OWL, RDF, Graph, URIRef

from bonemet.namespaces import ANSWER_PREFIXES, BASE, BME, BONEMET, PREFIXES, curie
from conftest import ROOT


def ontology_terms() -> set[str]:
    g = Graph().parse(ROOT / "ontology" / "bonemet.ttl")
    return {str(t)[len(BASE):] for t in g.all_nodes() if isinstance(t, URIRef) and str(t).startswith(BASE)
            and "/" not in str(t)[len(BASE):]}


def test_generated_module_is_up_to_date():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_namespace.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_closed_namespace_holds_exactly_the_ontology_terms():
    terms = ontology_terms()
    assert len(terms) > 100
    assert set(BONEMET.__annotations__) == terms
    for name in ("metastasizesTo", "Cancer", "SourcedStatement", "evidence"):
        assert BONEMET[name] == URIRef(BASE + name) == getattr(BONEMET, name)


@pytest.mark.parametrize("typo", ["metastasisesTo", "cancer", "Cancers", "evidences"])
def test_a_typo_raises_instead_of_minting_an_iri(typo):
    with pytest.raises(AttributeError):
        getattr(BONEMET, typo)
    with pytest.raises(AttributeError):
        BONEMET[typo]


def test_prefix_table():
    assert list(PREFIXES)[:len(ANSWER_PREFIXES)] == list(ANSWER_PREFIXES)
    assert len(set(PREFIXES.values())) == len(PREFIXES)   # one prefix per namespace
    assert PREFIXES["owl"] == str(OWL) and PREFIXES["rdf"] == str(RDF) and PREFIXES["bme"] == str(BME)


@pytest.mark.parametrize("iri, expected", [
    (BASE + "metastasizesTo", "bonemet:metastasizesTo"), (str(BME) + "Femur", "bme:Femur"),
    (BASE + "statement/002-0042", "stmt:002-0042"), (str(OWL) + "Class", "owl:Class"),
    (BASE + "shapes/Patient", "bmsh:Patient"), (BASE + "graph/asserted", None), ("http://example.org/x", None)])
def test_curie(iri, expected):
    assert curie(iri) == expected
