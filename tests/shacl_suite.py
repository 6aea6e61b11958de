"""The SHACL core conformance tests that pySHACL's source distribution carries (DASH test cases), fetched
from PyPI at a pinned version into .cache/ (not copied into this repository), and the comparison the
suite defines: sh:conforms and the multiset of (focus node, severity, constraint component, result path)."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from conftest import ROOT

PYSHACL_SDIST = "0.40.1"
CACHE = ROOT / ".cache" / "shacl-core"
DASH = Namespace("http://datashapes.org/dash#")


def suite_dir() -> Path:
    """pySHACL's sdist, downloaded and unpacked once (a lock keeps parallel test workers from racing)."""
    target = CACHE / f"pyshacl-{PYSHACL_SDIST}" / "test" / "resources" / "dash_tests" / "core"
    if target.is_dir():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.is_dir():
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:", "--no-deps",
                            f"pyshacl=={PYSHACL_SDIST}", "-d", str(CACHE)], check=True, timeout=600)
            with tarfile.open(CACHE / f"pyshacl-{PYSHACL_SDIST}.tar.gz") as sdist:
                members = [m for m in sdist.getmembers() if "/dash_tests/core/" in m.name]
                sdist.extractall(CACHE, members=members, filter="data")
    return target


def cases() -> list[Path]:
    return sorted(suite_dir().rglob("*.test.ttl"))


def _term(term) -> str:
    """An anonymous focus node compares by kind only (reports do not describe it); see _path for paths."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return "[]"
    if isinstance(term, Literal):
        return term.n3()
    return str(term)


def _path(g: Graph, term) -> str:
    """A path expression (sh:inversePath, sequences, alternatives ...) by its structure, whatever its labels."""
    if not isinstance(term, BNode):
        return _term(term)
    if (term, RDF.first, None) in g:
        return "(" + " ".join(_path(g, item) for item in Collection(g, term)) + ")"
    return "[" + " ".join(sorted(f"{p} {_path(g, o)}" for p, o in g.predicate_objects(term))) + "]"


def summary(g: Graph, report: URIRef | BNode) -> tuple[bool, Counter]:
    conforms = g.value(report, SH.conforms)
    found = Counter()
    for r in g.objects(report, SH.result):
        found[(_term(g.value(r, SH.focusNode)), _term(g.value(r, SH.resultSeverity)),
               _term(g.value(r, SH.sourceConstraintComponent)), _path(g, g.value(r, SH.resultPath)))] += 1
    return bool(conforms is not None and conforms.toPython() is True), found


def expected(path: Path) -> tuple[bool, Counter]:
    g = Graph().parse(path, format="turtle")
    case = next(g.subjects(RDF.type, DASH.GraphValidationTestCase))
    return summary(g, g.value(case, DASH.expectedResult))


def actual(turtle: str, path: Path) -> tuple[bool, Counter]:
    g = Graph().parse(data=turtle, format="turtle", publicID=path.resolve().as_uri())
    return summary(g, next(g.subjects(RDF.type, SH.ValidationReport)))
