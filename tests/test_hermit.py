"""An independent OWL 2 DL reasoner (HermiT, bundled with owlready2) agrees the graph is consistent."""

import shutil

import pytest

owlready2 = pytest.importorskip("owlready2")
pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")


def hermit(*files):
    world = owlready2.World()
    for path in files:
        world.get_ontology(path.as_uri()).load(format="ntriples")
    try:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return False, []
    return True, list(world.inconsistent_classes())


def test_hermit_finds_graph_consistent_and_all_classes_satisfiable(built):
    consistent, unsatisfiable = hermit(built.out / "bonemet.nt", built.out / "bonemet-inferred.nt")
    assert consistent
    assert unsatisfiable == []


def test_hermit_catches_an_individual_in_disjoint_classes(built, tmp_path):
    bad = tmp_path / "bad.nt"
    bad.write_text((built.out / "bonemet.nt").read_text() +
                   "<https://w3id.org/bonemet/entity/Femur> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                   "<https://w3id.org/bonemet/Drug> .\n")
    consistent, _ = hermit(bad)
    assert not consistent
