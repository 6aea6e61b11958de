"""Reading and checking the curated TSV tables in mappings/.

Every problem is reported as `file:line: message`, so a curator can go straight to it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path


class TableError(Exception):
    """A curated table has a row that cannot be used."""


@dataclass
class Row:
    path: Path
    line: int
    values: dict[str, str]

    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "") or ""


def read_table(path: Path, required: list[str]) -> list[Row]:
    """Rows of a tab-separated table whose header must contain `required` columns."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TableError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise TableError(f"{path}: cannot read ({exc.strerror})") from None
    lines = text.splitlines()
    if not lines:
        raise TableError(f"{path}:1: empty table, expected a header row")
    header = lines[0].split("\t")
    missing = [c for c in required if c not in header]
    if missing:
        raise TableError(f"{path}:1: header lacks column(s) {', '.join(missing)}")
    rows = []
    for number, values in enumerate(csv.reader(lines[1:], delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
        if not values or all(not v.strip() for v in values) or values[0].startswith("#"):
            continue
        if len(values) > len(header):
            raise TableError(f"{path}:{number}: {len(values)} fields but the header has {len(header)}")
        rows.append(Row(path, number, {h: v.strip() for h, v in zip(header, values)}))
    return rows


def as_int(row: Row, column: str) -> int:
    raw = row[column]
    try:
        return int(raw)
    except ValueError:
        raise TableError(f"{row.where()}: column '{column}' must be an integer, got {raw!r}") from None


def as_decimal(row: Row, column: str) -> Decimal:
    raw = row[column]
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise TableError(f"{row.where()}: column '{column}' must be a number, got {raw!r}") from None
    if not value.is_finite():
        raise TableError(f"{row.where()}: column '{column}' must be a finite number, got {raw!r}")
    return value


def split_ids(raw: str) -> list[str]:
    return [p.strip() for p in raw.split("|") if p.strip()]
