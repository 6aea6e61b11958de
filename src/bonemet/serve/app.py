"""`bonemet serve` as an ASGI application: framing and body limits here, the routes in bonemet.serve.routes.

The HTTP server in front (granian, see docs/decisions/20261207-http-server.md) parses requests, frames
bodies (Content-Length or chunked), answers `Expect: 100-continue`, and drops slow and idle
connections. This adapter reads the body within `--max-body`, runs the route on a bounded
thread pool — routes block on a query worker, and a bounded pool means a bounded number of
threads whatever the number of connections — and writes the reply.
"""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor

from bonemet.serve.routes import Exchange, Pending, Reply, text_reply
from bonemet.serve.site import Site

READS_BODY = {"POST"}   # other methods are answered without their body; the server discards it


class App:
    def __init__(self, site: Site, threads: int):
        self.site = site
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="bonemet-route")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
        elif scope["type"] == "http":
            reply = await self.respond(scope, receive)
            await self.write(scope, reply, send)

    async def lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.pool.shutdown(wait=False, cancel_futures=True)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def respond(self, scope, receive) -> Reply:
        method = scope["method"]
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        path = scope.get("raw_path") or scope["path"].encode("utf-8")
        target = path.decode("latin-1") + ("?" + scope["query_string"].decode("latin-1") if scope["query_string"] else "")
        body = b""
        if method in READS_BODY:
            body, refusal = await self.read_body(headers, receive)
            if refusal is not None:
                return refusal
        exchange = Exchange(self.site, method, target, headers, body)
        try:
            if scope["path"] == "/sparql":      # light until the query: on the loop, with no thread hand-off
                result = exchange.handle()
            else:                               # pages may block on several queries and render for milliseconds
                result = await asyncio.get_running_loop().run_in_executor(self.pool, exchange.handle)
            if isinstance(result, Pending):
                answer = await self.site.engine.arun(result.query, **result.options)
                if len(answer.body) < 262_144:
                    return result.finish(answer)
                # compressing a large answer takes milliseconds: not on the loop
                return await asyncio.get_running_loop().run_in_executor(self.pool, result.finish, answer)
            return result
        except Exception as exc:  # noqa: BLE001 - a bug in one route answers 500 for that request; the server goes on
            print(f"bonemet serve: internal error on {method} {target[:200]}: {exc!r}", file=sys.stderr)
            return text_reply(500, "internal server error")

    async def read_body(self, headers: dict[str, str], receive) -> tuple[bytes, Reply | None]:
        """The body within --max-body, or the reply refusing it.

        A moderately oversized body (up to 64 times the limit) is read and dropped so that the
        client, still sending, reads the 413 instead of a reset connection; a larger one, or one
        whose client waits for `100 Continue`, is refused at once. Either way the server knows the
        framing and closes the connection, so an unread body is never taken for a next request."""
        limit = self.site.limits.max_body_bytes
        too_large = text_reply(413, f"the request body is over the limit of {limit} bytes", {"Connection": "close"})
        try:
            declared = int(headers.get("content-length", "0"))
        except ValueError:
            return b"", text_reply(400, "Content-Length is not a number")
        drain = "100-continue" not in headers.get("expect", "").lower() and declared <= 64 * limit
        if declared > limit and not drain:
            return b"", too_large
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"", Reply(499)
            size += len(message.get("body", b""))
            if size <= limit:
                chunks.append(message.get("body", b""))
            elif not drain or size > 64 * limit:
                return b"", too_large
            if not message.get("more_body"):
                return (b"", too_large) if size > limit else (b"".join(chunks), None)

    @staticmethod
    async def write(scope, reply: Reply, send) -> None:
        if reply.status == 499:   # the client has gone
            return
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()]
        if reply.status not in (204, 304):
            headers.append((b"content-length", str(len(reply.body)).encode()))
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else reply.body})
