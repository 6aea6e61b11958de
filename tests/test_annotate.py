"""`bonemet annotate`: mentions, candidates, statistics, the three outputs and bad input.

All texts are written for these tests; none is taken from the source documents.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import xml.dom.minidom
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace

from bonemet.annotate.candidates import Annotator
from bonemet.annotate.lexicon import find_mentions
from bonemet.annotate.passages import split_passages
from bonemet.annotate.render import PROPOSAL_COLUMNS, render_html, render_jsonld, render_tsv
from bonemet.annotate.triggers import load_triggers
from bonemet.curate.sources import load_source
from conftest import ROOT as PROJECT_ROOT

OA = Namespace("http://www.w3.org/ns/oa#")
CLI = [sys.executable, "-c", "from bonemet.annotate.command import command; command()"]


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    return Annotator.load(PROJECT_ROOT, min_confidence=0.0)


def entities_found(annotator: Annotator, text: str) -> list[tuple[str, str]]:
    return [(m.text, m.entities[0]) for m in find_mentions(text, annotator.lexicon)]


def annotate(annotator: Annotator, text: str):
    return annotator.annotate(text, "test.txt", "test", "urn:test")


def statements(annotator: Annotator, text: str) -> set[tuple[str, str, str]]:
    return {(c.subject, c.predicate, c.object) for c in annotate(annotator, text).candidates}


# ------------------------------------------------------------------ mentions


def test_mentions_tolerate_case_and_plurals(annotator):
    found = entities_found(annotator, "BREAST CANCERS rarely reach the Vertebra; several metastases appeared.")
    assert ("BREAST CANCERS", "BreastCancer") in found
    assert ("Vertebra", "Spine") in found
    assert ("metastases", "Metastasis") in found


def test_mentions_tolerate_verb_endings(annotator):
    found = entities_found(annotator, "The tumour metastasizes early and metastasized again.")
    assert [e for t, e in found if t.startswith("metastasi")] == ["Metastasis", "Metastasis"]


def test_mentions_carry_character_offsets(annotator):
    text = "Seen in the \u201cfemur\u201d and the femurs."
    for mention in find_mentions(text, annotator.lexicon):
        assert text[mention.start:mention.end] == mention.text
    assert [m.text for m in find_mentions(text, annotator.lexicon)] == ["femur", "femurs"]


def test_no_match_inside_longer_words(annotator):
    # "bone", "lung" and "spine" hide inside these words and must not be found
    found = entities_found(annotator, "A boneyard, a lungfish and a backbones-free spineless toy.")
    assert all(e not in ("Skeleton", "LungCancer", "Spine") for _, e in found), found


def test_overlapping_labels_resolved_to_the_longest(annotator):
    found = entities_found(annotator, "Bone metastases of the thoracic spine were treated.")
    assert ("Bone metastases", "BoneMetastasis") in found
    assert ("thoracic spine", "ThoracicSpine") in found
    assert all(e not in ("Skeleton", "Metastasis", "Spine") for _, e in found)


# ------------------------------------------------------------------ passages


def test_list_items_are_joined_with_their_heading():
    text = "Our example heading names melanoma:\n  \u2022 first item;\n  \u2022 second item.\n"
    passages = split_passages(text)
    items = [p for p in passages if p.heading_end is not None]
    assert len(items) == 2
    assert all(text[p.start:p.heading_end] == "Our example heading names melanoma:" for p in items)
    assert text[items[1].item_start:items[1].end] == "\u2022 second item."
    # the first item's words are not part of the second item's passage
    assert not items[1].contains(text.index("first"), text.index("first") + 5)


def test_sentences_split_but_not_at_abbreviations():
    text = "Drugs, e.g. Clodronate, help. A second sentence follows."
    spans = [text[p.start:p.end] for p in split_passages(text)]
    assert spans == ["Drugs, e.g. Clodronate, help.", "A second sentence follows."]


# ------------------------------------------------------------------ candidates: one case per trigger family

TRIGGER_CASES = {
    "metastasizesTo": ("Melanoma can spread to the skull.", ("Melanoma", "Skull")),
    "spreadsVia": ("A metastasis travels via hematogenous dissemination.", ("Metastasis", "HematogenousRoute")),
    "occursIn": ("A pathological fracture is found in the femur.", ("PathologicalFracture", "Femur")),
    "causes": ("Bone destruction causes hypercalcemia.", ("BoneDestruction", "Hypercalcemia")),
    "hasComplication": ("Hypercalcemia is complicated by dehydration.", ("Hypercalcemia", "Dehydration")),
    "hasSymptom": ("Hypercalcemia presents with constipation.", ("Hypercalcemia", "Constipation")),
    "affectsSystem": ("Hypercalcemia upsets the functioning of the nervous system.", ("Hypercalcemia", "NervousSystem")),
    "stimulates": ("Hypercalcemia stimulates osteoclasts.", ("Hypercalcemia", "Osteoclast")),
    "inhibits": ("Pamidronate inhibits osteoclasts.", ("Pamidronate", "Osteoclast")),
    "impairs": ("Chemotherapy damages cancer cells.", ("Chemotherapy", "CancerCell")),
    "participatesIn": ("Osteoclasts are responsible for bone resorption.", ("Osteoclast", "BoneResorption")),
    "disrupts": ("Bone metastasis disturbs bone remodeling.", ("BoneMetastasis", "BoneRemodeling")),
    "involvesProcess": ("Hypercalcemia comes about through bone resorption.", ("Hypercalcemia", "BoneResorption")),
    "treats": ("Bone metastasis is treated with chemotherapy.", ("Chemotherapy", "BoneMetastasis")),
    "relieves": ("Chemotherapy can alleviate back pain.", ("Chemotherapy", "BackPain")),
    "indicatedFor": ("Osteosynthesis is indicated for a pathological fracture.", ("Osteosynthesis", "PathologicalFracture")),
    "prevents": ("Bisphosphonates prevent pathological fractures.", ("Bisphosphonate", "PathologicalFracture")),
    "detects": ("Magnetic resonance imaging can detect spinal metastases.", ("MagneticResonanceImaging", "SpinalMetastasis")),
    "usesAgent": ("Drug therapy using pamidronate was given.", ("DrugTherapy", "Pamidronate")),
    "memberOf": ("Bisphosphonates such as clodronate were given.", ("Clodronate", "Bisphosphonate")),
    "subtypeOf": ("An osteolytic lesion is a kind of bone metastasis.", ("OsteolyticLesion", "BoneMetastasis")),
    "partOf": ("The lumbar spine is part of the spine.", ("LumbarSpine", "Spine")),
    "combinedWith": ("Chemotherapy combined with hormone therapy was given.", ("Chemotherapy", "HormoneTherapy")),
    "increasesRiskOf": ("Minor trauma increases the risk of a pathological fracture.", ("MinorTrauma", "PathologicalFracture")),
    "reducesRiskOf": ("Early detection reduces the risk of death.", ("EarlyDetection", "Death")),
    "doesNotIncreaseRiskOf": ("A biopsy does not increase metastasis.", ("Biopsy", "Metastasis")),
    "affectsOccurrenceOf": ("Relapse depends on tumor stage.", ("TumorStage", "Relapse")),
    "affectsOutcome": ("Survival depends on patient age.", ("PatientAge", "Survival")),
    "guidesTreatmentOf": ("Patient age is considered in the treatment of bone metastasis.", ("PatientAge", "BoneMetastasis")),
    "managedBy": ("Bone metastasis is managed by a tumor board.", ("BoneMetastasis", "TumorBoard")),
}


def test_every_trigger_property_has_a_case():
    properties = {t.property for t in load_triggers(PROJECT_ROOT / "mappings" / "triggers.tsv")}
    assert properties == set(TRIGGER_CASES)


@pytest.mark.parametrize("prop", sorted(TRIGGER_CASES))
def test_trigger_family_proposes_its_statement(annotator, prop):
    text, (subject, obj) = TRIGGER_CASES[prop]
    found = statements(annotator, text)
    assert (subject, prop, obj) in found, found


def test_candidate_carries_passage_confidence_and_reason(annotator):
    text = "An aside. Melanoma can spread to the skull. Another aside."
    doc = annotate(annotator, text)
    [cand] = [c for c in doc.candidates if c.predicate == "metastasizesTo"]
    assert text[cand.passage.start:cand.passage.end] == "Melanoma can spread to the skull."
    assert 0 < cand.confidence <= 1
    assert "spread to" in cand.reason and "characters" in cand.reason
    assert cand.frequency == "Possibly"  # "can", by the curation rules


def test_no_candidate_without_a_trigger(annotator):
    assert statements(annotator, "Melanoma and the skull were both on the list.") == set()


def test_wrong_classes_give_no_candidate(annotator):
    # a trigger between two sites: no property takes a site as subject and a site as object with it
    assert ("Skull", "metastasizesTo", "Femur") not in statements(annotator, "The skull can spread to the femur.")


def test_list_item_pairs_with_its_heading(annotator):
    text = "Where melanoma tends to spread to:\n  \u2022 the skull;\n  \u2022 the femur.\n"
    found = statements(annotator, text)
    assert {("Melanoma", "metastasizesTo", "Skull"), ("Melanoma", "metastasizesTo", "Femur")} <= found


def test_statistic_near_cancer_and_outcome(annotator):
    doc = annotate(annotator, "Among people with prostate cancer, bone metastasis is seen in about 65% of cases.")
    [stat] = doc.statistics
    assert (stat.cancer, stat.measures, stat.value, stat.unit) == ("ProstateCancer", "BoneMetastasis", "65", "Percent")


def test_statistic_needs_a_unit(annotator):
    assert annotate(annotator, "Prostate cancer and bone metastasis were seen in 65 cases.").statistics == []


# ------------------------------------------------------------------ outputs

SAMPLE = ("What spreads where?\nMelanoma can spread to the skull & the femur <b>.\n"
          "Bone destruction causes hypercalcemia in 20% of melanoma patients.\n")


@pytest.fixture(scope="module")
def sample_doc(annotator):
    return annotate(annotator, SAMPLE)


def test_tsv_has_curated_columns_plus_status_and_confidence(sample_doc):
    curated_header = (PROJECT_ROOT / "mappings" / "statements" / "000.tsv").read_text(encoding="utf-8").splitlines()[0]
    rows = list(csv.reader(io.StringIO(render_tsv([sample_doc])), delimiter="\t"))
    assert rows[0] == curated_header.split("\t") + ["status", "confidence"] == PROPOSAL_COLUMNS
    assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows)
    for row in rows[1:]:
        record = dict(zip(rows[0], row))
        assert record["status"] == "proposed"
        assert 0 <= float(record["confidence"]) <= 1
        assert int(record["start"]) < int(record["end"]) <= len(SAMPLE)
        assert record["note"]
    assert any(r[1:4] == ["Melanoma", "metastasizesTo", "Skull"] for r in rows)


def test_jsonld_is_web_annotations(sample_doc):
    graph = Graph().parse(data=render_jsonld([sample_doc]), format="json-ld")
    annotations = set(graph.subjects(RDF.type, OA.Annotation))
    assert len(annotations) == len(sample_doc.mentions) + len(sample_doc.candidates) + len(sample_doc.statistics)
    for annotation in annotations:
        target = graph.value(annotation, OA.hasTarget)
        assert (target, RDF.type, OA.SpecificResource) in graph
        selectors = list(graph.objects(target, OA.hasSelector))
        kinds = {graph.value(s, RDF.type) for s in selectors}
        assert kinds == {OA.TextPositionSelector, OA.TextQuoteSelector}
        position = next(s for s in selectors if graph.value(s, RDF.type) == OA.TextPositionSelector)
        quote = next(s for s in selectors if graph.value(s, RDF.type) == OA.TextQuoteSelector)
        start, end = int(graph.value(position, OA.start)), int(graph.value(position, OA.end))
        assert str(graph.value(quote, OA.exact)) == SAMPLE[start:end]
        assert SAMPLE[:start].endswith(str(graph.value(quote, OA.prefix)))
        assert SAMPLE[end:].startswith(str(graph.value(quote, OA.suffix)))
        assert graph.value(annotation, OA.hasBody) is not None
    skull = "https://w3id.org/bonemet/entity/Skull"
    assert any(str(b) == skull for b in graph.objects(None, OA.hasBody))


def test_html_is_well_formed_and_escaped(sample_doc):
    page = render_html([sample_doc])
    xml.dom.minidom.parseString(page.replace("<!DOCTYPE html>", ""))  # raises when not well-formed
    texts: list[str] = []

    class Collect(HTMLParser):
        def handle_data(self, data):
            texts.append(data)

    Collect().feed(page)
    assert "<b>" not in page and "&lt;b&gt;" in page
    assert "skull" in "".join(texts) and "metastasizesTo" in "".join(texts)
    assert page.count("<mark") == page.count("</mark>") >= len(sample_doc.mentions)


# ------------------------------------------------------------------ command line and bad input


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT)


def test_cli_writes_each_format(tmp_path):
    doc = tmp_path / "note.txt"
    doc.write_text("Melanoma can spread to the skull.\n", encoding="utf-8")
    for fmt in ("tsv", "jsonld", "html"):
        out = tmp_path / f"out.{fmt}"
        result = run_cli(str(doc), "--format", fmt, "--output", str(out))
        assert result.returncode == 0, result.stderr
        assert "Skull" in out.read_text(encoding="utf-8")
    result = run_cli(str(doc))
    assert result.returncode == 0 and result.stdout.startswith("id\tsubject")
    json.loads(run_cli(str(doc), "--format", "jsonld").stdout)


def _bad_inputs(tmp_path: Path) -> dict[str, list[str]]:
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("M\xe9tastases osseuses".encode("latin-1"))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    big = tmp_path / "big.txt"
    big.write_text("bone " * 1000, encoding="utf-8")
    return {
        "binary": [str(binary)],
        "not utf-8": [str(latin1)],
        "empty": [str(empty)],
        "too large": [str(big), "--max-size", "100"],
        "missing": [str(tmp_path / "nowhere.txt")],
        "directory": [str(tmp_path)],
    }


@pytest.mark.parametrize("case", ["binary", "not utf-8", "empty", "too large", "missing", "directory"])
def test_bad_input_one_line_exit_2(tmp_path, case):
    args = _bad_inputs(tmp_path)[case]
    result = run_cli(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert Path(args[0]).name in lines[0]
    assert result.stdout == ""


def test_registered_as_a_bonemet_command():
    run = subprocess.run([sys.executable, "-m", "bonemet.cli", "annotate", "--help"], capture_output=True, text=True)
    assert run.returncode == 0 and "--format" in run.stdout


# ------------------------------------------------------------------ rules beyond one sentence


def test_anaphor_pairs_the_previous_sentence_topic(annotator):
    text = "Hypercalcemia worried the melanoma team. It presents with constipation."
    found = statements(annotator, text)
    assert ("Hypercalcemia", "hasSymptom", "Constipation") in found
    # only the earlier sentence's first mention stands for "it"
    assert ("Melanoma", "hasSymptom", "Constipation") not in found


def test_anaphor_skips_a_very_short_sentence(annotator):
    text = "Hypercalcemia. A serious state. It presents with constipation."
    assert ("Hypercalcemia", "hasSymptom", "Constipation") in statements(annotator, text)


def test_no_pair_across_sentences_without_anaphor(annotator):
    text = "Hypercalcemia worried the team. Patients present with constipation."
    assert ("Hypercalcemia", "hasSymptom", "Constipation") not in statements(annotator, text)


def test_compound_name_implies_the_site(annotator):
    assert annotator.implied_sites["BoneMetastasis"] == "Skeleton"
    doc = annotate(annotator, "Patients had bone metastases from melanoma.")
    [cand] = [c for c in doc.candidates if c.predicate == "metastasizesTo"]
    assert (cand.subject, cand.object) == ("Melanoma", "Skeleton")
    assert "implied" in cand.reason


def test_implied_phrase_needs_a_compound_name(annotator):
    # "from" links a cancer to a site only through a name such as "bone metastases"
    found = statements(annotator, "The skull from melanoma was shown.")
    assert not any(p == "metastasizesTo" for _, p, _ in found), found


def test_heading_trigger_needs_a_mention_in_the_heading(annotator):
    text = "Typical symptoms:\n  \u2022 hypercalcemia with constipation;\n"
    found = statements(annotator, text)
    assert ("Hypercalcemia", "hasSymptom", "Constipation") not in found


def test_title_counts_less_far_below(annotator):
    filler = "Nothing else is named in this line of filler text. " * 4
    text = f"Symptoms of hypercalcemia\nConstipation is usual.\n{filler}\nNausea is usual.\n"
    doc = annotate(annotator, text)
    near = [c for c in doc.candidates if c.object == "Constipation" and "title" in c.reason]
    far = [c for c in doc.candidates if c.object == "Nausea" and "title" in c.reason]
    assert near and far and far[0].confidence < near[0].confidence


def test_benchmark_runs_and_reports_its_ceiling(annotator, tmp_path):
    """The benchmark is one command; it needs the five source documents (skipped without them)."""
    if any(load_source(s.file) is None for s in annotator.catalog.sources.values()):
        pytest.skip("the source documents are not on this machine")
    out = tmp_path / "bench.md"
    done = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "bench_annotate.py"), "--output", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = out.read_text(encoding="utf-8")
    for section in ("## Overall", "## Per source", "## Per property", "## Other thresholds", "## Ceiling"):
        assert section in report
