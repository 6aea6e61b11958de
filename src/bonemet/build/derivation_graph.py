"""The derivations graph: why each inferred triple holds, as RDF that plain SPARQL can walk.

Shape (docs/decisions/20261207-derivations.md):

    drv:HASH a bonemet:Derivation ;          # the inferred triple, reified as RDF reifies statements
        rdf:subject S ; rdf:predicate P ; rdf:object O ;
        bonemet:rule rule:prp-spo2 ;         # an OWL 2 RL rule, described in the ontology
        bonemet:premise PREMISE ...          # each premise is itself a reified triple:
                                             #   stmt:…    a bonemet:SourcedStatement (source, passage)
                                             #   curated:… a bonemet:CuratedStatement (curators' link, why)
                                             #   triple:…  a bonemet:AssertedTriple (axiom, type)
                                             #   drv:…     a bonemet:Derivation (inferred; its premises go on)

`?d bonemet:premise+ ?leaf . ?leaf a bonemet:SourcedStatement` walks a conclusion down to its sources.
A premise holding a blank node (the RDF list of a property chain axiom) is left out: blank nodes do not
survive being split into separate dumps, and the rule with the conclusion's predicate names the axiom.
"""

from __future__ import annotations

import hashlib

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from bonemet.namespaces import BONEMET, DERIVATION, RULE, TRIPLE
from bonemet.reason.derivations import Derivation, Triple


def triple_key(t: Triple) -> str:
    """A stable name for a triple: the first 16 hex digits of the SHA-256 of its N-Triples form."""
    return hashlib.sha256(" ".join(n.n3() for n in t).encode("utf-8")).hexdigest()[:16]


def derivation_graph(asserted: Graph, derivations: dict[Triple, Derivation]) -> Graph:
    statements: dict[Triple, list[Node]] = {}
    for kind in (BONEMET.SourcedStatement, BONEMET.CuratedStatement):
        for st in asserted.subjects(RDF.type, kind):
            t = (asserted.value(st, RDF.subject), asserted.value(st, RDF.predicate), asserted.value(st, RDF.object))
            statements.setdefault(t, []).append(st)   # type: ignore[arg-type]
    g = Graph()

    def reify(node: URIRef, t: Triple, kind: URIRef) -> None:
        g.add((node, RDF.type, kind))
        g.add((node, RDF.subject, t[0]))
        g.add((node, RDF.predicate, t[1]))
        g.add((node, RDF.object, t[2]))
        g.add((node, RDFS.label, Literal(f"{_name(asserted, t[0])} {_name(asserted, t[1])} {_name(asserted, t[2])}",
                                         lang="en")))

    for conclusion, d in derivations.items():
        node = DERIVATION[triple_key(conclusion)]
        reify(node, conclusion, BONEMET.Derivation)
        g.add((node, BONEMET.rule, RULE[d.rule]))
        for premise in d.premises:
            if any(isinstance(n, BNode) for n in premise):
                continue
            if premise in derivations:
                g.add((node, BONEMET.premise, DERIVATION[triple_key(premise)]))
            elif premise in statements:
                for st in statements[premise]:
                    g.add((node, BONEMET.premise, st))
            else:
                stated = TRIPLE[triple_key(premise)]
                reify(stated, premise, BONEMET.AssertedTriple)
                g.add((node, BONEMET.premise, stated))
    return g


def _name(g: Graph, term: Node) -> str:
    """A term as a label reads it: its English label, else its local name, else its value."""
    label = g.value(term, RDFS.label) if isinstance(term, URIRef) else None
    if label is not None:
        return str(label)
    if isinstance(term, URIRef):
        return str(term).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return str(term)
