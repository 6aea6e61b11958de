"""`bonemet serve --data`: users' files served beside the published graph, by the real server."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bonemet.registry.generate import generate
from conftest import Server


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    nt = folder / "registry.nt"
    with open(nt, "w", encoding="utf-8") as out:
        counts = generate(out, patients=120, seed=3)
    ttl = folder / "extra.ttl"
    ttl.write_text("@prefix bonemet: <https://w3id.org/bonemet/> .\n@prefix ex: <http://example.org/> .\n"
                   "ex:extra a bonemet:Patient ; bonemet:pseudonym \"X1\" .\n", encoding="utf-8")
    return nt, ttl, counts


@pytest.fixture(scope="module", params=["memory", "disk"])
def server(built, registry, request):
    """Both places the workers can keep the data: their own memory, or Oxigraph's on-disk store."""
    nt, ttl, _counts = registry
    s = Server(built.out, "--data", str(nt), "--data", str(ttl), "--store", request.param)
    yield s
    s.stop()


def select(server, query: str) -> list[dict]:
    status, _headers, body = server.request(params={"query": query},
                                            headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
    return json.loads(body)["results"]["bindings"]


def test_data_files_are_queryable_with_the_graph(server, registry):
    _nt, _ttl, counts = registry
    rows = select(server, "PREFIX b: <https://w3id.org/bonemet/> SELECT (COUNT(?p) AS ?n) WHERE { ?p a b:Patient }")
    assert int(rows[0]["n"]["value"]) == counts["patients"] + 1
    # registry records joined with the published graph: sites that are part of the spine
    rows = select(server, """PREFIX b: <https://w3id.org/bonemet/> PREFIX e: <https://w3id.org/bonemet/entity/>
        SELECT (COUNT(*) AS ?n) WHERE { ?m b:site ?s . ?s b:partOf+ e:Spine }""")
    assert int(rows[0]["n"]["value"]) > 0


def test_data_sit_in_their_own_named_graph(server, registry):
    _nt, _ttl, counts = registry
    rows = select(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/bonemet/graph/data> { ?s ?p ?o } }")
    assert int(rows[0]["n"]["value"]) == counts["triples"] + 2
    rows = select(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/bonemet/graph/asserted> "
                          "{ ?s a <https://w3id.org/bonemet/Patient> } }")
    assert rows[0]["n"]["value"] == "0"


def test_void_describes_the_data_subset(server, registry):
    _nt, _ttl, counts = registry
    status, _h, body = server.request("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert status == 200
    lines = [line for line in body.decode().splitlines()
             if line.startswith("<https://w3id.org/bonemet/graph/data> <http://rdfs.org/ns/void#triples>")]
    assert lines and f'"{counts["triples"] + 2}"' in lines[0]


@pytest.mark.parametrize("content, name, message", [
    (b"<http://a> <http://b> .\n", "bad.nt", "bad.nt: not valid nt"),
    (b"@prefix ex: <http://example.org/> .\nex:a ex:b ", "bad.ttl", "bad.ttl: not valid turtle"),
])
def test_bad_data_file_is_refused_with_its_name(built, tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    run = subprocess.run([sys.executable, "-m", "bonemet.cli", "serve", "--port", "0", "--dist", str(built.out),
                          "--data", str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert message in run.stderr and "line" in run.stderr and "Traceback" not in run.stderr


def test_missing_data_file(built, tmp_path):
    run = subprocess.run([sys.executable, "-m", "bonemet.cli", "serve", "--dist", str(built.out),
                          "--data", str(tmp_path / "none.nt")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "no such file" in run.stderr
