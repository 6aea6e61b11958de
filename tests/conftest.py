"""Shared fixtures: the project built once per test session into a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from bonemet.build import BuildResult, build
from bonemet.catalog import load_catalog
from bonemet.sources import PROJECT_ROOT, sources_dir

ROOT = PROJECT_ROOT


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> BuildResult:
    return build(ROOT, tmp_path_factory.mktemp("dist") / "dist")


@pytest.fixture(scope="session")
def union(built) -> Graph:
    g = Graph()
    g += built.asserted
    g += built.inferred
    return g


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(ROOT)


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A scratch copy of the project's sources of truth, to break on purpose."""
    for folder in ("ontology", "mappings", "shapes"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def have_sources() -> bool:
    return sources_dir().is_dir()
