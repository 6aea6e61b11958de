"""`bonemet build`: tables + ontology -> asserted graph -> OWL RL closure -> dist/.

Either every output is written or none is: outputs go to a fresh folder that replaces
dist/ only once everything succeeded.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import Graph

from .catalog import load_catalog
from .curation import check_all, load_rows
from .mapping import Mapper, load_mapping
from .namespace import GRAPH
from .qc import run_qc
from .reasoning import materialize
from .serialize import stable, write_dataset, write_graph
from .sources import PROJECT_ROOT, load_source
from .sssom import mapping_graph, mapping_set_files, read_mapping_set
from .tables import TableError

MAX_REPORTED = 25


class BuildError(Exception):
    """The inputs cannot be built into a consistent, checked graph."""


@dataclass
class BuildResult:
    out: Path
    asserted: Graph
    inferred: Graph
    report: dict = field(default_factory=dict)


def _fail(title: str, problems: list[str]) -> None:
    shown = problems[:MAX_REPORTED]
    more = f"\n  ... and {len(problems) - MAX_REPORTED} more" if len(problems) > MAX_REPORTED else ""
    raise BuildError(title + "\n  " + "\n  ".join(shown) + more)


def check_sources(catalog) -> list[str]:
    """The source files on this machine must be the versions our offsets point into."""
    problems = []
    for src in catalog.sources.values():
        text = load_source(src.file)
        if text is None:
            continue  # sources are optional: offsets are then trusted as curated
        if text.sha256 != src.sha256:
            problems.append(f"mappings/sources.tsv: {src.file} has sha256 {text.sha256}, table says {src.sha256}")
        if len(text.text) != src.characters:
            problems.append(f"mappings/sources.tsv: {src.file} has {len(text.text)} characters, table says {src.characters}")
    return problems


def assemble(root: Path) -> tuple[Graph, dict]:
    """The asserted graph (ontology + mapped tables), after every table check passed."""
    try:
        catalog = load_catalog(root)
        proposed = sorted((root / "mappings" / "proposed").glob("*.tsv"))
        if proposed:
            _fail("proposed entities are not merged into mappings/entities.tsv yet:", [str(p) for p in proposed])
        statements, statistics = load_rows(root)
        problems = check_sources(catalog) + check_all(catalog, statements, statistics)
        if problems:
            _fail(f"{len(problems)} problem(s) in the curated tables:", problems)
        data = Mapper(load_mapping(root / "mappings" / "bonemet.mapping.yaml"), root / "mappings").graph()
        mapping_sets = [read_mapping_set(p) for p in mapping_set_files(root)]
        data += mapping_graph(mapping_sets, set(catalog.entities))
    except TableError as exc:
        raise BuildError(str(exc)) from None
    asserted = Graph()
    asserted += catalog.ontology
    asserted += data
    report = {
        "statements_per_source": dict(sorted(Counter(r["source"] for r in statements).items())),
        "statistics_per_source": dict(sorted(Counter(r["source"] for r in statistics).items())),
        "entities": len(catalog.entities),
        "mappings_per_set": {ms.path.name: len(ms.mappings) for ms in mapping_sets},
    }
    return asserted, report


def build(root: Path = PROJECT_ROOT, out: Path | None = None,
          log: Callable[[str], None] = lambda _msg: None) -> BuildResult:
    out = out or root / "dist"
    log("reading ontology and curated tables")
    asserted, report = assemble(root)
    violations = run_qc(asserted, root)
    if violations:
        _fail(f"{len(violations)} quality-control violation(s):", [str(v) for v in violations])
    log(f"asserted graph: {len(asserted)} triples; reasoning (OWL 2 RL)")
    result = materialize(asserted)
    if result.errors:
        _fail("the graph is inconsistent (OWL 2 RL):", result.errors)
    inferred = result.inferred
    log("validating the graph against shapes/ (SHACL)")
    shacl = validate_graph(asserted, root)
    if shacl.fails("violation"):
        _fail(f"the graph does not conform to its SHACL shapes ({shacl.counts['violation']} violation(s)):",
              [f"{r.focusNode} {r.resultPath}: {r.message} [{r.sourceShape}]" for r in shacl.results
               if r.severity == "Violation"])
    report |= {"asserted_triples": len(asserted), "inferred_triples": len(inferred)}
    log(f"inferred graph: {len(inferred)} new triples; writing {out}")
    write_outputs(asserted, inferred, report, out)
    return BuildResult(out, asserted, inferred, report)


def validate_graph(asserted: Graph, root: Path):
    """SHACL report for the asserted graph, which already holds the ontology and entities."""
    from .rdfinput import InputError, load_rdf
    from .validate import default_shape_files, validate_files

    try:
        shapes = load_rdf(default_shape_files(root))
    except InputError as exc:
        raise BuildError(f"shapes: {exc}") from None
    return validate_files([], shapes, with_vocabulary=False, root=root, graphs=[asserted])


def write_outputs(asserted: Graph, inferred: Graph, report: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=out.name + ".tmp-", dir=out.parent))
    try:
        a, i = stable(asserted), stable(inferred)
        write_graph(a, staging / "bonemet")
        write_graph(i, staging / "bonemet-inferred")
        write_dataset({str(GRAPH.asserted): a, str(GRAPH.inferred): i}, staging / "bonemet.trig")
        (staging / "build-report.json").write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
        old = out.with_name(out.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if out.exists():
            out.rename(old)
        staging.rename(out)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
