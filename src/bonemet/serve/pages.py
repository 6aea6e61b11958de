"""HTML pages of the server: Jinja2 templates (serve/templates/, autoescaped), no JavaScript.

The functions here turn SPARQL JSON bindings into what the templates show; the markup lives in the
templates. `link` and `term` are given to every template, so an IRI is shown the same way everywhere:
our own IRIs link to this server, external ones show as CURIE and label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from bonemet import __version__
from bonemet.namespaces import BASE, curie, external_curie
from bonemet.serve.entity import Page, Row
from bonemet.serve.trees import TITLES, Tree
from bonemet.serve.why import Step

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
SKOS_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
OWL_NAMED_INDIVIDUAL = "http://www.w3.org/2002/07/owl#NamedIndividual"


def local(iri: str, base_url: str) -> str | None:
    """The server path of one of our IRIs, or None for others."""
    return base_url + "/" + iri[len(BASE):] if iri.startswith(BASE) else None


def short(iri: str) -> str:
    return curie(iri) or iri


def link(iri: str, base_url: str, label: str | None = None) -> Markup:
    ext = external_curie(iri)
    text = f"{ext} {label}" if ext and label else ext or label or short(iri)
    href = local(iri, base_url) or iri
    return Markup('<a href="{}">{}</a>').format(href, text)


def term_html(binding: dict | None, base_url: str, label: str | None = None) -> Markup:
    if binding is None:
        return Markup("")
    if binding["type"] == "uri":
        return link(binding["value"], base_url, label)
    if binding["type"] == "bnode":
        return Markup("<span class=muted>_:{}</span>").format(binding["value"])
    if "xml:lang" in binding:
        return Markup("{} <span class=muted>@{}</span>").format(binding["value"], binding["xml:lang"])
    return escape(binding["value"])


class Renderer:
    """The templates, bound to the public address pages link to."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.env = Environment(loader=PackageLoader("bonemet.serve", "templates"),
                               autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(
            link=lambda iri, label=None: link(str(iri), base_url, str(label) if label is not None else None),
            term=lambda binding, label=None: term_html(binding, base_url, label),
            page_of=lambda iri: local(str(iri), base_url) or str(iri),
            joined=lambda bindings: Markup(", ").join(term_html(b["o"], base_url, _label(b)) for b in bindings),
            version=__version__)

    def render(self, template: str, **context) -> bytes:
        return self.env.get_template(template).render(**context).encode("utf-8")

    def home(self, report: dict, examples: list[tuple[str, str]], dumps: list[tuple[str, int | None]],
             heatmap: str = "") -> bytes:
        # the SVG is built by bonemet.serve.heatmap, which escapes every label and link it writes
        return self.render("home.html", title="bonemet — bone metastasis knowledge graph", report=report,
                           examples=examples, dumps=dumps, base_url=self.base_url, heatmap=Markup(heatmap))

    def query(self, query: str, examples: list[tuple[str, str]], *, doc: dict | None = None,
              text: str | None = None, error: str | None = None, error_kind: str = "Error") -> bytes:
        return self.render("query.html", title="Query the bone metastasis graph", query=query, examples=examples,
                           doc=doc, text=text, error=error, error_kind=error_kind)

    def editor(self, endpoint: str, examples: list[tuple[str, str]]) -> bytes:
        return self.render("editor.html", title="Query editor", endpoint=endpoint, examples=examples)

    def search(self, q: str, hits: list[dict]) -> bytes:
        return self.render("search.html", title="Search entities", q=q, hits=hits)

    def not_found(self, what: str) -> bytes:
        return self.render("not_found.html", title="Not found", what=what)

    def document(self, title: str, turtle: str) -> bytes:
        return self.render("document.html", title=title, turtle=turtle)

    def ontology(self, sections: list[tuple[str, list[OntologyTerm]]], trees: Sequence[Tree] = ()) -> bytes:
        return self.render("ontology.html", title="bonemet ontology", sections=sections, trees=trees, titles=TITLES)

    def resource(self, page: Page, picture: str = "", trees: Sequence[Tree] = ()) -> bytes:
        """A resource's page: its header from its own triples, then `page`'s relations, figures,
        mapped terms and incoming groups (bonemet.serve.entity)."""
        out = page.own
        label = next((r["o"]["value"] for r in out if r["p"]["value"] == RDFS_LABEL), page.iri.rsplit("/", 1)[-1])
        definition = next((r["o"]["value"] for r in out if r["p"]["value"] == SKOS_DEFINITION), None)
        types = sorted({(r["o"]["value"], _label(r), r["g"]["value"].endswith("/inferred")) for r in out
                        if r["p"]["value"] == RDF_TYPE and r["o"]["value"] != OWL_NAMED_INDIVIDUAL},
                       key=lambda t: (t[2], t[1] or t[0]))
        synonyms = sorted({r["o"]["value"] for r in out if r["p"]["value"] == SKOS_ALT_LABEL}, key=str.lower)
        passages = [(r["start"]["value"], r["end"]["value"]) for r in out
                    if r["p"]["value"] == BASE + "evidence" and "start" in r and "end" in r]
        return self.render("resource.html", title=label, iri=page.iri, definition=definition, types=types,
                           synonyms=synonyms, sources=[_row(r) for r in out if r["p"]["value"] == PROV_DERIVED],
                           passages=passages, figure=_figure(out), page=page, others=_links(page.others),
                           here=local(page.iri, self.base_url) or page.iri, picture=Markup(picture), trees=trees,
                           titles=TITLES)

    def derivation(self, iri: str, label: str, conclusion: tuple, step: Step) -> bytes:
        """Why an inferred triple holds: the chain of rules down to the sources (bonemet.serve.why)."""
        return self.render("derivation.html", title=f"Why: {label}", iri=iri, conclusion=conclusion, step=step,
                           here=local(iri, self.base_url) or iri)

    def links(self, page_iri: str, label: str, prop: str, prop_label: str | None, count: int, number: int,
              size: int, rows: list[Row]) -> bytes:
        """One page of the resources linking to `page_iri` by `prop`."""
        pages = max(1, -(-count // size))
        return self.render("links.html", title=f"{label}: linked by {prop_label or short(prop)}",
                           entity=page_iri, label=label, prop=prop, prop_label=prop_label, count=count, number=number,
                           pages=pages, first=(number - 1) * size + 1, rows=rows,
                           here=local(page_iri, self.base_url) or page_iri)


@dataclass
class OntologyTerm:
    iri: str
    label: str | None
    definition: str
    related: list[tuple[str, str, str | None]] = field(default_factory=list)   # (relation, IRI, label)

    @property
    def name(self) -> str:
        return self.iri[len(BASE):]


def _label(row: dict) -> str | None:
    return row.get("olabel", {}).get("value")


def _row(r: dict) -> dict:
    return {"p": r["p"]["value"], "plabel": r.get("plabel", {}).get("value"), "o": r["o"], "olabel": _label(r),
            "inferred": r["g"]["value"].endswith("/inferred")}


def _links(rows: list[dict]) -> list[dict]:
    seen, lines = set(), []
    for r in sorted(rows, key=lambda r: (r["p"]["value"], r["o"]["value"])):
        key = (r["p"]["value"], r["o"]["value"], r["g"]["value"])
        if key not in seen:
            seen.add(key)
            lines.append(_row(r))
    return lines


def _figure(out: list[dict]) -> dict | None:
    """A statistic's value as a reader says it: "approximately 70 percent"."""
    def values(prop: str) -> list[dict]:
        return [r for r in out if r["p"]["value"] == BASE + prop]

    low, high, unit = values("minValue"), values("maxValue"), values("unit")
    if not (low and high and unit):
        return None
    lo, hi = low[0]["o"]["value"], high[0]["o"]["value"]
    qualifier = values("valueQualifier")
    return {"value": lo if lo == hi else f"{lo}–{hi}", "unit": _label(unit[0]) or "",
            "qualifier": (_label(qualifier[0]) or "") + " " if qualifier else "",
            "about": values("aboutCancer"), "measures": values("measures"), "population": values("population")}
