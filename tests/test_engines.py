"""pyoxigraph (the default engine) must answer as rdflib (the reference) does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from bonemet.io import open_store
from bonemet.registry.generate import generate
from bonemet.sparql import run_compact, run_compact_oxigraph, same_answers
from conftest import ROOT

CQS = sorted((ROOT / "queries").glob("cq*.rq"))
MIX = sorted((ROOT / "queries" / "registry").glob("q*.rq"))


@pytest.fixture(scope="module")
def graph_files(built) -> list[Path]:
    return [built.out / "bonemet.nt", built.out / "bonemet-inferred.nt", built.out / "bonemet-derivations.nt"]


@pytest.fixture(scope="module")
def registry(graph_files, tmp_path_factory):
    path = tmp_path_factory.mktemp("registry") / "registry.nt"
    with open(path, "w", encoding="utf-8") as out:
        generate(out, patients=300, seed=5, invalid_fraction=0.05)
    g = Graph()
    for f in graph_files + [path]:
        g.parse(f, format="nt")
    return g, open_store(graph_files + [path])


@pytest.mark.parametrize("query", CQS, ids=lambda p: p.stem)
def test_competency_answers_equal(query, union, graph_files):
    store = open_store(graph_files)
    text = query.read_text(encoding="utf-8")
    ref_vars, ref_rows = run_compact(union, text)
    vars_, rows = run_compact_oxigraph(store, text)
    assert vars_ == ref_vars
    assert same_answers(rows, ref_rows)


def test_mix_has_eight_queries():
    assert len(MIX) == 8


@pytest.mark.parametrize("query", MIX, ids=lambda p: p.stem)
def test_registry_mix_answers_equal(query, registry):
    g, store = registry
    text = query.read_text(encoding="utf-8")
    ref_vars, ref_rows = run_compact(g, text)
    vars_, rows = run_compact_oxigraph(store, text)
    assert vars_ == ref_vars and ref_rows        # every query of the mix has answers
    assert same_answers(rows, ref_rows)


def test_query_command_takes_registry_files_and_both_engines(built, registry, tmp_path):
    data = tmp_path / "r.nt"
    with open(data, "w", encoding="utf-8") as out:
        generate(out, patients=50, seed=2)
    outputs = {}
    for engine in ("oxigraph", "rdflib"):
        run = subprocess.run([sys.executable, "-m", "bonemet.cli", "query", str(MIX[0]), "--dist", str(built.out),
                              "--data", str(data), "--engine", engine], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        outputs[engine] = [tuple(line.split("\t")) for line in run.stdout.splitlines()]
    assert outputs["oxigraph"][0] == ("?cancer", "?patients")
    assert same_answers(outputs["oxigraph"], outputs["rdflib"])


def test_query_command_names_a_bad_data_file(built, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "bonemet.cli", "query", str(MIX[0]), "--dist", str(built.out),
                          "--data", str(bad)], capture_output=True, text=True)
    assert run.returncode == 2 and "bad.ttl: not valid turtle" in run.stderr and "Traceback" not in run.stderr
