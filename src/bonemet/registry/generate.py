"""Synthetic patient registries in the bonemet record layer, for tests and benchmarks.

The data is random and carries no medical meaning: category weights are arbitrary and
only make the mixture uneven, as real registries are. A chosen fraction of patients gets
exactly one defect, drawn from DEFECTS, each of which a record shape must catch.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import TextIO

B = "https://w3id.org/bonemet/"
E = B + "entity/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

PRIMARIES = {"BreastCancer": 30, "ProstateCancer": 25, "LungCancer": 20, "KidneyCancer": 8,
             "ThyroidCancer": 5, "Melanoma": 4, "BladderCancer": 3, "ColorectalCancer": 3, "RenalCellCarcinoma": 2}
SITES = {"ThoracicSpine": 20, "LumbarSpine": 15, "CervicalSpine": 5, "Pelvis": 15, "Femur": 12, "ProximalFemur": 6,
         "Ribs": 10, "Skull": 5, "Humerus": 5, "Sternum": 3, "Ilium": 2, "Spine": 2}
LESIONS = {"OsteolyticLesion": 45, "OsteoblasticLesion": 25, "MixedLesion": 30}
COMPLICATIONS = {"PathologicalFracture": 40, "SpinalCordCompression": 20, "Hypercalcemia": 25, "Paralysis": 5,
                 "NerveCompression": 10}
TREATMENTS = {"RadiationTherapy": 30, "Bisphosphonate": 25, "Surgery": 10, "Chemotherapy": 15, "HormoneTherapy": 10,
              "RadionuclideTherapy": 5, "PainRelief": 5}
DEFECTS = ["no-primary", "two-primaries", "site-not-skeletal", "lesion-not-ours", "complication-before-metastasis",
           "negative-survival", "date-not-xsd-date", "identifying-name", "no-site"]


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def iri(local: str) -> str:
    return f"<{local}>"


def lit(value: str, datatype: str | None = None) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"^^<{XSD}{datatype}>' if datatype else f'"{escaped}"'


def patient_triples(n: int, rng: random.Random, base: str, defect: str | None) -> Iterator[tuple[str, str, str]]:
    """N-Triples terms for one patient record (and its defect, if any)."""
    p = f"{base}patient/{n}"
    pt, prop = iri(p), lambda name: iri(B + name)
    yield pt, iri(RDF_TYPE), prop("Patient")
    yield pt, prop("pseudonym"), lit(f"P{n:07d}")
    if defect == "identifying-name":
        yield pt, iri("http://xmlns.com/foaf/0.1/name"), lit(f"Person {n}")
    primaries = 0 if defect == "no-primary" else 2 if defect == "two-primaries" else 1
    for k in range(primaries):
        t = iri(f"{p}/tumour/{k}")
        yield pt, prop("hasPrimaryTumour"), t
        yield t, iri(RDF_TYPE), prop("PrimaryTumour")
        yield t, prop("cancerType"), iri(E + _pick(rng, PRIMARIES))
    first = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
    mets = []
    for k in range(rng.choice((1, 1, 1, 2, 2, 3))):
        m = iri(f"{p}/metastasis/{k}")
        detected = first + timedelta(days=rng.randrange(0, 400) if k else 0)
        mets.append((m, detected))
        yield pt, prop("hasBoneMetastasis"), m
        yield m, iri(RDF_TYPE), prop("BoneMetastasisRecord")
        if not (defect == "no-site" and k == 0):
            site = "Liver" if defect == "site-not-skeletal" and k == 0 else _pick(rng, SITES)
            yield m, prop("site"), iri(E + site)
        lesion = "Hypercalcemia" if defect == "lesion-not-ours" and k == 0 else _pick(rng, LESIONS)
        yield m, prop("lesionType"), iri(E + lesion)
        yield m, prop("dateDetected"), (lit(detected.strftime("%d/%m/%Y")) if defect == "date-not-xsd-date" and k == 0
                                        else lit(detected.isoformat(), "date"))
    events = rng.choice((0, 0, 1, 1, 2)) or (1 if defect == "complication-before-metastasis" else 0)
    for k in range(events):
        c = iri(f"{p}/complication/{k}")
        m, detected = rng.choice(mets)
        when = detected - timedelta(days=30) if defect == "complication-before-metastasis" and k == 0 \
            else detected + timedelta(days=rng.randrange(0, 700))
        yield pt, prop("hasComplicationEvent"), c
        yield c, iri(RDF_TYPE), prop("ComplicationEvent")
        yield c, prop("complicationType"), iri(E + _pick(rng, COMPLICATIONS))
        yield c, prop("eventDate"), lit(when.isoformat(), "date")
        yield c, prop("follows"), m
    for k in range(rng.choice((1, 1, 2, 2, 3))):
        t = iri(f"{p}/treatment/{k}")
        start = first + timedelta(days=rng.randrange(0, 200))
        yield pt, prop("receivedTreatment"), t
        yield t, iri(RDF_TYPE), prop("TreatmentEpisode")
        yield t, prop("treatmentGiven"), iri(E + _pick(rng, TREATMENTS))
        yield t, prop("startDate"), lit(start.isoformat(), "date")
        yield t, prop("endDate"), lit((start + timedelta(days=rng.randrange(1, 120))).isoformat(), "date")
    s = iri(f"{p}/survival")
    months = -3.0 if defect == "negative-survival" else round(rng.uniform(0.5, 96), 1)
    yield pt, prop("hasSurvival"), s
    yield s, iri(RDF_TYPE), prop("SurvivalRecord")
    yield s, prop("survivalMonths"), lit(f"{months}", "decimal")
    yield s, prop("censored"), lit("true" if rng.random() < 0.3 else "false", "boolean")


def generate(out: TextIO, *, patients: int, seed: int, invalid_fraction: float = 0.0,
             base: str = "http://example.org/registry/") -> dict[str, int]:
    """Write a registry as N-Triples; returns counts (patients, triples, defects by kind)."""
    rng = random.Random(seed)
    counts = {"patients": patients, "triples": 0} | {f"defect:{d}": 0 for d in DEFECTS}
    for n in range(patients):
        defect = rng.choice(DEFECTS) if rng.random() < invalid_fraction else None
        if defect:
            counts[f"defect:{defect}"] += 1
        lines = [f"{s} {p} {o} .\n" for s, p, o in patient_triples(n, rng, base, defect)]
        out.writelines(lines)
        counts["triples"] += len(lines)
    return counts
