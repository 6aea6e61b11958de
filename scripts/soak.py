#!/usr/bin/env python3
"""A bounded soak of a running `bonemet serve`: normal queries, runaway queries, malformed requests
and slow clients at once, for a fixed time (issue 14).

    .venv/bin/python scripts/soak.py --url http://127.0.0.1:8000 --pid PID --seconds 600

Checks, and prints as JSON: every response well-formed (a status line, a body of the announced
length, JSON that parses for answered queries); runaway queries cut at the time limit (503) while
the others are answered; the server's process tree as large at the end as after warm-up (no leaked
or lost query worker); its memory (PSS summed over the tree) within `--memory-bound-mib` of the
warm-up level. Used by tests/test_soak.py (30 s) and `make bench` (10 minutes).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MALFORMED = [
    b"GET /sparql?query=SELECT HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"\x16\x03\x01garbage\r\n\r\n",
    b"GET /entity/Fe\x00mur HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-update\r\nConnection: close\r\n"
    b"Content-Length: 35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 600_000 + b"\r\n\r\n",
    b"BREW /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
]


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            kids = [int(p) for p in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]
        except OSError:
            kids = []
        out += kids
        todo += kids
    return out


def pss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


class Soak:
    def __init__(self, url: str, pid: int, query_timeout: float):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.pid, self.query_timeout = parts.hostname or "127.0.0.1", parts.port or 80, pid, query_timeout
        self.queries = [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("queries/*.rq"))]
        self.counts: dict[str, int] = {}
        self.problems: list[str] = []
        self.lock = threading.Lock()
        self.stop_at = 0.0

    def count(self, key: str) -> None:
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1

    def problem(self, text: str) -> None:
        with self.lock:
            if len(self.problems) < 20:
                self.problems.append(text)

    def running(self) -> bool:
        return time.monotonic() < self.stop_at

    def normal(self, k: int) -> None:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        i = k
        while self.running():
            try:
                conn.request("POST", "/sparql", body=self.queries[i % len(self.queries)].encode(),
                             headers={"Content-Type": "application/sparql-query",
                                      "Accept": "application/sparql-results+json"})
                resp = conn.getresponse()
                body = resp.read()
                if resp.status == 200:
                    json.loads(body)
                    self.count("answered")
                elif resp.status == 503:
                    self.count("busy (503)")       # both workers held by runaways: allowed, announced
                else:
                    self.problem(f"normal query {i % len(self.queries)}: {resp.status} {body[:100]!r}")
            except (OSError, http.client.HTTPException, ValueError) as exc:
                self.problem(f"normal query: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            i += 1
        conn.close()

    def runaway(self) -> None:
        while self.running():
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.query_timeout + 30)
            start = time.monotonic()
            try:
                conn.request("POST", "/sparql", body=RUNAWAY.encode(), headers={"Content-Type": "application/sparql-query"})
                resp = conn.getresponse()
                resp.read()
                took = time.monotonic() - start
                if resp.status != 503 or took > self.query_timeout + 5:
                    self.problem(f"runaway: {resp.status} after {took:.1f} s")
                else:
                    self.count("runaway cut (503)")
            except (OSError, http.client.HTTPException) as exc:
                self.problem(f"runaway: {exc!r}")
            finally:
                conn.close()
            time.sleep(0.5)

    def malformed(self) -> None:
        i = 0
        while self.running():
            raw = MALFORMED[i % len(MALFORMED)]
            try:
                with socket.create_connection((self.host, self.port), timeout=10) as sock:
                    sock.sendall(raw)          # each request ends its connection (Connection: close, or refused)
                    data = b""
                    while chunk := sock.recv(65536):
                        data += chunk
                status_line = data.split(b"\r\n", 1)[0].split()
                if len(status_line) < 2 or status_line[0] != b"HTTP/1.1" or not 400 <= int(status_line[1]) < 600:
                    self.problem(f"malformed {i % len(MALFORMED)}: {data[:80]!r}")
                elif data.count(b"HTTP/1.1 ") != 1:
                    self.problem(f"malformed {i % len(MALFORMED)}: {data.count(b'HTTP/1.1 ')} responses")
                else:
                    self.count("malformed refused")
            except (OSError, ValueError) as exc:
                self.problem(f"malformed {i % len(MALFORMED)}: {exc!r}")
            i += 1
            time.sleep(0.05)

    def slow(self, n: int = 32) -> None:
        socks: list[socket.socket] = []
        while self.running():
            while len(socks) < n:
                try:
                    s = socket.create_connection((self.host, self.port), timeout=1)
                    s.sendall(b"GET /sparql?query=ASK")
                    socks.append(s)
                except OSError as exc:
                    self.problem(f"slow client could not connect: {exc!r}")
                    break
            for s in list(socks):
                try:
                    s.sendall(b"%7B")
                except OSError:                    # dropped at the header time-out, as it should be
                    socks.remove(s)
                    s.close()
                    self.count("slow client dropped")
            time.sleep(0.5)
        for s in socks:
            s.close()

    def run(self, seconds: float, memory_bound_mib: float, warmup: float = 5.0) -> dict:
        self.stop_at = time.monotonic() + warmup + seconds
        threads = [threading.Thread(target=self.normal, args=(k,)) for k in range(3)]
        threads += [threading.Thread(target=f) for f in (self.runaway, self.malformed, self.slow)]
        for t in threads:
            t.start()
        time.sleep(warmup)
        tree_start = len(descendants(self.pid))
        mem_start = mem_peak = pss([self.pid, *descendants(self.pid)])
        while any(t.is_alive() for t in threads):
            mem_peak = max(mem_peak, pss([self.pid, *descendants(self.pid)]))
            time.sleep(1)
        time.sleep(self.query_timeout + 1)             # a worker killed last is replaced by now
        tree_end = len(descendants(self.pid))
        mem_end = pss([self.pid, *descendants(self.pid)])
        if tree_end != tree_start:
            self.problem(f"processes: {tree_start} after warm-up, {tree_end} at the end")
        if mem_end - mem_start > memory_bound_mib * 2**20:
            self.problem(f"memory grew by {(mem_end - mem_start) / 2**20:.0f} MiB (bound {memory_bound_mib} MiB)")
        return {"seconds": seconds, "counts": self.counts, "problems": self.problems,
                "processes": [tree_start, tree_end], "pss_mib": {"after_warmup": mem_start / 2**20,
                                                                   "peak": mem_peak / 2**20, "end": mem_end / 2**20},
                "memory_bound_mib": memory_bound_mib}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--pid", type=int, required=True, help="the server's process id")
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--query-timeout", type=float, default=1.0, help="the server's --query-timeout")
    ap.add_argument("--memory-bound-mib", type=float, default=100)
    args = ap.parse_args()
    result = Soak(args.url, args.pid, args.query_timeout).run(args.seconds, args.memory_bound_mib)
    print(json.dumps(result, indent=2))
    raise SystemExit(1 if result["problems"] else 0)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
