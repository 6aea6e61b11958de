"""HTML pages of the server: plain server-side HTML, no JavaScript, no external assets."""

from __future__ import annotations

import html
from urllib.parse import urlencode

from bonemet.namespaces import BASE, EXTERNAL_CURIES, curie

STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}code,pre,textarea{font-family:ui-monospace,monospace}textarea{width:100%;height:12rem}
.inferred{color:#666;font-style:italic}.muted{color:#666}nav a{margin-right:1rem}"""

NAV = ('<nav><a href="/">home</a><a href="/query">query</a><a href="/sparql">SPARQL endpoint</a>'
       '<a href="/ontology">ontology</a><a href="/.well-known/void">dataset description</a>'
       '<a href="/shapes/">shapes</a></nav>')


def page(title: str, body: str) -> bytes:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
            f"<body>{NAV}<h1>{html.escape(title)}</h1>{body}</body></html>").encode()


def local(iri: str, base_url: str) -> str | None:
    """The server path of one of our IRIs, or None for others."""
    return base_url + "/" + iri[len(BASE):] if iri.startswith(BASE) else None






def short(iri: str) -> str:
    return curie(iri) or iri


def external_curie(iri: str) -> str | None:
    """UBERON_0000981 -> UBERON:0000981; ICD codes get their edition as the prefix."""
    for ns, prefix in EXTERNAL_CURIES.items():
        if iri.startswith(ns):
            rest = iri[len(ns):]
            return prefix + rest if prefix else rest.replace("_", ":", 1)
    return None


def link(iri: str, base_url: str, label: str | None = None) -> str:
    curie = external_curie(iri)
    text = html.escape(f"{curie} {label}" if curie and label else curie or label or short(iri))
    href = local(iri, base_url) or iri
    return f'<a href="{html.escape(href)}">{text}</a>'


def term_html(binding: dict | None, base_url: str, label: str | None = None) -> str:
    if binding is None:
        return ""
    if binding["type"] == "uri":
        return link(binding["value"], base_url, label)
    if binding["type"] == "bnode":
        return f"<span class=muted>_:{html.escape(binding['value'])}</span>"
    extra = f' <span class=muted>@{binding["xml:lang"]}</span>' if "xml:lang" in binding else ""
    return html.escape(binding["value"]) + extra


def results_table(doc: dict, base_url: str) -> str:
    variables = doc["head"].get("vars", [])
    if "boolean" in doc:
        return f"<p>Answer: <strong>{'yes' if doc['boolean'] else 'no'}</strong></p>"
    rows = doc["results"]["bindings"]
    head = "".join(f"<th>{html.escape(v)}</th>" for v in variables)
    body = "".join("<tr>" + "".join(f"<td>{term_html(r.get(v), base_url)}</td>" for v in variables) + "</tr>"
                   for r in rows)
    return f"<p>{len(rows)} row(s)</p><table class=results><tr>{head}</tr>{body}</table>"


def query_page(query: str, result_html: str, examples: list[tuple[str, str]]) -> bytes:
    items = "".join(f'<li><a href="/query?{urlencode({"query": q})}">{html.escape(title)}</a></li>'
                    for title, q in examples)
    body = (f'<form method="get" action="/query"><textarea name="query" aria-label="SPARQL query">'
            f"{html.escape(query)}</textarea><p><button type=submit>Run query</button> "
            f'<span class=muted>(the default graph is the union of asserted and inferred triples)</span></p></form>'
            f"{result_html}<h2>Example questions</h2><ol>{items}</ol>")
    return page("Query the bone metastasis graph", body)


def resource_page(iri: str, rows: list[dict], base_url: str) -> bytes:
    """A resource's page from rows with keys dir, p, o, g, olabel, plabel (SPARQL JSON bindings)."""
    label = next((r["o"]["value"] for r in rows if r["dir"]["value"] == "out"
                  and r["p"]["value"] == "http://www.w3.org/2000/01/rdf-schema#label"), iri.rsplit("/", 1)[-1])
    definition = next((r["o"]["value"] for r in rows if r["dir"]["value"] == "out"
                       and r["p"]["value"] == "http://www.w3.org/2004/02/skos/core#definition"), None)
    types = sorted({(r["o"]["value"], r.get("olabel", {}).get("value")) for r in rows if r["dir"]["value"] == "out"
                    and r["p"]["value"] == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
                    and r["g"]["value"].endswith("/asserted")})

    def table(direction: str) -> str:
        seen, lines = set(), []
        for r in sorted(rows, key=lambda r: (r["p"]["value"], r["o"]["value"])):
            if r["dir"]["value"] != direction:
                continue
            key = (r["p"]["value"], r["o"]["value"], r["g"]["value"])
            if key in seen:
                continue
            seen.add(key)
            inferred = r["g"]["value"].endswith("/inferred")
            cls = ' class="inferred"' if inferred else ""
            mark = " (inferred)" if inferred else ""
            prop = link(r["p"]["value"], base_url, r.get("plabel", {}).get("value"))
            other = term_html(r["o"], base_url, r.get("olabel", {}).get("value"))
            lines.append(f"<tr{cls}><td>{prop}</td><td>{other}{mark}</td></tr>")
        return f"<table><tr><th>property</th><th>value</th></tr>{''.join(lines)}</table>" if lines else "<p>none</p>"

    alternates = " ".join(f'<a href="{html.escape(local(iri, base_url) or iri)}.{ext}">{ext}</a>'
                          for ext in ("ttl", "nt", "jsonld", "rdf"))
    body = (f"<p><code>{html.escape(iri)}</code></p>"
            + (f"<p>{html.escape(definition)}</p>" if definition else "")
            + ("<p>Type: " + ", ".join(link(t, base_url, lab) for t, lab in types) + "</p>" if types else "")
            + provenance_html(rows, base_url) + statistic_html(rows, base_url)
            + "<h2>Outgoing links</h2>" + table("out")
            + "<h2>Incoming links</h2>" + table("in")
            + f"<p class=muted>Also as {alternates}. Rows in grey italics are inferred by OWL 2 RL reasoning.</p>")
    return page(label, body)


def _values(rows: list[dict], prop: str) -> list[dict]:
    return [r for r in rows if r["dir"]["value"] == "out" and r["p"]["value"] == BASE + prop]


def provenance_html(rows: list[dict], base_url: str) -> str:
    evidence = [r for r in rows if r["dir"]["value"] == "out" and r["p"]["value"] == BASE + "evidence"]
    sources = [r for r in rows if r["dir"]["value"] == "out"
               and r["p"]["value"] == "http://www.w3.org/ns/prov#wasDerivedFrom"]
    if not sources:
        return ""
    parts = [f"Source: {term_html(s['o'], base_url, s.get('olabel', {}).get('value'))}" for s in sources]
    for r in evidence:
        if "start" in r and "end" in r:
            parts.append(f"passage: characters {r['start']['value']}–{r['end']['value']} of the document")
    return "<h2>Provenance</h2><p>" + "; ".join(parts) + "</p>"


def statistic_html(rows: list[dict], base_url: str) -> str:
    low, high, unit = _values(rows, "minValue"), _values(rows, "maxValue"), _values(rows, "unit")
    if not (low and high and unit):
        return ""
    lo, hi = low[0]["o"]["value"], high[0]["o"]["value"]
    value = lo if lo == hi else f"{lo}–{hi}"
    u = unit[0].get("olabel", {}).get("value", "")
    qual = _values(rows, "valueQualifier")
    q = qual[0].get("olabel", {}).get("value", "") + " " if qual else ""
    about = ", ".join(term_html(r["o"], base_url, r.get("olabel", {}).get("value")) for r in _values(rows, "aboutCancer"))
    measures = ", ".join(term_html(r["o"], base_url, r.get("olabel", {}).get("value")) for r in _values(rows, "measures"))
    population = ", ".join(term_html(r["o"], base_url, r.get("olabel", {}).get("value")) for r in _values(rows, "population"))
    return (f"<h2>Figure</h2><p><strong>{html.escape(q)}{html.escape(value)} {html.escape(u)}</strong> — "
            f"measures {measures or '?'}{' for ' + about if about else ''}, in {population or '?'}.</p>")


def not_found(path: str) -> bytes:
    return page("Not found", f"<p>Nothing is known about <code>{html.escape(path)}</code>.</p>")



def search_page(q: str, hits: list[dict], base_url: str) -> bytes:
    items = "".join(f"<li>{link(h['e']['value'], base_url, h['label']['value'])} "
                    f"<span class=muted>matched: {html.escape(h['matched']['value'])}</span></li>" for h in hits)
    result = (f"<p>{len(hits)} entit{'y' if len(hits) == 1 else 'ies'} whose name or synonym starts with "
              f"<q>{html.escape(q)}</q></p><ul class=hits>{items}</ul>") if q else ""
    form = (f'<form method="get" action="/search"><input type="search" name="q" value="{html.escape(q)}" '
            f'aria-label="name or synonym"> <button type="submit">Search</button></form>')
    return page("Search entities", form + result)
