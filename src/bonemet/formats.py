"""The one table of formats: RDF syntaxes and SPARQL result formats, with every name each library uses.

Every stage looks formats up here (file suffix, media type, rdflib plugin name, pyoxigraph enum,
the `format=` parameter of the endpoint), so adding a syntax is one row.

>>> by_suffix(".ttl").media_type
'text/turtle'
>>> by_media_type("application/n-triples").rdflib
'nt'
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfSyntax:
    name: str                    # what --input-format takes (rdflib's parser name)
    suffixes: tuple[str, ...]    # the first is the one bonemet writes
    media_type: str
    oxigraph: ox.RdfFormat
    aliases: tuple[str, ...] = ()  # the endpoint's `format=` values, where it can answer in this syntax
    quads: bool = False          # holds named graphs
    dump: bool = False           # bonemet build writes the graphs in this syntax

    @property
    def rdflib(self) -> str:
        return self.name

    @property
    def suffix(self) -> str:
        return self.suffixes[0]


RDF_SYNTAXES: tuple[RdfSyntax, ...] = (
    RdfSyntax("turtle", (".ttl", ".turtle"), "text/turtle", ox.RdfFormat.TURTLE, ("turtle", "ttl"), dump=True),
    RdfSyntax("nt", (".nt", ".ntriples"), "application/n-triples", ox.RdfFormat.N_TRIPLES, ("ntriples", "nt"), dump=True),
    RdfSyntax("json-ld", (".jsonld", ".json"), "application/ld+json", ox.RdfFormat.JSON_LD, ("jsonld", "json-ld"), dump=True),
    RdfSyntax("xml", (".rdf", ".owl", ".xml"), "application/rdf+xml", ox.RdfFormat.RDF_XML, ("rdfxml", "rdf"), dump=True),
    RdfSyntax("n3", (".n3",), "text/n3", ox.RdfFormat.N3),
    RdfSyntax("trig", (".trig",), "application/trig", ox.RdfFormat.TRIG, quads=True),
    RdfSyntax("nquads", (".nq",), "application/n-quads", ox.RdfFormat.N_QUADS, quads=True),
)


@dataclass(frozen=True)
class ResultsFormat:
    aliases: tuple[str, ...]
    media_type: str
    oxigraph: ox.QueryResultsFormat


RESULTS_FORMATS: tuple[ResultsFormat, ...] = (
    ResultsFormat(("json", "srj"), "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ResultsFormat(("xml", "srx"), "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ResultsFormat(("csv",), "text/csv", ox.QueryResultsFormat.CSV),
    ResultsFormat(("tsv",), "text/tab-separated-values", ox.QueryResultsFormat.TSV),
)

INPUT_NAMES = sorted(s.name for s in RDF_SYNTAXES)
# What the endpoint answers CONSTRUCT/DESCRIBE and Linked Data requests with, in its order of preference.
GRAPH_SYNTAXES = tuple(s for s in RDF_SYNTAXES if s.aliases)
DUMP_SYNTAXES = tuple(s for s in RDF_SYNTAXES if s.dump)
TRIG = next(s for s in RDF_SYNTAXES if s.name == "trig")
# The graphs of a release: named graph (under bonemet.namespaces.GRAPH) -> file stem of its dumps in dist/.
# bonemet.trig holds them all, each in its named graph.
RELEASE_GRAPHS = {"asserted": "bonemet", "inferred": "bonemet-inferred", "derivations": "bonemet-derivations"}
# `format=` values of the endpoint -> media type (html: the Linked Data pages)
FORMAT_ALIASES = ({alias: f.media_type for f in RESULTS_FORMATS for alias in f.aliases}
                  | {alias: s.media_type for s in GRAPH_SYNTAXES for alias in s.aliases} | {"html": "text/html"})


class UnknownFormat(LookupError):
    """No row of the table matches."""


def by_name(name: str) -> RdfSyntax:
    for syntax in RDF_SYNTAXES:
        if syntax.name == name:
            return syntax
    raise UnknownFormat(f"unknown input format '{name}' (use one of {', '.join(INPUT_NAMES)})")


def by_suffix(suffix: str) -> RdfSyntax | None:
    suffix = suffix.lower()
    return next((s for s in RDF_SYNTAXES if suffix in s.suffixes), None)


def by_media_type(media_type: str) -> RdfSyntax:
    for syntax in RDF_SYNTAXES:
        if syntax.media_type == media_type:
            return syntax
    raise UnknownFormat(f"no RDF syntax has the media type {media_type}")


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type: text and JSON are sent as UTF-8."""
    textual = media_type.startswith("text/") or media_type.endswith("json") or media_type in (
        "application/n-triples", "application/trig", "application/n-quads")
    return media_type + ("; charset=utf-8" if textual else "")


def download_type(file_name: str) -> str | None:
    """The Content-Type of a file of the release, by its suffix (None: not served)."""
    suffix = file_name[file_name.rfind("."):].lower() if "." in file_name else ""
    if suffix == ".json":
        return content_type("application/json")
    syntax = next((s for s in RDF_SYNTAXES if s.suffix == suffix), None)
    return content_type(syntax.media_type) if syntax else None
