#!/usr/bin/env python3
"""Entity pages at registry scale (issue 15): the breast-cancer page with a large registry loaded.

    .venv/bin/python scripts/bench_pages.py REGISTRY.nt [--requests 50]

Starts `bonemet serve --data REGISTRY` once per store (disk, as `--store auto` picks for a file this size,
and memory), then asks each page `--requests` times in a row over one keep-alive connection, as a browser
would, without compression, and reports the size of the HTML and the time from sending the request to the
last byte: first request after start-up, median, 95th percentile and maximum. Target: the breast-cancer page
under 100 kB and 200 ms.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BONEMET = [sys.executable, "-m", "bonemet.cli"]
CANCER_TYPE = "https://w3id.org/bonemet/cancerType"
PAGES = {
    "breast-cancer page": "/entity/BreastCancer",
    "femur page": "/entity/Femur",
    "source 002 page": "/source/002",
    "breast cancer, list page 50": f"/entity/BreastCancer?links={CANCER_TYPE}&page=50",
}


ROOT = Path(__file__).resolve().parents[1]
BEFORE = "a04303d"   # the last commit whose pages listed every triple both ways in one table


def measure(port: int, path: str, requests: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    times, size, body = [], 0, b""
    for _ in range(requests + 1):
        start = time.perf_counter()
        conn.request("GET", path, headers={"Accept": "text/html"})
        response = conn.getresponse()
        body = response.read()
        times.append(time.perf_counter() - start)
        if response.status != 200:
            raise SystemExit(f"bench_pages: {path} answered {response.status}")
        size = len(body)
    conn.close()
    later = sorted(times[1:])
    return {"bytes": size, "gzip_bytes": len(gzip.compress(body, 5)), "first_ms": times[0] * 1000,
            "median_ms": statistics.median(later) * 1000, "p95_ms": later[int(0.95 * (len(later) - 1))] * 1000,
            "max_ms": later[-1] * 1000, "requests": requests, "lines": body.count(b"\n")}


def measure_server(registry: Path, store: str, pages: dict[str, str], requests: int, src: Path | None = None) -> dict:
    """`bonemet serve` of this checkout, or of the package sources in `src` (the same dist/ either way),
    and the figures of each page."""
    from bench import Server, free_port  # bench imports this module: not at its top

    port = free_port()
    env = os.environ | ({"PYTHONPATH": str(src), "BONEMET_PROJECT": str(ROOT)} if src else {})
    server = Server(BONEMET + ["serve", "--port", str(port), "--data", str(registry), "--store", store,
                               "--dist", str(ROOT / "dist")], f"http://127.0.0.1:{port}/sparql", env=env)
    try:
        return {name: measure(port, path, requests) for name, path in pages.items()}
    finally:
        server.stop()


def bench(registry: Path, requests: int = 50, stores: tuple[str, ...] = ("disk", "memory")) -> dict:
    """Each store, then the breast-cancer page as the server of commit BEFORE made it (same data, same client)."""
    out: dict = {"registry": str(registry.name), "stores": {}, "before": None}
    for store in stores:
        out["stores"][store] = measure_server(registry, store, PAGES, requests)
    with tempfile.TemporaryDirectory(prefix="bonemet-before-") as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", BEFORE, "src/bonemet"], capture_output=True)
        if archive.returncode == 0:     # not in a git checkout with history: no "before" figure
            subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
            out["before"] = {"commit": BEFORE, "store": stores[0], **measure_server(
                registry, stores[0], {"breast-cancer page": PAGES["breast-cancer page"]}, requests, Path(tmp) / "src")}
    return out


def report_lines(pages: dict, patients: int) -> list[str]:
    """The rows of docs/benchmarks.md's table, and a note."""
    def ok(cond: bool) -> str:
        return "**met**" if cond else "**not met**"

    before = pages["before"] and pages["before"]["breast-cancer page"]
    baseline = (f"{before['bytes'] / 1000:,.0f} kB, {before['median_ms']:,.0f} ms median (the page of commit "
                f"{pages['before']['commit']}, {pages['before']['store']} store)" if before else "")
    rows = []
    for store, figures in pages["stores"].items():
        p = figures["breast-cancer page"]
        gain = f"{before['bytes'] / p['bytes']:.0f}x smaller" if before else ""
        met = p["bytes"] < 100_000 and max(p["p95_ms"], p["first_ms"]) < 200
        rows.append(f"| breast-cancer page, {patients:,}-patient registry loaded ({store} store) | "
                    f"{p['bytes'] / 1000:.0f} kB, {p['median_ms']:.0f} ms median ({p['p95_ms']:.0f} ms p95, "
                    f"{p['first_ms']:.0f} ms first) | {baseline} | {gain} | < 100 kB, < 200 ms | {ok(met)} |")
    requests = next(iter(pages["stores"].values()))["breast-cancer page"]["requests"]
    note = ("- **Entity pages**: `scripts/bench_pages.py` starts `bonemet serve --data` with the "
            f"{patients:,}-patient registry, once per store, and asks each page {requests} times over one "
            "keep-alive connection (HTML, uncompressed; time to the last byte, client side). The baseline is the "
            "same page served by the package sources of the commit before issue 15's pages (every triple both "
            "ways in one table), same dist/, same registry, same client, in the same run. Figures (size; first "
            "request, median, p95, max): "
            + "; ".join(f"{store} store: " + ", ".join(
                f"{name} {f['bytes'] / 1000:.0f} kB ({f['gzip_bytes'] / 1000:.0f} kB gzipped), "
                f"{f['first_ms']:.0f} / {f['median_ms']:.0f} / {f['p95_ms']:.0f} / {f['max_ms']:.0f} ms"
                for name, f in figures.items()) for store, figures in pages["stores"].items()) + ".")
    return rows + [note]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("registry", type=Path)
    ap.add_argument("--requests", type=int, default=50)
    args = ap.parse_args()
    print(json.dumps(bench(args.registry, args.requests), indent=2))


if __name__ == "__main__":
    main()
