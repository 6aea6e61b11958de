#!/usr/bin/env python3
"""Benchmark: rdflib's SPARQL engine vs pyoxigraph on our competency questions and on a registry.

    scripts/bench_engines.py [--patients 5000]

Writes docs/benchmarks/engines.md. Each query runs 3 times per engine; the best time counts.
"""

import argparse
import io
import platform
import sys
import time
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from bonemet.generate import generate  # noqa: E402

REGISTRY_MIX = {
    "patients per primary cancer": """PREFIX b: <https://w3id.org/bonemet/>
        SELECT ?c (COUNT(?p) AS ?n) WHERE { ?p b:hasPrimaryTumour/b:cancerType ?c } GROUP BY ?c""",
    "fractures after spinal metastases": """PREFIX b: <https://w3id.org/bonemet/> PREFIX e: <https://w3id.org/bonemet/entity/>
        SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p b:hasBoneMetastasis/b:site e:ThoracicSpine ;
        b:hasComplicationEvent/b:complicationType e:PathologicalFracture }""",
    "mean survival by lesion type": """PREFIX b: <https://w3id.org/bonemet/>
        SELECT ?l (AVG(?m) AS ?avg) WHERE { ?p b:hasBoneMetastasis/b:lesionType ?l ; b:hasSurvival/b:survivalMonths ?m }
        GROUP BY ?l""",
    "treatments started on or after detection": """PREFIX b: <https://w3id.org/bonemet/>
        SELECT (COUNT(*) AS ?n) WHERE { ?p b:hasBoneMetastasis/b:dateDetected ?d ; b:receivedTreatment/b:startDate ?s
        FILTER(?s >= ?d) }""",
}


def best(fn, runs=3):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def measure(ntriples: str, queries: dict[str, str]) -> list[tuple[str, float, float, int]]:
    g = Graph().parse(data=ntriples, format="nt")
    store = ox.Store()
    store.load(input=ntriples.encode(), format=ox.RdfFormat.N_TRIPLES)
    rows = []
    for name, q in queries.items():
        n = len(list(g.query(q)))
        rows.append((name, best(lambda: list(g.query(q))), best(lambda: list(store.query(q))), n))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--patients", type=int, default=5000)
    args = ap.parse_args()
    dist = ROOT / "dist"
    graph_nt = (dist / "bonemet.nt").read_text() + (dist / "bonemet-inferred.nt").read_text()
    cqs = {p.stem: p.read_text() for p in sorted((ROOT / "queries").glob("*.rq"))}
    buf = io.StringIO()
    counts = generate(buf, patients=args.patients, seed=1)
    sections = [("competency questions on the published graph (%d triples)" % graph_nt.count("\n"), measure(graph_nt, cqs)),
                (f"registry mix on {counts['triples']:,} generated triples ({args.patients:,} patients)",
                 measure(buf.getvalue(), REGISTRY_MIX))]
    lines = ["# SPARQL engine benchmark", "",
             "`scripts/bench_engines.py` runs each query 3 times per engine (best time) in one process.",
             f"Environment: {platform.machine()}, Python {platform.python_version()}, rdflib {version('rdflib')}, "
             f"pyoxigraph {version('pyoxigraph')}, {time.strftime('%Y-%m-%d')}.", ""]
    for title, rows in sections:
        total_r, total_o = sum(r[1] for r in rows), sum(r[2] for r in rows)
        lines += [f"## {title}", "", "| query | rows | rdflib | pyoxigraph |", "|---|---:|---:|---:|"]
        lines += [f"| {name} | {n} | {r * 1000:.1f} ms | {o * 1000:.1f} ms |" for name, r, o, n in rows]
        lines += [f"| **total** | | **{total_r * 1000:.0f} ms** | **{total_o * 1000:.0f} ms** |", ""]
    lines += ["Decision: the SPARQL endpoint, the pages and the query page evaluate with pyoxigraph; rdflib",
              "stays the reference (answers are compared on every competency question in",
              "`tests/test_server.py::test_competency_answers_equal_rdflib`)."]
    (ROOT / "docs" / "benchmarks" / "engines.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
