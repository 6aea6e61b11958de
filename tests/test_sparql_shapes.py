"""Shapes compiled to SPARQL (Oxigraph) must report exactly what pySHACL reports."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Graph, Literal

from bonemet.io import load_rdf
from bonemet.registry.generate import generate
from bonemet.validate.api import default_shape_files, validate, validate_files
from bonemet.validate.compiler import ShapeCompiler, UnsupportedShapes
from bonemet.validate.terms import SHAPE as KNOWN_TERMS
from conftest import ROOT

FIXTURES = sorted((ROOT / "tests" / "data" / "shapes").glob("*id/*.ttl"))   # valid/ and invalid/


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_rdf(default_shape_files())


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("registry") / "sample.nt"
    with open(path, "w", encoding="utf-8") as out:
        counts = generate(out, patients=330, seed=11, invalid_fraction=0.3)
    assert 9_000 < counts["triples"] < 11_000
    return path


def both(path: Path, shapes: Graph, **options):
    """pySHACL's results and the compiled engine's. validate_files also reports undefined bonemet terms
    (bmsh:KnownTerms, not a SHACL constraint; tests/test_validate_output.py runs them on both engines),
    which the engines are not compared on."""
    reference = validate(load_rdf([path]), shapes, **options).results
    compiled = [r for r in validate_files([path], shapes, engine="sparql", **options).results
                if r.sourceShape != str(KNOWN_TERMS)]
    return reference, compiled


def test_fixtures_cover_both_folders():
    assert {p.parent.name for p in FIXTURES} == {"valid", "invalid"} and len(FIXTURES) > 100


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_same_report_as_pyshacl_on_every_fixture(path, shapes):
    reference, compiled = both(path, shapes)
    assert compiled == reference


def test_same_report_as_pyshacl_on_a_10k_triple_registry(sample, shapes):
    reference, compiled = both(sample, shapes)
    assert len(reference) > 50
    assert {r.sourceConstraintComponent.rsplit("#", 1)[1] for r in reference} >= {
        "MinCountConstraintComponent", "MaxCountConstraintComponent", "ClassConstraintComponent",
        "DatatypeConstraintComponent", "InConstraintComponent", "ClosedConstraintComponent",
        "MinInclusiveConstraintComponent", "SPARQLConstraintComponent"}
    assert compiled == reference


def test_owlrl_inference_equals_pyshacl_but_for_owlrls_noise(sample, shapes):
    """pySHACL validates owlrl's raw closure, where every node is owl:sameAs itself, so every
    closed shape fails on owl:sameAs. The compiled engine validates the entailments the build
    keeps (bonemet.reason.closure.is_noise); everything else must match."""
    reference, compiled = both(sample, shapes, inference="owlrl")
    noise = [r for r in reference if r.resultPath == "http://www.w3.org/2002/07/owl#sameAs"
             and r.value == r.focusNode and r.sourceConstraintComponent.endswith("ClosedConstraintComponent")]
    assert len(noise) == 330                      # one per patient
    assert compiled == [r for r in reference if r not in noise]


def test_values_are_reported_as_written(sample, shapes):
    """Oxigraph stores "-3.0"^^xsd:decimal as -3; the report must still show the input's form."""
    compiled = validate_files([sample], shapes, engine="sparql").results
    assert any(r.value.startswith('"-3.0"') for r in compiled)


SPARQL_MESSAGE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
    sh:sparql [ %s sh:select "SELECT $this ?value WHERE { $this <http://example.org/dir> ?value }" ] .
"""


@pytest.mark.parametrize("folder", ["C:/data", "C:\\data"], ids=["slash", "backslash"])
def test_sparql_message_shows_the_value_as_it_is(tmp_path, folder):
    """{?value} is filled with the value's text: used as a re.sub template, "C:\\data" failed ("bad escape \\d")."""
    data = tmp_path / "data.ttl"
    data.write_text(f"@prefix ex: <http://example.org/> .\nex:x a ex:C ; ex:dir {Literal(folder).n3()} .\n", encoding="utf-8")
    shapes = Graph().parse(data=SPARQL_MESSAGE % 'sh:message "{$this} has path {?value}" ;', format="turtle")
    expected = f"http://example.org/x has path {folder}"
    try:
        reference, compiled = both(data, shapes, with_vocabulary=False)
    except re.error:
        # pySHACL (0.40) fills messages by re.sub too, and fails on this value itself: its report is
        # taken without the message, and the message checked on its own
        compiled = validate_files([data], shapes, engine="sparql", with_vocabulary=False).results
        reference, without = both(data, Graph().parse(data=SPARQL_MESSAGE % "", format="turtle"), with_vocabulary=False)
        assert without == reference
        reference = [replace(r, message=expected) for r in reference]
    assert [r.message for r in compiled] == [expected]
    assert compiled == reference


UNSUPPORTED = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:or ( [ sh:class ex:A ] [ sh:class ex:B ] ) .
"""


def test_unsupported_features_are_named(tmp_path):
    with pytest.raises(UnsupportedShapes, match="or"):
        ShapeCompiler(Graph().parse(data=UNSUPPORTED, format="turtle")).compile()


def test_auto_falls_back_to_pyshacl_and_says_so(tmp_path):
    shapes = tmp_path / "custom.shacl.ttl"
    shapes.write_text(UNSUPPORTED, encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text("@prefix ex: <http://example.org/> .\nex:x a ex:C .\n", encoding="utf-8")
    cli = [sys.executable, "-m", "bonemet.cli", "validate", str(data), "--shapes", str(shapes), "--no-vocabulary"]
    auto = subprocess.run(cli, capture_output=True, text=True)
    assert auto.returncode == 1 and "using pySHACL" in auto.stderr and "OrConstraintComponent" not in auto.stderr
    assert "ex:x" in auto.stdout or "http://example.org/x" in auto.stdout
    forced = subprocess.run(cli + ["--engine", "sparql"], capture_output=True, text=True)
    assert forced.returncode == 2 and "error:" in forced.stderr and "Traceback" not in forced.stderr


def test_progress_is_shown_on_a_terminal(sample):
    """Run the real command on a pseudo-terminal and read what a user would see."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.executable, [sys.executable, "-m", "bonemet.cli", "validate", str(sample),
                                  "--format", "json", "--output", os.devnull])
    seen = b""
    while True:
        ready, _, _ = select.select([fd], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    _, status = os.waitpid(pid, 0)
    text = seen.decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 1
    assert "focus-node checks" in text and "/s" in text and "ETA" in text
    assert "\r" in text     # one line, rewritten in place


def test_no_progress_when_not_a_terminal(sample):
    run = subprocess.run([sys.executable, "-m", "bonemet.cli", "validate", str(sample), "--format", "json"],
                         capture_output=True, text=True)
    assert "focus-node checks" not in run.stderr
