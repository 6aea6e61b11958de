"""`bonemet import-fhir`: FHIR R4 (mCODE) Bundles into record-layer RDF; the work is in bonemet.fhir."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bonemet.cli.common import fail, project_or_fail, write_atomically


@click.command("import-fhir")
@click.argument("bundles", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File for the records (default: standard output).")
@click.option("--format", "out_format", type=click.Choice(["turtle", "ntriples"]), default="turtle", show_default=True,
              help="RDF syntax of the records.")
@click.option("--base", default="http://example.org/registry/", show_default=True, metavar="IRI",
              help="Namespace of the records made; patients' pseudonyms are derived from it and the resource id.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the unmapped-code report to this file, as JSON.")
@click.option("--strict", is_flag=True, help="Exit 1 when anything could not be mapped.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=50_000_000, show_default=True,
              help="Refuse a bundle file larger than this.")
def import_fhir(bundles, output, out_format, base, report_file, strict, max_bytes) -> None:
    """Import FHIR R4 Bundles (mCODE STU4 profiles) as bonemet patient records.

    Exit code 0 when imported, 1 with --strict when something was not mapped (listed on standard error),
    2 when a bundle cannot be used (one line says which and why); nothing is written then.
    """
    from bonemet.fhir.command import ImportError_, import_bundles

    project = project_or_fail("import-fhir")
    try:
        result = import_bundles(list(bundles), root=project.root, base=base, out_format=out_format,
                                max_bytes=max_bytes)
    except ImportError_ as exc:
        fail("import-fhir", str(exc))
    if report_file:
        write_atomically(report_file, result.report.as_json())
    if output:
        write_atomically(output, result.rdf)
    else:
        click.echo(result.rdf, nl=False)
    click.echo(result.report.as_text(), err=True, nl=False)
    sys.exit(1 if strict and result.report.unmapped else 0)
