"""Competency questions: each queries/*.rq has its expected answer in the .tsv beside it."""

from pathlib import Path

import pytest

from bonemet.sparql import run_compact
from conftest import ROOT

# A question that needs patient records says so on its second line; tests/test_fhir_import.py runs it
# over the built graph plus imported records.
NEEDS_RECORDS = "# Data: patient records"
QUERIES = sorted(q for q in (ROOT / "queries").glob("*.rq")
                 if NEEDS_RECORDS not in q.read_text(encoding="utf-8").splitlines()[1])


def test_at_least_30_questions():
    assert len(QUERIES) >= 30
    assert len(list((ROOT / "queries").glob("*.rq"))) - len(QUERIES) == 1   # cq38 needs records


def read_expected(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    variables = [v.lstrip("?") for v in lines[0].split("\t")]
    rows = sorted(tuple(line.split("\t")) for line in lines[1:] if line.strip())
    return variables, rows


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_competency_question(query, union):
    variables, rows = run_compact(union, query.read_text(encoding="utf-8"))
    expected_vars, expected_rows = read_expected(query.with_suffix(".tsv"))
    assert variables == expected_vars
    assert rows, "a competency question must have an answer"
    assert rows == expected_rows
