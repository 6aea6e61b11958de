"""The one format table, in process: every row consistent with rdflib, pyoxigraph and its own lookups."""

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.plugin import Parser, Serializer
from rdflib.plugin import get as plugin

from bonemet.formats import (
    DUMP_SYNTAXES,
    FORMAT_ALIASES,
    GRAPH_SYNTAXES,
    INPUT_NAMES,
    RDF_SYNTAXES,
    RESULTS_FORMATS,
    UnknownFormat,
    by_media_type,
    by_name,
    by_suffix,
    content_type,
    download_type,
)

SAMPLE = Graph().add((URIRef("http://e/s"), URIRef("http://e/p"), URIRef("http://e/o")))
NAMES = [s.name for s in RDF_SYNTAXES]


def test_row_counts():
    assert (len(RDF_SYNTAXES), len(RESULTS_FORMATS), len(GRAPH_SYNTAXES), len(DUMP_SYNTAXES)) == (7, 4, 4, 4)
    assert INPUT_NAMES == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_syntax_round_trips_through_both_libraries(name):
    syntax = by_name(name)
    assert plugin(syntax.rdflib, Parser) and plugin(syntax.rdflib, Serializer)
    data = SAMPLE
    if syntax.quads:   # rdflib writes quad syntaxes only from a dataset
        data = Dataset()
        data.graph(URIRef("http://e/g")).add((URIRef("http://e/s"), URIRef("http://e/p"), URIRef("http://e/o")))
    text = data.serialize(format=syntax.rdflib)
    quads = list(ox.parse(text.encode("utf-8"), format=syntax.oxigraph))
    assert len(quads) == 1 and quads[0].subject == ox.NamedNode("http://e/s")
    assert ox.RdfFormat.from_media_type(syntax.media_type) == syntax.oxigraph
    for suffix in syntax.suffixes:
        assert by_suffix(suffix) is syntax and by_suffix(suffix.upper()) is syntax
    assert by_media_type(syntax.media_type) is syntax


def test_suffixes_and_aliases_are_unique():
    suffixes = [x for s in RDF_SYNTAXES for x in s.suffixes]
    aliases = [a for f in (*RESULTS_FORMATS, *GRAPH_SYNTAXES) for a in f.aliases]
    assert len(suffixes) == len(set(suffixes)) and len(aliases) == len(set(aliases))
    assert set(FORMAT_ALIASES) == set(aliases) | {"html"}


@pytest.mark.parametrize("fmt", RESULTS_FORMATS, ids=[f.aliases[0] for f in RESULTS_FORMATS])
def test_results_formats_match_pyoxigraph(fmt):
    assert ox.QueryResultsFormat.from_media_type(fmt.media_type) == fmt.oxigraph


def test_lookups_refuse_what_is_not_in_the_table():
    assert by_suffix(".csv") is None
    with pytest.raises(UnknownFormat, match="use one of json-ld, n3, nquads, nt, trig, turtle, xml"):
        by_name("yaml")
    with pytest.raises(UnknownFormat):
        by_media_type("image/png")


@pytest.mark.parametrize("name, expected", [
    ("bonemet.ttl", "text/turtle; charset=utf-8"), ("bonemet.nt", "application/n-triples; charset=utf-8"),
    ("bonemet.jsonld", "application/ld+json; charset=utf-8"), ("bonemet.rdf", "application/rdf+xml"),
    ("bonemet.trig", "application/trig; charset=utf-8"), ("build-report.json", "application/json; charset=utf-8"),
    ("notes.txt", None), ("bonemet.owl", None)])
def test_download_types(name, expected):
    assert download_type(name) == expected


def test_content_type_charset_only_for_text():
    assert content_type("text/csv") == "text/csv; charset=utf-8"
    assert content_type("application/sparql-results+xml") == "application/sparql-results+xml"
