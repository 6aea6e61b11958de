"""The synthetic registry generator: reproducible, valid by default, and each defect caught."""

import io
from collections import Counter

from rdflib import Graph

from bonemet.io import load_rdf
from bonemet.registry.generate import DEFECTS, generate
from bonemet.validate.api import default_shape_files, validate

# which shape catches each kind of defect
CAUGHT_BY = {
    "no-primary": "Patient-hasPrimaryTumour",
    "two-primaries": "Patient-hasPrimaryTumour",
    "site-not-skeletal": "BoneMetastasisRecord-site",
    "lesion-not-ours": "BoneMetastasisRecord-lesionType",
    "complication-before-metastasis": "ComplicationEvent",
    "negative-survival": "SurvivalRecord-survivalMonths",
    "date-not-xsd-date": "BoneMetastasisRecord-dateDetected",
    "identifying-name": "Patient",
    "no-site": "BoneMetastasisRecord-site",
}


def registry(**kw) -> tuple[str, dict]:
    buf = io.StringIO()
    counts = generate(buf, **kw)
    return buf.getvalue(), counts


def test_same_seed_same_bytes_other_seed_other_bytes():
    a, _ = registry(patients=50, seed=7, invalid_fraction=0.2)
    b, _ = registry(patients=50, seed=7, invalid_fraction=0.2)
    c, _ = registry(patients=50, seed=8, invalid_fraction=0.2)
    assert a == b and a != c


def test_valid_registry_conforms():
    text, counts = registry(patients=100, seed=1)
    g = Graph().parse(data=text, format="nt")
    assert len(g) == counts["triples"]
    assert 20 < counts["triples"] / counts["patients"] < 40
    report = validate(g, load_rdf(default_shape_files()))
    assert report.results == []


def test_every_defect_is_caught_once_by_its_shape():
    assert set(CAUGHT_BY) == set(DEFECTS)
    text, counts = registry(patients=400, seed=3, invalid_fraction=0.5)
    report = validate(Graph().parse(data=text, format="nt"), load_rdf(default_shape_files()))
    got = Counter(r.sourceShape.rsplit("/", 1)[1] for r in report.results)
    expected = Counter()
    for defect in DEFECTS:
        assert counts[f"defect:{defect}"] > 0, defect
        expected[CAUGHT_BY[defect]] += counts[f"defect:{defect}"]
    assert got == expected
