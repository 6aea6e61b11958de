"""`bonemet build`: tables + ontology -> asserted graph -> OWL RL closure -> dist/.

Either every output is written or none is: outputs go to a fresh folder that replaces
dist/ only once everything succeeded.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, Graph, Literal, URIRef

from bonemet import __version__
from bonemet.build.derivation_graph import derivation_graph
from bonemet.build.examples import EXAMPLES_FILE, ExampleError, examples_graph
from bonemet.build.qc import run_qc
from bonemet.build.serialize import stable, write_dataset, write_graph, write_ntriples
from bonemet.build.table_mapping import Mapper, load_mapping
from bonemet.curate.catalog import Catalog, load_catalog
from bonemet.curate.checks import check_all, load_rows, load_rules
from bonemet.curate.sources import load_source
from bonemet.curate.sssom import mapping_graph, mapping_set_files, read_mapping_set
from bonemet.curate.tables import TableError
from bonemet.formats import RELEASE_GRAPHS
from bonemet.io import InputError, load_rdf
from bonemet.namespaces import BASE, BONEMET, GRAPH, ONTOLOGY_IRI
from bonemet.project import current
from bonemet.reason.closure import materialize
from bonemet.reason.derivations import trace
from bonemet.validate.api import VOCABULARY_FILE, validate_files

MAX_REPORTED = 25


class BuildError(Exception):
    """The inputs cannot be built into a consistent, checked graph."""


@dataclass
class BuildResult:
    out: Path
    asserted: Graph
    inferred: Graph
    report: dict = field(default_factory=dict)
    derivations: Graph = field(default_factory=Graph)    # why each inferred triple holds


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


def stamp_version(ontology: Graph) -> None:
    """The package version, kept in one place (bonemet.__version__), as the ontology's version."""
    onto = URIRef(ONTOLOGY_IRI)
    ontology.remove((onto, OWL.versionIRI, None))
    ontology.remove((onto, OWL.versionInfo, None))
    ontology.add((onto, OWL.versionIRI, URIRef(f"{BASE}releases/{__version__}/ontology")))
    ontology.add((onto, OWL.versionInfo, Literal(__version__)))


def vocabulary(catalog: Catalog, root: Path) -> Graph:
    """Ontology plus the entities table: the terms users' records refer to (dist/bonemet-vocabulary.nt)."""
    spec = load_mapping(root / "mappings" / "bonemet.mapping.yaml")
    spec["tables"] = {name: spec["tables"][name] for name in ("entities",)}
    g = Graph()
    g += catalog.ontology
    # the passages behind definitions are provenance of the knowledge graph, not terms records use
    g += ((s, p, o) for s, p, o in Mapper(spec, root / "mappings").graph()
          if p != BONEMET.definitionEvidence and "#" not in str(s))
    return g


def assemble(root: Path) -> tuple[Graph, Graph, dict]:
    """The asserted graph (ontology + mapped tables) and the vocabulary, after every table check passed."""
    try:
        catalog = load_catalog(root)
        stamp_version(catalog.ontology)
        proposed = sorted((root / "mappings" / "proposed").glob("*.tsv"))
        if proposed:
            _fail("proposed entities are not merged into mappings/entities.tsv yet:", [str(p) for p in proposed])
        statements, statistics = load_rows(root)
        problems = check_sources(catalog) + check_all(catalog, statements, statistics, load_rules(root))
        if problems:
            _fail(f"{len(problems)} problem(s) in the curated tables:", problems)
        data = Mapper(load_mapping(root / "mappings" / "bonemet.mapping.yaml"), root / "mappings").graph()
        mapping_sets = [read_mapping_set(p) for p in mapping_set_files(root)]
        data += mapping_graph(mapping_sets, set(catalog.entities),
                              frozenset(catalog.classes | catalog.object_properties))
        terms = vocabulary(catalog, root)
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
    return asserted, terms, report


def build(root: Path | None = None, out: Path | None = None,
          log: Callable[[str], None] = lambda _msg: None) -> BuildResult:
    root = root or current().root
    out = out or root / "dist"
    log("reading ontology and curated tables")
    asserted, terms, report = assemble(root)
    violations = run_qc(asserted, root)
    if violations:
        _fail(f"{len(violations)} quality-control violation(s):", [str(v) for v in violations])
    log(f"asserted graph: {len(asserted)} triples; reasoning (OWL 2 RL)")
    result = materialize(asserted)
    if result.errors:
        _fail("the graph is inconsistent (OWL 2 RL):", result.errors)
    inferred = result.inferred
    # every inferred triple must be explainable by a named rule from asserted premises (issue 16)
    derivations, unexplained = trace(asserted, inferred)
    if unexplained:
        _fail(f"{len(unexplained)} inferred triple(s) that no OWL 2 RL rule derives from the asserted graph:",
              [" ".join(t.n3() for t in triple) for triple in unexplained])
    explained = derivation_graph(asserted, derivations)
    log("validating the graph and its derivations against shapes/ (SHACL)")
    shacl = validate_graph(asserted, root, explained)
    if shacl.fails("violation"):
        _fail(f"the graph does not conform to its SHACL shapes ({shacl.counts['violation']} violation(s)):",
              [f"{r.focusNode} {r.resultPath}: {r.message} [{r.sourceShape}]" for r in shacl.results
               if r.severity == "Violation"])
    report |= {"asserted_triples": len(asserted), "inferred_triples": len(inferred),
               "derivations_per_rule": dict(sorted(Counter(d.rule for d in derivations.values()).items()))}
    log(f"inferred graph: {len(inferred)} new triples; writing {out}")
    try:
        examples = examples_graph(sorted((root / "queries").glob("*.rq")), BASE + "sparql")
    except ExampleError as exc:
        raise BuildError(str(exc)) from None
    report["derivation_triples"] = len(explained)
    write_outputs(asserted, inferred, explained, terms, examples, report, out)
    return BuildResult(out, asserted, inferred, report, explained)


def validate_graph(asserted: Graph, root: Path, derivations: Graph | None = None):
    """SHACL report for the asserted graph, which already holds the ontology and entities, and for the
    derivations graph beside it (its shapes need the ontology's rules)."""
    try:
        shapes = load_rdf(sorted((root / "shapes").glob("*.shacl.ttl")))
    except InputError as exc:
        raise BuildError(f"shapes: {exc}") from None
    graphs = [asserted] if derivations is None else [asserted, derivations]
    return validate_files([], shapes, with_vocabulary=False, graphs=graphs)


def write_outputs(asserted: Graph, inferred: Graph, derivations: Graph, terms: Graph, examples: Graph, report: dict,
                  out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=out.name + ".tmp-", dir=out.parent))
    try:
        graphs = {"asserted": stable(asserted), "inferred": stable(inferred), "derivations": stable(derivations)}
        for name, stem in RELEASE_GRAPHS.items():
            write_graph(graphs[name], staging / stem)
        write_dataset({str(GRAPH[name]): g for name, g in graphs.items()}, staging / "bonemet.trig")
        write_ntriples(stable(terms), staging / VOCABULARY_FILE)
        (staging / EXAMPLES_FILE).write_text(stable(examples).serialize(format="turtle"), encoding="utf-8")
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
