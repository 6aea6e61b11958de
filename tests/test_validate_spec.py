"""Reports by the SHACL specification, and inputs with relative IRIs, on both engines."""

import json
import subprocess
import sys

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from conftest import ROOT

WARNING_ONLY = ROOT / "tests" / "data" / "shapes" / "invalid" / "record-missing-lesion-type.ttl"
ENGINES = ["sparql", "pyshacl"]


def validate(*args):
    return subprocess.run([sys.executable, "-m", "bonemet", "validate", *map(str, args)], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_warning_means_the_data_does_not_conform_but_the_exit_code_follows_fail_on(engine):
    """SHACL §3.6.1: sh:conforms is true only when there is no result at all."""
    proc = validate(WARNING_ONLY, "--engine", engine, "--format", "json")
    doc = json.loads(proc.stdout)
    assert proc.returncode == 0 and doc["counts"] == {"violation": 0, "warning": 1, "info": 0}
    assert doc["conforms"] is False
    turtle = validate(WARNING_ONLY, "--engine", engine, "--format", "turtle")
    assert [str(o) for o in Graph().parse(data=turtle.stdout, format="turtle").objects(None, SH.conforms)] == ["false"]
    text = validate(WARNING_ONLY, "--engine", engine)
    assert text.stdout.splitlines()[0].endswith("does not conform: 0 violation(s), 1 warning(s), 0 info(s)")
    assert validate(WARNING_ONLY, "--engine", engine, "--fail-on", "warning").returncode == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_no_result_conforms(engine):
    proc = validate(ROOT / "tests" / "data" / "shapes" / "valid" / "records.ttl", "--engine", engine)
    assert proc.returncode == 0 and ": conforms: 0 violation(s)" in proc.stdout.splitlines()[0]


# One patient whose primary tumour names a bone as its cancer type, written with relative IRIs in
# every syntax that has them (N-Triples and N-Quads do not).
RELATIVE = {
    "ttl": """@prefix bonemet: <https://w3id.org/bonemet/> .
@prefix bme: <https://w3id.org/bonemet/entity/> .
<patient-1> a bonemet:Patient ; bonemet:pseudonym "P-1" ; bonemet:hasPrimaryTumour <tumour-1> .
<tumour-1> a bonemet:PrimaryTumour ; bonemet:cancerType bme:Femur .
<> <http://purl.org/dc/terms/title> "records" .
""",
    "trig": """@prefix bonemet: <https://w3id.org/bonemet/> .
<g> { <patient-1> a bonemet:Patient ; bonemet:pseudonym "P-1" ; bonemet:hasPrimaryTumour <tumour-1> .
<tumour-1> a bonemet:PrimaryTumour ; bonemet:cancerType <https://w3id.org/bonemet/entity/Femur> . }
""",
    "jsonld": json.dumps({"@context": {"bonemet": "https://w3id.org/bonemet/"}, "@graph": [
        {"@id": "patient-1", "@type": "bonemet:Patient", "bonemet:pseudonym": "P-1",
         "bonemet:hasPrimaryTumour": {"@id": "tumour-1"}},
        {"@id": "tumour-1", "@type": "bonemet:PrimaryTumour",
         "bonemet:cancerType": {"@id": "https://w3id.org/bonemet/entity/Femur"}}]}),
    "rdf": """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:b="https://w3id.org/bonemet/">
  <b:Patient rdf:about="patient-1"><b:pseudonym>P-1</b:pseudonym><b:hasPrimaryTumour rdf:resource="tumour-1"/></b:Patient>
  <b:PrimaryTumour rdf:about="tumour-1"><b:cancerType rdf:resource="https://w3id.org/bonemet/entity/Femur"/></b:PrimaryTumour>
</rdf:RDF>
""",
}


def test_case_count():
    assert len(RELATIVE) == 4


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("suffix", sorted(RELATIVE))
def test_relative_iris_resolve_against_the_file_or_the_base(tmp_path, suffix, engine):
    path = tmp_path / f"records.{suffix}"
    path.write_text(RELATIVE[suffix], encoding="utf-8")
    own = validate(path, "--engine", engine, "--format", "json")
    assert own.returncode == 1, own.stderr
    focus = {r["focusNode"] for r in json.loads(own.stdout)["results"]}
    assert focus == {path.resolve().with_name("tumour-1").as_uri()}
    based = validate(path, "--engine", engine, "--format", "json", "--base", "https://example.org/registry/")
    assert based.returncode == 1, based.stderr
    assert {r["focusNode"] for r in json.loads(based.stdout)["results"]} == {"https://example.org/registry/tumour-1"}


def test_a_bad_line_is_still_named_with_relative_iris(tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text('<a> <b> <c> .\n<a> <b> "unterminated .\n', encoding="utf-8")
    proc = validate(path)
    assert proc.returncode == 2 and f"{path}: not valid turtle: line 2" in proc.stderr


ILL_TYPED = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Shape a sh:NodeShape ; sh:targetNode ex:a, ex:b, ex:c ;
    sh:property [ sh:path ex:p ; sh:datatype xsd:byte ] .
ex:a ex:p "c"^^xsd:byte .
ex:b ex:p "300"^^xsd:byte .
ex:c ex:p "12"^^xsd:byte .
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_ill_typed_literals_are_datatype_violations(tmp_path, engine):
    """A lexical form outside its datatype's lexical space ("c"^^xsd:byte) or value space ("300"^^xsd:byte)
    is reported by sh:datatype on both engines, with the literal as written, and no traceback."""
    path = tmp_path / "ill-typed.ttl"
    path.write_text(ILL_TYPED, encoding="utf-8")
    proc = validate(path, "--shapes", path, "--no-vocabulary", "--engine", engine, "--format", "json")
    assert proc.returncode == 1 and proc.stderr == ""
    results = json.loads(proc.stdout)["results"]
    assert sorted((r["focusNode"].rsplit("/", 1)[1], r["value"]) for r in results) == [
        ("a", '"c"^^<http://www.w3.org/2001/XMLSchema#byte>'), ("b", '"300"^^<http://www.w3.org/2001/XMLSchema#byte>')]
    assert {r["sourceConstraintComponent"].rsplit("#", 1)[1] for r in results} == {"DatatypeConstraintComponent"}
