"""The dumps: every format, parseable by an independent parser, same content, byte-identical rebuilds."""

import hashlib
import os
import shutil
import subprocess
import sys

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from bonemet.namespace import GRAPH

from conftest import ROOT

FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}
RAPPER_INPUT = {"ttl": "turtle", "nt": "ntriples", "rdf": "rdfxml", "trig": "trig"}
EXPECTED_FILES = sorted([f"bonemet.{s}" for s in FORMATS] + [f"bonemet-inferred.{s}" for s in FORMATS]
                        + ["bonemet.trig", "build-report.json"])


def test_dist_holds_every_output(built):
    assert sorted(p.name for p in built.out.iterdir()) == EXPECTED_FILES


@pytest.mark.parametrize("stem", ["bonemet", "bonemet-inferred"])
@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_each_format_holds_the_same_graph(built, stem, suffix):
    expected = built.asserted if stem == "bonemet" else built.inferred
    g = Graph().parse(built.out / f"{stem}.{suffix}", format=FORMATS[suffix])
    assert len(g) == len(expected)
    assert isomorphic(g, expected)


def test_trig_keeps_asserted_and_inferred_apart(built):
    ds = Dataset().parse(built.out / "bonemet.trig", format="trig")
    asserted, inferred = ds.graph(GRAPH.asserted), ds.graph(GRAPH.inferred)
    assert len(asserted) == len(built.asserted) and len(inferred) == len(built.inferred)
    assert not set(asserted) & set(inferred)


def test_no_blank_nodes_except_owl_axiom_lists(built):
    from rdflib import BNode
    # blank nodes may only stand for RDF lists and owl:AllDisjointClasses axioms of the ontology,
    # which the build labels by content hash so they never renumber
    for g in (built.asserted, built.inferred):
        for s, p, o in g:
            if isinstance(s, BNode):
                assert str(p).startswith(("http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                                          "http://www.w3.org/2002/07/owl#")), (s, p, o)


@pytest.mark.skipif(shutil.which("rapper") is None, reason="raptor2-utils not installed (make test installs it)")
@pytest.mark.parametrize("name", [n for n in EXPECTED_FILES if n.rsplit(".", 1)[1] in RAPPER_INPUT])
def test_rapper_parses_output(built, name):
    proc = subprocess.run(["rapper", "-c", "-i", RAPPER_INPUT[name.rsplit(".", 1)[1]], str(built.out / name)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "error" not in proc.stderr.lower(), proc.stderr


def build_in_subprocess(out, seed):
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    subprocess.run([sys.executable, "-m", "bonemet.cli", "build", "-q", "--out", str(out)],
                   cwd=ROOT, env=env, check=True)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}


def test_two_builds_are_byte_identical(tmp_path):
    first = build_in_subprocess(tmp_path / "one", 1)
    second = build_in_subprocess(tmp_path / "two", 2)
    assert first == second
    assert len(first) == len(EXPECTED_FILES)
