"""`bonemet serve`: the site behind granian's HTTP server, in this process.

Why granian, and what each setting buys, is in docs/decisions/20261207-http-server.md. Everything
that can fail on bad input — the port, the project files, the data — fails before the server
starts, with one line on stderr.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bonemet.project import Project
from bonemet.serve.app import App
from bonemet.serve.site import Limits, Site


@dataclass
class Transport:
    header_timeout: float = 30.0      # seconds for a client to send a request's headers (also: idle keep-alive)
    max_connections: int = 1024       # connections served at once; further ones wait in the listen backlog
    backlog: int = 1024
    threads: int = 16                 # route threads: bounded whatever the number of connections
    server: str = "granian"           # uvicorn and hypercorn only for the measured comparison


def check_port(host: str, port: int) -> int:
    """Bind once to report a busy port as one line before anything starts; returns the port (a free one for 0)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        return probe.getsockname()[1]


def serve(*, host: str, port: int, dist: Path, project: Project, limits: Limits, transport: Transport | None = None,
          base_url: str | None = None, workers: int = 2, data_files: Sequence[tuple[Path, str]] = (),
          backend: str | None = None, backend_auth: str | None = None, on_disk: bool = False) -> None:
    transport = transport or Transport()
    port = check_port(host, port)
    url_host = f"[{host}]" if ":" in host else host
    site = Site(base_url=base_url or f"http://{url_host}:{port}", dist=dist, project=project, limits=limits,
                workers=workers, data_files=data_files, backend=backend, backend_auth=backend_auth, on_disk=on_disk)
    app = App(site, threads=transport.threads)
    run = {"granian": _granian, "uvicorn": _uvicorn, "hypercorn": _hypercorn}[transport.server]

    async def main() -> None:
        site.engine.attach(asyncio.get_running_loop())
        print(f"bonemet serve: listening on {site.base_url} (SPARQL at {site.base_url}/sparql)", file=sys.stderr,
              flush=True)
        await run(app, host, port, transport)

    try:
        try:
            import uvloop  # about 10 % more requests per second than asyncio's own loop
            uvloop.run(main())
        except ImportError:
            asyncio.run(main())
    finally:
        app.pool.shutdown(wait=False, cancel_futures=True)
        site.close()


def _on_stop_signals(stop) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop)


async def _granian(app: App, host: str, port: int, transport: Transport) -> None:
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.server.embed import Server

    logging.getLogger("_granian").setLevel(logging.ERROR)   # its start-up notes; errors still show
    # 128 KiB for the request line and headers: the URI alone is capped at 64 KiB (the `http` crate); more is 431
    settings = HTTP1Settings(header_read_timeout=int(transport.header_timeout * 1000), keep_alive=True,
                             max_buffer_size=131_072)
    server = Server(app, address=host, port=port, interface=Interfaces.ASGINL, http=HTTPModes.http1,
                    websockets=False, backlog=transport.backlog, backpressure=transport.max_connections,
                    http1_settings=settings, log_enabled=True, log_level="error")  # type: ignore[arg-type]
    _on_stop_signals(server.stop)
    await server.serve()


# The two below are not for production: they serve the same application for the comparison in
# docs/decisions/20261207-http-server.md (`make bench`); neither drops clients that never finish
# their headers (see tests/test_http_framing.py), so `--http-server` is a hidden option.

async def _uvicorn(app: App, host: str, port: int, transport: Transport) -> None:
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, loop="none", http="httptools", lifespan="off",
                            log_level="error", timeout_keep_alive=int(transport.header_timeout),
                            limit_concurrency=transport.max_connections, backlog=transport.backlog)
    await uvicorn.Server(config).serve()      # it handles SIGTERM and SIGINT itself


async def _hypercorn(app: App, host: str, port: int, transport: Transport) -> None:
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    config = Config()
    config.bind = [f"{host}:{port}"]
    config.keep_alive_timeout, config.read_timeout = transport.header_timeout, int(transport.header_timeout)
    config.backlog, config.loglevel = transport.backlog, "ERROR"
    stop = asyncio.Event()
    _on_stop_signals(stop.set)
    await hypercorn_serve(app, config, shutdown_trigger=stop.wait)
