"""SPARQL results printed compactly (CURIEs, lexical forms), by rdflib or Oxigraph, and compared.

The compact TSV form is what queries/*.tsv store as the expected answers of competency questions.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from bonemet.namespaces import ANSWER_PREFIXES, curie


def compact(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return curie(str(term), ANSWER_PREFIXES) or f"<{term}>"
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def run_compact(graph: Graph, query: str) -> tuple[list[str], list[tuple[str, ...]]]:
    """Variables and rows (sorted) of a SELECT query, with terms in compact form."""
    result = graph.query(query)
    variables = [str(v) for v in result.vars or []]
    rows = sorted(tuple(compact(row[i]) for i in range(len(variables))) for row in result)  # type: ignore[index]
    return variables, rows


def to_tsv(variables: list[str], rows: list[tuple[str, ...]]) -> str:
    lines = ["\t".join("?" + v for v in variables)] + ["\t".join(r) for r in rows]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- pyoxigraph, the default engine

def compact_oxigraph(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(URIRef(term.value))
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def run_compact_oxigraph(store, query: str) -> tuple[list[str], list[tuple[str, ...]]]:
    """run_compact's output, evaluated by Oxigraph. Typed literals come back in canonical form
    ("60" for "60.0"^^xsd:decimal): compare answers with same_answers."""
    result = store.query(query)
    variables = [v.value for v in result.variables]
    rows = sorted(tuple(compact_oxigraph(row[v]) for v in variables) for row in result)
    return variables, rows


def same_answers(a: list[tuple[str, ...]], b: list[tuple[str, ...]]) -> bool:
    """Rows equal up to the lexical form of numbers ("60.0" == "60"), in any order. Numbers are
    compared to 15 significant digits: engines divide decimals (AVG) to different precisions."""
    from decimal import Decimal, InvalidOperation, localcontext

    def norm(cell: str):
        try:
            if cell[:1] in "-+.0123456789":
                with localcontext() as ctx:
                    ctx.prec = 15
                    return ("number", (+Decimal(cell)).normalize())
            return cell
        except InvalidOperation:
            return cell

    return sorted(tuple(map(norm, r)) for r in a) == sorted(tuple(map(norm, r)) for r in b)
