"""The release as KGX TSV (nodes.tsv, edges.tsv) in Biolink terms, for Translator-style tools.

Everything comes from the release in dist/ (an installed wheel has no curated tables): the entities and
their labels, synonyms, definitions and mappings; the relations between entities, asserted (with the
sourced or curated statements behind them) and inferred (with their derivations); and the alignment of
our classes and properties with Biolink, which the build publishes from
mappings/bonemet_properties.sssom.tsv as skos mapping triples on the ontology terms. So there is no
second, hand-kept table of Biolink terms here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from bonemet.io import open_store
from bonemet.namespaces import BASE, BME, PREFIXES, curie, external_curie, sparql_prologue

BIOLINK = PREFIXES["biolink"]
# Translator names knowledge sources with infores CURIEs; bonemet has no registered one yet, so this
# is the id we propose, used for every edge.
KNOWLEDGE_SOURCE = "infores:bonemet"
# Biolink's root category, for entities whose class the alignment leaves out (e.g. medical specialties)
ROOT_CATEGORY = "biolink:NamedThing"
# A broader Biolink term is still true of our triple; a narrower one would claim more than it says.
USABLE_MATCHES = ("exactMatch", "closeMatch", "broadMatch")
# (knowledge_level, agent_type): curators read the statement in a source, or OWL 2 RL derived it
ASSERTED = ("knowledge_assertion", "manual_agent")
INFERRED = ("logical_entailment", "automated_agent")

NODE_COLUMNS = ["id", "category", "name", "description", "synonym", "xref", "provided_by"]
EDGE_COLUMNS = ["subject", "predicate", "object", "original_predicate", "knowledge_level", "agent_type",
                "primary_knowledge_source", "has_evidence", "supporting_documents"]
RELEASE_FILES = ("bonemet.nt", "bonemet-inferred.nt", "bonemet-derivations.nt")


class ExportError(Exception):
    """The release or the output folder cannot be used; the message says which and why."""


@dataclass
class Edge:
    subject: str
    predicate: str
    object: str
    original_predicate: str
    level: tuple[str, str]
    evidence: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)

    def row(self) -> list[str]:
        return [self.subject, self.predicate, self.object, self.original_predicate, *self.level,
                KNOWLEDGE_SOURCE, _multi(self.evidence), _multi(self.documents)]


@dataclass
class KgxTables:
    nodes: list[list[str]]
    edges: list[list[str]]
    left_out: dict[str, int]       # our property -> triples not exported, for want of a Biolink predicate


def _multi(values) -> str:
    return "|".join(sorted(values))


def _cell(text: str) -> str:
    # TSV cells are one line; a pipe would split a value of a multi-valued column
    return " ".join(text.split()).replace("|", "/")


def _curie(term: ox.NamedNode) -> str:
    return curie(term.value) or term.value


def _select(store: ox.Store, query: str) -> list[tuple]:
    result = store.query(sparql_prologue("rdf", "rdfs", "owl", "skos", "bonemet", "oa", "prov") + query)
    assert isinstance(result, ox.QuerySolutions)
    return [tuple(row[v] for v in result.variables) for row in result]


def _alignment(store: ox.Store) -> dict[str, str]:
    """Our class or property IRI -> its Biolink term, read from the published alignment."""
    ranked: dict[str, tuple[int, str]] = {}
    query = f"""
        SELECT ?term ?match ?target WHERE {{
          VALUES ?match {{ skos:exactMatch skos:closeMatch skos:broadMatch }}
          ?term ?match ?target .
          FILTER(STRSTARTS(STR(?target), "{BIOLINK}") && !STRSTARTS(STR(?term), "{BME}"))
        }}"""
    for term, match, target in _select(store, query):
        rank = (USABLE_MATCHES.index(match.value.rsplit("#", 1)[1]), target.value)
        if term.value not in ranked or rank < ranked[term.value]:
            ranked[term.value] = rank
    return {term: curie(target) or target for term, (_, target) in ranked.items()}


def _categories(store: ox.Store, aligned: dict[str, str]) -> dict[str, list[str]]:
    """Entity IRI -> the Biolink categories of its nearest aligned classes."""
    parents: dict[str, set[str]] = defaultdict(set)
    for cls, parent in _select(store, "SELECT ?c ?p WHERE { ?c rdfs:subClassOf ?p . ?c a owl:Class }"):
        parents[cls.value].add(parent.value)

    def nearest(cls: str, seen: frozenset[str] = frozenset()) -> set[str]:
        if cls in aligned:
            return {aligned[cls]}
        return set().union(*(nearest(p, seen | {cls}) for p in parents[cls] if p not in seen))

    found: dict[str, set[str]] = defaultdict(set)
    for entity, cls in _select(store, """SELECT ?e ?c WHERE { ?e a owl:NamedIndividual, ?c .
                                          FILTER(?c != owl:NamedIndividual) }"""):
        if entity.value.startswith(str(BME)) and "#" not in entity.value:
            found[entity.value] |= nearest(cls.value)
    return {e: sorted(cats) or [ROOT_CATEGORY] for e, cats in found.items()}


def _nodes(store: ox.Store, aligned: dict[str, str]) -> list[list[str]]:
    names: dict[str, str] = {}
    texts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for entity, prop, value in _select(store, """
        SELECT ?e ?p ?v WHERE {
          VALUES ?p { rdfs:label skos:definition skos:altLabel skos:exactMatch skos:closeMatch }
          ?e a owl:NamedIndividual ; ?p ?v .
        }"""):
        key = prop.value.rsplit("#", 1)[1]
        if key == "label":
            names[entity.value] = value.value
        else:
            is_xref = key in ("exactMatch", "closeMatch")
            texts[entity.value][key].add(external_curie(value.value) or value.value if is_xref else _cell(value.value))
    rows = []
    for entity, categories in sorted(_categories(store, aligned).items()):
        t = texts[entity]
        rows.append([curie(entity) or entity, _multi(categories), _cell(names.get(entity, "")),
                     _multi(t["definition"]), _multi(t["altLabel"]), _multi(t["exactMatch"] | t["closeMatch"]),
                     KNOWLEDGE_SOURCE])
    return rows


def _is_entity(term) -> bool:
    return isinstance(term, ox.NamedNode) and term.value.startswith(str(BME)) and "#" not in term.value


def _edges(asserted: ox.Store, inferred: ox.Store, aligned: dict[str, str]) -> tuple[dict[tuple, Edge], dict[str, int]]:
    """Our triples between entities -> their Biolink edge; two of our properties with one Biolink
    predicate (hasComplication and causes) make one edge, asserted if either triple is."""
    edges: dict[tuple[str, str, str], Edge] = {}
    by_triple: dict[tuple[str, str, str], Edge] = {}
    left_out: dict[str, int] = defaultdict(int)
    for store, level in ((asserted, ASSERTED), (inferred, INFERRED)):
        for s, p, o in sorted(_select(store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"), key=str):
            if not (_is_entity(s) and _is_entity(o) and p.value.startswith(BASE)):
                continue
            if p.value not in aligned:
                left_out[_curie(p)] += 1
                continue
            key = (_curie(s), aligned[p.value], _curie(o))
            if key not in edges:
                edges[key] = Edge(key[0], key[1], key[2], _curie(p), level)
            by_triple[(s.value, p.value, o.value)] = edges[key]
    return by_triple, dict(left_out)


def _add_statements(by_triple: dict[tuple, Edge], asserted: ox.Store) -> None:
    """The statements behind asserted triples: sourced ones with their passages, or curators' links."""
    for st, s, p, o, source, start, end in _select(asserted, """
        SELECT ?st ?s ?p ?o ?source ?start ?end WHERE {
          ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
          { ?st a bonemet:SourcedStatement ; bonemet:evidence ?ev .
            ?ev oa:hasSource ?source ; oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end }
          UNION { ?st a bonemet:CuratedStatement }
        }"""):
        edge = by_triple.get((s.value, p.value, o.value))
        if edge is None:
            continue
        edge.evidence.add(_curie(st))
        if source is not None:
            # RFC 5147 fragment: the source document's IRI with the passage's character range
            edge.documents.add(f"{source.value}#char={start.value},{end.value}")


def _add_derivations(by_triple: dict[tuple, Edge], derivations: ox.Store) -> None:
    for d, s, p, o in _select(derivations, """
        SELECT ?d ?s ?p ?o WHERE { ?d a bonemet:Derivation ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }"""):
        edge = by_triple.get((s.value, p.value, o.value))
        if edge is not None:
            edge.evidence.add(_curie(d))


def release_files(dist: Path) -> list[Path]:
    missing = [dist / name for name in RELEASE_FILES if not (dist / name).is_file()]
    if missing:
        raise ExportError(f"{missing[0]} not found; run `bonemet build` first")
    return [dist / name for name in RELEASE_FILES]


def kgx_tables(dist: Path) -> KgxTables:
    asserted_nt, inferred_nt, derivations_nt = release_files(dist)
    asserted, inferred = open_store([asserted_nt]), open_store([inferred_nt])
    aligned = _alignment(asserted)
    by_triple, left_out = _edges(asserted, inferred, aligned)
    _add_statements(by_triple, asserted)
    _add_derivations(by_triple, open_store([derivations_nt]))
    rows = sorted(e.row() for e in {id(e): e for e in by_triple.values()}.values())
    return KgxTables(_nodes(asserted, aligned), rows, left_out)


def _tsv(columns: list[str], rows: list[list[str]]) -> str:
    return "".join("\t".join(r) + "\n" for r in [columns, *rows])


def write_kgx(dist: Path, output: Path) -> KgxTables:
    """nodes.tsv and edges.tsv in `output`, which appears complete or not at all."""
    if output.exists() and not output.is_dir():
        raise ExportError(f"{output} exists and is not a folder")
    tables = kgx_tables(dist)
    parent = output.absolute().parent
    staging = None
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=parent))
        (staging / "nodes.tsv").write_text(_tsv(NODE_COLUMNS, tables.nodes), encoding="utf-8")
        (staging / "edges.tsv").write_text(_tsv(EDGE_COLUMNS, tables.edges), encoding="utf-8")
        if output.is_dir():
            # a folder cannot be swapped in one step: move the old one aside, then drop it
            old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old.", dir=parent))
            os.replace(output, old / output.name)
            os.replace(staging, output)
            shutil.rmtree(old)
        else:
            os.replace(staging, output)
    except OSError as exc:
        if staging is not None and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        raise ExportError(f"cannot write {output}: {exc.strerror or exc}") from None
    return tables
