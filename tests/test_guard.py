"""The query guard, in process: SERVICE is found as a keyword, never inside strings, IRIs, names or comments."""

import pytest

from bonemet.serve.guard import QueryRefused, check_query, uses_service

USES_SERVICE = {
    "plain": "SELECT * WHERE { SERVICE <http://x/sparql> { ?s ?p ?o } }",
    "mixed-case": "SELECT * WHERE { SeRvIcE <http://x/sparql> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <http://x/> { ?s ?p ?o } }",
    "variable-endpoint": "SELECT * WHERE { BIND(<http://x/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "after-comment-line": "# a comment\nSELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
    "after-string": 'SELECT * WHERE { ?s ?p "x" . SERVICE <http://x/> { ?s ?p ?o } }',
}
NO_SERVICE = {
    "variable": "SELECT ?service WHERE { ?service ?p ?o }",
    "dollar-variable": "SELECT $service WHERE { $service ?p ?o }",
    "prefixed-name": "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:SERVICE ?o }",
    "local-name-prefix": "PREFIX SERVICE: <http://e/> SELECT * WHERE { ?s SERVICE:x ?o }",
    "in-string": 'SELECT * WHERE { ?s ?p "SERVICE <http://x/>" }',
    "in-long-string": "SELECT * WHERE { ?s ?p '''a\nSERVICE b''' }",
    "in-iri": "SELECT * WHERE { <http://e/SERVICE> ?p ?o }",
    "in-comment": "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/>",
    "longer-word": "SELECT * WHERE { ?s ?p ?o } LIMIT 1 # services",
    "hyphenated": "PREFIX a: <http://e/> SELECT * WHERE { ?s a:x-SERVICE ?o }",
}


def test_case_counts():
    assert (len(USES_SERVICE), len(NO_SERVICE)) == (6, 10)


@pytest.mark.parametrize("name", sorted(USES_SERVICE))
def test_service_is_found(name):
    assert uses_service(USES_SERVICE[name])
    with pytest.raises(QueryRefused, match="SERVICE is not allowed"):
        check_query(USES_SERVICE[name], max_length=10_000)


@pytest.mark.parametrize("name", sorted(NO_SERVICE))
def test_service_is_not_seen_where_it_is_not_a_keyword(name):
    assert not uses_service(NO_SERVICE[name])
    check_query(NO_SERVICE[name], max_length=10_000)


def test_length_limit():
    check_query("ASK {}", max_length=6)
    with pytest.raises(QueryRefused, match="7 characters long; the limit is 6"):
        check_query("ASK { }", max_length=6)
