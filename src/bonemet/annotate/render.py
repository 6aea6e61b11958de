"""The three outputs of `bonemet annotate`, each for a different reader of the same proposals.

TSV is the curated statements format, so an accepted row moves into mappings/statements/ as it is;
JSON-LD is W3C Web Annotation, for annotation tools; HTML is a page a curator reads in a browser.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable

from bonemet.annotate.candidates import Document
from bonemet.curate.checks import STATEMENT_COLUMNS
from bonemet.namespaces import BASE, BME, PREFIXES

ENTITY_BASE, ONTOLOGY_BASE = str(BME), BASE
PROPOSAL_COLUMNS = STATEMENT_COLUMNS + ["status", "confidence"]
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
                             doc.source, c.passage.start, c.passage.end, _clean(c.reason), "proposed",
                             f"{c.confidence:.2f}"])
        for s in doc.statistics:
            number += 1
            # statistics share the table: predicate "statistic", the figure and unit in the note
            writer.writerow([f"{doc.source}-P{number:04d}", s.cancer, "statistic", s.measures, "", doc.source,
                             s.passage.start, s.passage.end,
                             _clean(f"figure {s.value} {s.unit} at {s.start}-{s.end}; {s.reason}"),
                             "proposed", f"{s.confidence:.2f}"])
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


def render_html(documents: list[Document]) -> str:
    """A page per run: each document with its mentions highlighted, then its candidates as a table."""
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8"/>',
             "<title>bonemet annotate</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
             "<h1>Proposed annotations</h1>",
             "<p>Highlighted: entity mentions (hover for the entity). Numbered markers: passages supporting a "
             "candidate statement, listed below each document. Every row is a proposal for a curator.</p>"]
    for d_index, doc in enumerate(documents):
        parts.append(f"<section><h2>{html.escape(doc.name)} <small>(source {html.escape(doc.source)})</small></h2>")
        parts.append(_document_body(doc, f"d{d_index}"))
        parts.append(_candidate_table(doc, f"d{d_index}"))
        parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


_CSS = ("body{font-family:sans-serif;max-width:60em;margin:auto;padding:1em;line-height:1.5}"
        ".doc{white-space:pre-wrap;border:1px solid #ccc;padding:1em;background:#fafafa}"
        "mark{background:#fff3a0}mark.stat{background:#c8f0c8}sup.p{color:#a00;font-size:70%}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .4em;vertical-align:top}")


def _document_body(doc: Document, prefix: str) -> str:
    """The text with mentions and figures marked and an anchor where each candidate passage starts."""
    events: dict[int, list[str]] = {}
    passages = sorted({(c.passage.start, c.passage.end) for c in doc.candidates})
    for n, (start, _end) in enumerate(passages, 1):
        events.setdefault(start, []).append(f'<sup class="p" id="{prefix}-p{start}">[{n}]</sup>')
    spans = [(m.start, m.end, "", ", ".join(f"{e} ({_cls_note(e)})" for e in m.entities)) for m in doc.mentions]
    taken = [(m.start, m.end) for m in doc.mentions]
    for s in doc.statistics:
        if not any(a < s.end and s.start < b for a, b in taken):
            spans.append((s.start, s.end, "stat", f"figure: {s.value} {s.unit}"))
            taken.append((s.start, s.end))
    out, pos = [], 0
    for start, end, cls, title in sorted(spans):
        for at in sorted(k for k in events if pos <= k <= start):
            out.append(html.escape(doc.text[pos:at]))
            out += events.pop(at)
            pos = at
        out.append(html.escape(doc.text[pos:start]))
        klass = f' class="{cls}"' if cls else ""
        out.append(f'<mark{klass} title="{html.escape(title)}">{html.escape(doc.text[start:end])}</mark>')
        pos = end
    for at in sorted(k for k in events if k >= pos):
        out.append(html.escape(doc.text[pos:at]))
        out += events.pop(at)
        pos = at
    out.append(html.escape(doc.text[pos:]))
    return f'<div class="doc">{"".join(out)}</div>'


def _cls_note(entity_id: str) -> str:
    return entity_id  # the class is shown in the table; the title stays short


def _candidate_table(doc: Document, prefix: str) -> str:
    rows = ["<h3>Candidate statements</h3>", "<table>",
            "<tr><th>subject</th><th>predicate</th><th>object</th><th>frequency</th><th>confidence</th>"
            "<th>passage</th><th>reason</th></tr>"]
    for c in doc.candidates:
        quote = doc.text[c.passage.start:c.passage.end]
        rows.append("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in (c.subject, c.predicate, c.object,
                                                                          c.frequency, f"{c.confidence:.2f}"))
                    + f'<td><a href="#{prefix}-p{c.passage.start}">{c.passage.start}-{c.passage.end}</a>: '
                    f"{html.escape(_shorten(quote))}</td><td>{html.escape(c.reason)}</td></tr>")
    rows.append("</table>")
    rows += ["<h3>Candidate statistics</h3>", "<table>",
             "<tr><th>cancer</th><th>measures</th><th>figure</th><th>confidence</th><th>passage</th></tr>"]
    for s in doc.statistics:
        rows.append("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in (
            s.cancer, s.measures, f"{s.value} {s.unit}", f"{s.confidence:.2f}",
            _shorten(doc.text[s.passage.start:s.passage.end]))) + "</tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _shorten(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


RENDERERS: dict[str, Callable[[list[Document]], str]] = {"tsv": render_tsv, "jsonld": render_jsonld,
                                                          "html": render_html}
