"""Reading the documents to annotate, and telling whether one is among our sources.

Input is checked before any work, for all files at once: a run over many documents should fail in
the first second with one line naming the bad file, not after minutes with a traceback. A document
that is one of our sources keeps its source id, so that its proposals line up with the curated rows.
"""

from __future__ import annotations

from pathlib import Path

from bonemet.annotate.candidates import Annotator, Document
from bonemet.curate.catalog import Catalog
from bonemet.namespaces import SOURCE

SOURCE_BASE = str(SOURCE)
DEFAULT_MAX_SIZE = 100 * 1024 * 1024


class AnnotateError(Exception):
    """A document cannot be annotated (missing, binary, not UTF-8, empty, too large)."""


def read_document(path: Path, max_size: int = DEFAULT_MAX_SIZE) -> str:
    """The text of a UTF-8 document, or AnnotateError saying in one line why it cannot be used."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise AnnotateError(f"{path}: no such file") from None
    except OSError as exc:
        raise AnnotateError(f"{path}: cannot read ({exc.strerror})") from None
    if not path.is_file():
        raise AnnotateError(f"{path}: not a regular file")
    # Checked before reading, so a huge file never gets loaded into memory.
    if size > max_size:
        raise AnnotateError(f"{path}: {size} bytes, more than --max-size {max_size}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AnnotateError(f"{path}: cannot read ({exc.strerror})") from None
    if not data.strip():
        raise AnnotateError(f"{path}: empty document")
    # NUL bytes never occur in text; they mark images, archives, PDFs ...
    if b"\x00" in data[:65536]:
        raise AnnotateError(f"{path}: binary file, expected plain UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AnnotateError(f"{path}: not UTF-8 text (invalid byte at offset {exc.start})") from None
    return text


def identify_source(path: Path, catalog: Catalog) -> tuple[str, str]:
    """Our source id and IRI when the file is one of our sources (same file name), else the name and file IRI."""
    for source in catalog.sources.values():
        if source.file == path.name:
            return source.id, SOURCE_BASE + source.id
    return path.name, path.resolve().as_uri()


def annotate_files(paths: list[Path], annotator: Annotator, max_size: int) -> list[Document]:
    """Read and annotate each file; the first unusable file stops everything with AnnotateError."""
    texts = [(path, read_document(path, max_size)) for path in paths]  # check all before working
    documents = []
    for path, text in texts:
        source, iri = identify_source(path, annotator.catalog)
        documents.append(annotator.annotate(text, path.name, source, iri))
    return documents
