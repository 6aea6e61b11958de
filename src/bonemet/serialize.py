"""Deterministic serialization: the same graph always gives the same bytes."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph

from .namespace import PREFIXES

FORMATS = {  # file suffix -> rdflib format
    "ttl": "turtle",
    "nt": "nt",
    "jsonld": "json-ld",
    "rdf": "xml",
}
JSONLD_CONTEXT = {name: str(ns) for name, ns in PREFIXES.items()} | {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
}


def stable(graph: Graph) -> Graph:
    """A copy with blank nodes renamed by content hash and triples inserted in sorted order."""
    canonical = to_canonical_graph(graph) if any(True for _ in _bnodes(graph)) else graph
    out = Graph()
    for prefix, ns in JSONLD_CONTEXT.items():
        out.bind(prefix, ns)
    for triple in sorted(canonical, key=lambda t: tuple(term.n3() for term in t)):
        out.add(triple)
    return out


def _bnodes(graph: Graph):
    from rdflib import BNode
    for s, _, o in graph:
        if isinstance(s, BNode) or isinstance(o, BNode):
            yield s


def write_graph(graph: Graph, path_stem: Path) -> list[Path]:
    """Write `graph` as <stem>.ttl/.nt/.jsonld/.rdf; returns the files written."""
    written = []
    for suffix, fmt in FORMATS.items():
        path = path_stem.with_name(path_stem.name + "." + suffix)
        if fmt == "nt":
            lines = sorted(set(graph.serialize(format="nt").splitlines()))
            data = "\n".join(line for line in lines if line.strip()) + "\n"
        elif fmt == "json-ld":
            data = graph.serialize(format="json-ld", context=JSONLD_CONTEXT, indent=1, sort_keys=True)
        else:
            data = graph.serialize(format=fmt)
        path.write_text(data, encoding="utf-8")
        written.append(path)
    return written


def write_dataset(named: dict[str, Graph], path: Path) -> Path:
    """Write named graphs as one TriG file."""
    ds = Dataset()
    for prefix, ns in JSONLD_CONTEXT.items():
        ds.bind(prefix, ns)
    for iri, graph in sorted(named.items()):
        g = ds.graph(URIRef(iri))
        for triple in graph:
            g.add(triple)
    path.write_text(ds.serialize(format="trig"), encoding="utf-8")
    return path
