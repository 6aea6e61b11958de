"""SHACL validation of the graph and of users' records, with stable text, JSON and Turtle reports.

JSON report (stable; documented in docs/validate.md):
    {"conforms": bool, "counts": {"violation": n, "warning": n, "info": n},
     "results": [{"focusNode", "resultPath", "value", "severity", "message",
                  "sourceShape", "sourceConstraintComponent"}, ...]}
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import pyshacl
from rdflib import RDF, BNode, Graph, Literal
from rdflib.namespace import SH
from rdflib.term import Node

from bonemet.io import DEFAULT_MAX_BYTES, InputError, load_rdf
from bonemet.project import current
from bonemet.validate import terms

SEVERITIES: dict[Node | None, str] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
SEVERITY_RANK = {"Info": 0, "Warning": 1, "Violation": 2}


VOCABULARY_FILE = "bonemet-vocabulary.nt"


def default_shape_files() -> list[Path]:
    return current().shape_files()


@lru_cache(maxsize=4)
def vocabulary_graph(release: Path | None = None) -> Graph:
    """Ontology plus entities (types, labels, hierarchy): what users' records refer to.

    Read from the release (`bonemet build` writes it), so validating a file needs no curation machinery."""
    project = current()
    path = project.require((release or project.dist) / VOCABULARY_FILE)
    try:
        return load_rdf([path], "nt")
    except InputError as exc:
        raise InputError(f"the release is damaged: {exc}") from None


@dataclass(frozen=True, order=True)
class Result:
    focusNode: str
    resultPath: str
    value: str
    severity: str
    message: str
    sourceShape: str
    sourceConstraintComponent: str


@dataclass
class Report:
    results: list[Result]
    graph: Graph

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(r.severity for r in self.results)
        return {"violation": c["Violation"], "warning": c["Warning"], "info": c["Info"]}

    @property
    def conforms(self) -> bool:
        return not self.results

    def fails(self, fail_on: str = "violation") -> bool:
        threshold = SEVERITY_RANK[fail_on.capitalize()]
        return any(SEVERITY_RANK[r.severity] >= threshold for r in self.results)


def _term(g: Graph, term) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        # an anonymous node: show its structure, with blank node labels that do not depend on the run
        lines = g.cbd(term).serialize(format="nt").strip().splitlines()
        lines = sorted(re.sub(r"_:\S+", "_:b", line.replace(term.n3(), "[]")) for line in lines)
        return " ".join(lines) or "_:blank"
    if isinstance(term, Literal):
        return term.n3()  # N-Triples syntax: quotes, language tag or full datatype IRI
    return str(term)


def read_report(g: Graph) -> list[Result]:
    results = []
    for r in g.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(m) for m in g.objects(r, SH.resultMessage))
        results.append(Result(
            focusNode=_term(g, g.value(r, SH.focusNode)),
            resultPath=_term(g, g.value(r, SH.resultPath)),
            value=_term(g, g.value(r, SH.value)),
            severity=SEVERITIES.get(g.value(r, SH.resultSeverity), "Violation"),
            message=" / ".join(messages),
            sourceShape=_term(g, g.value(r, SH.sourceShape)),
            sourceConstraintComponent=_term(g, g.value(r, SH.sourceConstraintComponent)),
        ))
    return sorted(set(results))


def validate(data: Graph, shapes: Graph, *, inference: str = "none", with_vocabulary: bool = True) -> Report:
    """Validate `data` (mixed with the bonemet vocabulary) against `shapes`."""
    _conforms, report_graph, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=vocabulary_graph() if with_vocabulary else None,
        inference=inference,
        advanced=True,
        allow_warnings=True,
    )
    return by_the_specification(Report(read_report(report_graph), report_graph))


ENGINES = ("auto", "sparql", "pyshacl")


def validate_files(files: list[Path], shapes: Graph, *, inference: str = "none", with_vocabulary: bool = True,
                   engine: str = "auto", input_format: str | None = None, max_bytes: int | None = None,
                   progress=None, notice=None, graphs: Sequence[Graph] = (), base: str | None = None) -> Report:
    """Validate RDF files (and rdflib `graphs`): shapes compiled to SPARQL on Oxigraph where they
    can be, else pySHACL.

    `engine="auto"` takes the SPARQL engine unless the shapes use a feature it does not compile
    or RDFS inference is asked for; then pySHACL runs, and `notice` is told why.
    """
    from bonemet.validate.compiler import UnsupportedShapes
    from bonemet.validate.runner import SparqlValidator
    from bonemet.validate.store import load_store

    reason = None
    if engine != "pyshacl":
        if inference == "rdfs":
            reason = "RDFS inference is only done by pySHACL"
        else:
            try:
                validator = SparqlValidator(shapes)
            except UnsupportedShapes as exc:
                reason = str(exc)
        if reason and engine == "sparql":
            raise UnsupportedShapes(reason)
    if engine == "pyshacl" or reason:
        if reason and notice:
            notice(f"using pySHACL: {reason}")
        data = load_rdf(files, input_format, max_bytes or DEFAULT_MAX_BYTES, base=base) if files else Graph()
        for g in graphs:
            data += g
        report = validate(data, shapes, inference=inference, with_vocabulary=with_vocabulary)
        return _with_unknown_terms(report.graph, terms.graph_triples(data) if with_vocabulary else None)
    vocabulary = ([vocabulary_graph()] if with_vocabulary else []) + list(graphs)
    if inference == "owlrl":
        vocabulary = [_with_entailments(files, vocabulary, input_format, max_bytes, base)]
    loaded = load_store(vocabulary, files, input_format, max_bytes, base=base)
    report_graph = validator.validate(loaded, progress)
    return _with_unknown_terms(report_graph, terms.store_triples(loaded.store) if with_vocabulary else None)


def _with_unknown_terms(report_graph: Graph, triples) -> Report:
    """The report, plus a result for each use of an IRI in our namespaces that we do not define."""
    if triples is not None:
        defined = terms.defined_terms(vocabulary_graph())
        terms.add_results(report_graph, terms.unknown_uses(triples, defined), defined)
    return by_the_specification(Report(read_report(report_graph), report_graph))


def by_the_specification(report: Report) -> Report:
    """sh:conforms is true only when there is no result at all (SHACL §3.6.1), whatever the severities;
    pySHACL, asked to allow warnings, says true with warnings only. The exit code follows --fail-on."""
    for root in report.graph.subjects(RDF.type, SH.ValidationReport):
        report.graph.set((root, SH.conforms, Literal(report.conforms)))
    return report


def _with_entailments(files, vocabulary: list[Graph], input_format, max_bytes, base: str | None) -> Graph:
    """The vocabulary's owlrl closure plus what the compiled chainer adds for the files."""

    from bonemet.reason.chainer import reason
    from bonemet.reason.closure import materialize

    g = Graph()
    for v in vocabulary:
        g += v
    g += materialize(g).inferred
    result = reason(list(files), g, input_format=input_format, max_bytes=max_bytes, base=base)
    nt = "".join(f"{s} {p} {o} .\n" for s, p, o in result.inferred)
    g.parse(data=nt, format="nt")
    return g


def render_text(report: Report, label: str) -> str:
    c = report.counts
    verdict = "conforms" if report.conforms else "does not conform"
    lines = [f"{label}: {verdict}: {c['violation']} violation(s), {c['warning']} warning(s), {c['info']} info(s)"]
    by_focus: dict[str, list[Result]] = {}
    for r in report.results:
        by_focus.setdefault(r.focusNode, []).append(r)
    for focus, results in by_focus.items():
        lines.append(f"{focus}")
        for r in results:
            path = f" {r.resultPath}" if r.resultPath else ""
            value = f" (value: {r.value})" if r.value else ""
            lines.append(f"  {r.severity}{path}: {r.message}{value} [{r.sourceShape}]")
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    doc = {"conforms": report.conforms, "counts": report.counts,
           "results": [asdict(r) for r in report.results]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_turtle(report: Report) -> str:
    report.graph.bind("sh", SH)
    return report.graph.serialize(format="turtle")
