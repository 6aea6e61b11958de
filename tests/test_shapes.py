"""Data-driven SHACL tests: each fixture in tests/data/shapes/ and the results it must give.

tests/data/shapes/manifest.yaml lists the valid fixtures (no result at all, not even a warning)
and, for each invalid fixture, exactly the results expected: focus node, source shape, path
and severity.
"""


import pytest
import yaml
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SH

from bonemet.io import load_rdf
from bonemet.namespaces import PREFIXES as NAMESPACES
from bonemet.validate.api import default_shape_files, validate, vocabulary_graph
from bonemet.validate.terms import SHAPE as KNOWN_TERMS
from conftest import ROOT

DATA = ROOT / "tests" / "data" / "shapes"
MANIFEST = yaml.safe_load((DATA / "manifest.yaml").read_text(encoding="utf-8"))
PREFIXES = NAMESPACES | {"ex": "http://example.org/"}   # the project's one prefix table, and the fixtures' ex:
SEVERITY = {"violation": "Violation", "warning": "Warning", "info": "Info"}


def expand(curie: str) -> str:
    if not curie:
        return ""
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else curie


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_rdf(default_shape_files())


def expected_results(name: str) -> set[tuple[str, str, str, str]]:
    return {(expand(e["focus"]), expand(e["shape"]), expand(e.get("path", "")),
             SEVERITY[e.get("severity", "violation")]) for e in MANIFEST["invalid"][name]}


def test_case_counts():
    assert len(MANIFEST["valid"]) >= 2
    assert len(MANIFEST["invalid"]) >= 45
    on_disk = {p.name for p in (DATA / "invalid").glob("*.ttl")}
    assert on_disk == set(MANIFEST["invalid"]), "manifest and folder disagree"


@pytest.mark.parametrize("name", MANIFEST["valid"])
def test_valid_fixture_conforms(name, shapes):
    report = validate(load_rdf([DATA / "valid" / name]), shapes)
    assert report.results == []


@pytest.mark.parametrize("name", sorted(MANIFEST["invalid"]))
def test_invalid_fixture_gives_exactly_the_expected_results(name, shapes):
    report = validate(load_rdf([DATA / "invalid" / name]), shapes)
    got = {(r.focusNode, r.sourceShape, r.resultPath, r.severity) for r in report.results}
    assert got == expected_results(name)


def node_shapes(shapes: Graph) -> list[URIRef]:
    """The SHACL node shapes; bmsh:KnownTerms is checked by bonemet validate itself (tests/data/validate/)."""
    return sorted(s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef) and s != KNOWN_TERMS)


def shape_parts(shapes: Graph, shape: URIRef) -> set[str]:
    """The shape itself and the IRIs its results can name as sh:sourceShape."""
    return {str(shape)} | {str(p) for p in shapes.objects(shape, SH.property)}


def targets_in(data: Graph, shapes: Graph, shape: URIRef) -> set:
    found = set()
    for cls in shapes.objects(shape, SH.targetClass):
        subclasses = set(data.transitive_subjects(RDFS.subClassOf, cls))
        for c in subclasses:
            found |= set(data.subjects(RDF.type, c))
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        found |= set(data.subjects(prop, None))
    return found


def test_every_shape_has_a_valid_and_an_invalid_fixture(shapes):
    valid = Graph()
    for name in MANIFEST["valid"]:
        valid += load_rdf([DATA / "valid" / name])
    vocab = vocabulary_graph()
    fixture_only = valid + vocab
    expected_shapes = {e for name in MANIFEST["invalid"] for (_f, e, _p, _s) in expected_results(name)}
    missing_valid, missing_invalid = [], []
    for shape in node_shapes(shapes):
        fresh = targets_in(fixture_only, shapes, shape) - set(vocab.subjects())
        # a closed list (sh:in on the node) admits only vocabulary terms, which the fixtures reuse
        closed_list = shapes.value(shape, SH["in"]) is not None and targets_in(fixture_only, shapes, shape)
        if not (fresh or closed_list):
            missing_valid.append(str(shape))
        if not (shape_parts(shapes, shape) & expected_shapes):
            missing_invalid.append(str(shape))
    assert missing_valid == [], "node shapes without a focus node in the valid fixtures"
    assert missing_invalid == [], "node shapes no invalid fixture breaks"
