"""Compiled shapes run on Oxigraph, and the sh:ValidationReport graph built from what they find.

The report is a standard sh:ValidationReport graph, so that its text, JSON and Turtle renderings
(bonemet.validate.api) are the same code as for pySHACL's reports.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from bonemet.validate.compiler import ShapeCompiler
from bonemet.validate.components import Check, stringify
from bonemet.validate.store import LoadedData, to_rdflib


@dataclass
class Progress:
    """Focus-node checks done out of all, with rate and time left, for a terminal."""
    total: int
    show: Callable[[str], None]
    done: int = 0
    started: float = field(default_factory=time.monotonic)

    def advance(self, n: int, label: str) -> None:
        self.done += n
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate else 0.0
        self.show(f"{self.done:,}/{self.total:,} focus-node checks · {rate:,.0f}/s · ETA {eta:.0f} s · {label}")


class SparqlValidator:
    def __init__(self, shapes: Graph):
        self.shapes = shapes
        self.compiled = ShapeCompiler(shapes).compile()

    def validate(self, data: LoadedData, progress: Callable[[str], None] | None = None) -> Graph:
        store = data.store
        self._data = data
        self._original = data.original
        self._store = store
        focus_nodes = {cs.node: [row["this"] for row in _select(store, f"SELECT DISTINCT ?this WHERE {{ {cs.targets} }}")]
                       for cs in self.compiled}
        meter = Progress(sum(len(focus_nodes[cs.node]) * len(cs.checks) for cs in self.compiled),
                         progress or (lambda _m: None))
        report = Graph()
        report.bind("sh", SH)
        root = BNode()
        report.add((root, RDF.type, SH.ValidationReport))
        data_ns = data.names
        conforms = True   # SHACL §3.6.1: true only when there is no result at all, whatever its severity
        for cs in self.compiled:
            focus = focus_nodes[cs.node]
            if not focus:
                continue
            for check in cs.checks:
                for this, value, path, bound in self._run(store, check, focus):
                    conforms = False
                    self._add_result(report, root, data_ns, check, this, value, path, bound)
                meter.advance(len(focus), _short(cs.node))
        report.add((root, SH.conforms, Literal(conforms)))
        return report

    def _run(self, store: ox.Store, check: Check, focus: list):
        if check.per_focus_sparql is not None:
            yield from self._run_sparql(store, check, check.per_focus_sparql, focus)
            return
        if not check.query:
            return
        rows = _select(store, check.query)
        variables = [v.value for v in rows.variables]
        predicate = check.path if isinstance(check.path, URIRef) else None
        for row in rows:
            this = to_rdflib(row["this"])
            path = to_rdflib(row["path"]) if "path" in variables and row["path"] is not None else None
            if "value" not in variables or row["value"] is None:
                yield this, None, path, None
                continue
            for written in self._data.originals(row["this"], path or predicate, row["value"]):
                value = to_rdflib(written)
                if check.accepts is not None and check.accepts(value):
                    continue
                yield this, value, path, None

    def _run_sparql(self, store: ox.Store, check: Check, select: str, focus: list, chunk: int = 2_000):
        """SPARQL-based constraints with $this pre-bound to each focus node: IRIs by a VALUES
        block, blank nodes (not allowed in VALUES) one at a time by substitution."""
        text = _project_this(select)
        where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE) or re.search(r"\{", text)
        if where is None:
            raise ValueError(f"SPARQL constraint {check.constraint} is no SELECT query: {select}")
        iris = [t for t in focus if isinstance(t, ox.NamedNode)]
        head, tail = text[:where.end()], text[where.end():]
        queries: list[tuple[str, dict | None]] = [
            (head + "VALUES ?this { " + " ".join(str(t) for t in iris[i:i + chunk]) + " } " + tail, None)
            for i in range(0, len(iris), chunk)]
        queries += [(text, {ox.Variable("this"): t}) for t in focus if not isinstance(t, ox.NamedNode)]
        seen = set()
        for query, substitutions in queries:
            rows = _select(store, query, substitutions)
            variables = [v.value for v in rows.variables]
            for row in rows:
                bound = {v: to_rdflib(self._original(row[v])) for v in variables if row[v] is not None}
                this = bound.pop("this", None)
                if this is None and substitutions:
                    this = to_rdflib(substitutions[ox.Variable("this")])
                value = bound.pop("value", None)
                path = bound.pop("path", None)
                key = (this, path, value, tuple(sorted(bound.items())))
                if key in seen:
                    continue
                seen.add(key)
                if value is None and check.path is None:
                    value = this          # node shapes report the focus node as the value
                yield this, value, path, bound

    def _copy_description(self, report: Graph, node: BNode) -> None:
        """A blank node value's own triples, as pySHACL copies them into its report."""
        todo, done = [node], set()
        while todo:
            b = todo.pop()
            if b in done:
                continue
            done.add(b)
            for q in self._store.quads_for_pattern(ox.BlankNode(str(b)), None, None):
                o = to_rdflib(self._original(q.object))
                report.add((b, to_rdflib(q.predicate), o))
                if isinstance(o, BNode):
                    todo.append(o)

    def _add_result(self, report: Graph, root, data_ns: Graph, check: Check, this, value, path, bound) -> None:
        r = BNode()
        report.add((root, SH.result, r))
        report.add((r, RDF.type, SH.ValidationResult))
        report.add((r, SH.focusNode, this))
        report.add((r, SH.resultSeverity, check.severity))
        report.add((r, SH.sourceShape, check.shape))
        report.add((r, SH.sourceConstraintComponent, check.component))
        if check.constraint is not None:
            report.add((r, SH.sourceConstraint, check.constraint))
        if value is not None:
            report.add((r, SH.value, value))
            if isinstance(value, BNode):
                self._copy_description(report, value)
        result_path = path if path is not None else check.path
        if result_path is not None:
            report.add((r, SH.resultPath, result_path))
            if isinstance(result_path, BNode):
                report += self.shapes.cbd(result_path)
        messages = check.messages
        if not messages and check.generic is not None:
            messages = [Literal(check.generic(stringify(data_ns, this),
                                              stringify(data_ns, value) if value is not None else None))]
        for m in messages:
            if check.constraint is not None:
                m = Literal(_fill(str(m), this, result_path if path is not None else None, value, bound or {}))
            report.add((r, SH.resultMessage, m))


def _project_this(query: str) -> str:
    """Make the SELECT clause return ?this, so each row names its focus node."""
    m = re.search(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?(.*?)\bWHERE\b", query, re.IGNORECASE | re.DOTALL)
    if m is None or m.group(2).strip() == "*" or re.search(r"\?this\b", m.group(2)):
        return query
    return query[:m.start(2)] + "?this " + query[m.start(2):]


def _fill(message: str, this, path, value, bound: dict) -> str:
    """{?var} / {$var} in a SPARQL constraint's message, as pySHACL fills them."""
    values = dict(bound)
    for name, term in (("this", this), ("path", path), ("value", value)):
        if term is not None:
            values[name] = term
    for name, term in values.items():
        message = re.sub(r"\{[?$]" + re.escape(name) + r"\}", _as_it_is(str(term)), message)
    return message


def _as_it_is(text: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement inserting `text` itself: as a template, "C:\\data" would be a bad escape."""
    return lambda _match: text


def _select(store: ox.Store, query: str, substitutions: dict | None = None) -> ox.QuerySolutions:
    rows = store.query(query, substitutions=substitutions) if substitutions else store.query(query)
    if not isinstance(rows, ox.QuerySolutions):
        raise ValueError(f"not a SELECT query: {query}")
    return rows


def _short(node) -> str:
    text = str(node)
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1] or text

