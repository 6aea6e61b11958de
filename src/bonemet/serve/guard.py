"""Checks on a SPARQL query's text before any engine sees it.

The engine (pyoxigraph) would follow SERVICE to any address, so queries that use SERVICE
are refused: the server must never be made to fetch anything. The scan works on tokens,
with strings, IRIs and comments removed, so `?service`, `ex:SERVICE` or a string holding
the word do not count, and `SeRvIcE` does.
"""

from __future__ import annotations

import re

_STRIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'       # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'                # short strings
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"                # IRIs
    r"|#[^\n]*",                           # comments
    re.S,
)
_SERVICE = re.compile(r"(?<![\w:?$\-.])SERVICE(?![\w:\-])", re.I)


class QueryRefused(Exception):
    """The query is not allowed on this server (HTTP 400)."""


def strip_literals(query: str) -> str:
    return _STRIP.sub(" ", query)


def uses_service(query: str) -> bool:
    return bool(_SERVICE.search(strip_literals(query)))


def check_query(query: str, *, max_length: int) -> None:
    if len(query) > max_length:
        raise QueryRefused(f"the query is {len(query)} characters long; the limit is {max_length}")
    if uses_service(query):
        raise QueryRefused("SERVICE is not allowed: this endpoint never fetches remote data")
