"""SSSOM mapping sets (mappings/bonemet_*.sssom.tsv): reading, checking, and turning into RDF.

Checks follow the SSSOM specification's rules for the SSSOM/TSV format: a YAML metadata block
(lines starting with '#') with curie_map, mapping_set_id and license; a table whose required
slots are subject_id, predicate_id, object_id and mapping_justification; CURIEs whose prefixes the
curie_map (or the built-in prefixes) defines; justifications from the SEMAPV vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from rdflib import DCTERMS, OWL, RDF, RDFS, Graph, Literal, URIRef

from bonemet.curate.tables import TableError
from bonemet.namespaces import BASE, BONEMET, PREFIXES, PROV

BUILTIN_PREFIXES = {name: PREFIXES[name] for name in ("skos", "semapv", "owl", "rdfs", "sssom", "linkml")}
PREDICATES = {"skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch"}
JUSTIFICATIONS = {f"semapv:{j}" for j in (
    "ManualMappingCuration", "LexicalMatching", "LogicalReasoning", "CompositeMatching", "UnspecifiedMatching",
    "SemanticSimilarityThresholdMatching", "LexicalSimilarityThresholdMatching", "MappingChaining",
    "MappingReview", "MappingInversion", "StructuralMatching", "InstanceBasedMatching", "BackgroundKnowledgeBasedMatching")}
REQUIRED_COLUMNS = ["subject_id", "predicate_id", "object_id", "mapping_justification"]
REQUIRED_METADATA = ["curie_map", "mapping_set_id", "license"]


@dataclass
class Mapping:
    line: int
    subject_id: str
    subject_label: str
    predicate_id: str
    object_id: str
    object_label: str
    mapping_justification: str
    comment: str


@dataclass
class MappingSet:
    path: Path
    metadata: dict
    mappings: list[Mapping]

    @property
    def prefixes(self) -> dict[str, str]:
        return BUILTIN_PREFIXES | dict(self.metadata.get("curie_map") or {})

    def expand(self, curie: str) -> URIRef:
        prefix, _, local = curie.partition(":")
        return URIRef(self.prefixes[prefix] + local)


def mapping_set_files(root: Path) -> list[Path]:
    return sorted((root / "mappings").glob("*.sssom.tsv"))


def read_mapping_set(path: Path) -> MappingSet:
    """Parse and check one SSSOM/TSV file; problems raise TableError naming file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TableError(f"{path}: cannot read: {exc}") from None
    header_lines = [ln[1:] for ln in lines if ln.startswith("#")]
    table = [(n, ln) for n, ln in enumerate(lines, start=1) if not ln.startswith("#") and ln.strip()]
    try:
        metadata = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.YAMLError as exc:
        raise TableError(f"{path}: the '#' metadata block is not valid YAML: {exc}") from None
    if not isinstance(metadata, dict):
        raise TableError(f"{path}: the metadata block must be a YAML mapping")
    for key in REQUIRED_METADATA:
        if not metadata.get(key):
            raise TableError(f"{path}: metadata lacks '{key}'")
    if not table:
        raise TableError(f"{path}: no mapping table")
    head_line, head = table[0]
    columns = head.split("\t")
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise TableError(f"{path}:{head_line}: table lacks column(s) {', '.join(missing)}")
    ms = MappingSet(path, metadata, [])
    seen: dict[tuple[str, str, str], int] = {}
    for number, row in table[1:]:
        cells = row.split("\t")
        if len(cells) > len(columns):
            raise TableError(f"{path}:{number}: {len(cells)} fields but the header has {len(columns)}")
        v = {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns)}
        for c in REQUIRED_COLUMNS:
            if not v[c]:
                raise TableError(f"{path}:{number}: '{c}' is empty")
        for column in ("subject_id", "predicate_id", "object_id", "mapping_justification"):
            prefix, sep, local = v[column].partition(":")
            if not sep or not local or prefix not in ms.prefixes:
                raise TableError(f"{path}:{number}: {column} '{v[column]}' is not a CURIE with a prefix of the curie_map")
        if v["predicate_id"] not in PREDICATES:
            raise TableError(f"{path}:{number}: predicate_id '{v['predicate_id']}' must be one of {sorted(PREDICATES)}")
        if v["mapping_justification"] not in JUSTIFICATIONS:
            raise TableError(f"{path}:{number}: mapping_justification '{v['mapping_justification']}' is not a SEMAPV term")
        triple = (v["subject_id"], v["predicate_id"], v["object_id"])
        if triple in seen:
            raise TableError(f"{path}:{number}: the same mapping is already on line {seen[triple]}")
        seen[triple] = number
        ms.mappings.append(Mapping(number, v["subject_id"], v.get("subject_label", ""), v["predicate_id"],
                                   v["object_id"], v.get("object_label", ""), v["mapping_justification"],
                                   v.get("comment", "")))
    return ms


def _is_ours(subject: URIRef, entity_ids: set[str], ontology_terms: frozenset[str]) -> bool:
    """An entity of the catalog, or a class or property of the ontology (the alignment set's subjects)."""
    iri = str(subject)
    if iri.startswith(BASE + "entity/"):
        return iri[len(BASE + "entity/"):] in entity_ids
    return iri.startswith(BASE) and iri[len(BASE):] in ontology_terms


def mapping_graph(sets: list[MappingSet], entity_ids: set[str], ontology_terms: frozenset[str] = frozenset()) -> Graph:
    """skos mapping triples on our entities and ontology terms, each described by a bonemet:Mapping with
    its set as source."""
    g = Graph()
    for ms in sets:
        set_iri = URIRef(ms.metadata["mapping_set_id"])
        g.add((set_iri, RDF.type, BONEMET.MappingSet))
        g.add((set_iri, RDF.type, OWL.NamedIndividual))
        g.add((set_iri, RDFS.label, Literal(f"mapping set {ms.path.name}", lang="en")))
        g.add((set_iri, DCTERMS.license, URIRef(ms.metadata["license"])))
        stem = ms.path.name.removesuffix(".sssom.tsv")
        for n, m in enumerate(ms.mappings, start=1):
            subject = ms.expand(m.subject_id)
            if not _is_ours(subject, entity_ids, ontology_terms):
                raise TableError(f"{ms.path}:{m.line}: subject_id '{m.subject_id}' is not an entity or ontology term of ours")
            predicate, obj = ms.expand(m.predicate_id), ms.expand(m.object_id)
            g.add((subject, predicate, obj))
            node = URIRef(f"{BASE}mapping/{stem}/{n:04d}")
            g.add((node, RDF.type, BONEMET.Mapping))
            g.add((node, RDF.type, OWL.NamedIndividual))
            g.add((node, RDFS.label, Literal(f"mapping {stem} {n:04d}", lang="en")))
            g.add((node, RDF.subject, subject))
            g.add((node, RDF.predicate, predicate))
            g.add((node, RDF.object, obj))
            g.add((node, PROV.wasDerivedFrom, set_iri))
            g.add((node, BONEMET.mappingJustification, ms.expand(m.mapping_justification)))
            if m.object_label:
                g.add((node, BONEMET.objectLabel, Literal(m.object_label)))
            if m.comment:
                g.add((node, RDFS.comment, Literal(m.comment)))
    return g
