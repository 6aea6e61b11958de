"""The layout the docs promise: stages import only earlier stages and the shared modules, no module is
over ~400 lines, and the docs name no file that does not exist."""

import ast
import re
from pathlib import Path

import pytest

from conftest import ROOT

SRC = ROOT / "src" / "bonemet"
# the pipeline order; a stage may import the shared modules and the stages before it
STAGES = ["curate", "reason", "validate", "build", "export", "publish", "serve", "annotate", "registry", "fhir", "spark", "cli"]
SHARED = {"io", "formats", "namespaces", "terms", "project", "sparql", "__init__"}
ENTRY_POINTS = {"__main__"}   # `python -m bonemet` is the command line
MAX_LINES = 420


def modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "data" not in p.relative_to(SRC).parts)


def stage_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else "__init__"


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bonemet"):
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("bonemet"))
    return names


def test_every_folder_is_a_known_stage():
    folders = sorted(p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").is_file())
    assert folders == sorted(STAGES)
    files = sorted(p.stem for p in SRC.glob("*.py"))
    assert set(files) <= SHARED | ENTRY_POINTS


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_follow_the_pipeline(path):
    relative = path.relative_to(SRC)
    here = relative.parts[0] if len(relative.parts) > 1 else ("cli" if relative.stem in ENTRY_POINTS else None)
    for name in imported(path):
        target = stage_of(name)
        if target in SHARED or target == "bonemet" or name == "bonemet":
            continue
        if here is None:   # a shared module imports no stage
            assert target in SHARED, f"{relative} imports the stage {name}"
            continue
        assert STAGES.index(target) <= STAGES.index(here), f"{relative} ({here}) imports a later stage: {name}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_over_about_400_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_module_count():
    assert len(modules()) >= 45


# Paths into this repository as the docs write them (not IRIs, not other repositories' files).
PATH = re.compile(r"(?<![\w/.:-])((?:src/bonemet|tests|scripts|docs|ontology|shapes|queries|mappings)/[\w./*-]+)")
DOCS = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").rglob("*.md"))]
# the search log quotes file names of other projects' repositories, not ours
NOT_OURS = {"docs/mappings-search-log.md"}
# folders the docs tell curators to create when they need them
CREATED_ON_DEMAND = {"mappings/proposed/"}


def named_paths(doc: Path) -> list[str]:
    found = []
    for match in PATH.finditer(doc.read_text(encoding="utf-8")):
        path = match.group(1).rstrip(".,;:")
        if path.endswith(("_", "-")) or "{" in path:
            continue   # a prefix of a family of names, written out in the text around it
        found.append(path)
    return found


@pytest.mark.parametrize("doc", [d for d in DOCS if str(d.relative_to(ROOT)) not in NOT_OURS],
                         ids=lambda d: str(d.relative_to(ROOT)))
def test_docs_name_only_files_that_exist(doc):
    missing = [p for p in named_paths(doc) if p not in CREATED_ON_DEMAND
               and not (list(ROOT.glob(p)) if "*" in p else (ROOT / p).exists())]
    assert not missing, f"{doc.relative_to(ROOT)} names missing files: {missing}"


def test_the_doc_check_sees_paths():
    assert sum(len(named_paths(d)) for d in DOCS) > 40


def test_both_query_backends_implement_the_protocol_exactly():
    """The server talks to QueryBackend only; the embedded and the remote store give it the same methods."""
    import inspect

    from bonemet.serve.backend import LocalBackend, QueryBackend
    from bonemet.serve.remote import RemoteEngine

    wanted = {name: inspect.signature(f) for name, f in vars(QueryBackend).items()
              if callable(f) and not name.startswith("_")}
    assert sorted(wanted) == ["arun", "attach", "close", "download", "downloads", "extra_triples", "report", "run", "static",
                              "statistics"]
    for backend in (LocalBackend, RemoteEngine):
        for name, signature in wanted.items():
            assert inspect.signature(getattr(backend, name)) == signature, (backend.__name__, name)
    calls = set(re.findall(r"self\.site\.engine\.(\w+)", (SRC / "serve" / "routes.py").read_text(encoding="utf-8")))
    assert calls and calls <= set(wanted) | {"base_iri"}
    calls = set(re.findall(r"site\.engine\.(\w+)", (SRC / "serve" / "app.py").read_text(encoding="utf-8")))
    assert calls and calls <= set(wanted)
