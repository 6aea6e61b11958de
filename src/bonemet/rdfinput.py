"""Loading users' RDF files safely: every failure becomes one clear InputError line.

Checks, in order: the path exists and is a regular file, it is not over the size limit,
it is not empty, the format is known, the bytes are UTF-8, and it parses (the parser's
line and column are reported where the parser gives them).
"""

from __future__ import annotations

import json
import xml.sax
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

FORMAT_BY_SUFFIX = {
    ".ttl": "turtle", ".turtle": "turtle", ".n3": "n3",
    ".nt": "nt", ".ntriples": "nt", ".nq": "nquads",
    ".jsonld": "json-ld", ".json": "json-ld",
    ".rdf": "xml", ".owl": "xml", ".xml": "xml",
    ".trig": "trig",
}
FORMAT_NAMES = {"turtle", "n3", "nt", "nquads", "json-ld", "xml", "trig"}
QUAD_FORMATS = {"trig", "nquads"}
DEFAULT_MAX_BYTES = 100_000_000


class InputError(Exception):
    """An input file cannot be used; the message names the file and the problem."""


def guess_format(path: Path, input_format: str | None = None) -> str:
    if input_format:
        if input_format not in FORMAT_NAMES:
            raise InputError(f"unknown input format '{input_format}' (use one of {', '.join(sorted(FORMAT_NAMES))})")
        return input_format
    fmt = FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: cannot tell the RDF format from the extension '{path.suffix}' "
                         f"(use --input-format)")
    return fmt


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


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    check_path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{path}: {size / 1e6:.0f} MB is over the {max_bytes / 1e6:.0f} MB limit "
                         f"(raise it with --max-size, or split the file)")
    if size == 0:
        raise InputError(f"{path}: the file is empty")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at byte {exc.start})") from None
    if not text.strip():
        raise InputError(f"{path}: the file holds only white space")
    return text


def load_rdf(paths: list[Path], input_format: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Graph:
    """Parse all files into one graph (named graphs of TriG/N-Quads are merged)."""
    graph = Graph()
    for path in paths:
        check_path(path)
        fmt = guess_format(path, input_format)
        text = read_text(path, max_bytes)
        try:
            if fmt in QUAD_FORMATS:
                ds = Dataset()
                ds.parse(data=text, format=fmt)
                for s, p, o, _g in ds.quads((None, None, None, None)):
                    graph.add((s, p, o))
            else:
                graph.parse(data=text, format=fmt)
        except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise many exception types
            raise InputError(f"{path}: not valid {fmt}: {describe_parse_error(exc, text, fmt)}") from None
    return graph
