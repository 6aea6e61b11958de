"""The hierarchy trees on the ontology page (issue 15, item 2): exactly the asserted direct links, browsable."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from conftest import CHROMIUM, ROOT, browse

ASSERTED = "https://w3id.org/bonemet/graph/asserted"
TREES = {
    "skeleton": f"""SELECT ?child ?parent WHERE {{ GRAPH <{ASSERTED}> {{ ?child <https://w3id.org/bonemet/partOf> ?parent }}
        FILTER(?parent = <https://w3id.org/bonemet/entity/Skeleton> ||
               EXISTS {{ ?parent <https://w3id.org/bonemet/partOf> <https://w3id.org/bonemet/entity/Skeleton> }}) }}""",
    "cancers": f"""SELECT ?child ?parent WHERE {{ GRAPH <{ASSERTED}> {{ ?child <https://w3id.org/bonemet/subtypeOf> ?parent }}
        ?child a <https://w3id.org/bonemet/Cancer> . ?parent a <https://w3id.org/bonemet/Cancer> }}""",
}


@pytest.fixture(scope="module")
def ontology_page(default_server) -> str:
    status, _, page = default_server.request("/ontology", headers={"Accept": "text/html"})
    assert status == 200
    return page.decode()


def edges_in(tree: ET.Element) -> set[tuple[str, str]]:
    out = set()

    def walk(li: ET.Element, parent: str | None) -> None:
        here = li.find("a").get("href").rsplit("/", 1)[-1]
        if parent:
            out.add((here, parent))
        for sub in li.findall("ul/li"):
            walk(sub, here)
    for li in tree.findall("li"):
        walk(li, None)
    return out


@pytest.mark.parametrize("name", sorted(TREES))
def test_tree_is_exactly_the_asserted_direct_links(default_server, ontology_page, name):
    tree = ET.fromstring(_tree_html(ontology_page, name))
    status, _, body = default_server.request(params={"query": TREES[name]}, headers={"Accept": "application/sparql-results+json"})
    assert status == 200
    expected = {(r["child"]["value"].rsplit("/", 1)[-1], r["parent"]["value"].rsplit("/", 1)[-1])
                for r in json.loads(body)["results"]["bindings"]}
    assert len(expected) > 10 and edges_in(tree) == expected


def _tree_html(page: str, name: str) -> str:
    """The nested list of one tree: from its opening tag to the matching close."""
    start = page.index(f'<ul class="tree" id="{name}-tree">')
    depth, i = 0, start
    for m in re.finditer(r"<(/?)ul\b[^>]*>", page[start:]):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            i = start + m.end()
            break
    return page[start:i]


def test_known_branches(ontology_page):
    skeleton = edges_in(ET.fromstring(_tree_html(ontology_page, "skeleton")))
    cancers = edges_in(ET.fromstring(_tree_html(ontology_page, "cancers")))
    assert ("Femur", "LowerLimbBones") in skeleton and ("LumbarSpine", "Spine") in skeleton
    assert ("BreastCancer", "Cancer") in cancers


@pytest.mark.parametrize("entity, anchor", [("Femur", "skeleton-tree"), ("BreastCancer", "cancers-tree")])
def test_entity_pages_link_to_their_tree(default_server, entity, anchor):
    _, _, page = default_server.request(f"/entity/{entity}")
    assert f'href="/ontology#{anchor}"'.encode() in page


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test installs it)")
def test_hierarchy_screenshot(default_server, built):
    shot = built.out.parent / "screenshots" / "hierarchy.png"
    shot.parent.mkdir(exist_ok=True)
    browse(default_server.url + "/ontology", f"--screenshot={shot}", "--window-size=1200,1400")
    assert 'id="skeleton-tree"' in browse(default_server.url + "/ontology") and shot.stat().st_size > 10_000
    review = ROOT / "dist" / "screenshots"
    review.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, review / shot.name)
