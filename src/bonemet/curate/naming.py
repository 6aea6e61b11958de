"""Does an evidence passage name the ends of its row — by names that are the entity's own?

A synonym is published as skos:altLabel, so it must name the entity itself; the words a passage
uses for an end are often looser ("kidney" in a list of primary sites means kidney cancer there).
Such a row is not passed by widening the synonyms: mappings/wordings.tsv declares, for that one
row and entity, the words the passage uses and why they name the entity there. A name shared by
two entities (a reviewed homonym) never counts alone: the row needs its own wording too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bonemet.curate.catalog import Catalog, Entity
from bonemet.curate.mentions import mentions, normalize
from bonemet.curate.tables import Row, TableError, read_table

WORDING_COLUMNS = ["id", "entity", "words", "note"]


@dataclass
class Wording:
    words: str
    note: str
    row: Row


def load_wordings(path: Path) -> dict[tuple[str, str], Wording]:
    wordings: dict[tuple[str, str], Wording] = {}
    if not path.exists():
        return wordings
    for row in read_table(path, WORDING_COLUMNS):
        key = (row["id"], row["entity"])
        if key in wordings:
            raise TableError(f"{row.where()}: row {key[0]} already has a wording for {key[1]}")
        if not row["words"] or not row["note"]:
            raise TableError(f"{row.where()}: a wording needs the words and a note saying why they name the entity")
        wordings[key] = Wording(row["words"], row["note"], row)
    return wordings


def shared_names(catalog: Catalog) -> dict[str, set[str]]:
    """Normalised names that belong to more than one entity, with their entities."""
    owners: dict[str, set[str]] = defaultdict(set)
    for ent in catalog.entities.values():
        for name in ent.names:
            owners[normalize(name)].add(ent.id)
    return {name: ids for name, ids in owners.items() if len(ids) > 1}


@dataclass
class Naming:
    catalog: Catalog
    wordings: dict[tuple[str, str], Wording]
    shared: dict[str, set[str]] = field(default_factory=dict)
    used: set[tuple[str, str]] = field(default_factory=set)
    read: set[str] = field(default_factory=set)   # rows whose passage was read (their source is here)

    def __post_init__(self) -> None:
        self.shared = shared_names(self.catalog)

    def problem(self, text: str, row_id: str, ent: Entity) -> str | None:
        """None when the passage names the entity; else what is wrong, for the row's report."""
        self.read.add(row_id)
        own = [n for n in ent.names if normalize(n) not in self.shared]
        wording = self.wordings.get((row_id, ent.id))
        if wording is not None:
            self.used.add((row_id, ent.id))
            if mentions(text, own):
                return (f"names '{ent.id}' by its own name, so the wording '{wording.words}' of "
                        f"{wording.row.where()} is not needed")
            if not mentions(text, [wording.words]):
                return f"does not contain the wording '{wording.words}' that {wording.row.where()} declares"
            return None
        if mentions(text, own):
            return None
        loose = [n for n in ent.names if normalize(n) in self.shared and mentions(text, [n])]
        if loose:
            others = sorted(self.shared[normalize(loose[0])] - {ent.id})
            return (f"names '{ent.id}' only as '{loose[0]}', a name shared with {', '.join(others)}; "
                    "tighten the span or declare the wording in mappings/wordings.tsv")
        return f"does not mention '{ent.id}' by label or synonym (nor by a wording of mappings/wordings.tsv)"

    def unused(self, row_ids: set[str]) -> list[str]:
        """Wordings of no row, or of a row read without asking for that entity (without its source: unknown)."""
        return [f"{w.row.where()}: wording for {key[0]}/{key[1]} is not used "
                f"({'no such row' if key[0] not in row_ids else 'the row does not have this entity'})"
                for key, w in sorted(self.wordings.items())
                if key not in self.used and (key[0] not in row_ids or key[0] in self.read)]
