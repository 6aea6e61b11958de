"""SHACL validation at registry scale: shapes compiled to SPARQL and run on pyoxigraph.

pySHACL walks focus nodes one by one in Python; a registry has hundreds of thousands. Here
each constraint of each shape becomes one set-based SPARQL query over all focus nodes at
once, evaluated by Oxigraph (bonemet.validate.runner). Only the SHACL Core components of
bonemet.validate.components and SPARQL-based constraints are compiled; a shapes graph using
anything else raises UnsupportedShapes and the caller falls back to pySHACL, which stays the
reference: tests/test_sparql_shapes.py runs both on the same data and requires the same report.

This module finds the shapes that have targets, their focus nodes and value paths, and hands
each keyword of a shape to the component registered for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from bonemet.validate.components import (
    COMPONENTS,
    TYPE_PATH,
    Check,
    Shape,
    UnsupportedShapes,
    deactivated,
    keywords,
    sparql_term,
)

__all__ = ["SHAPE_KEYWORDS", "CompiledShape", "ShapeCompiler", "UnsupportedShapes"]

TARGET_KEYWORDS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# What a shape may say besides constraints: how its focus and value nodes are found, and what
# only names, orders or grades its results.
STRUCTURE_KEYWORDS = {*TARGET_KEYWORDS, SH.path, SH.property}
NON_VALIDATING_KEYWORDS = {SH.severity, SH.message, SH.name, SH.description, SH.deactivated, SH.order, SH.group,
                           SH.defaultValue}
# Everything in the sh: namespace this compiler understands; any other sh: keyword means pySHACL must do it.
SHAPE_KEYWORDS = frozenset(STRUCTURE_KEYWORDS | NON_VALIDATING_KEYWORDS | keywords())


@dataclass
class CompiledShape:
    node: Node
    targets: str                      # a group graph pattern binding ?this
    checks: list[Check] = field(default_factory=list)


class ShapeCompiler:
    def __init__(self, shapes: Graph):
        self.g = shapes

    def compile(self) -> list[CompiledShape]:
        g = self.g
        with_targets: set[Node] = set()
        for p in TARGET_KEYWORDS:
            with_targets.update(g.subjects(p, None))
        with_targets.update(s for s in g.subjects(RDF.type, SH.NodeShape) if self._is_class(s))
        compiled = []
        for shape in sorted(with_targets, key=str):
            if deactivated(g, shape):
                continue
            targets = self._targets(shape)
            cs = CompiledShape(shape, targets)
            cs.checks = self._checks(shape, targets, node_level=g.value(shape, SH.path) is None)
            for prop in g.objects(shape, SH.property):
                if not deactivated(g, prop):
                    cs.checks += self._checks(prop, targets, node_level=False)
            compiled.append(cs)
        return compiled

    def _is_class(self, shape: Node) -> bool:
        """A node shape that is also a class targets its instances (SHACL's implicit class targets)."""
        return any((shape, RDF.type, c) in self.g for c in (RDFS.Class, OWL.Class))

    def _targets(self, shape: Node) -> str:
        g, parts = self.g, []
        for c in g.objects(shape, SH.targetClass):
            parts.append(f"{{ ?this {TYPE_PATH} {sparql_term(c)} }}")
        nodes = list(g.objects(shape, SH.targetNode))
        if nodes:
            parts.append("{ VALUES ?this { " + " ".join(sparql_term(n) for n in nodes) + " } }")
        for p in g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ ?this {sparql_term(p)} [] }}")
        for p in g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ [] {sparql_term(p)} ?this }}")
        if (shape, RDF.type, SH.NodeShape) in g and self._is_class(shape):
            parts.append(f"{{ ?this {TYPE_PATH} {sparql_term(shape)} }}")
        return " UNION ".join(parts)

    def _path(self, shape: Node) -> tuple[str, Node]:
        path = self.g.value(shape, SH.path)
        if isinstance(path, URIRef):
            return f"?this {path.n3()} ?value .", path
        inverse = self.g.value(path, SH.inversePath) if isinstance(path, BNode) else None
        if isinstance(inverse, URIRef) and path is not None:
            return f"?value {inverse.n3()} ?this .", path
        raise UnsupportedShapes(f"shape {shape}: only IRI and inverse paths are compiled")

    def _checks(self, node: Node, targets: str, node_level: bool) -> list[Check]:
        g = self.g
        unknown = {p for p in g.predicates(node, None) if p != RDF.type and p not in SHAPE_KEYWORDS}
        unknown -= {p for p in unknown if not str(p).startswith(str(SH))}   # annotations of users' own
        if unknown:
            raise UnsupportedShapes(f"shape {node} uses {', '.join(sorted(str(p) for p in unknown))}")
        if not node_level and g.value(node, SH.property) is not None:
            # the nested shape's focus nodes are this shape's value nodes: not compiled (property-001)
            raise UnsupportedShapes(f"shape {node}: property shapes inside a property shape are not compiled")
        severity = g.value(node, SH.severity) or SH.Violation
        messages = sorted(g.objects(node, SH.message), key=str)
        focus = f"{{ SELECT DISTINCT ?this WHERE {{ {targets} }} }}"
        values, path = ("BIND(?this AS ?value)", None) if node_level else self._path(node)
        shape = Shape(g, node, focus, values, path, severity, messages)
        checks = []
        for keyword, component in COMPONENTS.items():
            for value in g.objects(node, keyword):
                check = component.compile(shape, value)
                if check is not None:
                    checks.append(check)
        return checks
