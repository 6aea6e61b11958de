"""VoID + DCAT description of the published dataset, computed from dist/."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import DCAT, DCTERMS, RDF, VOID, XSD, Graph, Literal, URIRef
from rdflib.namespace import FOAF

from . import __version__
from .namespace import BASE, GRAPH

MEDIA = {".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json",
         ".rdf": "application/rdf+xml", ".trig": "application/trig"}


def dataset_description(dist: Path, base_url: str, data_triples: int | None = None) -> Graph:
    """VoID/DCAT of dist/; `data_triples` describes the users' files served beside it (serve --data)."""
    asserted = Graph().parse(dist / "bonemet.nt", format="nt")
    inferred = Graph().parse(dist / "bonemet-inferred.nt", format="nt")
    report = json.loads((dist / "build-report.json").read_text())
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
    union = asserted + inferred
    g.add((ds, VOID.triples, Literal(len(asserted) + len(inferred), datatype=XSD.integer)))
    g.add((ds, VOID.entities, Literal(report["entities"], datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(len(set(union.objects(None, RDF.type))), datatype=XSD.integer)))
    g.add((ds, VOID.properties, Literal(len(set(union.predicates())), datatype=XSD.integer)))
    g.add((ds, VOID.distinctSubjects, Literal(len(set(union.subjects())), datatype=XSD.integer)))
    for name, graph in (("asserted", asserted), ("inferred", inferred)):
        sub = URIRef(GRAPH[name])
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, DCTERMS.title, Literal(f"{name} triples", lang="en")))
        g.add((sub, VOID.triples, Literal(len(graph), datatype=XSD.integer)))
    if data_triples is not None:
        sub = URIRef(GRAPH["data"])
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, DCTERMS.title, Literal("data files given to this server (not part of bonemet)", lang="en")))
        g.add((sub, VOID.triples, Literal(data_triples, datatype=XSD.integer)))
    for path in sorted(dist.iterdir()):
        if path.suffix not in MEDIA:
            continue
        dist_node = URIRef(f"{base_url}/dumps/{path.name}")
        g.add((ds, DCAT.distribution, dist_node))
        g.add((ds, VOID.dataDump, dist_node))
        g.add((dist_node, RDF.type, DCAT.Distribution))
        g.add((dist_node, DCAT.downloadURL, dist_node))
        g.add((dist_node, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + MEDIA[path.suffix])))
        g.add((dist_node, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.integer)))
        g.add((dist_node, DCTERMS.title, Literal(path.name)))
    return g
