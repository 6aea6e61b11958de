"""The query-side cases of the W3C SPARQL 1.1 Protocol test suite (w3c/rdf-tests,
sparql/sparql11/protocol/manifest.ttl), rewritten as our own tests against a server loaded
with small named graphs of the same shape. Update cases are expected to be refused (4xx)."""

import http.client
import json
import urllib.parse

import pytest

from conftest import Server

K = "http://kasei.us/2009/09/sparql/data/"
DATA = "".join(f"<{K}data{i}.rdf> {{ <{K}data{i}.rdf> a <http://xmlns.com/foaf/0.1/Document> . }}\n"
               for i in (0, 1, 2, 3))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    dist = tmp_path_factory.mktemp("protocol-dist")
    (dist / "bonemet.trig").write_text(DATA)
    (dist / "bonemet.nt").write_text("")
    (dist / "bonemet-inferred.nt").write_text("")
    (dist / "build-report.json").write_text(json.dumps({"asserted_triples": 4, "inferred_triples": 0, "entities": 0,
                                                        "statements_per_source": {}, "statistics_per_source": {}}))
    s = Server(dist)
    yield s
    s.stop()


def q(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def boolean(body: bytes, content_type: str) -> bool:
    assert content_type.split(";")[0] in ("application/sparql-results+json", "application/sparql-results+xml")
    if "json" in content_type:
        return json.loads(body)["boolean"]
    return b"<boolean>true</boolean>" in body


TWO = f"ASK {{ <{K}data1.rdf> a ?type . <{K}data2.rdf> a ?type . }}"
NAMED = f"ASK {{ GRAPH ?g1 {{ <{K}data1.rdf> a ?type }} GRAPH ?g2 {{ <{K}data2.rdf> a ?type }} }}"
FULL = (f"ASK {{ <{K}data3.rdf> a ?type GRAPH ?g1 {{ <{K}data1.rdf> a ?type }} "
        f"GRAPH ?g2 {{ <{K}data2.rdf> a ?type }} }}")
DG = "default-graph-uri=" + q(K) + "data{}.rdf"
NG = "named-graph-uri=" + q(K) + "data{}.rdf"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}

ASK_TRUE = {  # name: (method, query string, body, headers)
    "query_post_form": ("POST", DG.format(0), "query=ASK%20%7B%7D", FORM),
    "query_dataset_default_graphs_get": ("GET", f"query={q(TWO)}&{DG.format(1)}&{DG.format(2)}", None, {}),
    "query_dataset_default_graphs_post": ("POST", f"{DG.format(1)}&{DG.format(2)}", TWO, DIRECT),
    "query_dataset_named_graphs_post": ("POST", f"{NG.format(1)}&{NG.format(2)}", NAMED, DIRECT),
    "query_dataset_named_graphs_get": ("GET", f"query={q(NAMED)}&{NG.format(1)}&{NG.format(2)}", None, {}),
    "query_dataset_full": ("POST", f"{DG.format(3)}&{NG.format(1)}&{NG.format(2)}", FULL, DIRECT),
    # the manifest percent-encodes the '&' between the two named graphs, which makes them one
    # (nonexistent) graph; the test's stated intent, protocol dataset over FROM, is checked here
    "query_multiple_dataset": ("POST", f"{NG.format(1)}&{NG.format(2)}", f"ASK FROM <{K}data3.rdf> "
                               + NAMED[4:], DIRECT),
    "query_get": ("GET", f"query=ASK%20%7B%7D&{DG.format(0)}", None, {}),
    "query_post_direct": ("POST", DG.format(0), "ASK {}", DIRECT),
}


@pytest.mark.parametrize("name", sorted(ASK_TRUE))
def test_ask_true(server, name):
    method, query, body, headers = ASK_TRUE[name]
    status, resp_headers, resp = server.request("/sparql?" + query if query else "/sparql",
                                                data=body.encode() if body else None, headers=headers, method=method)
    assert 200 <= status < 400, resp
    assert boolean(resp, resp_headers["Content-Type"]) is True


@pytest.mark.parametrize("name, query, expected", [
    ("query_content_type_select", "SELECT (1 AS ?value) {}", {"application/sparql-results+json",
     "application/sparql-results+xml", "text/csv", "text/tab-separated-values"}),
    ("query_content_type_ask", "ASK {}", {"application/sparql-results+json", "application/sparql-results+xml"}),
    ("query_content_type_describe", "DESCRIBE <http://example.org/>", {"text/turtle", "application/rdf+xml",
     "application/n-triples", "application/ld+json"}),
    ("query_content_type_construct", "CONSTRUCT { <s> <p> 1 } WHERE {}", {"text/turtle", "application/rdf+xml",
     "application/n-triples", "application/ld+json"}),
])
def test_content_types(server, name, query, expected):
    status, headers, _ = server.request("/sparql?" + DG.format(0), data=query.encode(),
                                        headers={**DIRECT, "Accept": "*/*"})
    assert 200 <= status < 400 and headers["Content-Type"].split(";")[0] in expected


BAD = {  # name: (method, path, body, headers)
    "bad_query_method": ("PUT", "/sparql?query=ASK%20%7B%7D", None, {}),
    "bad_multiple_queries": ("GET", "/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D", None, {}),
    "bad_query_wrong_media_type": ("POST", "/sparql", b"ASK {}", {"Content-Type": "text/plain"}),
    "bad_query_missing_form_type": ("POST", "/sparql", b"query=ASK%20%7B%7D", {"Content-Type": ""}),
    "bad_query_missing_direct_type": ("POST", "/sparql", b"ASK {}", {"Content-Type": ""}),
    "bad_query_non_utf8": ("POST", "/sparql", "ASK { <http://example.org/caf\u00e9> ?p ?o }".encode("latin-1"),
                           {"Content-Type": "application/sparql-query; charset=ISO-8859-1"}),
    "bad_query_syntax": ("GET", "/sparql?query=ASK%20%7B", None, {}),
    # updates: refused by this read-only endpoint
    "update_post_form": ("POST", "/sparql", b"update=CLEAR%20ALL", FORM),
    "update_post_direct": ("POST", "/sparql", b"CLEAR ALL", {"Content-Type": "application/sparql-update"}),
    "bad_update_get": ("GET", "/sparql?update=CLEAR%20ALL", None, {}),
    "bad_multiple_updates": ("POST", "/sparql", b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", FORM),
    "bad_update_wrong_media_type": ("POST", "/sparql", b"CLEAR ALL", {"Content-Type": "text/plain"}),
    "bad_update_syntax": ("POST", "/sparql", b"update=CLEAR%20XYZ", FORM),
    "update_dataset_default_graph": ("POST", "/sparql?using-graph-uri=" + q(K + "data1.rdf"),
                                     b"CLEAR ALL", {"Content-Type": "application/sparql-update"}),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_refused_with_4xx(server, name):
    method, path, body, headers = BAD[name]
    # http.client, not urllib: urllib would add a form content type to a POST that has none
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(method, path, body=body, headers={k: v for k, v in headers.items() if v})
    status = conn.getresponse().status
    conn.close()
    assert 400 <= status < 500


def test_data_unchanged_after_refused_updates(server):
    status, headers, body = server.request("/sparql?query=" + q("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"),
                                           headers={"Accept": "text/csv"})
    assert body.decode().split()[1] == "4"


# The W3C service-description tests (sparql11/service-description): has-endpoint-triple,
# returns-rdf, conforms-to-schema.
SD_TERMS = {"Service", "endpoint", "supportedLanguage", "SPARQL11Query", "resultFormat", "feature",
            "UnionDefaultGraph", "defaultDataset", "Dataset", "defaultGraph", "Graph", "namedGraph",
            "NamedGraph", "name", "graph"}


@pytest.mark.parametrize("accept, fmt", [(None, "turtle"), ("application/rdf+xml", "xml"),
                                         ("text/turtle", "turtle"), ("application/ld+json", "json-ld")])
def test_service_description_returns_rdf_with_matching_endpoint(server, accept, fmt):
    from rdflib import RDF, Graph, Namespace, URIRef
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    status, headers, body = server.request("/sparql", headers={"Accept": accept} if accept else {})
    assert status == 200
    g = Graph().parse(data=body.decode(), format=fmt)
    endpoint = URIRef(server.url + "/sparql")
    assert (None, sd.endpoint, endpoint) in g
    service = g.value(None, sd.endpoint, endpoint)
    assert (service, RDF.type, sd.Service) in g and (service, sd.supportedLanguage, sd.SPARQL11Query) in g
    used = {str(t)[len(str(sd)):] for triple in g for t in triple if str(t).startswith(str(sd))}
    assert used <= SD_TERMS, used - SD_TERMS
