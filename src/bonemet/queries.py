"""Running SPARQL over the built graph and printing results compactly (CURIEs, lexical forms).

The compact TSV form is what queries/*.tsv store as the expected answers of competency questions.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from .namespace import PREFIXES

COMPACT_PREFIXES = sorted(((str(ns), name) for name, ns in PREFIXES.items()), key=lambda p: -len(p[0]))


def compact(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        for ns, name in COMPACT_PREFIXES:
            if term.startswith(ns) and "/" not in term[len(ns):]:
                return f"{name}:{term[len(ns):]}"
        return f"<{term}>"
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def run_compact(graph: Graph, query: str) -> tuple[list[str], list[tuple[str, ...]]]:
    """Variables and rows (sorted) of a SELECT query, with terms in compact form."""
    result = graph.query(query)
    variables = [str(v) for v in result.vars]
    rows = sorted(tuple(compact(row[i]) for i in range(len(variables))) for row in result)
    return variables, rows


def to_tsv(variables: list[str], rows: list[tuple[str, ...]]) -> str:
    lines = ["\t".join("?" + v for v in variables)] + ["\t".join(r) for r in rows]
    return "\n".join(lines) + "\n"
