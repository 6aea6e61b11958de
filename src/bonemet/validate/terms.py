"""IRIs in bonemet's own namespaces that bonemet does not define.

A record that says `bonemet:site bme:Femurr` fails its shape (the value is not a skeletal site), but the
shape cannot say why: the IRI is simply not ours. Ontology terms (`bonemet:X`) and entities (`bme:X`) are
closed namespaces, so any IRI in them that the vocabulary does not define is a typo or an invention.
Each use is reported as a result of its own, with the closest names bonemet does define.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from bonemet.namespaces import BASE, BME, curie

SHAPE = URIRef(BASE + "shapes/KnownTerms")
COMPONENT = URIRef(BASE + "shapes/KnownTermConstraintComponent")
ENTITY_BASE = str(BME)
# the namespaces bonemet defines completely: every IRI in them is in the ontology or the entity table
CLOSED = (BASE, ENTITY_BASE)

Use = tuple[str, str | None, str]   # (focus node, result path or None, the unknown IRI)


def in_closed_namespace(iri: str) -> bool:
    """bonemet:Cancer and bme:Femur are; bonemet's statement/, source/ ... IRIs are minted per row and are not.

    >>> in_closed_namespace("https://w3id.org/bonemet/entity/Femurr"), in_closed_namespace(BASE + "statement/1")
    (True, False)
    """
    for ns in CLOSED:
        local = iri[len(ns):]
        if iri.startswith(ns) and local and "/" not in local:
            return True
    return False


def defined_terms(vocabulary: Graph) -> set[str]:
    return {str(s) for s in vocabulary.subjects() if isinstance(s, URIRef) and in_closed_namespace(str(s))}


def unknown_uses(triples: Iterable[tuple[str, str, str]], defined: set[str]) -> list[Use]:
    """Each triple position holding an undefined IRI, as (focus, path, value), sorted and without repeats."""
    found: set[Use] = set()
    for s, p, o in triples:
        if in_closed_namespace(s) and s not in defined:
            found.add((s, None, s))
        if in_closed_namespace(p) and p not in defined:
            found.add((s, p, p))
        if in_closed_namespace(o) and o not in defined:
            found.add((s, p, o))
    return sorted(found, key=lambda u: (u[0], u[1] or "", u[2]))


def suggestions(iri: str, defined: set[str], n: int = 3) -> list[str]:
    """The defined names closest to an undefined one, in its own namespace (difflib's ratio >= 0.75).

    >>> suggestions(ENTITY_BASE + "Femurr", {ENTITY_BASE + "Femur", ENTITY_BASE + "Humerus", BASE + "Femur"})
    ['https://w3id.org/bonemet/entity/Femur']
    """
    ns = ENTITY_BASE if iri.startswith(ENTITY_BASE) else BASE
    names = {d[len(ns):]: d for d in defined if d.startswith(ns) and in_closed_namespace(d) and
             (ns == ENTITY_BASE) == d.startswith(ENTITY_BASE)}
    close = difflib.get_close_matches(iri[len(ns):], sorted(names), n=n, cutoff=0.75)
    return [names[c] for c in close]


def message(iri: str, defined: set[str]) -> str:
    shown = curie(iri) or iri
    close = [curie(s) or s for s in suggestions(iri, defined)]
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return f"{shown} is not a term bonemet defines (not in its ontology or entity table){hint}"


def add_results(report: Graph, uses: list[Use], defined: set[str]) -> None:
    """Add one sh:ValidationResult per use to a standard report graph (and make it non-conforming)."""
    if not uses:
        return
    root = next(report.subjects(RDF.type, SH.ValidationReport), None)
    if root is None:
        root = BNode()
        report.add((root, RDF.type, SH.ValidationReport))
    report.set((root, SH.conforms, Literal(False)))
    for focus, path, value in uses:
        r = BNode()
        report.add((root, SH.result, r))
        report.add((r, RDF.type, SH.ValidationResult))
        report.add((r, SH.focusNode, URIRef(focus)))
        if path is not None:
            report.add((r, SH.resultPath, URIRef(path)))
        report.add((r, SH.value, URIRef(value)))
        report.add((r, SH.resultSeverity, SH.Violation))
        report.add((r, SH.sourceShape, SHAPE))
        report.add((r, SH.sourceConstraintComponent, COMPONENT))
        report.add((r, SH.resultMessage, Literal(message(value, defined))))


def graph_triples(g: Graph) -> Iterator[tuple[str, str, str]]:
    for s, p, o in g:
        if isinstance(s, URIRef) and isinstance(o, URIRef | BNode | Literal):
            yield str(s), str(p), str(o) if isinstance(o, URIRef) else ""


def store_triples(store: ox.Store) -> Iterator[tuple[str, str, str]]:
    """Only the triples that touch our namespace, found by Oxigraph rather than walked in Python."""
    query = f"""SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o .
        FILTER(STRSTARTS(STR(?s), "{BASE}") || STRSTARTS(STR(?p), "{BASE}")
               || (isIRI(?o) && STRSTARTS(STR(?o), "{BASE}"))) }}"""
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        s, p, o = row["s"], row["p"], row["o"]
        if isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode):
            yield s.value, p.value, o.value if isinstance(o, ox.NamedNode) else ""
