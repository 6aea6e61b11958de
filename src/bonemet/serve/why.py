"""The page of a derivation: why an inferred triple holds, as the chain of rules down to its sources.

One query walks the derivations graph from the derivation (`bonemet:premise*`); the chain is then drawn
as a nested list: each step names its rule, each premise is a source's statement (with its word and
passage), a curated link (with the curators' rationale), an asserted triple (an axiom or a type) or another
derivation, which goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bonemet.namespaces import BASE, sparql_prologue

# bounds on what one page walks: chains here are a few steps deep, but a page never grows unbounded
MAX_ROWS = 2_000
MAX_DEPTH = 12

CHAIN = sparql_prologue("rdf", "rdfs", "oa", "prov", "bonemet") + """SELECT ?d ?rule ?rulelabel ?ruledef ?premise ?kind
       ?s ?p ?o ?slabel ?plabel ?olabel ?source ?word ?start ?end ?note WHERE {
  <IRI> bonemet:premise* ?d .
  ?d bonemet:rule ?rule .
  OPTIONAL { ?rule rdfs:label ?rulelabel } OPTIONAL { ?rule <http://www.w3.org/2004/02/skos/core#definition> ?ruledef }
  OPTIONAL {
    ?d bonemet:premise ?premise .
    ?premise a ?kind ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
    FILTER(?kind IN (bonemet:SourcedStatement, bonemet:CuratedStatement, bonemet:AssertedTriple, bonemet:Derivation))
    OPTIONAL { ?s rdfs:label ?slabel } OPTIONAL { ?p rdfs:label ?plabel } OPTIONAL { ?o rdfs:label ?olabel }
    OPTIONAL { ?premise prov:wasDerivedFrom ?source }
    OPTIONAL { ?premise bonemet:frequency/rdfs:label ?word }
    OPTIONAL { ?premise bonemet:evidence/oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end }
    OPTIONAL { ?premise bonemet:curationNote|bonemet:rationale ?note }
  }
}"""


OWN = sparql_prologue("rdfs") + "SELECT ?p ?o ?olabel WHERE { <IRI> ?p ?o OPTIONAL { ?o rdfs:label ?olabel } }"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def chain_query(iri: str) -> str:
    return CHAIN.replace("IRI", iri)


def own_query(iri: str) -> str:
    """A derivation's own triples: the reified conclusion and its label, with the labels of its terms."""
    return OWN.replace("IRI", iri)


def conclusion(rows: list[dict]) -> tuple[str | None, tuple[tuple[str, str | None], ...]] | None:
    """(label, ((IRI or value, label) of subject, predicate, object)) from `own_query`'s rows; None
    when they reify no triple."""
    own = {r["p"]["value"]: r for r in rows}
    parts = [own.get(RDF + k) for k in ("subject", "predicate", "object")]
    if any(p is None for p in parts):
        return None
    label = own[RDFS_LABEL]["o"]["value"] if RDFS_LABEL in own else None
    return label, tuple((p["o"]["value"], p.get("olabel", {}).get("value")) for p in parts if p)


@dataclass
class Premise:
    iri: str
    kind: str                  # "SourcedStatement", "CuratedStatement", "AssertedTriple" or "Derivation"
    triple: tuple[tuple[str, str | None], ...]   # (IRI or literal, label) for subject, predicate, object
    source: str | None = None
    word: str | None = None
    start: str | None = None
    end: str | None = None
    note: str | None = None
    step: Step | None = None   # a derivation's own step


@dataclass
class Step:
    iri: str
    rule: str
    rule_definition: str | None
    premises: list[Premise] = field(default_factory=list)


def chain(rows: list[dict], root: str) -> Step | None:
    """The derivation `root` as a tree of steps; a derivation met twice is drawn once, then referred to."""
    steps: dict[str, Step] = {}
    for r in rows:
        d = r["d"]["value"]
        rule = (r.get("rulelabel") or r["rule"])["value"].rsplit("/", 1)[-1]
        step = steps.setdefault(d, Step(d, rule, r.get("ruledef", {}).get("value")))
        if "premise" in r and all(p.iri != r["premise"]["value"] for p in step.premises):
            step.premises.append(Premise(
                r["premise"]["value"], r["kind"]["value"].rsplit("/", 1)[-1],
                tuple((r[k]["value"], r.get(k + "label", {}).get("value")) for k in ("s", "p", "o")),
                *(r.get(k, {}).get("value") for k in ("source", "word", "start", "end", "note"))))
    if root not in steps:
        return None
    drawn: set[str] = set()

    def attach(step: Step, depth: int) -> None:
        drawn.add(step.iri)
        for premise in step.premises:
            if premise.kind == "Derivation" and premise.iri in steps and premise.iri not in drawn and depth < MAX_DEPTH:
                premise.step = steps[premise.iri]
                attach(premise.step, depth + 1)
        step.premises.sort(key=lambda p: ({"SourcedStatement": 0, "CuratedStatement": 1, "Derivation": 2}.get(p.kind, 3), p.iri))

    attach(steps[root], 0)
    return steps[root]


def is_derivation(iri: str) -> bool:
    return iri.startswith(BASE + "derivation/")
