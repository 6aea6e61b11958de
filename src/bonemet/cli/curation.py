"""Curation commands: they work on a checkout, where the sources of truth are edited."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bonemet.cli.common import project_option, project_or_fail


@click.command()
@project_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: PROJECT/dist).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
def build(project_dir: Path | None, out: Path | None, quiet: bool) -> None:
    """Build the asserted and inferred graphs into dist/."""
    from bonemet.build.pipeline import BuildError
    from bonemet.build.pipeline import build as run_build

    project = project_or_fail("build", project_dir, checkout=True)
    log = (lambda _m: None) if quiet else (lambda m: click.echo(f"bonemet build: {m}", err=True))
    try:
        result = run_build(project.root, out, log=log)
    except BuildError as exc:
        click.echo(f"bonemet build: error: {exc}", err=True)
        click.echo("bonemet build: the previous dist/ (if any) was left unchanged", err=True)
        sys.exit(1)
    if not quiet:
        click.echo(f"built {result.out}: {result.report['asserted_triples']} asserted and "
                   f"{result.report['inferred_triples']} inferred triples")


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@project_option
def check(files: tuple[Path, ...], project_dir: Path | None) -> None:
    """Check curated statement/statistic tables (all of them, or FILES)."""
    from bonemet.curate.checks import main as check_main

    project = project_or_fail("check", project_dir, checkout=True)
    sys.exit(check_main([str(f) for f in files], project.root))
