"""What the server needs from a query backend, and the embedded one (pyoxigraph workers over dist/).

The HTTP layer talks only to `QueryBackend`: the embedded store (`LocalBackend`) and an external
SPARQL store (`bonemet.serve.remote.RemoteEngine`) both implement it, so every route works the
same on either, and mypy checks that neither lacks a method the server calls.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from bonemet.serve.results import Answer
from bonemet.serve.static import StaticFiles
from bonemet.serve.void import local_statistics
from bonemet.serve.workers import QueryEngine


class QueryBackend(Protocol):
    base_iri: str | None   # relative IRIs in queries resolve against it (the endpoint's address)

    def run(self, query: str, *, accept: str | None = None, format: str | None = None,
            default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
            max_results: int | None = None) -> Answer:
        """Evaluate a query; the answer is already serialized in the negotiated format."""

    async def arun(self, query: str, *, accept: str | None = None, format: str | None = None,
                   default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
                   max_results: int | None = None) -> Answer:
        """`run` on the server's event loop."""

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """The server's event loop, on which `arun` is called; `run` is then for other threads."""

    def report(self) -> dict:
        """The build report's figures the pages show (triples, entities, statements per source)."""

    def statistics(self) -> dict:
        """Counts for the VoID description (see bonemet.serve.void)."""

    def extra_triples(self) -> int | None:
        """Triples of users' files served beside the graph (serve --data), None when there are none."""

    def downloads(self) -> list[tuple[str, int | None]]:
        """The release files offered under /dumps/, with their size when known."""

    def download(self, name: str) -> tuple[int, bytes]:
        """A release file by name: (200, bytes), or an error status with a message."""

    def static(self) -> StaticFiles | None:
        """The release files as static files (validators, ranges, precompressed gzip), when they are files."""

    def close(self) -> None:
        """Stop workers and remove temporary files."""


class LocalBackend:
    """The embedded store: query workers over the TriG bundle of a release folder (plus --data files)."""

    def __init__(self, dist: Path, *, workers: int, timeout: float, max_results: int,
                 data_files: Sequence[tuple[Path, str]] = (), on_disk: bool = False):
        self.dist = dist
        self._report = json.loads((dist / "build-report.json").read_text(encoding="utf-8"))
        self._statistics = local_statistics(dist)
        self._has_data = bool(data_files)
        self._static = StaticFiles.load(dist)
        self.engine = QueryEngine(dist / "bonemet.trig", workers=workers, timeout=timeout, max_results=max_results,
                                  data_files=data_files, on_disk=on_disk)

    @property
    def base_iri(self) -> str | None:
        return self.engine.base_iri

    @base_iri.setter
    def base_iri(self, value: str | None) -> None:
        self.engine.base_iri = value

    def run(self, query: str, *, accept: str | None = None, format: str | None = None,
            default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
            max_results: int | None = None) -> Answer:
        return self.engine.run(query, accept=accept, format=format, default_graphs=default_graphs,
                               named_graphs=named_graphs, max_results=max_results)

    async def arun(self, query: str, *, accept: str | None = None, format: str | None = None,
                   default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
                   max_results: int | None = None) -> Answer:
        return await self.engine.arun(query, accept=accept, format=format, default_graphs=default_graphs,
                                      named_graphs=named_graphs, max_results=max_results)

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self.engine.attach(loop)

    def report(self) -> dict:
        return self._report

    def statistics(self) -> dict:
        return self._statistics

    def extra_triples(self) -> int | None:
        return self.engine.triples - self._statistics["triples"] if self._has_data else None

    def downloads(self) -> list[tuple[str, int | None]]:
        return self._static.sizes()

    def download(self, name: str) -> tuple[int, bytes]:
        f = self._static.files.get(name)
        return (200, f.data) if f else (404, f"no dump named {name!r}".encode())

    def static(self) -> StaticFiles | None:
        return self._static

    def close(self) -> None:
        self.engine.close()
