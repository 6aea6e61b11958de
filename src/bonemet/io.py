"""Loading RDF files safely, for every stage: every failure becomes one clear InputError line.

Checks, in order: the path exists and is a regular file, it is not over the size limit,
it is not empty, the format is known, the bytes are UTF-8, and it parses (the parser's
line and column are reported where the parser gives them). Two readers: rdflib (`load_rdf`,
precise messages, whole files) and pyoxigraph (`parse_triples`, streaming, registry scale),
which falls back on rdflib's reading of a bad file when that is more precise.
"""

from __future__ import annotations

import json
import logging
import re
import xml.sax
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from bonemet.formats import UnknownFormat, by_name, by_suffix

DEFAULT_MAX_BYTES = 100_000_000
# rdflib's own explanation of a bad file is only asked for files small enough to read whole.
EXPLAIN_LIMIT = 50_000_000


class _LiteralConversionFilter(logging.Filter):
    """rdflib logs a warning with a full traceback for every literal whose lexical form is not valid for
    its datatype ("2023-13-01"^^xsd:date). For bonemet that is a data problem the SHACL report names
    (sh:datatype), so the traceback must not reach the terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form to value")


_LITERAL_FILTER = _LiteralConversionFilter()


def quiet_literal_warnings() -> None:
    """Keep rdflib's literal-conversion warnings out of the output (the command line calls this once)."""
    logger = logging.getLogger("rdflib.term")
    if _LITERAL_FILTER not in logger.filters:
        logger.addFilter(_LITERAL_FILTER)


class InputError(Exception):
    """An input file cannot be used; the message names the file and the problem."""


def guess_format(path: Path, input_format: str | None = None) -> str:
    """The rdflib name of the file's syntax: `input_format` if given, else from the extension."""
    if input_format:
        try:
            return by_name(input_format).name
        except UnknownFormat as exc:
            raise InputError(str(exc)) from None
    syntax = by_suffix(path.suffix)
    if syntax is None:
        raise InputError(f"{path}: cannot tell the RDF format from the extension '{path.suffix}' "
                         f"(use --input-format)")
    return syntax.name


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _first_bad_ntriples_line(text: str, fmt: str) -> str:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            (Dataset() if fmt == "nquads" else Graph()).parse(data=line, format=fmt)
        except Exception as exc:  # noqa: BLE001 - any parser failure marks this line
            return f"line {number}: {str(exc).strip() or 'invalid statement'}"
    return "invalid statement"


def describe_parse_error(exc: Exception, text: str, fmt: str) -> str:
    if isinstance(exc, BadSyntax):
        raw = exc._str.decode("utf-8", "replace") if isinstance(exc._str, bytes) else str(exc._str)
        line, column = _position(raw, exc._i)
        return f"line {line}, column {column}: {exc._why}"
    if isinstance(exc, json.JSONDecodeError):
        return f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
    if isinstance(exc, xml.sax.SAXParseException):
        return f"line {exc.getLineNumber()}, column {exc.getColumnNumber()}: {exc.getMessage()}"
    if isinstance(exc, ParserError) and fmt in ("nt", "nquads"):
        return _first_bad_ntriples_line(text, fmt)
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def check_path(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not an RDF file")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")


def check_size(path: Path, max_bytes: int | None) -> int:
    """The file's size, after the path, size-limit and empty-file checks."""
    check_path(path)
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise InputError(f"{path}: {size / 1e6:.0f} MB is over the {max_bytes / 1e6:.0f} MB limit "
                         f"(raise it with --max-size, or split the file)")
    if size == 0:
        raise InputError(f"{path}: the file is empty")
    return size


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    check_size(path, max_bytes)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at byte {exc.start})") from None
    if not text.strip():
        raise InputError(f"{path}: the file holds only white space")
    return text


def base_iri(path: Path, base: str | None = None) -> str:
    """What relative IRIs in a file resolve against: `base` when given, else the file's own location.

    >>> base_iri(Path("/data/records.ttl")), base_iri(Path("x.ttl"), "https://example.org/r/")
    ('file:///data/records.ttl', 'https://example.org/r/')
    """
    return base or path.resolve().as_uri()


def load_rdf(paths: list[Path], input_format: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES, *,
             base: str | None = None) -> Graph:
    """Parse all files into one graph (named graphs of TriG/N-Quads are merged); relative IRIs
    resolve against `base` or each file's location."""
    graph = Graph()
    for path in paths:
        check_path(path)
        fmt = guess_format(path, input_format)
        text = read_text(path, max_bytes)
        try:
            if by_name(fmt).quads:
                ds = Dataset()
                ds.parse(data=text, format=fmt, publicID=base_iri(path, base))
                for s, p, o, _g in ds.quads((None, None, None, None)):
                    graph.add((s, p, o))
            else:
                graph.parse(data=text, format=fmt, publicID=base_iri(path, base))
        except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise many exception types
            raise InputError(f"{path}: not valid {fmt}: {describe_parse_error(exc, text, fmt)}") from None
    return graph


def parse_triples(paths: list[Path], input_format: str | None = None, max_bytes: int | None = None,
                  prefixes: dict[str, str] | None = None, *,
                  base: str | None = None) -> Iterator[tuple[ox.Quad | ox.Triple, Path]]:
    """Stream triples from files with pyoxigraph; errors name file, line and column.

    The files' prefix declarations are collected into `prefixes`, when given."""
    for path in paths:
        check_size(path, max_bytes)
        fmt = guess_format(path, input_format)
        triples = 0
        try:
            parser = ox.parse(path=str(path), format=by_name(fmt).oxigraph, base_iri=base_iri(path, base))
            for quad in parser:
                triples += 1
                yield quad, path
            if prefixes is not None and hasattr(parser, "prefixes"):
                prefixes.update(parser.prefixes)
        except SyntaxError as exc:
            _explain_with_rdflib(path, fmt, max_bytes, base)
            raise InputError(f"{path}: not valid {fmt}: {_describe(exc)}") from None
        if triples == 0:
            _explain_with_rdflib(path, fmt, max_bytes, base)


def _explain_with_rdflib(path: Path, fmt: str, max_bytes: int | None, base: str | None) -> None:
    """Raise rdflib's reading of a bad file where it is more precise (encoding, XML line numbers)."""
    if path.stat().st_size <= EXPLAIN_LIMIT:
        load_rdf([path], fmt, max_bytes or DEFAULT_MAX_BYTES, base=base)


def _describe(exc: SyntaxError) -> str:
    """pyoxigraph's "Parser error at line 2 column 19: why" as "line 2, column 19: why"."""
    why = re.sub(r"^Parser error at line \d+ (between columns \d+ and \d+|column \d+): ", "", exc.msg)
    if exc.lineno:
        return f"line {exc.lineno}, column {exc.offset or 1}: {why}"
    return why


def open_store(paths: Iterable[Path], graphs: Iterable[Graph] = ()) -> ox.Store:
    """An in-memory Oxigraph store with the given RDF files and rdflib graphs in its default graph."""
    store = ox.Store()
    for g in graphs:
        store.bulk_load(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q, _path in parse_triples(list(paths)))
    return store
