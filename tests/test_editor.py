"""The query editor (issue 15, item 3): YASGUI vendored in the package, served by us alone, run in Chromium."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import urllib.parse
from pathlib import Path

import pytest

from conftest import CHROMIUM, ROOT, browse

YASGUI = ROOT / "src" / "bonemet" / "serve" / "static" / "yasgui"


@pytest.fixture(scope="module")
def server(default_server):
    return default_server


def test_vendored_files_match_their_pins():
    pins = [line.split() for line in (YASGUI / "SHA256SUMS").read_text().splitlines()]
    assert sorted(name for _, name in pins) == ["yasgui.min.css", "yasgui.min.js"]
    for digest, name in pins:
        assert hashlib.sha256((YASGUI / name).read_bytes()).hexdigest() == digest, name
    assert "MIT License" in (YASGUI / "LICENSE").read_text() and "4.6.2" in (YASGUI / "README.md").read_text()


def test_editor_page_offers_every_example_and_links_the_plain_query_page(server):
    status, headers, page = server.request("/editor")
    text = page.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert text.count("<option value=") == len(list(ROOT.glob("queries/*.rq"))) == 38
    assert 'href="/query"' in text and '"/static/yasgui/yasgui.min.js"' in text
    assert json.dumps(server.url + "/sparql") in text          # our endpoint, not YASGUI's default
    _, _, plain = server.request("/query")
    assert b'href="/editor"' in plain


@pytest.mark.parametrize("name, media", [("yasgui.min.js", "text/javascript"), ("yasgui.min.css", "text/css")])
def test_assets_are_served_as_static_files(server, name, media):
    status, headers, body = server.request(f"/static/yasgui/{name}")
    assert status == 200 and headers["Content-Type"].startswith(media) and "Content-Disposition" not in headers
    assert body == (YASGUI / name).read_bytes()
    status, _, _ = server.request(f"/static/yasgui/{name}", headers={"If-None-Match": headers["ETag"]})
    assert status == 304
    assert server.request("/static/yasgui/README.md")[0] == 404


def page_requests(netlog: Path) -> list[str]:
    """URLs the page itself asked for (Chromium's own background requests carry no page origin)."""
    log = json.loads(netlog.read_text())
    start = next(v for k, v in log["constants"]["logEventTypes"].items() if k == "URL_REQUEST_START_JOB")
    return [e["params"]["url"] for e in log["events"]
            if e.get("type") == start and e.get("params", {}).get("initiator") not in (None, "not an origin")]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test installs it)")
def test_editor_runs_an_example_in_chromium_from_our_server_alone(server, built):
    url = server.url + "/editor?run"
    with tempfile.TemporaryDirectory() as tmp:
        netlog = Path(tmp) / "net.json"
        dom = browse(url, f"--log-net-log={netlog}")
        shot = built.out.parent / "screenshots" / "editor.png"
        shot.parent.mkdir(exist_ok=True)
        browse(url, f"--screenshot={shot}", "--window-size=1280,1100")
        requests = page_requests(netlog)
    # the first example (cancers that spread to the spine) ran, and its answer is in YASR's result table
    table = dom.split('class="dataTable', 1)[1].split("</table>", 1)[0]
    # our IRIs show their labels and link to this server's pages
    assert ">breast cancer</a>" in table and ">lung cancer</a>" in table
    assert f'href="{server.url}/entity/BreastCancer"' in table and 'href="https://w3id.org' not in table
    hosts = {urllib.parse.urlsplit(u).netloc for u in requests}
    assert hosts == {f"127.0.0.1:{server.port}"}, requests
    paths = {urllib.parse.urlsplit(u).path for u in requests}
    assert {"/static/yasgui/yasgui.min.js", "/static/yasgui/yasgui.min.css", "/sparql"} <= paths
    assert shot.stat().st_size > 10_000
    review = ROOT / "dist" / "screenshots"
    review.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, review / shot.name)
