"""The code tables of the FHIR import: which external code means which of our entities.

Primary cancers come from our ICD SSSOM sets (mappings/bonemet_icd10cm.sssom.tsv, bonemet_icd10who.sssom.tsv);
bone metastasis, complication and treatment codes from mappings/fhir_codes.tsv; body sites from
mappings/fhir_body_sites.tsv. Every table is read from the project (a checkout or the packaged copy),
and every entity it names must exist with a fitting class, so a bad row fails before any bundle is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bonemet.curate.catalog import Catalog, load_catalog
from bonemet.curate.sssom import read_mapping_set
from bonemet.curate.tables import TableError, read_table
from bonemet.namespaces import ICD10CM_SYSTEM, ICD10WHO_SYSTEM

ICD_SYSTEMS = {ICD10CM_SYSTEM: "bonemet_icd10cm.sssom.tsv", ICD10WHO_SYSTEM: "bonemet_icd10who.sssom.tsv"}
# A code of the SSSOM set means the entity when it is the same (exact), nearly the same (close) or
# narrower than it (the entity narrowMatch the code: C18 colon is a kind of colorectal cancer).
# broadMatch is never used: a code broader than the entity does not say the patient has the entity.
PREDICATE_RANK = {"skos:exactMatch": 0, "skos:closeMatch": 1, "skos:narrowMatch": 2}
ROLES = {"bone-metastasis": "SkeletalSite", "complication": "Complication", "treatment": "Intervention"}
CODE_COLUMNS = ["role", "system", "code", "label", "entity", "label_source"]
SITE_COLUMNS = ["system", "code", "label", "entity", "label_source"]


@dataclass
class Match:
    entity: str
    code: str          # the table's code that matched (a category for ICD subcodes)
    label: str


@dataclass
class CodeTables:
    cancers: dict[str, dict[str, Match]] = field(default_factory=dict)          # system -> code -> match
    roles: dict[tuple[str, str], tuple[str, Match]] = field(default_factory=dict)  # (system, code) -> role, match
    sites: dict[tuple[str, str], Match] = field(default_factory=dict)

    def cancer(self, system: str, code: str) -> Match | None:
        table = self.cancers.get(system, {})
        return next((table[c] for c in _categories(code) if c in table), None)

    def role(self, system: str, code: str) -> tuple[str, Match] | None:
        codes = _categories(code) if system in ICD_SYSTEMS else [code]
        return next((self.roles[(system, c)] for c in codes if (system, c) in self.roles), None)

    def site(self, system: str, code: str) -> Match | None:
        return self.sites.get((system, code))


def _categories(code: str) -> list[str]:
    """An ICD code and the categories above it, longest first: C50.911, C50.91, C50.9, C50."""
    code = code.strip().upper()
    out = []
    while len(code) >= 3:
        out.append(code)
        code = code[:-1].rstrip(".")
    return out


def _require_class(catalog: Catalog, entity: str, wanted: str, where: str) -> None:
    found = catalog.entities.get(entity)
    if found is None:
        raise TableError(f"{where}: entity '{entity}' is not in mappings/entities.tsv")
    if wanted not in catalog.superclasses(found.cls):
        raise TableError(f"{where}: entity '{entity}' is a {found.cls}, not a {wanted}")


def load_tables(root: Path) -> CodeTables:
    """Read and check the tables; a problem raises TableError naming file and line."""
    catalog = load_catalog(root)
    tables = CodeTables()
    for system, name in ICD_SYSTEMS.items():
        ranked: dict[str, tuple[int, Match]] = {}
        for m in read_mapping_set(root / "mappings" / name).mappings:
            rank = PREDICATE_RANK.get(m.predicate_id)
            entity = m.subject_id.partition(":")[2]
            code = m.object_id.partition(":")[2]
            if rank is None or "-" in code or entity not in catalog.entities:
                continue
            if "Cancer" not in catalog.superclasses(catalog.entities[entity].cls):
                continue
            if code not in ranked or rank < ranked[code][0]:
                ranked[code] = (rank, Match(entity, code, m.object_label))
        tables.cancers[system] = {code: match for code, (_, match) in ranked.items()}
    for row in read_table(root / "mappings" / "fhir_codes.tsv", CODE_COLUMNS):
        if row["role"] not in ROLES:
            raise TableError(f"{row.where()}: role '{row['role']}' is not one of {sorted(ROLES)}")
        _require_class(catalog, row["entity"], ROLES[row["role"]], row.where())
        key = (row["system"], row["code"])
        if key in tables.roles:
            raise TableError(f"{row.where()}: {row['system']} {row['code']} is listed twice")
        tables.roles[key] = (row["role"], Match(row["entity"], row["code"], row["label"]))
    for row in read_table(root / "mappings" / "fhir_body_sites.tsv", SITE_COLUMNS):
        _require_class(catalog, row["entity"], "SkeletalSite", row.where())
        tables.sites[(row["system"], row["code"])] = Match(row["entity"], row["code"], row["label"])
    return tables
