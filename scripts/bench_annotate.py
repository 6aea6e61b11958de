"""Measure `bonemet annotate` against our own curation and write docs/annotate-benchmark.md.

Runs the annotator over the five source documents and compares with mappings/statements/*.tsv:

* statements — a candidate matches a curated row when subject, predicate, object and source are
  equal and the two passages overlap (share at least one character). Recall: share of curated rows
  matched by some candidate. Precision: share of candidates that match some curated row.
* mentions — a curated row's subject (object) counts as found when a mention of that entity
  overlaps the row's passage. Recall: found ends / all ends (two per row).

Usage: .venv/bin/python scripts/bench_annotate.py [--min-confidence X] [--output docs/annotate-benchmark.md]
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bonemet.annotate.candidates import DEFAULT_MIN_CONFIDENCE, Annotator  # noqa: E402
from bonemet.annotate.documents import SOURCE_BASE  # noqa: E402
from bonemet.annotate.passages import Passage, split_passages  # noqa: E402
from bonemet.curate.sources import load_source  # noqa: E402
from bonemet.curate.tables import read_table  # noqa: E402

STATEMENT_COLUMNS = ["id", "subject", "predicate", "object", "source", "start", "end"]
SWEEP = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def curated_rows(root: Path) -> list[dict]:
    rows = []
    for path in sorted((root / "mappings" / "statements").glob("*.tsv")):
        for row in read_table(path, STATEMENT_COLUMNS):
            rows.append({k: row[k] for k in STATEMENT_COLUMNS} | {"start": int(row["start"]), "end": int(row["end"])})
    return rows


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def annotate_sources(annotator: Annotator) -> dict:
    documents = {}
    for sid, source in sorted(annotator.catalog.sources.items()):
        text = load_source(source.file)
        if text is None:
            sys.exit(f"bench_annotate: source {sid} ({source.file}) is not on this machine")
        documents[sid] = annotator.annotate(text.text, source.file, sid, SOURCE_BASE + sid)
    return documents


def score(documents: dict, curated: list[dict], min_confidence: float) -> dict:
    """Recall and precision of the candidates at or above min_confidence.

    The documents were annotated with no threshold; each statement and passage kept its best
    candidate, so dropping those below the threshold equals annotating with it.
    """
    index = defaultdict(list)
    for row in curated:
        index[(row["subject"], row["predicate"], row["object"], row["source"])].append(row)
    matched_rows: set[str] = set()
    candidate_hits = defaultdict(lambda: [0, 0])  # (source|property) -> [matching candidates, all candidates]
    for sid, doc in documents.items():
        for c in (c for c in doc.candidates if c.confidence >= min_confidence):
            hits = [r for r in index[(c.subject, c.predicate, c.object, sid)]
                    if overlaps(c.passage.start, c.passage.end, r["start"], r["end"])]
            matched_rows.update(r["id"] for r in hits)
            for key in (("source", sid), ("property", c.predicate), ("all", "")):
                candidate_hits[key][1] += 1
                candidate_hits[key][0] += bool(hits)
    row_hits = defaultdict(lambda: [0, 0])  # key -> [matched rows, all rows]
    ends_hits = defaultdict(lambda: [0, 0])
    for row in curated:
        doc = documents[row["source"]]
        for key in (("source", row["source"]), ("property", row["predicate"]), ("all", "")):
            row_hits[key][1] += 1
            row_hits[key][0] += row["id"] in matched_rows
        for end in (row["subject"], row["object"]):
            found = any(end in m.entities and overlaps(m.start, m.end, row["start"], row["end"])
                        for m in doc.mentions)
            for key in (("source", row["source"]), ("all", "")):
                ends_hits[key][1] += 1
                ends_hits[key][0] += found
    return {"rows": row_hits, "candidates": candidate_hits, "ends": ends_hits, "matched": matched_rows}


def ceiling(annotator: Annotator, documents: dict, curated: list[dict]) -> list[tuple[str, int, int, int]]:
    """What any trigger lexicon could reach: curated rows whose two ends are mentioned in one passage.

    For each way of cutting passages: (passages, curated rows within reach, distinct class-fitting
    statements a lexicon would have to choose from, all rows).
    """
    properties = sorted({row["predicate"] for row in curated})
    signatures = {p: annotator.catalog.domain_range(p) for p in properties}
    annotator.signatures.update(signatures)  # fits() needs every curated property, with or without triggers
    cuts = {}
    for sid, doc in documents.items():
        own = split_passages(doc.text)
        sentences = [p for p in own if p.heading_end is None]
        pairs = [Passage(a.start, b.end) for a, b in zip(sentences, sentences[1:]) if b.start - a.end < 5]
        lines, offset = [], 0
        for line in doc.text.splitlines(keepends=True):
            if line.strip():
                lines.append(Passage(offset, offset + len(line)))
            offset += len(line)
        for name, passages in (("the annotator's passages", own),
                               ("... and two adjacent sentences", own + pairs),
                               ("... and whole paragraphs", own + pairs + lines)):
            cuts.setdefault(name, {})[sid] = passages
    out = []
    for name, by_source in cuts.items():
        reach: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
        for sid, passages in by_source.items():
            mentions = documents[sid].mentions
            for passage in passages:
                inside = [m for m in mentions if passage.contains(m.start, m.end)]
                for i, first in enumerate(inside):
                    for second in inside[i + 1:]:
                        for a in first.entities:
                            for b in second.entities:
                                for subj, obj in ((a, b), (b, a)):
                                    for prop in properties:
                                        if annotator.fits(prop, subj, obj):
                                            reach[(subj, prop, obj, sid)].append((passage.start, passage.end))
        within = sum(any(overlaps(s, e, row["start"], row["end"])
                         for s, e in reach.get((row["subject"], row["predicate"], row["object"], row["source"]), ()))
                     for row in curated)
        out.append((name, within, len(reach), len(curated)))
    return out


def pct(pair) -> str:
    hit, total = pair
    return f"{100 * hit / total:.1f}% ({hit}/{total})" if total else "–"


def ratio(pair) -> float:
    return pair[0] / pair[1] if pair[1] else 0.0


def met_statements(rows, cands) -> bool:
    return ratio(rows[("all", "")]) >= 0.8 and ratio(cands[("all", "")]) >= 0.6


def report(result: dict, min_confidence: float, sweep: list[tuple[float, dict]], limits: list) -> str:
    rows, cands, ends = result["rows"], result["candidates"], result["ends"]
    lines = [
        "# `bonemet annotate` benchmark",
        "",
        f"Generated by `scripts/bench_annotate.py` on {datetime.date.today().isoformat()}, "
        f"minimum confidence {min_confidence}. The annotator ran over the five source documents and its "
        "proposals were compared with the statements curated by hand in `mappings/statements/*.tsv`.",
        "",
        "## Rules",
        "",
        "* **Statement match**: a candidate matches a curated row when subject, predicate, object and source "
        "are equal and the two passages overlap (share at least one character).",
        "* **Statement recall**: curated rows matched by at least one candidate / all curated rows.",
        "* **Statement precision**: candidates matching at least one curated row / all candidates. A proposal "
        "that is true but was never curated counts against precision, so this is a lower bound.",
        "* **Mention recall**: a curated row's subject (object) is found when a mention of that entity "
        "overlaps the row's passage; found ends / all ends (two per row).",
        "",
        "Targets: statement recall ≥ 80 % at precision ≥ 60 %; mention recall ≥ 95 %.",
        "",
        "## Overall",
        "",
        "| measure | value |",
        "|---|---|",
        f"| statement recall | {pct(rows[('all', '')])} |",
        f"| statement precision | {pct(cands[('all', '')])} |",
        f"| mention recall | {pct(ends[('all', '')])} |",
        "",
        f"Targets met: statements {'yes' if met_statements(rows, cands) else 'no'}, "
        f"mentions {'yes' if ratio(ends[('all', '')]) >= 0.95 else 'no'}.",
        "",
        "## Per source",
        "",
        "| source | statement recall | statement precision | mention recall |",
        "|---|---|---|---|",
    ]
    for sid in sorted(k for kind, k in rows if kind == "source"):
        lines.append(f"| {sid} | {pct(rows[('source', sid)])} | {pct(cands[('source', sid)])} | "
                     f"{pct(ends[('source', sid)])} |")
    lines += ["", "## Per property", "", "| property | recall | precision |", "|---|---|---|"]
    props = sorted({k for kind, k in rows if kind == "property"} | {k for kind, k in cands if kind == "property"})
    for prop in props:
        lines.append(f"| {prop} | {pct(rows[('property', prop)])} | {pct(cands[('property', prop)])} |")
    lines += ["", "## Other thresholds", "",
              "The same run at other `--min-confidence` values: a curator who reviews more proposals finds more.", "",
              "| minimum confidence | statement recall | statement precision |", "|---|---|---|"]
    for threshold, other in sweep:
        lines.append(f"| {threshold} | {pct(other['rows'][('all', '')])} | {pct(other['candidates'][('all', '')])} |")
    lines += ["", "## Ceiling", "",
              "How many curated rows any trigger lexicon could reach at all: rows whose subject and object are both "
              "mentioned in one passage, in an order and with classes that fit the row's property, and how many "
              "distinct class-fitting statements such passages offer to choose from.", "",
              "| passages | curated rows within reach | class-fitting statements to choose from |", "|---|---|---|"]
    for name, within, offered, total in limits:
        lines.append(f"| {name} | {pct((within, total))} | {offered} |")
    lines += ["", "Many curated rows paraphrase across sentences (\"these tumours ... the bone\") or name an end only "
              "through the document's topic, so even a perfect choice among the annotator's own passages stays "
              "below the 80 % recall target; at paragraph scale the rows are within reach but hidden among about "
              "25 times as many class-fitting pairs.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "annotate-benchmark.md")
    parser.add_argument("--misses", action="store_true", help="print the curated rows no candidate matched")
    args = parser.parse_args(argv)
    annotator = Annotator.load(ROOT, min_confidence=0.0)
    curated = curated_rows(ROOT)
    documents = annotate_sources(annotator)
    result = score(documents, curated, args.min_confidence)
    sweep = [(t, score(documents, curated, t)) for t in SWEEP]
    limits = ceiling(annotator, documents, curated)
    text = report(result, args.min_confidence, sweep, limits)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    if args.misses:
        for row in curated:
            if row["id"] not in result["matched"]:
                passage = documents[row["source"]].text[row["start"]:row["end"]]
                print(row["id"], row["subject"], row["predicate"], row["object"], "|", " ".join(passage.split())[:200])
    return 0


if __name__ == "__main__":
    sys.exit(main())
