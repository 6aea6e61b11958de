"""`bonemet annotate`: find our entities in new documents and propose sourced statements.

The pipeline is deliberately simple and explainable, because a curator has to judge every proposal:

1. mentions  — every label and synonym of mappings/entities.tsv, by the matcher the curation checks
               use (bonemet.curate.mentions), longest match first;
2. passages  — sentences; list items together with the heading line that introduces the list;
               sentences with their section title; a referring sentence ("It causes ...") with the one before;
3. candidates — two mentions in one passage whose classes fit a property's rdfs:domain/rdfs:range
               and a trigger phrase of that property (mappings/triggers.tsv) nearby; a site implied by
               a compound name ("bone metastases") through the lexicon's implied-* phrases;
4. statistics — a number with % or a time unit in a passage naming a cancer and an outcome;
5. renderers — the curated TSV format (plus status/confidence), W3C Web Annotations, HTML.

Nothing here is a medical fact: the entities, classes and trigger phrases all come from the tables.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from bonemet.curate.catalog import Catalog, load_catalog
from bonemet.curate.mentions import fold, inflections, normalize, term_pattern
from bonemet.namespaces import BASE, BME, PREFIXES, SOURCE
from bonemet.project import current

ENTITY_BASE, ONTOLOGY_BASE, SOURCE_BASE = str(BME), BASE, str(SOURCE)
STATEMENT_COLUMNS = ["id", "subject", "predicate", "object", "frequency", "source", "start", "end", "note"]
PROPOSAL_COLUMNS = STATEMENT_COLUMNS + ["status", "confidence"]
DEFAULT_MAX_SIZE = 100 * 1024 * 1024
DEFAULT_MIN_CONFIDENCE = 0.5

# Classes that can be what a statistic measures (the outcome), besides conditions.
OUTCOME_CLASSES = {"Condition", "ClinicalOutcome"}

# How far (characters) a trigger may lie outside the pair of mentions it links and still count.
TRIGGER_REACH = 0  # 0: a trigger must lie between the two mentions or in the list heading
# Characters below a section title after which each further stretch costs 0.1 confidence.
TITLE_REACH = 150
# Quote length kept either side of a TextQuoteSelector's exact text.
QUOTE_CONTEXT = 32

# The strength words of docs/curation.md, so that a proposal carries the frequency the text used.
# Longer cues first: "very rarely" must win over "rarely".
FREQUENCY_CUES = [
    ("most frequently", "MostOften"), ("most often", "MostOften"), ("most common", "MostOften"),
    ("less frequently", "LessOften"), ("less often", "LessOften"), ("less common", "LessOften"),
    ("very rarely", "VeryRarely"), ("rarely", "Rarely"), ("sometimes", "Sometimes"),
    ("as a rule", "Typically"), ("typically", "Typically"), ("mainly", "Typically"),
    ("often", "Often"), ("common", "Often"), ("can", "Possibly"), ("may", "Possibly"),
]


class AnnotateError(Exception):
    """A document cannot be annotated (missing, binary, not UTF-8, empty, too large)."""


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    entities: tuple[str, ...]  # several when one name belongs to several entities


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    heading_end: int | None = None  # a list item's passage starts with its heading; the heading ends here
    item_start: int | None = None   # ... and the item itself starts here; other items in between don't count
    cross_only: bool = False        # a sentence under a section title: only title-to-sentence pairs are new
    anaphor: bool = False           # a sentence opening with "it"/"they"/"this ..." joined with the one before

    def in_heading(self, start: int) -> bool:
        return self.heading_end is not None and start < self.heading_end

    def contains(self, start: int, end: int) -> bool:
        if self.heading_end is not None and self.item_start is not None:
            return (self.start <= start and end <= self.heading_end) or (self.item_start <= start and end <= self.end)
        return self.start <= start and end <= self.end


@dataclass(frozen=True)
class Trigger:
    property: str
    phrase: str
    passive: bool  # passive phrases ("caused by") name the object before the subject
    implied: bool = False  # only links a subject to a site implied by a compound name ("bone metastases")


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


# --------------------------------------------------------------------------- reading input


def read_document(path: Path, max_size: int = DEFAULT_MAX_SIZE) -> str:
    """The text of a UTF-8 document, or AnnotateError saying in one line why it cannot be used."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise AnnotateError(f"{path}: no such file") from None
    except OSError as exc:
        raise AnnotateError(f"{path}: cannot read ({exc.strerror})") from None
    if not path.is_file():
        raise AnnotateError(f"{path}: not a regular file")
    # Checked before reading, so a huge file never gets loaded into memory.
    if size > max_size:
        raise AnnotateError(f"{path}: {size} bytes, more than --max-size {max_size}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AnnotateError(f"{path}: cannot read ({exc.strerror})") from None
    if not data.strip():
        raise AnnotateError(f"{path}: empty document")
    # NUL bytes never occur in text; they mark images, archives, PDFs ...
    if b"\x00" in data[:65536]:
        raise AnnotateError(f"{path}: binary file, expected plain UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AnnotateError(f"{path}: not UTF-8 text (invalid byte at offset {exc.start})") from None
    return text


# --------------------------------------------------------------------------- mentions


@dataclass
class Lexicon:
    """Every entity name, indexed by the first three letters so that only plausible names are tried."""
    catalog: Catalog
    by_prefix: dict[str, list[tuple[re.Pattern[str], tuple[str, ...]]]] = field(default_factory=dict)

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> Lexicon:
        owners: dict[str, list[str]] = {}
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

    def class_of(self, entity_id: str) -> str:
        return self.catalog.entities[entity_id].cls


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


# --------------------------------------------------------------------------- passages

# Sentence ends: . ! ? followed by space and a capital, digit, quote or bullet. Abbreviations don't end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9\u2022])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "dr.", "vs.", "fig.", "approx.", "mr.", "mrs.", "ms.", "no.", "st.")
_BULLET = re.compile(r"^\s*(?:[\u2022\u25cf\u25aa*\-\u2013\u2014]|\d{1,2}[.)])\s+")
# A sentence that refers back: one of its first three words is a pronoun or "this/such/the" + a generic noun.
_ANAPHOR = re.compile(
    r"(?:\W*\w+[\s,]+){0,2}?\W*(?:it|its|they|them|their|this|these|such|the latter|the former"
    r"|the (?:disease|pathology|condition|syndrome|tumou?r|cancer|process|drug|method|procedure))(?!\w)",
    re.IGNORECASE)


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of one line, as offsets; leading/trailing whitespace excluded."""
    spans, begin = [], start
    for boundary in _SENTENCE_END.finditer(text, start, end):
        before = text[begin:boundary.start()].lower()
        if before.endswith(_ABBREVIATIONS):
            continue
        spans.append((begin, boundary.start()))
        begin = boundary.end()
    spans.append((begin, end))
    return [trimmed for s, e in spans if (trimmed := _trim(text, s, e))]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def split_passages(text: str) -> list[Passage]:
    """Sentences; list items joined with the line that introduces the list; sentences joined with their title.

    A list item alone rarely names its subject ("• lungs;"); the heading above it does
    ("Breast cancer spreads to:"), so the passage runs from the heading to the end of the item.
    Web pages likewise put the subject in a section title ("Symptoms of bone metastases?") and
    answer below it, so each sentence under a title also forms a passage with that title.
    """
    passages: list[Passage] = []
    heading: tuple[int, int] | None = None
    title: tuple[int, int] | None = None
    previous: tuple[int, int] | None = None  # the sentence before, for anaphors; None after a blank line
    offset = 0
    for line in text.splitlines(keepends=True):
        start, end = offset, offset + len(line)
        offset = end
        span = _trim(text, start, end)
        if span is None:
            previous = None
            continue
        bullet = _BULLET.match(text[span[0]:span[1]])
        sentences = split_sentences(text, *span)
        if not bullet:
            passages += anaphor_passages(text, sentences, previous)
            previous = sentences[-1]
        else:
            previous = None
        if bullet and heading is not None:
            # the item's first sentence belongs with the heading; further sentences stand alone
            first = sentences[0]
            passages.append(Passage(heading[0], first[1], heading_end=heading[1], item_start=first[0]))
            passages += [Passage(s, e) for s, e in sentences[1:]]
            continue
        passages += [Passage(s, e) for s, e in sentences]
        if bullet:
            continue
        if is_title(text, span, sentences):
            title = span
        elif title is not None:
            passages += [Passage(title[0], e, heading_end=title[1], item_start=s, cross_only=True)
                         for s, e in sentences]
        # the last sentence of a non-item line introduces whatever list follows
        heading = sentences[-1]
    return passages


def anaphor_passages(text: str, sentences: list[tuple[int, int]],
                     previous: tuple[int, int] | None) -> list[Passage]:
    """A sentence that refers back ("It causes ...", "These tumours spread ...") joined with the sentence before.

    Only pairs across the two sentences are new, and the earlier sentence contributes only its topic
    (its first mention), which is what "it"/"they"/"this disease" usually stands for.
    """
    out = []
    before: tuple[int, int] | None = None  # the sentence before previous, used when previous is very short
    for s, e in sentences:
        if previous is not None and _ANAPHOR.match(text, s, e):
            # a very short sentence in between ("A rare condition.") does not hide the topic before it
            begin = before[0] if before is not None and len(text[previous[0]:previous[1]].split()) <= 5 \
                else previous[0]
            out.append(Passage(begin, e, heading_end=previous[1], item_start=s, cross_only=True, anaphor=True))
        before, previous = previous, (s, e)
    return out


def is_title(text: str, span: tuple[int, int], sentences: list[tuple[int, int]]) -> bool:
    """A short one-sentence line that is a question or lacks a full stop: a section title."""
    line = text[span[0]:span[1]]
    return len(sentences) == 1 and len(line.split()) <= 12 and (line.endswith("?") or line[-1:].isalnum())


# --------------------------------------------------------------------------- triggers


def load_triggers(path: Path) -> list[Trigger]:
    """The trigger lexicon: property, phrase, order (active/passive)."""
    triggers = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            phrase = (row.get("phrase") or "").strip()
            prop = (row.get("property") or "").strip()
            if phrase and prop and not prop.startswith("#"):
                order = (row.get("order") or "").strip()
                triggers.append(Trigger(prop, phrase, order.endswith("passive"), order.startswith("implied")))
    return triggers


def trigger_pattern(phrase: str) -> re.Pattern[str]:
    """A trigger phrase as a pattern: whole words with their inflections; punctuation not inside a word."""
    if not any(ch.isalnum() for ch in phrase):
        # "-" or ":" as list notation ("Breast cancer - lungs"), never a hyphen inside a word
        p = re.escape(phrase)
        return re.compile(rf"(?<=\s){p}|{p}(?=\s)")
    words = phrase.split()
    # every content word may be inflected: "leads to", "led to" is not covered, "leading to" is
    # short function words ("a", "in", "to") stay as they are: "a" must not become "as"
    parts = ["(?:" + "|".join(re.escape(f) for f in inflections(w)) + ")" if w[-1:].isalpha() and len(w) > 3
             else re.escape(w) for w in words]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


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
            words = " ".join(entity.names[0].lower().split()).split() if entity.names else []
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
            if _gap(first.start, first.end, t_start, t_end) == 0 and first.end > t_start:
                continue
            if _gap(second.start, second.end, t_start, t_end) == 0 and second.start < t_end:
                continue
            for subj, obj, reversed_ in ((a, b, False), (b, a, True)):
                compound = ""
                if trigger.implied:
                    # "breast cancer with bone metastases": the statement is about the site in the name
                    compound = obj
                    obj = self.implied_sites.get(obj)
                    if obj is None:
                        continue
                if not self.fits(trigger.property, subj, obj):
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
            cancer = min(cancers, key=lambda m: _gap(m.start, m.end, figure.start(), figure.end()))
            outcome = min(outcomes, key=lambda m: _gap(m.start, m.end, figure.start(), figure.end()))
            distance = _gap(cancer.start, cancer.end, figure.start(), figure.end()) + \
                _gap(outcome.start, outcome.end, figure.start(), figure.end())
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


def _gap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(0, b_start - a_end, a_start - b_end)


def score_trigger(passage: Passage, first: Mention, second: Mention, t_start: int, t_end: int,
                  order_contradicts: bool) -> tuple[float, str]:
    """Confidence of a pair linked by a trigger, and why.

    * trigger between the two mentions: 0.9, minus 0.1 when the order contradicts the phrase
      (an active phrase names the subject first: "X causes Y"; a passive one the object: "Y caused by X");
    * trigger in the heading of a list item whose other mention is in the item: 0.7;
    * trigger elsewhere in the same passage, within TRIGGER_REACH characters of the pair: 0.6;
    then 0.1 less per 50 characters between the trigger and the mentions it links.
    """
    between = first.end <= t_start and t_end <= second.start
    order_penalty = 0.1 if order_contradicts else 0.0
    if passage.anaphor:
        # "X ... . It causes Y": the trigger must be in the referring sentence, before its mention
        if not (between and passage.item_start is not None and t_start >= passage.item_start):
            return 0.0, ""
        distance = (t_start - passage.item_start) + (second.start - t_end)
        base, how = 0.7 - order_penalty, "in the next sentence, which refers back to the first mention"
    elif between:
        distance = (t_start - first.end) + (second.start - t_end)
        base, how = 0.9 - order_penalty, "between the mentions"
    elif passage.heading_end is not None and t_end <= passage.heading_end and second.start >= passage.heading_end \
            and first.end <= passage.heading_end:
        # the heading names one end of the statement, the item the other; the heading's mention nearest
        # the trigger is the one the trigger is about ("Symptoms of X:", "Causes of Y:")
        distance = _gap(first.start, first.end, t_start, t_end)
        base, how = 0.7, "in the list heading"
        if passage.cross_only and passage.item_start is not None:
            # a section title speaks less for sentences far below it than for its first lines
            base -= 0.1 * ((passage.item_start - passage.heading_end) // TITLE_REACH)
            how = "in the section title"
    else:
        distance = min(abs(t_start - second.end), abs(first.start - t_end))
        if distance > TRIGGER_REACH:
            return 0.0, ""
        distance += second.start - first.end
        base, how = 0.6 - order_penalty, "next to the mentions"
    score = base - 0.1 * (distance // 50)
    return score, f"{how}, {distance} characters away"


def frequency_cue(text: str, passage: Passage) -> str:
    """The frequency qualifier the passage uses, by the curation rules, or empty."""
    lowered = text[passage.start:passage.end].lower()
    for phrase, value in FREQUENCY_CUES:
        if re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", lowered):
            return value
    return ""


def best_per_statement(candidates: list[Candidate], min_confidence: float) -> list[Candidate]:
    """One candidate per statement and passage: the best-supported, above the threshold."""
    best: dict[tuple, Candidate] = {}
    for c in candidates:
        key = (c.subject, c.predicate, c.object, c.passage.start, c.passage.end)
        if c.confidence >= min_confidence and (key not in best or c.confidence > best[key].confidence):
            best[key] = c
    return sorted(best.values(), key=lambda c: (c.passage.start, c.passage.end, c.subject, c.predicate, c.object))


# --------------------------------------------------------------------------- documents and sources


def identify_source(data_text: str, path: Path, catalog: Catalog) -> tuple[str, str]:
    """Our source id and IRI when the file is one of our sources (same file name), else the name and file IRI."""
    for source in catalog.sources.values():
        if source.file == path.name:
            return source.id, SOURCE_BASE + source.id
    return path.name, path.resolve().as_uri()


# --------------------------------------------------------------------------- renderers


def render_tsv(documents: list[Document]) -> str:
    """The curated statements format plus status and confidence; the reason goes into note."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
    writer.writerow(PROPOSAL_COLUMNS)
    for doc in documents:
        number = 0
        for c in doc.candidates:
            number += 1
            writer.writerow([f"{doc.source}-P{number:04d}", c.subject, c.predicate, c.object, c.frequency,
                             doc.source, c.passage.start, c.passage.end, _clean(c.reason), "proposed",
                             f"{c.confidence:.2f}"])
        for s in doc.statistics:
            number += 1
            # statistics share the table: predicate "statistic", the figure and unit in the note
            writer.writerow([f"{doc.source}-P{number:04d}", s.cancer, "statistic", s.measures, "", doc.source,
                             s.passage.start, s.passage.end,
                             _clean(f"figure {s.value} {s.unit} at {s.start}-{s.end}; {s.reason}"),
                             "proposed", f"{s.confidence:.2f}"])
    return out.getvalue()


def _clean(note: str) -> str:
    # a note must stay one TSV field
    return " ".join(note.replace("\t", " ").split())


def text_quote(text: str, start: int, end: int) -> dict:
    return {"@type": "oa:TextQuoteSelector", "oa:exact": text[start:end],
            "oa:prefix": text[max(0, start - QUOTE_CONTEXT):start], "oa:suffix": text[end:end + QUOTE_CONTEXT]}


def _target(doc: Document, start: int, end: int) -> dict:
    return {"@type": "oa:SpecificResource", "oa:hasSource": {"@id": doc.iri},
            "oa:hasSelector": [
                {"@type": "oa:TextPositionSelector",
                 "oa:start": {"@value": str(start), "@type": "xsd:nonNegativeInteger"},
                 "oa:end": {"@value": str(end), "@type": "xsd:nonNegativeInteger"}},
                text_quote(doc.text, start, end)]}


JSONLD_CONTEXT = {name: PREFIXES[name] for name in ("oa", "rdf", "rdfs", "xsd", "bonemet", "bme", "prov")}


def render_jsonld(documents: list[Document]) -> str:
    """W3C Web Annotations: one per mention (body: the entity) and one per candidate (body: the statement)."""
    graph = []
    for doc in documents:
        base = f"urn:bonemet:annotate:{_slug(doc.source)}:"
        for m in doc.mentions:
            graph.append({"@id": f"{base}mention-{m.start}-{m.end}", "@type": "oa:Annotation",
                          "oa:motivatedBy": {"@id": "oa:identifying"},
                          "oa:hasBody": [{"@id": ENTITY_BASE + e} for e in m.entities],
                          "oa:hasTarget": _target(doc, m.start, m.end)})
        for n, c in enumerate(doc.candidates, 1):
            body = {"@id": f"{base}statement-{n}", "@type": ["rdf:Statement", "bonemet:SourcedStatement"],
                    "rdf:subject": {"@id": ENTITY_BASE + c.subject},
                    "rdf:predicate": {"@id": ONTOLOGY_BASE + c.predicate},
                    "rdf:object": {"@id": ENTITY_BASE + c.object},
                    "prov:wasDerivedFrom": {"@id": doc.iri},
                    "rdfs:comment": f"proposed, confidence {c.confidence:.2f}: {c.reason}"}
            if c.frequency:
                body["bonemet:frequency"] = {"@id": ONTOLOGY_BASE + c.frequency}
            graph.append({"@id": f"{base}candidate-{n}", "@type": "oa:Annotation",
                          "oa:motivatedBy": {"@id": "oa:describing"}, "oa:hasBody": body,
                          "oa:hasTarget": _target(doc, c.passage.start, c.passage.end)})
        for n, s in enumerate(doc.statistics, 1):
            body = {"@id": f"{base}statistic-{n}", "@type": "bonemet:Statistic",
                    "bonemet:aboutCancer": {"@id": ENTITY_BASE + s.cancer},
                    "bonemet:measures": {"@id": ENTITY_BASE + s.measures},
                    "rdfs:comment": f"proposed, figure {s.value} {s.unit}, confidence {s.confidence:.2f}: {s.reason}"}
            graph.append({"@id": f"{base}statistic-annotation-{n}", "@type": "oa:Annotation",
                          "oa:motivatedBy": {"@id": "oa:describing"}, "oa:hasBody": body,
                          "oa:hasTarget": _target(doc, s.start, s.end)})
    return json.dumps({"@context": JSONLD_CONTEXT, "@graph": graph}, ensure_ascii=False, indent=1) + "\n"


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def render_html(documents: list[Document]) -> str:
    """A page per run: each document with its mentions highlighted, then its candidates as a table."""
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8"/>',
             "<title>bonemet annotate</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
             "<h1>Proposed annotations</h1>",
             "<p>Highlighted: entity mentions (hover for the entity). Numbered markers: passages supporting a "
             "candidate statement, listed below each document. Every row is a proposal for a curator.</p>"]
    for d_index, doc in enumerate(documents):
        parts.append(f"<section><h2>{html.escape(doc.name)} <small>(source {html.escape(doc.source)})</small></h2>")
        parts.append(_document_body(doc, f"d{d_index}"))
        parts.append(_candidate_table(doc, f"d{d_index}"))
        parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


_CSS = ("body{font-family:sans-serif;max-width:60em;margin:auto;padding:1em;line-height:1.5}"
        ".doc{white-space:pre-wrap;border:1px solid #ccc;padding:1em;background:#fafafa}"
        "mark{background:#fff3a0}mark.stat{background:#c8f0c8}sup.p{color:#a00;font-size:70%}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .4em;vertical-align:top}")


def _document_body(doc: Document, prefix: str) -> str:
    """The text with mentions and figures marked and an anchor where each candidate passage starts."""
    events: dict[int, list[str]] = {}
    passages = sorted({(c.passage.start, c.passage.end) for c in doc.candidates})
    for n, (start, _end) in enumerate(passages, 1):
        events.setdefault(start, []).append(f'<sup class="p" id="{prefix}-p{start}">[{n}]</sup>')
    spans = [(m.start, m.end, "", ", ".join(f"{e} ({_cls_note(e)})" for e in m.entities)) for m in doc.mentions]
    taken = [(m.start, m.end) for m in doc.mentions]
    for s in doc.statistics:
        if not any(a < s.end and s.start < b for a, b in taken):
            spans.append((s.start, s.end, "stat", f"figure: {s.value} {s.unit}"))
            taken.append((s.start, s.end))
    out, pos = [], 0
    for start, end, cls, title in sorted(spans):
        for at in sorted(k for k in events if pos <= k <= start):
            out.append(html.escape(doc.text[pos:at]))
            out += events.pop(at)
            pos = at
        out.append(html.escape(doc.text[pos:start]))
        klass = f' class="{cls}"' if cls else ""
        out.append(f'<mark{klass} title="{html.escape(title)}">{html.escape(doc.text[start:end])}</mark>')
        pos = end
    for at in sorted(k for k in events if k >= pos):
        out.append(html.escape(doc.text[pos:at]))
        out += events.pop(at)
        pos = at
    out.append(html.escape(doc.text[pos:]))
    return f'<div class="doc">{"".join(out)}</div>'


def _cls_note(entity_id: str) -> str:
    return entity_id  # the class is shown in the table; the title stays short


def _candidate_table(doc: Document, prefix: str) -> str:
    rows = ["<h3>Candidate statements</h3>", "<table>",
            "<tr><th>subject</th><th>predicate</th><th>object</th><th>frequency</th><th>confidence</th>"
            "<th>passage</th><th>reason</th></tr>"]
    for c in doc.candidates:
        quote = doc.text[c.passage.start:c.passage.end]
        rows.append("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in (c.subject, c.predicate, c.object,
                                                                          c.frequency, f"{c.confidence:.2f}"))
                    + f'<td><a href="#{prefix}-p{c.passage.start}">{c.passage.start}-{c.passage.end}</a>: '
                    f"{html.escape(_shorten(quote))}</td><td>{html.escape(c.reason)}</td></tr>")
    rows.append("</table>")
    rows += ["<h3>Candidate statistics</h3>", "<table>",
             "<tr><th>cancer</th><th>measures</th><th>figure</th><th>confidence</th><th>passage</th></tr>"]
    for s in doc.statistics:
        rows.append("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in (
            s.cancer, s.measures, f"{s.value} {s.unit}", f"{s.confidence:.2f}",
            _shorten(doc.text[s.passage.start:s.passage.end]))) + "</tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _shorten(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


RENDERERS = {"tsv": render_tsv, "jsonld": render_jsonld, "html": render_html}


# --------------------------------------------------------------------------- command line


def annotate_files(paths: list[Path], annotator: Annotator, max_size: int) -> list[Document]:
    """Read and annotate each file; the first unusable file stops everything with AnnotateError."""
    texts = [(path, read_document(path, max_size)) for path in paths]  # check all before working
    documents = []
    for path, text in texts:
        source, iri = identify_source(text, path, annotator.catalog)
        documents.append(annotator.annotate(text, path.name, source, iri))
    return documents
