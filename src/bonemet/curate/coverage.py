"""How many entities of each kind have a verified cross-ontology mapping.

An entity is mapped when any mapping set names it; otherwise mappings/unmapped_*.tsv say why, and a
reason opening with "no counterpart" or "identity uncertain" takes it out of the denominator: the
coverage asked for is of the entities that have a counterpart somewhere.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bonemet.curate.catalog import Entity, load_catalog
from bonemet.curate.sssom import mapping_set_files, read_mapping_set

FAMILIES = {
    "cancers": {"Cancer"},
    "metastatic conditions and lesion types": {"MetastaticDisease", "BoneLesionType"},
    "anatomical sites": {"SkeletalSite", "VertebralRegion", "Joint", "ExtraskeletalSite", "OrganSystem"},
    "cells": {"BoneCell", "CellType"},
    "complications and symptoms": {"Complication", "Symptom", "ClinicalFinding"},
    "drugs and drug classes": {"Drug", "Radiopharmaceutical", "DrugClass"},
    "procedures, therapies, diagnostics": {"Procedure", "TherapyModality", "DiagnosticMethod"},
}

# "out of scope" is for ontology properties that relate records or provenance, not entities
REASON_KINDS = ("no counterpart: ", "identity uncertain: ", "not verified: ", "out of scope: ")
NO_COUNTERPART = REASON_KINDS[:2]


@dataclass
class FamilyCoverage:
    family: str
    members: list[Entity]
    targets: dict[str, set[str]]      # entity id -> target prefixes it is mapped to
    reasons: dict[str, list[str]]     # entity id -> why it is unmapped, one reason per list naming it

    @property
    def mapped(self) -> list[Entity]:
        return [e for e in self.members if self.targets.get(e.id)]

    @property
    def listed(self) -> list[Entity]:
        return [e for e in self.members if not self.targets.get(e.id) and e.id in self.reasons]

    @property
    def unconsidered(self) -> list[Entity]:
        return [e for e in self.members if not self.targets.get(e.id) and e.id not in self.reasons]

    @property
    def without_counterpart(self) -> list[Entity]:
        # only when every list naming the entity says so: "none in HP" is not "none anywhere"
        return [e for e in self.listed if all(r.startswith(NO_COUNTERPART) for r in self.reasons[e.id])]

    @property
    def ratio(self) -> float | None:
        denominator = len(self.members) - len(self.without_counterpart)
        return len(self.mapped) / denominator if denominator else None


def unmapped_reasons(root: Path) -> dict[str, list[str]]:
    reasons: dict[str, list[str]] = defaultdict(list)
    for path in sorted((root / "mappings").glob("unmapped_*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                reasons[row["subject_id"].removeprefix("bme:")].append(row["reason"])
    return reasons


def mapping_coverage(root: Path) -> list[FamilyCoverage]:
    catalog = load_catalog(root)
    targets: dict[str, set[str]] = defaultdict(set)
    for path in mapping_set_files(root):
        for m in read_mapping_set(path).mappings:
            targets[m.subject_id.removeprefix("bme:")].add(m.object_id.split(":")[0])
    reasons = unmapped_reasons(root)
    return [FamilyCoverage(family, sorted((e for e in catalog.entities.values() if e.cls in classes),
                                          key=lambda e: e.id), targets, reasons)
            for family, classes in FAMILIES.items()]
