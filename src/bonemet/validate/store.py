"""The data to validate, in an Oxigraph store, and the typed literals as the input wrote them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef


def to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return None



PLAIN_DATATYPES = {str(XSD.string), str(RDF.langString)}


@dataclass
class LoadedData:
    """Data in an Oxigraph store, and the typed literals as the input wrote them.

    Oxigraph keeps numbers, dates and booleans by value: "-3.0"^^xsd:decimal comes back as
    "-3", and "1200"^^xsd:nonNegativeInteger as "1200"^^xsd:integer. SHACL is about RDF terms,
    so datatype checks and reported values use the written form, looked up by subject and
    predicate (or, where there is no such context, by the stored form alone when unambiguous).
    """
    store: ox.Store
    triples: int
    by_statement: dict[tuple[str, str, str], list[ox.Literal]]
    by_stored_form: dict[str, ox.Literal]
    names: Graph = field(default_factory=Graph)   # prefixes to print terms with, as pySHACL's data graph has

    def original(self, term):
        return self.by_stored_form.get(str(term), term) if isinstance(term, ox.Literal) else term

    def originals(self, subject, predicate, term) -> list:
        if not isinstance(term, ox.Literal) or predicate is None:
            return [self.original(term)]
        return self.by_statement.get((str(subject), f"<{predicate}>", str(term))) or [term]


class _Loader:
    """Quads into one Oxigraph store, counting them and keeping the typed literals' written forms."""

    def __init__(self) -> None:
        self.store = ox.Store()
        self.typed: list[tuple[str, str, ox.Literal]] = []
        self.count = 0

    def add(self, quads: Iterable) -> None:
        self.store.bulk_extend(self._remember(quads))

    def _remember(self, quads: Iterable) -> Iterator[ox.Quad]:
        for q in quads:
            o = q.object
            if isinstance(o, ox.Literal) and o.datatype.value not in PLAIN_DATATYPES:
                self.typed.append((str(q.subject), str(q.predicate), o))
            self.count += 1
            yield ox.Quad(q.subject, q.predicate, q.object)

    def loaded(self, names: Graph) -> LoadedData:
        by_statement, by_stored_form = _written_forms(self.typed)
        return LoadedData(self.store, self.count, by_statement, by_stored_form, names)


def load_store(graphs: Iterable[Graph] = (), files: Iterable = (), input_format: str | None = None,
               max_bytes: int | None = None, *, base: str | None = None) -> LoadedData:
    """An in-memory Oxigraph store holding the rdflib graphs and the files' triples (default graph)."""
    from bonemet.io import parse_triples

    loader = _Loader()
    for g in graphs:
        loader.add(ox.parse(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))
    loader.count = 0   # the count is of the files' triples
    prefixes: dict[str, str] = {}
    loader.add(quad for quad, _path in parse_triples(list(files), input_format, max_bytes, prefixes=prefixes,
                                                     base=base))
    return loader.loaded(prefix_graph(prefixes, graphs))


def load_ntriples(texts: Iterable[str], names: Graph) -> LoadedData:
    """A store of N-Triples texts, with the literals' written forms as load_store keeps them; `names`
    are the prefixes to print terms with (the spark engine's partitions get them from the driver)."""
    loader = _Loader()
    for text in texts:
        loader.add(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    return loader.loaded(names)


def _written_forms(typed: list[tuple[str, str, ox.Literal]]):
    """Index the literals whose form the store changes, by statement and by stored form."""
    distinct = {str(lit): lit for _s, _p, lit in typed}
    originals = list(distinct.values())
    probe, predicate = ox.Store(), ox.NamedNode("urn:bonemet:lexical")
    probe.bulk_extend(ox.Quad(ox.NamedNode(f"urn:bonemet:literal:{i}"), predicate, lit)
                      for i, lit in enumerate(originals))
    stored_as = {}
    for quad in probe.quads_for_pattern(None, predicate, None):
        if isinstance(quad.subject, ox.NamedNode):
            stored_as[str(originals[int(quad.subject.value.rsplit(":", 1)[1])])] = str(quad.object)
    changed = {written: stored for written, stored in stored_as.items() if written != stored}
    touched = {(s, p, changed[str(lit)]) for s, p, lit in typed if str(lit) in changed}
    by_statement: dict[tuple[str, str, str], list[ox.Literal]] = {}
    for s, p, lit in typed:
        key = (s, p, stored_as[str(lit)])
        if key in touched and lit not in by_statement.setdefault(key, []):
            by_statement[key].append(lit)
    by_stored: dict[str, set[str]] = {}
    for written, stored in changed.items():
        by_stored.setdefault(stored, set()).add(written)
    unambiguous = {stored: distinct[next(iter(w))] for stored, w in by_stored.items()
                   if len(w) == 1 and stored not in distinct}
    return by_statement, unambiguous


def prefix_graph(prefixes: dict[str, str], graphs: Iterable[Graph]) -> Graph:
    """Namespace bindings as pySHACL's mixed data graph gets them: data's first, then the vocabulary's."""
    data = Graph()
    for prefix, namespace in prefixes.items():
        data.bind(prefix, namespace)
    names = Graph(bind_namespaces="core")
    for prefix, namespace in data.namespace_manager.namespaces():
        names.namespace_manager.bind(prefix, namespace, override=True, replace=True)
    for g in graphs:
        for prefix, namespace in g.namespace_manager.namespaces():
            names.namespace_manager.bind(prefix, namespace, override=False, replace=False)
    return names
