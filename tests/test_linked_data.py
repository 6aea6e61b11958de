"""Dereferenceable IRIs, pages, dataset description and the browser view, on the real server."""

import html
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, SKOS, VOID

from bonemet.curate.sssom import mapping_set_files, read_mapping_set
from bonemet.namespaces import BME
from conftest import ROOT, Server

FEMUR = "https://w3id.org/bonemet/entity/Femur"


@pytest.fixture(scope="module")
def server(built):
    s = Server(built.out)
    yield s
    s.stop()


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.scripts = [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href"))
        if tag == "script":
            self.scripts += 1


def parse_html(body: bytes) -> Links:
    p = Links()
    p.feed(body.decode("utf-8"))
    return p


@pytest.mark.parametrize("accept, media, fmt", [
    ("text/turtle", "text/turtle", "turtle"), ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"), ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "text/html", None),
])
def test_entity_conneg(server, accept, media, fmt):
    status, headers, body = server.request("/entity/Femur", headers={"Accept": accept})
    assert status == 200 and headers["Content-Type"].split(";")[0] == media
    assert headers["Vary"] == "Accept" and headers["Content-Location"].startswith("/entity/Femur.")
    if fmt:
        g = Graph().parse(data=body.decode(), format=fmt)
        assert (URIRef(FEMUR), None, None) in g
        assert (None, None, URIRef(FEMUR)) in g            # incoming links too


@pytest.mark.parametrize("ext, media", [("ttl", "text/turtle"), ("nt", "application/n-triples"),
                                        ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml"),
                                        ("html", "text/html")])
def test_file_extensions(server, ext, media):
    status, headers, _ = server.request(f"/entity/Femur.{ext}")
    assert status == 200 and headers["Content-Type"].split(";")[0] == media


def test_resource_page_content(server, built):
    status, _, body = server.request("/entity/BreastCancer", headers={"Accept": "text/html"})
    text = body.decode()
    assert status == 200 and "<h1>breast cancer</h1>" in text
    definition = str(built.asserted.value(BME.BreastCancer, SKOS.definition))
    assert len(definition) > 20 and f"<p>{html.escape(definition, quote=False)}</p>" in text   # definition shown
    assert "metastasizes to" in text and "/entity/Spine" in text           # outgoing links with labels
    assert "(inferred)" in text                                            # inferred marked
    assert "Incoming links" in text
    assert parse_html(body).scripts == 0


def test_statement_page_shows_provenance(server):
    status, _, body = server.request("/statement/000-0003", headers={"Accept": "text/html"})
    text = body.decode()
    assert status == 200 and "Provenance" in text and "characters 513–590" in text


def test_statistic_page_reads_as_a_figure(server):
    status, _, body = server.request("/statistic/000-0505", headers={"Accept": "text/html"})
    text = html.unescape(body.decode())
    assert status == 200 and "<h2>Figure</h2>" in text
    assert re.search(r"exactly 70(\.0)? percent", text), text[:2000]
    assert "breast cancer" in text and "bone metastasis" in text


def test_unknown_iri_is_404(server):
    for accept in ("text/html", "text/turtle"):
        status, _, _ = server.request("/entity/NoSuchThing", headers={"Accept": accept})
        assert status == 404


def test_ontology_iri(server):
    status, headers, body = server.request("/ontology", headers={"Accept": "text/html"})
    assert status == 200 and b"metastasizes to" in body
    status, headers, body = server.request("/ontology", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=body.decode(), format="turtle")
    assert status == 200 and len(g) > 10


def test_void_description(server):
    status, headers, body = server.request("/.well-known/void", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=body.decode(), format="turtle")
    ds = next(g.subjects(VOID.sparqlEndpoint, None))
    assert int(g.value(ds, VOID.triples)) > 15000
    assert len(list(g.objects(ds, DCAT.distribution))) == 13     # 3 graphs × 4 syntaxes, and the TriG
    status, _, body = server.request("/", headers={"Accept": "text/html"})
    assert "/.well-known/void" in parse_html(body).hrefs


def test_shapes_served(server):
    status, headers, body = server.request("/shapes/", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert len(Graph().parse(data=body.decode(), format="turtle")) > 500


def test_home_and_query_pages_without_javascript(server):
    status, _, body = server.request("/")
    links = parse_html(body)
    assert status == 200 and links.scripts == 0
    examples = [h for h in links.hrefs if h and h.startswith("/query?query=")]
    assert len(examples) >= 30
    status, _, page = server.request(examples[0])
    assert status == 200 and b"<table class=results>" in page and b"BreastCancer" in page


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test installs it)")
def test_browser_runs_an_example_and_follows_a_link(server, built):
    def browse(url: str, shot: Path | None = None) -> str:
        with tempfile.TemporaryDirectory() as profile:
            args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}"]
            if shot:
                subprocess.run(args + [f"--screenshot={shot}", "--window-size=1200,1600", url],
                               capture_output=True, timeout=120)
            return subprocess.run(args + ["--dump-dom", url], capture_output=True, text=True, timeout=120).stdout
    shots = built.out.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    home = browse(server.url + "/", shots / "home.png")
    example = re.search(r'href="(/query\?query=[^"]+)"', home).group(1)
    result = browse(server.url + html.unescape(example), shots / "query.png")
    assert "<table class=\"results\">" in result or "class=\"results\"" in result
    entity_link = r'href="(?:http://127\.0\.0\.1:\d+)?(/entity/[A-Za-z]+)"'
    resource = re.search(entity_link, result.split("results", 1)[1]).group(1)
    page = browse(server.url + resource, shots / "resource.png")
    assert "What the sources say" in page
    linked = re.search(entity_link, page.split("What the sources say", 1)[1]).group(1)
    assert "Incoming links" in browse(server.url + linked)
    for name in ("home.png", "query.png", "resource.png"):
        assert (shots / name).stat().st_size > 1000
    # keep copies for review in the project's dist/
    review = ROOT / "dist" / "screenshots"
    review.mkdir(parents=True, exist_ok=True)
    for png in shots.glob("*.png"):
        shutil.copy(png, review / png.name)


MAPPING_ROWS = [m for p in mapping_set_files(ROOT) for m in read_mapping_set(p).mappings[:1]]


@pytest.mark.parametrize("m", MAPPING_ROWS, ids=lambda m: m.object_id)
def test_resource_page_links_mapped_terms_with_their_label(server, m):
    """The first mapping of every set: the page of the entity (or of our ontology term) links the target
    (OBO PURL where there is one)."""
    ours, _, name = m.subject_id.partition(":")
    status, _, body = server.request(("/entity/" if ours == "bme" else "/") + name, headers={"Accept": "text/html"})
    prefix, _, local = m.object_id.partition(":")
    text = body.decode()
    assert status == 200 and html.escape(f"{m.object_id} {m.object_label}") in text
    if not prefix.startswith(("ICD10", "biolink")):
        assert f'href="http://purl.obolibrary.org/obo/{prefix}_{local}"' in text


@pytest.mark.parametrize("q, expected", [("FEM", "/entity/Femur"), ("thigh b", "/entity/Femur"),
                                         ("mammary", "/entity/BreastCancer"), ("renal cell", "/entity/RenalCellCarcinoma")])
def test_search_by_label_or_synonym_prefix(server, q, expected):
    status, _, body = server.request("/search", params={"q": q})
    assert status == 200 and expected in body.decode()
    assert parse_html(body).scripts == 0


def test_search_is_not_a_query_injection(server):
    for q in ('") } SELECT * WHERE { ?s ?p ?o } #', "\\", "nothing-starts-like-this"):
        status, _, body = server.request("/search", params={"q": q})
        assert status == 200 and b"0 entities" in body


def test_home_page_has_a_search_box(server):
    status, _, body = server.request("/")
    assert b'action="/search"' in body and b'name="q"' in body


@pytest.mark.parametrize("path", ["/entity/a%20b", "/entity/%3Cscript%3E", "/entity/x%22y", "/%7B%7D",
                                  "/entity/Femur.exe", "/statement/999-9999"])
def test_odd_paths_are_404_not_errors(server, path):
    status, headers, _ = server.request(path, headers={"Accept": "text/html"})
    assert status == 404


def test_home_page_example_gives_uberon_ids_of_breast_cancer_bone_sites(server):
    """Issue 5's example question, run from its link on the home page."""
    links = parse_html(server.request("/")[2])
    uberon = [h for h in links.hrefs if h and h.startswith("/query?query=") and "UBERON" in unquote_plus(h)]
    assert uberon, "no example question about UBERON ids on the home page"
    status, _, page = server.request(uberon[0])
    assert status == 200 and page.count(b'href="http://purl.obolibrary.org/obo/UBERON_') >= 3
