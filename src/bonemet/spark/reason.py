"""`bonemet reason --engine spark`: the compiled OWL 2 RL chainer, run partition by partition on Spark.

The driver does what `bonemet reason` does once for the whole input: it closes the vocabulary and the
schema triples the data bring with owlrl and compiles the rules (bonemet.reason.chainer.prepare).
Each partition saturates its patients' instance triples plus the shared ones from there, with the same
Saturator, and reports its entailments, its inconsistencies and the triples crossing into shared nodes
(bonemet.spark.locality), by which the driver refuses a rule that would have joined two patients.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from bonemet.reason.chainer import Prepared, Reasoned, is_schema_triple, literal_errors, prepare, saturate
from bonemet.spark.locality import crossing_rules, joining_properties, signatures
from bonemet.spark.metrics import Metrics, part_metrics
from bonemet.spark.partition import SparkRefusal, owner, start_and_read

Triple = tuple[str, str, str]


@dataclass(frozen=True)
class Context:
    prepared: Prepared
    shared: list[Triple]          # the shared instance triples
    patients: frozenset[str]


def literals_of(triples: Iterable[Triple]) -> list[ox.Literal]:
    """The typed literals among the objects, as pyoxigraph terms (the chainer checks their lexical forms)."""
    objects = sorted({o for _s, _p, o in triples if o.startswith('"') and '"^^<' in o})
    text = "".join(f"<urn:bonemet:l> <urn:bonemet:l> {o} .\n" for o in objects)
    return [q.object for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES) if isinstance(q.object, ox.Literal)]


def reason_partition(index: int, rows: Iterable[tuple[str, Triple]], ctx: Context) -> Iterator[tuple]:
    """("t", triple) per entailment, ("e", message) per inconsistency, ("sig", key, patients) per crossing,
    then ("m", what the partition cost)."""
    started = time.perf_counter()
    keyed = list(rows)
    own = [t for _key, t in keyed if not is_schema_triple(*t)]
    instance = own + ctx.shared
    literals = literals_of(instance)
    loaded_at = time.perf_counter()
    inferred, errors, engine = saturate(ctx.prepared, instance, literals)
    for t in inferred:
        yield ("t", t)
    for message in errors:
        yield ("e", message)
    into, out = joining_properties(ctx.prepared.rules)
    for key, patients in signatures(engine.facts, lambda term: owner(term, ctx.patients), into, out):
        yield ("sig", key, patients)
    yield ("m", part_metrics(index, len({key for key, _t in keyed}), len(keyed), loaded_at - started,
                             time.perf_counter() - loaded_at))


def reason_on_spark(files: list[Path], vocabulary: Graph, *, master: str = "local[*]", partitions: int = 8,
                    input_format: str | None = None, max_bytes: int | None = None,
                    base: str | None = None, metrics: Metrics | None = None,
                    write: Callable[[str], object] | None = None) -> Reasoned:
    """The same entailments and inconsistencies as bonemet.reason.chainer.reason, computed on Spark.
    `metrics`, when given, is filled with what each phase and partition cost.

    With `write`, the entailments are not collected: Spark sorts them and they are handed to `write`
    as N-Triples lines one partition at a time, so the driver never holds the closure; the result's
    `inferred` is then empty and `written` counts them."""
    metrics = Metrics() if metrics is None else metrics
    spark, keyed = start_and_read(files, metrics, master=master, partitions=partitions, input_format=input_format,
                                  max_bytes=max_bytes, base=base)
    try:
        with metrics.phase("prepare"):
            schema_triples = [t for t in keyed.shared if is_schema_triple(*t)]
            schema_triples += keyed.by_patient.filter(lambda kv: is_schema_triple(*kv[1])) \
                .map(lambda kv: kv[1]).collect()
            schema = Graph()
            if schema_triples:
                schema.parse(data="".join(f"{s} {p} {o} .\n" for s, p, o in schema_triples), format="nt")
            prepared = prepare(vocabulary, schema)
        shared = [t for t in keyed.shared if not is_schema_triple(*t)]
        broadcast = spark.sparkContext.broadcast(Context(prepared, shared, keyed.patients))
        out = keyed.by_patient.mapPartitionsWithIndex(lambda i, rows: reason_partition(i, rows, broadcast.value)) \
            .cache()
        with metrics.phase("partitions"):
            metrics.add_parts(out.filter(lambda r: r[0] == "m").map(lambda r: r[1]).collect())
        found = dict(out.filter(lambda r: r[0] == "sig").map(lambda r: (r[1], r[2]))
                     .reduceByKey(lambda a, b: a | b).collect())
        refused = crossing_rules(found, prepared.rules)
        if refused:
            raise SparkRefusal(f"rule {refused[0]}; the spark engine reasons patient by patient "
                               f"(use the local engine for such data)")
        with metrics.phase("merge"):
            errors = set(out.filter(lambda r: r[0] == "e").map(lambda r: r[1]).distinct().collect())
            errors |= literal_errors(literals_of(schema_triples))
            closure = out.filter(lambda r: r[0] == "t").map(lambda r: r[1]).distinct()
            inferred: list[Triple] = []
            written = 0
            if write is None:
                inferred = sorted(closure.collect())
            else:
                # the same order as sorted() on the driver: Spark's sort compares the Python tuples
                for s, p, o in closure.sortBy(lambda t: t, numPartitions=partitions).toLocalIterator():
                    write(f"{s} {p} {o} .\n")
                    written += 1
        out.unpersist()
    finally:
        keyed.close()
    return Reasoned(inferred, sorted(errors), keyed.input_triples, written)
