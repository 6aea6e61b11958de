"""Why each triple of the inferred graph holds: a derivation by a named OWL 2 RL rule.

owlrl says what follows, not why. This pass works back from its result: a triple is explained when one
rule of the OWL 2 RL profile (§4.3, the rule names of its tables) yields it from premises that are asserted
or were explained in an earlier round. Rounds go on until nothing more can be explained, so every chain of
derivations ends in asserted triples (data, curated links and the ontology's axioms), and a triple left
over is reported, never guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
# class and property axioms that rules chain through, one step each: (rule, axiom predicate)
SCHEMA_STEPS: dict[Node, tuple[str, Node]] = {RDFS.subClassOf: ("scm-sco", RDFS.subClassOf),
                                              RDFS.subPropertyOf: ("scm-spo", RDFS.subPropertyOf)}


@dataclass(frozen=True)
class Derivation:
    conclusion: Triple
    rule: str
    premises: tuple[Triple, ...]


def trace(asserted: Graph, inferred: Graph) -> tuple[dict[Triple, Derivation], list[Triple]]:
    """A derivation for each triple of `inferred` that has one, and the triples that have none."""
    closure = Graph()
    for graph in (asserted, inferred):
        for t in graph:
            closure.add(t)
    known = set(asserted)
    found: dict[Triple, Derivation] = {}
    # scm-cls makes every class a subclass of owl:Thing; the closure filter drops these as noise
    # (bonemet.reason.closure.is_noise), but other derivations stand on them
    for c in asserted.subjects(RDF.type, OWL.Class):
        if isinstance(c, URIRef) and c != OWL.Thing:
            t = (c, RDFS.subClassOf, OWL.Thing)
            if t not in known:
                closure.add(t)
                known.add(t)
                found[t] = Derivation(t, "scm-cls", ((c, RDF.type, OWL.Class),))
    pending = set(inferred) - known
    while pending:
        explained = {}
        for t in sorted(pending):
            ready = [d for d in _candidates(closure, t) if all(p in known for p in d.premises)]
            if ready:   # the same choice whatever order the store yields candidates in (byte-identical builds)
                explained[t] = min(ready, key=lambda d: (sum(p not in asserted for p in d.premises), d.rule,
                                                         [" ".join(n.n3() for n in p) for p in d.premises]))
        if not explained:
            break
        known |= explained.keys()       # only after the round: premises come from earlier rounds
        found |= explained
        pending -= explained.keys()
    return found, sorted(pending)


def _candidates(g: Graph, t: Triple) -> Iterator[Derivation]:
    s, p, o = t

    def d(rule: str, *premises: Triple) -> Derivation:
        return Derivation(t, rule, premises)

    if p == RDF.type:
        for b in g.objects(s, RDF.type):
            if (b, RDFS.subClassOf, o) in g:
                yield d("cax-sco", (b, RDFS.subClassOf, o), (s, RDF.type, b))
            if (b, OWL.equivalentClass, o) in g:
                yield d("cax-eqc1", (b, OWL.equivalentClass, o), (s, RDF.type, b))
            if (o, OWL.equivalentClass, b) in g:
                yield d("cax-eqc2", (o, OWL.equivalentClass, b), (s, RDF.type, b))
        for q in g.subjects(RDFS.domain, o):
            for y in g.objects(s, q):
                yield d("prp-dom", (q, RDFS.domain, o), (s, q, y))
        for q in g.subjects(RDFS.range, o):
            for x in g.subjects(q, s):
                yield d("prp-rng", (q, RDFS.range, o), (x, q, s))
    if p in SCHEMA_STEPS:
        rule, axiom = SCHEMA_STEPS[p]
        for mid in g.objects(s, axiom):
            if (mid, axiom, o) in g:
                yield d(rule, (s, axiom, mid), (mid, axiom, o))
    if p in (RDFS.domain, RDFS.range):
        suffix = "dom" if p == RDFS.domain else "rng"
        for c in g.objects(s, p):
            if (c, RDFS.subClassOf, o) in g:
                yield d(f"scm-{suffix}1", (s, p, c), (c, RDFS.subClassOf, o))
        for q in g.objects(s, RDFS.subPropertyOf):
            if (q, p, o) in g:
                yield d(f"scm-{suffix}2", (s, RDFS.subPropertyOf, q), (q, p, o))
    for q in g.objects(p, OWL.inverseOf):
        yield d("prp-inv2", (p, OWL.inverseOf, q), (o, q, s))
    for q in g.subjects(OWL.inverseOf, p):
        yield d("prp-inv1", (q, OWL.inverseOf, p), (o, q, s))
    for q in g.subjects(RDFS.subPropertyOf, p):
        if (s, q, o) in g:
            yield d("prp-spo1", (q, RDFS.subPropertyOf, p), (s, q, o))
    for q in g.subjects(OWL.equivalentProperty, p):
        if (s, q, o) in g:
            yield d("prp-eqp1", (q, OWL.equivalentProperty, p), (s, q, o))
    for q in g.objects(p, OWL.equivalentProperty):
        if (s, q, o) in g:
            yield d("prp-eqp2", (p, OWL.equivalentProperty, q), (s, q, o))
    if (p, RDF.type, OWL.TransitiveProperty) in g:
        for y in g.objects(s, p):
            if (y, p, o) in g:
                yield d("prp-trp", (p, RDF.type, OWL.TransitiveProperty), (s, p, y), (y, p, o))
    if (p, RDF.type, OWL.SymmetricProperty) in g and (o, p, s) in g:
        yield d("prp-symp", (p, RDF.type, OWL.SymmetricProperty), (o, p, s))
    for head in g.objects(p, OWL.propertyChainAxiom):
        chain = list(Collection(g, head))
        if len(chain) == 2:
            for y in g.objects(s, chain[0]):
                if (y, chain[1], o) in g:
                    yield d("prp-spo2", (p, OWL.propertyChainAxiom, head), (s, chain[0], y), (y, chain[1], o))



def conclude(rule: str, premises: tuple[Triple, ...], g: Graph) -> Triple | None:
    """What `rule` yields from `premises`, read from the rule's definition alone (independent of the search
    above, so a test can re-check every derivation); `g` supplies the RDF list of a property chain.
    None when the premises do not fit the rule."""
    by_pattern: dict[str, Callable[..., Triple | None]] = {
        "scm-cls": lambda c: (c[0], RDFS.subClassOf, OWL.Thing) if c[1:] == (RDF.type, OWL.Class) else None,
        "cax-sco": lambda ax, x: _typed(ax, x, RDFS.subClassOf, forward=True),
        "cax-eqc1": lambda ax, x: _typed(ax, x, OWL.equivalentClass, forward=True),
        "cax-eqc2": lambda ax, x: _typed(ax, x, OWL.equivalentClass, forward=False),
        "prp-dom": lambda ax, x: (x[0], RDF.type, ax[2]) if ax[1] == RDFS.domain and x[1] == ax[0] else None,
        "prp-rng": lambda ax, x: (x[2], RDF.type, ax[2]) if ax[1] == RDFS.range and x[1] == ax[0] else None,
        "scm-sco": lambda a, b: (a[0], a[1], b[2]) if a[1] == b[1] == RDFS.subClassOf and a[2] == b[0] else None,
        "scm-spo": lambda a, b: (a[0], a[1], b[2]) if a[1] == b[1] == RDFS.subPropertyOf and a[2] == b[0] else None,
        "scm-dom1": lambda a, b: _scm1(a, b, RDFS.domain), "scm-rng1": lambda a, b: _scm1(a, b, RDFS.range),
        "scm-dom2": lambda a, b: _scm2(a, b, RDFS.domain), "scm-rng2": lambda a, b: _scm2(a, b, RDFS.range),
        "prp-inv1": lambda ax, x: (x[2], ax[2], x[0]) if ax[1] == OWL.inverseOf and x[1] == ax[0] else None,
        "prp-inv2": lambda ax, x: (x[2], ax[0], x[0]) if ax[1] == OWL.inverseOf and x[1] == ax[2] else None,
        "prp-spo1": lambda ax, x: (x[0], ax[2], x[2]) if ax[1] == RDFS.subPropertyOf and x[1] == ax[0] else None,
        "prp-eqp1": lambda ax, x: (x[0], ax[2], x[2]) if ax[1] == OWL.equivalentProperty and x[1] == ax[0] else None,
        "prp-eqp2": lambda ax, x: (x[0], ax[0], x[2]) if ax[1] == OWL.equivalentProperty and x[1] == ax[2] else None,
        "prp-trp": lambda ax, a, b: (a[0], a[1], b[2])
        if ax[1:] == (RDF.type, OWL.TransitiveProperty) and a[1] == b[1] == ax[0] and a[2] == b[0] else None,
        "prp-symp": lambda ax, x: (x[2], x[1], x[0]) if ax[1:] == (RDF.type, OWL.SymmetricProperty) and x[1] == ax[0]
        else None,
        "prp-spo2": lambda ax, a, b: (a[0], ax[0], b[2])
        if ax[1] == OWL.propertyChainAxiom and [a[1], b[1]] == list(Collection(g, ax[2])) and a[2] == b[0] else None,
    }
    try:
        return by_pattern[rule](*premises)
    except (KeyError, TypeError):
        return None


def _typed(ax: Triple, x: Triple, axiom: Node, forward: bool) -> Triple | None:
    """cax-sco, cax-eqc1 (forward: an instance of the axiom's subject) and cax-eqc2 (of its object)."""
    source, target = (ax[0], ax[2]) if forward else (ax[2], ax[0])
    return (x[0], RDF.type, target) if ax[1] == axiom and x[1] == RDF.type and x[2] == source else None


def _scm1(a: Triple, b: Triple, p: Node) -> Triple | None:
    """scm-dom1 / scm-rng1: a property's domain (range) widens along subClassOf."""
    return (a[0], p, b[2]) if a[1] == p and b[1] == RDFS.subClassOf and a[2] == b[0] else None


def _scm2(a: Triple, b: Triple, p: Node) -> Triple | None:
    """scm-dom2 / scm-rng2: a sub-property inherits its super-property's domain (range)."""
    return (a[0], p, b[2]) if a[1] == RDFS.subPropertyOf and b[1] == p and a[2] == b[0] else None
