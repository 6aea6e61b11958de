"""Commands on data: query the release, validate and reason over users' files, generate registries."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import NoReturn

import click

from bonemet.cli.common import (
    base_option,
    dist_option,
    dist_or_default,
    fail,
    input_format_option,
    output_lines,
    progress_line,
    spark_failures,
    spark_options,
    write_atomically,
)
from bonemet.project import ProjectError, current


@click.command()
@click.argument("query_file", type=click.File("r", encoding="utf-8"))
@dist_option
@click.option("--data", "data_files", multiple=True, type=click.Path(path_type=Path),
              help="Further RDF file(s) to query together with the graph, e.g. a registry (repeatable).")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
              help="SPARQL engine: Oxigraph (fast) or rdflib (the reference).")
def query(query_file, dist: Path | None, data_files: tuple[Path, ...], engine: str) -> None:
    """Run a SPARQL SELECT query over the built graph (asserted + inferred); print TSV."""
    from bonemet.io import InputError, load_rdf, open_store
    from bonemet.sparql import run_compact, run_compact_oxigraph, to_tsv

    dist = dist_or_default(dist)
    graph_files = [dist / name for name in ("bonemet.nt", "bonemet-inferred.nt")]
    for path in graph_files:
        if not path.is_file():
            fail("query", f"{path} not found; run `bonemet build` first")
    text = query_file.read()
    try:
        if engine == "oxigraph":
            variables, rows = run_compact_oxigraph(open_store(graph_files + list(data_files)), text)
        else:
            variables, rows = run_compact(load_rdf(graph_files + list(data_files), max_bytes=10**10), text)
    except InputError as exc:
        fail("query", str(exc))
    except Exception as exc:  # noqa: BLE001 - Oxigraph raises SyntaxError/OSError, rdflib pyparsing and its own
        fail("query", f"{query_file.name}: {' '.join(str(exc).split())}")
    click.echo(to_tsv(variables, rows), nl=False)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--shapes", "shape_files", multiple=True, type=click.Path(path_type=Path),
              help="Shapes file(s) to use instead of bonemet's own (repeatable).")
@click.option("--inference", type=click.Choice(["none", "rdfs", "owlrl"]), default="none", show_default=True,
              help="Entailment applied to the data before validating.")
@click.option("--format", "out_format", type=click.Choice(["text", "turtle", "json"]), default="text",
              show_default=True, help="Report format.")
@input_format_option
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation",
              show_default=True, help="Lowest severity that makes the exit code 1.")
@click.option("--max-size", type=int, default=1_000, show_default=True,
              help="Refuse input files larger than this many megabytes.")
@click.option("--no-vocabulary", is_flag=True, help="Do not mix the bonemet ontology and entities into the data.")
@click.option("--engine", type=click.Choice(["auto", "sparql", "pyshacl", "spark"]), default="auto", show_default=True,
              help="sparql: shapes compiled to SPARQL on Oxigraph (fast); pyshacl: the reference validator; "
                   "auto: sparql unless the shapes need pySHACL; spark: the compiled shapes patient by patient on "
                   "Spark (pip install 'bonemet[spark]').")
@spark_options
@click.option("--progress/--no-progress", default=None,
              help="Show progress on standard error (default: when it is a terminal).")
@base_option
def validate(files, shape_files, inference, out_format, input_format, output, fail_on, max_size, no_vocabulary,
             engine, master, partitions, metrics_file, progress, base) -> None:
    """Validate RDF FILES against bonemet's SHACL shapes.

    Exit code 0 when the data conforms, 1 when there are results at or above --fail-on,
    2 when an input cannot be used.
    """
    from bonemet.io import InputError, load_rdf
    from bonemet.validate.api import validate_files
    from bonemet.validate.compiler import UnsupportedShapes

    if metrics_file and engine != "spark":
        fail("validate", "--metrics is for --engine spark")
    if engine == "spark":
        if inference != "none":
            fail("validate", "--engine spark validates without --inference; use --engine sparql for that")
        try:
            with spark_failures("validate"):
                from bonemet.spark.metrics import Metrics
                from bonemet.spark.validate import validate_on_spark

                metrics = Metrics()
                report = validate_on_spark(list(files), load_rdf(list(shape_files) or current().shape_files()),
                                           master=master, partitions=partitions, with_vocabulary=not no_vocabulary,
                                           input_format=input_format, max_bytes=max_size * 1_000_000, base=base,
                                           notice=lambda m: click.echo(f"bonemet validate: {m}", err=True),
                                           metrics=metrics)
        except (InputError, UnsupportedShapes, ProjectError) as exc:
            fail("validate", str(exc))
        if metrics_file:
            write_atomically(metrics_file, metrics.as_json())
        _write_report(report, files, out_format, output, fail_on)
    meter = progress_line("bonemet validate", progress)
    try:
        shapes = load_rdf(list(shape_files) or current().shape_files())
        report = validate_files(list(files), shapes, inference=inference, with_vocabulary=not no_vocabulary,
                                engine=engine, input_format=input_format, max_bytes=max_size * 1_000_000,
                                progress=meter, notice=lambda m: click.echo(f"bonemet validate: {m}", err=True),
                                base=base)
    except (InputError, UnsupportedShapes, ProjectError) as exc:
        if meter:
            meter.close()
        fail("validate", str(exc))
    if meter:
        meter.close()
    _write_report(report, files, out_format, output, fail_on)


def _write_report(report, files, out_format: str, output: Path | None, fail_on: str) -> NoReturn:
    """Render the report, write it and exit with the code --fail-on asks for."""
    from bonemet.validate.api import render_json, render_text, render_turtle

    label = "bonemet validate " + " ".join(str(f) for f in files)
    text = {"text": lambda: render_text(report, label), "json": lambda: render_json(report),
            "turtle": lambda: render_turtle(report)}[out_format]()
    if output:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)
    sys.exit(1 if report.fails(fail_on) else 0)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="N-Triples file for the entailments (default: standard output).")
@input_format_option
@click.option("--max-size", type=int, default=2_000, show_default=True,
              help="Refuse input files larger than this many megabytes.")
@click.option("--no-vocabulary", is_flag=True, help="Reason with the files' own axioms only, not bonemet's ontology.")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="local: the compiled chainer in this process; spark: the same chainer patient by patient on Spark "
                   "(pip install 'bonemet[spark]').")
@spark_options
@base_option
def reason(files, output, input_format, max_size, no_vocabulary, engine, master, partitions, metrics_file,
           base) -> None:
    """Materialize the OWL 2 RL entailments of FILES under the bonemet ontology.

    Writes the new triples (sorted N-Triples; not those the ontology alone entails, which the
    published inferred graph holds). Exit code 0 when consistent, 1 when owlrl-style
    inconsistencies were found (they are listed on standard error), 2 when an input cannot be used.
    """
    from rdflib import Graph

    from bonemet.io import InputError
    from bonemet.reason.chainer import UnsupportedOntology
    from bonemet.reason.chainer import reason as run
    from bonemet.validate.api import vocabulary_graph

    if metrics_file and engine != "spark":
        fail("reason", "--metrics is for --engine spark")
    started = time.monotonic()
    try:
        vocabulary = Graph() if no_vocabulary else vocabulary_graph()
        if engine == "spark":
            with spark_failures("reason"), output_lines(output) as write:
                from bonemet.spark.metrics import Metrics
                from bonemet.spark.reason import reason_on_spark

                metrics = Metrics()
                result = reason_on_spark(list(files), vocabulary, master=master, partitions=partitions,
                                         input_format=input_format, max_bytes=max_size * 1_000_000, base=base,
                                         metrics=metrics, write=write)
            if metrics_file:
                write_atomically(metrics_file, metrics.as_json())
        else:
            result = run(list(files), vocabulary, input_format=input_format, max_bytes=max_size * 1_000_000, base=base)
    except (InputError, UnsupportedOntology, ProjectError) as exc:
        fail("reason", str(exc))
    if engine != "spark":   # the spark engine has written its entailments already
        text = "".join(f"{s} {p} {o} .\n" for s, p, o in result.inferred)
        if output:
            write_atomically(output, text)
        else:
            click.echo(text, nl=False)
    for message in result.errors:
        click.echo(f"bonemet reason: inconsistency: {message}", err=True)
    click.echo(f"bonemet reason: {result.input_triples} input triples, {len(result.inferred) + result.written} inferred, "
               f"{len(result.errors)} inconsistencies, {time.monotonic() - started:.1f} s", err=True)
    sys.exit(1 if result.errors else 0)


@click.command()
@click.option("--patients", type=click.IntRange(min=0), required=True, help="Number of patients.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same file).")
@click.option("--invalid-fraction", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Share of patients given exactly one defect the record shapes catch.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="N-Triples file to write (default: standard output).")
def generate(patients: int, seed: int, invalid_fraction: float, output: Path | None) -> None:
    """Write a synthetic patient registry (N-Triples) in the bonemet record layer."""
    from bonemet.registry.generate import generate as run

    if output is None:
        counts = run(sys.stdout, patients=patients, seed=seed, invalid_fraction=invalid_fraction)
    else:
        tmp = output.with_name(f".{output.name}.partial")
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                counts = run(fh, patients=patients, seed=seed, invalid_fraction=invalid_fraction)
            os.replace(tmp, output)
        except OSError as exc:
            fail("generate", f"cannot write {output}: {exc.strerror}")
    click.echo(json.dumps(counts), err=True)
