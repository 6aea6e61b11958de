"""Quality-control queries: every ontology/qc/*-violation.rq must return no rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph


@dataclass
class Violation:
    check: str
    entity: str
    property: str
    value: str

    def __str__(self) -> str:
        return f"{self.check}: {self.entity} {self.property} {self.value}"


def qc_queries(root: Path) -> list[Path]:
    return sorted((root / "ontology" / "qc").glob("*-violation.rq"))


def run_qc(graph: Graph, root: Path) -> list[Violation]:
    found = []
    for path in qc_queries(root):
        check = path.name.removesuffix("-violation.rq")
        for row in graph.query(path.read_text(encoding="utf-8")):
            found.append(Violation(check, *(str(v) for v in row)))
    return found
