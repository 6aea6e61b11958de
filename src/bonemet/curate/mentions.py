"""Does a text name an entity? The one matcher for the curation checks and for `bonemet annotate`.

The checks ask whether a statement's evidence passage names both of its ends; annotate looks for
the same names in new documents. Both must count the same forms as naming an entity, or annotate
proposes passages the checks reject (and the reverse), so both use `term_pattern`.

The rule is deliberately narrow, because a form that is too generous hides a passage that does
not name its entity: only the last word of a name is varied, only by English and Latin endings
the texts use (plurals, simple verb endings), and always as a whole word, so that "bone" never
matches in "boneyard" and "spine" never in "spineless".
"""

from __future__ import annotations

import re
from functools import cache

# Same length in and out, so that offsets found in folded text hold in the original.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_VOWELS = "aeiou"


def fold(text: str) -> str:
    """Typographic quotes and dashes as their ASCII forms, which is how the tables spell names.

    >>> fold("Kruckenberg\u2019s \u2013 type")
    "Kruckenberg's - type"
    """
    return text.translate(_FOLD)


def normalize(name: str) -> str:
    """A name as a lookup key: folded, lower case, single spaces.

    >>> normalize("  Bone\\n METASTASES ")
    'bone metastases'
    """
    return " ".join(fold(name).lower().split())


def inflections(word: str) -> list[str]:
    """The forms of a word the texts use, longest first so that a regex alternation prefers them.

    Each rule adds only an ending a real English or Latin word of its shape takes: "metastasis" becomes
    "metastases" but never "metastasises", "artery" "arteries" but never "arterys". A bare "e" or "ae"
    after any word ("bonee", "femurae") is no form at all and would only blur the check.

    >>> inflections("vertebra")
    ['vertebrae', 'vertebras', 'vertebra']
    >>> inflections("metastasis")
    ['metastases', 'metastasis']
    >>> inflections("metastasize")
    ['metastasizing', 'metastasized', 'metastasizes', 'metastasize']
    """
    word = word.lower()
    if not word[-1:].isalpha():
        return [word]  # "samarium-153", "site)": no ending fits after a digit or a bracket
    forms = {word}
    if word.endswith("is"):                     # Latin nouns: metastasis -> metastases
        forms.add(word[:-2] + "es")
    elif word.endswith("ae"):                   # vertebrae -> vertebra
        forms.add(word[:-1])
    elif word.endswith("a"):                    # vertebra -> vertebrae, vertebras
        forms |= {word + "e", word + "s"}
    elif len(word) > 3 and word.endswith("y") and word[-2] not in _VOWELS:
        forms |= {word[:-1] + "ies", word[:-1] + "ied", word + "ing"}  # artery -> arteries, carry -> carried
    elif word.endswith(("s", "x", "z", "sh")):  # mass -> masses, massed; focus -> foci
        forms |= {word + "es", word + "ed", word + "ing"} | ({word[:-2] + "i"} if word.endswith("us") else set())
    elif word.endswith("e"):                    # bone -> bones; metastasize -> metastasized, metastasizing
        forms |= {word + "s", word + "d", word[:-1] + "ing"}
    elif word[-1] not in _VOWELS:               # tumor -> tumors; spread -> spreading; reach -> reaches
        forms |= {word + "s", word + "ed", word + "ing"} | ({word + "es"} if word.endswith("ch") else set())
    else:                                       # other vowels ("echo", "ski"): the plain plural only
        forms.add(word + "s")
    return sorted(forms, key=lambda f: (-len(f), f))


@cache
def term_pattern(term: str) -> re.Pattern[str] | None:
    """Whole-word, case-insensitive pattern of a name, to run on `fold`ed text; None for a blank name.

    Any whitespace, line breaks included, may separate the words; the last word may take its inflections.
    """
    words = normalize(term).split(" ")
    if not words[-1]:
        return None
    *head, last = words
    body = "".join(re.escape(w) + r"\s+" for w in head) + "(?:" + "|".join(re.escape(f) for f in inflections(last)) + ")"
    return re.compile(r"(?<!\w)" + body + r"(?!\w)", re.IGNORECASE)


def mentions(passage: str, terms: list[str] | tuple[str, ...]) -> bool:
    """True when the passage names any of the terms."""
    text = fold(passage)
    return any(p.search(text) for p in map(term_pattern, terms) if p is not None)
