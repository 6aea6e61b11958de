#!/usr/bin/env python3
"""HTTP benchmark of issue 14: `bonemet serve` against Oxigraph's own server on the same storage.

    .venv/bin/python scripts/bench_http.py [--rounds 5] [--seconds 8]   # `make bench` runs it too

Same storage: both servers hold the data in memory (`oxigraph serve` with no location, the
data POSTed to its /store). Same data: the published graph plus a 3,000-patient registry
(`bonemet generate --patients 3000 --seed 7`) in the graph bonemet serves `--data` files in.
Same queries: the 44 of queries/ (competency questions and the registry mix). Same client:
keep-alive http.client connections, one thread each, rounds alternating A/B. The in-process
limit is one pyoxigraph thread running the same mix with the same (JSON) serialization.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BONEMET = [sys.executable, "-m", "bonemet.cli"]
DATA_GRAPH = "https://w3id.org/bonemet/graph/data"
JSON = "application/sparql-results+json"
sys.path.insert(0, str(ROOT / "scripts"))

from bench import Server, free_port, log  # noqa: E402


def mix() -> list[bytes]:
    files = sorted(ROOT.glob("queries/*.rq")) + sorted(ROOT.glob("queries/registry/*.rq"))
    return [f.read_text(encoding="utf-8").encode("utf-8") for f in files]


def registry(workdir: Path, patients: int = 3000) -> Path:
    out = workdir / f"registry-{patients}.nt"
    if not out.exists():
        subprocess.run(BONEMET + ["generate", "--patients", str(patients), "--seed", "7", "--output", str(out)],
                       check=True)
    return out


def in_process_limit(data: Path, seconds: float) -> float:
    """Queries per second of one pyoxigraph thread over the mix, answers serialized as JSON (in Rust)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(ROOT / "dist" / "bonemet.trig"), format=ox.RdfFormat.TRIG)
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(DATA_GRAPH))
    queries = [q.decode("utf-8") for q in mix()]

    def one(q: str) -> None:
        result = store.query(q, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            result.serialize(format=ox.RdfFormat.N_TRIPLES)
        else:
            result.serialize(format=ox.QueryResultsFormat.JSON)

    for q in queries:   # warm-up
        one(q)
    done, stop_at, start = 0, time.perf_counter() + seconds, time.perf_counter()
    while time.perf_counter() < stop_at:
        one(queries[done % len(queries)])
        done += 1
    return done / (time.perf_counter() - start)


def load(url: str, concurrency: int, seconds: float, queries: list[bytes], *, timeline: list | None = None) -> float:
    """Requests per second: `concurrency` keep-alive clients cycling through the mix.

    With `timeline`, the completion time of every request is appended to it."""
    parsed = urllib.parse.urlparse(url)
    done, errors = [0] * concurrency, []
    stop_at = time.perf_counter() + seconds

    def client(k: int) -> None:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
        i = k * 5
        while time.perf_counter() < stop_at:
            conn.request("POST", parsed.path, body=queries[i % len(queries)],
                         headers={"Content-Type": "application/sparql-query", "Accept": JSON})
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200:
                errors.append(f"{resp.status}: {body[:200]!r}")
                return
            done[k] += 1
            if timeline is not None:
                timeline.append(time.perf_counter())
            i += 1
        conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit(f"bench: {url} answered {errors[0]}")
    return sum(done) / elapsed


def oxigraph_in_memory(data: Path) -> Server:
    oxigraph = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
    if oxigraph is None:
        raise SystemExit("bench: the `oxigraph` command is missing (pip install oxigraph; `make bench` does it)")
    port = free_port()
    server = Server([oxigraph, "serve", "--union-default-graph", "--bind", f"127.0.0.1:{port}"],
                    f"http://127.0.0.1:{port}/query")
    for path, ctype, graph in ((ROOT / "dist" / "bonemet.trig", "application/trig", None),
                               (data, "application/n-triples", DATA_GRAPH)):
        target = f"http://127.0.0.1:{port}/store" + (f"?graph={urllib.parse.quote(graph)}" if graph else "")
        req = urllib.request.Request(target, data=path.read_bytes(), method="POST", headers={"Content-Type": ctype})
        urllib.request.urlopen(req, timeout=600).read()
    server.version = subprocess.run([oxigraph, "--version"], capture_output=True, text=True).stdout.strip()
    return server


def bonemet(data: Path, extra: list[str] | None = None) -> Server:
    port = free_port()
    return Server(BONEMET + ["serve", "--port", str(port), "--data", str(data), "--query-timeout", "120"]
                  + (extra or []), f"http://127.0.0.1:{port}/sparql")


def warm_start(data: Path, queries: list[bytes], seconds: float = 5.0) -> dict:
    """req/s (concurrency 8) in each second of the first `seconds` after /sparql first answers."""
    server = bonemet(data)
    ready = time.perf_counter()
    timeline: list[float] = []
    try:
        load(server.url, 8, seconds, queries, timeline=timeline)
    finally:
        server.stop()
    per_second = [sum(1 for t in timeline if k <= t - ready < k + 1) for k in range(int(seconds))]
    return {"per_second": per_second}


def bench(rounds: int, seconds: float, workdir: Path) -> dict:
    data = registry(workdir)
    queries = mix()
    log(f"HTTP: in-process limit ({len(queries)} queries)")
    limit = statistics.median(in_process_limit(data, seconds) for _ in range(3))
    log("HTTP: first seconds of a fresh bonemet serve")
    start = warm_start(data, queries)
    theirs, ours = oxigraph_in_memory(data), bonemet(data)
    results = {}
    try:
        for server in (ours, theirs):
            load(server.url, 1, 2.0, queries)     # warm-up: caches, first-query costs
        for concurrency in (1, 8):
            a, b = [], []
            for _ in range(rounds):          # alternate A/B so drift hits both alike
                a.append(load(ours.url, concurrency, seconds, queries))
                b.append(load(theirs.url, concurrency, seconds, queries))
                log(f"HTTP c={concurrency}: bonemet {a[-1]:.1f} req/s, oxigraph {b[-1]:.1f} req/s")
            results[concurrency] = {"bonemet_rps": statistics.median(a), "oxigraph_rps": statistics.median(b),
                                    "bonemet_runs": a, "oxigraph_runs": b}
    finally:
        ours.stop()
        theirs.stop()
    return {"oxigraph_version": theirs.version, "queries": len(queries), "patients": 3000,
            "in_process_limit_qps": limit, "warm_start": start, "by_concurrency": results,
            "seconds_per_run": seconds, "rounds": rounds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=8.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bonemet-bench-http-") as tmp:
        print(json.dumps(bench(args.rounds, args.seconds, Path(tmp)), indent=2))


if __name__ == "__main__":
    main()
