"""Every asserted statement and statistic carries its source and a passage that supports it."""

import pytest
from rdflib import RDF, Graph, URIRef

from bonemet.curate.checks import check_evidence, load_rows, load_rules, passage
from bonemet.curate.naming import Naming
from bonemet.curate.tables import split_ids
from bonemet.namespaces import BME, BONEMET, OA, PROV
from conftest import ROOT, have_sources

STATEMENTS, STATISTICS = load_rows(ROOT)
SOURCE_IDS = sorted({r["source"] for r in STATEMENTS + STATISTICS})


def test_every_source_contributes():
    assert SOURCE_IDS == ["000", "001", "002", "003", "004"]


def provenance_of(g: Graph, node: URIRef) -> tuple[URIRef, int, int]:
    doc = g.value(node, PROV.wasDerivedFrom)
    ev = g.value(node, BONEMET.evidence)
    sel = g.value(ev, OA.hasSelector)
    return doc, g.value(sel, OA.start).toPython(), g.value(sel, OA.end).toPython()


def test_every_asserted_statement_and_statistic_has_source_and_offsets(built):
    g = built.asserted
    nodes = list(g.subjects(RDF.type, BONEMET.SourcedStatement))
    nodes += [s for kind in ("Incidence", "Share", "Survival", "Time", "Rank", "Threshold")
              for s in g.subjects(RDF.type, BONEMET[kind + "Statistic"])]
    assert len(nodes) == len(STATEMENTS) + len(STATISTICS)
    for node in nodes:
        doc, start, end = provenance_of(g, node)
        assert g.value(doc, BONEMET.sha256) is not None, node
        assert isinstance(start, int) and isinstance(end, int) and start < end, node


def test_every_direct_triple_is_backed_by_a_statement(built):
    g = built.asserted
    for row in STATEMENTS:
        s, p, o = (BME[row["subject"]], BONEMET[row["predicate"]],
                   BME[row["object"]])
        assert (s, p, o) in g, row.where()


@pytest.mark.skipif(not have_sources(), reason="../shared/sources is not on this machine")
@pytest.mark.parametrize("source", SOURCE_IDS)
def test_passages_name_both_ends_by_their_own_names_or_a_declared_wording(source, catalog):
    """The heading, if cited, counts as part of the passage; a name shared by two entities never counts alone."""
    naming = Naming(catalog, load_rules(ROOT).wordings)
    failures, checked = [], 0
    for row in STATEMENTS + STATISTICS:
        if row["source"] != source:
            continue
        ev, problems = check_evidence(row, catalog)
        assert ev is not None and problems == [], problems
        text = passage(catalog, ev)
        ends = [row["subject"], row["object"]] if row["predicate"] else split_ids(row["cancer"])
        for end in ends:
            checked += 1
            problem = naming.problem(text, row["id"], catalog.entities[end])
            if problem:
                failures.append(f"{row.where()}: {problem}")
    assert failures == []
    assert checked >= 20
