"""mCODE resources -> record-layer RDF (Patient, PrimaryTumour, BoneMetastasisRecord, ComplicationEvent,
TreatmentEpisode, SurvivalRecord), each node `prov:wasDerivedFrom` the FHIR resource it came from.

What our layer cannot hold, or a code no table maps, goes to the report (bonemet.fhir.report) with
its reason; nothing is guessed. Patients are known only by a pseudonym: a digest of the base and the
resource id, so the same patient gets the same IRI in every import with the same --base, and no name,
identifier, address or birth date is read at all.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rdflib import RDF, XSD, Graph, Literal, URIRef

from bonemet.fhir.codes import CodeTables, Match
from bonemet.fhir.parse import Bundle, Resource
from bonemet.fhir.report import Report
from bonemet.namespaces import BME, BONEMET, FHIR_ASSERTED_DATE, FHIR_CONDITION_RELATED, MCODE_PROFILE, PROV

PRIMARY = MCODE_PROFILE + "mcode-primary-cancer-condition"
SECONDARY = MCODE_PROFILE + "mcode-secondary-cancer-condition"
RADIOTHERAPY = MCODE_PROFILE + "mcode-radiotherapy-course-summary"
READ_TYPES = {"Patient", "Condition", "Procedure", "MedicationRequest", "MedicationAdministration", "Medication"}
NOT_HAPPENED = {"entered-in-error", "refuted", "not-done", "cancelled"}
FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
DAYS_PER_MONTH = 365.25 / 12


def digest(*parts: str, length: int = 16) -> str:
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:length]


def codings(concept: Any) -> list[dict[str, Any]]:
    return [c for c in (concept or {}).get("coding") or [] if isinstance(c, dict)]


def first_date(*values: Any) -> tuple[date | None, str | None]:
    """The first value given, as a date if it is a full one; else (None, the partial value or None)."""
    for value in values:
        if value:
            text = str(value)
            return (date.fromisoformat(text[:10]), None) if FULL_DATE.match(text) else (None, text)
    return None, None


def extension(resource: dict[str, Any], url: str) -> dict[str, Any] | None:
    return next((e for e in resource.get("extension") or [] if e.get("url") == url), None)


@dataclass
class PatientRecords:
    node: URIRef
    resource: Resource
    primaries: list[tuple[Resource, Match, date | None]] = field(default_factory=list)
    metastases: dict[str, tuple[URIRef, date, str | None]] = field(default_factory=dict)  # key -> node, date, primary
    seen_condition: bool = False


class Importer:
    """Maps bundles one by one into one graph; `report` collects what could not be mapped."""

    def __init__(self, tables: CodeTables, base: str):
        self.tables, self.base = tables, base
        self.graph, self.report = Graph(), Report()
        self.graph.bind("bonemet", str(BONEMET))
        self.graph.bind("bme", str(BME))
        self.graph.bind("prov", str(PROV))

    # -- helpers -------------------------------------------------------------------------------------------
    def _source(self, res: Resource) -> URIRef:
        # A resource without an absolute fullUrl is named Type/id, resolved against --base.
        return URIRef(res.source_iri or f"{self.base}fhir/{res.key}")

    def _node(self, patient: PatientRecords, kind: str, res: Resource, cls: URIRef) -> URIRef:
        node = URIRef(f"{patient.node}/{kind}/{digest(self.base, res.key, length=12)}")
        self.graph.add((node, RDF.type, cls))
        self.graph.add((node, PROV.wasDerivedFrom, self._source(res)))
        self.report.records[str(cls).rsplit("/", 1)[-1]] += 1
        return node

    def _unmapped(self, bundle: Bundle, res: Resource, element: str, reason: str, concept: Any = None) -> None:
        found: list[dict[str, Any] | None] = list(codings(concept))
        for coding in found or [None]:
            text = (concept or {}).get("text") if not found else None
            self.report.add(str(bundle.path), res.key, element, reason + (f" (text: {text})" if text else ""), coding)

    def _patient_of(self, bundle: Bundle, res: Resource, patients: dict[str, PatientRecords]) -> PatientRecords | None:
        subject = bundle.resolve(res.data.get("subject") or res.data.get("patient"), res, f"{res.type}.subject")
        if subject is None or subject.key not in patients:
            self._unmapped(bundle, res, f"{res.type}.subject", "no subject Patient in the bundle: not imported")
            return None
        return patients[subject.key]

    def _date(self, bundle: Bundle, res: Resource, element: str, *values: Any) -> date | None:
        when, partial = first_date(*values)
        if when is None:
            self._unmapped(bundle, res, element, f"no full date ({partial or 'none given'}); the record layer needs "
                                                 "an xsd:date: not imported")
        return when

    # -- bundles ------------------------------------------------------------------------------------------------
    def add(self, bundle: Bundle) -> None:
        self.report.files.append(str(bundle.path))
        patients: dict[str, PatientRecords] = {}
        for res in bundle.resources:
            if res.type not in READ_TYPES:
                self.report.ignored[res.type] += 1
            elif res.type == "Patient":
                pseudonym = "P-" + digest(self.base, res.key)
                node = URIRef(f"{self.base}patient/{pseudonym}")
                self.graph.add((node, RDF.type, BONEMET.Patient))
                self.graph.add((node, BONEMET.pseudonym, Literal(pseudonym)))
                self.graph.add((node, PROV.wasDerivedFrom, self._source(res)))
                self.report.records["Patient"] += 1
                patients[res.key] = PatientRecords(node, res)
        conditions = [r for r in bundle.resources if r.type == "Condition"]
        # Metastases before complications, so that a complication can follow a metastasis already mapped.
        for res in sorted(conditions, key=lambda r: self._condition_kind(r) != "secondary"):
            self._condition(bundle, res, patients)
        for res in bundle.resources:
            if res.type in ("Procedure", "MedicationRequest", "MedicationAdministration"):
                self._treatment(bundle, res, patients)
        for patient in patients.values():
            self._primary(bundle, patient)
            self._survival(bundle, patient)

    def _condition_kind(self, res: Resource) -> str:
        profiles = res.profiles()
        roles = [self.tables.role(c.get("system", ""), c.get("code", "")) for c in codings(res.data.get("code"))]
        role = next((r[0] for r in roles if r), None)
        if PRIMARY in profiles:
            return "primary"
        if SECONDARY in profiles or role == "bone-metastasis":
            return "secondary"
        return "complication" if role == "complication" else "other"

    def _condition(self, bundle: Bundle, res: Resource, patients: dict[str, PatientRecords]) -> None:
        patient = self._patient_of(bundle, res, patients)
        if patient is None:
            return
        data, kind = res.data, self._condition_kind(res)
        status = {c.get("code") for c in codings(data.get("verificationStatus"))}
        if status & NOT_HAPPENED:
            self._unmapped(bundle, res, "Condition.verificationStatus", "entered in error or refuted: not imported",
                           data.get("verificationStatus"))
            return
        when_values = (data.get("onsetDateTime"), (data.get("onsetPeriod") or {}).get("start"),
                       (extension(data, FHIR_ASSERTED_DATE) or {}).get("valueDateTime"), data.get("recordedDate"))
        if kind == "primary":
            patient.seen_condition = True
            match = next((m for c in codings(data.get("code")) if (m := self.tables.cancer(c.get("system", ""),
                                                                                            c.get("code", "")))), None)
            if match is None:
                self._unmapped(bundle, res, "Condition.code", "no cancer of ours for this code in the ICD-10-CM / "
                               "ICD-10 SSSOM sets (other systems are not mapped)", data.get("code"))
                return
            patient.primaries.append((res, match, first_date(*when_values)[0]))
        elif kind == "secondary":
            self._metastasis(bundle, res, patient, when_values)
        elif kind == "complication":
            self._complication(bundle, res, patient, when_values)
        else:
            self._unmapped(bundle, res, "Condition.code", "no complication or bone metastasis of ours for this code "
                           "(mappings/fhir_codes.tsv)", data.get("code"))

    def _metastasis(self, bundle: Bundle, res: Resource, patient: PatientRecords, when_values: tuple) -> None:
        data = res.data
        role = next((r for c in codings(data.get("code")) if (r := self.tables.role(c.get("system", ""), c.get("code", "")))
                     and r[0] == "bone-metastasis"), None)
        if role is None:
            self._unmapped(bundle, res, "Condition.code", "a metastasis outside bone, or a code not in "
                           "mappings/fhir_codes.tsv: the record layer holds bone metastases only", data.get("code"))
            return
        related = extension(data, FHIR_CONDITION_RELATED)
        primary = bundle.resolve((related or {}).get("valueReference"), res, "relatedPrimaryCancerCondition")
        when = self._date(bundle, res, "Condition.onset[x]", *when_values)
        if when is None:
            return
        sites: list[str] = []
        for concept in data.get("bodySite") or []:
            found = [m for c in codings(concept) if (m := self.tables.site(c.get("system", ""), c.get("code", "")))]
            if found:
                sites.append(found[0].entity)
            else:
                self._unmapped(bundle, res, "Condition.bodySite", "no skeletal site of ours for this body structure "
                               "(mappings/fhir_body_sites.tsv)", concept)
        node = self._node(patient, "metastasis", res, BONEMET.BoneMetastasisRecord)
        for site in sites or [role[1].entity]:
            self.graph.add((node, BONEMET.site, BME[site]))
        self.graph.add((node, BONEMET.dateDetected, Literal(when.isoformat(), datatype=XSD.date)))
        self.graph.add((patient.node, BONEMET.hasBoneMetastasis, node))
        patient.metastases[res.key] = (node, when, primary.key if primary else None)

    def _complication(self, bundle: Bundle, res: Resource, patient: PatientRecords, when_values: tuple) -> None:
        data = res.data
        match = next((r[1] for c in codings(data.get("code")) if (r := self.tables.role(c.get("system", ""),
                                                                                         c.get("code", "")))), None)
        related = extension(data, FHIR_CONDITION_RELATED)
        follows = bundle.resolve((related or {}).get("valueReference"), res, "condition-related")
        when = self._date(bundle, res, "Condition.onset[x]", *when_values)
        if when is None or match is None:
            return
        node = self._node(patient, "complication", res, BONEMET.ComplicationEvent)
        self.graph.add((node, BONEMET.complicationType, BME[match.entity]))
        self.graph.add((node, BONEMET.eventDate, Literal(when.isoformat(), datatype=XSD.date)))
        if follows is not None and follows.key in patient.metastases:
            self.graph.add((node, BONEMET.follows, patient.metastases[follows.key][0]))
        self.graph.add((patient.node, BONEMET.hasComplicationEvent, node))

    def _treatment(self, bundle: Bundle, res: Resource, patients: dict[str, PatientRecords]) -> None:
        patient = self._patient_of(bundle, res, patients)
        if patient is None:
            return
        data = res.data
        if data.get("status") in NOT_HAPPENED:
            self._unmapped(bundle, res, f"{res.type}.status", f"status {data['status']}: not imported")
            return
        if res.type == "Procedure":
            element, concept = "Procedure.code", data.get("code")
            period = data.get("performedPeriod") or {}
            start_values, end = (data.get("performedDateTime"), period.get("start")), period.get("end")
        else:
            element, concept = f"{res.type}.medication[x]", data.get("medicationCodeableConcept")
            medication = bundle.resolve(data.get("medicationReference"), res, element)
            if medication is not None:
                concept = medication.data.get("code")
            if res.type == "MedicationRequest":
                bounds = ((((data.get("dosageInstruction") or [{}])[0].get("timing") or {}).get("repeat") or {})
                          .get("boundsPeriod") or {})
                start_values, end = (bounds.get("start"), data.get("authoredOn")), bounds.get("end")
            else:
                period = data.get("effectivePeriod") or {}
                start_values, end = (data.get("effectiveDateTime"), period.get("start")), period.get("end")
        match = next((r[1] for c in codings(concept) if (r := self.tables.role(c.get("system", ""), c.get("code", "")))
                      and r[0] == "treatment"), None)
        if match is None:
            self._unmapped(bundle, res, element, "no intervention of ours for this code (mappings/fhir_codes.tsv)",
                           concept)
            return
        start = self._date(bundle, res, f"{res.type} start date", *start_values)
        if start is None:
            return
        node = self._node(patient, "treatment", res, BONEMET.TreatmentEpisode)
        self.graph.add((node, BONEMET.treatmentGiven, BME[match.entity]))
        self.graph.add((node, BONEMET.startDate, Literal(start.isoformat(), datatype=XSD.date)))
        end_date = first_date(end)[0]
        if end_date is not None:
            self.graph.add((node, BONEMET.endDate, Literal(end_date.isoformat(), datatype=XSD.date)))
        self.graph.add((patient.node, BONEMET.receivedTreatment, node))

    def _primary(self, bundle: Bundle, patient: PatientRecords) -> None:
        if not patient.primaries:
            if not patient.seen_condition:
                self._unmapped(bundle, patient.resource, "PrimaryCancerCondition",
                               "no primary cancer condition for this patient: the record needs exactly one")
            return
        # The layer holds one primary tumour per patient: the one the metastases name, else the earliest.
        named = {p for _, _, p in patient.metastases.values() if p}
        ordered = sorted(patient.primaries, key=lambda p: (p[0].key not in named, p[2] or date.max, p[0].key))
        res, match, onset = ordered[0]
        node = self._node(patient, "tumour", res, BONEMET.PrimaryTumour)
        self.graph.add((node, BONEMET.cancerType, BME[match.entity]))
        if onset is not None:
            self.graph.add((node, BONEMET.diagnosisDate, Literal(onset.isoformat(), datatype=XSD.date)))
        self.graph.add((patient.node, BONEMET.hasPrimaryTumour, node))
        for other, _, _ in ordered[1:]:
            self._unmapped(bundle, other, "Condition", "a further primary cancer: the record layer holds one primary "
                           f"tumour per patient (kept {res.key})", other.data.get("code"))

    def _survival(self, bundle: Bundle, patient: PatientRecords) -> None:
        if not patient.metastases:
            return              # survival is counted from the first bone metastasis (bonemet:survivalMonths)
        data, first = patient.resource.data, min(when for _, when, _ in patient.metastases.values())
        if "deceasedDateTime" in data:
            end, censored = first_date(data["deceasedDateTime"])[0], False
            element = "Patient.deceasedDateTime"
        elif data.get("deceasedBoolean"):
            end, censored, element = None, False, "Patient.deceasedBoolean"
        else:   # alive when the bundle was made: follow-up ends at its timestamp
            end, censored, element = first_date(bundle.timestamp)[0], True, "Bundle.timestamp"
        if end is None or end < first:
            self._unmapped(bundle, patient.resource, element, "no usable end of follow-up (a full date on or after "
                           "the first bone metastasis): no survival record")
            return
        node = self._node(patient, "survival", patient.resource, BONEMET.SurvivalRecord)
        months = round((end - first).days / DAYS_PER_MONTH, 1)
        self.graph.add((node, BONEMET.survivalMonths, Literal(f"{months:.1f}", datatype=XSD.decimal)))
        self.graph.add((node, BONEMET.censored, Literal(censored)))
        self.graph.add((patient.node, BONEMET.hasSurvival, node))
