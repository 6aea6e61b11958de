"""Derivations of the inferred graph (issue 16, first step): every inferred triple has one, each is re-derived
from its premises by its named rule alone, and every chain ends in asserted triples."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from bonemet.reason.derivations import Derivation, conclude, trace


@pytest.fixture(scope="module")
def traced(built):
    found, left = trace(built.asserted, built.inferred)
    return found, left


def test_every_inferred_triple_has_a_derivation(built, traced):
    found, left = traced
    assert left == [] and set(built.inferred) <= set(found)
    assert sum(built.report["derivations_per_rule"].values()) == len(found)   # the build checks it too
    assert len(built.inferred) == 2505


def test_each_derivation_is_recomputed_by_its_rule_from_its_premises(built, traced):
    found, _ = traced
    closure = built.asserted + built.inferred
    wrong = [d for d in found.values() if conclude(d.rule, d.premises, closure) != d.conclusion]
    assert wrong == [] and len(found) == 2558


def test_every_chain_ends_in_asserted_triples(built, traced):
    """Walking premises down, each one is asserted or has a derivation, and no chain loops."""
    found, _ = traced
    asserted = set(built.asserted)
    depth: dict = {}

    def walk(t, path=()) -> int:
        if t in asserted:
            return 0
        assert t not in path, "a derivation that rests on itself"
        if t not in depth:
            depth[t] = 1 + max(walk(p, (*path, t)) for p in found[t].premises)
        return depth[t]

    assert max(walk(t) for t in found) >= 3
    assert len(depth) == len(found)


def test_every_rule_family_the_graph_needs_is_exercised(traced):
    rules = Counter(d.rule for d in traced[0].values())
    assert {"cax-sco", "prp-dom", "prp-rng", "prp-inv2", "prp-trp", "prp-spo1", "prp-spo2", "prp-symp",
            "scm-sco", "scm-dom1", "scm-rng1", "scm-cls"} <= set(rules)


EX = "http://example.org/"


@pytest.mark.parametrize("rule, premises, conclusion", [
    ("cax-sco", [("x", RDF.type, "B"), ("B", RDFS.subClassOf, "C")], ("x", RDF.type, "C")),
    ("prp-dom", [("p", RDFS.domain, "C"), ("x", "p", "y")], ("x", RDF.type, "C")),
    ("prp-rng", [("p", RDFS.range, "C"), ("x", "p", "y")], ("y", RDF.type, "C")),
    ("prp-inv1", [("p", OWL.inverseOf, "q"), ("y", "q", "x")], ("x", "p", "y")),
    ("prp-trp", [("p", RDF.type, OWL.TransitiveProperty), ("x", "p", "y"), ("y", "p", "z")], ("x", "p", "z")),
    ("prp-spo1", [("q", RDFS.subPropertyOf, "p"), ("x", "q", "y")], ("x", "p", "y")),
    ("prp-symp", [("p", RDF.type, OWL.SymmetricProperty), ("y", "p", "x")], ("x", "p", "y")),
    ("scm-dom2", [("q", RDFS.subPropertyOf, "p"), ("p", RDFS.domain, "C")], ("q", RDFS.domain, "C")),
])
def test_small_cases_are_found_and_recomputed(rule, premises, conclusion):
    """One graph per rule: the conclusion is traced to exactly these premises and recomputed from them."""
    def node(x):
        return x if isinstance(x, URIRef) else URIRef(EX + x)   # URIRef is a str too
    asserted = Graph()
    for t in premises:
        asserted.add(tuple(node(x) for x in t))
    target = tuple(node(x) for x in conclusion)
    inferred = Graph()
    inferred.add(target)
    found, left = trace(asserted, inferred)
    assert left == [] and found[target] == Derivation(target, rule, tuple(tuple(node(x) for x in t) for t in premises))
    assert conclude(rule, found[target].premises, asserted) == target


def test_a_triple_nothing_supports_is_left_over():
    asserted, inferred = Graph(), Graph()
    inferred.add((URIRef(EX + "a"), URIRef(EX + "p"), URIRef(EX + "b")))
    found, left = trace(asserted, inferred)
    assert found == {} and len(left) == 1
