"""What the curated tables may refer to: entities, ontology classes and properties, sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from bonemet.curate.tables import Row, TableError, as_int, read_table, split_ids
from bonemet.namespaces import BASE
from bonemet.project import current

ENTITY_COLUMNS = ["id", "class", "label", "alt_labels", "subtype_of", "part_of", "definition"]
SOURCE_COLUMNS = ["id", "file", "sha256", "characters", "title", "publisher", "date", "language"]


@dataclass
class Entity:
    id: str
    cls: str
    label: str
    alt_labels: list[str]
    subtype_of: list[str]
    part_of: list[str]
    definition: str
    row: Row

    @property
    def names(self) -> list[str]:
        return [self.label, *self.alt_labels]


@dataclass
class Source:
    id: str
    file: str
    sha256: str
    characters: int
    title: str
    publisher: str
    date: str
    language: str


@dataclass
class Catalog:
    ontology: Graph
    entities: dict[str, Entity]
    sources: dict[str, Source]
    classes: set[str] = field(default_factory=set)
    object_properties: set[str] = field(default_factory=set)
    individuals: dict[str, str] = field(default_factory=dict)  # controlled values -> class

    def superclasses(self, cls: str) -> set[str]:
        """cls and all its named superclasses, as local names."""
        seen = {cls}
        todo = [URIRef(BASE + cls)]
        while todo:
            for sup in self.ontology.objects(todo.pop(), RDFS.subClassOf):
                if isinstance(sup, URIRef) and sup.startswith(BASE):
                    name = sup[len(BASE):]
                    if name not in seen:
                        seen.add(name)
                        todo.append(sup)
        return seen

    def domain_range(self, prop: str) -> tuple[str | None, str | None]:
        """Declared domain and range of a property, searching its super-properties too."""
        todo, seen = [URIRef(BASE + prop)], set()
        domain = range_ = None
        while todo:
            p = todo.pop()
            seen.add(p)
            d = str(self.ontology.value(p, RDFS.domain) or "")
            r = str(self.ontology.value(p, RDFS.range) or "")
            if domain is None and d.startswith(BASE):
                domain = d[len(BASE):]
            if range_ is None and r.startswith(BASE):
                range_ = r[len(BASE):]
            todo += [s for s in self.ontology.objects(p, RDFS.subPropertyOf) if isinstance(s, URIRef) and s not in seen]
        return domain, range_


def load_catalog(root: Path | None = None) -> Catalog:
    root = root or current().root
    ontology_path = root / "ontology" / "bonemet.ttl"
    ontology = Graph()
    try:
        ontology.parse(ontology_path, format="turtle")
    except Exception as exc:  # rdflib raises several parser exception types
        raise TableError(f"{ontology_path}: not valid Turtle: {exc}") from None
    def local(term) -> str:
        return str(term)[len(BASE):] if isinstance(term, URIRef) and term.startswith(BASE) else ""

    classes = {n for n in map(local, ontology.subjects(RDF.type, OWL.Class)) if n}
    props = {n for n in map(local, ontology.subjects(RDF.type, OWL.ObjectProperty)) if n}
    individuals: dict[str, str] = {}
    for s, o in ontology.subject_objects(RDF.type):
        if local(s) and local(o) in classes and local(s) not in classes:
            individuals[local(s)] = local(o)

    entities: dict[str, Entity] = {}
    for row in read_table(root / "mappings" / "entities.tsv", ENTITY_COLUMNS):
        eid = row["id"]
        if eid in entities:
            raise TableError(f"{row.where()}: entity id '{eid}' already defined at line {entities[eid].row.line}")
        if not eid.isidentifier():
            raise TableError(f"{row.where()}: entity id '{eid}' must be an UpperCamel identifier")
        if row["class"] not in classes:
            raise TableError(f"{row.where()}: class '{row['class']}' is not a class of the ontology")
        if not row["label"]:
            raise TableError(f"{row.where()}: entity '{eid}' has no label")
        entities[eid] = Entity(eid, row["class"], row["label"], split_ids(row["alt_labels"]),
                               split_ids(row["subtype_of"]), split_ids(row["part_of"]), row["definition"], row)
    # curators working in parallel propose new entities and synonyms in mappings/proposed/
    for path in sorted((root / "mappings" / "proposed").glob("*.tsv")):
        for row in read_table(path, ["id", "class", "label", "alt_labels"]):
            eid = row["id"]
            if eid in entities:
                entities[eid].alt_labels += [a for a in split_ids(row["alt_labels"]) if a not in entities[eid].alt_labels]
                continue
            if row["class"] not in classes or not row["label"] or not eid.isidentifier():
                raise TableError(f"{row.where()}: proposed entity '{eid}' needs an identifier id, a known class and a label")
            entities[eid] = Entity(eid, row["class"], row["label"], split_ids(row["alt_labels"]),
                                   split_ids(row["subtype_of"]), split_ids(row["part_of"]), row["definition"], row)
    sources = {}
    for row in read_table(root / "mappings" / "sources.tsv", SOURCE_COLUMNS):
        sources[row["id"]] = Source(row["id"], row["file"], row["sha256"], as_int(row, "characters"),
                                    row["title"], row["publisher"], row["date"], row["language"])
    catalog = Catalog(ontology, entities, sources, classes, props, individuals)
    for ent in entities.values():
        for parent in ent.subtype_of + ent.part_of:
            if parent not in entities:
                raise TableError(f"{ent.row.where()}: parent '{parent}' of '{ent.id}' is not an entity")
        for parent in ent.part_of:
            for end in (ent, entities[parent]):
                if "AnatomicalSite" not in catalog.superclasses(end.cls):
                    raise TableError(f"{ent.row.where()}: part_of relates anatomical sites, but '{end.id}' "
                                     f"is a {end.cls}; use subtype_of for kinds")
    return catalog
