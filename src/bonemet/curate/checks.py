"""Checks on the curated statement and statistic tables.

`check_*` functions return problems as `file:line: message` strings; the build turns
the first of them into a failure, and `bonemet check FILE...` lists all.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bonemet.curate.catalog import Catalog, Entity, load_catalog
from bonemet.curate.naming import Naming, Wording, load_wordings
from bonemet.curate.sources import load_source
from bonemet.curate.strength import Strength, load_cues
from bonemet.curate.tables import Row, TableError, as_decimal, as_int, read_table, split_ids

STATEMENT_COLUMNS = ["id", "subject", "predicate", "object", "frequency", "source", "start", "end", "note"]
# Optional, after the required ones: a heading the row relies on (a list's or table's title), cited as a
# second passage, and the statistics that quantify the row.
OPTIONAL_STATEMENT_COLUMNS = ["heading_start", "heading_end", "statistic"]
STATISTIC_COLUMNS = ["id", "kind", "cancer", "measures", "population", "study", "min", "max", "unit",
                     "qualifier", "source", "start", "end", "note"]
STAT_KINDS = {"Incidence": "IncidenceStatistic", "Share": "ShareStatistic", "Survival": "SurvivalStatistic",
              "Time": "TimeStatistic", "Rank": "RankStatistic", "Threshold": "ThresholdStatistic"}
ID_PATTERN = re.compile(r"^[0-9]{3}-[0-9]{4}$")


CURATED_COLUMNS = ["subject", "predicate", "object", "basis", "rationale"]
HIERARCHY_COLUMNS = {"subtypeOf": "subtype_of", "partOf": "part_of"}


@dataclass
class Rules:
    """The reviewed tables the row checks read besides the catalog."""
    wordings: dict[tuple[str, str], Wording]
    cues: dict[str, re.Pattern[str]]
    curated: list[Row]


def load_rules(root: Path) -> Rules:
    mappings = root / "mappings"
    return Rules(load_wordings(mappings / "wordings.tsv"), load_cues(mappings / "frequency_cues.tsv"),
                 read_table(mappings / "curated_links.tsv", CURATED_COLUMNS))


def check_hierarchy(catalog: Catalog, statements: list[Row], curated: list[Row]) -> list[str]:
    """Each subtype_of/part_of link of entities.tsv is stated by a source or curated with a reason, not both."""
    stated = {(r["subject"], r["predicate"], r["object"]) for r in statements}
    problems: list[str] = []
    listed: dict[tuple[str, str, str], int] = {}
    for row in curated:
        link = (row["subject"], row["predicate"], row["object"])
        if link in listed:
            problems.append(f"{row.where()}: link already listed at line {listed[link]}")
        listed[link] = row.line
        if link in stated:
            problems.append(f"{row.where()}: a source states {' '.join(link)}; drop the curated row")
        if catalog.individuals.get(row["basis"]) != "CurationBasis":
            problems.append(f"{row.where()}: basis '{row['basis']}' is not a curation basis of the ontology")
        if not row["rationale"]:
            problems.append(f"{row.where()}: a curated link needs a rationale")
    links = {(e.id, p, parent): e for e in catalog.entities.values()
             for p, col in HIERARCHY_COLUMNS.items() for parent in (e.subtype_of if col == "subtype_of" else e.part_of)}
    for link, ent in sorted(links.items()):
        if link not in stated and link not in listed:
            problems.append(f"{ent.row.where()}: {' '.join(link)} comes from no source; list it with its basis and "
                            "rationale in mappings/curated_links.tsv")
    for row in curated:
        if (row["subject"], row["predicate"], row["object"]) not in links:
            problems.append(f"{row.where()}: no such link in mappings/entities.tsv")
    return problems


@dataclass
class Evidence:
    source: str   # source id, e.g. "002"
    start: int
    end: int
    heading: tuple[int, int] | None = None


def check_evidence(row: Row, catalog: Catalog) -> tuple[Evidence | None, list[str]]:
    problems = []
    src = catalog.sources.get(row["source"])
    if src is None:
        return None, [f"{row.where()}: unknown source '{row['source']}' (ids are listed in mappings/sources.tsv)"]
    try:
        start, end = as_int(row, "start"), as_int(row, "end")
    except TableError as exc:
        return None, [str(exc)]
    if not 0 <= start < end <= src.characters:
        problems.append(f"{row.where()}: offsets {start}..{end} must satisfy 0 <= start < end <= {src.characters}")
    heading = None
    if row["heading_start"] or row["heading_end"]:
        try:
            heading = as_int(row, "heading_start"), as_int(row, "heading_end")
        except TableError as exc:
            return None, [str(exc)]
        if not 0 <= heading[0] < heading[1] <= start:
            problems.append(f"{row.where()}: heading {heading[0]}..{heading[1]} must lie before the passage {start}..{end}")
    if not row["id"].startswith(src.id + "-"):
        problems.append(f"{row.where()}: id '{row['id']}' must start with its source id '{src.id}-'")
    return Evidence(src.id, start, end, heading), problems


def passage(catalog: Catalog, ev: Evidence) -> str | None:
    """The cited text: the heading the row relies on, if any, then the passage."""
    text = load_source(catalog.sources[ev.source].file)
    if text is None:
        return None
    heading = text.text[ev.heading[0]:ev.heading[1]] + "\n" if ev.heading else ""
    return heading + text.text[ev.start:ev.end]


def _class_ok(catalog: Catalog, entity_id: str, required: str | None) -> bool:
    return required is None or required in catalog.superclasses(catalog.entities[entity_id].cls)


def check_statement(row: Row, catalog: Catalog, naming: Naming, strength: Strength) -> list[str]:
    problems = []
    if not ID_PATTERN.match(row["id"]):
        problems.append(f"{row.where()}: id '{row['id']}' must look like 002-0042")
    for col in ("subject", "object"):
        if row[col] not in catalog.entities:
            problems.append(f"{row.where()}: {col} '{row[col]}' is not an entity of mappings/entities.tsv")
    pred = row["predicate"]
    if pred not in catalog.object_properties:
        problems.append(f"{row.where()}: predicate '{pred}' is not an object property of the ontology")
    if row["frequency"] and catalog.individuals.get(row["frequency"]) != "FrequencyQualifier":
        problems.append(f"{row.where()}: frequency '{row['frequency']}' is not a frequency qualifier")
    if not problems:
        domain, range_ = catalog.domain_range(pred)
        if not _class_ok(catalog, row["subject"], domain):
            problems.append(f"{row.where()}: subject '{row['subject']}' is a {catalog.entities[row['subject']].cls}"
                            f" but '{pred}' needs a {domain}")
        if not _class_ok(catalog, row["object"], range_):
            problems.append(f"{row.where()}: object '{row['object']}' is a {catalog.entities[row['object']].cls}"
                            f" but '{pred}' needs a {range_}")
    ev, ev_problems = check_evidence(row, catalog)
    problems += ev_problems
    if ev and not problems:
        text = passage(catalog, ev)
        if text is not None:
            for col in ("subject", "object"):
                problem = naming.problem(text, row["id"], catalog.entities[row[col]])
                if problem:
                    problems.append(f"{row.where()}: passage {ev.start}..{ev.end} {problem} ({col})")
            problems += strength.problems(row, text, ev.start, ev.end)
    return problems


def check_definition(ent: Entity, catalog: Catalog) -> list[str]:
    """A definition names its source passage, or says with '-' that it only identifies the term."""
    row, where = ent.row, ent.row.where()
    source = row["definition_source"]
    if source in ("", "-"):
        if source == "" or row["definition_start"] or row["definition_end"]:
            return [f"{where}: say where the definition of '{ent.id}' comes from: definition_source with "
                    "definition_start/definition_end, or '-' (and no offsets) when it only identifies the term"]
        return []
    src = catalog.sources.get(source)
    if src is None:
        return [f"{where}: definition_source '{source}' is not a source of mappings/sources.tsv"]
    try:
        start, end = as_int(row, "definition_start"), as_int(row, "definition_end")
    except TableError as exc:
        return [str(exc)]
    if not 0 <= start < end <= src.characters:
        return [f"{where}: definition offsets {start}..{end} must satisfy 0 <= start < end <= {src.characters}"]
    return []


def check_statistic(row: Row, catalog: Catalog, naming: Naming) -> list[str]:
    problems = []
    if not ID_PATTERN.match(row["id"]):
        problems.append(f"{row.where()}: id '{row['id']}' must look like 002-0042")
    if row["kind"] not in STAT_KINDS:
        problems.append(f"{row.where()}: kind '{row['kind']}' must be one of {', '.join(STAT_KINDS)}")
    for cancer in split_ids(row["cancer"]):
        if cancer not in catalog.entities or not _class_ok(catalog, cancer, "Cancer"):
            problems.append(f"{row.where()}: cancer '{cancer}' is not a cancer entity")
    if row["measures"] not in catalog.entities:
        problems.append(f"{row.where()}: measures '{row['measures']}' is not an entity")
    if row["population"] not in catalog.entities or catalog.entities[row["population"]].cls != "Population":
        problems.append(f"{row.where()}: population '{row['population']}' is not a Population entity")
    for col, cls in (("study", "StudyDesign"), ("unit", "Unit"), ("qualifier", "ValueQualifier")):
        if catalog.individuals.get(row[col]) != cls:
            problems.append(f"{row.where()}: {col} '{row[col]}' is not a {cls} of the ontology")
    try:
        low, high = as_decimal(row, "min"), as_decimal(row, "max")
        if low > high:
            problems.append(f"{row.where()}: min {low} is greater than max {high}")
        if row["unit"] == "Percent" and not (Decimal(0) <= low and high <= Decimal(100)):
            problems.append(f"{row.where()}: a percentage must lie within 0..100")
        if low < 0:
            problems.append(f"{row.where()}: values must not be negative")
    except TableError as exc:
        problems.append(str(exc))
    ev, ev_problems = check_evidence(row, catalog)
    problems += ev_problems
    if ev and not problems:
        text = passage(catalog, ev)
        if text is not None:
            for cancer in split_ids(row["cancer"]):
                problem = naming.problem(text, row["id"], catalog.entities[cancer])
                if problem:
                    problems.append(f"{row.where()}: passage {ev.start}..{ev.end} {problem} (cancer)")
            if not re.search(r"\d|one|two|three|four|half|third|ten|six", text.lower()):
                problems.append(f"{row.where()}: passage contains no figure")
    return problems


def load_rows(root: Path) -> tuple[list[Row], list[Row]]:
    statements = [r for p in sorted((root / "mappings" / "statements").glob("*.tsv"))
                  for r in read_table(p, STATEMENT_COLUMNS)]
    statistics = [r for p in sorted((root / "mappings" / "statistics").glob("*.tsv"))
                  for r in read_table(p, STATISTIC_COLUMNS)]
    return statements, statistics


def check_all(catalog: Catalog, statements: list[Row], statistics: list[Row], rules: Rules,
              complete: bool = True) -> list[str]:
    """All problems of the rows; `complete` when they are all the rows, so unused wordings are stale."""
    problems: list[str] = []
    naming = Naming(catalog, rules.wordings)
    strength = Strength(rules.cues, statements, statistics)
    seen: dict[str, str] = {}
    for row in statements + statistics:
        if row["id"] in seen:
            problems.append(f"{row.where()}: id '{row['id']}' already used at {seen[row['id']]}")
        seen[row["id"]] = row.where()
    for row in statements:
        problems += check_statement(row, catalog, naming, strength)
    for row in statistics:
        problems += check_statistic(row, catalog, naming)
    if complete:
        problems += [p for ent in catalog.entities.values() for p in check_definition(ent, catalog)]
        problems += check_hierarchy(catalog, statements, rules.curated)
        problems += naming.unused({row["id"] for row in statements + statistics})
    return problems


def main(argv: list[str], root: Path) -> int:
    try:
        catalog = load_catalog(root)
        statements, statistics = load_rows(root)
        rules = load_rules(root)
    except TableError as exc:
        print(exc, file=sys.stderr)
        return 2
    wanted = {str(Path(a).resolve()) for a in argv}
    keep = lambda rows: [r for r in rows if not wanted or str(r.path.resolve()) in wanted]  # noqa: E731
    problems = check_all(catalog, keep(statements), keep(statistics), rules, complete=not wanted)
    for p in problems:
        print(p)
    print(f"{len(keep(statements))} statements, {len(keep(statistics))} statistics, {len(problems)} problems")
    return 1 if problems else 0

