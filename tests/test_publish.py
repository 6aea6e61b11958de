"""`bonemet publish` and `bonemet serve --backend` against a real Oxigraph server.

Failures the store itself will not produce on demand (401, 5xx mid-upload, slowness) come
from a small fault-injecting HTTP proxy placed in front of the real store.
"""

from __future__ import annotations

import base64
import http.client
import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import URIRef

from bonemet.sparql import compact, run_compact, same_answers
from conftest import ROOT, Server, free_port

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
ASSERTED, INFERRED, DERIVATIONS, SHAPES = (f"https://w3id.org/bonemet/graph/{n}"
                                           for n in ("asserted", "inferred", "derivations", "shapes"))
CQS = sorted((ROOT / "queries").glob("cq*.rq"))


class Store:
    """`oxigraph serve` on a free loopback port, with its own data folder."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([str(OXIGRAPH), "serve", "--location", str(folder), "--bind",
                                      f"127.0.0.1:{self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(300):
            try:
                urllib.request.urlopen(self.url + "/query?query=ASK%7B%7D", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("oxigraph did not start")

    def count(self, graph: str) -> int:
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        req = urllib.request.Request(self.url + "/query", data=q.encode(), headers={
            "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        return int(json.loads(urllib.request.urlopen(req).read())["results"]["bindings"][0]["n"]["value"])

    def ask(self, pattern: str) -> bool:
        req = urllib.request.Request(self.url + "/query", data=f"ASK {{ {pattern} }}".encode(), headers={
            "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        return json.loads(urllib.request.urlopen(req).read())["boolean"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class FaultyProxy:
    """Forwards to the store; can demand Basic auth, fail PUTs of one graph, or stall requests."""

    def __init__(self, target: str):
        self.target = urllib.parse.urlsplit(target)
        self.password: str | None = None
        self.fail_graph: str | None = None
        self.failures_left = 0
        self.stall_seconds = 0.0
        self.stalls_left = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    out = b""
                    while True:
                        size = int(self.rfile.readline().strip(), 16)
                        if size == 0:
                            self.rfile.readline()
                            return out
                        out += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _reply(self, status: int, body: bytes, ctype="text/plain") -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _forward(self) -> None:
                body = self._body()
                if proxy.password and self.headers.get("Authorization") != "Basic " + base64.b64encode(
                        proxy.password.encode()).decode():
                    return self._reply(401, b"authentication required")
                if proxy.stalls_left > 0:
                    proxy.stalls_left -= 1
                    time.sleep(proxy.stall_seconds)
                if (self.command == "PUT" and proxy.fail_graph and proxy.failures_left > 0
                        and urllib.parse.quote(proxy.fail_graph, safe="") in self.path):
                    proxy.failures_left -= 1
                    return self._reply(503, b"store overloaded")
                conn = http.client.HTTPConnection(proxy.target.hostname, proxy.target.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                try:
                    self._reply(resp.status, data, resp.getheader("Content-Type") or "text/plain")
                except OSError:
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.handle_error = lambda *_args: None   # a client giving up on a stalled request is expected
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "oxigraph")
    yield s
    s.stop()


def publish(to: str, dist: Path, *args, sparql: str | None = None):
    cmd = [sys.executable, "-m", "bonemet.cli", "publish", "--to", to, "--dist", str(dist), *args]
    if sparql:
        cmd += ["--sparql", sparql]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def local_count(path: Path) -> int:
    import pyoxigraph as ox
    s = ox.Store()
    s.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return len(s)


def test_publish_verifies_and_republish_replaces(store, built, tmp_path):
    run = publish(store.url + "/store", built.out)
    assert run.returncode == 0, run.stderr
    assert store.count(ASSERTED) == local_count(built.out / "bonemet.nt") > 10_000
    assert store.count(INFERRED) == local_count(built.out / "bonemet-inferred.nt") > 1_000
    assert store.count(DERIVATIONS) == local_count(built.out / "bonemet-derivations.nt") > 10_000
    assert store.count(SHAPES) > 500
    assert "(verified)" in run.stdout and len(run.stdout.splitlines()) == 4
    # a changed build: drop every triple about the femur, publish again, the old triples are gone
    changed = tmp_path / "dist"
    shutil.copytree(built.out, changed)
    femur = "<https://w3id.org/bonemet/entity/Femur>"
    lines = (changed / "bonemet.nt").read_text(encoding="utf-8").splitlines(keepends=True)
    (changed / "bonemet.nt").write_text("".join(line for line in lines if not line.startswith(femur)), encoding="utf-8")
    assert store.ask(f"GRAPH <{ASSERTED}> {{ {femur} ?p ?o }}")
    run = publish(store.url + "/store", changed)
    assert run.returncode == 0, run.stderr
    assert not store.ask(f"GRAPH <{ASSERTED}> {{ {femur} ?p ?o }}")
    assert store.count(ASSERTED) == local_count(changed / "bonemet.nt")


def test_serve_backend_answers_like_the_embedded_store(store, built, union):
    assert publish(store.url + "/store", built.out).returncode == 0
    server = Server(built.out, "--backend", store.url + "/query")
    try:
        for cq in CQS:
            text = cq.read_text(encoding="utf-8")
            status, _h, body = server.request(params={"query": text},
                                              headers={"Accept": "application/sparql-results+json"})
            assert status == 200, (cq.name, body)
            doc = json.loads(body)
            variables = doc["head"]["vars"]
            rows = [tuple(compact(URIRef(b[v]["value"])) if b.get(v, {}).get("type") == "uri"
                          else b.get(v, {}).get("value", "") for v in variables) for b in doc["results"]["bindings"]]
            ref_vars, ref_rows = run_compact(union, text)
            assert variables == ref_vars and same_answers(rows, ref_rows), cq.name
        status, _h, page = server.request("/entity/Femur", headers={"Accept": "text/html"})
        assert status == 200 and b"femur" in page.lower()
        status, _h, void = server.request("/.well-known/void", headers={"Accept": "application/n-triples"})
        assert status == 200 and f'"{store.count(ASSERTED)}"'.encode() in void
        status, _h, dump = server.request("/dumps/bonemet-inferred.nt")
        assert status == 200 and len(dump.splitlines()) == store.count(INFERRED)
        status, _h, home = server.request("/")
        assert status == 200 and b"sourced statements per source" in home
    finally:
        server.stop()


def test_unreachable_store(built):
    port = free_port()
    run = publish(f"http://127.0.0.1:{port}/store", built.out, "--retries", "1", "--timeout", "2")
    assert run.returncode == 3, run.stderr
    assert "retrying" in run.stderr and "Traceback" not in run.stderr
    assert "not replaced" in run.stderr      # says what state the store is in


def test_wrong_url_is_refused_without_retries(store, built):
    run = publish(store.url + "/nothing-here", built.out, sparql=store.url + "/query")
    assert run.returncode == 4, run.stderr
    assert "retrying" not in run.stderr and "error:" in run.stderr


def test_credentials(store, built):
    proxy = FaultyProxy(store.url)
    proxy.password = "curator:secret"
    try:
        run = publish(proxy.url + "/store", built.out, "--retries", "0")
        assert run.returncode == 4 and "credentials" in run.stderr
        run = publish(proxy.url + "/store", built.out, "--auth", "curator:wrong", "--retries", "0")
        assert run.returncode == 4
        run = publish(proxy.url + "/store", built.out, "--auth", "curator:secret")
        assert run.returncode == 0, run.stderr
    finally:
        proxy.stop()


def test_5xx_mid_upload_is_retried_then_reported_with_the_store_state(store, built):
    assert publish(store.url + "/store", built.out).returncode == 0
    before = store.count(INFERRED)
    proxy = FaultyProxy(store.url)
    try:
        proxy.fail_graph, proxy.failures_left = INFERRED, 1         # one transient failure: retried
        run = publish(proxy.url + "/store", built.out, "--retries", "2")
        assert run.returncode == 0, run.stderr
        assert "503" in run.stderr and "retrying" in run.stderr
        proxy.fail_graph, proxy.failures_left = INFERRED, 99        # keeps failing: stop and say what is where
        run = publish(proxy.url + "/store", built.out, "--retries", "1")
        assert run.returncode == 5
        assert f"{ASSERTED}: replaced" in run.stderr and f"{INFERRED}: not replaced" in run.stderr
        assert f"{SHAPES}: not attempted" in run.stderr
        assert store.count(INFERRED) == before                      # the previous version is still queryable
    finally:
        proxy.stop()


def test_store_timeout_is_retried(store, built):
    proxy = FaultyProxy(store.url)
    try:
        # the time-out leaves the store time to load a graph on a busy machine; the stall outlasts it
        proxy.stall_seconds, proxy.stalls_left = 6, 1
        run = publish(proxy.url + "/store", built.out, "--timeout", "4", "--retries", "2")
        assert run.returncode == 0, run.stderr
        assert "timed out" in run.stderr.lower() or "timeout" in run.stderr.lower()
        proxy.stall_seconds, proxy.stalls_left = 6, 99
        run = publish(proxy.url + "/store", built.out, "--timeout", "4", "--retries", "1")
        assert run.returncode == 3 and "Traceback" not in run.stderr
    finally:
        proxy.stop()


def test_backend_unreachable_is_a_clear_error(built):
    run = subprocess.run([sys.executable, "-m", "bonemet.cli", "serve", "--port", "0",
                          "--backend", f"http://127.0.0.1:{free_port()}/query"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "cannot" in run.stderr and "Traceback" not in run.stderr


def test_no_build_and_bad_url_are_usage_errors(tmp_path, built):
    run = publish("http://127.0.0.1:1/store", tmp_path / "no-dist")
    assert run.returncode == 2 and "run `bonemet build` first" in run.stderr
    run = publish("ftp://example.org/store", built.out)
    assert run.returncode == 2 and "not an http(s) URL" in run.stderr and "Traceback" not in run.stderr
