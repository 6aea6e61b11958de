"""Where does a document name our entities? The first stage of `bonemet annotate`.

Every later stage reasons about mentions only, so this is where a name's forms are decided; they come
from the matcher the curation checks use (bonemet.curate.mentions), so that a passage annotate finds
for an entity is one the checks accept as naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bonemet.curate.catalog import Catalog
from bonemet.curate.mentions import fold, normalize, term_pattern


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    entities: tuple[str, ...]  # several when one name belongs to several entities


@dataclass
class Lexicon:
    """Every entity name, indexed by the first three letters so that only plausible names are tried."""
    catalog: Catalog
    by_prefix: dict[str, list[tuple[re.Pattern[str], tuple[str, ...]]]] = field(default_factory=dict)

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> Lexicon:
        owners: dict[str, list[tuple[bool, str]]] = {}
        for entity in catalog.entities.values():
            # a name's own entity first: "survival" is Survival's label and only a synonym elsewhere
            for rank, name in enumerate(entity.names):
                key = normalize(name)
                if key:
                    owners.setdefault(key, []).append((rank != 0, entity.id))
        lexicon = cls(catalog)
        for key, ranked in owners.items():
            pattern = term_pattern(key)
            if pattern is not None:
                entities = tuple(dict.fromkeys(eid for _, eid in sorted(ranked)))
                lexicon.by_prefix.setdefault(key[:3], []).append((pattern, entities))
        return lexicon


def find_mentions(text: str, lexicon: Lexicon) -> list[Mention]:
    """Non-overlapping entity mentions, longest first, in text order."""
    folded = fold(text)  # same length, so offsets in it are offsets in text
    found: list[tuple[int, int, tuple[str, ...]]] = []
    for word in re.finditer(r"(?<!\w)\w", folded):
        pos = word.start()
        for pattern, entities in lexicon.by_prefix.get(folded[pos:pos + 3].lower(), ()):
            match = pattern.match(folded, pos)
            if match:
                found.append((match.start(), match.end(), entities))
    # longest match wins; among equals, the earlier one
    found.sort(key=lambda m: (-(m[1] - m[0]), m[0]))
    taken = bytearray(len(text))
    chosen = []
    for start, end, entities in found:
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            chosen.append(Mention(start, end, text[start:end], entities))
    return sorted(chosen, key=lambda m: m.start)
