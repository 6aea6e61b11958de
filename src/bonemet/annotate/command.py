"""`bonemet annotate`: the command line of the annotation stage."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bonemet.annotate.candidates import DEFAULT_MIN_CONFIDENCE, Annotator
from bonemet.annotate.documents import DEFAULT_MAX_SIZE, AnnotateError, annotate_files
from bonemet.annotate.render import RENDERERS


@click.command("annotate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="tsv", show_default=True,
              help="tsv: curated-table rows with status/confidence; jsonld: W3C Web Annotations; html: a page.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output.")
@click.option("--max-size", type=click.IntRange(min=1), default=DEFAULT_MAX_SIZE, show_default=True,
              help="Refuse documents larger than this many bytes.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=DEFAULT_MIN_CONFIDENCE, show_default=True,
              help="Drop candidate statements scored below this.")
@click.option("--project", "--root", "root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Project folder holding ontology/ and mappings/ (default: this checkout, or the data "
                   "packaged with bonemet).")
def command(files: tuple[Path, ...], fmt: str, output: Path | None, max_size: int, min_confidence: float,
            root: Path | None) -> None:
    """Find entity mentions in plain-text FILES and propose sourced statements for curation."""
    try:
        annotator = Annotator.load(root, min_confidence=min_confidence)
        documents = annotate_files(list(files), annotator, max_size)
        rendered = RENDERERS[fmt](documents)
        if output is None:
            click.echo(rendered, nl=False)
        else:
            output.write_text(rendered, encoding="utf-8")
    except AnnotateError as exc:
        click.echo(f"bonemet annotate: error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - the promise is one line and exit 2, never a traceback
        message = " ".join(str(exc).split()) or type(exc).__name__
        click.echo(f"bonemet annotate: error: {message}", err=True)
        sys.exit(2)
