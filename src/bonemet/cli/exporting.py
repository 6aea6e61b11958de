"""`bonemet export kgx`: the release as KGX TSV in Biolink terms."""

from __future__ import annotations

from pathlib import Path

import click

from bonemet.cli.common import dist_option, dist_or_default, fail
from bonemet.project import ProjectError


@click.group()
def export() -> None:
    """Export the built graph into other formats."""


@export.command()
@click.option("--output", type=click.Path(path_type=Path), default=Path("kgx"), show_default=True,
              help="Folder for nodes.tsv and edges.tsv (replaced as a whole, never left half-written).")
@dist_option
def kgx(output: Path, dist: Path | None) -> None:
    """Write nodes.tsv and edges.tsv (KGX TSV, Biolink categories and predicates) for the release.

    Exit code 0 when written, 2 when the release or the output folder cannot be used.
    """
    from bonemet.export.kgx import ExportError, write_kgx

    try:
        tables = write_kgx(dist_or_default(dist), output)
    except (ExportError, ProjectError) as exc:
        fail("export kgx", str(exc))
    left = sum(tables.left_out.values())
    click.echo(f"bonemet export kgx: {len(tables.nodes)} nodes, {len(tables.edges)} edges in {output}; "
               f"{left} triples of {len(tables.left_out)} properties without a Biolink predicate left out", err=True)
