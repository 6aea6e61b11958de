"""Registry files as Spark data: triples read from text, each given to the patient it belongs to.

The partition key is the patient. The record layer names every record after its patient: a patient
`<P>` (typed bonemet:Patient) owns `<P>` and every IRI `<P/...>` (`<P/metastasis/0>`, `<P/survival>`),
which is how `bonemet generate` and `bonemet import-fhir` name them. A triple belongs to the patient
owning its subject; the other triples (ontology extensions, shared nodes, blank-node subjects) are
shared: every partition gets them, with the vocabulary. Two kinds of triple would make one patient's
answers depend on another's records, so they are refused by name rather than split silently: a triple
from one patient's record to another patient's, and a shared triple pointing into a patient's records.

Files other than N-Triples are converted to N-Triples on the driver first (a first pass with the same
parser as the local engines); N-Triples are read as text by Spark and parsed by pyoxigraph in chunks.
"""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bonemet.io import InputError, check_size, guess_format, parse_triples

PATIENT = "<https://w3id.org/bonemet/Patient>"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
Triple = tuple[str, str, str]


def owner(term: str, patients: frozenset[str] | set[str]) -> str | None:
    """The patient a term belongs to: `<P>` itself or an IRI under `<P/`; None for any other term.

    >>> owner("<http://r/patient/1/metastasis/0>", {"http://r/patient/1", "http://r/patient/10"})
    'http://r/patient/1'
    >>> owner("<http://r/patient/11>", {"http://r/patient/1"}) is None
    True
    """
    if not term.startswith("<"):
        return None
    iri = term[1:-1]
    while True:
        if iri in patients:
            return iri
        cut = iri.rfind("/")
        if cut <= 0:
            return None
        iri = iri[:cut]


def partition_of(key: str, partitions: int) -> int:
    """A stable partition number (Python's own str hash changes with every interpreter)."""
    return zlib.crc32(key.encode("utf-8")) % partitions


def parse_chunk(index: int, lines: Iterable[str]) -> Iterator[tuple]:
    """("t", (s, p, o)) per triple of the lines, or one ("error", file index, bad line) for a malformed one."""
    text = list(lines)
    try:
        quads = list(ox.parse("\n".join(text), format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError:
        for line in text:
            try:
                list(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))
            except SyntaxError:
                yield ("error", index, line)
                return
        yield ("error", index, "")
        return
    for q in quads:
        yield ("t", (str(q.subject), str(q.predicate), str(q.object)))


def key_triples(rows: Iterable[tuple], patients: frozenset[str]) -> Iterator[tuple]:
    """("k", patient, triple), ("s", triple) for shared ones, ("refused", why) for cross-patient ones."""
    for _tag, t in rows:
        s, p, o = t
        mine, theirs = owner(s, patients), owner(o, patients)
        if mine is None and theirs is not None:
            yield ("refused", f"the shared triple {s} {p} {o} points into the records of patient <{theirs}>")
        elif mine is not None and theirs is not None and mine != theirs:
            yield ("refused", f"the triple {s} {p} {o} links the records of patients <{mine}> and <{theirs}>")
        elif mine is None:
            yield ("s", t)
        else:
            yield ("k", mine, t)


@dataclass
class Keyed:
    """The input on Spark: patients' triples keyed and partitioned, the shared ones on the driver."""
    by_patient: Any                    # RDD of (patient, triple), partitioned by patient
    shared: list[Triple]
    patients: frozenset[str]
    prefixes: dict[str, str]
    input_triples: int
    _tmp: list = field(default_factory=list)

    def close(self) -> None:
        for t in self._tmp:
            t.cleanup()


def as_ntriples(files: list[Path], input_format: str | None, max_bytes: int | None,
                base: str | None) -> tuple[list[Path], dict[str, str], list]:
    """The files as N-Triples: N-Triples as they are, others converted once on the driver."""
    out: list[Path] = []
    prefixes: dict[str, str] = {}
    tmps: list[tempfile.TemporaryDirectory] = []
    for path in files:
        check_size(path, max_bytes)
        if guess_format(path, input_format) == "nt":
            out.append(path)
            continue
        tmp = tempfile.TemporaryDirectory(prefix="bonemet-spark-")
        tmps.append(tmp)
        target = Path(tmp.name) / (path.name + ".nt")
        with open(target, "w", encoding="utf-8") as fh:
            for quad, _path in parse_triples([path], input_format, max_bytes, prefixes=prefixes, base=base):
                fh.write(f"{quad.subject} {quad.predicate} {quad.object} .\n")
        out.append(target)
    return out, prefixes, tmps


def read(spark, files: list[Path], *, partitions: int, input_format: str | None = None,
         max_bytes: int | None = None, base: str | None = None) -> Keyed:
    """Read, parse and key the files; InputError for a bad file, SparkRefusal for cross-patient data."""
    sc = spark.sparkContext
    nt_files, prefixes, tmps = as_ntriples(files, input_format, max_bytes, base)
    try:
        rdds = [sc.textFile(str(p.resolve()), minPartitions=partitions)
                  .mapPartitions(lambda lines, i=i: parse_chunk(i, lines)) for i, p in enumerate(nt_files)]
        parsed = sc.union(rdds).cache()
        bad = parsed.filter(lambda r: r[0] == "error").take(1)
        if bad:
            _, index, line = bad[0]
            raise InputError(_explain(files[index], nt_files[index], line))
        patients = frozenset(parsed.filter(lambda r: r[1][1] == TYPE and r[1][2] == PATIENT)
                             .map(lambda r: r[1][0][1:-1]).distinct().collect())
        known = sc.broadcast(patients)
        keyed = parsed.mapPartitions(lambda rows: key_triples(rows, known.value)).cache()
        refused = keyed.filter(lambda r: r[0] == "refused").take(1)
        if refused:
            raise SparkRefusal(f"{refused[0][1]}; the spark engine validates and reasons patient by patient "
                               f"(use the local engine for such data)")
        shared = keyed.filter(lambda r: r[0] == "s").map(lambda r: r[1]).collect()
        by_patient = (keyed.filter(lambda r: r[0] == "k").map(lambda r: (r[1], r[2]))
                      .partitionBy(partitions, lambda k: partition_of(k, partitions)))
        count = parsed.count()
        parsed.unpersist()
    except Exception:
        for t in tmps:
            t.cleanup()
        raise
    return Keyed(by_patient, shared, patients, prefixes, count, tmps)


def start_and_read(files: list[Path], metrics, *, master: str, partitions: int, input_format: str | None,
                   max_bytes: int | None, base: str | None) -> tuple[Any, Keyed]:
    """Check the files, start Spark and read them, timing both into `metrics` (a spark.metrics.Metrics)."""
    from bonemet.spark.session import start

    for path in files:   # a missing file is named before Spark takes seconds to start
        check_size(path, max_bytes)
    with metrics.phase("start"):
        spark = start(master)
    with metrics.phase("read"):
        keyed = read(spark, files, partitions=partitions, input_format=input_format, max_bytes=max_bytes, base=base)
    metrics.took(keyed, master, partitions)
    return spark, keyed


class SparkRefusal(Exception):
    """The data or the shapes or rules need more than one patient's records at once."""


def _explain(original: Path, nt_file: Path, line: str) -> str:
    """The local engines' own message for the malformed file (file, line, column), found on the driver."""
    try:
        for _ in parse_triples([nt_file], "nt"):
            pass
    except InputError as exc:
        return str(exc).replace(str(nt_file), str(original))
    number = next((n for n, text in enumerate(open(nt_file, encoding="utf-8"), 1) if text.rstrip("\n") == line), 0)
    return f"{original}: not valid nt: line {number}: {line[:200]}"
