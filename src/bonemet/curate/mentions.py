"""Does a passage mention an entity? Label and synonym matching, tolerant of plurals.

Used to check that each statement's evidence passage names both of its ends.
"""

from __future__ import annotations

import re
from functools import cache

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).lower()


@cache
def term_pattern(term: str) -> re.Pattern[str]:
    words = normalize(term).strip().split(" ")
    body = r"\s+".join(re.escape(w) for w in words)
    # plural and simple inflections of the last word: bone/bones, vertebra/vertebrae
    return re.compile(r"(?<![\w])" + body + r"(?:s|es|e|ae)?(?![\w])")


def mentions(passage: str, terms: list[str] | tuple[str, ...]) -> bool:
    """True when the passage contains any of the terms as whole words."""
    text = normalize(passage)
    return any(term_pattern(t).search(text) for t in terms if t.strip())
