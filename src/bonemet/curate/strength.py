"""Does a row keep the strength its passage gives, attached to what the passage says it of?

Three ways a frequency went wrong in review, each a rule here: a frequency word with no cue for
it in the cited text (the cue sat in a heading outside the span); a frequency on a hierarchy link
("pure types are rare" read as "osteolytic lesions are rarely metastases"); a "less often" or
"rarely" said of other, unnamed cancers put on the generic entity that stands for all of them, which
shows as a row its own source also states without restriction. A fourth keeps figures: a plain row
whose passage holds a statistic of its outcome links to it (a threshold statistic measures what must
pass the level, which need not be an end of the row).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

from bonemet.curate.tables import Row, TableError, split_ids

CUE_COLUMNS = ("frequency", "cue", "note")
HIERARCHY = {"subtypeOf", "partOf"}
# Grades that say "fewer than the others"; the same source stating the same link unrestricted contradicts them.
MINORITY = {"LessOften", "Rarely", "VeryRarely"}
NONE = "-"  # a statistic cell reviewed and left empty: the figure in the passage does not quantify the row


def load_cues(path: Path) -> dict[str, re.Pattern[str]]:
    """Frequency word -> the pattern of its cues (regular expressions starting at a word boundary)."""
    cues: dict[str, list[str]] = defaultdict(list)
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
                if set(CUE_COLUMNS) - set(row):
                    raise TableError(f"{path}:1: header needs {', '.join(CUE_COLUMNS)}")
                try:
                    re.compile(row["cue"])
                except re.error as exc:
                    raise TableError(f"{path}:{number}: cue {row['cue']!r} is not a regular expression ({exc})") from None
                cues[row["frequency"]].append(row["cue"])
    except OSError as exc:
        raise TableError(f"{path}: cannot read ({exc.strerror})") from None
    return {f: re.compile(r"(?<!\w)(?:" + "|".join(c) + ")", re.IGNORECASE) for f, c in cues.items()}


class Strength:
    def __init__(self, cues: dict[str, re.Pattern[str]], statements: list[Row], statistics: list[Row]):
        self.cues = cues
        self.statistics = {row["id"]: row for row in statistics}
        self.unrestricted: dict[tuple[str, ...], str] = {}
        for row in statements:
            if row["frequency"] not in MINORITY:
                self.unrestricted.setdefault(_link(row), row["id"])

    def problems(self, row: Row, text: str, start: int, end: int) -> list[str]:
        where, freq, pred = row.where(), row["frequency"], row["predicate"]
        problems = []
        if freq and freq not in self.cues:
            problems.append(f"{where}: frequency '{freq}' has no cues in mappings/frequency_cues.tsv")
        elif freq and not self.cues[freq].search(text):
            problems.append(f"{where}: the cited text has no cue for '{freq}' (mappings/frequency_cues.tsv); "
                            "if a heading gives it, cite the heading in heading_start/heading_end")
        if freq and pred in HIERARCHY:
            problems.append(f"{where}: a {pred} link has no frequency; how often a kind occurs is a row of its own")
        if freq in MINORITY and _link(row) in self.unrestricted:
            problems.append(f"{where}: '{freq}' contradicts row {self.unrestricted[_link(row)]} of the same source, "
                            f"which states the link without restriction; is '{freq}' said of other subjects?")
        linked = split_ids(row["statistic"])
        for sid in linked:
            stat = self.statistics.get(sid) if sid != NONE else None
            if sid != NONE and (stat is None or stat["source"] != row["source"]):
                problems.append(f"{where}: statistic '{sid}' is not a statistic row of source {row['source']}")
            elif stat is not None and stat["kind"] != "Threshold" and stat["measures"] not in (row["subject"], row["object"]):
                problems.append(f"{where}: statistic '{sid}' measures '{stat['measures']}', not an end of this row")
        if not freq and not linked:
            for stat in self.statistics.values():
                if (stat["source"] == row["source"] and stat["measures"] == row["object"]
                        and _overlaps(stat, start, end)):
                    problems.append(f"{where}: its passage quantifies '{row['object']}' in statistic {stat['id']}; "
                                    f"link it in column 'statistic' (or '{NONE}' when the figure is not this row's)")
                    break
        return problems


def _link(row: Row) -> tuple[str, ...]:
    return row["source"], row["subject"], row["predicate"], row["object"]


def _overlaps(stat: Row, start: int, end: int) -> bool:
    try:
        return int(stat["start"]) < end and start < int(stat["end"])
    except ValueError:
        return False  # the statistic's own check reports its offsets
