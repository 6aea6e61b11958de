"""`bonemet serve --data`: users' files served beside the published graph, by the real server."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys

import pytest

from bonemet.registry.generate import generate
from conftest import CHROMIUM, Server, browse, keep_for_review


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    nt = folder / "registry.nt"
    with open(nt, "w", encoding="utf-8") as out:
        counts = generate(out, patients=600, seed=3)   # enough for a group of several pages
    ttl = folder / "extra.ttl"
    ttl.write_text("@prefix bonemet: <https://w3id.org/bonemet/> .\n@prefix ex: <http://example.org/> .\n"
                   "ex:extra a bonemet:Patient ; bonemet:pseudonym \"X1\" .\n", encoding="utf-8")
    return nt, ttl, counts


@pytest.fixture(scope="module", params=["memory", "disk"])
def server(built, registry, request):
    """Both places the workers can keep the data: their own memory, or Oxigraph's on-disk store."""
    nt, ttl, _counts = registry
    s = Server(built.out, "--data", str(nt), "--data", str(ttl), "--store", request.param)
    yield s
    s.stop()


def select(server, query: str) -> list[dict]:
    status, _headers, body = server.request(params={"query": query},
                                            headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
    return json.loads(body)["results"]["bindings"]


def test_data_files_are_queryable_with_the_graph(server, registry):
    _nt, _ttl, counts = registry
    rows = select(server, "PREFIX b: <https://w3id.org/bonemet/> SELECT (COUNT(?p) AS ?n) WHERE { ?p a b:Patient }")
    assert int(rows[0]["n"]["value"]) == counts["patients"] + 1
    # registry records joined with the published graph: sites that are part of the spine
    rows = select(server, """PREFIX b: <https://w3id.org/bonemet/> PREFIX e: <https://w3id.org/bonemet/entity/>
        SELECT (COUNT(*) AS ?n) WHERE { ?m b:site ?s . ?s b:partOf+ e:Spine }""")
    assert int(rows[0]["n"]["value"]) > 0


def test_data_sit_in_their_own_named_graph(server, registry):
    _nt, _ttl, counts = registry
    rows = select(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/bonemet/graph/data> { ?s ?p ?o } }")
    assert int(rows[0]["n"]["value"]) == counts["triples"] + 2
    rows = select(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/bonemet/graph/asserted> "
                          "{ ?s a <https://w3id.org/bonemet/Patient> } }")
    assert rows[0]["n"]["value"] == "0"


def test_void_describes_the_data_subset(server, registry):
    _nt, _ttl, counts = registry
    status, _h, body = server.request("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert status == 200
    lines = [line for line in body.decode().splitlines()
             if line.startswith("<https://w3id.org/bonemet/graph/data> <http://rdfs.org/ns/void#triples>")]
    assert lines and f'"{counts["triples"] + 2}"' in lines[0]


BREAST = "https://w3id.org/bonemet/entity/BreastCancer"
CANCER_TYPE = "https://w3id.org/bonemet/cancerType"


def test_incoming_links_are_grouped_counted_and_paged(server):
    """Issue 15: a registry's records linking to a cancer are one group with its count and first rows;
    its pages, followed by their "next" links, give every record once."""
    expected = {r["t"]["value"] for r in select(server, f"SELECT ?t WHERE {{ ?t <{CANCER_TYPE}> <{BREAST}> }}")}
    status, _h, body = server.request("/entity/BreastCancer", headers={"Accept": "text/html"})
    page = body.decode()
    assert status == 200 and len(body) < 100_000
    group = page.split('">cancer type</a> (', 1)[1]
    assert group.startswith(f"{len(expected):,})")
    assert len(re.findall(r"<li>", group.split("</ul>", 1)[0])) == 10
    link = html.unescape(re.search(r'href="http://127\.0\.0\.1:\d+(/entity/BreastCancer\?links=[^"]+)"', group).group(1))
    seen, pages = [], 0
    while link:
        status, _h, body = server.request(link)
        assert status == 200
        listed = body.decode().split("<ol", 1)[1].split("</ol>", 1)[0]
        seen += [html.unescape(h) for h in re.findall(r'<li><a href="([^"]+)"', listed)]
        following = re.search(r'rel=next href="http://127\.0\.0\.1:\d+([^"]+)"', body.decode())
        link = html.unescape(following.group(1)) if following else None
        pages += 1
    assert len(seen) == len(expected) and set(seen) == expected and pages == -(-len(expected) // 100) >= 2


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test installs it)")
def test_paged_list_in_chromium(server, built, request):
    """The cancer page with the registry loaded, its group's link to the list, and that list's next page."""
    if "memory" not in request.node.callspec.id:
        pytest.skip("the browser sees the same pages from either store")
    shots = built.out.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    browse(server.url + "/entity/BreastCancer", f"--screenshot={shots / 'cancer-page-registry.png'}",
           "--window-size=1200,5200")                 # the whole page, down to its incoming group
    page = browse(server.url + "/entity/BreastCancer")
    listing = re.search(r'href="(http://127\.0\.0\.1:\d+/entity/BreastCancer\?links=[^"]+)">All ([\d,]+), page by page',
                        page)
    first = browse(html.unescape(listing.group(1)))
    assert "Page 1 of" in first and first.count("<li>") == 100
    following = html.unescape(re.search(r'rel="next" href="([^"]+)"', first).group(1))
    browse(following, f"--screenshot={shots / 'registry-list-page-2.png'}", "--window-size=1200,1400")
    second = browse(following)
    assert "Page 2 of" in second and 'rel="prev"' in second and "rows 101–" in second
    keep_for_review(shots / "cancer-page-registry.png")
    keep_for_review(shots / "registry-list-page-2.png")


@pytest.mark.parametrize("query, status", [("links=https://w3id.org/bonemet/cancerType&page=0", 400),
                                           ("links=https://w3id.org/bonemet/cancerType&page=x", 400),
                                           ("links=not-an-iri&page=1", 400),
                                           ("links=https://w3id.org/bonemet/cancer%3EType&page=1", 400),
                                           ("links=https://w3id.org/bonemet/cancerType&page=9999", 404),
                                           ("links=https://w3id.org/bonemet/partOf&page=1", 404)])
def test_bad_list_pages_get_a_4xx(server, query, status):
    got, _h, body = server.request(f"/entity/BreastCancer?{query}", headers={"Accept": "text/html"})
    assert got == status and b"Traceback" not in body


@pytest.mark.parametrize("content, name, message", [
    (b"<http://a> <http://b> .\n", "bad.nt", "bad.nt: not valid nt"),
    (b"@prefix ex: <http://example.org/> .\nex:a ex:b ", "bad.ttl", "bad.ttl: not valid turtle"),
])
def test_bad_data_file_is_refused_with_its_name(built, tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    run = subprocess.run([sys.executable, "-m", "bonemet.cli", "serve", "--port", "0", "--dist", str(built.out),
                          "--data", str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert message in run.stderr and "line" in run.stderr and "Traceback" not in run.stderr


def test_missing_data_file(built, tmp_path):
    run = subprocess.run([sys.executable, "-m", "bonemet.cli", "serve", "--dist", str(built.out),
                          "--data", str(tmp_path / "none.nt")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "no such file" in run.stderr
