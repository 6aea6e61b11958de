"""What makes two mentions a statement? The trigger phrases and their scores.

Classes that fit a property's domain and range say only that a statement is possible; the text has
to say it, and mappings/triggers.tsv lists the wording that does. How far a trigger lies from the
mentions it links, and whether their order fits the phrase, is all the evidence a proposal carries,
so the score and its reason are built in one place, readable by the curator who judges them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from bonemet.annotate.lexicon import Mention
from bonemet.annotate.passages import Passage
from bonemet.curate.mentions import inflections

# How far (characters) a trigger may lie outside the pair of mentions it links and still count.
TRIGGER_REACH = 0  # 0: a trigger must lie between the two mentions or in the list heading
# Characters below a section title after which each further stretch costs 0.1 confidence.
TITLE_REACH = 150

# The strength words of docs/curation.md, so that a proposal carries the frequency the text used.
# Longer cues first: "very rarely" must win over "rarely".
FREQUENCY_CUES = [
    ("most frequently", "MostOften"), ("most often", "MostOften"), ("most common", "MostOften"),
    ("less frequently", "LessOften"), ("less often", "LessOften"), ("less common", "LessOften"),
    ("very rarely", "VeryRarely"), ("rarely", "Rarely"), ("sometimes", "Sometimes"),
    ("as a rule", "Typically"), ("typically", "Typically"), ("mainly", "Typically"),
    ("often", "Often"), ("common", "Often"), ("can", "Possibly"), ("may", "Possibly"),
]


@dataclass(frozen=True)
class Trigger:
    property: str
    phrase: str
    passive: bool  # passive phrases ("caused by") name the object before the subject
    implied: bool = False  # only links a subject to a site implied by a compound name ("bone metastases")


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


def gap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
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
        distance = gap(first.start, first.end, t_start, t_end)
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

