"""Derivations of the inferred graph (issue 16, first step): every inferred triple has one, each is re-derived
from its premises by its named rule alone, and every chain ends in asserted triples."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef

from bonemet.build.derivation_graph import triple_key
from bonemet.namespaces import BME, BONEMET, DERIVATION, RULE
from bonemet.reason.derivations import Derivation, conclude, trace
from conftest import CHROMIUM, browse, keep_for_review


@pytest.fixture(scope="module")
def traced(built):
    found, left = trace(built.asserted, built.inferred)
    return found, left


def test_every_inferred_triple_has_a_derivation(built, traced):
    found, left = traced
    assert left == [] and set(built.inferred) <= set(found)
    assert sum(built.report["derivations_per_rule"].values()) == len(found)   # the build checks it too
    assert len(built.inferred) == built.report["inferred_triples"] > 2_000


def test_each_derivation_is_recomputed_by_its_rule_from_its_premises(built, traced):
    found, _ = traced
    closure = built.asserted + built.inferred
    wrong = [d for d in found.values() if conclude(d.rule, d.premises, closure) != d.conclusion]
    helpers = [t for t in found if t not in built.inferred]     # subclass-of-owl:Thing links (scm-cls)
    assert wrong == [] and len(found) == len(built.inferred) + len(helpers)
    assert {found[t].rule for t in helpers} == {"scm-cls"}


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
    assert {"cax-sco", "prp-dom", "prp-rng", "prp-inv1", "prp-trp", "prp-spo1", "prp-spo2", "prp-symp",
            "scm-sco", "scm-dom1", "scm-rng1", "scm-cls"} <= set(rules)


EX = "http://example.org/"


@pytest.mark.parametrize("rule, premises, conclusion", [
    ("cax-sco", [("B", RDFS.subClassOf, "C"), ("x", RDF.type, "B")], ("x", RDF.type, "C")),
    ("cax-eqc1", [("B", OWL.equivalentClass, "C"), ("x", RDF.type, "B")], ("x", RDF.type, "C")),
    ("cax-eqc2", [("C", OWL.equivalentClass, "B"), ("x", RDF.type, "B")], ("x", RDF.type, "C")),
    ("prp-dom", [("p", RDFS.domain, "C"), ("x", "p", "y")], ("x", RDF.type, "C")),
    ("prp-rng", [("p", RDFS.range, "C"), ("x", "p", "y")], ("y", RDF.type, "C")),
    ("prp-inv1", [("q", OWL.inverseOf, "p"), ("y", "q", "x")], ("x", "p", "y")),
    ("prp-inv2", [("p", OWL.inverseOf, "q"), ("y", "q", "x")], ("x", "p", "y")),
    ("prp-eqp1", [("q", OWL.equivalentProperty, "p"), ("x", "q", "y")], ("x", "p", "y")),
    ("prp-eqp2", [("p", OWL.equivalentProperty, "q"), ("x", "q", "y")], ("x", "p", "y")),
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


# ---------------------------------------------------------------- the published graph


def test_each_derivation_is_published_as_its_rule_and_premises(built, traced):
    """drv:HASH reifies the conclusion, names its rule (described in the ontology) and links a node per
    premise: the statement of a sourced premise, the reified asserted triple, or the premise's derivation."""
    found, _ = traced
    g, asserted = built.derivations, built.asserted
    rules = set(asserted.subjects(RDF.type, BONEMET.InferenceRule))
    statements = {(asserted.value(st, RDF.subject), asserted.value(st, RDF.predicate), asserted.value(st, RDF.object)):
                  kind for kind in (BONEMET.SourcedStatement, BONEMET.CuratedStatement)
                  for st in asserted.subjects(RDF.type, kind)}
    for conclusion, d in found.items():
        node = DERIVATION[triple_key(conclusion)]
        assert (node, RDF.type, BONEMET.Derivation) in g
        assert (g.value(node, RDF.subject), g.value(node, RDF.predicate), g.value(node, RDF.object)) == conclusion
        assert g.value(node, BONEMET.rule) == RULE[d.rule] and RULE[d.rule] in rules
        premises = set(g.objects(node, BONEMET.premise))
        named = {tuple((g if (p, RDF.subject, None) in g else asserted).value(p, q)
                       for q in (RDF.subject, RDF.predicate, RDF.object)) for p in premises}
        wanted = {t for t in d.premises if not any(isinstance(n, BNode) for n in t)}
        assert named == wanted, conclusion
        for p in premises:
            where = g if (p, RDF.subject, None) in g else asserted
            triple = (where.value(p, RDF.subject), where.value(p, RDF.predicate), where.value(p, RDF.object))
            expected = (BONEMET.Derivation if triple in found else
                        statements.get(triple, BONEMET.AssertedTriple))
            assert (p, RDF.type, expected) in where, (conclusion, p)
    assert len(set(g.subjects(RDF.type, BONEMET.Derivation))) == len(found)


def test_plain_sparql_walks_every_inferred_triple_down_to_asserted_ones(built):
    import pyoxigraph as ox
    store = ox.Store()
    for name in ("bonemet.nt", "bonemet-inferred.nt", "bonemet-derivations.nt"):
        store.bulk_load(path=str(built.out / name), format=ox.RdfFormat.N_TRIPLES)
    stranded = list(store.query("""PREFIX bonemet: <https://w3id.org/bonemet/>
        SELECT ?d WHERE { ?d a bonemet:Derivation
          FILTER NOT EXISTS { ?d bonemet:premise+ ?leaf . ?leaf a ?k
                              FILTER(?k IN (bonemet:SourcedStatement, bonemet:CuratedStatement,
                                            bonemet:AssertedTriple)) } }"""))
    assert stranded == []
    sourced = next(iter(store.query("""PREFIX bonemet: <https://w3id.org/bonemet/>
        SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a bonemet:Derivation ; bonemet:premise+ ?leaf .
          ?leaf a bonemet:SourcedStatement }""")))["n"].value
    assert int(sourced) > 500          # many inferred links rest on what a source says


def test_the_why_page_shows_the_chain_down_to_the_sources(default_server):
    """Kidney cancer reaches the central nervous system only through a curated part-of link."""
    status, _, body = default_server.request("/entity/KidneyCancer", headers={"Accept": "text/html"})
    page = body.decode()
    row = page.split("/entity/CentralNervousSystemSite", 1)[1].split("</tr>", 1)[0]
    why = re.search(r'rule prp-spo2: <a href="http://127\.0\.0\.1:\d+(/derivation/[0-9a-f]{16})">why\?</a>', row)
    status, _, body = default_server.request(why.group(1), headers={"Accept": "text/html"})
    text = body.decode()
    assert status == 200 and "prp-spo2" in text and "/statement/" in text
    assert "spinal cord" in text.lower() and "source 002" in text
    # the root a reader may want to fix is marked as the curators' link, with their reason
    assert "added by the curators, not from the sources" in text and "/curated/SpinalCord-partOf-" in text
    assert "the spinal cord belongs to the central nervous system" in text
    status, _, turtle = default_server.request(why.group(1), headers={"Accept": "text/turtle"})
    assert status == 200 and b"premise" in turtle


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test installs it)")
def test_the_why_page_in_chromium(default_server, built):
    path = "/derivation/" + triple_key((URIRef(BME + "KidneyCancer"), BONEMET.metastasizesTo,
                                         URIRef(BME + "CentralNervousSystemSite")))
    shot = built.out.parent / "screenshots" / "why.png"
    shot.parent.mkdir(exist_ok=True)
    browse(default_server.url + path, f"--screenshot={shot}", "--window-size=1200,900")
    dom = browse(default_server.url + path)
    assert "Why: kidney cancer metastasizes to central nervous system" in dom and "prp-spo2" in dom
    keep_for_review(shot)


@pytest.mark.parametrize("path", ["/derivation/0000000000000000", "/derivation/not-a-hash", "/derivation/"])
def test_an_unknown_derivation_is_404_not_an_error(default_server, path):
    status, _, body = default_server.request(path, headers={"Accept": "text/html"})
    assert status == 404 and b"Traceback" not in body
