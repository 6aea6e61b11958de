"""The SPARQL the pages ask, and the documents the server describes itself with.

Kept apart from the HTTP handler so that the text of each query can be read (and tested) as a whole.
"""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from bonemet.namespaces import BASE, GRAPH, sparql_prologue
from bonemet.serve.pages import OntologyTerm

SEARCH = sparql_prologue("rdfs", "skos", "bme") + """SELECT ?e (SAMPLE(?l) AS ?label)
    (GROUP_CONCAT(DISTINCT ?m; separator=" | ") AS ?matched) WHERE {
  ?e rdfs:label|skos:altLabel ?m .
  FILTER(STRSTARTS(STR(?e), STR(bme:)))
  FILTER(STRSTARTS(LCASE(STR(?m)), "PREFIX_TEXT"))
  ?e rdfs:label ?l .
} GROUP BY ?e ORDER BY LCASE(?label)"""
CONSTRUCT = """CONSTRUCT { <IRI> ?p ?o . ?s ?q <IRI> . ?x ?p2 ?o2 } WHERE {
  { <IRI> ?p ?o } UNION { ?s ?q <IRI> }
  UNION { ?x ?p2 ?o2 FILTER(STRSTARTS(STR(?x), "IRI#")) }
}"""


def unsafe_iri(iri: str) -> bool:
    """Characters an IRI cannot hold: such a text is never put into a query (the server answers 4xx)."""
    return any(c in iri for c in '<>" {}|\\^`') or any(ord(c) < 32 for c in iri)


def construct_query(iri: str) -> str:
    """A resource's RDF description: its triples both ways, and those of its hash IRIs."""
    return CONSTRUCT.replace("IRI", iri)


def search_query(text: str) -> str:
    """Entities whose label or synonym starts with `text`, case-insensitive.

    >>> 'STRSTARTS(LCASE(STR(?m)), "a \\\\"b\\\\"")' in search_query('A "b"')
    True
    """
    literal = text.lower().replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return SEARCH.replace("PREFIX_TEXT", literal)


SERVICE_NOTE = "Read-only. The default graph is the union of the asserted and inferred graphs. SERVICE is refused."


def service_description(endpoint: str, report: dict) -> str:
    """The SPARQL 1.1 Service Description of the endpoint, in Turtle."""
    asserted, inferred = report["asserted_triples"], report["inferred_triples"]
    derivations = report.get("derivation_triples", 0)
    examples = endpoint.removesuffix("/sparql") + "/.well-known/sparql-examples"
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>, <http://www.w3.org/ns/formats/SPARQL_Results_XML>,
        <http://www.w3.org/ns/formats/SPARQL_Results_CSV>, <http://www.w3.org/ns/formats/SPARQL_Results_TSV>,
        <http://www.w3.org/ns/formats/Turtle>, <http://www.w3.org/ns/formats/N-Triples>,
        <http://www.w3.org/ns/formats/JSON-LD>, <http://www.w3.org/ns/formats/RDF_XML> ;
    sd:feature sd:UnionDefaultGraph ;
    rdfs:seeAlso <{examples}> ;
    dcterms:description "{SERVICE_NOTE}" ;
    sd:defaultDataset [ a sd:Dataset ;
        sd:defaultGraph [ a sd:Graph ; void:triples {asserted + inferred + derivations} ] ;
        sd:namedGraph [ a sd:NamedGraph ; sd:name <{GRAPH['asserted']}> ;
                        sd:graph [ a sd:Graph ; void:triples {asserted} ] ] ,
                      [ a sd:NamedGraph ; sd:name <{GRAPH['inferred']}> ;
                        sd:graph [ a sd:Graph ; void:triples {inferred} ] ] ,
                      [ a sd:NamedGraph ; sd:name <{GRAPH['derivations']}> ;
                        sd:graph [ a sd:Graph ; void:triples {derivations} ] ] ] .
"""


def ontology_sections(onto: Graph) -> list[tuple[str, list[OntologyTerm]]]:
    """The ontology page's tables: classes and properties with definitions and their relations."""
    sections = []
    for kind, title in ((OWL.Class, "Classes"), (OWL.ObjectProperty, "Object properties"),
                        (OWL.DatatypeProperty, "Datatype properties")):
        terms = []
        for term in sorted(str(t) for t in onto.subjects(RDF.type, kind) if str(t).startswith(BASE)):
            related = [(name, str(o), _label(onto, o))
                       for p, name in ((RDFS.subClassOf, "subclass of"), (RDFS.subPropertyOf, "sub-property of"),
                                       (RDFS.domain, "domain"), (RDFS.range, "range"), (OWL.inverseOf, "inverse of"))
                       for o in onto.objects(URIRef(term), p) if str(o).startswith(BASE)]
            terms.append(OntologyTerm(term, _label(onto, URIRef(term)),
                                      str(onto.value(URIRef(term), SKOS.definition) or ""), related))
        sections.append((title, terms))
    return sections


def _label(g: Graph, term) -> str | None:
    label = g.value(term, RDFS.label)
    return str(label) if label is not None else None
