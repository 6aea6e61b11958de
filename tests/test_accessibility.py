"""Headings and keyboard access on the pages (issue 15, item 5): checked on the served HTML, no JavaScript."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

PAGES = ["/", "/editor", "/query", "/ontology", "/entity/BreastCancer", "/entity/Femur", "/search?q=femur",
         "/source/002", "/source/002?links=http://www.w3.org/ns/prov%23wasDerivedFrom&page=2", "/statistic/000-0505",
         "/derivation/a796d86576b7d399"]   # why kidney cancer reaches the central nervous system


class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.controls: list[tuple[str, dict]] = []      # inputs, selects, textareas
        self.labelled: set[str] = set()                  # ids named by <label for=…>
        self.in_label = 0
        self.links_without_href = 0
        self.clickables = 0                              # onclick on elements a keyboard cannot reach

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.headings.append(int(tag[1]))
        elif tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.labelled.add(a["for"])
        elif tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append((tag, a | {"_wrapped": str(self.in_label > 0)}))
        elif tag == "a" and "href" not in a:
            self.links_without_href += 1
        if "onclick" in a and tag not in ("a", "button"):
            self.clickables += 1

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1


@pytest.mark.parametrize("path", PAGES)
def test_one_h1_no_skipped_levels_labelled_controls(default_server, path):
    status, _, page = default_server.request(path, headers={"Accept": "text/html"})
    assert status == 200
    outline = Outline()
    outline.feed(page.decode("utf-8"))
    assert outline.headings[0] == 1 and outline.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(outline.headings, outline.headings[1:])), outline.headings
    for tag, attrs in outline.controls:
        assert (attrs["_wrapped"] == "True" or attrs.get("id") in outline.labelled or attrs.get("aria-label")), (tag, attrs)
    assert outline.links_without_href == 0 and outline.clickables == 0


def test_every_page_is_listed():
    assert len(PAGES) == 11
