"""The competency questions as data: SPARQL examples in the SIB `sparql-examples` convention.

Each queries/*.rq becomes an `sh:SPARQLExecutable` with its query text (`sh:select`, `sh:ask` or
`sh:construct`), the question as `rdfs:comment` (the file's first line) and the
endpoint it runs on as `schema:target`, so query editors and example registries can list them.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from bonemet.namespaces import BASE

SCHEMA = Namespace("https://schema.org/")
EXAMPLES = Namespace(BASE + "sparql-examples/")
EXAMPLES_FILE = "sparql-examples.ttl"   # in dist/, beside the graphs
# SHACL-AF names executables for these three forms; a DESCRIBE example would have no class to be.
FORM = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT)\b", re.IGNORECASE | re.MULTILINE)
KINDS = {"SELECT": (SH.SPARQLSelectExecutable, SH.select), "ASK": (SH.SPARQLAskExecutable, SH.ask),
         "CONSTRUCT": (SH.SPARQLConstructExecutable, SH.construct)}


class ExampleError(ValueError):
    """A query file cannot be published as an example; the message names it."""


def examples_graph(query_files: list[Path], endpoint: str) -> Graph:
    """One sh:SPARQLExecutable per query file, named by the file's stem (cq01-cancers-to-spine -> cq01)."""
    g = Graph()
    g.bind("sh", SH)
    g.bind("schema", SCHEMA)
    g.bind("ex", EXAMPLES)
    for path in query_files:
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text.strip() else ""
        form = FORM.search(text)
        if not first.startswith("#") or form is None:
            raise ExampleError(f"{path}:1: an example needs a '# question' first line and a SELECT, ASK or "
                               f"CONSTRUCT query")
        kind, predicate = KINDS[form.group(1).upper()]
        node = EXAMPLES[path.stem.split("-", 1)[0]]
        g.add((node, RDF.type, SH.SPARQLExecutable))
        g.add((node, RDF.type, kind))
        g.add((node, RDFS.label, Literal(path.stem)))
        g.add((node, RDFS.comment, Literal(first.lstrip("# ").strip(), lang="en")))
        g.add((node, predicate, Literal(text)))
        g.add((node, SCHEMA.target, URIRef(endpoint)))
    return g
