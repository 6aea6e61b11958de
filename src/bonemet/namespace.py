"""IRIs of the project and of the vocabularies it reuses."""

from rdflib import Namespace

BASE = "https://w3id.org/bonemet/"
BONEMET = Namespace(BASE)                 # ontology terms and controlled values
BME = Namespace(BASE + "entity/")         # domain entities: cancers, bones, drugs ...
STATEMENT = Namespace(BASE + "statement/")
STATISTIC = Namespace(BASE + "statistic/")
SOURCE = Namespace(BASE + "source/")
GRAPH = Namespace(BASE + "graph/")        # named graphs of the TriG bundle
ONTOLOGY_IRI = BASE + "ontology"

OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")

PREFIXES = {
    "bonemet": BONEMET,
    "bme": BME,
    "stmt": STATEMENT,
    "stat": STATISTIC,
    "src": SOURCE,
    "oa": OA,
    "prov": PROV,
}
