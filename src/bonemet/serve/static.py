"""The release's files as a web server should serve them: validators, ranges, precompressed gzip.

Independent of the HTTP transport: `StaticFiles.respond` takes the method, the file name and the request
headers and returns status, headers and body. The files are hashed and gzipped once when the server
starts, not per request; `ETag` is the file's SHA-256 (another tag for the gzipped form, since it is a
different representation), `Last-Modified` its modification time. Ranges (RFC 9110 §14) are served on
the uncompressed file only, one range per request; a request for several gets the whole file (allowed).
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from bonemet.formats import download_type

GZIP_MIN_BYTES = 1024   # below this, gzip's header costs more than it saves


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes = b""


@dataclass(frozen=True)
class StaticFile:
    name: str
    data: bytes
    gzipped: bytes | None
    etag: str
    last_modified: float
    media_type: str

    @property
    def gzip_etag(self) -> str:
        return self.etag[:-1] + '-gzip"'


ASSET_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def asset_type(name: str) -> str | None:
    """The media type of a page asset (script or style sheet) by its suffix; None for anything else."""
    return ASSET_TYPES.get(Path(name).suffix)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """True when the client accepts gzip with a q-value above 0 (explicitly, or through `*`).

    >>> [accepts_gzip(h) for h in ("gzip", "gzip;q=0", "br, *;q=0.5", "deflate", "*;q=0, gzip;q=0.1", None)]
    [True, False, True, False, True, False]
    """
    q_of: dict[str, float] = {}
    for part in (accept_encoding or "").split(","):
        coding, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if coding:
            q_of[coding.lower()] = q
    if "gzip" in q_of:
        return q_of["gzip"] > 0
    return q_of.get("*", 0.0) > 0


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """One byte range as (first, last), inclusive; None when the header is not one range we serve
    (the whole file is sent); "unsatisfiable" when no byte of it is in the file (416).

    >>> [parse_range(h, 100) for h in ("bytes=0-9", "bytes=90-", "bytes=-5", "bytes=95-200", "bytes=200-",
    ...                                "bytes=0-1,5-6", "items=0-1", "bytes=5-1")]
    [(0, 9), (90, 99), (95, 99), (95, 99), 'unsatisfiable', None, None, None]
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first_text, dash, last_text = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if not first_text:                       # the last N bytes
            n = int(last_text)
            return (max(size - n, 0), size - 1) if n > 0 and size else "unsatisfiable"
        first = int(first_text)
        last = int(last_text) if last_text else size - 1
    except ValueError:
        return None
    if first < 0 or (last_text and last < first):
        return None
    if first >= size:
        return "unsatisfiable"
    return first, min(last, size - 1)


def _matches(if_none_match: str, etags: tuple[str, ...]) -> bool:
    """Weak comparison, as If-None-Match uses: W/"x" matches "x"."""
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or any(e in tags for e in etags)


def _not_modified_since(header: str, last_modified: float) -> bool:
    try:
        since = parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError, IndexError):
        return False
    return int(last_modified) <= since


@dataclass
class StaticFiles:
    files: dict[str, StaticFile] = field(default_factory=dict)
    attachment: bool = True        # downloads (the release); False for the pages' own scripts and styles

    @classmethod
    def load(cls, folder: Path, media_type_of: Callable[[str], str | None] = download_type,
             attachment: bool = True) -> StaticFiles:
        """Every servable file of a folder (a release, or the pages' assets), hashed and gzipped once."""
        def one(path: Path) -> StaticFile:
            data = path.read_bytes()
            gzipped = gzip.compress(data, mtime=0) if len(data) >= GZIP_MIN_BYTES else None
            return StaticFile(path.name, data, gzipped, f'"{hashlib.sha256(data).hexdigest()[:32]}"',
                              path.stat().st_mtime, media_type_of(path.name) or "")

        servable = [p for p in sorted(folder.iterdir()) if p.is_file() and media_type_of(p.name) is not None]
        # zlib and hashlib let go of the GIL: the files compress side by side, which start-up feels
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            return cls({f.name: f for f in pool.map(one, servable)}, attachment)

    def sizes(self) -> list[tuple[str, int | None]]:
        return [(f.name, len(f.data)) for f in self.files.values()]

    def respond(self, method: str, name: str, headers: dict[str, str]) -> Response | None:
        """The answer for GET/HEAD of a file, or None when there is no such file."""
        f = self.files.get(name)
        if f is None:
            return None
        get = {k.lower(): v for k, v in headers.items()}.get
        use_gzip = f.gzipped is not None and accepts_gzip(get("accept-encoding")) and not get("range")
        etag = f.gzip_etag if use_gzip else f.etag
        common = {"ETag": etag, "Last-Modified": formatdate(f.last_modified, usegmt=True), "Accept-Ranges": "bytes",
                  "Vary": "Accept-Encoding"}
        if self.attachment:
            common["Content-Disposition"] = f'attachment; filename="{f.name}"'
        if_none_match = get("if-none-match")
        if (if_none_match is not None and _matches(if_none_match, (etag,))) or (
                if_none_match is None and get("if-modified-since")
                and _not_modified_since(get("if-modified-since") or "", f.last_modified)):
            return Response(304, common)
        common["Content-Type"] = f.media_type
        if use_gzip:
            assert f.gzipped is not None
            return Response(200, common | {"Content-Encoding": "gzip"}, f.gzipped)
        wanted = get("range")
        if_range = get("if-range")
        if wanted and (if_range is None or if_range.strip() == f.etag):
            span = parse_range(wanted, len(f.data))
            if span == "unsatisfiable":
                return Response(416, common | {"Content-Range": f"bytes */{len(f.data)}"})
            if isinstance(span, tuple):
                first, last = span
                return Response(206, common | {"Content-Range": f"bytes {first}-{last}/{len(f.data)}"},
                                f.data[first:last + 1])
        return Response(200, common, f.data)
