"""What a tool sees from `bonemet validate` on records with typical mistakes: the right results, one
result per undefined bonemet IRI with the closest defined names, and nothing else on standard error."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

DATA = ROOT / "tests" / "data" / "validate"
KNOWN_TERMS = "https://w3id.org/bonemet/shapes/KnownTerms"

# file -> (shapes of the expected results, the messages of the KnownTerms results)
CASES = {
    "two-mistakes.ttl": (
        ["BoneMetastasisRecord-dateDetected", "BoneMetastasisRecord-site", "KnownTerms"],
        ["bme:Femurr is not a term bonemet defines (not in its ontology or entity table); did you mean bme:Femur?"]),
    "unknown-class.ttl": (
        ["Patient-hasPrimaryTumour", "KnownTerms"],
        ["bonemet:PrimaryTumor is not a term bonemet defines (not in its ontology or entity table); "
         "did you mean bonemet:PrimaryTumour or bonemet:hasPrimaryTumour?"]),
    "unknown-property.ttl": (
        ["BoneMetastasisRecord-lesionTypeKnown", "KnownTerms"],
        ["bonemet:lesionTyp is not a term bonemet defines (not in its ontology or entity table); "
         "did you mean bonemet:lesionType?"]),
    "unknown-no-suggestion.ttl": (
        ["PrimaryTumour-cancerType", "KnownTerms"],
        ["bme:MammaryCancerOfTheLeftBreast is not a term bonemet defines (not in its ontology or entity table)"]),
}
ENGINES = ["sparql", "pyshacl"]


def test_case_count():
    assert len(CASES) == 4 and sorted(p.name for p in DATA.glob("*.ttl")) == sorted(CASES)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_mistakes_are_reported_and_nothing_else_is_printed(name, engine):
    shapes, messages = CASES[name]
    proc = subprocess.run([sys.executable, "-m", "bonemet", "validate", str(DATA / name), "--format", "json",
                           "--engine", engine], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""   # no rdflib traceback for "2023-13-01"^^xsd:date, no notice
    report = json.loads(proc.stdout)
    assert report["conforms"] is False
    assert sorted(r["sourceShape"].rsplit("/", 1)[1] for r in report["results"]) == sorted(shapes)
    known = [r for r in report["results"] if r["sourceShape"] == KNOWN_TERMS]
    assert [r["message"] for r in known] == messages
    assert all(r["severity"] == "Violation" and r["sourceConstraintComponent"].endswith("KnownTermConstraintComponent")
               for r in known)


def test_text_report_names_the_suggestion():
    proc = subprocess.run([sys.executable, "-m", "bonemet", "validate", str(DATA / "two-mistakes.ttl")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and proc.stderr == ""
    assert "3 violation(s)" in proc.stdout.splitlines()[0]
    assert "did you mean bme:Femur?" in proc.stdout and f"[{KNOWN_TERMS}]" in proc.stdout


def test_turtle_report_holds_the_result_and_does_not_conform():
    from rdflib import Graph, URIRef
    from rdflib.namespace import SH

    proc = subprocess.run([sys.executable, "-m", "bonemet", "validate", str(DATA / "unknown-property.ttl"),
                           "--format", "turtle"], capture_output=True, text=True, timeout=300)
    g = Graph().parse(data=proc.stdout, format="turtle")
    assert proc.returncode == 1
    assert [str(o) for o in g.objects(None, SH.conforms)] == ["false"]
    assert len(list(g.subjects(SH.sourceShape, URIRef(KNOWN_TERMS)))) == 1


def test_valid_records_use_only_defined_terms():
    proc = subprocess.run([sys.executable, "-m", "bonemet", "validate",
                           str(ROOT / "tests" / "data" / "shapes" / "valid" / "records.ttl")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stderr == "", proc.stdout + proc.stderr


@pytest.mark.parametrize("missing, expected", [
    ("shapes", "shapes: no *.shacl.ttl files"),
    ("dist", "dist/bonemet-vocabulary.nt not found; run `bonemet build` first"),
    ("ontology", "not a bonemet project (no ontology/bonemet.ttl)")])
def test_a_missing_project_file_is_one_line(project_copy, missing, expected):
    """What a damaged installation or checkout gives: exit 2 and one line naming the file, never a traceback."""
    shutil.copytree(ROOT / "dist", project_copy / "dist")
    shutil.rmtree(project_copy / missing)
    env = dict(os.environ, BONEMET_PROJECT=str(project_copy))
    proc = subprocess.run([sys.executable, "-m", "bonemet", "validate", str(DATA / "two-mistakes.ttl")],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and expected in proc.stderr, proc.stderr
