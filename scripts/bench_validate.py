#!/usr/bin/env python3
"""Benchmark: time and peak memory of `bonemet validate` on generated registries.

    scripts/bench_validate.py --patients 10000 100000

Each size is generated (seed 1, 1% defective patients), validated once in a fresh process,
and the figures are written to docs/benchmarks/validate.json and validate.md.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "benchmarks"
BONEMET = [sys.executable, "-m", "bonemet.cli"]


def measure(patients: int, workdir: Path) -> dict:
    data = workdir / f"registry-{patients}.nt"
    gen = subprocess.run(BONEMET + ["generate", "--patients", str(patients), "--seed", "1",
                                    "--invalid-fraction", "0.01", "--output", str(data)],
                         capture_output=True, text=True, check=True)
    counts = json.loads(gen.stderr.strip().splitlines()[-1])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(BONEMET + ["validate", str(data), "--format", "json", "--max-size", "100000"],
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"validate failed: {proc.stderr}")
    report = json.loads(proc.stdout)
    defects = sum(v for k, v in counts.items() if k.startswith("defect:"))
    return {
        "patients": patients, "triples": counts["triples"], "file_bytes": data.stat().st_size,
        "wall_seconds": round(wall, 1), "cpu_seconds": round(after.ru_utime + after.ru_stime
                                                             - before.ru_utime - before.ru_stime, 1),
        "peak_rss_mb": round(after.ru_maxrss / 1024),
        "violations": report["counts"]["violation"], "defective_patients": defects,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--patients", type=int, nargs="+", default=[1000, 10000, 100000])
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.patients:
            row = measure(n, Path(tmp))
            print(json.dumps(row), flush=True)
            results.append(row)
    env = {"machine": f"{os.cpu_count()} cores, {platform.machine()}", "python": platform.python_version(),
           "rdflib": version("rdflib"), "pyshacl": version("pyshacl"), "inference": "none",
           "date": time.strftime("%Y-%m-%d")}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "validate.json").write_text(json.dumps({"environment": env, "results": results}, indent=2) + "\n")
    lines = ["# Validation benchmark", "",
             "`scripts/bench_validate.py` generates registries with `bonemet generate` (seed 1, 1% defective",
             "patients) and times one `bonemet validate` run (default shapes, no inference) in a fresh process.",
             "Peak memory is the largest resident set of any child process.", "",
             "Environment: " + ", ".join(f"{k} {v}" for k, v in env.items()), "",
             "| patients | triples | file | wall time | CPU time | peak memory | violations found | defective patients |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['patients']:,} | {r['triples']:,} | {r['file_bytes'] / 1e6:.0f} MB | {r['wall_seconds']} s "
                     f"| {r['cpu_seconds']} s | {r['peak_rss_mb']:,} MB | {r['violations']} | {r['defective_patients']} |")
    (OUT / "validate.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
