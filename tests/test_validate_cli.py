"""`bonemet validate` as tools run it: exit codes, report formats, bad inputs."""

import json
import subprocess
import sys

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from conftest import ROOT

SHAPES_DATA = ROOT / "tests" / "data" / "shapes"
VALID = SHAPES_DATA / "valid" / "records.ttl"
INVALID = SHAPES_DATA / "invalid" / "record-complication-before-metastasis.ttl"
WARNING_ONLY = SHAPES_DATA / "invalid" / "record-missing-lesion-type.ttl"


def validate(*args, **kw):
    return subprocess.run([sys.executable, "-m", "bonemet.cli", "validate", *map(str, args)],
                          capture_output=True, text=True, **kw)


def test_exit_0_when_conforming():
    proc = validate(VALID)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[0].endswith("0 violation(s), 0 warning(s), 0 info(s)")


def test_exit_1_and_text_grouped_by_focus_node():
    proc = validate(INVALID)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].endswith("1 violation(s), 0 warning(s), 0 info(s)")
    assert lines[1].startswith("http://example.org/")          # the focus node
    assert lines[2].startswith("  Violation")                   # its result, indented
    assert "before the bone metastasis it follows" in lines[2]
    assert "(value: " in lines[2] and "[https://w3id.org/bonemet/shapes/" in lines[2]


def test_json_report_structure():
    proc = validate(INVALID, "--format", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["conforms"] is False
    assert doc["counts"] == {"violation": 1, "warning": 0, "info": 0}
    (result,) = doc["results"]
    assert set(result) == {"focusNode", "resultPath", "value", "severity", "message", "sourceShape",
                           "sourceConstraintComponent"}
    assert result["severity"] == "Violation"


def test_turtle_report_is_a_shacl_validation_report():
    proc = validate(INVALID, "--format", "turtle")
    assert proc.returncode == 1
    g = Graph().parse(data=proc.stdout, format="turtle")
    report = next(g.subjects(None, SH.ValidationReport))
    assert str(g.value(report, SH.conforms)) == "false"
    assert len(list(g.objects(report, SH.result))) == 1


def test_warnings_fail_only_with_fail_on_warning():
    assert validate(WARNING_ONLY).returncode == 0
    assert validate(WARNING_ONLY, "--fail-on", "warning").returncode == 1


def test_output_file_and_input_format(tmp_path):
    data = tmp_path / "records.data"
    data.write_text(VALID.read_text())
    out = tmp_path / "report.json"
    proc = validate(data, "--input-format", "turtle", "--format", "json", "--output", out)
    assert proc.returncode == 0 and proc.stdout == ""
    assert json.loads(out.read_text())["conforms"] is True


def test_every_rdf_syntax_is_accepted(tmp_path):
    g = Graph().parse(VALID)
    for suffix, fmt in (("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml"), ("trig", "trig")):
        path = tmp_path / f"records.{suffix}"
        path.write_text(g.serialize(format=fmt))
        proc = validate(path)
        assert proc.returncode == 0, (suffix, proc.stdout, proc.stderr)


def test_custom_shapes_replace_ours(tmp_path):
    shapes = tmp_path / "commented-patients.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix bonemet: <https://w3id.org/bonemet/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <http://example.org/s> a sh:NodeShape ; sh:targetClass bonemet:Patient ;
          sh:property [ sh:path rdfs:comment ; sh:minCount 1 ; sh:message "needs a comment" ] .""")
    proc = validate(VALID, "--shapes", shapes)
    assert proc.returncode == 1 and "needs a comment" in proc.stdout
    assert "bonemet/shapes/" not in proc.stdout          # our shapes were not used


@pytest.mark.parametrize("inference, code", [("none", 0), ("rdfs", 1), ("owlrl", 1)])
def test_inference_types_untyped_records(inference, code, tmp_path):
    # an untyped node with a pseudonym is a Patient only by rdfs:domain, i.e. only under inference,
    # and as a Patient it lacks its primary tumour
    data = tmp_path / "untyped.ttl"
    data.write_text('<http://example.org/p> <https://w3id.org/bonemet/pseudonym> "P-1" .\n')
    proc = validate(data, "--inference", inference)
    assert proc.returncode == code, proc.stdout + proc.stderr
    if code:
        assert "exactly one primary tumour" in proc.stdout


def test_multiple_files_are_validated_together(tmp_path):
    g = Graph().parse(VALID)
    half = sorted(set(g.subjects()))
    a, b = Graph(), Graph()
    for i, s in enumerate(half):
        for t in g.triples((s, None, None)):
            (a if i % 2 else b).add(t)
    (tmp_path / "a.ttl").write_text(a.serialize(format="turtle"))
    (tmp_path / "b.ttl").write_text(b.serialize(format="turtle"))
    assert validate(tmp_path / "a.ttl", tmp_path / "b.ttl").returncode == 0


BAD_INPUTS = {
    "malformed-turtle": ("bad.ttl", b"@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b .\n",
                         "bad.ttl: not valid turtle: line 3, column"),
    "malformed-ntriples": ("bad.nt", b"<http://e/a> <http://e/b> <http://e/c> .\n<http://e/a> <http://e/b> .\n",
                           "bad.nt: not valid nt: line 2"),
    "malformed-jsonld": ("bad.jsonld", b'{"@id": "http://e/a",\n "http://e/b": [1,]}',
                         "bad.jsonld: not valid json-ld: line 2, column"),
    "malformed-rdfxml": ("bad.rdf", b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n<a>\n</rdf:RDF>",
                         "bad.rdf: not valid xml: line 3, column"),
    "unknown-format": ("data.xyz", b"<http://e/a> <http://e/b> <http://e/c> .\n",
                       "data.xyz: cannot tell the RDF format from the extension '.xyz'"),
    "empty": ("empty.ttl", b"", "empty.ttl: the file is empty"),
    "non-utf8": ("latin1.ttl", "<http://e/a> <http://e/b> \"caf\u00e9\" .\n".encode("latin-1"),
                 "latin1.ttl: not UTF-8 text (invalid byte 0xe9"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_gives_one_line_and_exit_2(case, tmp_path):
    name, content, message = BAD_INPUTS[case]
    path = tmp_path / name
    path.write_bytes(content)
    proc = validate(path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert message in proc.stderr


def test_missing_file_and_directory(tmp_path):
    for path, message in ((tmp_path / "nope.ttl", "no such file"), (tmp_path, "is a directory")):
        proc = validate(path)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_huge_file_is_refused_quickly(tmp_path):
    huge = tmp_path / "huge.nt"
    with open(huge, "wb") as fh:         # 1.2 GB, sparse: refusing must not need reading it
        fh.truncate(1200 * 1024 * 1024)
    proc = validate(huge, timeout=60)
    assert proc.returncode == 2
    assert "over the 1000 MB limit" in proc.stderr and "--max-size" in proc.stderr
    small_limit = validate(huge, "--max-size", "100", timeout=60)
    assert small_limit.returncode == 2 and "over the 100 MB limit" in small_limit.stderr


def test_unknown_input_format_option():
    proc = validate(VALID, "--input-format", "yaml")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_unwritable_output(tmp_path):
    proc = validate(VALID, "--output", tmp_path / "missing-dir" / "report.txt")
    assert proc.returncode == 2 and "cannot write" in proc.stderr
