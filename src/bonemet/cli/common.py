"""What the commands share: options defined once, progress on a terminal, atomic writes, one-line errors."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from bonemet.formats import INPUT_NAMES
from bonemet.project import Project, ProjectError, current

F = TypeVar("F", bound=Callable[..., Any])


def fail(command: str, message: str, code: int = 2) -> NoReturn:
    """One line on standard error and the exit code: never a traceback."""
    click.echo(f"bonemet {command}: error: {message}", err=True)
    sys.exit(code)


def project_or_fail(command: str, project_dir: Path | None = None, *, checkout: bool = False) -> Project:
    """The project to work on; curation commands (`checkout=True`) refuse the packaged copy."""
    try:
        project = current(str(project_dir) if project_dir else None)
    except ProjectError as exc:
        fail(command, str(exc))
    if checkout and not project.checkout:
        fail(command, "this command works on a checkout of the bonemet repository (ontology/, mappings/ ...); "
                      "run it inside one or give --project DIR")
    return project


def dist_or_default(dist: Path | None) -> Path:
    """--dist, else the project's release: dist/ of a checkout, or the release inside the package."""
    return dist if dist is not None else current().dist


# query, publish and serve all read the built graph from the same folder
dist_option = click.option("--dist", type=click.Path(file_okay=False, path_type=Path), default=None,
                           help="Built graph folder (default: the checkout's dist/, or the release inside the "
                                "installed package).")
project_option = click.option("--project", "--root", "project_dir", type=click.Path(file_okay=False, path_type=Path),
                              default=None, help="Checkout holding ontology/ and mappings/ (default: the one this "
                                                 "package runs from, or $BONEMET_PROJECT).")
base_option = click.option("--base", default=None, metavar="IRI",
                           help="Resolve relative IRIs in the inputs against IRI (default: each file's own file: IRI).")
input_format_option = click.option("--input-format", type=click.Choice(INPUT_NAMES), default=None,
                                   help="RDF format of the inputs (default: from each file's extension).")


def numeric_options(*specs: tuple[str, float | int, click.ParamType, str]) -> Callable[[F], F]:
    """Several numeric limits as click options, each (name, default, type, help), shown with its default."""
    def decorate(f: F) -> F:
        for name, default, kind, text in reversed(specs):
            f = click.option(name, default=default, show_default=True, type=kind, help=text)(f)
        return f
    return decorate


class ProgressLine:
    """One self-overwriting status line on standard error, at most ten updates a second."""

    def __init__(self, prefix: str):
        self.prefix, self._last, self._shown = prefix, 0.0, False

    def __call__(self, message: str) -> None:
        now = time.monotonic()
        if now - self._last >= 0.1:
            self._last = now
            sys.stderr.write(f"\r\x1b[2K{self.prefix}: {message}")
            sys.stderr.flush()
            self._shown = True

    def close(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


def progress_line(prefix: str, wanted: bool | None = None) -> ProgressLine | None:
    """A progress line when asked for, or by default when standard error is a terminal."""
    return ProgressLine(prefix) if (sys.stderr.isatty() if wanted is None else wanted) else None


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, so readers never see half a report."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        click.echo(f"bonemet: error: cannot write {path}: {exc.strerror}", err=True)
        sys.exit(2)


@contextmanager
def output_lines(path: Path | None) -> Iterator[Callable[[str], object]]:
    """A writer of text to `path` (through a temporary file in its folder, put in place only when the
    block ends without an error, so readers never see half an output) or to standard output."""
    if path is None:
        yield sys.stdout.write
        sys.stdout.flush()
        return

    def cannot(exc: OSError) -> NoReturn:
        click.echo(f"bonemet: error: cannot write {path}: {exc.strerror}", err=True)
        sys.exit(2)

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
        fh = os.fdopen(fd, "w", encoding="utf-8")
    except OSError as exc:
        cannot(exc)

    def write(text: str) -> None:
        try:
            fh.write(text)
        except OSError as exc:
            cannot(exc)

    try:
        yield write
        fh.close()
        os.replace(tmp, path)
    except OSError as exc:
        cannot(exc)
    finally:
        fh.close()
        if os.path.exists(tmp):
            os.unlink(tmp)


def spark_options(f: F) -> F:
    """--master, --partitions and --metrics, for the commands with an `--engine spark`."""
    f = click.option("--metrics", "metrics_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                     help="With --engine spark: write what each phase and partition cost, as JSON.")(f)
    f = click.option("--partitions", type=click.IntRange(min=1), default=8, show_default=True,
                     help="With --engine spark: how many partitions the patients are spread over.")(f)
    return click.option("--master", default="local[*]", show_default=True, metavar="URL",
                        help="With --engine spark: the Spark master (local[N], spark://host:port ...).")(f)


@contextmanager
def spark_failures(command: str) -> Iterator[None]:
    """Spark's failures (no pyspark, no Java, master unreachable, refused data) as one line and exit 2."""
    from bonemet.io import InputError
    from bonemet.spark.partition import SparkRefusal
    from bonemet.spark.session import SparkError, one_line

    try:
        yield
    except (SparkError, SparkRefusal) as exc:
        fail(command, str(exc))
    except InputError:
        raise
    except Exception as exc:
        if type(exc).__module__.startswith(("py4j", "pyspark")):
            fail(command, f"Spark failed: {one_line(exc)}")
        raise
