"""The cancer × bone-site map on the home page (issue 15, item 2): every cell true to the graph, every link working."""

from __future__ import annotations

import html
import json
import re
import shutil
import urllib.parse
import xml.etree.ElementTree as ET

import pytest

from conftest import CHROMIUM, ROOT, browse

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def server(default_server):
    return default_server


@pytest.fixture(scope="module")
def cells(server):
    _, _, page = server.request("/")
    svg = re.search(rb'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap".*?</svg>', page, re.S).group(0)
    root = ET.fromstring(svg)
    return [a for a in root.iter(SVG + "a") if a.get("class") in ("stated", "inf")]


def select(server, query: str) -> list[dict]:
    status, _, body = server.request(params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
    return json.loads(body)["results"]["bindings"]


def test_every_cell_has_a_figure_a_tooltip_and_a_link(cells):
    assert len(cells) > 40
    for a in cells:
        mark = a.find(SVG + "text").text
        assert a.find(SVG + "title").text and a.get("href")
        assert mark == "inf" if a.get("class") == "inf" else mark.isdigit()   # not colour alone


def test_stated_cells_link_to_exactly_their_statements(server, cells):
    stated = [a for a in cells if a.get("class") == "stated"]
    assert len(stated) > 30
    for a in stated:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(a.get("href")).query)["query"][0]
        rows = select(server, query)
        sources = {r["source"]["value"] for r in rows}
        assert rows and len(sources) == int(a.find(SVG + "text").text), a.find(SVG + "title").text
        words = {r["frequency"]["value"].rsplit("/", 1)[-1] for r in rows if "frequency" in r}
        title = a.find(SVG + "title").text
        assert ("strongest word" in title) == bool(words)


def test_breast_cancer_to_femur_says_possibly_from_one_source(cells):
    title = next(a.find(SVG + "title").text for a in cells if a.find(SVG + "title").text.startswith("breast cancer → femur"))
    assert "stated by 1 source" in title and "strongest word: possibly" in title


def test_inferred_cells_are_inferred_and_stated_by_no_statement(server, cells):
    inferred = [a for a in cells if a.get("class") == "inf"]
    assert inferred
    labels = {r["s"]["value"].rsplit("/", 1)[-1]: r["l"]["value"] for r in select(
        server, "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }")}
    by_label = {v: k for k, v in labels.items()}
    for a in inferred:
        cancer_label, site_label = a.find(SVG + "title").text.split(":")[0].split(" → ")
        cancer, site = (f"https://w3id.org/bonemet/entity/{by_label[x]}" for x in (cancer_label, site_label))
        ask = (f"ASK {{ GRAPH <https://w3id.org/bonemet/graph/inferred> {{ <{cancer}> "
               f"<https://w3id.org/bonemet/metastasizesTo> <{site}> }} "
               f"FILTER NOT EXISTS {{ ?st a <https://w3id.org/bonemet/SourcedStatement> ; "
               f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <{cancer}> ; "
               f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#object> <{site}> }} }}")
        status, _, body = server.request(params={"query": ask}, headers={"Accept": "application/sparql-results+json"})
        assert json.loads(body)["boolean"] is True, (cancer, site)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test installs it)")
def test_heat_map_renders_in_chromium_and_a_cell_leads_to_its_statements(server, built):
    shots = built.out.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    browse(server.url + "/", f"--screenshot={shots / 'home-heatmap.png'}", "--window-size=1200,1800")
    home = browse(server.url + "/")
    assert 'class="heatmap"' in home
    cell = re.search(r'<a href="(/query\?query=[^"]+)" class="stated"><title>breast cancer → spine', home)
    result = browse(server.url + html.unescape(cell.group(1)))
    table = result.split('class="results"', 1)[1]
    assert "/statement/" in table and "/source/" in table
    for name, path in (("cancer-page.png", "/entity/BreastCancer"), ("bone-page.png", "/entity/Femur")):
        browse(server.url + path, f"--screenshot={shots / name}", "--window-size=1200,1400")
    assert 'class="heatmap"' in browse(server.url + "/entity/Femur")
    review = ROOT / "dist" / "screenshots"
    review.mkdir(parents=True, exist_ok=True)
    for name in ("home-heatmap.png", "cancer-page.png", "bone-page.png"):
        assert (shots / name).stat().st_size > 10_000
        shutil.copy(shots / name, review / name)


@pytest.mark.parametrize("entity, axis, expected", [
    ("BreastCancer", "row", {"breast cancer → spine", "breast cancer → femur", "breast cancer → skeleton"}),
    ("Femur", "column", {"breast cancer → femur", "kidney cancer → femur", "lung cancer → femur"}),
])
def test_cancer_pages_show_their_row_and_site_pages_their_column(server, cells, entity, axis, expected):
    _, _, page = server.request(f"/entity/{entity}")
    svg = re.search(rb'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap".*?</svg>', page, re.S).group(0)
    titles = {a.find(SVG + "title").text.split(":")[0] for a in ET.fromstring(svg).iter(SVG + "a")
              if a.get("class") in ("stated", "inf")}
    whole = {a.find(SVG + "title").text.split(":")[0] for a in cells}
    side = 0 if axis == "row" else 1
    name = next(iter(expected)).split(" → ")[side]
    assert expected <= titles and titles == {t for t in whole if t.split(" → ")[side] == name}


def test_a_page_outside_the_map_has_no_picture(server):
    status, _, page = server.request("/entity/Hypercalcemia")
    assert status == 200 and b'class="heatmap"' not in page
