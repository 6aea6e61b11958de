"""Interpreter for the declarative table-to-RDF mapping (mappings/bonemet.mapping.yaml)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.term import Node

from bonemet.curate.tables import Row, TableError, read_table

_REF = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(\*?)\}")
_IRI_BAD = re.compile(r'[\s<>"{}|\\^`]')


class MappingError(TableError):
    """The mapping file itself is malformed."""


def load_mapping(path: Path) -> dict[str, Any]:
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: cannot read mapping: {exc}") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("tables"), dict):
        raise MappingError(f"{path}: a mapping needs 'prefixes' and 'tables'")
    return spec


def _refs(template: Any) -> list[tuple[str, bool]]:
    text = template["literal"] if isinstance(template, dict) else template
    return [(name, star == "*") for name, star in _REF.findall(str(text))]


def _fill(text: str, values: dict[str, str]) -> str:
    return _REF.sub(lambda m: values[m.group(1)], text)


class Mapper:
    def __init__(self, spec: dict[str, Any], where: Path):
        self.prefixes: dict[str, str] = spec.get("prefixes") or {}
        self.tables: dict[str, Any] = spec["tables"]
        self.where = where

    def expand_curie(self, curie: str, row: Row) -> URIRef:
        prefix, sep, local = curie.partition(":")
        if not sep or prefix not in self.prefixes:
            raise TableError(f"{row.where()}: '{curie}' does not start with a known prefix")
        iri = self.prefixes[prefix] + local
        if _IRI_BAD.search(iri):
            raise TableError(f"{row.where()}: '{iri}' is not a valid IRI (a cell holds spaces or reserved characters)")
        return URIRef(iri)

    def term(self, template: Any, values: dict[str, str], row: Row) -> Node:
        if isinstance(template, dict):
            text = _fill(str(template["literal"]), values)
            if "datatype" in template:
                datatype = self.expand_curie(template["datatype"], row)
                if datatype == XSD.decimal and re.fullmatch(r"[+-]?[0-9]+", text):
                    text += ".0"  # canonical xsd:decimal form, so Turtle's bare decimals round-trip
                literal = Literal(text, datatype=datatype)
                if literal.ill_typed:
                    raise TableError(f"{row.where()}: {text!r} is not a valid {template['datatype']}")
                return literal
            return Literal(text, lang=template.get("language"))
        return self.expand_curie(_fill(template, values), row)

    def triples(self, table: str, row: Row) -> Iterator[tuple[Node, Node, Node]]:
        for template in self.tables[table]["triples"]:
            refs = [r for part in template for r in _refs(part)]
            cells = {name: row[name] for name, _ in refs}
            if any(not v or v == "-" for v in cells.values()):
                continue  # optional cell left empty ("-": reviewed and left empty on purpose): no triple
            choices = [[(name, v.strip()) for v in cells[name].split("|") if v.strip()] if star
                       else [(name, cells[name])] for name, star in refs]
            for combo in itertools.product(*choices):
                values = dict(combo)
                yield tuple(self.term(part, values, row) for part in template)  # type: ignore[misc]

    def rows(self, table: str) -> Iterator[Row]:
        spec = self.tables[table]
        files = sorted(self.where.glob(spec["files"]))
        if not files:
            raise MappingError(f"{self.where}: table '{table}' matches no file '{spec['files']}'")
        for path in files:
            columns = sorted({name for t in spec["triples"] for part in t for name, _ in _refs(part)})
            yield from read_table(path, columns)

    def graph(self) -> Graph:
        g = Graph()
        for table in self.tables:
            for row in self.rows(table):
                for triple in self.triples(table, row):
                    g.add(triple)
        return g
