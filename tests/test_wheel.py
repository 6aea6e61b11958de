"""bonemet as a user gets it: a wheel built from a clean copy of the repository, installed into a new
virtualenv, used from an empty folder (no checkout, no dist/ anywhere near), server included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph, URIRef

from bonemet import __version__
from conftest import ROOT, free_port
from test_outputs import clean_copy
from test_publish import ASSERTED, INFERRED, SHAPES, Store


class Installed:
    def __init__(self, venv: Path, workdir: Path, copy: Path):
        self.venv, self.workdir, self.copy = venv, workdir, copy
        self.bonemet = venv / "bin" / "bonemet"

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        # the environment a user has: no PYTHONPATH into the checkout, no project or sources override
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BONEMET_PROJECT", "BONEMET_SOURCES")}
        proc = subprocess.run([str(self.bonemet), *args], cwd=self.workdir, env=env, capture_output=True, text=True,
                              timeout=timeout)
        assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
        return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    copy = clean_copy(base / "clone")
    # this environment's setuptools and dependencies build it (setup.py runs `bonemet build` from the copy)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(base / "wheels"), str(copy)], check=True, timeout=600,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    wheels = list((base / "wheels").glob("bonemet-*.whl"))
    assert len(wheels) == 1 and wheels[0].name == f"bonemet-{__version__}-py3-none-any.whl"
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheels[0])], check=True, timeout=600)
    (base / "empty").mkdir()
    return Installed(venv, base / "empty", copy)


def test_the_package_is_installed_not_the_checkout(installed):
    proc = subprocess.run([str(installed.venv / "bin" / "python"), "-c",
                           "import bonemet.project as p; print(p.__file__); print(p.current())"],
                          cwd=installed.workdir, capture_output=True, text=True, check=True)
    module, project = proc.stdout.splitlines()
    assert module.startswith(str(installed.venv)) and "checkout=False" in project
    assert installed.run("--version").stdout.strip() == f"bonemet, version {__version__}"


BROKEN = '@prefix ex: <http://example.org/> .\nex:a ex:b "unterminated .\n'


@pytest.mark.parametrize("name, code", [("shapes/valid/records.ttl", 0), ("validate/two-mistakes.ttl", 1),
                                        ("broken.ttl", 2)])
def test_validate_exit_codes(installed, name, code):
    source = ROOT / "tests" / "data" / name
    if code == 2:
        source = installed.workdir / name
        source.write_text(BROKEN, encoding="utf-8")
    proc = installed.run("validate", str(source), "--format", "json")
    assert proc.returncode == code, proc.stderr
    if code == 2:
        assert proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1
        assert proc.stderr.startswith("bonemet validate: error: ") and "line 2" in proc.stderr
    else:
        assert proc.stderr == "" and json.loads(proc.stdout)["conforms"] is (code == 0)


def test_validate_missing_file_is_one_line(installed):
    proc = installed.run("validate", "no-such-file.ttl")
    assert proc.returncode == 2 and proc.stderr.strip() == "bonemet validate: error: no-such-file.ttl: no such file"


def test_query_answers_as_in_the_checkout(installed):
    query = ROOT / "queries" / "cq01-cancers-to-spine.rq"
    proc = installed.run("query", str(query))
    assert proc.returncode == 0, proc.stderr
    expected = (ROOT / "queries" / "cq01-cancers-to-spine.tsv").read_text(encoding="utf-8")
    assert proc.stdout == expected


def test_generate_then_reason(installed):
    registry = installed.workdir / "registry.nt"
    assert installed.run("generate", "--patients", "20", "--output", str(registry)).returncode == 0
    proc = installed.run("reason", str(registry), "--output", str(installed.workdir / "inferred.nt"))
    assert proc.returncode == 0, proc.stderr
    assert (installed.workdir / "inferred.nt").read_text(encoding="utf-8").count("\n") > 100


def test_annotate_uses_the_packaged_lexicon(installed):
    text = installed.workdir / "note.txt"
    text.write_text("Breast cancer most often metastasizes to the thoracic spine.\n", encoding="utf-8")
    proc = installed.run("annotate", str(text), "--min-confidence", "0")
    assert proc.returncode == 0, proc.stderr
    assert "BreastCancer" in proc.stdout and "ThoracicSpine" in proc.stdout


def test_publish_the_packaged_release_into_a_store(installed, tmp_path):
    """`bonemet publish` from the wheel loads the packaged release into a real Oxigraph server."""
    store = Store(tmp_path / "store")
    try:
        proc = installed.run("publish", "--to", store.url + "/store", "--retries", "0")
        assert proc.returncode == 0, proc.stderr
        report = json.loads((ROOT / "dist" / "build-report.json").read_text(encoding="utf-8"))
        assert store.count(ASSERTED) == report["asserted_triples"] and store.count(INFERRED) == report["inferred_triples"]
        assert store.count(SHAPES) > 100
    finally:
        store.stop()


def test_curation_commands_need_a_checkout(installed):
    for command in ("build", "check"):
        proc = installed.run(command)
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
        assert "works on a checkout of the bonemet repository" in proc.stderr
    proc = installed.run("check", "--project", str(installed.copy))
    assert proc.returncode == 0 and proc.stdout.strip().endswith("0 problems"), proc.stdout + proc.stderr


def test_serve_every_route_from_the_package(installed):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.Popen([str(installed.bonemet), "serve", "--port", str(port)], cwd=installed.workdir, env=env,
                            stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, proc)

        def get(path: str, accept: str = "text/html") -> tuple[int, str, bytes]:
            req = urllib.request.Request(url + path, headers={"Accept": accept})
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, resp.headers["Content-Type"], resp.read()

        status, _, body = get("/")
        assert status == 200 and f"bonemet {__version__}".encode() in body
        count = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        status, ctype, body = get("/sparql?" + count, "application/sparql-results+json")
        report = json.loads((ROOT / "dist" / "build-report.json").read_text(encoding="utf-8"))
        n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
        assert n == report["asserted_triples"] + report["inferred_triples"] + report["derivation_triples"]
        status, _, body = get("/entity/Femur")
        assert status == 200 and b"<h1>femur</h1>" in body
        status, _, body = get("/search?q=thigh")
        assert status == 200 and b'href="' + url.encode() + b'/entity/Femur"' in body
        status, ctype, body = get("/ontology", "text/turtle")
        onto, g = URIRef("https://w3id.org/bonemet/ontology"), Graph().parse(data=body, format="turtle")
        assert status == 200 and ctype.startswith("text/turtle") and (onto, RDF.type, OWL.Ontology) in g
        assert str(g.value(onto, OWL.versionInfo)) == __version__   # one version: package, ontology, VoID
        assert get("/ontology")[0] == 200 and get("/query")[0] == 200 and get("/editor")[0] == 200
        status, ctype, body = get("/static/yasgui/yasgui.min.js")     # the editor ships inside the wheel
        assert status == 200 and body == (ROOT / "src/bonemet/serve/static/yasgui/yasgui.min.js").read_bytes()
        status, ctype, body = get("/.well-known/void", "text/turtle")
        assert status == 200 and f'"{__version__}"'.encode() in body
        status, _, body = get("/shapes/", "text/turtle")
        assert status == 200 and b"KnownTerms" in body
        status, ctype, body = get("/dumps/bonemet.ttl")
        assert status == 200 and body == (ROOT / "dist" / "bonemet.ttl").read_bytes()
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=30)
    assert "Traceback" not in err


def _wait(url: str, proc: subprocess.Popen) -> None:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=2).read()
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read() if proc.stderr else "server exited") from None
            time.sleep(0.2)
    raise RuntimeError("the installed server did not start")


def test_the_checkout_was_not_written_to(installed):
    """The wheel was built from a copy: the checkout keeps no build output of it."""
    assert not (ROOT / "src" / "bonemet" / "data").exists()
    assert (installed.copy / "pyproject.toml").is_file() and not (installed.copy / "src" / "bonemet" / "data").exists()
