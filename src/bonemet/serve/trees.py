"""The skeleton's part-of hierarchy and the cancers' subtype hierarchy as browsable trees (nested lists).

Only asserted links are drawn, each once under its direct parent; the reasoner's transitive closure
would repeat every site under every ancestor. A node with two parents appears under both.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from bonemet.namespaces import BASE, sparql_prologue

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
            link = f'<a href="{escape("/" + iri.removeprefix(BASE))}">{escape(self.labels.get(iri, iri))}</a>'
            kids = [k for k in sorted(self.children.get(iri, []), key=self.key) if k not in seen]  # no cycles
            inner = "".join(branch(k, seen | {k}) for k in kids)
            return f"<li>{link}" + (f"<ul>{inner}</ul>" if inner else "") + "</li>"
        return Markup(f'<ul class="tree" id="{self.name}-tree">' + "".join(branch(r, frozenset({r})) for r in self.roots)
                      + "</ul>")


def trees(select) -> list[Tree]:
    """Both trees; `select(query)` returns SPARQL JSON bindings."""
    out = []
    for name, query in QUERIES.items():
        children: dict[str, list[str]] = {}
        labels: dict[str, str] = {}
        for row in select(PROLOGUE + query):
            child, parent = row["child"]["value"], row["parent"]["value"]
            children.setdefault(parent, []).append(child)
            for key, iri in (("childLabel", child), ("parentLabel", parent)):
                labels.setdefault(iri, row[key]["value"] if key in row else iri.rsplit("/", 1)[-1])
        out.append(Tree(name, children, labels))
    return out
