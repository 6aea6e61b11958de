"""VoID + DCAT description of the published dataset, computed from dist/."""

from __future__ import annotations

from pathlib import Path

from rdflib import DCAT, DCTERMS, RDF, RDFS, VOID, XSD, Graph, Literal, URIRef
from rdflib.namespace import FOAF

from bonemet import __version__
from bonemet.build.examples import EXAMPLES_FILE
from bonemet.formats import by_suffix
from bonemet.namespaces import BASE, GRAPH
from bonemet.validate.api import VOCABULARY_FILE


def local_statistics(dist: Path) -> dict:
    """Counts for the description, from the built files (read with pyoxigraph's parser: start-up time)."""
    import pyoxigraph as ox

    def triples(name: str) -> set:
        path = dist / name
        if not path.is_file():       # a release built before derivations has none
            return set()
        return {(t.subject, t.predicate, t.object) for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)}

    asserted, inferred = triples("bonemet.nt"), triples("bonemet-inferred.nt")
    derivations = len(triples("bonemet-derivations.nt"))
    union = asserted | inferred
    rdf_type = ox.NamedNode(str(RDF.type))
    return {"asserted": len(asserted), "inferred": len(inferred), "derivations": derivations,
            "triples": len(asserted) + len(inferred) + derivations,
            "classes": len({o for _s, p, o in union if p == rdf_type}), "properties": len({p for _s, p, _o in union}),
            "subjects": len({s for s, _p, _o in union})}


# classes, properties and subjects are counted over the knowledge (asserted and inferred), as from the files
KNOWLEDGE = f"FILTER(?g IN (<{GRAPH['asserted']}>, <{GRAPH['inferred']}>))"


def sparql_statistics(select) -> dict:
    """The same counts, asked of a SPARQL store holding the published graphs (`select` returns rows)."""
    def count(where: str) -> int:
        return int(select(f"SELECT (COUNT({where}) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {KNOWLEDGE} }}")[0]["n"])

    def in_graph(name: str) -> int:
        return int(select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH[name]}> {{ ?s ?p ?o }} }}")[0]["n"])

    asserted, inferred, derivations = in_graph("asserted"), in_graph("inferred"), in_graph("derivations")
    classes = int(select(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?o }} {KNOWLEDGE} }}")[0]["n"])
    return {"asserted": asserted, "inferred": inferred, "derivations": derivations,
            "triples": asserted + inferred + derivations, "classes": classes,
            "properties": count("DISTINCT ?p"), "subjects": count("DISTINCT ?s")}


def dataset_description(stats: dict, entities: int, dumps: list[tuple[str, int | None]], base_url: str,
                        data_triples: int | None = None) -> Graph:
    """VoID/DCAT of the published dataset; `data_triples` describes users' files served beside it
    (serve --data). `dumps`: (file name, size in bytes or None when made on request)."""
    g = Graph()
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("foaf", FOAF)):
        g.bind(prefix, ns)
    ds = URIRef(BASE + "dataset")
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("bonemet: bone metastasis knowledge graph", lang="en")))
    g.add((ds, DCTERMS.description, Literal("Sourced statements and statistics about bone metastasis, "
                                            "under an OWL 2 ontology, with OWL 2 RL entailments.", lang="en")))
    g.add((ds, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    g.add((ds, URIRef(str(DCAT) + "version"), Literal(__version__)))  # DCAT 3
    g.add((ds, VOID.sparqlEndpoint, URIRef(base_url + "/sparql")))
    g.add((ds, VOID.uriSpace, Literal(BASE)))
    g.add((ds, VOID.vocabulary, URIRef(BASE)))
    g.add((ds, FOAF.homepage, URIRef(base_url + "/")))
    g.add((ds, RDFS.seeAlso, URIRef(base_url + "/.well-known/sparql-examples")))   # the example queries
    g.add((ds, VOID.triples, Literal(stats["triples"], datatype=XSD.integer)))
    g.add((ds, VOID.entities, Literal(entities, datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(stats["classes"], datatype=XSD.integer)))
    g.add((ds, VOID.properties, Literal(stats["properties"], datatype=XSD.integer)))
    g.add((ds, VOID.distinctSubjects, Literal(stats["subjects"], datatype=XSD.integer)))
    for name in ("asserted", "inferred", "derivations"):
        sub = URIRef(GRAPH[name])
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, DCTERMS.title, Literal(f"{name} triples", lang="en")))
        g.add((sub, VOID.triples, Literal(stats[name], datatype=XSD.integer)))
    if data_triples is not None:
        sub = URIRef(GRAPH["data"])
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, DCTERMS.title, Literal("data files given to this server (not part of bonemet)", lang="en")))
        g.add((sub, VOID.triples, Literal(data_triples, datatype=XSD.integer)))
    for name, size in dumps:
        syntax = by_suffix(name[name.rfind("."):])
        if syntax is None or not name.endswith(syntax.suffix) or name in (VOCABULARY_FILE, EXAMPLES_FILE):
            continue   # a part of the graph, or the example queries: not a distribution of the dataset
        dist_node = URIRef(f"{base_url}/dumps/{name}")
        g.add((ds, DCAT.distribution, dist_node))
        g.add((ds, VOID.dataDump, dist_node))
        g.add((dist_node, RDF.type, DCAT.Distribution))
        g.add((dist_node, DCAT.downloadURL, dist_node))
        g.add((dist_node, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + syntax.media_type)))
        if size is not None:
            g.add((dist_node, DCAT.byteSize, Literal(size, datatype=XSD.integer)))
        g.add((dist_node, DCTERMS.title, Literal(name)))
    return g
