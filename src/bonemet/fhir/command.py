"""`bonemet import-fhir` as one library call: bundles in, records and report out, an exit code back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bonemet.curate.tables import TableError
from bonemet.fhir.codes import load_tables
from bonemet.fhir.map import Importer
from bonemet.fhir.parse import DEFAULT_MAX_BYTES, BundleError, FhirUnavailable, read_bundle
from bonemet.fhir.report import Report

FORMATS = {"turtle": "turtle", "ntriples": "nt"}


class ImportError_(Exception):
    """Unusable input or tables (exit 2); the message is one line."""


@dataclass
class Result:
    rdf: str
    report: Report


def import_bundles(paths: list[Path], *, root: Path, base: str, out_format: str = "turtle",
                   max_bytes: int = DEFAULT_MAX_BYTES) -> Result:
    """Map every bundle; any bad bundle stops the whole import, so no partial output is ever written."""
    if not base.endswith(("/", "#")):
        base += "/"
    try:
        tables = load_tables(root)
        importer = Importer(tables, base)
        for path in paths:
            importer.add(read_bundle(path, max_bytes=max_bytes))
    except (BundleError, FhirUnavailable, TableError) as exc:
        raise ImportError_(str(exc)) from None
    # N-Triples sorted, so that the same bundles give the same bytes
    text = importer.graph.serialize(format=FORMATS[out_format])
    if out_format == "ntriples":
        text = "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))
    return Result(text, importer.report)

