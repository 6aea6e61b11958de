#!/usr/bin/env python3
"""Registry-scale benchmark: one command for every figure of docs/benchmarks.md.

    make bench            # or: .venv/bin/python scripts/bench.py [--quick]

Generates the registries, then measures, each against its baseline:
  query mix      pyoxigraph vs rdflib, 8 queries (queries/registry/) over published graph + registry
  reasoning      `bonemet reason` vs owlrl
  validation     `bonemet validate` (SPARQL engine) vs pySHACL
  HTTP           `bonemet serve --data` vs `oxigraph serve` (in memory), same data, same 44 queries,
                 same client, concurrency 1 and 8, rounds alternating (scripts/bench_http.py), with
                 the in-process limit, the first seconds after start-up, and uvicorn and hypercorn
                 in granian's place
  soak           normal, runaway, malformed and slow clients for ten minutes (scripts/soak.py)
  start-up       `bonemet serve` of the published graph until its home page answers
  memory         proportional set size (PSS) of the server and all its processes, serving 1M triples
  entity pages   size and latency of the breast-cancer page with the large registry loaded, against the
                 page of the commit before issue 15 (scripts/bench_pages.py)
  Spark engine   validate and reason, local engines vs `--engine spark` on local[2], 1M/3M/10M triples,
                 local[1] vs local[2], and a 100M-triple extrapolation (scripts/bench_spark.py)
Figures are medians of several runs. Writes docs/benchmarks.md and docs/benchmarks.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from importlib.metadata import version
from pathlib import Path

import bench_spark
from bench_report import write_report

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BONEMET = [sys.executable, "-m", "bonemet.cli"]
MIX = sorted((ROOT / "queries" / "registry").glob("q*.rq"))
TARGET_SECONDS = 60.0


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(cmd: list[str], **kwargs) -> float:
    start = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - start
    if run.returncode not in (0, 1):   # 1: the registry's deliberate defects were found
        raise SystemExit(f"bench: {' '.join(cmd)} failed:\n{run.stderr}")
    return elapsed


def median_of(runs: int, fn) -> tuple[float, list[float]]:
    values = [fn() for _ in range(runs)]
    return statistics.median(values), values


def generate(patients: int, path: Path) -> int:
    run = subprocess.run(BONEMET + ["generate", "--patients", str(patients), "--seed", "42",
                                    "--invalid-fraction", "0.01", "--output", str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(run.stderr.strip().splitlines()[-1])["triples"]


# ---------------------------------------------------------------- query mix in-process

def bench_query_mix(registry: Path, runs: int) -> dict:
    import pyoxigraph as ox
    from rdflib import Graph

    sys.path.insert(0, str(ROOT / "src"))
    from bonemet.io import open_store

    files = [ROOT / "dist" / "bonemet.nt", ROOT / "dist" / "bonemet-inferred.nt", registry]
    store = open_store(files)
    g = Graph()
    for f in files:
        g.parse(f, format="nt")
    queries = [q.read_text(encoding="utf-8") for q in MIX]

    def mix(run_one) -> float:
        start = time.perf_counter()
        for q in queries:
            run_one(q)
        return time.perf_counter() - start

    ox_times, rdflib_times = [], []
    for _ in range(runs):   # alternate A/B
        ox_times.append(mix(lambda q: list(store.query(q))))
        rdflib_times.append(mix(lambda q: list(g.query(q))))
    del ox
    return {"triples": len(g), "pyoxigraph_s": statistics.median(ox_times),
            "rdflib_s": statistics.median(rdflib_times), "runs": runs}


# ---------------------------------------------------------------- HTTP

class Server:
    """A server process (in its own process group), its SPARQL URL, and its memory."""

    def __init__(self, cmd: list[str], url: str, wait: bool = True, env: dict[str, str] | None = None):
        self.cmd, self.url = cmd, url
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True, env=env)
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 900) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: server {self.cmd} exited: {self.proc.stderr.read()}")
            try:
                urllib.request.urlopen(self.url + "?query=" + urllib.parse.quote("ASK {}"), timeout=2).read()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"bench: server {self.cmd} did not start")

    def pids(self) -> list[int]:
        """The server and all its descendants (forked query workers are grandchildren)."""
        every, todo = set(), [self.proc.pid]
        while todo:
            pid = todo.pop()
            if pid not in every:
                every.add(pid)
                out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
                todo += [int(p) for p in out.stdout.split()]
        return sorted(every)

    def memory(self) -> tuple[int, int]:
        """(sum of PSS, sum of RSS) in bytes over the server's process tree."""
        pss = rss = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
            except OSError:
                pass
        return pss, rss

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def bench_startup(runs: int) -> dict:
    def once() -> float:
        port = free_port()
        start = time.perf_counter()
        server = Server(BONEMET + ["serve", "--port", str(port)], f"http://127.0.0.1:{port}/sparql")
        elapsed = time.perf_counter() - start
        server.stop()
        return elapsed
    med, values = median_of(runs, once)
    return {"median_s": med, "runs": values}


def bench_memory(registry: Path) -> dict:
    port = free_port()
    peak = {"pss": 0, "rss": 0}
    sampling = True
    box = {}

    def sample():
        while sampling:
            if "server" in box:
                pss, rss = box["server"].memory()
                peak["pss"], peak["rss"] = max(peak["pss"], pss), max(peak["rss"], rss)
            time.sleep(0.1)

    # The loader's peak happens during start-up: sample from the first moment the process exists.
    sampler = threading.Thread(target=sample)
    sampler.start()
    server = Server(BONEMET + ["serve", "--port", str(port), "--data", str(registry), "--query-timeout", "300"],
                    f"http://127.0.0.1:{port}/sparql", wait=False)
    box["server"] = server
    try:
        server.wait_ready()
        ready_pss, ready_rss = server.memory()
        from bench_http import load

        load(server.url, 8, 10.0, [q.read_text(encoding="utf-8").encode("utf-8") for q in MIX])
        serving_pss, serving_rss = server.memory()
    finally:
        sampling = False
        sampler.join()
        server.stop()
    return {"peak_pss": peak["pss"], "peak_rss": peak["rss"], "ready_pss": ready_pss, "ready_rss": ready_rss,
            "after_load_pss": serving_pss, "after_load_rss": serving_rss}


# ---------------------------------------------------------------- report

def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or platform.machine())
    mem = next((int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return {"cpu": model, "cores": os.cpu_count(), "memory_gib": round(mem / 2**30, 1),
            "python": platform.python_version(), "os": platform.platform(),
            "versions": {p: version(p) for p in ("rdflib", "owlrl", "pyshacl", "pyoxigraph", "granian")}}


def bench_soak(seconds: float) -> dict:
    from soak import Soak

    port = free_port()
    server = Server(BONEMET + ["serve", "--port", str(port), "--query-timeout", "1", "--header-timeout", "2"],
                    f"http://127.0.0.1:{port}/sparql")
    try:
        return Soak(f"http://127.0.0.1:{port}", server.proc.pid, query_timeout=1.0).run(seconds, memory_bound_mib=100)
    finally:
        server.stop()


def bench_serving(args, work: Path, large: Path) -> dict:
    """The figures of `bonemet serve`: HTTP against Oxigraph's server, start-up, memory, soak."""
    import bench_http

    log("HTTP: bonemet serve (and uvicorn, hypercorn) vs oxigraph serve, in memory")
    out = {"http": bench_http.bench(rounds=3 if args.quick else 5, seconds=3.0 if args.quick else 6.0, workdir=work)}
    log("start-up")
    out["startup"] = bench_startup(5)
    log("memory serving the large registry")
    out["memory"] = bench_memory(large)
    log(f"soak, {args.soak_seconds:g} s")
    out["soak"] = bench_soak(args.soak_seconds)
    if not args.quick:   # the quick registry has too few patients for the pages' list page 50
        out["pages"] = bench_pages_of(args, large)
    return out


def bench_pages_of(args, large: Path) -> dict:
    import bench_pages

    log("entity pages with the large registry loaded (and the pages of the commit before issue 15)")
    return bench_pages.bench(large, requests=10 if args.quick else 50)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller registries and fewer runs (a smoke test)")
    ap.add_argument("--only", choices=["serve", "pages", "spark"], help="re-measure only the serving figures (HTTP, "
                    "start-up, memory, soak, pages), only the entity pages or only the Spark engine, keeping the "
                    "others of the last docs/benchmarks.json")
    ap.add_argument("--soak-seconds", type=float, default=600.0)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = ap.parse_args()
    if not (ROOT / "dist" / "bonemet.trig").is_file():
        raise SystemExit("bench: dist/ is missing; run `make build` first")
    started = time.perf_counter()
    runs = 2 if args.quick else 3
    sizes = {"large": 3_300 if args.quick else 33_000, "medium": 330 if args.quick else 3_300}
    previous = args.out.with_suffix(".json")
    with tempfile.TemporaryDirectory(prefix="bonemet-bench-") as tmp:
        work = Path(tmp)
        registries = {}
        for name, patients in sizes.items():
            if args.only and name != "large" or args.only == "spark":
                continue
            path = work / f"registry-{name}.nt"
            log(f"generating {patients:,} patients")
            registries[name] = {"patients": patients, "triples": generate(patients, path), "path": path}
        if args.only == "spark":
            results = json.loads(previous.read_text(encoding="utf-8"))
            results["spark"] = bench_spark.measure(work, bench_spark.SIZES, log)
            previous.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
            write_report(results, args.out)
            log(f"wrote {args.out} and {previous}")
            return
        large = registries["large"]["path"]
        if args.only:
            results = json.loads(previous.read_text(encoding="utf-8"))
            if args.only == "pages":
                results |= {"pages": bench_pages_of(args, large), "pages_measured": time.strftime("%Y-%m-%d")}
            else:
                serving = bench_serving(args, work, large)
                serving["memory"]["triples"] = registries["large"]["triples"]
                results |= serving | {"machine": machine(), "pages_measured": time.strftime("%Y-%m-%d")}
                results["serving_measured"] = time.strftime("%Y-%m-%d")
            previous.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
            write_report(results, args.out)
            log(f"wrote {args.out} and {previous}")
            return
        medium = registries["medium"]["path"]

        log("query mix: pyoxigraph vs rdflib")
        query_mix = bench_query_mix(medium, runs)

        log("reasoning")
        reason = {"large_triples": registries["large"]["triples"], "medium_triples": registries["medium"]["triples"],
                  "runs": runs}
        reason["fast_large_s"], reason["fast_large_runs"] = median_of(runs, lambda: timed(
            BONEMET + ["reason", str(large), "--output", str(work / "inferred.nt")]))
        reason["fast_medium_s"], _ = median_of(runs, lambda: timed(
            BONEMET + ["reason", str(medium), "--output", str(work / "inferred.nt")]))
        reason["owlrl_medium_s"] = timed([sys.executable, "-c", OWLRL_BASELINE, str(medium)])

        log("validation")
        validate = {"large_triples": registries["large"]["triples"],
                    "medium_triples": registries["medium"]["triples"], "runs": runs}
        cmd = BONEMET + ["validate", "--format", "json", "--output", str(work / "report.json"), "--no-progress"]
        validate["fast_large_s"], validate["fast_large_runs"] = median_of(runs, lambda: timed(cmd + [str(large)]))
        validate["fast_medium_s"], _ = median_of(runs, lambda: timed(cmd + [str(medium)]))
        validate["pyshacl_medium_s"] = timed(cmd + ["--engine", "pyshacl", str(medium)])

        serving = bench_serving(args, work, large)
        serving["memory"]["triples"] = registries["large"]["triples"]

        log("Spark engine")
        spark = bench_spark.measure(work, [n // 10 for n in bench_spark.SIZES[:2]] if args.quick
                                    else bench_spark.SIZES, log)

    results = {"date": time.strftime("%Y-%m-%d"), "quick": args.quick, "machine": machine(),
               "registries": {k: {"patients": v["patients"], "triples": v["triples"]} for k, v in registries.items()},
               "query_mix": query_mix, "reason": reason, "validate": validate, **serving, "spark": spark,
               "total_s": time.perf_counter() - started}
    previous.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_report(results, args.out)
    log(f"wrote {args.out} and {previous}")


OWLRL_BASELINE = """
import sys
from rdflib import Graph
sys.path.insert(0, {src!r})
from bonemet.reason.closure import materialize
from bonemet.validate.api import vocabulary_graph
g = Graph()
g += vocabulary_graph()
g.parse(sys.argv[1], format="nt")
materialize(g)
""".format(src=str(ROOT / "src"))


if __name__ == "__main__":
    main()
