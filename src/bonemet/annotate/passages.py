"""Which stretch of text may one statement come from? The passages of `bonemet annotate`.

A statement proposed from two mentions is only as good as the reason to believe they are about each
other. A sentence is the safe unit, but the texts often name one end outside it: in the heading that
introduces a list, in a section title, or in the sentence before one that says "it" or "they". Each of
those gets its own passage, marked so that the candidate stage pairs only across the join.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


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

