"""Commands that put the release online: serve it, or publish it into an external store."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from bonemet.cli.common import dist_option, dist_or_default, fail, input_format_option, numeric_options, progress_line
from bonemet.project import ProjectError, current


@click.command()
@click.option("--to", "store", required=True, help="Graph Store HTTP Protocol endpoint, e.g. http://host:7878/store.")
@click.option("--sparql", default=None, help="The store's SPARQL query endpoint, for the check afterwards "
              "(default: --to with a final /store replaced by /query, as Oxigraph and Fuseki lay them out).")
@click.option("--graph", "graph_base", default="https://w3id.org/bonemet/graph/", show_default=True,
              help="Base IRI of the named graphs: BASEasserted, BASEinferred, BASEshapes.")
@click.option("--auth", envvar="BONEMET_STORE_AUTH", default=None,
              help="USER:PASSWORD (HTTP Basic) or 'Bearer TOKEN'; also from $BONEMET_STORE_AUTH.")
@numeric_options(("--timeout", 60.0, click.FloatRange(min=0.1), "Seconds to wait for the store on each request."),
                 ("--retries", 4, click.IntRange(min=0),
                  "Retries (with doubling back-off from 1 s) on connection errors, timeouts and 5xx."))
@dist_option
def publish(store, sparql, graph_base, auth, timeout, retries, dist) -> None:
    """Load the built graph and the shapes into an external SPARQL store, replacing the previous version.

    Exit code 0 when every graph was replaced and the store's counts match the build; 1 when the
    counts differ; 2 for bad arguments or no build; 3 when the store cannot be reached (or times
    out); 4 when it refuses (401/403/404 ...); 5 when it keeps failing (5xx). On failure the message
    says which graphs were replaced and which kept their previous version.
    """
    from bonemet.publish.store import PublishError, Target, uploads_for
    from bonemet.publish.store import publish as run

    store = store.rstrip("/")
    if sparql is None:
        sparql = store.removesuffix("/store") + "/query" if store.endswith("/store") else store
    meter = progress_line("bonemet publish")
    try:
        target = Target(store, sparql, auth=auth, timeout=timeout, retries=retries)
        with tempfile.TemporaryDirectory(prefix="bonemet-publish-") as work:
            uploads = uploads_for(dist_or_default(dist), current().shape_files(), Path(work), graph_base)
            counts = run(target, uploads, log=lambda m: click.echo(f"bonemet publish: {m}", err=True),
                         progress=meter or (lambda _m: None))
    except PublishError as exc:
        if meter:
            meter.close()
        fail("publish", str(exc), exc.exit_code)
    except ProjectError as exc:
        fail("publish", str(exc))
    if meter:
        meter.close()
    for graph, n in counts.items():
        click.echo(f"{graph}\t{n} triples (verified)")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--base-url", default=None, help="Public address of this server (default: http://HOST:PORT).")
@numeric_options(
    ("--query-timeout", 30.0, click.FloatRange(min=0.1), "Seconds a query may run before it is stopped."),
    ("--max-results", 10_000, click.IntRange(min=1),
     "Rows or triples returned at most; more are cut and the cut is announced in a header."),
    ("--max-query-length", 100_000, click.IntRange(min=1), "Longest query accepted, in characters."),
    ("--max-body", 1_000_000, click.IntRange(min=1), "Largest request body accepted, in bytes."),
    ("--workers", 2, click.IntRange(min=1), "Query worker processes."),
    ("--header-timeout", 30.0, click.FloatRange(min=0.001, max=60),
     "Seconds a client has to send a request's headers; an idle keep-alive connection is closed after as long."),
    ("--max-connections", 1024, click.IntRange(min=1),
     "Connections served at once; further connections wait in the listen backlog until one closes."))
@click.option("--http-server", type=click.Choice(["granian", "uvicorn", "hypercorn"]), default="granian", hidden=True,
              help="For the comparison of docs/decisions/20261207-http-server.md only.")
@dist_option
@click.option("--data", "data_files", multiple=True, type=click.Path(path_type=Path),
              help="RDF file(s) to serve beside the graph, e.g. a registry (any RDF format; repeatable). "
                   "They go into the named graph https://w3id.org/bonemet/graph/data.")
@input_format_option
@click.option("--store", "store_kind", type=click.Choice(["auto", "memory", "disk"]), default="auto",
              show_default=True, help="Where query workers keep the data: memory (fastest; each worker ends up "
              "with its own copy), disk (Oxigraph's on-disk store, shared; for large --data), auto: disk when "
              "the --data files exceed 50 MB.")
@click.option("--backend", default=None, help="SPARQL endpoint of an external store holding the published graphs "
              "(see `bonemet publish`) to answer from, instead of the embedded store.")
@click.option("--backend-auth", envvar="BONEMET_STORE_AUTH", default=None,
              help="USER:PASSWORD or 'Bearer TOKEN' for --backend; also from $BONEMET_STORE_AUTH.")
def serve(host, port, base_url, query_timeout, max_results, max_query_length, max_body, workers, header_timeout,
          max_connections, http_server, dist, data_files, input_format, store_kind, backend, backend_auth) -> None:
    """Serve the SPARQL endpoint, pages and dumps of the built graph."""
    from bonemet.io import InputError, check_path, guess_format
    from bonemet.serve.server import Transport
    from bonemet.serve.server import serve as run
    from bonemet.serve.site import Limits
    from bonemet.serve.workers import EngineError

    dist = dist_or_default(dist)
    limits = Limits(query_timeout, max_results, max_query_length, max_body)
    transport = Transport(header_timeout=header_timeout, max_connections=max_connections,
                          backlog=max(1024, max_connections), server=http_server)
    try:
        project = current()
        if backend:
            if data_files:
                fail("serve", "--data goes with the embedded store; load the files into the backend store instead")
            from bonemet.publish.store import authorization

            auth = authorization(backend_auth) if backend_auth else None
            try:
                run(host=host, port=port, dist=dist, project=project, base_url=base_url, backend=backend,
                    backend_auth=auth, limits=limits, transport=transport)
            except (RuntimeError, ValueError) as exc:
                fail("serve", f"the backend {backend} cannot serve the graph: {exc}")
            return
        if not (dist / "bonemet.trig").is_file():
            fail("serve", f"{dist}/bonemet.trig not found; run `bonemet build` first")
        for path in data_files:
            check_path(path)
        data = [(path, guess_format(path, input_format)) for path in data_files]
        on_disk = store_kind == "disk" or (store_kind == "auto" and sum(p.stat().st_size for p in data_files) > 50e6)
        run(host=host, port=port, dist=dist, project=project, base_url=base_url, workers=workers, data_files=data,
            on_disk=on_disk, limits=limits, transport=transport)
    except (InputError, EngineError, ProjectError) as exc:
        fail("serve", str(exc))
    except OSError as exc:
        fail("serve", f"cannot listen on {host}:{port}: {exc.strerror}")
    sys.exit(0)
