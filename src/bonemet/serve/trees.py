"""The skeleton's part-of hierarchy and the cancers' subtype hierarchy as browsable trees (nested lists).

Only asserted links are drawn, each once under its direct parent; the reasoner's transitive closure
would repeat every site under every ancestor. A node with two parents appears under both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from bonemet.namespaces import sparql_prologue

PROLOGUE = sparql_prologue("bonemet", "bme", "rdfs")
ASSERTED = "https://w3id.org/bonemet/graph/asserted"
LABELS = "OPTIONAL { ?child rdfs:label ?cl } OPTIONAL { ?parent rdfs:label ?pl }"
PAIRS = ("SELECT ?child ?parent (MIN(STR(?cl)) AS ?childLabel) (MIN(STR(?pl)) AS ?parentLabel) "
         "WHERE {{ {} {} }} GROUP BY ?child ?parent")

QUERIES = {
    "skeleton": PAIRS.format(f"GRAPH <{ASSERTED}> {{ ?child bonemet:partOf ?parent }} "
                             "FILTER(?parent = bme:Skeleton || EXISTS { ?parent bonemet:partOf bme:Skeleton })", LABELS),
    "cancers": PAIRS.format(f"GRAPH <{ASSERTED}> {{ ?child bonemet:subtypeOf ?parent }} "
                            "?child a bonemet:Cancer . ?parent a bonemet:Cancer .", LABELS),
}
TITLES = {"skeleton": "Parts of the skeleton (part of)", "cancers": "Kinds of cancer (subtype of)"}


@dataclass
class Tree:
    name: str
    children: dict[str, list[str]]
    labels: dict[str, str]
    page_of: Callable[[str], str]              # an IRI's page on this server

    @property
    def roots(self) -> list[str]:
        below = {c for kids in self.children.values() for c in kids}
        return sorted((p for p in self.children if p not in below), key=self.key)

    @property
    def nodes(self) -> set[str]:
        return set(self.children) | {c for kids in self.children.values() for c in kids}

    def key(self, iri: str) -> str:
        return self.labels.get(iri, iri).lower()

    def html(self) -> Markup:
        def branch(iri: str, seen: frozenset[str]) -> str:
            link = f'<a href="{escape(self.page_of(iri))}">{escape(self.labels.get(iri, iri))}</a>'
            kids = [k for k in sorted(self.children.get(iri, []), key=self.key) if k not in seen]  # no cycles
            inner = "".join(branch(k, seen | {k}) for k in kids)
            return f"<li>{link}" + (f"<ul>{inner}</ul>" if inner else "") + "</li>"
        return Markup(f'<ul class="tree" id="{self.name}-tree">' + "".join(branch(r, frozenset({r})) for r in self.roots)
                      + "</ul>")


def remember_labels(labels: dict[str, str], row: dict, *pairs: tuple[str, str]) -> None:
    """Keep the label of each (IRI variable, label variable) of a result row; the IRI's last part when it has none."""
    for var, label_var in pairs:
        iri = row[var]["value"]
        labels.setdefault(iri, row[label_var]["value"] if label_var in row else iri.rsplit("/", 1)[-1])


def trees(select, page_of: Callable[[str], str]) -> list[Tree]:
    """Both trees; `select(query)` returns SPARQL JSON bindings."""
    out = []
    for name, query in QUERIES.items():
        children: dict[str, list[str]] = {}
        labels: dict[str, str] = {}
        for row in select(PROLOGUE + query):
            child, parent = row["child"]["value"], row["parent"]["value"]
            children.setdefault(parent, []).append(child)
            remember_labels(labels, row, ("child", "childLabel"), ("parent", "parentLabel"))
        out.append(Tree(name, children, labels, page_of))
    return out
