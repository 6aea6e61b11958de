#!/usr/bin/env python3
"""Curator's aid: print the character offsets of a passage in a source document.

    scripts/find_passage.py 002 "first words of the passage" ["last words"] [--from OFFSET]

Offsets are code points, 0-based, end exclusive: paste them into the start/end columns.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from bonemet.curate.catalog import load_catalog  # noqa: E402
from bonemet.curate.sources import load_source  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", help="source id, e.g. 002")
    ap.add_argument("first", help="exact words the passage starts with")
    ap.add_argument("last", nargs="?", help="exact words the passage ends with (default: same as first)")
    ap.add_argument("--from", dest="offset", type=int, default=0, help="search from this offset")
    args = ap.parse_args()
    src = load_catalog().sources.get(args.source)
    text = load_source(src.file) if src else None
    if text is None:
        print(f"source {args.source} not found", file=sys.stderr)
        return 2
    start = text.text.find(args.first, args.offset)
    if start < 0:
        print("start phrase not found", file=sys.stderr)
        return 1
    last = args.last or args.first
    end_at = text.text.find(last, start)
    if end_at < 0:
        print("end phrase not found after start", file=sys.stderr)
        return 1
    end = end_at + len(last)
    print(f"{start}\t{end}\n---\n{text.text[start:end]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
