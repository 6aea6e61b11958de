"""The `bonemet` command line: one click group; every command is a thin call into its stage."""

from __future__ import annotations

import click

from bonemet import __version__
from bonemet.cli.curation import build, check
from bonemet.cli.data import generate, query, reason, validate
from bonemet.cli.exporting import export
from bonemet.cli.fhir import import_fhir
from bonemet.cli.serving import publish, serve
from bonemet.io import quiet_literal_warnings


@click.group()
@click.version_option(__version__, prog_name="bonemet")
def main() -> None:
    """bonemet: the bone metastasis knowledge graph."""
    quiet_literal_warnings()


for _command in (build, check, query, validate, reason, generate, import_fhir, export, publish, serve):
    main.add_command(_command)


def _register_annotate() -> None:
    from bonemet.annotate.command import command

    main.add_command(command)


_register_annotate()
