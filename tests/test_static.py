"""Dumps served as static files should be: validators and 304, ranges and 206/416, precompressed gzip chosen
by Accept-Encoding with q-values. In process on a folder of files, then over HTTP on the real server."""

import gzip
import http.client
import json
from email.utils import formatdate

import pytest

from bonemet.serve.static import StaticFiles
from conftest import Server


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("release")
    (folder / "big.nt").write_bytes(b"<http://e/s> <http://e/p> \"x\" .\n" * 200)
    (folder / "small.json").write_text('{"a": 1}\n', encoding="utf-8")
    (folder / "notes.txt").write_text("not served\n", encoding="utf-8")
    return StaticFiles.load(folder)


BIG = b"<http://e/s> <http://e/p> \"x\" .\n" * 200

# name: (request headers, status, body check)
CASES = {
    "plain": ({}, 200, lambda b: b == BIG),
    "gzip": ({"Accept-Encoding": "gzip, deflate"}, 200, lambda b: gzip.decompress(b) == BIG),
    "gzip-q0": ({"Accept-Encoding": "gzip;q=0, *"}, 200, lambda b: b == BIG),
    "star": ({"Accept-Encoding": "*"}, 200, lambda b: gzip.decompress(b) == BIG),
    "range": ({"Range": "bytes=0-9"}, 206, lambda b: b == BIG[:10]),
    "suffix-range": ({"Range": "bytes=-5"}, 206, lambda b: b == BIG[-5:]),
    "open-range": ({"Range": f"bytes={len(BIG) - 3}-"}, 206, lambda b: b == BIG[-3:]),
    "range-beats-gzip": ({"Range": "bytes=1-2", "Accept-Encoding": "gzip"}, 206, lambda b: b == BIG[1:3]),
    "unsatisfiable": ({"Range": f"bytes={len(BIG)}-"}, 416, lambda b: b == b""),
    "multi-range-whole": ({"Range": "bytes=0-1,4-5"}, 200, lambda b: b == BIG),
    "if-range-stale": ({"Range": "bytes=0-1", "If-Range": '"old"'}, 200, lambda b: b == BIG),
    "not-modified-since": ({"If-Modified-Since": formatdate(4102444800, usegmt=True)}, 304, lambda b: b == b""),
    "modified-since": ({"If-Modified-Since": formatdate(0, usegmt=True)}, 200, lambda b: b == BIG),
    "etag-star": ({"If-None-Match": "*"}, 304, lambda b: b == b""),
    "etag-other": ({"If-None-Match": '"nope"'}, 200, lambda b: b == BIG),
}


def test_case_count(files):
    assert len(CASES) == 15
    assert sorted(files.files) == ["big.nt", "small.json"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_respond(files, name):
    headers, status, check = CASES[name]
    response = files.respond("GET", "big.nt", headers)
    assert response.status == status and check(response.body)
    assert response.headers["Accept-Ranges"] == "bytes" and response.headers["Vary"] == "Accept-Encoding"


def test_validators_round_trip(files):
    first = files.respond("GET", "big.nt", {})
    assert files.respond("GET", "big.nt", {"If-None-Match": first.headers["ETag"]}).status == 304
    assert files.respond("GET", "big.nt", {"If-None-Match": "W/" + first.headers["ETag"]}).status == 304
    zipped = files.respond("GET", "big.nt", {"Accept-Encoding": "gzip"})
    assert zipped.headers["ETag"] != first.headers["ETag"]   # another representation, another tag
    assert files.respond("GET", "big.nt", {"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}).status == 304
    assert files.respond("GET", "big.nt", {"If-Modified-Since": first.headers["Last-Modified"]}).status == 304
    # If-None-Match wins over If-Modified-Since
    assert files.respond("GET", "big.nt", {"If-None-Match": '"x"', "If-Modified-Since": first.headers["Last-Modified"]}
                         ).status == 200


def test_small_files_are_not_gzipped_and_unknown_names_are_none(files):
    assert files.respond("GET", "small.json", {"Accept-Encoding": "gzip"}).headers.get("Content-Encoding") is None
    assert files.respond("GET", "notes.txt", {}) is None and files.respond("GET", "../big.nt", {}) is None


@pytest.fixture(scope="module")
def server(built):
    s = Server(built.out)
    yield s
    s.stop()


def raw(server, method, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(method, path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def test_dumps_over_http(server, built):
    data = (built.out / "bonemet.ttl").read_bytes()
    status, headers, body = raw(server, "GET", "/dumps/bonemet.ttl")
    assert status == 200 and body == data and headers["content-length"] == str(len(data))
    etag, modified = headers["etag"], headers["last-modified"]
    assert raw(server, "GET", "/dumps/bonemet.ttl", {"If-None-Match": etag})[:2][0] == 304
    assert raw(server, "GET", "/dumps/bonemet.ttl", {"If-Modified-Since": modified})[0] == 304
    status, headers, body = raw(server, "GET", "/dumps/bonemet.ttl", {"Range": "bytes=100-199"})
    assert status == 206 and body == data[100:200] and headers["content-range"] == f"bytes 100-199/{len(data)}"
    status, headers, body = raw(server, "GET", "/dumps/bonemet.ttl", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip" and gzip.decompress(body) == data
    status, headers, body = raw(server, "GET", "/dumps/bonemet.ttl", {"Accept-Encoding": "gzip;q=0"})
    assert status == 200 and "content-encoding" not in headers and body == data
    status, headers, body = raw(server, "HEAD", "/dumps/bonemet.ttl")
    assert status == 200 and body == b"" and headers["content-length"] == str(len(data))
    assert raw(server, "GET", "/dumps/nothing.ttl")[0] == 404
    report = json.loads(raw(server, "GET", "/dumps/build-report.json")[2])
    assert report["asserted_triples"] == len(built.asserted)


def test_dynamic_answers_honour_gzip_q0(server):
    status, headers, _ = raw(server, "GET", "/", {"Accept-Encoding": "gzip;q=0"})
    assert status == 200 and "content-encoding" not in headers
    status, headers, body = raw(server, "GET", "/", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip" and b"<h1>" in gzip.decompress(body)
