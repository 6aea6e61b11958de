"""What a resource page says, organised by meaning rather than by triple.

A page is gathered with a few bounded SELECTs, so it stays small whatever is loaded beside the graph:
- its own triples (labels, types, synonyms, mapped terms, and the relations to other entities);
- the reified statements about it: each source's claim of a relation, with its frequency word,
  passage and curator's note, and the mapping records behind mapped terms;
- the statistics about it, as figures per source;
- the links pointing here, counted per property. Those of our own relations within the knowledge
  graph become rows of their relation, phrased from this page's side (an inverse property's label
  where the ontology has one); the rest (a registry's records, a source's statements) are groups that
  show their first rows and link to a paged list.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from bonemet.namespaces import BASE, GRAPH, sparql_prologue
from bonemet.serve.heatmap import FREQUENCY_ORDER
from bonemet.serve.rules import RuleFamilies

Select = Callable[[str, int], list[dict]]   # (query, row limit) -> SPARQL JSON bindings

ENTITY = BASE + "entity/"
KNOWLEDGE = (str(GRAPH["asserted"]), str(GRAPH["inferred"]))
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
HEADER = {RDFS_LABEL, SKOS + "altLabel", SKOS + "definition", RDF + "type"}
MATCHES = {SKOS + m for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")}
# links shown elsewhere on the page: statements and mapping records (rows' sources), statistics (figures)
ELSEWHERE = (RDF + "subject", RDF + "object", BASE + "aboutCancer", BASE + "measures")

FIRST_ROWS = 10        # rows of a group on the page itself
PAGE_ROWS = 100        # rows per ?page= of a group's list
FACT_LIMIT = 200       # incoming relation links shown as rows; more make a paged group
ROW_LIMIT = 5_000      # bound on any other list a page asks for

PROLOGUE = sparql_prologue("rdf", "rdfs", "oa", "prov", "bonemet")
OWN = PROLOGUE + """SELECT ?p ?o ?g ?olabel ?plabel ?start ?end WHERE {
  GRAPH ?g { <IRI> ?p ?o }
  OPTIONAL { ?o oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end }
  OPTIONAL { ?o rdfs:label ?ownlabel }
  OPTIONAL { ?mapping a bonemet:Mapping ; rdf:object ?o ; bonemet:objectLabel ?maplabel }
  BIND(COALESCE(?ownlabel, ?maplabel) AS ?olabel)
  OPTIONAL { ?p rdfs:label ?plabel }
}"""
# any reified triple about this resource: sourced statements, mapping records (from a mapping set) and
# derivations (why an inferred triple holds); not the asserted triples derivations name as premises
STATEMENTS = PROLOGUE + """SELECT ?st ?s ?p ?o ?source ?frequency ?flabel ?start ?end ?note ?rule ?basis WHERE {
  { ?st rdf:subject <IRI> } UNION { ?st rdf:object <IRI> }
  ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  FILTER NOT EXISTS { ?st a bonemet:AssertedTriple }
  OPTIONAL { ?st bonemet:rule ?rule }
  OPTIONAL { ?st prov:wasDerivedFrom ?source }
  OPTIONAL { ?st bonemet:frequency ?frequency OPTIONAL { ?frequency rdfs:label ?flabel } }
  OPTIONAL { ?st bonemet:evidence/oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end }
  OPTIONAL { ?st bonemet:curationNote|bonemet:rationale ?note }
  OPTIONAL { ?st a bonemet:CuratedStatement ; bonemet:curationBasis/rdfs:label ?basis }
}"""
FIGURES = PROLOGUE + """SELECT ?stat ?p ?o ?olabel ?start ?end WHERE {
  { SELECT DISTINCT ?stat WHERE { { ?stat bonemet:aboutCancer <IRI> } UNION { ?stat bonemet:measures <IRI> } }
    LIMIT 500 }
  ?stat ?p ?o .
  OPTIONAL { ?o rdfs:label ?olabel }
  OPTIONAL { ?o oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end }
}"""
ELSEWHERE_FILTER = "FILTER(?p NOT IN (" + ", ".join(f"<{p}>" for p in ELSEWHERE) + "))"
# ?outside: 1 when some of the links are outside the knowledge graph (a registry loaded with --data)
GROUPS = PROLOGUE + f"""SELECT ?p ?n ?outside ?plabel WHERE {{
  {{ SELECT ?p (COUNT(DISTINCT ?s) AS ?n) (MAX(?k) AS ?outside) WHERE {{
      GRAPH ?g {{ ?s ?p <IRI> }} {ELSEWHERE_FILTER}
      BIND(IF(?g IN (<{KNOWLEDGE[0]}>, <{KNOWLEDGE[1]}>), 0, 1) AS ?k) }} GROUP BY ?p }}
  OPTIONAL {{ ?p rdfs:label ?plabel }}
}}"""
INCOMING = PROLOGUE + """SELECT ?s ?p ?g ?olabel WHERE {
  VALUES ?p { PROPS } GRAPH ?g { ?s ?p <IRI> } OPTIONAL { ?s rdfs:label ?olabel }
}"""
# a page of one group: its subjects, then their labels and graphs. Sorting by IRI costs Oxigraph about
# 50 µs a row (half a second for a cancer of a 33,000-patient registry), so the embedded store pages in
# its own index order, which is stable: every worker is forked from one loaded store. An external
# store promises no order without ORDER BY, so it is asked for one.
GROUP_PAGE = "SELECT DISTINCT ?s WHERE { ?s <PROP> <IRI> } ORDER_BY LIMIT ROWS OFFSET SKIP"
GROUP_COUNT = PROLOGUE + """SELECT ?n ?plabel WHERE {
  { SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s <PROP> <IRI> } } OPTIONAL { <PROP> rdfs:label ?plabel }
} LIMIT 1"""
GROUP_ROWS = PROLOGUE + """SELECT ?s ?g ?olabel WHERE {
  VALUES ?s { SUBJECTS } GRAPH ?g { ?s <PROP> <IRI> } OPTIONAL { ?s rdfs:label ?olabel }
}"""


def label_query(iri: str) -> str:
    return f"SELECT ?o WHERE {{ <{iri}> <{RDFS_LABEL}> ?o }} LIMIT 1"


def _v(row: dict, key: str) -> str | None:
    return row[key]["value"] if key in row else None


def _fill(template: str, **values: str) -> str:
    """The placeholders replaced in one pass, so a value holding a placeholder's name stays as it is."""
    keys = re.compile("|".join(sorted(map(re.escape, values), key=len, reverse=True)))
    return keys.sub(lambda m: values[m.group(0)], template)


@dataclass
class Claim:
    """One reified statement of a row: who says it, how strongly, and where."""
    statement: str
    source: str | None
    frequency: str | None          # the word, e.g. "most often"
    rank: int                      # its place in FREQUENCY_ORDER; len(...) when none
    start: str | None
    end: str | None
    note: str | None
    rule: str | None = None        # set for a derivation: the OWL 2 RL rule that yields the triple
    basis: str | None = None       # set for a curated link: what it rests on instead of a source

    @property
    def source_name(self) -> str:
        """'source 002' for our documents, a mapping set's file name for mapping records."""
        if self.source is None:
            return "no source recorded"
        tail = self.source.rsplit("/", 1)[-1]
        return f"source {tail}" if self.source.startswith(BASE + "source/") else tail


@dataclass
class Row:
    """A related resource on this page, with the claims of every source that states the link."""
    other: dict                   # SPARQL JSON term
    label: str | None
    asserted: bool = False
    claims: list[Claim] = field(default_factory=list)

    @property
    def stated(self) -> list[Claim]:
        """The sources' claims (a derivation explains a row, it does not state it)."""
        return [c for c in self.claims if c.rule is None and c.basis is None]

    @property
    def curation(self) -> Claim | None:
        """The curators' record of a link no source states, with its basis and rationale."""
        return next((c for c in self.claims if c.basis is not None), None)

    @property
    def derivation(self) -> Claim | None:
        return next((c for c in self.claims if c.rule is not None), None)

    @property
    def words(self) -> list[str]:
        return sorted({c.frequency for c in self.stated if c.frequency},
                      key=lambda w: min(c.rank for c in self.stated if c.frequency == w))

    @property
    def differ(self) -> bool:
        """Sources give the link different strengths: shown side by side, never merged."""
        return len(self.words) > 1

    @property
    def rank(self) -> int:
        return min((c.rank for c in self.stated), default=len(FREQUENCY_ORDER))


@dataclass
class Relation:
    prop: str
    phrase: str                   # read from this page: "metastasizes to", "receives metastases from"
    backwards: bool               # an incoming link with no inverse property: "… spreads via this"
    rows: list[Row]
    rules: list[tuple[str, str]]  # rule families that can infer it (for rows no source states)


@dataclass
class Group:
    prop: str
    label: str | None
    count: int
    rows: list[Row]


@dataclass
class Figure:
    statistic: str
    kind: str | None
    value: str
    measures: list[tuple[str, str | None]]
    about: list[tuple[str, str | None]]
    population: tuple[str, str | None] | None
    design: str | None
    claim: Claim
    differ: bool = False


@dataclass
class Page:
    iri: str
    own: list[dict]
    relations: list[Relation]
    figures: list[Figure]
    matches: list[tuple[Row, str]]              # (mapped term, match property label)
    others: list[dict]                          # own triples shown as a plain table
    groups: list[Group]


def gather(select: Select, iri: str, rules: RuleFamilies, ordered: bool = False) -> Page:
    own = select(_fill(OWN, IRI=iri), ROW_LIMIT)
    claims = _claims(select(_fill(STATEMENTS, IRI=iri), ROW_LIMIT))
    figures = _figures(select(_fill(FIGURES, IRI=iri), ROW_LIMIT))
    groups, incoming = [], []
    counts = select(_fill(GROUPS, IRI=iri), ROW_LIMIT)
    as_rows = [c for c in counts if _is_relation(c["p"]["value"]) and _v(c, "outside") == "0"
               and int(c["n"]["value"]) <= FACT_LIMIT]
    if as_rows:
        props = " ".join(f"<{c['p']['value']}>" for c in as_rows)
        incoming = select(_fill(INCOMING, IRI=iri, PROPS=props), ROW_LIMIT)
    for c in sorted((c for c in counts if c not in as_rows), key=lambda c: -int(c["n"]["value"])):
        rows = group_rows(select, iri, c["p"]["value"], 0, FIRST_ROWS, ordered)
        groups.append(Group(c["p"]["value"], _v(c, "plabel"), int(c["n"]["value"]), rows))
    relations, matches, others = _relations(iri, own, incoming, claims, rules)
    return Page(iri, own, relations, figures, matches, others, groups)


def group_rows(select: Select, iri: str, prop: str, skip: int, rows: int, ordered: bool = False) -> list[Row]:
    """Rows `skip` … `skip + rows` of the resources linking here by `prop`."""
    subjects = [b["s"] for b in select(_fill(GROUP_PAGE, IRI=iri, PROP=prop, ORDER_BY="ORDER BY ?s" if ordered else "",
                                             ROWS=str(rows), SKIP=str(skip)), rows)]
    named = [s for s in subjects if s["type"] == "uri"]   # a blank node cannot be named in VALUES
    found = {s["value"]: Row(s, None, asserted=s["type"] != "uri") for s in subjects}
    if named:
        values = " ".join(f"<{s['value']}>" for s in named)
        for b in select(_fill(GROUP_ROWS, IRI=iri, PROP=prop, SUBJECTS=values), rows * 4):
            row = found[b["s"]["value"]]
            row.label = row.label or _v(b, "olabel")
            row.asserted |= b["g"]["value"] != KNOWLEDGE[1]
    return list(found.values())


def group_count(select: Select, iri: str, prop: str) -> tuple[int, str | None]:
    """How many resources link here by `prop`, and its label; links shown elsewhere make no group."""
    if prop in ELSEWHERE:
        return 0, None
    found = select(_fill(GROUP_COUNT, IRI=iri, PROP=prop), 1)
    return (int(found[0]["n"]["value"]), _v(found[0], "plabel")) if found else (0, None)


def _is_relation(prop: str) -> bool:
    """One of our ontology's properties (not an entity, not a record-layer term from elsewhere)."""
    return prop.startswith(BASE) and not prop.startswith(ENTITY) and prop not in ELSEWHERE


def _claims(rows: list[dict]) -> dict[tuple[str, str, str], list[Claim]]:
    by_triple: dict[tuple[str, str, str], dict[str, Claim]] = defaultdict(dict)
    for r in rows:
        word = _v(r, "flabel")
        local = (_v(r, "frequency") or "").rsplit("/", 1)[-1]
        rank = FREQUENCY_ORDER.index(local) if local in FREQUENCY_ORDER else len(FREQUENCY_ORDER)
        claim = Claim(r["st"]["value"], _v(r, "source"), word, rank, _v(r, "start"), _v(r, "end"), _v(r, "note"),
                      (_v(r, "rule") or "").rsplit("/", 1)[-1] or None, _v(r, "basis"))
        by_triple[(r["s"]["value"], r["p"]["value"], r["o"]["value"])].setdefault(claim.statement, claim)
    return {k: sorted(v.values(), key=lambda c: (c.rank, c.source or "", c.statement)) for k, v in by_triple.items()}


def _relations(iri: str, own: list[dict], incoming: list[dict], claims: dict, rules: RuleFamilies
               ) -> tuple[list[Relation], list[tuple[Row, str]], list[dict]]:
    """Own and incoming links as rows of relations read from this page; an incoming link whose
    property has an inverse is the same fact as the inverse link from here, and merges with it."""
    rows: dict[tuple[str, bool], dict[str, Row]] = defaultdict(dict)
    labels: dict[tuple[str, bool], str] = {}
    matches: dict[str, tuple[Row, str]] = {}
    others = []
    for r in own:
        p, o = r["p"]["value"], r["o"]
        if p in HEADER:
            continue
        if p in MATCHES and o["type"] == "uri":
            row, _ = matches.setdefault(o["value"], (Row(o, _v(r, "olabel")), _v(r, "plabel") or p))
            row.asserted |= r["g"]["value"] == KNOWLEDGE[0]
            row.claims = claims.get((iri, p, o["value"]), row.claims)
        elif _is_relation(p) and o["type"] == "uri" and o["value"].startswith(ENTITY):
            _add(rows, labels, (p, False), _v(r, "plabel") or p, r, o, claims.get((iri, p, o["value"]), []))
        else:
            others.append(r)
    for r in incoming:
        p, s = r["p"]["value"], r["s"]
        inverse = rules.inverse(p)
        key = (inverse, False) if inverse else (p, True)
        phrase = rules.label(inverse) if inverse else rules.label(p)
        _add(rows, labels, key, phrase or key[0], r, s, claims.get((s["value"], p, iri), []))
    relations = []
    # relations the sources speak of first; curated and inferred-only ones (hierarchies) after them
    def order(kv: tuple) -> tuple:
        (_prop, backwards), found = kv
        return (not any(row.stated for row in found.values()), backwards, labels[kv[0]])

    for (prop, backwards), found in sorted(rows.items(), key=order):
        ordered = sorted(found.values(), key=lambda row: (not row.asserted, row.rank, (row.label or "").lower()))
        relations.append(Relation(prop, labels[(prop, backwards)], backwards, ordered,
                                  [] if backwards else rules.families(prop)))
    return relations, sorted(matches.values(), key=lambda m: m[0].other["value"]), others


def _add(rows: dict, labels: dict, key: tuple[str, bool], phrase: str, binding: dict, other: dict,
         claims: list[Claim]) -> None:
    labels[key] = phrase
    row = rows[key].setdefault(other["value"], Row(other, _v(binding, "olabel")))
    row.label = row.label or _v(binding, "olabel")
    row.asserted |= binding["g"]["value"] != KNOWLEDGE[1]
    known = {c.statement for c in row.claims}
    # one derivation per row: the link as read from this page (own links are added before incoming ones)
    explained = row.derivation is not None
    row.claims += [c for c in claims if c.statement not in known and not (explained and c.rule)]
    row.claims.sort(key=lambda c: (c.rank, c.source or "", c.statement))


def _figures(rows: list[dict]) -> list[Figure]:
    """Statistics as a reader says them, per source; figures of one measure that differ between
    sources are marked and kept next to each other."""
    by_stat: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_stat[r["stat"]["value"]].append(r)
    figures = [f for f in (_figure(stat, rs) for stat, rs in by_stat.items()) if f]
    same: dict[tuple, list[Figure]] = defaultdict(list)
    for f in figures:
        same[(f.kind, tuple(m for m, _ in f.measures), tuple(a for a, _ in f.about),
              f.population and f.population[0])].append(f)
    for group in same.values():
        if len({f.value for f in group}) > 1 and len({f.claim.source for f in group}) > 1:
            for f in group:
                f.differ = True
    return sorted(figures, key=lambda f: ([m[1] or m[0] for m in f.measures], [a[1] or a[0] for a in f.about],
                                          f.population or ("", None), f.claim.source or "", f.statistic))


def _figure(stat: str, rows: list[dict]) -> Figure | None:
    def values(prop: str) -> list[tuple[str, str | None]]:
        return sorted({(r["o"]["value"], _v(r, "olabel")) for r in rows if r["p"]["value"] == prop})

    low, high, unit = values(BASE + "minValue"), values(BASE + "maxValue"), values(BASE + "unit")
    if not (low and high and unit):
        return None
    lo, hi = _number(low[0][0]), _number(high[0][0])
    qualifier, design = values(BASE + "valueQualifier"), values(BASE + "studyDesign")
    population, source = values(BASE + "population"), values(PROV_DERIVED)
    kinds = [label for o, label in values(RDF + "type") if o.startswith(BASE) and o != BASE + "Statistic"]
    evidence = next((r for r in rows if r["p"]["value"] == BASE + "evidence" and "start" in r), {})
    note = next((r["o"]["value"] for r in rows if r["p"]["value"] == BASE + "curationNote"), None)
    claim = Claim(stat, source[0][0] if source else None, None, len(FREQUENCY_ORDER),
                  _v(evidence, "start"), _v(evidence, "end"), note)
    return Figure(stat, kinds[0] if kinds else None,
                  _say(lo if lo == hi else f"{lo}–{hi}", unit[0][1] or "", qualifier[0][1] if qualifier else None),
                  values(BASE + "measures"), values(BASE + "aboutCancer"), population[0] if population else None,
                  design[0][1] if design else None, claim)


def _number(text: str) -> str:
    """70.0 -> 70, 2.50 -> 2.5: a figure as a reader writes it."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def _say(value: str, unit: str, qualifier: str | None) -> str:
    """'exactly 70 %', 'approximately 12 months', 'rank 3'."""
    if unit == "percent":
        said = f"{value} %"
    elif unit == "rank":
        said = f"rank {value}"
    else:
        said = f"{value} {unit if value == '1' else unit + 's'}"
    return f"{qualifier} {said}" if qualifier else said
