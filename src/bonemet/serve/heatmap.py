"""The cancer × bone-site map of the home page: an SVG written by the server, readable without JavaScript.

A cell is a pair (cancer, bone site) for which a source states the spread, or which the reasoner
infers. It shows the number of sources as a figure (the shade repeats it), the strongest frequency word
the sources use in its tooltip, and links to the statements of the pair; a pair no source states
itself is drawn with a dashed outline and the mark "inf", so nothing depends on colour alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from bonemet.namespaces import BASE, sparql_prologue
from bonemet.serve.trees import remember_labels

ONTOLOGY = "https://w3id.org/bonemet/"
# strongest first; "possibly" (the source says only that it can happen) is the weakest claim
FREQUENCY_ORDER = ["Always", "MostOften", "Typically", "Often", "Sometimes", "LessOften", "Rarely", "VeryRarely",
                   "Possibly"]
PROLOGUE = sparql_prologue("bonemet", "bme", "rdf", "rdfs", "prov")
BONE_SITE = "FILTER(?site = bme:Skeleton || EXISTS { ?site bonemet:partOf bme:Skeleton })"
LABELS = "OPTIONAL { ?cancer rdfs:label ?cl } OPTIONAL { ?site rdfs:label ?sl }"
# one row per pair whatever the number of labels (MIN: the same label on every run)
ONE_LABEL = "(MIN(STR(?cl)) AS ?cancerLabel) (MIN(STR(?sl)) AS ?siteLabel)"

STATED = f"""SELECT ?cancer ?site {ONE_LABEL} (COUNT(DISTINCT ?source) AS ?sources)
       (GROUP_CONCAT(DISTINCT COALESCE(STR(?f), ""); separator=" ") AS ?frequencies) WHERE {{
  ?st a bonemet:SourcedStatement ; rdf:subject ?cancer ; rdf:predicate bonemet:metastasizesTo ; rdf:object ?site ;
      prov:wasDerivedFrom ?source .
  OPTIONAL {{ ?st bonemet:frequency ?f }}   # COALESCE: one unbound ?f would make GROUP_CONCAT unbound
  {BONE_SITE} {LABELS}
}} GROUP BY ?cancer ?site"""

INFERRED = f"""SELECT ?cancer ?site {ONE_LABEL} WHERE {{
  GRAPH <https://w3id.org/bonemet/graph/inferred> {{ ?cancer bonemet:metastasizesTo ?site }}
  FILTER NOT EXISTS {{ ?st a bonemet:SourcedStatement ; rdf:subject ?cancer ; rdf:predicate bonemet:metastasizesTo ;
                          rdf:object ?site }}
  {BONE_SITE} {LABELS}
}} GROUP BY ?cancer ?site"""


def statements_query(cancer: str, site: str) -> str:
    """The statements behind one cell, with their sources and frequency words (the cell's link)."""
    return PROLOGUE + f"""# Statements that {cancer.rsplit('/', 1)[-1]} metastasizes to {site.rsplit('/', 1)[-1]}
SELECT ?statement ?source ?frequency WHERE {{
  ?statement rdf:subject <{cancer}> ; rdf:predicate bonemet:metastasizesTo ; rdf:object <{site}> ;
             prov:wasDerivedFrom ?source .
  OPTIONAL {{ ?statement bonemet:frequency ?frequency }}
}} ORDER BY ?source ?statement"""


@dataclass
class Cell:
    cancer: str
    site: str
    sources: int = 0                          # 0: inferred only
    frequencies: list[str] = field(default_factory=list)

    @property
    def strongest(self) -> str | None:
        known = [f for f in FREQUENCY_ORDER if f in self.frequencies]
        return known[0] if known else None


def cells(select) -> tuple[list[Cell], dict[str, str]]:
    """The cells and the labels of their cancers and sites; `select(query)` returns SPARQL JSON bindings."""
    labels: dict[str, str] = {}
    out = []
    for rows, inferred in ((select(PROLOGUE + STATED), False), (select(PROLOGUE + INFERRED), True)):
        for row in rows:
            cancer, site = row["cancer"]["value"], row["site"]["value"]
            remember_labels(labels, row, ("cancer", "cancerLabel"), ("site", "siteLabel"))
            if inferred:
                out.append(Cell(cancer, site))
            else:
                words = [w.removeprefix(ONTOLOGY) for w in row.get("frequencies", {}).get("value", "").split()]
                out.append(Cell(cancer, site, int(row["sources"]["value"]), sorted(set(words))))
    return out, labels


def label_of(word: str) -> str:
    """MostOften -> 'most often'."""
    return "".join(" " + c.lower() if c.isupper() else c for c in word).strip()


def svg(found: list[Cell], labels: dict[str, str], page_of: Callable[[str], str]) -> str:
    cancers = sorted({c.cancer for c in found}, key=lambda i: labels[i].lower())
    sites = sorted({c.site for c in found}, key=lambda i: (i != BASE + "entity/Skeleton", labels[i].lower()))
    # room for row labels and for the slanted column labels (about 6 px per character at 60 degrees)
    left, w, h = 200, 30, 22
    top = 20 + 6 * max(len(labels[s]) for s in sites)
    width, height = left + w * len(sites) + 100, top + h * len(cancers) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-labelledby="heatmap-title">',
             '<title id="heatmap-title">Cancers (rows) and the bone sites they metastasize to (columns): '
             'the number of sources stating each spread; "inf" where only the reasoner infers it</title>',
             '<style>text{font:12px system-ui,sans-serif}.n{text-anchor:middle}.inf rect{fill:#fff;stroke:#555;'
             'stroke-dasharray:3 2}</style>']
    for j, site in enumerate(sites):
        x = left + j * w + w // 2
        parts.append(f'<a href={quoteattr(page_of(site))}><text transform="translate({x + 4},{top - 6}) rotate(-60)">'
                     f'{escape(labels[site])}</text></a>')
    for i, cancer in enumerate(cancers):
        parts.append(f'<a href={quoteattr(page_of(cancer))}><text x="{left - 6}" y="{top + i * h + 15}" '
                     f'text-anchor="end">{escape(labels[cancer])}</text></a>')
    shades = ["#c6dbef", "#6baed6", "#2171b5", "#08306b"]
    for cell in found:
        x, y = left + sites.index(cell.site) * w, top + cancers.index(cell.cancer) * h
        pair = f"{labels[cell.cancer]} → {labels[cell.site]}"
        if cell.sources:
            words = ", ".join(label_of(f) for f in sorted(cell.frequencies, key=FREQUENCY_ORDER.index))
            tip = f"{pair}: stated by {cell.sources} source{'s' if cell.sources > 1 else ''}" + (
                f"; strongest word: {label_of(cell.strongest)} (all: {words})" if cell.strongest else "")
            href = "/query?" + urlencode({"query": statements_query(cell.cancer, cell.site)})
            fill = shades[min(cell.sources, len(shades)) - 1]
            ink = "#fff" if cell.sources >= 3 else "#000"
            parts.append(f'<a href={quoteattr(href)} class="stated"><title>{escape(tip)}</title>'
                         f'<rect x="{x + 1}" y="{y + 1}" width="{w - 2}" height="{h - 2}" fill="{fill}"/>'
                         f'<text class="n" x="{x + w // 2}" y="{y + 15}" fill="{ink}">{cell.sources}</text></a>')
        else:
            tip = f"{pair}: inferred (no source states it; see the cancer's page)"
            parts.append(f'<a href={quoteattr(page_of(cell.cancer))} class="inf"><title>{escape(tip)}</title>'
                         f'<rect x="{x + 1}" y="{y + 1}" width="{w - 2}" height="{h - 2}"/>'
                         f'<text class="n" x="{x + w // 2}" y="{y + 15}">inf</text></a>')
    parts.append("</svg>")
    return "\n".join(parts)
