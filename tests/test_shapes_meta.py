"""The shapes themselves: valid SHACL (W3C shapes for shapes), consistent with the ontology,
documented, and able to catch mutations of the built graph."""

from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH

from bonemet.io import load_rdf
from bonemet.namespaces import BME, BONEMET, OA
from bonemet.validate.api import default_shape_files, validate
from conftest import ROOT

SHSH = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_rdf(default_shape_files())


def test_shapes_conform_to_shacl_shacl(shapes):
    conforms, _report, text = pyshacl.validate(shapes, shacl_graph=Graph().parse(SHSH), inference="none")
    assert conforms, text


def test_every_shape_explains_itself(shapes):
    shape_nodes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    assert len(shape_nodes) > 80
    silent = [str(s) for s in shape_nodes
              if not (shapes.value(s, SH.message) or (shapes.value(s, SH.name) and shapes.value(s, SH.description))
                      or (shapes.value(s, SH.name) and shapes.value(s, SH.message)))]
    assert silent == []
    for s in shape_nodes:
        assert shapes.value(s, SH.name) is not None, s
        assert isinstance(s, URIRef), "shapes have IRIs so results can name them"


def test_every_ranged_object_property_has_a_class_constraint(shapes):
    onto = Graph().parse(ROOT / "ontology" / "bonemet.ttl")
    missing = []
    for prop in onto.subjects(RDF.type, OWL.ObjectProperty):
        rng = onto.value(prop, RDFS.range)
        if not str(prop).startswith(str(BONEMET)) or rng is None or not str(rng).startswith(str(BONEMET)):
            continue
        constrained = any(shapes.value(ps, SH["class"]) == rng or shapes.value(ps, SH["in"]) is not None
                          for ps in shapes.subjects(SH.path, prop))
        if not constrained:
            missing.append(str(prop))
    assert missing == []


def test_every_class_with_instances_is_targeted(built, shapes):
    targeted = set(shapes.objects(None, SH.targetClass))
    instance_classes = {o for o in built.asserted.objects(None, RDF.type)
                        if str(o).startswith((str(BONEMET), str(OA))) }
    assert instance_classes - targeted == set()


def test_built_graph_conforms(built, shapes):
    report = validate(built.asserted, shapes, with_vocabulary=False)
    assert report.results == []


def remove_label(g):
    g.remove((BME.Femur, RDFS.label, None))


def swap_range(g):
    g.add((BME.BreastCancer, BONEMET.metastasizesTo, BME.Pamidronate))


def percent_over_100(g):
    stat = next(s for s in g.subjects(BONEMET.unit, BONEMET.Percent))
    g.set((stat, BONEMET.maxValue, Literal("140.0", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))))


def break_offset(g):
    sel = next(g.subjects(RDF.type, OA.TextPositionSelector))
    end = g.value(sel, OA.end)
    g.set((sel, OA.start, Literal(int(end) + 5, datatype=end.datatype)))


def drop_evidence(g):
    stmt = next(g.subjects(RDF.type, BONEMET.SourcedStatement))
    g.remove((stmt, BONEMET.evidence, None))


MUTATIONS = {  # mutation -> shape that must catch it
    "drop a label": (remove_label, "https://w3id.org/bonemet/shapes/label"),
    "swap a range": (swap_range, "https://w3id.org/bonemet/shapes/Cancer-metastasizesTo"),
    "percentage over 100": (percent_over_100, "https://w3id.org/bonemet/shapes/Statistic"),
    "break an offset": (break_offset, "https://w3id.org/bonemet/shapes/TextPosition-start"),
    "drop the evidence": (drop_evidence, "https://w3id.org/bonemet/shapes/evidence"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutation_of_built_graph_is_caught(name, built, shapes):
    mutate, shape = MUTATIONS[name]
    g = Graph()
    g += built.asserted
    mutate(g)
    report = validate(g, shapes, with_vocabulary=False)
    assert report.fails("violation")
    assert shape in {r.sourceShape for r in report.results}
