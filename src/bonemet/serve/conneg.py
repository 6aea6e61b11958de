"""Content negotiation: Accept headers with q-values, and the `format` parameter override."""

from __future__ import annotations

from bonemet.formats import FORMAT_ALIASES, GRAPH_SYNTAXES, RESULTS_FORMATS, by_suffix

RESULTS_TYPES = {f.media_type: f.aliases[0] for f in RESULTS_FORMATS}   # SELECT / ASK
GRAPH_TYPES = {s.media_type: s.aliases[0] for s in GRAPH_SYNTAXES}     # CONSTRUCT / DESCRIBE, Linked Data
LD_TYPES = ["text/html"] + list(GRAPH_TYPES)                             # a Linked Data page or document


class NotAcceptable(Exception):
    """No representation the client accepts (HTTP 406)."""


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values, best first (more specific first on ties)."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for order, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, _specificity(media), order))
    ranges.sort(key=lambda r: (-r[1], -r[2], r[3]))
    return [(m, q) for m, q, _s, _o in ranges]


def _matches(media_range: str, media_type: str) -> bool:
    if media_range == "*/*":
        return True
    if media_range.endswith("/*"):
        return media_type.startswith(media_range[:-1])
    return media_range == media_type


def choose(available: list[str], accept: str | None, format_param: str | None = None) -> str:
    """The media type to answer with, from `available` (in server preference order)."""
    if format_param:
        wanted = FORMAT_ALIASES.get(format_param.lower(), format_param.lower())
        if wanted in available:
            return wanted
        raise NotAcceptable(f"format '{format_param}' is not available here; use one of {', '.join(available)}")
    best, best_q = None, 0.0
    for candidate in available:
        # the q-value of the most specific range that matches this type
        q = next((q for media, q in sorted(parse_accept(accept), key=lambda r: -_specificity(r[0]))
                  if _matches(media, candidate)), 0.0)
        if q > best_q:
            best, best_q = candidate, q
    if best is None:
        raise NotAcceptable(f"none of {', '.join(available)} is acceptable to the client")
    return best


def _specificity(media: str) -> int:
    return 0 if media == "*/*" else 1 if media.endswith("/*") else 2


def extension_media(ext: str) -> str | None:
    """The media type a Linked Data document's extension asks for (/entity/Femur.ttl), if any.

    >>> extension_media("ttl"), extension_media("html"), extension_media("csv")
    ('text/turtle', 'text/html', None)
    """
    if ext == "html":
        return "text/html"
    syntax = by_suffix("." + ext)
    return syntax.media_type if syntax in GRAPH_SYNTAXES else None
