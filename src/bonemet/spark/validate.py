"""`bonemet validate --engine spark`: the compiled SHACL shapes, run partition by partition on Spark.

Each partition loads one pyoxigraph store with the vocabulary, the shared triples and its patients'
records, and runs the same SparqlValidator (and the same check of undefined bonemet terms) as
`--engine sparql`. It keeps the results about its own patients' nodes; partition 0 also keeps those
about shared nodes (which every partition would find alike: see bonemet.spark.locality). The driver
merges the results into one sh:ValidationReport, which renders as the local engine's does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from bonemet.spark.locality import refused_shapes
from bonemet.spark.metrics import Metrics, part_metrics
from bonemet.spark.partition import SparkRefusal, owner, start_and_read
from bonemet.validate import terms
from bonemet.validate.api import Report, by_the_specification, read_report, vocabulary_graph
from bonemet.validate.store import load_ntriples, prefix_graph


@dataclass(frozen=True)
class Context:
    """What every partition needs besides its records; broadcast once."""
    shapes: str                               # N-Triples, blank node labels as the driver has them
    shape_prefixes: list[tuple[str, str]]
    shared: str                               # N-Triples: the vocabulary and the shared triples
    names: list[tuple[str, str]]              # the prefixes the local engine prints terms with
    defined: frozenset[str] | None            # bonemet terms (None: no vocabulary, no such check)
    patients: frozenset[str]


def with_prefixes(pairs: Iterable[tuple[str, str]], g: Graph | None = None) -> Graph:
    g = Graph(bind_namespaces="none") if g is None else g
    for prefix, namespace in pairs:
        g.namespace_manager.bind(prefix, namespace, override=True, replace=True)
    return g


def validate_partition(index: int, rows: Iterable[tuple[str, tuple[str, str, str]]], ctx: Context) -> Iterator[tuple]:
    """("r", the results about this partition's nodes as N-Triples with blank nodes of its own), then
    ("m", what the partition cost)."""
    from bonemet.validate.runner import SparqlValidator

    started = time.perf_counter()
    rows = list(rows)
    mine = {key for key, _t in rows}

    def keep(focus) -> bool:
        key = owner(focus.n3() if not isinstance(focus, BNode) else "_:", ctx.patients)
        return key in mine or (key is None and index == 0)

    shapes = with_prefixes(ctx.shape_prefixes, graph_of(ctx.shapes))
    shape_nodes = {t for triple in shapes for t in triple if isinstance(t, BNode)}
    records = "".join(f"{s} {p} {o} .\n" for _key, (s, p, o) in rows)
    loaded = load_ntriples([ctx.shared, records], with_prefixes(ctx.names))
    loaded_at = time.perf_counter()
    report = SparqlValidator(shapes).validate(loaded)
    if ctx.defined is not None:
        uses = [u for u in terms.unknown_uses(terms.store_triples(loaded.store), set(ctx.defined))
                if keep(URIRef(u[0]))]
        terms.add_results(report, uses, set(ctx.defined))
    kept = Graph()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        if keep(report.value(r, SH.focusNode)):
            for s, p, o in report.cbd(r):
                kept.add((_own(s, index, shape_nodes), p, _own(o, index, shape_nodes)))
    yield ("r", kept.serialize(format="nt"))
    yield ("m", part_metrics(index, len(mine), len(rows), loaded_at - started, time.perf_counter() - loaded_at))


def _own(term, index: int, shape_nodes: set):
    """Blank nodes named apart per partition, so that merging keeps them apart; the shapes' own blank
    nodes (an anonymous sh:sparql constraint) keep the driver's labels, so that they stay one node."""
    return BNode(f"p{index}x{term}") if isinstance(term, BNode) and term not in shape_nodes else term


def graph_of(ntriples: str) -> Graph:
    """An rdflib graph of N-Triples whose blank nodes keep their labels (rdflib's parser renames them)."""
    from bonemet.validate.store import to_rdflib

    g = Graph()
    for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def validate_on_spark(files: list[Path], shapes: Graph, *, master: str = "local[*]", partitions: int = 8,
                      with_vocabulary: bool = True, input_format: str | None = None, max_bytes: int | None = None,
                      base: str | None = None, notice: Callable[[str], None] | None = None,
                      metrics: Metrics | None = None) -> Report:
    """Validate the files on Spark; the same report as validate_files(engine="sparql"). `metrics`, when
    given, is filled with what each phase and partition cost."""
    from bonemet.validate.runner import SparqlValidator

    refused = refused_shapes(shapes)
    if refused:
        raise SparkRefusal(f"shape {refused[0]}; the spark engine validates patient by patient "
                           f"(use --engine sparql){f' ({len(refused) - 1} more)' if len(refused) > 1 else ''}")
    SparqlValidator(shapes)   # UnsupportedShapes now, on the driver, rather than in every partition
    vocabulary = vocabulary_graph() if with_vocabulary else Graph()
    metrics = Metrics() if metrics is None else metrics
    spark, keyed = start_and_read(files, metrics, master=master, partitions=partitions, input_format=input_format,
                                  max_bytes=max_bytes, base=base)
    try:
        names = prefix_graph(keyed.prefixes, [vocabulary] if with_vocabulary else [])
        shared = vocabulary.serialize(format="nt") + "".join(f"{s} {p} {o} .\n" for s, p, o in keyed.shared)
        ctx = Context(shapes.serialize(format="nt"), list(shapes.namespace_manager.namespaces()), shared,
                      list(names.namespace_manager.namespaces()),
                      frozenset(terms.defined_terms(vocabulary)) if with_vocabulary else None, keyed.patients)
        if notice:
            notice(f"spark: {keyed.input_triples:,} triples, {len(keyed.patients):,} patients, "
                   f"{len(keyed.shared):,} shared triples, {partitions} partitions")
        broadcast = spark.sparkContext.broadcast(ctx)
        with metrics.phase("partitions"):
            out = keyed.by_patient.mapPartitionsWithIndex(
                lambda i, rows: validate_partition(i, rows, broadcast.value)).collect()
    finally:
        keyed.close()
    metrics.add_parts([value for kind, value in out if kind == "m"])
    with metrics.phase("merge"):
        return merge([value for kind, value in out if kind == "r"])


def merge(parts: list[str]) -> Report:
    """One sh:ValidationReport from the partitions' results."""
    graph = Graph()
    graph.bind("sh", SH)
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    text = "".join(parts)   # one parse: a shape's blank node named in two parts stays one node
    if text.strip():
        graph.parse(data=text, format="nt")
    for r in list(graph.subjects(RDF.type, SH.ValidationResult)):
        graph.add((root, SH.result, r))
    graph.add((root, SH.conforms, Literal(next(graph.subjects(RDF.type, SH.ValidationResult), None) is None)))
    return by_the_specification(Report(read_report(graph), graph))
