"""SHACL validation at registry scale: shapes compiled to SPARQL and run on pyoxigraph.

pySHACL walks focus nodes one by one in Python; a registry has hundreds of thousands. Here
each constraint of each shape becomes one set-based SPARQL query over all focus nodes at
once, evaluated by Oxigraph. Only the SHACL Core components below and SPARQL-based
constraints are compiled; a shapes graph using anything else raises UnsupportedShapes and
the caller falls back to pySHACL, which stays the reference: tests/test_sparql_shapes.py
runs both on the same data and requires the same report.

The report is built as a standard sh:ValidationReport graph, so the text, JSON and
Turtle renderings are the same code as for pySHACL's reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

RDF_LANGSTRING = RDF.langString
TYPE_PATH = f"<{RDF.type}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"

# Parameters this compiler understands; anything else in a shape means pySHACL must do it.
SHAPE_KEYWORDS = {
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.property, SH.path,
    SH.severity, SH.message, SH.name, SH.description, SH.deactivated, SH.order, SH.group, SH.defaultValue,
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH["in"], SH.pattern, SH.flags,
    SH.languageIn, SH.minInclusive, SH.minExclusive, SH.maxInclusive, SH.maxExclusive, SH.lessThan,
    SH.lessThanOrEquals, SH.disjoint, SH.equals, SH.closed, SH.ignoredProperties, SH.sparql, SH.hasValue,
    SH.minLength, SH.maxLength,
}
COMPARISONS = {SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
               SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
               SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
               SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent)}
PAIRS = {SH.lessThan: ("<", SH.LessThanConstraintComponent, "<"),
         SH.lessThanOrEquals: ("<=", SH.LessThanOrEqualsConstraintComponent, "<=")}
NODE_KINDS = {SH.IRI: "isIRI(?value)", SH.BlankNode: "isBlank(?value)", SH.Literal: "isLiteral(?value)",
              SH.BlankNodeOrIRI: "(isIRI(?value) || isBlank(?value))",
              SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
              SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))"}


class UnsupportedShapes(Exception):
    """The shapes use a SHACL feature this compiler does not translate."""


def _sparql_term(term) -> str:
    if isinstance(term, BNode):
        raise UnsupportedShapes(f"blank node {term} used as a constraint value")
    return term.n3()


def _stringify(graph: Graph, node) -> str:
    from pyshacl.rdfutil import stringify_node
    return stringify_node(graph, node)


@dataclass
class Check:
    """One constraint of one shape, as a query yielding ?this and (optionally) ?value / ?path."""
    shape: URIRef | BNode
    component: URIRef
    query: str
    severity: URIRef
    path: object | None
    messages: list[Literal]
    generic: Callable[[object, object], str] | None = None   # pySHACL's wording when the shape has no sh:message
    constraint: object | None = None                         # the sh:sparql node
    datatype: URIRef | None = None                           # checked in Python: lexical forms
    per_focus_sparql: str | None = None                      # SPARQL-based: run with the focus nodes pre-bound


@dataclass
class CompiledShape:
    node: URIRef | BNode
    targets: str                      # a group graph pattern binding ?this
    checks: list[Check] = field(default_factory=list)


class ShapeCompiler:
    def __init__(self, shapes: Graph):
        self.g = shapes

    def compile(self) -> list[CompiledShape]:
        g = self.g
        with_targets = set()
        for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            with_targets.update(g.subjects(p, None))
        for implicit in set(g.subjects(RDF.type, SH.NodeShape)) & (
                set(g.subjects(RDF.type, URIRef("http://www.w3.org/2000/01/rdf-schema#Class")))
                | set(g.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))):
            with_targets.add(implicit)
        compiled = []
        for shape in sorted(with_targets, key=str):
            if self._deactivated(shape):
                continue
            targets = self._targets(shape)
            cs = CompiledShape(shape, targets)
            cs.checks = self._checks(shape, targets, node_level=g.value(shape, SH.path) is None)
            for prop in g.objects(shape, SH.property):
                if not self._deactivated(prop):
                    cs.checks += self._checks(prop, targets, node_level=False)
            compiled.append(cs)
        return compiled

    def _deactivated(self, shape) -> bool:
        value = self.g.value(shape, SH.deactivated)
        return value is not None and value.toPython() is True

    def _targets(self, shape) -> str:
        g, parts = self.g, []
        for c in g.objects(shape, SH.targetClass):
            parts.append(f"{{ ?this {TYPE_PATH} {_sparql_term(c)} }}")
        nodes = list(g.objects(shape, SH.targetNode))
        if nodes:
            parts.append("{ VALUES ?this { " + " ".join(_sparql_term(n) for n in nodes) + " } }")
        for p in g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ ?this {_sparql_term(p)} [] }}")
        for p in g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ [] {_sparql_term(p)} ?this }}")
        if (shape, RDF.type, SH.NodeShape) in g and any(
                (shape, RDF.type, URIRef(c)) in g for c in ("http://www.w3.org/2000/01/rdf-schema#Class",
                                                              "http://www.w3.org/2002/07/owl#Class")):
            parts.append(f"{{ ?this {TYPE_PATH} {_sparql_term(shape)} }}")
        return " UNION ".join(parts)

    def _path(self, shape) -> tuple[str, object]:
        path = self.g.value(shape, SH.path)
        if isinstance(path, URIRef):
            return f"?this {path.n3()} ?value .", path
        inverse = self.g.value(path, SH.inversePath) if isinstance(path, BNode) else None
        if isinstance(inverse, URIRef):
            return f"?value {inverse.n3()} ?this .", path
        raise UnsupportedShapes(f"shape {shape}: only IRI and inverse paths are compiled")

    def _checks(self, shape, targets: str, node_level: bool) -> list[Check]:
        g = self.g
        unknown = {p for p in g.predicates(shape, None) if p != RDF.type and p not in SHAPE_KEYWORDS}
        unknown -= {p for p in unknown if not str(p).startswith(str(SH))}   # annotations of users' own
        if unknown:
            raise UnsupportedShapes(f"shape {shape} uses {', '.join(sorted(str(p) for p in unknown))}")
        severity = g.value(shape, SH.severity) or SH.Violation
        messages = sorted(g.objects(shape, SH.message))
        focus = f"{{ SELECT DISTINCT ?this WHERE {{ {targets} }} }}"
        if node_level:
            values, path = "BIND(?this AS ?value)", None
        else:
            values, path = self._path(shape)
        path_str = _stringify(g, path) if path is not None else None

        def check(component, where: str, generic=None, select="?this ?value", **extra) -> Check:
            query = f"SELECT DISTINCT {select} WHERE {{ {focus} {where} }}"
            return Check(shape, component, query, severity, path, messages, generic, **extra)

        def value_filter(component, condition: str, generic) -> Check:
            return check(component, f"{values} FILTER({condition})", generic)

        checks: list[Check] = []
        for n in g.objects(shape, SH.minCount):
            count = int(n)
            where = f"OPTIONAL {{ {values} }}"
            query = (f"SELECT ?this WHERE {{ {focus} {where} }} GROUP BY ?this "
                     f"HAVING(COUNT(DISTINCT ?value) < {count})")
            checks.append(Check(shape, SH.MinCountConstraintComponent, query, severity, path, messages,
                                lambda f, v, n=count: f"Less than {n} values on {f}->{path_str}"))
        for n in g.objects(shape, SH.maxCount):
            count = int(n)
            query = (f"SELECT ?this WHERE {{ {focus} {values} }} GROUP BY ?this "
                     f"HAVING(COUNT(DISTINCT ?value) > {count})")
            checks.append(Check(shape, SH.MaxCountConstraintComponent, query, severity, path, messages,
                                lambda f, v, n=count: f"More than {n} values on {f}->{path_str}"))
        for c in g.objects(shape, SH["class"]):
            checks.append(check(SH.ClassConstraintComponent,
                                f"{values} FILTER NOT EXISTS {{ ?value {TYPE_PATH} {_sparql_term(c)} }}",
                                lambda f, v, c=c: f"Value does not have class {_stringify(g, c)}"))
        for dt in g.objects(shape, SH.datatype):
            checks.append(check(SH.DatatypeConstraintComponent, values,
                                lambda f, v, dt=dt: f"Value is not Literal with datatype {_stringify(g, dt)}",
                                datatype=dt))
        for kind in g.objects(shape, SH.nodeKind):
            if kind not in NODE_KINDS:
                raise UnsupportedShapes(f"shape {shape}: unknown sh:nodeKind {kind}")
            checks.append(value_filter(SH.NodeKindConstraintComponent, f"!{NODE_KINDS[kind]}",
                                       lambda f, v, k=kind: f"Value is not of Node Kind {_stringify(g, k)}"))
        for head in g.objects(shape, SH["in"]):
            members = list(Collection(g, head))
            allowed = " || ".join(f"sameTerm(?value, {_sparql_term(m)})" for m in members) or "false"
            listed = [_stringify(g, m) for m in members]
            checks.append(value_filter(SH.InConstraintComponent, f"!({allowed})",
                                       lambda f, v, listed=listed: f"Value {v} not in list {listed}"))
        for pattern in g.objects(shape, SH.pattern):
            flags = g.value(shape, SH.flags)
            args = f"{Literal(str(pattern)).n3()}" + (f", {Literal(str(flags)).n3()}" if flags else "")
            checks.append(value_filter(SH.PatternConstraintComponent,
                                       f"isBlank(?value) || !REGEX(STR(?value), {args})",
                                       lambda f, v, p=pattern: f"Value does not match pattern '{p}'"))
        for head in g.objects(shape, SH.languageIn):
            tags = list(Collection(g, head))
            ok = " || ".join(f'langMatches(lang(?value), {Literal(str(t)).n3()})' for t in tags) or "false"
            checks.append(value_filter(SH.LanguageInConstraintComponent, f"!isLiteral(?value) || !({ok})",
                                       lambda f, v, h=head: f"String language is not in {_stringify(g, h)}"))
        for keyword, (op, component) in COMPARISONS.items():
            for bound in g.objects(shape, keyword):
                checks.append(value_filter(component, f"!COALESCE(?value {op} {_sparql_term(bound)}, false)",
                                           lambda f, v, b=bound, op=op: f"Value is not {op} {_stringify(g, b)}"))
        for keyword, (op, component, shown) in PAIRS.items():
            for other in g.objects(shape, keyword):
                checks.append(check(component, f"{values} ?this {_sparql_term(other)} ?other . "
                                                f"FILTER(!COALESCE(?value {op} ?other, false))",
                                    lambda f, v, o=other, s=shown: f"Value of {f}->{_stringify(g, o)} {s} {v}"))
        for other in g.objects(shape, SH.disjoint):
            checks.append(check(SH.DisjointConstraintComponent, f"{values} ?this {_sparql_term(other)} ?value .",
                                lambda f, v, o=other: f"Value of {f}->{_stringify(g, o)} == {v}"))
        for other in g.objects(shape, SH.equals):
            where = (f"{{ {values} FILTER NOT EXISTS {{ ?this {_sparql_term(other)} ?value }} }} UNION "
                     f"{{ ?this {_sparql_term(other)} ?value . FILTER NOT EXISTS {{ {values} }} }}")
            checks.append(check(SH.EqualsConstraintComponent, where,
                                lambda f, v, o=other: f"Value of {f}->{_stringify(g, o)} != {v}"))
        for value in g.objects(shape, SH.hasValue):
            where = f"FILTER NOT EXISTS {{ {values} FILTER(sameTerm(?value, {_sparql_term(value)})) }}"
            shown = [_stringify(g, value)]
            checks.append(check(SH.HasValueConstraintComponent, where,
                                lambda f, v, s=shown: (f"Node {f}->{path_str} does not contain a value in the set: {s}"
                                                       if path_str else f"Node {f} value is not a in the set of values: {s}"),
                                select="?this"))
        for keyword, op, component, word in ((SH.minLength, "<", SH.MinLengthConstraintComponent, ">="),
                                             (SH.maxLength, ">", SH.MaxLengthConstraintComponent, "<=")):
            for n in g.objects(shape, keyword):
                checks.append(value_filter(component, f"isBlank(?value) || STRLEN(STR(?value)) {op} {int(n)}",
                                           lambda f, v, n=n, w=word: f"String length not {w} {_stringify(g, n)}"))
        if (shape, SH.closed, Literal(True)) in g:
            allowed = {p for prop in g.objects(shape, SH.property) for p in [g.value(prop, SH.path)]
                       if isinstance(p, URIRef)}
            for head in g.objects(shape, SH.ignoredProperties):
                allowed.update(Collection(g, head))
            condition = " && ".join(f"!sameTerm(?path, {_sparql_term(p)})" for p in sorted(allowed)) or "true"
            checks.append(Check(shape, SH.ClosedConstraintComponent,
                                f"SELECT DISTINCT ?this ?path ?value WHERE {{ {focus} ?this ?path ?value . "
                                f"FILTER({condition}) }}", severity, None, messages,
                                lambda f, v: f"Node {f} is closed. It cannot have value: {v}"))
        for constraint in g.objects(shape, SH.sparql):
            checks.append(self._sparql_check(shape, constraint, severity, path, messages))
        return checks

    def _sparql_check(self, shape, constraint, severity, path, messages) -> Check:
        g = self.g
        if self._deactivated(constraint):
            return Check(shape, SH.SPARQLConstraintComponent, "", severity, path, [], constraint=constraint)
        select = g.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShapes(f"SPARQL constraint on {shape} without sh:select")
        text = str(select)
        if re.search(r"\$(currentShape|shapesGraph)\b", text):
            raise UnsupportedShapes(f"SPARQL constraint on {shape} uses $currentShape or $shapesGraph")
        if path is not None:
            text = text.replace("$PATH", _sparql_term(path))
        prefixes = []
        for ontology in g.objects(constraint, SH.prefixes):
            for decl in g.objects(ontology, SH.declare):
                prefixes.append(f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>")
        text = "\n".join(sorted(set(prefixes))) + "\n" + re.sub(r"\$this\b", "?this", text)
        constraint_messages = sorted(g.objects(constraint, SH.message))
        return Check(shape, SH.SPARQLConstraintComponent, "", severity, path,
                     messages + [m for m in constraint_messages if m not in messages],
                     constraint=constraint, per_focus_sparql=text)


def datatype_matches(value, datatype: URIRef) -> bool:
    """pySHACL's reading of sh:datatype, including its check of the lexical form."""
    from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent

    if not isinstance(value, Literal):
        return False
    if value.datatype == datatype:
        if getattr(value, "ill_typed", None) is True:
            return False
        return DatatypeConstraintComponent._assert_actual_datatype(None, value, datatype)
    if datatype == URIRef("http://www.w3.org/2000/01/rdf-schema#Literal"):
        return True
    if value.datatype is None and value.language is None and datatype == XSD.string:
        return True
    return datatype == RDF_LANGSTRING and bool(value.language)
