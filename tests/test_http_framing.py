"""HTTP framing and hostile clients, on raw sockets against the real server (issue 14).

No HTTP client library here: each test writes the bytes a client (or an attacker) would and reads
what comes back, so nothing smooths over how the server frames requests and responses.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from conftest import Server

HEADER_TIMEOUT = 2.0
MAX_QUERY = 5_000
MAX_BODY = 20_000
MAX_CONNECTIONS = 300   # above the 256 slow clients, below the 600 that connect at once
ASK = "ASK { ?s ?p ?o }"
SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.fixture(scope="module")
def server(built):
    s = Server(built.out, "--header-timeout", str(HEADER_TIMEOUT), "--max-query-length", str(MAX_QUERY),
               "--max-body", str(MAX_BODY), "--max-connections", str(MAX_CONNECTIONS))
    yield s
    s.stop()


def connect(server, timeout: float = 10.0) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    return sock


class Reader:
    """Reads HTTP/1.1 responses off a socket: status, headers (lower-case names), body by Content-Length."""

    def __init__(self, sock: socket.socket):
        self.sock, self.buf = sock, b""

    def _fill(self) -> bool:
        try:
            chunk = self.sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            return False
        self.buf += chunk
        return bool(chunk)

    def response(self, head_request: bool = False) -> tuple[int, dict[str, str], bytes] | None:
        while b"\r\n\r\n" not in self.buf:
            if not self._fill():
                return None
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        if head_request or status in (100, 204, 304):
            return status, headers, b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                while b"\r\n" not in self.buf:
                    if not self._fill():
                        return None
                size_line, self.buf = self.buf.split(b"\r\n", 1)
                size = int(size_line.split(b";")[0], 16)
                while len(self.buf) < size + 2:
                    if not self._fill():
                        return None
                body, self.buf = body + self.buf[:size], self.buf[size + 2:]
                if size == 0:
                    return status, headers, body
        n = int(headers.get("content-length", "0"))
        while len(self.buf) < n:
            if not self._fill():
                return None
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, headers, body

    def all(self, wait: float = 1.5) -> list[tuple[int, dict[str, str], bytes]]:
        """Every response until the server closes the connection or stays silent for `wait` seconds."""
        self.sock.settimeout(wait)
        out = []
        while (r := self.response()) is not None:
            out.append(r)
        return out


def exchange(server, raw: bytes, wait: float = 1.5) -> list[tuple[int, dict[str, str], bytes]]:
    with connect(server) as sock:
        sock.sendall(raw)
        return Reader(sock).all(wait)


def post(path: str, body: bytes, ctype: str = "application/sparql-query", extra: str = "", method: str = "POST") -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
            f"{extra}\r\n").encode() + body


# ------------------------------------------------------------------ a refused body is never a request

REFUSED = {
    "SPARQL Update": post("/sparql", b"INSERT DATA {} " + SMUGGLED, "application/sparql-update"),
    "update form": post("/sparql", b"update=x&" + SMUGGLED, "application/x-www-form-urlencoded"),
    "PUT": post("/sparql", SMUGGLED, method="PUT"),
    "DELETE": post("/sparql", SMUGGLED, method="DELETE"),
    "PATCH": post("/entity/Femur", SMUGGLED, method="PATCH"),
    "POST to a page": post("/", SMUGGLED),
    "POST to an entity": post("/entity/Femur", SMUGGLED),
    "POST to a dump": post("/dumps/bonemet.ttl", SMUGGLED),
    "unsupported type": post("/sparql", SMUGGLED, "text/plain"),
    "bad charset": post("/sparql", SMUGGLED, "application/sparql-query; charset=latin-1"),
    "malformed query": post("/sparql", b"SELECT " + SMUGGLED),
    "413 declared": post("/sparql", SMUGGLED + b"#" * (MAX_BODY + 10)),
    "413 declared, far over": (f"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                               f"Content-Length: {100 * MAX_BODY}\r\n\r\n").encode() + SMUGGLED,
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_refused_request_body_is_never_parsed_as_a_request(server, case):
    responses = exchange(server, REFUSED[case])
    assert len(responses) == 1, [(s, b[:80]) for s, _, b in responses]
    assert 400 <= responses[0][0] < 500


def test_every_refusal_case_is_listed():
    assert len(REFUSED) == 13


def test_transfer_encoding_with_content_length_gets_one_response(server):
    chunked = b"7\r\nASK {}\n\r\n0\r\n\r\n"
    raw = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
           b"Transfer-Encoding: chunked\r\nContent-Length: " + str(len(chunked)).encode() + b"\r\n\r\n" + chunked)
    responses = exchange(server, raw + SMUGGLED)
    # RFC 9112 6.1: framed by the chunked coding (or refused with 400), and the connection MUST be closed
    # after the response, so nothing sent after it is ever answered
    assert [status for status, _, _ in responses] in ([200], [400])
    smuggled_in_body = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                        b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n" + SMUGGLED)
    assert len(exchange(server, smuggled_in_body)) == 1


def test_chunked_query_body_is_accepted(server):
    query = b"SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c }"
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(query[i:i + 7]), query[i:i + 7]) for i in range(0, len(query), 7))
    raw = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
           b"Accept: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")
    [(status, _, body)] = exchange(server, raw)
    assert status == 200 and body.splitlines()[0] == b"n" and int(body.splitlines()[1]) > 1000


def test_pipelined_requests_get_their_responses_in_order(server):
    first = post("/sparql", b"SELECT ?x WHERE { VALUES ?x { 1 } }", extra="Accept: text/csv\r\n")
    second = post("/sparql", b"SELECT ?y WHERE { VALUES ?y { 2 } }", extra="Accept: text/csv\r\n")
    third = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n"
    responses = exchange(server, first + second + third)
    assert [(s, b.split()) for s, _, b in responses] == [(200, [b"x", b"1"]), (200, [b"y", b"2"]), (200, [b"true"])]


# ------------------------------------------------------------------ slow, idle and many clients

def test_slow_clients_do_not_hold_up_others_and_are_dropped(server):
    dribblers = [connect(server) for _ in range(256)]
    try:
        for sock in dribblers:
            sock.sendall(b"GET /sparql?query=ASK")
        time.sleep(0.5)
        for sock in dribblers:
            sock.sendall(b"%7B")               # still no end of the headers
        start = time.monotonic()
        [(status, _, body)] = exchange(server, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n"
                                               b"Accept: text/csv\r\nConnection: close\r\n\r\n")
        assert status == 200 and body.strip() == b"true"
        assert time.monotonic() - start < 1.0
        # past the header time-out every one of them is dropped (a 408 or a plain close)
        deadline = time.monotonic() + HEADER_TIMEOUT + 3
        for sock in dribblers:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                data = sock.recv(1024)
            except TimeoutError:
                pytest.fail("a connection with incomplete headers outlived the header time-out")
            assert data == b"" or data.startswith(b"HTTP/1.1 408")
    finally:
        for sock in dribblers:
            sock.close()


def test_idle_keep_alive_connections_are_closed(server):
    with connect(server) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n")
        reader = Reader(sock)
        assert reader.response()[0] == 200
        start = time.monotonic()
        sock.settimeout(HEADER_TIMEOUT + 5)
        assert sock.recv(1024) == b""       # closed by the server, not by this timeout
        assert time.monotonic() - start < HEADER_TIMEOUT + 2


def threads_of(pid: int) -> int:
    return int(next(line.split()[1] for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                    if line.startswith("Threads:")))


def test_600_clients_at_once_get_200_or_503_and_threads_stay_bounded(server):
    before = threads_of(server.proc.pid)
    statuses: list[int | None] = [None] * 600
    most_threads = [before]

    def client(k: int) -> None:
        try:
            responses = exchange(server, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n"
                                         b"Connection: close\r\n\r\n", wait=60)
            statuses[k] = responses[0][0] if responses else 0
        except OSError:
            statuses[k] = -1

    clients = [threading.Thread(target=client, args=(k,)) for k in range(600)]
    for t in clients:
        t.start()
    while any(t.is_alive() for t in clients):
        most_threads.append(threads_of(server.proc.pid))
        time.sleep(0.05)
    for t in clients:
        t.join()
    assert set(statuses) <= {200, 503}, sorted(set(statuses), key=str)
    assert statuses.count(200) > 0
    assert max(most_threads) <= before + 8, (before, max(most_threads))   # no thread per connection
    [(status, _, _)] = exchange(server, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 200


# ------------------------------------------------------------------ malformed requests

MALFORMED = {
    "garbage request line": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n",
    "no version": b"GET /\r\n\r\n",
    "NUL in the path": b"GET /entity/Fe\x00mur HTTP/1.1\r\nHost: x\r\n\r\n",
    "NUL percent-encoded": b"GET /entity/Fe%00mur HTTP/1.1\r\nHost: x\r\n\r\n",
    "unknown method": b"BREW /sparql HTTP/1.1\r\nHost: x\r\n\r\n",
    "headers over the limit": b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 600_000 + b"\r\n\r\n",
    "bad header line": b"GET / HTTP/1.1\r\nHost x\r\n\r\n",
    "bad Content-Length": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\nASK {}",
}
EXPECTED = {"headers over the limit": {431}, "unknown method": {400, 405, 501}}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_requests_get_a_4xx_and_the_service_stays_up(server, case):
    responses = exchange(server, MALFORMED[case])
    assert len(responses) == 1
    status = responses[0][0]
    assert status in EXPECTED.get(case, set(range(400, 500))), status
    [(status, _, _)] = exchange(server, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 200


def test_every_malformed_case_is_listed():
    assert len(MALFORMED) == 8


def test_head_has_headers_and_no_body(server):
    for path in (b"/", b"/sparql?query=ASK%7B%7D", b"/dumps/bonemet.ttl", b"/entity/Femur"):
        with connect(server) as sock:
            sock.sendall(b"HEAD " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n"
                         b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\n\r\n")
            reader = Reader(sock)
            status, headers, _ = reader.response(head_request=True)
            assert status == 200 and int(headers["content-length"]) > 0
            # the next response starts right after the head: had a body been sent, it would be read here
            status, _, body = reader.response()
            assert (status, body.strip()) == (200, b"true")


def test_expect_100_continue(server):
    body = ASK.encode()
    with connect(server) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Accept: text/csv\r\nExpect: 100-continue\r\nContent-Length: " + str(len(body)).encode()
                     + b"\r\n\r\n")
        reader = Reader(sock)
        assert reader.response()[0] == 100
        sock.sendall(body)
        status, _, answer = reader.response()
        assert status == 200 and answer.strip() == b"true"
    # a body over the limit is refused on its headers: the client never has to send it
    with connect(server) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Expect: 100-continue\r\nContent-Length: " + str(MAX_BODY + 1).encode() + b"\r\n\r\n")
        assert Reader(sock).response()[0] == 413


# ------------------------------------------------------------------ the query length limit, GET and POST alike

@pytest.mark.parametrize("length, get_status, post_status", [(MAX_QUERY - 10, 200, 200), (MAX_QUERY + 10, 414, 413)])
def test_get_and_post_honour_max_query_length(server, length, get_status, post_status):
    query = "ASK {} #" + "x" * (length - 8)
    assert len(query) == length
    get = f"GET /sparql?query={urllib.parse.quote(query)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    [(status, _, _)] = exchange(server, get.encode())
    assert status == get_status
    [(status, _, _)] = exchange(server, post("/sparql", query.encode(), extra="Connection: close\r\n"))
    assert status == post_status


def test_get_queries_reach_the_limit_check_up_to_the_uri_ceiling(built):
    """The HTTP server refuses a request target over 65,534 bytes (the `http` crate's limit) with 414, as
    the standard library's 65,536-byte request line did: longer queries go by POST (SPARQL 1.1 Protocol 2.1.2)."""
    s = Server(built.out, "--max-query-length", "100000")
    try:
        def get(n: int) -> int:
            query = "ASK {} #" + "x" * (n - 8)
            raw = f"GET /sparql?query={urllib.parse.quote(query)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            [(status, _, _)] = exchange(s, raw.encode())
            return status
        assert [get(60_000), get(70_000)] == [200, 414]
        [(status, _, _)] = exchange(s, post("/sparql", ("ASK {} #" + "x" * 69_992).encode(), extra="Connection: close\r\n"))
        assert status == 200
    finally:
        s.stop()


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        kids = [int(p) for p in os.popen(f"pgrep -P {todo.pop()}").read().split()]
        out += kids
        todo += kids
    return out


def alive(pid: int) -> bool:
    try:
        return "\tZ" not in Path(f"/proc/{pid}/status").read_text().split("State:")[1].splitlines()[0]
    except (FileNotFoundError, IndexError):
        return False


def test_no_worker_process_outlives_the_server(built):
    s = Server(built.out, "--workers", "3")
    [(status, _, _)] = exchange(s, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    family = descendants(s.proc.pid)
    assert status == 200 and len(family) >= 4     # the loader and three query workers
    s.stop()
    deadline = time.monotonic() + 5
    while any(alive(p) for p in family) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in family if alive(p)]
