"""The inferred graph adds what the ontology licenses, and nothing that is noise."""

from rdflib import OWL, RDF, BNode, Literal

from bonemet.namespaces import BME, BONEMET
from bonemet.reason.closure import VOCABULARY_NAMESPACES


def ancestors(g, site):
    seen, todo = set(), [site]
    while todo:
        for parent in g.objects(todo.pop(), BONEMET.partOf):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_metastasis_to_a_part_implies_metastasis_to_the_whole(built):
    a, i = built.asserted, built.inferred
    checked = 0
    for cancer, site in a.subject_objects(BONEMET.metastasizesTo):
        for whole in ancestors(a, site):
            if (cancer, BONEMET.metastasizesTo, whole) not in a:
                assert (cancer, BONEMET.metastasizesTo, whole) in i, (cancer, whole)
                checked += 1
    assert checked > 10


def test_thoracic_spine_metastasis_reaches_spine_and_skeleton(built):
    cancers = set(built.asserted.subjects(BONEMET.metastasizesTo, BME.ThoracicSpine))
    assert cancers, "some cancer is curated as spreading to the thoracic spine"
    union = built.asserted + built.inferred
    for cancer in cancers:
        assert (cancer, BONEMET.metastasizesTo, BME.Spine) in union
        assert (cancer, BONEMET.metastasizesTo, BME.Skeleton) in union


def test_inverse_subproperty_and_domain_entailments(built):
    a, i = built.asserted, built.inferred
    cancer, site = next(iter(a.subject_objects(BONEMET.metastasizesTo)))
    assert (site, BONEMET.receivesMetastasesFrom, cancer) in i
    # hasComplication is a sub-property of causes: every pair not already asserted with causes is inferred
    pairs = [(s, o) for s, o in a.subject_objects(BONEMET.hasComplication) if (s, BONEMET.causes, o) not in a]
    assert len(pairs) > 5
    for s, o in pairs:
        assert (s, BONEMET.causes, o) in i, (s, o)
    # class hierarchy: a cancer is a condition
    assert (BME.BreastCancer, RDF.type, BONEMET.Condition) in i


def test_inferred_graph_has_no_noise(built):
    for s, p, o in built.inferred:
        assert not isinstance(s, (Literal, BNode)) and not isinstance(o, BNode)
        assert not (p == OWL.sameAs and s == o)
        assert not str(s).startswith(VOCABULARY_NAMESPACES)
        assert (s, p, o) not in built.asserted
