"""OWL 2 RL materialization of instance data at registry scale.

owlrl re-applies every rule to every triple until nothing changes, which costs minutes per
million triples. Registries, though, only add instance triples to a small, fixed ontology.
So the ontology (with any schema triples a registry brings) is closed once with owlrl
itself, its axioms are compiled into lookup tables, and the instance triples are saturated
by a semi-naive forward chainer: every triple is processed once, joined only with the
triples its rules can meet. tests/test_abox_reasoning.py proves the result equal to
owlrl's on samples.

Terms are N-Triples strings as pyoxigraph prints them: cheap to hash, ready to write.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection

from bonemet.io import parse_triples
from bonemet.reason.closure import materialize

RDF_NS, RDFS_NS, OWL_NS = str(RDF), str(RDFS), str(OWL)
TYPE = f"<{RDF.type}>"
SAME_AS = f"<{OWL.sameAs}>"

# Constructs whose rules the chainer does not implement: an ontology using them is closed by owlrl.
UNSUPPORTED = {OWL.hasKey, OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.maxCardinality,
               OWL.maxQualifiedCardinality, OWL.intersectionOf, OWL.unionOf, OWL.oneOf, OWL.complementOf,
               OWL.differentFrom, OWL.distinctMembers, OWL.propertyDisjointWith, OWL.sourceIndividual,
               OWL.onDatatype}
UNSUPPORTED_TYPES = {OWL.AllDifferent, OWL.AllDisjointProperties, OWL.IrreflexiveProperty,
                     OWL.AsymmetricProperty, OWL.NegativePropertyAssertion}


class UnsupportedOntology(Exception):
    """The ontology uses an OWL construct the compiled rules do not cover."""


def is_schema_triple(s: str, p: str, o: str) -> bool:
    """Triples that belong to the ontology side: axioms, declarations and list cells."""
    if p == TYPE:
        return o.startswith((f"<{RDFS_NS}", f"<{OWL_NS}")) or o == f"<{RDF.Property}>" or o == f"<{RDF.List}>"
    if p in (f"<{RDF.first}>", f"<{RDF.rest}>"):
        return True
    return p.startswith((f"<{RDFS_NS}", f"<{OWL_NS}")) and p not in (SAME_AS, f"<{RDFS.label}>",
                                                                       f"<{RDFS.comment}>", f"<{RDFS.seeAlso}>")


def _nt(term) -> str:
    return f"<{term}>"


@dataclass
class RuleTables:
    """The ontology's axioms, compiled: what each class or property entails."""
    superclasses: dict[str, tuple[str, ...]] = field(default_factory=dict)
    superproperties: dict[str, tuple[str, ...]] = field(default_factory=dict)
    domains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ranges: dict[str, tuple[str, ...]] = field(default_factory=dict)
    inverses: dict[str, tuple[str, ...]] = field(default_factory=dict)
    symmetric: frozenset[str] = frozenset()
    transitive: frozenset[str] = frozenset()
    functional: frozenset[str] = frozenset()
    inverse_functional: frozenset[str] = frozenset()
    chains_by_first: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)   # p1 -> ((p2, q),)
    chains_by_second: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # p2 -> ((p1, q),)
    disjoint: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)          # C -> ((C1, C2),)

    @property
    def indexed(self) -> frozenset[str]:
        """Properties whose triples the chainer must be able to look up."""
        chained = {p for pairs in self.chains_by_first.values() for p, _q in pairs} | set(self.chains_by_first)
        return frozenset(self.transitive | self.functional | self.inverse_functional | chained | {SAME_AS})


def compile_rules(closed: Graph) -> RuleTables:
    """Lookup tables from an ontology already closed by owlrl (so hierarchies are transitive)."""
    for construct in UNSUPPORTED:
        if next(closed.triples((None, construct, None)), None) is not None:
            raise UnsupportedOntology(f"the ontology uses {construct.n3(closed.namespace_manager)}")
    for construct in UNSUPPORTED_TYPES:
        if next(closed.triples((None, RDF.type, construct)), None) is not None:
            raise UnsupportedOntology(f"the ontology uses {construct.n3(closed.namespace_manager)}")

    def table(pairs: Iterable[tuple]) -> dict[str, tuple[str, ...]]:
        out: dict[str, set[str]] = defaultdict(set)
        for a, b in pairs:
            if a != b and isinstance(a, URIRef) and isinstance(b, URIRef):
                out[_nt(a)].add(_nt(b))
        return {k: tuple(sorted(v)) for k, v in out.items()}

    def typed(cls) -> frozenset[str]:
        return frozenset(_nt(p) for p in closed.subjects(RDF.type, cls) if isinstance(p, URIRef))

    equivalent_properties = list(closed.subject_objects(OWL.equivalentProperty))
    inverse_pairs = list(closed.subject_objects(OWL.inverseOf))
    chains_first: dict[str, list] = defaultdict(list)
    chains_second: dict[str, list] = defaultdict(list)
    for q, head in closed.subject_objects(OWL.propertyChainAxiom):
        chain = [_nt(p) for p in Collection(closed, head)]
        if len(chain) != 2:
            raise UnsupportedOntology(f"property chain of length {len(chain)} on {q}")
        chains_first[chain[0]].append((chain[1], _nt(q)))
        chains_second[chain[1]].append((chain[0], _nt(q)))
    disjoint: dict[str, set] = defaultdict(set)
    pairs = [(_nt(a), _nt(b)) for a, b in closed.subject_objects(OWL.disjointWith)]
    for group in closed.subjects(RDF.type, OWL.AllDisjointClasses):
        for head in closed.objects(group, OWL.members):
            members = [_nt(c) for c in Collection(closed, head)]
            pairs += [(a, b) for i, a in enumerate(members) for b in members[i + 1:]]
    for a, b in pairs:
        disjoint[a].add((a, b))
        disjoint[b].add((a, b))
    return RuleTables(
        superclasses=table(list(closed.subject_objects(RDFS.subClassOf))
                           + list(closed.subject_objects(OWL.equivalentClass))
                           + [(b, a) for a, b in closed.subject_objects(OWL.equivalentClass)]),
        superproperties=table(list(closed.subject_objects(RDFS.subPropertyOf)) + equivalent_properties
                              + [(b, a) for a, b in equivalent_properties]),
        domains=table(closed.subject_objects(RDFS.domain)),
        ranges=table(closed.subject_objects(RDFS.range)),
        inverses=table(inverse_pairs + [(b, a) for a, b in inverse_pairs]),
        symmetric=typed(OWL.SymmetricProperty) | {SAME_AS},
        transitive=typed(OWL.TransitiveProperty) | {SAME_AS},
        functional=typed(OWL.FunctionalProperty),
        inverse_functional=typed(OWL.InverseFunctionalProperty),
        chains_by_first={k: tuple(sorted(v)) for k, v in chains_first.items()},
        chains_by_second={k: tuple(sorted(v)) for k, v in chains_second.items()},
        disjoint={k: tuple(sorted(v)) for k, v in disjoint.items()},
    )


def _plain(term: str) -> str:
    """How owlrl names a term in its messages: the IRI without brackets."""
    return term[1:-1] if term.startswith("<") else term


class Saturator:
    """Semi-naive forward chaining of the compiled rules over instance triples."""

    def __init__(self, rules: RuleTables):
        self.rules = rules
        self.facts: set[tuple[str, str, str]] = set()
        self.derived: list[tuple[str, str, str]] = []
        self.errors: set[str] = set()
        self._indexed = rules.indexed
        self._s2o: dict[str, dict[str, set[str]]] = {p: defaultdict(set) for p in self._indexed}
        self._o2s: dict[str, dict[str, set[str]]] = {p: defaultdict(set) for p in self._indexed}
        self._queue: deque[tuple[str, str, str]] = deque()
        self._by_subject: dict[str, set[tuple[str, str]]] | None = None  # built when owl:sameAs first appears
        self._by_object: dict[str, set[tuple[str, str]]] | None = None

    def add_base(self, triples: Iterable[tuple[str, str, str]]) -> None:
        """Triples already closed (the ontology's closure): known, but not processed again."""
        for t in triples:
            self._store(t)

    def _store(self, t: tuple[str, str, str]) -> bool:
        if t in self.facts:
            return False
        self.facts.add(t)
        s, p, o = t
        if p in self._indexed:
            self._s2o[p][s].add(o)
            self._o2s[p][o].add(s)
        if self._by_subject is not None and self._by_object is not None:
            self._by_subject[s].add((p, o))
            self._by_object[o].add((s, p))
        return True

    def assert_triples(self, triples: Iterable[tuple[str, str, str]]) -> None:
        for t in triples:
            if self._store(t):
                self._queue.append(t)

    def _derive(self, t: tuple[str, str, str]) -> None:
        if self._store(t):
            self.derived.append(t)
            self._queue.append(t)

    def run(self) -> None:
        while self._queue:
            self._fire(*self._queue.popleft())

    def _fire(self, s: str, p: str, o: str) -> None:
        r, derive = self.rules, self._derive
        if p == TYPE:
            for c in r.superclasses.get(o, ()):                      # cax-sco, cax-eqc
                derive((s, TYPE, c))
            for c1, c2 in r.disjoint.get(o, ()):                     # cax-dw, cax-adc
                if (s, TYPE, c1) in self.facts and (s, TYPE, c2) in self.facts:
                    self.errors.add(f"Disjoint classes {_plain(c1)} and {_plain(c2)} "
                                    f"have a common individual {_plain(s)}")
        for q in r.superproperties.get(p, ()):                       # prp-spo1, prp-eqp
            derive((s, q, o))
        for c in r.domains.get(p, ()):                               # prp-dom
            derive((s, TYPE, c))
        for c in r.ranges.get(p, ()):                                # prp-rng
            derive((o, TYPE, c))
        for q in r.inverses.get(p, ()):                              # prp-inv1, prp-inv2
            derive((o, q, s))
        if p in r.symmetric:                                         # prp-symp, eq-sym
            derive((o, p, s))
        if p in r.transitive:                                        # prp-trp, eq-trans
            for z in tuple(self._s2o[p].get(o, ())):
                derive((s, p, z))
            for x in tuple(self._o2s[p].get(s, ())):
                derive((x, p, o))
        for p2, q in r.chains_by_first.get(p, ()):                   # prp-spo2
            for z in tuple(self._s2o[p2].get(o, ())):
                derive((s, q, z))
        for p1, q in r.chains_by_second.get(p, ()):
            for x in tuple(self._o2s[p1].get(s, ())):
                derive((x, q, o))
        if p in r.functional:                                        # prp-fp
            for other in tuple(self._s2o[p].get(s, ())):
                if other != o:
                    derive((o, SAME_AS, other))
                    derive((other, SAME_AS, o))
        if p in r.inverse_functional:                                # prp-ifp
            for other in tuple(self._o2s[p].get(o, ())):
                if other != s:
                    derive((s, SAME_AS, other))
                    derive((other, SAME_AS, s))
        self._replace_equals(s, p, o)

    def _replace_equals(self, s: str, p: str, o: str) -> None:
        """eq-rep-s/p/o: a triple holds for everything owl:sameAs its terms."""
        same = self._s2o[SAME_AS]
        if not same:
            return
        if self._by_subject is None:
            self._by_subject, self._by_object = defaultdict(set), defaultdict(set)
            for fs, fp, fo in self.facts:
                self._by_subject[fs].add((fp, fo))
                self._by_object[fo].add((fs, fp))
        for y in tuple(same.get(s, ())):
            self._derive((y, p, o))
        for y in tuple(same.get(p, ())):
            self._derive((s, y, o))
        for y in tuple(same.get(o, ())):
            self._derive((s, p, y))
        if p == SAME_AS:
            assert self._by_subject is not None and self._by_object is not None   # built just above
            for fp, fo in tuple(self._by_subject.get(s, ())):
                self._derive((o, fp, fo))
            for fs, fp in tuple(self._by_object.get(s, ())):
                self._derive((fs, fp, o))
            for fs, fo in [(fs, fo) for fs, pos in self._by_subject.items() for fp, fo in pos if fp == s]:
                self._derive((fs, o, fo))


def literal_errors(literals: Iterable[ox.Literal]) -> set[str]:
    """dt-not-type: lexical forms outside their OWL 2 RL datatype's lexical space (owlrl's own check)."""
    from owlrl.DatatypeHandling import AltXSDToPYTHON
    from owlrl.XsdDatatypes import OWL_RL_Datatypes
    from rdflib import Literal

    errors = set()
    for lit in literals:
        datatype = URIRef(lit.datatype.value)
        if datatype in OWL_RL_Datatypes and not lit.language:
            try:
                AltXSDToPYTHON.get(datatype, lambda v: v)(lit.value)
            except ValueError:
                errors.add(f"Lexical value of the literal '{Literal(lit.value, datatype=datatype)}' "
                           f"does not match its datatype ({datatype})")
    return errors


@dataclass
class Reasoned:
    inferred: list[tuple[str, str, str]]
    errors: list[str]
    input_triples: int
    written: int = 0   # entailments streamed to a writer instead of listed in `inferred` (the spark engine)


def _graph_to_strings(g: Graph) -> list[tuple[str, str, str]]:
    data = g.serialize(format="nt", encoding="utf-8")
    return [(str(q.subject), str(q.predicate), str(q.object))
            for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def reason(paths: list[Path], vocabulary: Graph, *, input_format: str | None = None,
           max_bytes: int | None = None, base: str | None = None) -> Reasoned:
    """Entailments of vocabulary + files that neither states nor the vocabulary's own closure holds."""
    instance: list[tuple[str, str, str]] = []
    schema = Graph()
    literals: dict[str, ox.Literal] = {}
    interned: dict[str, str] = {}
    count = 0
    for quad, _path in parse_triples(paths, input_format, max_bytes, base=base):
        s, p, o = str(quad.subject), str(quad.predicate), str(quad.object)
        s, p, o = interned.setdefault(s, s), interned.setdefault(p, p), interned.setdefault(o, o)
        if isinstance(quad.object, ox.Literal) and o not in literals:
            literals[o] = quad.object
        if is_schema_triple(s, p, o):
            schema.parse(data=f"{s} {p} {o} .\n", format="nt")
        else:
            instance.append((s, p, o))
        count += 1
    inferred, errors, _engine = saturate(prepare(vocabulary, schema), instance, literals.values())
    return Reasoned(inferred, errors, count)


@dataclass
class Prepared:
    """The ontology side, closed and compiled once: what every saturation of instance triples starts from."""
    rules: RuleTables
    base: list[tuple[str, str, str]]         # the closure of vocabulary + schema triples
    already: frozenset[tuple[str, str, str]]  # what is not news: the vocabulary's own closure
    schema: frozenset[tuple[str, str, str]]   # the schema triples the data brought (given, not inferred)


def prepare(vocabulary: Graph, schema: Graph) -> Prepared:
    """Close the vocabulary (and the data's schema triples) with owlrl and compile its rules."""
    def closed(g: Graph) -> Graph:
        out = Graph()
        out += g
        out += materialize(g).inferred
        return out

    vocabulary_closure = closed(vocabulary)
    closure = vocabulary_closure
    if len(schema):
        ontology = Graph()
        ontology += vocabulary
        ontology += schema
        closure = closed(ontology)
    base = _graph_to_strings(closure)
    already = frozenset(_graph_to_strings(vocabulary_closure)) if len(schema) else frozenset(base)
    return Prepared(compile_rules(closure), base, already, frozenset(_graph_to_strings(schema)))


def saturate(prepared: Prepared, instance: list[tuple[str, str, str]], literals: Iterable[ox.Literal]
             ) -> tuple[list[tuple[str, str, str]], list[str], Saturator]:
    """The new entailments of the instance triples (sorted), the inconsistencies found, and the engine."""
    from bonemet.reason.closure import is_noise

    engine = Saturator(prepared.rules)
    engine.add_base(prepared.base)
    given = set(instance) | prepared.schema
    engine.assert_triples(instance)
    engine.run()
    candidates = (engine.facts - prepared.already) if prepared.schema else engine.derived
    inferred = sorted({t for t in candidates
                       if t not in given and t not in prepared.already and not _noise(t, is_noise)})
    return inferred, sorted(engine.errors | literal_errors(literals)), engine


def _noise(t: tuple[str, str, str], is_noise) -> bool:
    """Triples the build drops as well: about blank nodes or literals, or owlrl's trivia (x owl:sameAs x)."""
    s, p, o = t
    if s.startswith(("_:", '"')) or o.startswith("_:"):
        return True
    return is_noise(URIRef(s[1:-1]), URIRef(p[1:-1]), URIRef(o[1:-1]) if o.startswith("<") else None)
