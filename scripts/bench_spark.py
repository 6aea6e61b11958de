#!/usr/bin/env python3
"""Benchmark: `bonemet validate` and `bonemet reason`, local engines against `--engine spark` (local[2]).

    scripts/bench_spark.py --patients 33000 100000 330000      # ~1M, 3M, 10M triples

Each size is generated (seed 1, 1% defective patients); each command runs once in a fresh process.
Peak memory is the largest sum of the resident sets of the command's whole process tree (for Spark:
the driver, the JVM and its Python workers), sampled every 0.2 s. The figures go to
docs/benchmarks/spark.json and spark.md (linked from docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "benchmarks"
BONEMET = [sys.executable, "-m", "bonemet.cli"]
SPARK = ["--engine", "spark", "--master", "local[2]", "--partitions", "8"]


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError):
                continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def run(cmd: list[str]) -> dict:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _out, err = proc.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {err.strip()[-500:]}")
    return {"wall_seconds": round(wall, 1), "peak_mb": round(peak[0] / 1e6), "exit": proc.returncode}


def measure(patients: int, work: Path) -> dict:
    data = work / f"registry-{patients}.nt"
    gen = subprocess.run(BONEMET + ["generate", "--patients", str(patients), "--seed", "1", "--invalid-fraction",
                                    "0.01", "--output", str(data)], capture_output=True, text=True, check=True)
    triples = json.loads(gen.stderr.strip().splitlines()[-1])["triples"]
    size = ["--max-size", "100000"]
    row = {"patients": patients, "triples": triples,
           "validate_sparql": run(BONEMET + ["validate", str(data), "--engine", "sparql", "--format", "json", *size]),
           "validate_spark": run(BONEMET + ["validate", str(data), *SPARK, "--format", "json", *size]),
           "reason_local": run(BONEMET + ["reason", str(data), "--output", str(work / "l.nt"), *size]),
           "reason_spark": run(BONEMET + ["reason", str(data), *SPARK, "--output", str(work / "s.nt"), *size])}
    row["same_closure"] = (work / "l.nt").read_bytes() == (work / "s.nt").read_bytes()
    data.unlink()
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--patients", type=int, nargs="+", default=[33_000, 100_000, 330_000])
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.patients:
            rows.append(measure(n, Path(tmp)))
            print(json.dumps(rows[-1]), flush=True)
    env = {"machine": f"{os.cpu_count()} cores, {platform.machine()}", "python": platform.python_version(),
           "spark": "local[2], 8 partitions", "date": time.strftime("%Y-%m-%d")}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "spark.json").write_text(json.dumps({"environment": env, "results": rows}, indent=2) + "\n")
    lines = ["# Spark engine benchmark", "",
             "`scripts/bench_spark.py`: generated registries (seed 1, 1% defective patients), each command once in a",
             "fresh process; peak memory is the largest sum of resident sets over the whole process tree.", "",
             "Environment: " + ", ".join(f"{k} {v}" for k, v in env.items()), "",
             "| triples | validate sparql | validate spark | reason local | reason spark | same closure |",
             "|---:|---:|---:|---:|---:|:---:|"]
    for r in rows:
        cells = [f"{r[k]['wall_seconds']} s, {r[k]['peak_mb']:,} MB"
                 for k in ("validate_sparql", "validate_spark", "reason_local", "reason_spark")]
        lines.append(f"| {r['triples']:,} | " + " | ".join(cells) + f" | {'yes' if r['same_closure'] else 'NO'} |")
    (OUT / "spark.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
