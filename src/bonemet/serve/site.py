"""What the server serves, built once at start: the backend, the documents and the limits.

Independent of the HTTP transport; `bonemet.serve.routes` answers requests from it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from bonemet.build.examples import examples_graph
from bonemet.project import Project
from bonemet.serve.backend import LocalBackend, QueryBackend
from bonemet.serve.heatmap import Cell, cells, svg
from bonemet.serve.pages import Renderer, local
from bonemet.serve.remote import RemoteEngine
from bonemet.serve.results import Answer
from bonemet.serve.rules import RuleFamilies
from bonemet.serve.static import StaticFiles, asset_type
from bonemet.serve.trees import Tree, trees
from bonemet.serve.void import dataset_description


class QueryFailed(Exception):
    """A query a page needs was not answered (time-out, overload): the page answers as the endpoint would."""

    def __init__(self, answer: Answer):
        super().__init__(answer.body.decode("utf-8", "replace"))
        self.answer = answer


@dataclass
class Limits:
    query_timeout: float = 30.0
    max_results: int = 10_000
    max_query_length: int = 100_000
    max_body_bytes: int = 1_000_000


class Site:
    def __init__(self, *, base_url: str, dist: Path, project: Project, limits: Limits, workers: int = 2,
                 data_files: Sequence[tuple[Path, str]] = (), backend: str | None = None,
                 backend_auth: str | None = None, on_disk: bool = False):
        self.dist, self.project, self.limits = dist, project, limits
        self.base_url = base_url.rstrip("/")
        # read before starting workers: a missing packaged file is one line, not a half-started server
        self.examples = [(p.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip(),
                          p.read_text(encoding="utf-8")) for p in project.query_files()]
        self.shapes = Graph().parse(data="\n".join(p.read_text(encoding="utf-8") for p in project.shape_files()),
                                    format="turtle")
        self.ontology = Graph().parse(project.require(project.ontology), format="turtle")
        self.pages = Renderer(self.base_url)
        self.rules = RuleFamilies(self.ontology)
        self._cells: tuple[list[Cell], dict[str, str]] | None = None
        self._trees: list[Tree] | None = None
        # the query editor's scripts and styles, shipped inside the package (static/yasgui/README.md)
        self.assets = StaticFiles.load(Path(__file__).parent / "static" / "yasgui", asset_type, attachment=False)
        self.engine: QueryBackend
        self.ordered_lists = bool(backend)   # see bonemet.serve.entity.GROUP_PAGE
        if backend:
            self.engine = RemoteEngine(backend, timeout=limits.query_timeout, max_results=limits.max_results,
                                       auth_header=backend_auth)
        else:
            self.engine = LocalBackend(dist, workers=workers, timeout=limits.query_timeout,
                                       max_results=limits.max_results, data_files=data_files, on_disk=on_disk)
        self.engine.base_iri = self.base_url + "/sparql"  # relative IRIs in queries resolve against the endpoint
        self.report = self.engine.report()
        self.dumps = self.engine.downloads()
        self.examples_graph = examples_graph(project.query_files(), self.base_url + "/sparql")
        self.void = dataset_description(self.engine.statistics(), self.report["entities"], self.dumps,
                                        self.base_url, self.engine.extra_triples())

    def select(self, query: str, limit: int = 100_000) -> list[dict]:
        """Bindings of a SELECT the pages need, at most `limit` rows; QueryFailed when the engine does not
        answer (a time-out, an overload), which the route answers as the endpoint would."""
        answer = self.engine.run(query, accept="application/sparql-results+json", max_results=limit)
        if answer.status != 200:
            raise QueryFailed(answer)
        return json.loads(answer.body)["results"]["bindings"]

    def trees(self) -> list[Tree]:
        """The part-of tree of the skeleton and the subtype tree of cancers, found on first use."""
        if self._trees is None:
            self._trees = trees(self.select, self.page_of)
        return self._trees

    def map_cells(self) -> tuple[list[Cell], dict[str, str]]:
        """The cells of the cancer × bone-site map and their labels, found on first use (the data never
        changes while serving)."""
        if self._cells is None:
            self._cells = cells(self.select)
        return self._cells

    def heatmap(self, iri: str | None = None) -> str:
        """The map as SVG: whole, or the row (a cancer) or column (a bone site) of `iri`; "" when empty."""
        found, labels = self.map_cells()
        if iri is not None:
            found = [c for c in found if iri in (c.cancer, c.site)]
        return svg(found, labels, self.page_of) if found else ""

    def page_of(self, iri: str) -> str:
        """Where this server shows one of our IRIs (after --base-url, as every page links)."""
        return local(iri, self.base_url) or iri

    def close(self) -> None:
        self.engine.close()
