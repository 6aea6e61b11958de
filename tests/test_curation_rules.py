"""The rules that keep a row's names and strength honest, each shown catching its kind of defect.

Review found rows that passed the evidence check only through loose synonyms, frequencies said of
other subjects, a heading's "typically" outside every span, and figures left in notes. Each case
below is a row of that kind and the rule that now reports it; its clean twin must pass.
"""

from dataclasses import replace
from pathlib import Path

import pytest

from bonemet.curate.checks import check_definition, check_evidence, check_hierarchy, load_rows, load_rules, passage
from bonemet.curate.naming import Naming, Wording
from bonemet.curate.strength import Strength
from bonemet.curate.tables import Row
from conftest import ROOT, have_sources

STATEMENTS, STATISTICS = load_rows(ROOT)
RULES = load_rules(ROOT)
HERE = Path("mappings/statements/900.tsv")


def row(**values: str) -> Row:
    base = {"id": "900-0001", "subject": "BoneMetastasis", "predicate": "hasComplication",
            "object": "Hypercalcemia", "frequency": "", "source": "900", "start": "0", "end": "100"}
    return Row(HERE, 2, {**base, **values})


def test_a_name_shared_by_two_entities_does_not_name_either(catalog):
    entities = dict(catalog.entities)
    entities["KidneyOrgan"] = replace(entities["KidneyOrgan"], alt_labels=["kidney cancer"])
    naming = Naming(replace(catalog, entities=entities), {})
    problem = naming.problem("Kidney cancer reaches the bones.", "900-0001", entities["KidneyCancer"])
    assert problem is not None and "shared with KidneyOrgan" in problem
    assert naming.problem("Renal cancer reaches the bones.", "900-0001", entities["KidneyCancer"]) is None


def test_a_wording_names_an_end_only_in_its_row_and_only_when_needed(catalog):
    kidney_cancer = catalog.entities["KidneyCancer"]
    wording = Wording("kidney", "a list of primary sites", row(id="900-0001"))
    naming = Naming(catalog, {("900-0001", "KidneyCancer"): wording})
    assert naming.problem("Cancer of the kidney spreads.", "900-0001", kidney_cancer) is None
    assert "does not mention" in (naming.problem("Cancer of the kidney spreads.", "900-0002", kidney_cancer) or "")
    assert "not needed" in (naming.problem("Kidney cancer spreads.", "900-0001", kidney_cancer) or "")
    assert "does not contain the wording" in (naming.problem("Thyroid cancer spreads.", "900-0001", kidney_cancer) or "")
    stale = Naming(catalog, {("900-0009", "KidneyCancer"): wording})
    assert len(stale.unused({"900-0001"})) == 1


def test_every_declared_wording_is_used_and_carries_a_note(catalog):
    naming = Naming(catalog, RULES.wordings)
    for r in STATEMENTS + STATISTICS:
        ev, _ = check_evidence(r, catalog)
        if ev is not None and have_sources():
            ends = [r["subject"], r["object"]] if r["predicate"] else r["cancer"].split("|")
            for end in filter(None, ends):
                naming.problem(passage(catalog, ev) or "", r["id"], catalog.entities[end])
    if have_sources():
        assert naming.unused({r["id"] for r in STATEMENTS + STATISTICS}) == []
    assert len(RULES.wordings) >= 100
    assert all(len(w.note.split()) >= 4 for w in RULES.wordings.values())


# (defect, the row, its passage, words the report must contain) — and the clean twin of each.
STRENGTH_CASES = {
    "frequency without a cue": (row(frequency="Typically"), "Bone metastases cause hypercalcemia.", "no cue"),
    "frequency on a hierarchy link": (
        row(subject="OsteolyticLesion", predicate="subtypeOf", object="BoneMetastasis", frequency="Rarely"),
        "Pure osteolytic bone metastases are rare.", "has no frequency"),
    "a minority grade its source contradicts": (
        row(id="900-0002", subject="Cancer", predicate="metastasizesTo", object="Skeleton", frequency="LessOften"),
        "Other cancers spread to bone less often.", "contradicts row 900-0003"),
    "a figure left in the note": (row(), "In a third of patients bone metastases cause hypercalcemia.",
                                  "quantifies 'Hypercalcemia' in statistic 900-0901"),
    "a statistic of something else": (row(statistic="900-0902"), "Bone metastases cause hypercalcemia.",
                                      "measures 'Pain'"),
}
CLEAN_CASES = {
    "frequency without a cue": (row(frequency="Typically"), "Bone metastases typically cause hypercalcemia."),
    "frequency on a hierarchy link": (
        row(subject="OsteolyticLesion", predicate="subtypeOf", object="BoneMetastasis"), "A type of bone metastasis."),
    "a minority grade its source contradicts": (
        row(id="900-0002", subject="ColonCancer", predicate="metastasizesTo", object="Skeleton", frequency="LessOften"),
        "Colon cancer spreads to bone less often."),
    "a figure left in the note": (row(statistic="900-0901"), "In a third of patients bone metastases cause hypercalcemia."),
    "a statistic of something else": (row(statistic="-"), "Bone metastases cause hypercalcemia."),
}
CONTEXT_ROWS = [row(id="900-0003", subject="Cancer", predicate="metastasizesTo", object="Skeleton")]
CONTEXT_STATISTICS = [
    Row(HERE, 3, {"id": "900-0901", "source": "900", "measures": "Hypercalcemia", "start": "0", "end": "60"}),
    Row(HERE, 4, {"id": "900-0902", "source": "900", "measures": "Pain", "start": "500", "end": "560"}),
]


def test_strength_cases_cover_every_rule():
    assert len(STRENGTH_CASES) == len(CLEAN_CASES) == 5


@pytest.mark.parametrize("defect", sorted(STRENGTH_CASES))
def test_each_strength_rule_reports_its_defect_and_passes_its_clean_twin(defect):
    strength = Strength(RULES.cues, CONTEXT_ROWS + [STRENGTH_CASES[defect][0]], CONTEXT_STATISTICS)
    bad, text, words = STRENGTH_CASES[defect]
    problems = strength.problems(bad, text, 0, 100)
    assert len(problems) == 1 and words in problems[0], problems
    good, text = CLEAN_CASES[defect]
    assert strength.problems(good, text, 0, 100) == []


@pytest.mark.skipif(not have_sources(), reason="../shared/sources is not on this machine")
def test_the_table_heading_carries_typically_for_the_37_rows_of_source_003s_table(catalog):
    """Without its heading the row's 'typically' has no support; with it, the check sees the cue."""
    table = [r for r in STATEMENTS if r["heading_start"] == "2961"]
    assert len(table) == 37 and {r["frequency"] for r in table} == {"Typically"}
    strength = Strength(RULES.cues, STATEMENTS, STATISTICS)
    for r in table:
        ev, _ = check_evidence(r, catalog)
        assert ev is not None and ev.heading == (2961, 3044)
        assert strength.problems(r, passage(catalog, ev) or "", ev.start, ev.end) == []
        bare = passage(catalog, replace(ev, heading=None)) or ""
        assert any("no cue" in p for p in strength.problems(r, bare, ev.start, ev.end)), r["id"]


INFLUENCE_PROPERTIES = {"guidesTreatmentOf": 18, "affectsOccurrenceOf": 26, "affectsOutcome": 15}
# Rows that fit none of the three meanings; docs/curation.md says why for each.
GENERIC_INFLUENCES = {"003-0083"}


def test_influences_rows_use_one_of_its_three_meanings():
    by_property = {p: [r["id"] for r in STATEMENTS if r["predicate"] == p] for p in INFLUENCE_PROPERTIES}
    assert {p: len(ids) for p, ids in by_property.items() if len(ids) < INFLUENCE_PROPERTIES[p]} == {}
    assert {r["id"] for r in STATEMENTS if r["predicate"] == "influences"} == GENERIC_INFLUENCES
    curation = (ROOT / "docs" / "curation.md").read_text(encoding="utf-8")
    assert all(i in curation for i in GENERIC_INFLUENCES)


def test_every_hierarchy_link_is_stated_by_a_source_or_curated_with_its_reason(catalog):
    assert check_hierarchy(catalog, STATEMENTS, RULES.curated) == []
    assert len(RULES.curated) >= 80
    bases = {r["basis"] for r in RULES.curated}
    assert bases == {"FromTheName", "GeneralAnatomy", "GeneralMedicine"}
    # a curator adds a link to entities.tsv and says nothing: the check names it
    entities = dict(catalog.entities)
    entities["Liver"] = replace(entities["Liver"], part_of=["Skeleton"])
    problems = check_hierarchy(replace(catalog, entities=entities), STATEMENTS, RULES.curated)
    assert len(problems) == 1 and "Liver partOf Skeleton comes from no source" in problems[0]
    # a curated row for a link a source states is refused: the source wins
    stated = next(r for r in STATEMENTS if r["predicate"] == "subtypeOf")
    row = Row(HERE, 9, {"subject": stated["subject"], "predicate": "subtypeOf", "object": stated["object"],
                        "basis": "FromTheName", "rationale": "twice"})
    assert any("a source states" in p for p in check_hierarchy(catalog, STATEMENTS, RULES.curated + [row]))


def test_every_definition_names_its_passage_or_says_it_only_identifies_the_term(catalog):
    assert [p for e in catalog.entities.values() for p in check_definition(e, catalog)] == []
    sourced = [e for e in catalog.entities.values() if e.row["definition_source"] not in ("", "-")]
    assert len(sourced) >= 55
    ent = catalog.entities["Bisphosphonate"]
    unsaid = replace(ent, row=Row(ent.row.path, ent.row.line, {**ent.row.values, "definition_source": ""}))
    assert "say where the definition" in check_definition(unsaid, catalog)[0]
