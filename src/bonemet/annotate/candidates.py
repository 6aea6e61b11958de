"""Candidate statements and statistics: the Annotator, which runs the stages over one document.

It holds what every document needs and is slow to derive (the lexicon, the compiled triggers, each
entity's classes, the sites implied by compound names), so a run over many documents derives it once.
Every proposal keeps its passage and a reason, because a curator must be able to judge it from the
text alone; nothing here is a medical fact, it all comes from the tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from bonemet.annotate.lexicon import Lexicon, Mention, find_mentions
from bonemet.annotate.passages import Passage, split_passages
from bonemet.annotate.triggers import Trigger, frequency_cue, gap, load_triggers, score_trigger, trigger_pattern
from bonemet.curate.catalog import Catalog, load_catalog
from bonemet.curate.mentions import fold, normalize
from bonemet.project import current

DEFAULT_MIN_CONFIDENCE = 0.5

# Classes that can be what a statistic measures (the outcome), besides conditions.
OUTCOME_CLASSES = {"Condition", "ClinicalOutcome"}


@dataclass
class Candidate:
    subject: str
    predicate: str
    object: str
    passage: Passage
    confidence: float
    reason: str
    frequency: str = ""
    implied: bool = False  # the object is a site implied by a compound name ("bone metastases" -> bone)


@dataclass
class StatisticCandidate:
    cancer: str
    measures: str
    value: str
    unit: str
    start: int  # the figure itself
    end: int
    passage: Passage
    confidence: float
    reason: str


@dataclass
class Document:
    """One annotated text and everything found in it."""
    name: str
    source: str  # our source id when the text is one of our sources, else the file name
    iri: str
    text: str
    mentions: list[Mention] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    statistics: list[StatisticCandidate] = field(default_factory=list)


@dataclass
class Annotator:
    """Everything annotation needs, loaded once: catalog, lexicon, triggers, property signatures."""
    catalog: Catalog
    triggers: list[Trigger]
    min_confidence: float = DEFAULT_MIN_CONFIDENCE

    @classmethod
    def load(cls, root: Path | None = None, triggers: Path | None = None,
             min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Annotator:
        root = root or current().root
        catalog = load_catalog(root)
        return cls(catalog, load_triggers(triggers or root / "mappings" / "triggers.tsv"), min_confidence)

    @cached_property
    def lexicon(self) -> Lexicon:
        return Lexicon.from_catalog(self.catalog)

    @cached_property
    def trigger_patterns(self) -> list[tuple[Trigger, re.Pattern[str]]]:
        return [(t, trigger_pattern(fold(t.phrase))) for t in self.triggers]

    @cached_property
    def signatures(self) -> dict[str, tuple[str | None, str | None]]:
        """Domain and range of each property the trigger lexicon names."""
        return {t.property: self.catalog.domain_range(t.property) for t in self.triggers}

    @cached_property
    def _classes(self) -> dict[str, set[str]]:
        # the class hierarchy walk is slow in rdflib; each entity's classes are needed thousands of times
        by_class = {cls: self.catalog.superclasses(cls) for cls in {e.cls for e in self.catalog.entities.values()}}
        return {eid: by_class[e.cls] for eid, e in self.catalog.entities.items()}

    @cached_property
    def implied_sites(self) -> dict[str, str]:
        """Entities named "<site> metastasis" and the site their name contains: bone metastasis -> the bone's entity.

        The site is found by looking the words before "metastasis" up among the names of anatomical sites.
        """
        names: dict[str, list[str]] = {}
        for entity in self.catalog.entities.values():
            for name in entity.names:
                names.setdefault(normalize(name), []).append(entity.id)
        out = {}
        for entity in self.catalog.entities.values():
            words = normalize(entity.names[0]).split() if entity.names else []
            if len(words) >= 2 and words[-1] in ("metastasis", "metastases"):
                sites = [e for e in names.get(" ".join(words[:-1]), []) if "AnatomicalSite" in self.classes(e)]
                if sites:
                    out[entity.id] = sites[0]
        return out

    def classes(self, entity_id: str) -> set[str]:
        return self._classes[entity_id]

    def fits(self, prop: str, subject: str, obj: str) -> bool:
        """Do the two entities' classes fit the property's domain and range?"""
        domain, range_ = self.signatures[prop]
        if subject == obj:
            return False
        if prop in ("subtypeOf", "partOf", "combinedWith") and not self._same_kind(subject, obj):
            return False
        return (domain is None or domain in self.classes(subject)) and (range_ is None or range_ in self.classes(obj))

    def _same_kind(self, a: str, b: str) -> bool:
        # subtypeOf/partOf relate things of one kind: a cancer to a cancer, a bone to a bone
        return self.catalog.entities[a].cls == self.catalog.entities[b].cls or bool(
            self.classes(a) & self.classes(b) - {"Condition", "Intervention", "AnatomicalSite"})

    # ------------------------------------------------------------------ the pipeline

    def annotate(self, text: str, name: str, source: str, iri: str) -> Document:
        doc = Document(name, source, iri, text)
        doc.mentions = find_mentions(text, self.lexicon)
        passages = split_passages(text)
        triggers = self.find_triggers(text)
        for passage in passages:
            inside = [m for m in doc.mentions if passage.contains(m.start, m.end)]
            here = [t for t in triggers if passage.contains(t[1], t[2])]
            doc.candidates += self.candidates_in(text, passage, inside, here)
            if not passage.anaphor:  # the figure's own sentence already gave it
                doc.statistics += self.statistics_in(text, passage, inside)
        doc.candidates = best_per_statement(doc.candidates, self.min_confidence)
        return doc

    def find_triggers(self, text: str) -> list[tuple[Trigger, int, int]]:
        folded = fold(text)
        return [(t, m.start(), m.end()) for t, pattern in self.trigger_patterns for m in pattern.finditer(folded)]

    def candidates_in(self, text: str, passage: Passage, mentions: list[Mention],
                      triggers: list[tuple[Trigger, int, int]]) -> list[Candidate]:
        """Pairs of mentions in the passage linked by a trigger of a property their classes fit.

        Each pair keeps only its best-supported property: "X causes Y" should not also propose
        every other property whose domain and range happen to fit X and Y.
        """
        found = []
        frequency = frequency_cue(text, passage)
        # in a sentence joined with the one before for its anaphor, only the earlier sentence's topic
        # (its first mention) can be what "it"/"they" stands for
        topic = next((m for m in mentions if passage.in_heading(m.start)), None) if passage.anaphor else None
        for i, first in enumerate(mentions):
            if passage.anaphor and first is not topic:
                continue
            for second in mentions[i + 1:]:
                if passage.cross_only and passage.in_heading(first.start) == passage.in_heading(second.start):
                    continue  # a pair within the sentence alone is already proposed from the sentence
                options = []
                for a in first.entities:
                    for b in second.entities:
                        options += self._pair(text, passage, triggers, first, a, second, b)
                # a site implied by a compound name is an extra statement, not a rival property
                implied = [c for c in options if c.implied]
                options = [c for c in options if not c.implied]
                if options:
                    top = max(c.confidence for c in options)
                    found += [replace(c, frequency=frequency) for c in options if c.confidence == top]
                found += [replace(c, frequency=frequency) for c in implied]
        return found

    def _pair(self, text: str, passage: Passage, triggers: list[tuple[Trigger, int, int]],
              first: Mention, a: str, second: Mention, b: str) -> list[Candidate]:
        """Candidates for entities a (at mention first) and b (at the later mention second)."""
        best: dict[tuple[str, str, str], Candidate] = {}
        for trigger, t_start, t_end in triggers:
            # a mention that is part of the trigger ("metastasize" in "metastasize to") is no argument
            if gap(first.start, first.end, t_start, t_end) == 0 and first.end > t_start:
                continue
            if gap(second.start, second.end, t_start, t_end) == 0 and second.start < t_end:
                continue
            for subj, named, reversed_ in ((a, b, False), (b, a, True)):
                # "breast cancer with bone metastases": an implied trigger's statement is about the site in the name
                compound = named if trigger.implied else ""
                obj = self.implied_sites.get(named) if trigger.implied else named
                if obj is None or not self.fits(trigger.property, subj, obj):
                    continue
                score, how = score_trigger(passage, first, second, t_start, t_end, trigger.passive != reversed_)
                key = (subj, trigger.property, obj)
                if score > 0 and (key not in best or score > best[key].confidence):
                    reason = f"trigger '{text[t_start:t_end]}' ({trigger.property}) {how}"
                    if compound:
                        reason += f"; the site is implied by the name of {compound}"
                    best[key] = Candidate(subj, trigger.property, obj, passage, round(score, 2), reason,
                                          implied=bool(compound))
        return list(best.values())

    def statistics_in(self, text: str, passage: Passage, mentions: list[Mention]) -> list[StatisticCandidate]:
        """Figures with % or a time unit in a passage that names a cancer and an outcome."""
        cancers = [m for m in mentions if any("Cancer" in self.classes(e) for e in m.entities)]
        outcomes = [m for m in mentions if any(self.classes(e) & OUTCOME_CLASSES and "Cancer" not in self.classes(e)
                                                for e in m.entities)]
        if not cancers or not outcomes:
            return []
        out = []
        for figure in _FIGURE.finditer(text, passage.start, passage.end):
            value, unit = figure.group("value"), unit_name(figure.group("unit"))
            cancer = min(cancers, key=lambda m: gap(m.start, m.end, figure.start(), figure.end()))
            outcome = min(outcomes, key=lambda m: gap(m.start, m.end, figure.start(), figure.end()))
            distance = gap(cancer.start, cancer.end, figure.start(), figure.end()) + \
                gap(outcome.start, outcome.end, figure.start(), figure.end())
            confidence = round(max(0.1, 0.9 - distance / 400), 2)
            cancer_id = next(e for e in cancer.entities if "Cancer" in self.classes(e))
            outcome_id = next(e for e in outcome.entities if self.classes(e) & OUTCOME_CLASSES)
            out.append(StatisticCandidate(cancer_id, outcome_id, value, unit, figure.start(), figure.end(), passage,
                                          confidence, f"figure '{figure.group(0)}', cancer and outcome "
                                                      f"{distance} characters away"))
        return out


# A figure: 70%, 35-42 %, 10 percent, 2-3 years, 6 months; ranges with - or "to"/"and".
_FIGURE = re.compile(
    r"(?<![\w.])(?P<value>\d+(?:[.,]\d+)?(?:\s*(?:-|\u2013|to|and)\s*\d+(?:[.,]\d+)?)?)\s*"
    r"(?P<unit>%|percent\b|per cent\b|years?\b|months?\b|weeks?\b|days?\b)", re.IGNORECASE)


def unit_name(raw: str) -> str:
    raw = raw.lower()
    if raw in ("%", "percent", "per cent"):
        return "Percent"
    return {"year": "Year", "month": "Month", "week": "Week", "day": "Day"}[raw.rstrip("s")]


def best_per_statement(candidates: list[Candidate], min_confidence: float) -> list[Candidate]:
    """One candidate per statement and passage: the best-supported, above the threshold."""
    best: dict[tuple, Candidate] = {}
    for c in candidates:
        key = (c.subject, c.predicate, c.object, c.passage.start, c.passage.end)
        if c.confidence >= min_confidence and (key not in best or c.confidence > best[key].confidence):
            best[key] = c
    return sorted(best.values(), key=lambda c: (c.passage.start, c.passage.end, c.subject, c.predicate, c.object))

