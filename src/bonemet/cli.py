"""The `bonemet` command line. Commands are thin calls into the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .sources import PROJECT_ROOT


@click.group()
@click.version_option(__version__, prog_name="bonemet")
def main() -> None:
    """bonemet: the bone metastasis knowledge graph."""


@main.command()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=PROJECT_ROOT,
              show_default=True, help="Project folder holding ontology/ and mappings/.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: ROOT/dist).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
def build(root: Path, out: Path | None, quiet: bool) -> None:
    """Build the asserted and inferred graphs into dist/."""
    from .build import BuildError, build as run_build

    log = (lambda _m: None) if quiet else (lambda m: click.echo(f"bonemet build: {m}", err=True))
    try:
        result = run_build(root, out, log=log)
    except BuildError as exc:
        click.echo(f"bonemet build: error: {exc}", err=True)
        click.echo("bonemet build: the previous dist/ (if any) was left unchanged", err=True)
        sys.exit(1)
    if not quiet:
        click.echo(f"built {result.out}: {result.report['asserted_triples']} asserted and "
                   f"{result.report['inferred_triples']} inferred triples")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def check(files: tuple[Path, ...]) -> None:
    """Check curated statement/statistic tables (all of them, or FILES)."""
    from .curation import main as check_main

    sys.exit(check_main([str(f) for f in files]))


@main.command()
@click.argument("query_file", type=click.File("r", encoding="utf-8"))
@click.option("--dist", type=click.Path(file_okay=False, path_type=Path), default=PROJECT_ROOT / "dist",
              show_default=True, help="Built graph folder.")
def query(query_file, dist: Path) -> None:
    """Run a SPARQL SELECT query over the built graph (asserted + inferred); print TSV."""
    from rdflib import Graph

    g = Graph()
    for name in ("bonemet.nt", "bonemet-inferred.nt"):
        path = dist / name
        if not path.is_file():
            click.echo(f"bonemet query: error: {path} not found; run `bonemet build` first", err=True)
            sys.exit(2)
        g.parse(path, format="nt")
    from .queries import run_compact, to_tsv

    try:
        variables, rows = run_compact(g, query_file.read())
    except Exception as exc:  # rdflib raises pyparsing and its own errors
        click.echo(f"bonemet query: error: {query_file.name}: {exc}", err=True)
        sys.exit(2)
    click.echo(to_tsv(variables, rows), nl=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the graph. (The SPARQL endpoint is not built yet: this reports the dumps.)"""
    dist = PROJECT_ROOT / "dist"
    click.echo(f"bonemet serve: the HTTP endpoint is not implemented yet (planned for http://{host}:{port}).")
    click.echo(f"The built graph is in {dist}:")
    for path in sorted(dist.glob("*")):
        click.echo(f"  {path}")


if __name__ == "__main__":
    main()
