"""OWL 2 RL materialization with owlrl, and the filter that keeps only useful entailments."""

from __future__ import annotations

from dataclasses import dataclass

from owlrl import OWLRL_Semantics
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import Namespace

ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # where owlrl reports inconsistencies
VOCABULARY_NAMESPACES = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
REFLEXIVE_AXIOMS = {RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty, OWL.sameAs}


@dataclass
class Materialization:
    inferred: Graph
    errors: list[str]


def _is_vocabulary(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(VOCABULARY_NAMESPACES)


def is_noise(s, p, o) -> bool:
    """True for closure triples that carry no information for users of the graph."""
    if isinstance(s, Literal) or isinstance(s, BNode) or isinstance(o, BNode):
        return True   # literal proxies and anonymous list/axiom nodes
    if p in REFLEXIVE_AXIOMS and s == o:
        return True
    if _is_vocabulary(s):
        return True   # axiomatic RDF/RDFS/OWL vocabulary triples
    if p == RDF.type and o in (OWL.Thing, RDFS.Resource):
        return True
    if p == RDFS.subClassOf and o == OWL.Thing:
        return True
    if s == ERR or p == ERR.error or o == ERR.ErrorMessage:
        return True
    return False


def materialize(asserted: Graph) -> Materialization:
    """OWL 2 RL closure of `asserted`; returns the new, non-noise triples and owlrl's inconsistency messages."""
    closure = Graph()
    for triple in asserted:
        closure.add(triple)
    engine = OWLRL_Semantics(closure, False, False, rdfs=False)
    engine.closure()
    inferred = Graph()
    for triple in closure:
        if triple not in asserted and not is_noise(*triple):
            inferred.add(triple)
    return Materialization(inferred, sorted(engine.error_messages))
