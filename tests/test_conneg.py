"""Content negotiation, in process: Accept with q-values, wildcards, the format= override, 406."""

import pytest

from bonemet.formats import GRAPH_SYNTAXES, RESULTS_FORMATS
from bonemet.serve.conneg import GRAPH_TYPES, RESULTS_TYPES, NotAcceptable, choose, parse_accept

RESULTS = list(RESULTS_TYPES)
GRAPHS = list(GRAPH_TYPES)
LD = ["text/html"] + GRAPHS

# (available, Accept, format=, expected media type)
CASES = {
    "no-accept-takes-the-first": (RESULTS, None, None, "application/sparql-results+json"),
    "empty-accept": (RESULTS, "  ", None, "application/sparql-results+json"),
    "star-star": (RESULTS, "*/*", None, "application/sparql-results+json"),
    "exact": (RESULTS, "text/csv", None, "text/csv"),
    "q-values-order": (RESULTS, "text/csv;q=0.5, application/sparql-results+xml", None,
                       "application/sparql-results+xml"),
    "q-beats-order": (RESULTS, "application/sparql-results+json;q=0.1, text/tab-separated-values;q=0.9", None,
                      "text/tab-separated-values"),
    "type-wildcard": (GRAPHS, "application/*", None, "application/n-triples"),
    "specific-q-over-wildcard": (GRAPHS, "text/*;q=0.1, */*;q=0.5", None, "application/n-triples"),
    "zero-q-excludes": (LD, "text/html;q=0, */*", None, "text/turtle"),
    "browser-accept": (LD, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, "text/html"),
    "case-insensitive": (GRAPHS, "Text/Turtle", None, "text/turtle"),
    "bad-q-is-zero": (RESULTS, "text/csv;q=abc, text/tab-separated-values;q=0.2", None,
                      "text/tab-separated-values"),
    "format-alias": (RESULTS, "text/csv", "json", "application/sparql-results+json"),
    "format-media-type": (GRAPHS, None, "application/rdf+xml", "application/rdf+xml"),
    "format-short": (GRAPHS, "text/turtle", "nt", "application/n-triples"),
    "format-srx": (RESULTS, None, "SRX", "application/sparql-results+xml"),
}
REFUSED = {
    "nothing-fits": (RESULTS, "image/png", None),
    "all-zero": (GRAPHS, "*/*;q=0", None),
    "format-not-here": (RESULTS, None, "turtle"),
    "format-unknown": (GRAPHS, None, "yaml"),
}


def test_case_counts():
    assert (len(CASES), len(REFUSED)) == (16, 4)


@pytest.mark.parametrize("name", sorted(CASES))
def test_choose(name):
    available, accept, fmt, expected = CASES[name]
    assert choose(available, accept, fmt) == expected


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_not_acceptable(name):
    available, accept, fmt = REFUSED[name]
    with pytest.raises(NotAcceptable):
        choose(available, accept, fmt)


def test_parse_accept_orders_by_q_then_specificity_then_order():
    assert parse_accept("*/*;q=0.5, text/*;q=0.5, text/csv;q=0.5, a/b") == [
        ("a/b", 1.0), ("text/csv", 0.5), ("text/*", 0.5), ("*/*", 0.5)]
    assert parse_accept("text/csv;q=7") == [("text/csv", 1.0)]   # clamped to 0..1


def test_tables_come_from_the_format_table():
    assert list(RESULTS_TYPES) == [f.media_type for f in RESULTS_FORMATS]
    assert list(GRAPH_TYPES) == [s.media_type for s in GRAPH_SYNTAXES]
