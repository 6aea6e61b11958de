"""The three outputs of `bonemet annotate`, each for a different reader of the same proposals.

TSV is the curated statements format, so an accepted row moves into mappings/statements/ as it is;
JSON-LD is W3C Web Annotation, for annotation tools; HTML is a page a curator reads in a browser.
The page shows text from arbitrary documents, so it is rendered by a template that escapes every
value (templates/report.html) rather than assembled from strings, where one forgotten escape would
let a document inject markup.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import jinja2

from bonemet.annotate.candidates import Document
from bonemet.curate.checks import OPTIONAL_STATEMENT_COLUMNS, STATEMENT_COLUMNS
from bonemet.namespaces import BASE, BME, PREFIXES

ENTITY_BASE, ONTOLOGY_BASE = str(BME), BASE
PROPOSAL_COLUMNS = STATEMENT_COLUMNS + OPTIONAL_STATEMENT_COLUMNS + ["status", "confidence"]
_NO_OPTIONS = [""] * len(OPTIONAL_STATEMENT_COLUMNS)
# Quote length kept either side of a TextQuoteSelector's exact text.
QUOTE_CONTEXT = 32


def render_tsv(documents: list[Document]) -> str:
    """The curated statements format plus status and confidence; the reason goes into note."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
    writer.writerow(PROPOSAL_COLUMNS)
    for doc in documents:
        number = 0
        for c in doc.candidates:
            number += 1
            writer.writerow([f"{doc.source}-P{number:04d}", c.subject, c.predicate, c.object, c.frequency,
                             doc.source, c.passage.start, c.passage.end, _clean(c.reason), *_NO_OPTIONS,
                             "proposed", f"{c.confidence:.2f}"])
        for s in doc.statistics:
            number += 1
            # statistics share the table: predicate "statistic", the figure and unit in the note
            writer.writerow([f"{doc.source}-P{number:04d}", s.cancer, "statistic", s.measures, "", doc.source,
                             s.passage.start, s.passage.end,
                             _clean(f"figure {s.value} {s.unit} at {s.start}-{s.end}; {s.reason}"),
                             *_NO_OPTIONS, "proposed", f"{s.confidence:.2f}"])
    return out.getvalue()


def _clean(note: str) -> str:
    # a note must stay one TSV field
    return " ".join(note.replace("\t", " ").split())


def text_quote(text: str, start: int, end: int) -> dict:
    return {"@type": "oa:TextQuoteSelector", "oa:exact": text[start:end],
            "oa:prefix": text[max(0, start - QUOTE_CONTEXT):start], "oa:suffix": text[end:end + QUOTE_CONTEXT]}


def _target(doc: Document, start: int, end: int) -> dict:
    return {"@type": "oa:SpecificResource", "oa:hasSource": {"@id": doc.iri},
            "oa:hasSelector": [
                {"@type": "oa:TextPositionSelector",
                 "oa:start": {"@value": str(start), "@type": "xsd:nonNegativeInteger"},
                 "oa:end": {"@value": str(end), "@type": "xsd:nonNegativeInteger"}},
                text_quote(doc.text, start, end)]}


JSONLD_CONTEXT = {name: PREFIXES[name] for name in ("oa", "rdf", "rdfs", "xsd", "bonemet", "bme", "prov")}


def render_jsonld(documents: list[Document]) -> str:
    """W3C Web Annotations: one per mention (body: the entity) and one per candidate (body: the statement)."""
    graph = []
    for doc in documents:
        base = f"urn:bonemet:annotate:{_slug(doc.source)}:"
        for m in doc.mentions:
            graph.append({"@id": f"{base}mention-{m.start}-{m.end}", "@type": "oa:Annotation",
                          "oa:motivatedBy": {"@id": "oa:identifying"},
                          "oa:hasBody": [{"@id": ENTITY_BASE + e} for e in m.entities],
                          "oa:hasTarget": _target(doc, m.start, m.end)})
        for n, c in enumerate(doc.candidates, 1):
            body = {"@id": f"{base}statement-{n}", "@type": ["rdf:Statement", "bonemet:SourcedStatement"],
                    "rdf:subject": {"@id": ENTITY_BASE + c.subject},
                    "rdf:predicate": {"@id": ONTOLOGY_BASE + c.predicate},
                    "rdf:object": {"@id": ENTITY_BASE + c.object},
                    "prov:wasDerivedFrom": {"@id": doc.iri},
                    "rdfs:comment": f"proposed, confidence {c.confidence:.2f}: {c.reason}"}
            if c.frequency:
                body["bonemet:frequency"] = {"@id": ONTOLOGY_BASE + c.frequency}
            graph.append({"@id": f"{base}candidate-{n}", "@type": "oa:Annotation",
                          "oa:motivatedBy": {"@id": "oa:describing"}, "oa:hasBody": body,
                          "oa:hasTarget": _target(doc, c.passage.start, c.passage.end)})
        for n, s in enumerate(doc.statistics, 1):
            body = {"@id": f"{base}statistic-{n}", "@type": "bonemet:Statistic",
                    "bonemet:aboutCancer": {"@id": ENTITY_BASE + s.cancer},
                    "bonemet:measures": {"@id": ENTITY_BASE + s.measures},
                    "rdfs:comment": f"proposed, figure {s.value} {s.unit}, confidence {s.confidence:.2f}: {s.reason}"}
            graph.append({"@id": f"{base}statistic-annotation-{n}", "@type": "oa:Annotation",
                          "oa:motivatedBy": {"@id": "oa:describing"}, "oa:hasBody": body,
                          "oa:hasTarget": _target(doc, s.start, s.end)})
    return json.dumps({"@context": JSONLD_CONTEXT, "@graph": graph}, ensure_ascii=False, indent=1) + "\n"


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


@dataclass(frozen=True)
class Piece:
    """A stretch of a document as the page shows it: plain text, a highlighted span, or a passage marker."""
    kind: str  # "text", "mention", "figure" or "marker"
    text: str = ""
    title: str = ""
    number: int = 0  # a marker's passage number ...
    at: int = 0      # ... and the offset where that passage starts, which anchors the table's link


@cache
def _templates() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("bonemet.annotate", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the render instead of vanishing from the page
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    environment.filters["shorten"] = _shorten
    return environment


def render_html(documents: list[Document]) -> str:
    """A page per run: each document with its mentions highlighted, then its candidates as tables."""
    sections = [(doc, _pieces(doc)) for doc in documents]
    return _templates().get_template("report.html").render(sections=sections)


def _pieces(doc: Document) -> list[Piece]:
    """The text with mentions and figures marked and a marker where each candidate passage starts."""
    markers: dict[int, list[int]] = {}
    passages = sorted({(c.passage.start, c.passage.end) for c in doc.candidates})
    for n, (start, _end) in enumerate(passages, 1):
        markers.setdefault(start, []).append(n)
    spans = [(m.start, m.end, "mention", ", ".join(m.entities)) for m in doc.mentions]
    taken = [(m.start, m.end) for m in doc.mentions]
    for s in doc.statistics:
        # a figure inside a mention stays unmarked: marks cannot overlap
        if not any(a < s.end and s.start < b for a, b in taken):
            spans.append((s.start, s.end, "figure", f"figure: {s.value} {s.unit}"))
            taken.append((s.start, s.end))
    pieces: list[Piece] = []
    pos = 0

    def text_until(end: int) -> None:
        nonlocal pos
        for at in sorted(k for k in markers if pos <= k <= end):
            pieces.append(Piece("text", doc.text[pos:at]))
            pieces.extend(Piece("marker", number=n, at=at) for n in markers.pop(at))
            pos = at
        pieces.append(Piece("text", doc.text[pos:end]))
        pos = end

    for start, end, kind, title in sorted(spans):
        text_until(start)
        pieces.append(Piece(kind, doc.text[start:end], title))
        pos = end
    text_until(len(doc.text))
    return pieces


def _shorten(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


RENDERERS: dict[str, Callable[[list[Document]], str]] = {"tsv": render_tsv, "jsonld": render_jsonld,
                                                          "html": render_html}
