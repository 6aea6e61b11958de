"""Where bonemet's files are: a checkout, where curators edit them, or the copy inside the package.

Both have the same layout (ontology/, shapes/, queries/, mappings/, and the built release in dist/),
so every stage asks a `Project` for its files and never computes a path from its own location.
An installed wheel carries the copy as package data (bonemet/data/, filled when the wheel is built);
an editable install or `--project DIR` uses a checkout.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

# The files that make a folder a bonemet project; a checkout also has pyproject.toml.
MARKER = Path("ontology") / "bonemet.ttl"


class ProjectError(Exception):
    """A file bonemet needs is not where the project layout says; the message names it."""


def _under_root(*parts: str) -> property:
    return property(lambda self: self.root.joinpath(*parts))


@dataclass(frozen=True)
class Project:
    root: Path
    checkout: bool        # True: a curator's working copy (build and check work); False: the packaged copy

    ontology = _under_root(*MARKER.parts)
    qc_dir = _under_root("ontology", "qc")
    shapes_dir = _under_root("shapes")
    queries_dir = _under_root("queries")
    mappings_dir = _under_root("mappings")
    dist = _under_root("dist")          # the release: built here in a checkout, packaged in the wheel

    @property
    def sources_dir(self) -> Path:
        """The source texts: $BONEMET_SOURCES, else ../shared/sources beside a checkout."""
        env = os.environ.get("BONEMET_SOURCES")
        return Path(env) if env else self.root.parent / "shared" / "sources"

    def shape_files(self) -> list[Path]:
        return self.glob(self.shapes_dir, "*.shacl.ttl")

    def query_files(self) -> list[Path]:
        return self.glob(self.queries_dir, "*.rq")

    def glob(self, folder: Path, pattern: str) -> list[Path]:
        found = sorted(folder.glob(pattern))
        if not found:
            raise ProjectError(f"{folder}: no {pattern} files; {self.what_is_missing()}")
        return found

    def require(self, path: Path) -> Path:
        """`path` if it is a file, else a ProjectError that says what to do."""
        if not path.is_file():
            raise ProjectError(f"{path} not found; {self.what_is_missing()}")
        return path

    def what_is_missing(self) -> str:
        if self.checkout:
            return "run `bonemet build` first" if not self.dist.is_dir() else "is this checkout complete?"
        return "the installed bonemet package is incomplete (reinstall it)"


def checkout_root() -> Path | None:
    """The checkout this package is imported from (an editable install), if any."""
    candidate = Path(__file__).resolve().parents[2]
    if (candidate / "pyproject.toml").is_file() and (candidate / MARKER).is_file():
        return candidate
    return None


@cache
def current(project_dir: str | None = None) -> Project:
    """The project to work on: `project_dir` (or $BONEMET_PROJECT) if given, else the checkout this
    package runs from, else the data packaged in the wheel."""
    chosen = project_dir or os.environ.get("BONEMET_PROJECT")
    if chosen:
        root = Path(chosen).resolve()
        if not (root / MARKER).is_file():
            raise ProjectError(f"{root}: not a bonemet project (no {MARKER})")
        return Project(root, checkout=True)
    checkout = checkout_root()
    if checkout is not None:
        return Project(checkout, checkout=True)
    return Project(Path(str(resources.files("bonemet") / "data")), checkout=False)
