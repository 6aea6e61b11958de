"""Shared fixtures: the project built once per test session into a temporary folder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph

from bonemet.build.pipeline import BuildResult, build
from bonemet.curate.catalog import load_catalog
from bonemet.curate.sources import sources_dir
from bonemet.project import checkout_root

ROOT = checkout_root()
assert ROOT is not None, "the tests run against a checkout (pip install -e .)"


def pytest_sessionstart(session):
    """Commands run in the checkout read its release (dist/): build it once, before any worker starts,
    when it is missing or older than the package version (make test builds it anyway)."""
    if hasattr(session.config, "workerinput"):
        return
    from bonemet import __version__

    report = ROOT / "dist" / "build-report.json"
    vocabulary = ROOT / "dist" / "bonemet-vocabulary.nt"
    if not (report.is_file() and vocabulary.is_file()
            and f"/releases/{__version__}/ontology" in vocabulary.read_text(encoding="utf-8")):
        build(ROOT)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> BuildResult:
    return build(ROOT, tmp_path_factory.mktemp("dist") / "dist")


@pytest.fixture(scope="session")
def union(built) -> Graph:
    g = Graph()
    g += built.asserted
    g += built.inferred
    g += built.derivations
    return g


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(ROOT)


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A scratch copy of the project's sources of truth, to break on purpose."""
    for folder in ("ontology", "mappings", "shapes"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def have_sources() -> bool:
    return sources_dir().is_dir()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The real `bonemet serve`, started on a free loopback port."""

    def __init__(self, dist, *args):
        # BONEMET_TEST_HTTP_SERVER=uvicorn|hypercorn runs the same tests against an alternative HTTP server
        # (docs/decisions/20261207-http-server.md); unset, the tests run against `bonemet serve` as shipped
        if os.environ.get("BONEMET_TEST_HTTP_SERVER"):
            args = (*args, "--http-server", os.environ["BONEMET_TEST_HTTP_SERVER"])
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "bonemet.cli", "serve", "--port", str(self.port),
                                      "--dist", str(dist), *args], stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).read()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read()) from None
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)

    def request(self, path="/sparql", *, params=None, data=None, headers=None, method=None):
        url = self.url + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
        req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, resp.headers, resp.read()   # names case-insensitive, as in HTTP
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read()




@pytest.fixture(scope="session")
def default_server(built):
    """`bonemet serve` with its default options, shared by the modules that need nothing else."""
    s = Server(built.out)
    yield s
    s.stop()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def browse(url: str, *extra: str) -> str:
    """The DOM headless Chromium builds for `url` (after its scripts ran), with `extra` flags
    (e.g. --screenshot=FILE, --log-net-log=FILE); a fresh profile, no background traffic."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--virtual-time-budget=15000", f"--user-data-dir={profile}", *extra, "--dump-dom", url]
        return subprocess.run(args, capture_output=True, text=True, timeout=120).stdout


def keep_for_review(shot: Path) -> None:
    """A copy of a test's screenshot in the project's dist/screenshots/, where reviewers look."""
    assert shot.stat().st_size > 10_000, shot          # a blank page is a few hundred bytes
    review = ROOT / "dist" / "screenshots"
    review.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, review / shot.name)

