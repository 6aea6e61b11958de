"""Deterministic serialization: the same graph always gives the same bytes."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from rdflib import RDF, BNode, Dataset, Graph, URIRef
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
    for s, _, o in graph:
        if isinstance(s, BNode) or isinstance(o, BNode):
            yield s


def write_graph(graph: Graph, path_stem: Path) -> list[Path]:
    """Write `graph` as <stem>.ttl/.nt/.jsonld/.rdf; returns the files written.

    rdflib's store iterates in hash order, so every format that does not sort by itself
    (N-Triples, JSON-LD, RDF/XML) is put in order here.
    """
    written = []
    for suffix, fmt in FORMATS.items():
        path = path_stem.with_name(path_stem.name + "." + suffix)
        if fmt == "nt":
            lines = sorted(set(graph.serialize(format="nt").splitlines()))
            data = "\n".join(line for line in lines if line.strip()) + "\n"
        elif fmt == "json-ld":
            data = _sorted_jsonld(graph.serialize(format="json-ld", context=JSONLD_CONTEXT))
        elif fmt == "xml":
            data = rdfxml(graph)
        else:
            data = graph.serialize(format=fmt)
        path.write_text(data, encoding="utf-8")
        written.append(path)
    return written


def _sorted_jsonld(text: str) -> str:
    doc = json.loads(text)
    nodes = doc.get("@graph", [])
    for node in nodes:
        for key, value in node.items():
            if isinstance(value, list):
                node[key] = sorted(value, key=lambda v: json.dumps(v, sort_keys=True))
    doc["@graph"] = sorted(nodes, key=lambda n: json.dumps(n.get("@id", ""), sort_keys=True))
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def rdfxml(graph: Graph) -> str:
    """Plain RDF/XML, one rdf:Description per subject, in sorted order."""
    nm = graph.namespace_manager
    used: dict[str, str] = {"rdf": str(RDF)}
    qnames = {}
    for p in sorted(set(graph.predicates())):
        prefix, ns, local = nm.compute_qname_strict(p)
        used[prefix] = str(ns)
        qnames[p] = f"{prefix}:{local}"
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    out += [f"   xmlns:{prefix}={quoteattr(ns)}" for prefix, ns in sorted(used.items())]
    out[-1] += ">"

    def node_attr(term) -> str:
        return f"rdf:nodeID={quoteattr(str(term))}" if isinstance(term, BNode) else f"rdf:about={quoteattr(str(term))}"

    by_subject: dict = {}
    for s, p, o in graph:
        by_subject.setdefault(s, []).append((p, o))
    for s in sorted(by_subject, key=lambda t: t.n3()):
        out.append(f"  <rdf:Description {node_attr(s)}>")
        for p, o in sorted(by_subject[s], key=lambda po: (po[0].n3(), po[1].n3())):
            q = qnames[p]
            if isinstance(o, BNode):
                out.append(f"    <{q} rdf:nodeID={quoteattr(str(o))}/>")
            elif isinstance(o, URIRef):
                out.append(f"    <{q} rdf:resource={quoteattr(str(o))}/>")
            else:
                attr = f" xml:lang={quoteattr(o.language)}" if o.language else (
                    f" rdf:datatype={quoteattr(str(o.datatype))}" if o.datatype else "")
                out.append(f"    <{q}{attr}>{escape(str(o))}</{q}>")
        out.append("  </rdf:Description>")
    out.append("</rdf:RDF>")
    return "\n".join(out) + "\n"


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
