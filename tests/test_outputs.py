"""The dumps: every format, parseable by an independent parser, same content, byte-identical rebuilds."""

import os
import shutil
import subprocess
import sys

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from bonemet.namespaces import GRAPH
from conftest import ROOT

FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}
RAPPER_INPUT = {"ttl": "turtle", "nt": "ntriples", "rdf": "rdfxml", "trig": "trig"}
STEMS = ["bonemet", "bonemet-inferred", "bonemet-derivations"]
EXPECTED_FILES = sorted([f"{stem}.{s}" for stem in STEMS for s in FORMATS]
                        + ["bonemet.trig", "bonemet-vocabulary.nt", "build-report.json", "sparql-examples.ttl"])


def test_dist_holds_every_output(built):
    assert sorted(p.name for p in built.out.iterdir()) == EXPECTED_FILES


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_each_format_holds_the_same_graph(built, stem, suffix):
    expected = {"bonemet": built.asserted, "bonemet-inferred": built.inferred,
                "bonemet-derivations": built.derivations}[stem]
    g = Graph().parse(built.out / f"{stem}.{suffix}", format=FORMATS[suffix])
    assert len(g) == len(expected)
    assert isomorphic(g, expected)


def test_trig_keeps_asserted_inferred_and_derivations_apart(built):
    ds = Dataset().parse(built.out / "bonemet.trig", format="trig")
    asserted, inferred, why = ds.graph(GRAPH.asserted), ds.graph(GRAPH.inferred), ds.graph(GRAPH.derivations)
    assert len(asserted) == len(built.asserted) and len(inferred) == len(built.inferred)
    assert isomorphic(asserted, built.asserted) and isomorphic(inferred, built.inferred)
    assert isomorphic(why, built.derivations) and len(why) > 20_000
    assert not set(asserted) & set(inferred) and not (set(asserted) | set(inferred)) & set(why)


def test_no_blank_nodes_except_owl_axiom_lists(built):
    from rdflib import BNode
    # blank nodes may only stand for RDF lists and owl:AllDisjointClasses axioms of the ontology,
    # which the build labels by content hash so they never renumber
    for g in (built.asserted, built.inferred, built.derivations):
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


SEEDS = (0, 1, 2, 3, 4, 5)   # 0 disables hash randomization; the others each shuffle set and dict order differently


def clean_copy(target):
    """The files git tracks (and new ones it would), as a fresh clone has them, without dist/ or caches."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def start_build(out, seed, project=ROOT):
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    return subprocess.Popen([sys.executable, "-m", "bonemet.cli", "build", "-q", "--project", str(project),
                             "--out", str(out)], cwd=project, env=env, stderr=subprocess.PIPE, text=True)


def test_builds_are_byte_identical_across_hash_seeds_and_a_fresh_copy(tmp_path):
    """Every file of dist/, compared whole, from builds under six hash seeds and one of a clean copy."""
    copy = clean_copy(tmp_path / "clone")
    runs = {f"seed {seed}": (tmp_path / f"seed{seed}", seed, ROOT) for seed in SEEDS}
    runs["fresh copy"] = (tmp_path / "fresh", 7, copy)
    outputs = {}
    names = list(runs)
    for i in range(0, len(names), 2):   # two at a time: one per core
        started = [(name, start_build(*runs[name])) for name in names[i:i + 2]]
        for name, proc in started:
            _out, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, err
            out = runs[name][0]
            outputs[name] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert len(outputs) == len(SEEDS) + 1
    reference = outputs["seed 0"]
    assert sorted(reference) == EXPECTED_FILES
    for name, files in outputs.items():
        assert sorted(files) == EXPECTED_FILES, name
        differing = [f for f in EXPECTED_FILES if files[f] != reference[f]]
        assert not differing, f"{name}: {differing} differ from the build with PYTHONHASHSEED=0"


def test_trig_names_its_graphs_in_a_fixed_order(built):
    text = (built.out / "bonemet.trig").read_text(encoding="utf-8")
    assert text.index(f"<{GRAPH.asserted}>") < text.index(f"<{GRAPH.inferred}>")
