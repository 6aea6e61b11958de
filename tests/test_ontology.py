"""The ontology's header and term documentation."""

from rdflib import DCTERMS, OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from bonemet import __version__
from bonemet.build.qc import qc_queries, run_qc
from bonemet.namespaces import BASE, ONTOLOGY_IRI
from conftest import ROOT


def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "bonemet.ttl")


def test_header_has_version_title_description_license_created(built):
    g = ontology()
    o = URIRef(ONTOLOGY_IRI)
    assert (o, RDF.type, OWL.Ontology) in g
    # the version lives in one place, bonemet.__version__; the edit file has none, the release is stamped
    assert g.value(o, OWL.versionInfo) is None and g.value(o, OWL.versionIRI) is None
    assert built.asserted.value(o, OWL.versionIRI) == URIRef(f"{BASE}releases/{__version__}/ontology")
    assert str(built.asserted.value(o, OWL.versionInfo)) == __version__
    for p in (DCTERMS.title, DCTERMS.description, DCTERMS.created):
        assert g.value(o, p) is not None, p
    assert g.value(o, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")


def test_every_class_and_property_has_label_and_definition():
    g = ontology()
    terms = [t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
             for t in g.subjects(RDF.type, kind) if isinstance(t, URIRef)]
    assert len(terms) > 60
    missing = [str(t) for t in terms
               if not any(isinstance(v, Literal) and v.language == "en" for v in g.objects(t, RDFS.label))
               or g.value(t, SKOS.definition) is None]
    assert missing == []


def test_every_entity_has_a_definition(catalog):
    assert [e.id for e in catalog.entities.values() if not e.definition] == []


def test_qc_queries_are_found_and_pass_on_the_build(built):
    assert len(qc_queries(ROOT)) >= 4
    assert run_qc(built.asserted, ROOT) == []


def test_each_qc_query_catches_its_fixture():
    """Every QC query has a fixture in tests/data/qc/ on which it reports at least one row."""
    queries = qc_queries(ROOT)
    for query in queries:
        check = query.name.removesuffix("-violation.rq")
        fixture = ROOT / "tests" / "data" / "qc" / f"{check}.ttl"
        assert fixture.is_file(), f"no fixture for {query.name}"
        rows = [v for v in run_qc(Graph().parse(fixture), ROOT) if v.check == check]
        assert rows, f"{query.name} found nothing in {fixture.name}"
