"""`bonemet export kgx`, run as a user runs it, checked offline against the pinned Biolink Model.

The kgx validator downloads the Biolink schema when imported; here the schema YAML shipped in the
biolink-model package (pinned in the test extra) is the reference instead.
"""

import csv
import subprocess
import sys
from collections import defaultdict
from importlib import resources
from pathlib import Path

import pytest
import yaml
from rdflib import RDF, RDFS, URIRef

from bonemet.curate.sssom import mapping_set_files, read_mapping_set
from bonemet.namespaces import BASE, BONEMET, OA
from conftest import ROOT

PROPERTY_SET = ROOT / "mappings" / "bonemet_properties.sssom.tsv"
USABLE = {"skos:exactMatch", "skos:closeMatch", "skos:broadMatch"}


def bonemet(*args):
    return subprocess.run([sys.executable, "-m", "bonemet.cli", *args], capture_output=True, text=True)


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def schema() -> dict:
    text = (resources.files("biolink_model") / "schema" / "biolink_model.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def export(built, tmp_path_factory):
    out = tmp_path_factory.mktemp("kgx") / "kgx"
    proc = bonemet("export", "kgx", "--dist", str(built.out), "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    return read_tsv(out / "nodes.tsv"), read_tsv(out / "edges.tsv")


def ancestors(elements: dict, name: str) -> list[str]:
    chain = []
    while name:
        chain.append(name)
        name = (elements[name] or {}).get("is_a")
    return chain


def class_names(schema) -> dict[str, str]:
    """biolink:CamelCase -> class name, the LinkML way of naming a class's CURIE."""
    return {"biolink:" + "".join(w[:1].upper() + w[1:] for w in name.split()): name for name in schema["classes"]}


def slot_name(schema, curie: str) -> str:
    name = curie.removeprefix("biolink:").replace("_", " ")
    assert name in schema["slots"], f"{curie} is not a slot of Biolink {schema['version']}"
    return name


def multi(cell: str) -> list[str]:
    return cell.split("|") if cell else []


def test_the_pinned_biolink_version(schema):
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f"biolink-model=={schema['version']}" in pyproject


def test_columns_are_biolink_slots(export, schema):
    nodes, edges = export
    columns = list(nodes[0]) + list(edges[0])
    assert len(columns) == 16
    for column in columns:
        slot_name(schema, column)


def test_categories_exist_and_are_concrete(export, schema):
    nodes, _ = export
    names = class_names(schema)
    categories = {c for n in nodes for c in multi(n["category"])}
    assert len(categories) >= 10
    for category in categories:
        assert category in names, category
        cls = schema["classes"][names[category]]
        assert not cls.get("mixin") and not cls.get("abstract") and not cls.get("deprecated"), category
        assert "named thing" in ancestors(schema["classes"], names[category]), category


def test_predicates_exist_and_are_relations(export, schema):
    _, edges = export
    predicates = {e["predicate"] for e in edges}
    assert len(predicates) >= 20
    for predicate in predicates:
        name = slot_name(schema, predicate)
        slot = schema["slots"][name]
        assert not slot.get("abstract") and not slot.get("deprecated"), predicate
        assert "related to" in ancestors(schema["slots"], name), predicate


def test_knowledge_level_and_agent_type_values(export, schema):
    _, edges = export
    levels = set(schema["enums"]["KnowledgeLevelEnum"]["permissible_values"])
    agents = set(schema["enums"]["AgentTypeEnum"]["permissible_values"])
    pairs = {(e["knowledge_level"], e["agent_type"]) for e in edges}
    assert pairs == {("knowledge_assertion", "manual_agent"), ("logical_entailment", "automated_agent")}
    for level, agent in pairs:
        assert level in levels and agent in agents


def test_one_edge_per_triple_between_nodes(export):
    nodes, edges = export
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids)) and all(i.startswith("bme:") for i in ids)
    triples = [(e["subject"], e["predicate"], e["object"]) for e in edges]
    assert len(triples) == len(set(triples))
    assert {e["subject"] for e in edges} | {e["object"] for e in edges} <= set(ids)
    assert all(e["primary_knowledge_source"] == "infores:bonemet" and e["has_evidence"] for e in edges)


def _alignment() -> dict[str, str]:
    ms = read_mapping_set(PROPERTY_SET)
    return {m.subject_id: m.object_id for m in ms.mappings
            if m.object_id.startswith("biolink:") and m.predicate_id in USABLE}


def test_predicates_come_from_the_alignment_set(export):
    _, edges = export
    aligned = _alignment()
    for e in edges:
        assert aligned[e["original_predicate"]] == e["predicate"], e
    assert len({e["original_predicate"] for e in edges}) >= 25


def test_categories_come_from_the_alignment_set(export, catalog):
    nodes, _ = export
    aligned = _alignment()

    def nearest(cls: str) -> set[str]:
        if f"bonemet:{cls}" in aligned:
            return {aligned[f"bonemet:{cls}"]}
        parents = catalog.ontology.objects(URIRef(BASE + cls), RDFS.subClassOf)
        return set().union(*(nearest(p[len(BASE):]) for p in parents if p.startswith(BASE)))

    checked = 0
    for node in nodes:
        entity = catalog.entities[node["id"].removeprefix("bme:")]
        assert set(multi(node["category"])) == (nearest(entity.cls) or {"biolink:NamedThing"}), node["id"]
        checked += 1
    assert checked == len(catalog.entities)


def test_names_synonyms_and_xrefs(export, catalog):
    nodes, _ = export
    xrefs = defaultdict(set)
    for path in mapping_set_files(ROOT):
        for m in read_mapping_set(path).mappings:
            if m.subject_id.startswith("bme:") and m.predicate_id in ("skos:exactMatch", "skos:closeMatch"):
                xrefs[m.subject_id].add(m.object_id)
    with_xref = 0
    for node in nodes:
        entity = catalog.entities[node["id"].removeprefix("bme:")]
        assert node["name"] == entity.label
        assert set(multi(node["xref"])) == xrefs[node["id"]], node["id"]
        with_xref += bool(node["xref"])
    assert with_xref >= 150
    assert sum(bool(n["synonym"]) for n in nodes) >= 100


def test_every_sourced_statement_is_an_edge_with_its_passage(export, built):
    _, edges = export
    by_key = {(e["subject"], e["original_predicate"], e["object"]): e for e in edges}
    aligned, g = _alignment(), built.asserted
    short = {"https://w3id.org/bonemet/entity/": "bme:", "https://w3id.org/bonemet/": "bonemet:"}

    def curie(iri) -> str:
        for ns, prefix in short.items():
            if str(iri).startswith(ns):
                return prefix + str(iri)[len(ns):]
        raise AssertionError(iri)

    checked = 0
    for st in g.subjects(RDF.type, BONEMET.SourcedStatement):
        s, p, o = (curie(g.value(st, x)) for x in (RDF.subject, RDF.predicate, RDF.object))
        if p not in aligned or not o.startswith("bme:"):
            continue
        edge = by_key.get((s, p, o)) or next(e for e in edges if (e["subject"], e["predicate"], e["object"])
                                                 == (s, aligned[p], o))
        assert edge["knowledge_level"] == "knowledge_assertion"
        assert "stmt:" + str(st).rsplit("/", 1)[1] in multi(edge["has_evidence"])
        evidence = g.value(st, BONEMET.evidence)
        selector = g.value(evidence, OA.hasSelector)
        passage = f"{g.value(evidence, OA.hasSource)}#char={g.value(selector, OA.start)},{g.value(selector, OA.end)}"
        assert passage in multi(edge["supporting_documents"]), (st, edge)
        checked += 1
    assert checked >= 500
    several = [e for e in edges if len(multi(e["supporting_documents"])) > 1]
    assert len(several) >= 50


def test_inferred_edges_name_their_derivations(export):
    _, edges = export
    inferred = [e for e in edges if e["knowledge_level"] == "logical_entailment"]
    assert len(inferred) >= 300
    for e in inferred:
        assert all(d.startswith("drv:") for d in multi(e["has_evidence"])), e
        assert not e["supporting_documents"]


def test_replacing_an_output_folder_leaves_nothing_else(built, tmp_path):
    out = tmp_path / "kgx"
    out.mkdir()
    (out / "stale.tsv").write_text("old\n")
    proc = bonemet("export", "kgx", "--dist", str(built.out), "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["edges.tsv", "nodes.tsv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kgx"]


BAD = {  # name -> (arrange(tmp_path) giving (dist, output), expected message)
    "no release": (lambda tmp: (tmp / "empty", tmp / "out"), "bonemet.nt not found; run `bonemet build` first"),
    "output is a file": (lambda tmp: (None, tmp / "out"), "exists and is not a folder"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_and_exit_2(case, built, tmp_path):
    assert len(BAD) == 2
    arrange, message = BAD[case]
    dist, out = arrange(tmp_path)
    if dist is None:
        dist = built.out
        out.write_text("keep me\n")
    else:
        dist.mkdir()
    proc = bonemet("export", "kgx", "--dist", str(dist), "--output", str(out))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr
    assert (out.read_text() == "keep me\n") if out.is_file() else not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_mapping_triples_on_ontology_terms_are_published(built):
    g = built.asserted
    ms = read_mapping_set(PROPERTY_SET)
    for m in ms.mappings:
        assert (ms.expand(m.subject_id), ms.expand(m.predicate_id), ms.expand(m.object_id)) in g, m.line
    assert (URIRef(ms.metadata["mapping_set_id"]), RDF.type, BONEMET.MappingSet) in g
