"""The SHACL constraint components the SPARQL engine compiles, one small compiler each.

A compiler is registered under its keyword (`@component(SH.minCount)`) and turns one value of
that keyword on one shape into a Check: a query finding every violation among all the shape's
focus nodes at once. The registry is the list of what the engine supports; a shape using any
other sh: keyword is refused (bonemet.validate.compiler) and pySHACL validates instead.
Generic messages keep pySHACL's wording, so that both engines report the same text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal

from pyshacl.rdfutil import stringify_node
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

TYPE_PATH = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
NODE_KINDS: dict[Node, str] = {SH.IRI: "isIRI(?value)", SH.BlankNode: "isBlank(?value)", SH.Literal: "isLiteral(?value)",
              SH.BlankNodeOrIRI: "(isIRI(?value) || isBlank(?value))",
              SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
              SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))"}


class UnsupportedShapes(Exception):
    """The shapes use a SHACL feature this compiler does not translate."""


def sparql_term(term: Node) -> str:
    if isinstance(term, BNode):
        raise UnsupportedShapes(f"blank node {term} used as a constraint value")
    return term.n3()


def stringify(graph: Graph, node: Node) -> str:
    """A term as pySHACL's messages show it (its public stringify_node), so the messages are alike."""
    return stringify_node(graph, node)


def deactivated(g: Graph, node: Node) -> bool:
    value = g.value(node, SH.deactivated)
    return isinstance(value, Literal) and value.toPython() is True


Message = Callable[[str, str | None], str]     # focus node and value as shown -> pySHACL's generic message


@dataclass
class Check:
    """One constraint of one shape, as a query yielding ?this and (optionally) ?value / ?path."""
    shape: Node
    component: URIRef
    query: str
    severity: Node
    path: Node | None
    messages: list[Node]
    generic: Message | None = None                  # when the shape has no sh:message
    constraint: Node | None = None                  # the sh:sparql node
    accepts: Callable[[Node], bool] | None = None   # values found by the query that Python then lets pass
    per_focus_sparql: str | None = None             # SPARQL-based: run with the focus nodes pre-bound


@dataclass
class Shape:
    """What a component compiler sees of the shape whose constraint it compiles."""
    g: Graph
    node: Node
    focus: str                  # a sub-query binding ?this to each focus node
    values: str                 # a pattern binding ?value to each value node of ?this
    path: Node | None           # None on a node shape, whose value node is its focus node
    severity: Node
    messages: list[Node]
    path_shown: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.path_shown = self.show(self.path) if self.path is not None else None

    def show(self, node: Node) -> str:
        return stringify(self.g, node)

    def check(self, component: URIRef, where: str, generic: Message, select: str = "?this ?value",
              accepts: Callable[[Node], bool] | None = None) -> Check:
        query = f"SELECT DISTINCT {select} WHERE {{ {self.focus} {where} }}"
        return Check(self.node, component, query, self.severity, self.path, self.messages, generic, accepts=accepts)

    def value_filter(self, component: URIRef, condition: str, generic: Message) -> Check:
        return self.check(component, f"{self.values} FILTER({condition})", generic)

    def counted(self, component: URIRef, where: str, having: str, generic: Message) -> Check:
        query = f"SELECT ?this WHERE {{ {self.focus} {where} }} GROUP BY ?this HAVING({having})"
        return Check(self.node, component, query, self.severity, self.path, self.messages, generic)


Compiler = Callable[[Shape, Node], Check | None]


@dataclass(frozen=True)
class Component:
    compile: Compiler
    reads: tuple[URIRef, ...] = ()      # other keywords of the shape it uses, as sh:flags for sh:pattern


COMPONENTS: dict[URIRef, Component] = {}


def component(keyword: URIRef, *args: object, reads: tuple[URIRef, ...] = ()):
    """Register the function as the compiler of `keyword`; `args` are passed after the keyword's value,
    so that one function serves a family of components (sh:minInclusive, sh:maxExclusive ...)."""
    def register(compile_: Callable[..., Check | None]) -> Callable[..., Check | None]:
        COMPONENTS[keyword] = Component(lambda shape, value: compile_(shape, value, *args), reads)
        return compile_
    return register


def keywords() -> set[URIRef]:
    """Every shape keyword the registered components understand."""
    return set(COMPONENTS) | {p for c in COMPONENTS.values() for p in c.reads}


@component(SH.minCount)
def min_count(s: Shape, n: Node) -> Check:
    count = int(str(n))
    return s.counted(SH.MinCountConstraintComponent, f"OPTIONAL {{ {s.values} }}", f"COUNT(DISTINCT ?value) < {count}",
                     lambda f, v: f"Less than {count} values on {f}->{s.path_shown}")


@component(SH.maxCount)
def max_count(s: Shape, n: Node) -> Check:
    count = int(str(n))
    return s.counted(SH.MaxCountConstraintComponent, s.values, f"COUNT(DISTINCT ?value) > {count}",
                     lambda f, v: f"More than {count} values on {f}->{s.path_shown}")


@component(SH["class"])
def class_(s: Shape, c: Node) -> Check:
    return s.check(SH.ClassConstraintComponent, f"{s.values} FILTER NOT EXISTS {{ ?value {TYPE_PATH} {sparql_term(c)} }}",
                   lambda f, v: f"Value does not have class {s.show(c)}")


@component(SH.datatype)
def datatype(s: Shape, dt: Node) -> Check:
    # lexical forms are not visible in SPARQL (Oxigraph stores numbers by value): judged in Python
    return s.check(SH.DatatypeConstraintComponent, s.values,
                   lambda f, v: f"Value is not Literal with datatype {s.show(dt)}",
                   accepts=lambda value: datatype_matches(value, dt))


@component(SH.nodeKind)
def node_kind(s: Shape, kind: Node) -> Check:
    if kind not in NODE_KINDS:
        raise UnsupportedShapes(f"shape {s.node}: unknown sh:nodeKind {kind}")
    return s.value_filter(SH.NodeKindConstraintComponent, f"!{NODE_KINDS[kind]}",
                          lambda f, v: f"Value is not of Node Kind {s.show(kind)}")


@component(SH["in"])
def in_(s: Shape, head: Node) -> Check:
    members = list(Collection(s.g, head))
    allowed = " || ".join(f"sameTerm(?value, {sparql_term(m)})" for m in members) or "false"
    listed = [s.show(m) for m in members]
    return s.value_filter(SH.InConstraintComponent, f"!({allowed})", lambda f, v: f"Value {v} not in list {listed}")


@component(SH.pattern, reads=(SH.flags,))
def pattern(s: Shape, regex: Node) -> Check:
    flags = s.g.value(s.node, SH.flags)
    args = f"{Literal(str(regex)).n3()}" + (f", {Literal(str(flags)).n3()}" if flags else "")
    return s.value_filter(SH.PatternConstraintComponent, f"isBlank(?value) || !REGEX(STR(?value), {args})",
                          lambda f, v: f"Value does not match pattern '{regex}'")


@component(SH.languageIn)
def language_in(s: Shape, head: Node) -> Check:
    tags = list(Collection(s.g, head))
    ok = " || ".join(f"langMatches(lang(?value), {Literal(str(t)).n3()})" for t in tags) or "false"
    return s.value_filter(SH.LanguageInConstraintComponent, f"!isLiteral(?value) || !({ok})",
                          lambda f, v: f"String language is not in {s.show(head)}")


@component(SH.minInclusive, ">=", SH.MinInclusiveConstraintComponent)
@component(SH.minExclusive, ">", SH.MinExclusiveConstraintComponent)
@component(SH.maxInclusive, "<=", SH.MaxInclusiveConstraintComponent)
@component(SH.maxExclusive, "<", SH.MaxExclusiveConstraintComponent)
def range_(s: Shape, bound: Node, op: str, iri: URIRef) -> Check:
    # an incomparable value (a string against a number) is a violation, not an error
    return s.value_filter(iri, f"!COALESCE(?value {op} {sparql_term(bound)}, false)",
                          lambda f, v: f"Value is not {op} {s.show(bound)}")


@component(SH.lessThan, "<", SH.LessThanConstraintComponent)
@component(SH.lessThanOrEquals, "<=", SH.LessThanOrEqualsConstraintComponent)
def less_than(s: Shape, other: Node, op: str, iri: URIRef) -> Check:
    # one result per (value, other value) pair that fails, as the SHACL core suite expects (lessThan-002)
    return s.check(iri, f"{s.values} ?this {sparql_term(other)} ?other . FILTER(!COALESCE(?value {op} ?other, false))",
                   lambda f, v: f"Value of {f}->{s.show(other)} {op} {v}", select="?this ?value ?other")


@component(SH.disjoint)
def disjoint(s: Shape, other: Node) -> Check:
    return s.check(SH.DisjointConstraintComponent, f"{s.values} ?this {sparql_term(other)} ?value .",
                   lambda f, v: f"Value of {f}->{s.show(other)} == {v}")


@component(SH.equals)
def equals(s: Shape, other: Node) -> Check:
    p = sparql_term(other)
    if s.path is None:
        # node level: the only value node is the focus node itself. Each UNION branch is evaluated on its own
        # (bottom-up), where ?this would be unbound, so each brings its focus nodes along (equals-001).
        where = (f"{{ {s.focus} BIND(?this AS ?value) FILTER NOT EXISTS {{ ?this {p} ?value }} }} UNION "
                 f"{{ {s.focus} ?this {p} ?value . FILTER(!sameTerm(?value, ?this)) }}")
    else:
        where = (f"{{ {s.values} FILTER NOT EXISTS {{ ?this {p} ?value }} }} UNION "
                 f"{{ ?this {p} ?value . FILTER NOT EXISTS {{ {s.values} }} }}")
    return s.check(SH.EqualsConstraintComponent, where, lambda f, v: f"Value of {f}->{s.show(other)} != {v}")


@component(SH.hasValue)
def has_value(s: Shape, value: Node) -> Check:
    where = f"FILTER NOT EXISTS {{ {s.values} FILTER(sameTerm(?value, {sparql_term(value)})) }}"
    shown = [s.show(value)]
    return s.check(SH.HasValueConstraintComponent, where,
                   lambda f, v: (f"Node {f}->{s.path_shown} does not contain a value in the set: {shown}"
                                 if s.path_shown else f"Node {f} value is not a in the set of values: {shown}"),
                   select="?this")


@component(SH.minLength, "<", ">=", SH.MinLengthConstraintComponent)
@component(SH.maxLength, ">", "<=", SH.MaxLengthConstraintComponent)
def length(s: Shape, n: Node, op: str, word: str, iri: URIRef) -> Check:
    return s.value_filter(iri, f"isBlank(?value) || STRLEN(STR(?value)) {op} {int(str(n))}",
                          lambda f, v: f"String length not {word} {s.show(n)}")


@component(SH.closed, reads=(SH.ignoredProperties,))
def closed(s: Shape, flag: Node) -> Check | None:
    if flag != Literal(True):
        return None
    g = s.g
    allowed: set[Node] = {p for prop in g.objects(s.node, SH.property) for p in [g.value(prop, SH.path)]
                          if isinstance(p, URIRef)}
    for head in g.objects(s.node, SH.ignoredProperties):
        allowed.update(Collection(g, head))
    condition = " && ".join(f"!sameTerm(?path, {sparql_term(p)})" for p in sorted(allowed, key=str)) or "true"
    found = s.check(SH.ClosedConstraintComponent, f"?this ?path ?value . FILTER({condition})",
                    lambda f, v: f"Node {f} is closed. It cannot have value: {v}", select="?this ?path ?value")
    return replace(found, path=None)     # each result has the path of the property found


@component(SH.sparql)
def sparql(s: Shape, constraint: Node) -> Check:
    g = s.g
    if deactivated(g, constraint):
        return Check(s.node, SH.SPARQLConstraintComponent, "", s.severity, s.path, [], constraint=constraint)
    select = g.value(constraint, SH.select)
    if select is None:
        raise UnsupportedShapes(f"SPARQL constraint on {s.node} without sh:select")
    text = str(select)
    if re.search(r"\$(currentShape|shapesGraph)\b", text):
        raise UnsupportedShapes(f"SPARQL constraint on {s.node} uses $currentShape or $shapesGraph")
    if s.path is not None:
        text = text.replace("$PATH", sparql_term(s.path))
    prefixes = []
    for ontology in g.objects(constraint, SH.prefixes):
        for decl in g.objects(ontology, SH.declare):
            prefixes.append(f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>")
    text = "\n".join(sorted(set(prefixes))) + "\n" + re.sub(r"\$this\b", "?this", text)
    constraint_messages = sorted(g.objects(constraint, SH.message), key=str)
    return Check(s.node, SH.SPARQLConstraintComponent, "", s.severity, s.path,
                 s.messages + [m for m in constraint_messages if m not in s.messages],
                 constraint=constraint, per_focus_sparql=text)


# The Python value rdflib reads from a well-formed literal of these datatypes. pySHACL checks it
# besides rdflib's `ill_typed`; other datatypes' lexical forms are judged by `ill_typed` alone.
VALUE_TYPES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
}


def well_formed(value: Literal, datatype: Node) -> bool:
    expected = VALUE_TYPES.get(datatype) if isinstance(datatype, URIRef) else None
    return value.ill_typed is not True and (expected is None or isinstance(value.value, expected))


def datatype_matches(value: Node | None, datatype: Node) -> bool:
    """sh:datatype as pySHACL reads it: the literal's datatype is `datatype` and its lexical form valid."""
    if not isinstance(value, Literal):
        return False
    if value.datatype == datatype:
        return well_formed(value, datatype)
    if datatype == RDFS.Literal:
        return True
    if datatype == RDFS.Datatype:
        return value.datatype is not None
    if value.datatype is None and value.language is None and datatype == XSD.string:
        return well_formed(value, datatype)
    return datatype == RDF.langString and bool(value.language) and well_formed(value, datatype)
