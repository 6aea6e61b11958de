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
    """Evaluated by Oxigraph, like every query bonemet runs by default."""
    import pyoxigraph as ox

    from bonemet.io import open_store

    store = open_store([], [graph])
    found = []
    for path in qc_queries(root):
        check = path.name.removesuffix("-violation.rq")
        result = store.query(path.read_text(encoding="utf-8"))
        if not isinstance(result, ox.QuerySolutions):
            raise ValueError(f"{path}: a quality check must be a SELECT query")
        variables = result.variables
        for row in result:
            found.append(Violation(check, *(row[v].value if row[v] is not None else "" for v in variables)))
    return sorted(found, key=str)
