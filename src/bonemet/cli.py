"""The `bonemet` command line. Commands are thin calls into the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .rdfinput import FORMAT_NAMES
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


# query, publish and serve all read the built graph from the same folder
dist_option = click.option("--dist", type=click.Path(file_okay=False, path_type=Path), default=PROJECT_ROOT / "dist",
                           show_default=True, help="Built graph folder.")


@main.command()
@click.argument("query_file", type=click.File("r", encoding="utf-8"))
@dist_option
@click.option("--data", "data_files", multiple=True, type=click.Path(path_type=Path),
              help="Further RDF file(s) to query together with the graph, e.g. a registry (repeatable).")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
              help="SPARQL engine: Oxigraph (fast) or rdflib (the reference).")
def query(query_file, dist: Path, data_files, engine):
    """Run a SPARQL SELECT query over the built graph (asserted + inferred); print TSV."""
    from .queries import open_store, run_compact, run_compact_oxigraph, to_tsv
    from .rdfinput import InputError

    graph_files = [dist / name for name in ("bonemet.nt", "bonemet-inferred.nt")]
    for path in graph_files:
        if not path.is_file():
            click.echo(f"bonemet query: error: {path} not found; run `bonemet build` first", err=True)
            sys.exit(2)
    text = query_file.read()
    try:
        if engine == "oxigraph":
            variables, rows = run_compact_oxigraph(open_store(graph_files + list(data_files)), text)
        else:
            from .rdfinput import load_rdf
            variables, rows = run_compact(load_rdf(graph_files + list(data_files), max_bytes=10**10), text)
    except InputError as exc:
        click.echo(f"bonemet query: error: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - Oxigraph raises SyntaxError/OSError, rdflib pyparsing and its own
        click.echo(f"bonemet query: error: {query_file.name}: {exc}", err=True)
        sys.exit(2)
    click.echo(to_tsv(variables, rows), nl=False)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--shapes", "shape_files", multiple=True, type=click.Path(path_type=Path),
              help="Shapes file(s) to use instead of bonemet's own (repeatable).")
@click.option("--inference", type=click.Choice(["none", "rdfs", "owlrl"]), default="none", show_default=True,
              help="Entailment applied to the data before validating.")
@click.option("--format", "out_format", type=click.Choice(["text", "turtle", "json"]), default="text",
              show_default=True, help="Report format.")
@click.option("--input-format", type=click.Choice(sorted(FORMAT_NAMES)), default=None,
              help="RDF format of the inputs (default: from each file's extension).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--fail-on", type=click.Choice(["violation", "warning", "info"]), default="violation",
              show_default=True, help="Lowest severity that makes the exit code 1.")
@click.option("--max-size", type=int, default=1_000, show_default=True,
              help="Refuse input files larger than this many megabytes.")
@click.option("--no-vocabulary", is_flag=True, help="Do not mix the bonemet ontology and entities into the data.")
@click.option("--engine", type=click.Choice(["auto", "sparql", "pyshacl"]), default="auto", show_default=True,
              help="sparql: shapes compiled to SPARQL on Oxigraph (fast); pyshacl: the reference validator; "
                   "auto: sparql unless the shapes need pySHACL.")
@click.option("--progress/--no-progress", default=None,
              help="Show progress on standard error (default: when it is a terminal).")
def validate(files, shape_files, inference, out_format, input_format, output, fail_on, max_size, no_vocabulary,
             engine, progress):
    """Validate RDF FILES against bonemet's SHACL shapes.

    Exit code 0 when the data conforms, 1 when there are results at or above --fail-on,
    2 when an input cannot be used.
    """
    from .rdfinput import InputError, load_rdf
    from .sparql_shapes import UnsupportedShapes
    from .validate import default_shape_files, render_json, render_text, render_turtle, validate_files

    if progress is None:
        progress = sys.stderr.isatty()
    meter = ProgressLine("bonemet validate") if progress else None
    try:
        shapes = load_rdf(list(shape_files) or default_shape_files())
        report = validate_files(list(files), shapes, inference=inference, with_vocabulary=not no_vocabulary,
                                engine=engine, input_format=input_format, max_bytes=max_size * 1_000_000,
                                progress=meter, notice=lambda m: click.echo(f"bonemet validate: {m}", err=True))
    except (InputError, UnsupportedShapes) as exc:
        if meter:
            meter.close()
        click.echo(f"bonemet validate: error: {exc}", err=True)
        sys.exit(2)
    if meter:
        meter.close()
    label = "bonemet validate " + " ".join(str(f) for f in files)
    text = {"text": lambda: render_text(report, label), "json": lambda: render_json(report),
            "turtle": lambda: render_turtle(report)}[out_format]()
    if output:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)
    sys.exit(1 if report.fails(fail_on) else 0)


class ProgressLine:
    """One self-overwriting status line on standard error, at most ten updates a second."""

    def __init__(self, prefix: str):
        import time

        self.prefix, self._clock, self._last, self._shown = prefix, time.monotonic, 0.0, False

    def __call__(self, message: str) -> None:
        now = self._clock()
        if now - self._last >= 0.1:
            self._last = now
            sys.stderr.write(f"\r\x1b[2K{self.prefix}: {message}")
            sys.stderr.flush()
            self._shown = True

    def close(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="N-Triples file for the entailments (default: standard output).")
@click.option("--input-format", type=click.Choice(sorted(FORMAT_NAMES)), default=None,
              help="RDF format of the inputs (default: from each file's extension).")
@click.option("--max-size", type=int, default=2_000, show_default=True,
              help="Refuse input files larger than this many megabytes.")
@click.option("--no-vocabulary", is_flag=True, help="Reason with the files' own axioms only, not bonemet's ontology.")
def reason(files, output, input_format, max_size, no_vocabulary):
    """Materialize the OWL 2 RL entailments of FILES under the bonemet ontology.

    Writes the new triples (sorted N-Triples; not those the ontology alone entails, which the
    published inferred graph holds). Exit code 0 when consistent, 1 when owlrl-style
    inconsistencies were found (they are listed on standard error), 2 when an input cannot be used.
    """
    import time

    from rdflib import Graph

    from .abox_reasoning import UnsupportedOntology, reason as run
    from .rdfinput import InputError
    from .validate import vocabulary_graph

    started = time.monotonic()
    try:
        result = run(list(files), Graph() if no_vocabulary else vocabulary_graph(), input_format=input_format,
                     max_bytes=max_size * 1_000_000)
    except (InputError, UnsupportedOntology) as exc:
        click.echo(f"bonemet reason: error: {exc}", err=True)
        sys.exit(2)
    text = "".join(f"{s} {p} {o} .\n" for s, p, o in result.inferred)
    if output:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)
    for message in result.errors:
        click.echo(f"bonemet reason: inconsistency: {message}", err=True)
    click.echo(f"bonemet reason: {result.input_triples} input triples, {len(result.inferred)} inferred, "
               f"{len(result.errors)} inconsistencies, {time.monotonic() - started:.1f} s", err=True)
    sys.exit(1 if result.errors else 0)


@main.command()
@click.option("--to", "store", required=True, help="Graph Store HTTP Protocol endpoint, e.g. http://host:7878/store.")
@click.option("--sparql", default=None, help="The store's SPARQL query endpoint, for the check afterwards "
              "(default: --to with a final /store replaced by /query, as Oxigraph and Fuseki lay them out).")
@click.option("--graph", "graph_base", default="https://w3id.org/bonemet/graph/", show_default=True,
              help="Base IRI of the named graphs: BASEasserted, BASEinferred, BASEshapes.")
@click.option("--auth", envvar="BONEMET_STORE_AUTH", default=None,
              help="USER:PASSWORD (HTTP Basic) or 'Bearer TOKEN'; also from $BONEMET_STORE_AUTH.")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds to wait for the store on each request.")
@click.option("--retries", default=4, show_default=True, type=click.IntRange(min=0),
              help="Retries (with doubling back-off from 1 s) on connection errors, timeouts and 5xx.")
@dist_option
def publish(store, sparql, graph_base, auth, timeout, retries, dist):
    """Load the built graph and the shapes into an external SPARQL store, replacing the previous version.

    Exit code 0 when every graph was replaced and the store's counts match the build; 1 when the
    counts differ; 2 for bad arguments or no build; 3 when the store cannot be reached (or times
    out); 4 when it refuses (401/403/404 ...); 5 when it keeps failing (5xx). On failure the message
    says which graphs were replaced and which kept their previous version.
    """
    import tempfile

    from .publish import PublishError, Target, publish as run, uploads_for
    from .validate import default_shape_files

    store = store.rstrip("/")
    if sparql is None:
        sparql = store.removesuffix("/store") + "/query" if store.endswith("/store") else store
    meter = ProgressLine("bonemet publish") if sys.stderr.isatty() else None
    try:
        target = Target(store, sparql, auth=auth,
                        timeout=timeout, retries=retries)
        with tempfile.TemporaryDirectory(prefix="bonemet-publish-") as work:
            uploads = uploads_for(dist, default_shape_files(), Path(work), graph_base)
            counts = run(target, uploads, log=lambda m: click.echo(f"bonemet publish: {m}", err=True),
                         progress=meter or (lambda _m: None))
    except PublishError as exc:
        if meter:
            meter.close()
        click.echo(f"bonemet publish: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    if meter:
        meter.close()
    for graph, n in counts.items():
        click.echo(f"{graph}\t{n} triples (verified)")


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, so readers never see half a report."""
    import os
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        click.echo(f"bonemet: error: cannot write {path}: {exc.strerror}", err=True)
        sys.exit(2)


@main.command()
@click.option("--patients", type=click.IntRange(min=0), required=True, help="Number of patients.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same file).")
@click.option("--invalid-fraction", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Share of patients given exactly one defect the record shapes catch.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="N-Triples file to write (default: standard output).")
def generate(patients, seed, invalid_fraction, output):
    """Write a synthetic patient registry (N-Triples) in the bonemet record layer."""
    import json

    from .generate import generate as run

    if output is None:
        counts = run(sys.stdout, patients=patients, seed=seed, invalid_fraction=invalid_fraction)
    else:
        import os
        tmp = output.with_name(f".{output.name}.partial")
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                counts = run(fh, patients=patients, seed=seed, invalid_fraction=invalid_fraction)
            os.replace(tmp, output)
        except OSError as exc:
            click.echo(f"bonemet generate: error: cannot write {output}: {exc.strerror}", err=True)
            sys.exit(2)
    click.echo(json.dumps(counts), err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--base-url", default=None, help="Public address of this server (default: http://HOST:PORT).")
@click.option("--query-timeout", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a query may run before it is stopped.")
@click.option("--max-results", default=10_000, show_default=True, type=click.IntRange(min=1),
              help="Rows or triples returned at most; more are cut and the cut is announced in a header.")
@click.option("--max-query-length", default=100_000, show_default=True, type=click.IntRange(min=1),
              help="Longest query accepted, in characters.")
@click.option("--max-body", default=1_000_000, show_default=True, type=click.IntRange(min=1),
              help="Largest request body accepted, in bytes.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="Query worker processes.")
@dist_option
@click.option("--data", "data_files", multiple=True, type=click.Path(path_type=Path),
              help="RDF file(s) to serve beside the graph, e.g. a registry (any RDF format; repeatable). "
                   "They go into the named graph https://w3id.org/bonemet/graph/data.")
@click.option("--input-format", type=click.Choice(sorted(FORMAT_NAMES)), default=None,
              help="RDF format of the --data files (default: from each file's extension).")
@click.option("--store", "store_kind", type=click.Choice(["auto", "memory", "disk"]), default="auto",
              show_default=True, help="Where query workers keep the data: memory (fastest; each worker ends up "
              "with its own copy), disk (Oxigraph's on-disk store, shared; for large --data), auto: disk when "
              "the --data files exceed 50 MB.")
@click.option("--backend", default=None, help="SPARQL endpoint of an external store holding the published graphs "
              "(see `bonemet publish`) to answer from, instead of the embedded store.")
@click.option("--backend-auth", envvar="BONEMET_STORE_AUTH", default=None,
              help="USER:PASSWORD or 'Bearer TOKEN' for --backend; also from $BONEMET_STORE_AUTH.")
def serve(host, port, base_url, query_timeout, max_results, max_query_length, max_body, workers, dist, data_files,
          input_format, store_kind, backend, backend_auth):
    """Serve the SPARQL endpoint, pages and dumps of the built graph."""
    from .engine import EngineError
    from .rdfinput import InputError, check_path, guess_format
    from .server import Limits, serve as run

    if backend:
        if data_files:
            click.echo("bonemet serve: error: --data goes with the embedded store; load the files into the "
                       "backend store instead", err=True)
            sys.exit(2)
        from .publish import authorization

        auth = authorization(backend_auth) if backend_auth else None
        try:
            run(host=host, port=port, dist=dist, base_url=base_url, backend=backend, backend_auth=auth,
                limits=Limits(query_timeout, max_results, max_query_length, max_body))
        except (RuntimeError, ValueError) as exc:
            click.echo(f"bonemet serve: error: the backend {backend} cannot serve the graph: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:
            click.echo(f"bonemet serve: error: cannot listen on {host}:{port}: {exc.strerror}", err=True)
            sys.exit(2)
        return
    if not (dist / "bonemet.trig").is_file():
        click.echo(f"bonemet serve: error: {dist}/bonemet.trig not found; run `bonemet build` first", err=True)
        sys.exit(2)
    try:
        for path in data_files:
            check_path(path)
        data = [(path, guess_format(path, input_format)) for path in data_files]
    except InputError as exc:
        click.echo(f"bonemet serve: error: {exc}", err=True)
        sys.exit(2)
    try:
        on_disk = store_kind == "disk" or (store_kind == "auto" and sum(p.stat().st_size for p in data_files) > 50e6)
        run(host=host, port=port, dist=dist, base_url=base_url, workers=workers, data_files=data, on_disk=on_disk,
            limits=Limits(query_timeout, max_results, max_query_length, max_body))
    except EngineError as exc:
        click.echo(f"bonemet serve: error: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"bonemet serve: error: cannot listen on {host}:{port}: {exc.strerror}", err=True)
        sys.exit(2)

def _register_annotate() -> None:
    from .annotate import command
    main.add_command(command)


_register_annotate()

if __name__ == "__main__":
    main()
