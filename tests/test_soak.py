"""A 30-second soak of the real server: normal, runaway, malformed and slow clients at once (issue 14).

`make bench` runs the same soak (scripts/soak.py) for ten minutes."""

import sys

from conftest import ROOT, Server

sys.path.insert(0, str(ROOT / "scripts"))
from soak import Soak  # noqa: E402


def test_soak_30_seconds(built):
    server = Server(built.out, "--query-timeout", "1", "--header-timeout", "2")
    try:
        result = Soak(server.url, server.proc.pid, query_timeout=1.0).run(30, memory_bound_mib=100)
    finally:
        server.stop()
    assert result["problems"] == []
    counts = result["counts"]
    assert counts.get("answered", 0) > 100 and counts.get("runaway cut (503)", 0) >= 5
    assert counts.get("malformed refused", 0) > 50 and counts.get("slow client dropped", 0) >= 32
    assert result["processes"][0] == result["processes"][1] >= 3    # the loader and the query workers
