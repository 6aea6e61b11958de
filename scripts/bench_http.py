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
from soak import descendants  # noqa: E402


def mix() -> list[bytes]:
    files = sorted(ROOT.glob("queries/*.rq")) + sorted(ROOT.glob("queries/registry/*.rq"))
    return [f.read_text(encoding="utf-8").encode("utf-8") for f in files]


def registry(workdir: Path, patients: int = 3000) -> Path:
    out = workdir / f"registry-{patients}.nt"
    if not out.exists():
        subprocess.run(BONEMET + ["generate", "--patients", str(patients), "--seed", "7", "--output", str(out)],
                       check=True)
    return out


class InProcess:
    """One pyoxigraph thread over the mix, answers serialized as JSON (in Rust): the limit at concurrency 1."""

    def __init__(self, data: Path):
        import pyoxigraph as ox

        self.ox, self.store = ox, ox.Store()
        self.store.bulk_load(path=str(ROOT / "dist" / "bonemet.trig"), format=ox.RdfFormat.TRIG)
        self.store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(DATA_GRAPH))
        self.queries = [q.decode("utf-8") for q in mix()]
        for q in self.queries:   # warm-up
            self.one(q)

    def one(self, q: str) -> None:
        result = self.store.query(q, use_default_graph_as_union=True)
        if isinstance(result, self.ox.QueryTriples):
            result.serialize(format=self.ox.RdfFormat.N_TRIPLES)
        else:
            result.serialize(format=self.ox.QueryResultsFormat.JSON)

    def rate(self, seconds: float) -> float:
        done, stop_at, start = 0, time.perf_counter() + seconds, time.perf_counter()
        while time.perf_counter() < stop_at:
            self.one(self.queries[done % len(self.queries)])
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


def warm_start(data: Path, queries: list[bytes], seconds: int = 15) -> dict:
    """req/s (concurrency 8) in each second after /sparql first answers, for `seconds` seconds: the first
    ones against the same server's steady state (the median of seconds 6 to the end), measured in the same run."""
    server = bonemet(data)
    ready = time.perf_counter()
    timeline: list[float] = []
    try:
        load(server.url, 8, seconds, queries, timeline=timeline)
    finally:
        server.stop()
    per_second = [sum(1 for t in timeline if k <= t - ready < k + 1) for k in range(seconds)]
    return {"per_second": per_second, "steady": statistics.median(per_second[5:])}


def cpu_per_request(server: Server, queries: list[bytes], concurrency: int, seconds: float) -> dict:
    """Where the time goes: CPU milliseconds per request of each process of the server, and of the client."""
    import os
    import resource

    tick = os.sysconf("SC_CLK_TCK")

    def cpu(pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    def client() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    pids = [server.proc.pid, *descendants(server.proc.pid)]
    before, client_before, start = {p: cpu(p) for p in pids}, client(), time.perf_counter()
    rps = load(server.url, concurrency, seconds, queries)
    n = rps * (time.perf_counter() - start)
    used = {p: cpu(p) - before[p] for p in pids}
    return {"req_s": rps, "server_process_ms": used[server.proc.pid] / n * 1000,
            "worker_processes_ms": sum(v for p, v in used.items() if p != server.proc.pid) / n * 1000,
            "client_ms": (client() - client_before) / n * 1000}


SERVERS = ("granian", "uvicorn", "hypercorn")   # bonemet's application behind each (granian is `bonemet serve`)


def bench(rounds: int, seconds: float, workdir: Path) -> dict:
    data = registry(workdir)
    queries = mix()
    limit, limits = InProcess(data), []
    log("HTTP: first seconds of a fresh bonemet serve")
    start = warm_start(data, queries)
    servers = {"oxigraph": oxigraph_in_memory(data)}
    servers |= {name: bonemet(data, ["--http-server", name]) for name in SERVERS}
    runs: dict[str, dict[str, list[float]]] = {name: {"1": [], "8": [], "ask": []} for name in servers}
    try:
        for server in servers.values():
            load(server.url, 1, 2.0, queries)     # warm-up: caches, first-query costs
        for k in range(rounds):
            order = list(servers) if k % 2 == 0 else list(reversed(servers))   # alternate: drift hits all alike
            for name in order:
                for concurrency in (1, 8):
                    runs[name][str(concurrency)].append(load(servers[name].url, concurrency, seconds, queries))
                runs[name]["ask"].append(load(servers[name].url, 1, 2.0, [b"ASK {}"]))
            limits.append(limit.rate(seconds))   # in the same round: the machine's speed drifts
            log(f"HTTP round {k + 1}: " + "; ".join(f"{n} {r['1'][-1]:.0f}/{r['8'][-1]:.0f}" for n, r in runs.items())
                + f"; in-process limit {limits[-1]:.0f}")
        profile = {name: {str(c): cpu_per_request(servers[name], queries, c, seconds) for c in (1, 8)}
                   for name in ("granian", "oxigraph")}
    finally:
        for server in servers.values():
            server.stop()
    return {"cpu_profile": profile, "oxigraph_version": servers["oxigraph"].version, "queries": len(queries), "patients": 3000,
            "in_process_limit_qps": statistics.median(limits), "in_process_limit_runs": limits, "warm_start": start,
            "runs": runs, "median": {n: {c: statistics.median(v) for c, v in r.items()} for n, r in runs.items()},
            "seconds_per_run": seconds, "rounds": rounds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=6.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bonemet-bench-http-") as tmp:
        print(json.dumps(bench(args.rounds, args.seconds, Path(tmp)), indent=2))


if __name__ == "__main__":
    main()
