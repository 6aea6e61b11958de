"""IRIs of the project and of the vocabularies it reuses: the one prefix table.

`BONEMET` is closed (generated from the ontology into bonemet.terms): `BONEMET.metastasizesTo`
works, `BONEMET.metastasisesTo` raises. Entity, statement and source IRIs are minted from
the curated tables, so their namespaces stay open.
"""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SH, SKOS, VOID, XSD

from bonemet.terms import BONEMET as BONEMET  # re-exported: the closed namespace of ontology terms

BASE = "https://w3id.org/bonemet/"
BME = Namespace(BASE + "entity/")         # domain entities: cancers, bones, drugs ...
STATEMENT = Namespace(BASE + "statement/")
STATISTIC = Namespace(BASE + "statistic/")
SOURCE = Namespace(BASE + "source/")
DERIVATION = Namespace(BASE + "derivation/")   # why an inferred triple holds (bonemet.build.derivation_graph)
TRIPLE = Namespace(BASE + "triple/")           # asserted triples a derivation names, reified
RULE = Namespace(BASE + "rule/")               # the OWL 2 RL rules, described in the ontology
CURATED = Namespace(BASE + "curated/")         # hierarchy links curators added, with their rationale
GRAPH = Namespace(BASE + "graph/")        # named graphs of the TriG bundle
ONTOLOGY_IRI = BASE + "ontology"

OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")

# FHIR: the code systems and the mCODE profiles `bonemet import-fhir` reads (bonemet.fhir), as FHIR names them.
SNOMED_CT = "http://snomed.info/sct"
ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10WHO_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
MCODE_PROFILE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
FHIR_CONDITION_RELATED = "http://hl7.org/fhir/StructureDefinition/condition-related"
FHIR_ASSERTED_DATE = "http://hl7.org/fhir/StructureDefinition/condition-assertedDate"

# Ours first; competency-question answers (queries/*.tsv) are written with exactly these.
ANSWER_PREFIXES: dict[str, str] = {
    "bonemet": BASE,
    "bme": str(BME),
    "stmt": str(STATEMENT),
    "stat": str(STATISTIC),
    "src": str(SOURCE),
    "drv": str(DERIVATION),
    "triple": str(TRIPLE),
    "rule": str(RULE),
    "curated": str(CURATED),
    "oa": str(OA),
    "prov": str(PROV),
}
PREFIXES: dict[str, str] = ANSWER_PREFIXES | {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "sh": str(SH),
    "void": str(VOID),
    "dcat": str(DCAT),
    "foaf": str(FOAF),
    "bmsh": BASE + "shapes/",
    "semapv": "https://w3id.org/semapv/vocab/",
    "sssom": "https://w3id.org/sssom/",
    "linkml": "https://w3id.org/linkml/",
    "schema": "https://schema.org/",
    "biolink": "https://w3id.org/biolink/vocab/",   # Biolink Model: the alignment's targets, the KGX export
}
# Terms of the ontologies our mapping sets link to are shown as CURIEs: OBO PURLs as PREFIX:ID,
# ICD codes with their edition as the prefix.
EXTERNAL_CURIES: dict[str, str] = {
    "http://purl.obolibrary.org/obo/": "",
    "http://id.who.int/icd/release/10/": "ICD10WHO:",
    "http://purl.bioontology.org/ontology/ICD10CM/": "ICD10CM:",
}


def sparql_prologue(*names: str) -> str:
    """PREFIX declarations for a SPARQL query, from the prefix table.

    >>> sparql_prologue("bme")
    'PREFIX bme: <https://w3id.org/bonemet/entity/>\\n'
    """
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in names)


def curie(iri: str, prefixes: dict[str, str] = PREFIXES) -> str | None:
    """prefix:local for an IRI in one of `prefixes` (local names holding '/' are not abbreviated).

    >>> curie("https://w3id.org/bonemet/entity/Femur")
    'bme:Femur'
    >>> curie("http://example.org/x") is None
    True
    """
    for name, ns in sorted(prefixes.items(), key=lambda p: -len(p[1])):
        if iri.startswith(ns) and "/" not in iri[len(ns):]:
            return f"{name}:{iri[len(ns):]}"
    return None


def external_curie(iri: str) -> str | None:
    """UBERON_0000981 -> UBERON:0000981; ICD codes get their edition as the prefix.

    >>> external_curie("http://purl.obolibrary.org/obo/UBERON_0000981")
    'UBERON:0000981'
    """
    for ns, prefix in EXTERNAL_CURIES.items():
        if iri.startswith(ns):
            rest = iri[len(ns):]
            return prefix + rest if prefix else rest.replace("_", ":", 1)
    return None
