#!/usr/bin/env python3
"""Spark benchmark (issue 19): `bonemet validate` and `bonemet reason`, local engines against
`--engine spark --master local[2]`, on 1M, 3M and 10M-triple registries; Spark on 1 and 2 cores;
a 100M-triple registry extrapolated from the measured per-partition costs.

Run by `scripts/bench.py` (`make bench`, or `scripts/bench.py --only spark`); alone:

    .venv/bin/python scripts/bench_spark.py [--patients 33000 100000 330000]

Each command runs once, in a fresh process. Memory is the resident set of every process of the
command's tree, sampled every 0.2 s, by role: the bonemet process (the local engine, or Spark's
Python driver), the JVM (in local mode Spark's driver and its executors are threads of one JVM) and
the Python workers the executors run partitions in; "total" is the largest sum at one instant.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BONEMET = [sys.executable, "-m", "bonemet.cli"]
PARTITIONS = 8
TARGET_SECONDS, TARGET_BYTES = 300.0, 8e9
SIZES = (33_000, 100_000, 330_000)   # patients: about 1M, 3M and 10M triples
SCALING_SIZE = 100_000
EXECUTORS = (2, 8, 32, 80)   # 80: one per partition of a 100M-triple registry


def spark(cores: int) -> list[str]:
    return ["--engine", "spark", "--master", f"local[{cores}]", "--partitions", str(PARTITIONS)]


def _processes() -> dict[int, tuple[int, str, int]]:
    """pid -> (parent pid, command name, resident bytes), from /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            rss = int(stat.rsplit(")", 1)[1].split()[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
        found[int(entry)] = (parent, name, rss)
    return found


def by_role(root: int) -> dict[str, int]:
    """Resident bytes of the command's process tree: bonemet, jvm, workers (Python under the JVM)."""
    procs = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _name, _rss) in procs.items():
        children.setdefault(parent, []).append(pid)
    roles = {"bonemet": 0, "jvm": 0, "workers": 0}
    todo = [(root, False)]
    while todo:
        pid, under_jvm = todo.pop()
        if pid not in procs:
            continue
        _parent, name, rss = procs[pid]
        java = name == "java"
        role = "bonemet" if pid == root else "jvm" if java or not under_jvm and name in ("bash", "sh") \
            else "workers" if under_jvm else "bonemet"
        roles[role] += rss
        todo += [(c, under_jvm or java) for c in children.get(pid, [])]
    return roles


def run(cmd: list[str]) -> dict:
    """Wall time, exit code and peak memory by role of one command."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peaks = {"bonemet": 0, "jvm": 0, "workers": 0, "total": 0}

    def sample() -> None:
        while proc.poll() is None:
            roles = by_role(proc.pid)
            for k, v in roles.items():
                peaks[k] = max(peaks[k], v)
            peaks["total"] = max(peaks["total"], sum(roles.values()))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _out, err = proc.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"bench: {' '.join(cmd)} failed: {err.strip()[-500:]}")
    return {"wall_s": round(wall, 1), "exit": proc.returncode, "peak_mib": {k: round(v / 2**20) for k, v in peaks.items()}}


def generate(patients: int, path: Path) -> int:
    gen = subprocess.run(BONEMET + ["generate", "--patients", str(patients), "--seed", "42", "--invalid-fraction",
                                    "0.01", "--output", str(path)], capture_output=True, text=True, check=True)
    return json.loads(gen.stderr.strip().splitlines()[-1])["triples"]


def measure_size(patients: int, work: Path, log) -> dict:
    data = work / f"registry-{patients}.nt"
    triples = generate(patients, data)
    big = ["--max-size", "100000"]
    row: dict = {"patients": patients, "triples": triples}
    out = {name: work / name for name in ("local.json", "spark.json", "local.nt", "spark.nt")}
    for key, cmd in [
        ("validate_local", ["validate", data, "--engine", "sparql", "--format", "json", "--output", out["local.json"]]),
        ("validate_spark", ["validate", data, *spark(2), "--format", "json", "--output", out["spark.json"],
                            "--metrics", work / "validate-metrics.json"]),
        ("reason_local", ["reason", data, "--output", out["local.nt"]]),
        ("reason_spark", ["reason", data, *spark(2), "--output", out["spark.nt"],
                          "--metrics", work / "reason-metrics.json"]),
    ]:
        log(f"spark benchmark: {triples:,} triples, {key}")
        row[key] = run(BONEMET + [str(a) for a in cmd] + big)
    row["same_report"] = out["local.json"].read_bytes() == out["spark.json"].read_bytes()
    row["same_closure"] = out["local.nt"].read_bytes() == out["spark.nt"].read_bytes()
    for command in ("validate", "reason"):
        row[f"{command}_metrics"] = json.loads((work / f"{command}-metrics.json").read_text(encoding="utf-8"))
    if patients == SCALING_SIZE:
        for command in ("validate", "reason"):
            log(f"spark benchmark: {triples:,} triples, {command} on local[1]")
            target = ["--format", "json", "--output", out["spark.json"]] if command == "validate" else \
                ["--output", out["spark.nt"]]
            row[f"{command}_spark_1"] = run(BONEMET + [command, str(data), *spark(1), *target, *big])
    data.unlink()
    return row


PARALLEL = ("read", "prepare", "partitions")   # phases whose work runs on the executors


def _fit(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """Intercept and slope of the line through two (triples, cost) points (slope at least 0)."""
    slope = max((b[1] - a[1]) / (b[0] - a[0]), 0.0)
    return a[1] - slope * a[0], slope


def extrapolate(small: dict, large: dict, command: str, triples: int, executors: int) -> dict:
    """Wall time and memory of `command` on `triples` with `executors` one-core executors, from two runs.

    Each phase's time is fitted as fixed + per-triple cost through the two runs (local[2]); the
    per-triple part of the phases that run on the executors (read and key, prepare, the partitions'
    shuffle, load and run) was spread over this machine's 2 cores and is spread over the executors
    instead; start-up and the merge on the driver stay serial. Partitions keep the size they had in
    the larger run, so an executor's Python worker needs what it needed there; the driver's memory
    is fitted like the time.
    """
    runs = [small[f"{command}_metrics"], large[f"{command}_metrics"]]
    partitions = math.ceil(triples / (runs[1]["input_triples"] / runs[1]["partitions"]))
    busy = min(executors, partitions)   # an executor without a partition waits
    wall = 0.0
    for phase in runs[1]["phases"]:
        fixed, per = _fit(*[(m["input_triples"], m["phases"].get(phase, 0.0)) for m in runs])
        wall += fixed + per * triples * (2 / busy if phase in PARALLEL else 1)
    fixed, per = _fit(*[(m["input_triples"], r[f"{command}_spark"]["peak_mib"]["bonemet"])
                        for m, r in zip(runs, (small, large), strict=True)])
    local_fixed, local_per = _fit(*[(r["triples"], r[f"{command}_local"]["peak_mib"]["bonemet"]) for r in (small, large)])
    return {"executors": executors, "partitions": partitions, "local_engine_mib": round(local_fixed + local_per * triples),
            "wall_s": round(wall), "worker_mib": max(p["worker_peak_mib"] for p in runs[1]["parts"]),
            "driver_mib": round(fixed + per * triples)}


def measure(work: Path, sizes, log) -> dict:
    rows = [measure_size(n, work, log) for n in sizes]
    result: dict = {"date": time.strftime("%Y-%m-%d"), "partitions": PARTITIONS, "rows": rows}
    if len(rows) >= 3:
        # the model fitted on the two smaller sizes predicts the largest one, which was measured too
        result["model_check"] = {c: {"from_triples": [r["triples"] for r in rows[-3:-1]], "triples": rows[-1]["triples"],
                                     "predicted_s": extrapolate(rows[-3], rows[-2], c, rows[-1]["triples"], 2)["wall_s"],
                                     "measured_s": rows[-1][f"{c}_spark"]["wall_s"]} for c in ("validate", "reason")}
    if len(rows) >= 2:
        result["extrapolation"] = {c: [extrapolate(rows[-2], rows[-1], c, 100_000_000, n) for n in EXECUTORS]
                                   for c in ("validate", "reason")}
    return result


def _cell(r: dict) -> str:
    p = r["peak_mib"]
    return (f"{r['wall_s']:.0f} s; {p['total']:,} MiB (bonemet {p['bonemet']:,}"
            + (f", JVM {p['jvm']:,}, workers {p['workers']:,}" if p["jvm"] else "") + ")")


def report_lines(s: dict) -> list[str]:
    """The Spark section of docs/benchmarks.md."""
    ok = lambda cond: "**met**" if cond else "**not met**"  # noqa: E731
    lines = ["", "## Spark engine (issue 19)", "",
             f"Measured {s['date']} by `scripts/bench_spark.py` (from `make bench`, or `scripts/bench.py --only "
             "spark`): each command once, in a fresh process, on a registry from `bonemet generate --seed 42 "
             f"--invalid-fraction 0.01`; Spark in local mode with {s['partitions']} partitions. Time is wall "
             "clock, start-up included; memory is the peak of the sum of resident sets over the command's "
             "processes, with each role's own peak (bonemet: the local engine or Spark's Python driver; JVM: "
             "Spark's driver and executors, which local mode runs as threads of one JVM; workers: the "
             "executors' Python processes). Targets (10M triples): <= 300 s and <= 8 GB in total.", "",
             "| triples | command | local engine | Spark, local[2] | same output | target |",
             "|---:|---|---|---|:---:|---|"]
    for r in s["rows"]:
        for command, local, same in (("validate", "validate_local", "same_report"),
                                     ("reason", "reason_local", "same_closure")):
            sp = r[f"{command}_spark"]
            target = ok(sp["wall_s"] <= TARGET_SECONDS and sp["peak_mib"]["total"] * 2**20 <= TARGET_BYTES) \
                if r is s["rows"][-1] else ""
            lines.append(f"| {r['triples']:,} | {command} | {_cell(r[local])} | {_cell(sp)} | "
                         f"{'yes' if r[same] else '**no**'} | {target} |")
    scaled = [r for r in s["rows"] if "validate_spark_1" in r]
    if scaled:
        r = scaled[0]
        lines += ["", f"**Scaling** ({r['triples']:,} triples, {s['partitions']} partitions): "
                  + "; ".join(f"{c}: local[1] {r[f'{c}_spark_1']['wall_s']:.0f} s, local[2] "
                              f"{r[f'{c}_spark']['wall_s']:.0f} s, speed-up "
                              f"{r[f'{c}_spark_1']['wall_s'] / r[f'{c}_spark']['wall_s']:.2f}x"
                              for c in ("validate", "reason")) + "."]
    big = s["rows"][-1]
    lines += ["", f"**Where the time goes** ({big['triples']:,} triples, local[2], seconds per phase, from "
              "`--metrics`): " + "; ".join(
                  f"{c}: " + ", ".join(f"{k} {v:.0f}" for k, v in big[f"{c}_metrics"]["phases"].items())
                  + f"; partitions' own load + run: {sum(p['load_s'] + p['run_s'] for p in big[f'{c}_metrics']['parts']):.0f}"
                  f" core-seconds, worker peak {max(p['worker_peak_mib'] for p in big[f'{c}_metrics']['parts']):,} MiB"
                  for c in ("validate", "reason")) + "."]
    if "extrapolation" in s:
        lines += ["", "**Extrapolation to 100M triples.** Each phase's time (from `--metrics`) is fitted as a fixed "
                  "part plus a per-triple part through the two largest runs; the per-triple part of the phases "
                  "that run on the executors (read and key, prepare, partitions: shuffle, load, run) was spread "
                  "over 2 cores here and is spread over the executors there; start-up and the merge on the driver "
                  "stay serial. Partitions keep the size they had at the largest run, so a Python worker needs "
                  "what it needed there; the driver's memory is fitted like the time."
                  + ("" if "model_check" not in s else " Model check, fitted on the two smaller runs: "
                     + "; ".join(f"{c} of {v['triples']:,} triples predicted {v['predicted_s']:.0f} s, measured "
                                 f"{v['measured_s']:.0f} s" for c, v in s["model_check"].items()) + ".")
                  + " Fitted the same way, the local engine would need "
                  + " and ".join(f"{rows[0]['local_engine_mib'] / 1024:.0f} GiB to {c}"
                                 for c, rows in s["extrapolation"].items())
                  + " 100M triples in one process, more than this machine's 23.5 GiB. The Spark driver "
                  "writes the closure one sorted partition at a time (docs/decisions/20261207-spark-engine.md).", "",
                  "| 100M triples | executors (1 core each) | partitions | wall time | Python worker | driver |",
                  "|---|---:|---:|---:|---:|---:|"]
        for c, rows in s["extrapolation"].items():
            for e in rows:
                lines.append(f"| {c} | {e['executors']} | {e['partitions']} | {e['wall_s'] / 60:.0f} min | "
                             f"{e['worker_mib']:,} MiB | {e['driver_mib']:,} MiB |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--patients", type=int, nargs="+", default=list(SIZES))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bonemet-bench-spark-") as tmp:
        result = measure(Path(tmp), args.patients, lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps(result, indent=2))
    print("\n".join(report_lines(result)))


if __name__ == "__main__":
    main()
