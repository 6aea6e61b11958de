"""Deterministic serialization: the same graph always gives the same bytes."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from rdflib import RDF, BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph

from bonemet.formats import DUMP_SYNTAXES
from bonemet.namespaces import PREFIXES

JSONLD_CONTEXT = dict(PREFIXES)


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
    for syntax in DUMP_SYNTAXES:
        fmt = syntax.rdflib
        path = path_stem.with_name(path_stem.name + syntax.suffix)
        if fmt == "nt":
            data = ntriples(graph)
        elif fmt == "json-ld":
            data = _sorted_jsonld(graph.serialize(format="json-ld", context=JSONLD_CONTEXT))
        elif fmt == "xml":
            data = rdfxml(graph)
        else:
            data = graph.serialize(format=fmt)
        path.write_text(data, encoding="utf-8")
        written.append(path)
    return written


def ntriples(graph: Graph) -> str:
    lines = sorted(set(graph.serialize(format="nt").splitlines()))
    return "\n".join(line for line in lines if line.strip()) + "\n"


def write_ntriples(graph: Graph, path: Path) -> Path:
    path.write_text(ntriples(graph), encoding="utf-8")
    return path


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
    for p in sorted({str(p) for p in graph.predicates()}):
        prefix, ns, local = nm.compute_qname_strict(p)
        used[prefix] = str(ns)
        qnames[URIRef(p)] = f"{prefix}:{local}"
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    out += [f"   xmlns:{prefix}={quoteattr(ns)}" for prefix, ns in sorted(used.items())]
    out[-1] += ">"

    def node_attr(term) -> str:
        return f"rdf:nodeID={quoteattr(str(term))}" if isinstance(term, BNode) else f"rdf:about={quoteattr(str(term))}"

    by_subject: dict = {}
    for s, pred, o in graph:
        by_subject.setdefault(s, []).append((pred, o))
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
    """Write named graphs as one TriG file: graphs in IRI order, each as the Turtle writer lays it out.

    rdflib's TriG writer orders graphs by its store's hashing, which changes with PYTHONHASHSEED,
    so the file is put together here from each graph's (deterministic) Turtle."""
    prefixes: dict[str, str] = {}
    blocks = []
    for iri in sorted(named):
        lines = named[iri].serialize(format="turtle").splitlines()
        for line in lines:
            if line.startswith("@prefix "):
                prefixes.setdefault(line, line)
        # not indented: a line may continue a multi-line literal, whose text must stay as it is
        body = [line for line in lines if not line.startswith("@prefix ")]
        blocks.append(f"<{iri}> {{\n" + "\n".join(body).strip("\n") + "\n}\n")
    path.write_text("\n".join(prefixes) + "\n\n" + "\n".join(blocks), encoding="utf-8")
    return path
