"""`--engine spark` on real Spark (local[2]): the same report and closure as the local engines, and bad
input, unreachable masters and cross-patient data refused in one line with exit code 2."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from bonemet.cli import main
from bonemet.registry.generate import DEFECTS, generate

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed: pip install -e '.[spark]'")

SPARK = ["--engine", "spark", "--master", "local[2]", "--partitions", "3"]
B = "https://w3id.org/bonemet/"
REG = "http://example.org/registry/"
# triples besides the generated ones: a typo'd entity in a record, and nodes belonging to no patient
EXTRA = f"""<{REG}patient/0/metastasis/0> <{B}site> <{B}entity/Femurr> .
<http://example.org/hospital/1> <http://www.w3.org/2000/01/rdf-schema#label> "Hospital one" .
<http://example.org/orphan> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{B}SurvivalRecord> .
<http://example.org/orphan> <{B}survivalMonths> "-1.0"^^<http://www.w3.org/2001/XMLSchema#decimal> .
_:loose <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{B}TreatmentEpisode> .
"""


@pytest.fixture(scope="module")
def spark():
    from bonemet.spark.session import start

    session = start("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spark")
    path = folder / "registry.nt"
    with open(path, "w", encoding="utf-8") as out:
        counts = generate(out, patients=330, seed=19, invalid_fraction=0.3)
    extra = folder / "extra.nt"
    extra.write_text(EXTRA, encoding="utf-8")
    return path, extra, counts


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_registry_is_about_ten_thousand_triples_with_every_defect(registry):
    _path, _extra, counts = registry
    assert 9_000 <= counts["triples"] <= 12_000
    assert [d for d in DEFECTS if counts[f"defect:{d}"] == 0] == []
    assert len(DEFECTS) == 9


@pytest.mark.parametrize("fmt", ["text", "json", "turtle"])
def test_validation_report_equals_the_sparql_engines(spark, registry, fmt):
    path, extra, counts = registry
    code, local, _ = run("validate", path, extra, "--engine", "sparql", "--format", fmt)
    spark_code, distributed, err = run("validate", path, extra, *SPARK, "--format", fmt)
    assert (spark_code, code) == (1, 1), err
    if fmt == "turtle":
        assert isomorphic(Graph().parse(data=distributed, format="turtle"), Graph().parse(data=local, format="turtle"))
    else:
        assert distributed == local
    if fmt == "json":
        results = json.loads(distributed)["results"]
        shapes = {r["sourceShape"].rsplit("/", 1)[-1].split("-")[0] for r in results}
        # every record shape a defect breaks, the typo, and the shared nodes (partition 0's share)
        assert {"Patient", "BoneMetastasisRecord", "ComplicationEvent", "SurvivalRecord", "KnownTerms",
                "TreatmentEpisode"} <= shapes
        assert any(r["focusNode"] == "http://example.org/orphan" for r in results)
        # one result per defect at least, and the typo, the orphan and the blank node's
        assert len(results) >= sum(n for k, n in counts.items() if k.startswith("defect:")) + 3


def test_validation_report_equals_pyshacls(spark, registry, tmp_path):
    # pySHACL's report also copies a blank focus node's own triples (_:loose's type), which the
    # compiled engines leave out (tests/test_sparql_shapes.py compares results without them), so the
    # extra nodes come here without the blank one
    path, _extra, _counts = registry
    extra = tmp_path / "named.nt"
    extra.write_text("".join(line + "\n" for line in EXTRA.splitlines() if not line.startswith("_:")), encoding="utf-8")
    code, reference, _ = run("validate", path, extra, "--engine", "pyshacl", "--format", "turtle")
    spark_code, distributed, err = run("validate", path, extra, *SPARK, "--format", "turtle")
    assert (spark_code, code) == (1, 1), err
    graphs = [Graph().parse(data=text, format="turtle") for text in (distributed, reference)]
    assert isomorphic(*graphs) and len(graphs[0]) > 800


def test_turtle_input_is_converted_first(spark, registry, tmp_path):
    path, _extra, _counts = registry
    ttl = tmp_path / "registry.ttl"
    g = Graph().parse(path, format="nt")
    g.bind("bonemet", B)
    g.bind("reg", REG)
    ttl.write_text(g.serialize(format="turtle"), encoding="utf-8")
    assert run("validate", ttl, "--engine", "sparql", "--format", "json")[:2] == \
        run("validate", ttl, *SPARK, "--format", "json")[:2]


def test_closure_equals_the_local_chainer(spark, registry, tmp_path):
    path, extra, _counts = registry
    local, distributed = tmp_path / "local.nt", tmp_path / "spark.nt"
    code, _, err = run("reason", path, extra, "--output", local)
    spark_code, _, spark_err = run("reason", path, extra, *SPARK, "--output", distributed)
    assert spark_code == code, spark_err
    text = distributed.read_text(encoding="utf-8")
    assert text == local.read_text(encoding="utf-8") and len(text.splitlines()) > 2_000
    inconsistencies = [line for line in err.splitlines() if "inconsistency" in line]
    assert [line for line in spark_err.splitlines() if "inconsistency" in line] == inconsistencies
    # to standard output too, streamed from the executors' sorted partitions
    assert run("reason", path, extra, *SPARK)[1] == text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BAD = {
    "missing-file": (lambda tmp: [tmp / "nowhere.nt"], [], "nowhere.nt: no such file"),
    "malformed-line": (lambda tmp: [_malformed(tmp)], [], "bad.nt: not valid nt: line 3"),
    "unreachable-master": (lambda tmp: [_malformed(tmp)], ["--master", "spark://127.0.0.1:{port}"],
                           "cannot reach Spark master spark://127.0.0.1:"),
}


def _malformed(tmp):
    bad = tmp / "bad.nt"
    bad.write_text(f"<{REG}patient/1> <{B}pseudonym> \"P1\" .\n# a comment\n<{REG}patient/1> <{B}pseudonym> P2 .\n",
                   encoding="utf-8")
    return bad


def test_bad_input_cases():
    assert len(BAD) == 3


@pytest.mark.parametrize("command", ["validate", "reason"])
@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_and_exit_2(spark, tmp_path, command, case):
    files, extra, expected = BAD[case]
    extra = [a.replace("{port}", str(free_port())) for a in extra]
    code, out, err = run(command, *files(tmp_path), "--engine", "spark", "--partitions", "2",
                         *(extra or ["--master", "local[2]"]))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and expected in err, err


CROSS = f"""<{REG}patient/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{B}Patient> .
<{REG}patient/2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{B}Patient> .
<{REG}patient/1/complication/0> <{B}follows> <{REG}patient/2/metastasis/0> .
"""
SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix bonemet: <https://w3id.org/bonemet/> .
"""
REFUSED_SHAPES = {
    "inverse-path": ("ex:S a sh:NodeShape ; sh:targetClass bonemet:Patient ; "
                     "sh:property [ sh:path [ sh:inversePath bonemet:follows ] ; sh:maxCount 1 ] .", "inverse path"),
    "objects-of": ("ex:S a sh:NodeShape ; sh:targetObjectsOf bonemet:site ; sh:nodeKind sh:IRI .",
                   "sh:targetObjectsOf"),
    "sparql-backwards": ('ex:S a sh:NodeShape ; sh:targetClass bonemet:Patient ; sh:sparql [ sh:select '
                         '"SELECT $this WHERE { ?other <https://w3id.org/bonemet/pseudonym> ?p . '
                         '$this <https://w3id.org/bonemet/pseudonym> ?p . FILTER(?other != $this) }" ] .',
                         "not reached from $this"),
}


def test_cross_patient_data_is_refused_by_name(spark, tmp_path):
    data = tmp_path / "cross.nt"
    data.write_text(CROSS, encoding="utf-8")
    for command in ("validate", "reason"):
        code, _out, err = run(command, data, *SPARK)
        assert code == 2 and len(err.strip().splitlines()) == 1
        assert f"links the records of patients <{REG}patient/1> and <{REG}patient/2>" in err, err


def test_refused_shape_cases():
    assert len(REFUSED_SHAPES) == 3


@pytest.mark.parametrize("case", sorted(REFUSED_SHAPES))
def test_shapes_reading_across_patients_are_refused_by_name(registry, tmp_path, case):
    shape, expected = REFUSED_SHAPES[case]
    shapes = tmp_path / "s.ttl"
    shapes.write_text(SHAPES + shape, encoding="utf-8")
    path, _extra, _counts = registry
    code, _out, err = run("validate", path, "--shapes", shapes, *SPARK)
    assert code == 2 and "http://example.org/S" in err and expected in err, err
    assert len(err.strip().splitlines()) == 1


def test_without_pyspark_the_engine_says_how_to_install_it(registry):
    path, _extra, _counts = registry
    code = "import sys; sys.modules['pyspark'] = None; from bonemet.cli import main; main()"
    for command in ("validate", "reason"):
        proc = subprocess.run([sys.executable, "-c", code, command, str(path), "--engine", "spark"],
                              capture_output=True, text=True)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.strip() == f"bonemet {command}: error: the spark engine needs pyspark: " \
                                      "pip install 'bonemet[spark]'"


def bonemet(*args, env=None):
    """The real command in its own process: what a terminal sees, the JVM's output included."""
    import os

    return subprocess.run([sys.executable, "-m", "bonemet.cli", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


PROCESS_CASES = {
    "malformed-line": ({}, "bad.nt: not valid nt: line 3"),
    "no-java": ({"JAVA_HOME": "/nonexistent"}, "cannot start Spark on local[2]: /nonexistent/bin/java: No such file"),
}


def test_process_cases():
    assert len(PROCESS_CASES) == 2


@pytest.mark.parametrize("case", sorted(PROCESS_CASES))
def test_a_failing_spark_run_prints_one_line_in_a_terminal(tmp_path, case):
    env, expected = PROCESS_CASES[case]
    proc = bonemet("reason", _malformed(tmp_path), *SPARK, env=env)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and expected in proc.stderr, proc.stderr


def test_metrics_account_for_every_patient_and_triple(spark, registry, tmp_path):
    path, extra, counts = registry
    for command in ("validate", "reason"):
        metrics = tmp_path / f"{command}.json"
        code, _out, err = run(command, path, extra, *SPARK, "--metrics", metrics, "--output", tmp_path / "out")
        assert code == 1, err
        m = json.loads(metrics.read_text(encoding="utf-8"))
        assert (m["master"], m["partitions"], m["patients"]) == ("local[2]", 3, counts["patients"])
        assert [p["partition"] for p in m["parts"]] == [0, 1, 2]
        assert sum(p["patients"] for p in m["parts"]) == counts["patients"]
        assert sum(p["triples"] for p in m["parts"]) + m["shared_triples"] == m["input_triples"]
        assert m["input_triples"] == counts["triples"] + len(EXTRA.splitlines())
        assert all(p["worker_peak_mib"] > 0 and p["run_s"] >= 0 for p in m["parts"])
        assert list(m["phases"])[:2] == ["start", "read"] and "partitions" in m["phases"]


def test_metrics_are_refused_without_spark(registry, tmp_path):
    path, _extra, _counts = registry
    for command in ("validate", "reason"):
        code, _out, err = run(command, path, "--metrics", tmp_path / "m.json")
        assert code == 2 and err.strip() == f"bonemet {command}: error: --metrics is for --engine spark"


def test_bonemets_own_shapes_all_run_patient_by_patient():
    from bonemet.io import load_rdf
    from bonemet.project import current
    from bonemet.spark.locality import refused_shapes

    files = current().shape_files()
    assert len(files) >= 2
    assert refused_shapes(load_rdf(files)) == []


RULE_CROSSING = f"""<{REG}patient/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{B}Patient> .
<{REG}patient/2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{B}Patient> .
<http://example.org/p> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2002/07/owl#TransitiveProperty> .
<http://example.org/q> <http://www.w3.org/2002/07/owl#inverseOf> <http://example.org/p> .
<{REG}patient/1/metastasis/0> <http://example.org/p> <http://example.org/X> .
<{REG}patient/2/metastasis/0> <http://example.org/q> <http://example.org/X> .
"""


def test_a_rule_joining_two_patients_is_refused_by_name(spark, tmp_path):
    # X p rec2 is derived from rec2 q X; then p's transitivity would link patient 1's record to patient 2's
    data = tmp_path / "rule.nt"
    data.write_text(RULE_CROSSING, encoding="utf-8")
    code, _out, err = run("reason", data, *SPARK, "--output", tmp_path / "out.nt")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rule.nt"]   # no output, not even half of one
    assert "rule prp-trp: <http://example.org/p> runs through <http://example.org/X> from one patient's records " \
        "to another's" in err, err
    assert run("reason", data)[0] == 0   # the local engine reasons over both patients at once
