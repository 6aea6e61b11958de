"""`bonemet import-fhir`, run as a user runs it: mCODE bundles in tests/data/fhir/ to records that
`bonemet validate` accepts, the unmapped report and --strict, the exit-2 inputs, and competency
question 38 over the built graph plus the imported records."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

from bonemet.namespaces import BONEMET, PROV
from bonemet.sparql import run_compact
from conftest import ROOT
from test_competency import read_expected

DATA = ROOT / "tests" / "data" / "fhir"
GOOD = sorted(DATA.glob("good-*.json"))
# what each good bundle must give: record class -> count
GOOD_RECORDS = {
    "good-three-patients": {"Patient": 3, "PrimaryTumour": 3, "BoneMetastasisRecord": 3, "ComplicationEvent": 3,
                            "TreatmentEpisode": 4, "SurvivalRecord": 3},
    "good-urn-uuid": {"Patient": 1, "PrimaryTumour": 1, "BoneMetastasisRecord": 1, "SurvivalRecord": 1},
}
# each broken bundle, its extra options and a piece of the one line it must give
BROKEN = {
    "broken-not-json": ((), "not JSON: "),
    "broken-json-array": ((), "not a FHIR Bundle (resourceType: list)"),
    "broken-not-bundle": ((), "not a FHIR Bundle (resourceType: Patient)"),
    "broken-invalid-r4": ((), "not a valid FHIR R4 Bundle: entry.1.resource.onsetDateTime"),
    "broken-r5-element": ((), "entry.1.resource.participant: Extra inputs are not permitted (an element of another FHIR"),
    "broken-r5-resource": ((), "entry 1 is a ActorDefinition, a resource of FHIR R5, not R4/R4B"),
    "broken-missing-reference": ((), "Condition/x-2 Condition.subject refers to Patient/nobody, which is not in the bundle"),
    "broken-missing-primary-link": ((), "relatedPrimaryCancerCondition refers to Condition/gone, which is not in the bundle"),
    "over-size-limit": (("--max-bytes", "1000"), "bytes, over the limit of 1000 (--max-bytes)"),
}
UNMAPPED = {  # resource -> (element, system|code) the unmapped-codes bundle must report
    ("Condition/um-5-nsclc", "Condition.code", "http://snomed.info/sct|254637007"),
    ("Condition/um-5-brain", "Condition.code", "http://snomed.info/sct|94225005"),
    ("Condition/um-5-bone", "Condition.bodySite", "http://snomed.info/sct|79601000"),
    ("Condition/um-5-chf", "Condition.code", "http://hl7.org/fhir/sid/icd-10-cm|I50.32"),
    ("MedicationRequest/um-5-zoledronic", "MedicationRequest.medication[x]", "http://www.nlm.nih.gov/research/umls/rxnorm|77655"),
}


def bonemet(*args, **kw):
    return subprocess.run([sys.executable, "-m", "bonemet.cli", *args], capture_output=True, text=True, **kw)


def imported(tmp_path: Path, bundle: Path, *extra: str) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path / f"{bundle.stem}.ttl"
    return bonemet("import-fhir", str(bundle), "--output", str(out), *extra), out


def test_the_fixtures_are_all_there():
    assert [p.stem for p in GOOD] == sorted(GOOD_RECORDS)
    assert len(sorted(DATA.glob("broken-*.json"))) == len(BROKEN) - 1 == 8


@pytest.mark.parametrize("bundle", GOOD, ids=lambda p: p.stem)
def test_good_bundles_import_and_validate(bundle, tmp_path):
    proc, out = imported(tmp_path, bundle, "--strict")
    assert proc.returncode == 0, proc.stderr
    g = Graph().parse(out, format="turtle")
    counts = {cls: len(set(g.subjects(RDF.type, BONEMET[cls]))) for cls in GOOD_RECORDS[bundle.stem]}
    assert counts == GOOD_RECORDS[bundle.stem]
    # every record node names the FHIR resource it came from, and nothing identifying is carried over
    records = {s for s, o in g.subject_objects(RDF.type) if str(o).startswith(str(BONEMET))}
    assert records and all(isinstance(g.value(s, PROV.wasDerivedFrom), URIRef) for s in records)
    text = out.read_text(encoding="utf-8")
    for leak in ("Anyperson", "1955", "m-bc", "hospital.example.org\"", "female"):
        assert leak not in text
    valid = bonemet("validate", str(out), "--format", "json")
    assert valid.returncode == 0, valid.stdout + valid.stderr
    report = json.loads(valid.stdout)
    assert report["counts"]["violation"] == 0
    # mCODE codes no lesion type, so each metastasis has the shapes' one warning about it
    assert report["counts"]["warning"] == GOOD_RECORDS[bundle.stem]["BoneMetastasisRecord"]


def test_mapped_values(tmp_path):
    """Sites from bodySite (or the code's default), cancers through the SSSOM sets by category, dates, survival."""
    _, out = imported(tmp_path, DATA / "good-three-patients.json")
    g = Graph().parse(out, format="turtle")
    answer = run_compact(g, """PREFIX bonemet: <https://w3id.org/bonemet/>
        SELECT ?cancer ?site ?detected ?months ?censored WHERE {
          ?p bonemet:hasPrimaryTumour/bonemet:cancerType ?cancer ; bonemet:hasBoneMetastasis ?m ;
             bonemet:hasSurvival [ bonemet:survivalMonths ?months ; bonemet:censored ?censored ] .
          ?m bonemet:site ?site ; bonemet:dateDetected ?detected }""")[1]
    assert sorted(answer) == sorted([
        ("bme:BreastCancer", "bme:Femur", '2022-05-01', '22.0', 'false'),
        ("bme:BreastCancer", "bme:ThoracicSpine", '2022-05-01', '22.0', 'false'),
        ("bme:ProstateCancer", "bme:Pelvis", '2023-02-14', '16.5', 'true'),
        ("bme:LungCancer", "bme:BoneMarrow", '2023-08-30', '10.0', 'true'),
    ])
    follows = run_compact(g, """PREFIX bonemet: <https://w3id.org/bonemet/>
        SELECT ?type WHERE { ?c bonemet:complicationType ?type ; bonemet:follows ?m }""")[1]
    assert sorted(follows) == [("bme:PathologicalFracture",), ("bme:SpinalCordCompression",)]
    diagnosed = run_compact(g, """PREFIX bonemet: <https://w3id.org/bonemet/>
        SELECT ?cancer ?date WHERE { ?t bonemet:cancerType ?cancer ; bonemet:diagnosisDate ?date }""")[1]
    assert sorted(diagnosed) == [("bme:BreastCancer", "2021-02-10"), ("bme:LungCancer", "2022-01-15"),
                                 ("bme:ProstateCancer", "2020-11-03")]   # the primary conditions' onsets


def test_same_input_same_output_and_base(tmp_path):
    a = bonemet("import-fhir", str(DATA / "good-urn-uuid.json"), "--format", "ntriples")
    b = bonemet("import-fhir", str(DATA / "good-urn-uuid.json"), "--format", "ntriples")
    c = bonemet("import-fhir", str(DATA / "good-urn-uuid.json"), "--format", "ntriples", "--base", "https://reg.example/x/")
    assert a.returncode == b.returncode == c.returncode == 0
    assert a.stdout == b.stdout and a.stdout.count("\n") == len(Graph().parse(data=a.stdout, format="nt"))
    assert "<https://reg.example/x/patient/P-" in c.stdout and "example.org/registry" not in c.stdout


def test_unmapped_codes_are_reported_and_strict_fails(tmp_path):
    report_file = tmp_path / "report.json"
    proc, out = imported(tmp_path, DATA / "unmapped-codes.json", "--report", str(report_file))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(report_file.read_text(encoding="utf-8"))
    found = {(u["resource"], u["element"], f"{u['system']}|{u['code']}") for u in report["unmapped"]}
    assert found == UNMAPPED and len(report["unmapped"]) == 5
    assert all(u["reason"] and u["file"].endswith("unmapped-codes.json") for u in report["unmapped"])
    assert proc.stderr.count("\n  unmapped: ") == 5
    assert bonemet("validate", str(out)).returncode == 0      # what was mapped is still valid
    strict, _ = imported(tmp_path, DATA / "unmapped-codes.json", "--strict")
    assert strict.returncode == 1 and strict.stderr.count("unmapped: ") == 5
    bonemet("import-fhir", str(DATA / "good-three-patients.json"), "--report", str(report_file))
    ignored = json.loads(report_file.read_text(encoding="utf-8"))
    assert ignored["ignoredResourceTypes"] == {"Practitioner": 1} and ignored["unmapped"] == []


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_bad_input_exits_2_with_one_line_and_writes_nothing(case, tmp_path):
    options, message = BROKEN[case]
    bundle = DATA / ("good-three-patients.json" if case == "over-size-limit" else f"{case}.json")
    out = tmp_path / "records.ttl"
    proc = bonemet("import-fhir", str(bundle), "--output", str(out), *options)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and message in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_one_bad_bundle_among_good_ones_writes_nothing(tmp_path):
    out = tmp_path / "records.ttl"
    proc = bonemet("import-fhir", str(GOOD[0]), str(DATA / "broken-missing-reference.json"), "--output", str(out))
    assert proc.returncode == 2 and not out.exists()


def test_without_fhir_resources_says_how_to_install(tmp_path):
    # the package made unimportable in this one interpreter, as if it were not installed
    code = ("import sys; sys.modules['fhir'] = None; sys.modules['fhir.resources'] = None; "
            "from bonemet.cli import main; main()")
    proc = subprocess.run([sys.executable, "-c", code, "import-fhir", str(GOOD[0])], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "pip install 'bonemet[fhir]'" in proc.stderr


def test_cq38_over_the_graph_and_imported_records(built, tmp_path):
    """Competency question 38 needs patient records: the built graph plus all good and unmapped-code bundles."""
    g = Graph()
    for name in ("bonemet.nt", "bonemet-inferred.nt"):
        g.parse(built.out / name, format="nt")
    for bundle in [*GOOD, DATA / "unmapped-codes.json"]:
        proc, out = imported(tmp_path, bundle)
        assert proc.returncode == 0, proc.stderr
        g.parse(out, format="turtle")
    query = ROOT / "queries" / "cq38-patients-sites-no-source-names.rq"
    variables, rows = run_compact(g, query.read_text(encoding="utf-8"))
    expected_vars, expected_rows = read_expected(query.with_suffix(".tsv"))
    assert variables == expected_vars and sorted(rows) == expected_rows
    unnamed = {r[0] for r in rows if r[3] == ""}
    assert len(rows) == 9 and len(unnamed) == 4
