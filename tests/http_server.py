"""A local HTTP server for download tests: routes answer with fixed bodies, statuses, redirects, delays, or
huge streamed bodies; every request is recorded (path and headers) so tests can see retries and conditional
GETs. Serves on 127.0.0.1; "localhost" reaches the same server under another host name (a foreign host)."""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a stalled server)
    stream: Callable[[], Iterator[bytes]] | None = None  # a body sent in chunks, without Content-Length
    etag: str | None = None  # answer 304 to a matching If-None-Match


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-body (a size cap, a timeout) is expected here, not an error to print."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class FixtureServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                server.requests.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    self._answer(404, b"not found")
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self._answer(304, b"", {"ETag": route.etag})
                    return
                headers = dict(route.headers)
                if route.etag:
                    headers["ETag"] = route.etag
                    headers.setdefault("Last-Modified", formatdate(0, usegmt=True))
                if route.stream is not None:
                    self.send_response(route.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    try:
                        for chunk in route.stream():
                            self.wfile.write(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client stopped reading: what a size cap does
                    self.close_connection = True
                    return
                self._answer(route.status, route.body, headers)

            def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if "Content-Length" not in (headers or {}):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(body)

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def zeros(total: int, chunk: int = 1 << 20) -> Callable[[], Iterator[bytes]]:
    """A body of `total` zero bytes, produced lazily (a 2 GB body costs nothing unless it is read)."""

    def produce() -> Iterator[bytes]:
        block = b"\0" * chunk
        sent = 0
        while sent < total:
            piece = block[: min(chunk, total - sent)]
            sent += len(piece)
            yield piece

    return produce


def listing_page(*links: tuple[str, str]) -> bytes:
    """A publisher-like listing page: each (href, text) as a list item, beside unrelated documents."""
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>特別区長会</title></head><body>"
        "<h1>特別区の連携事業</h1><ul>"
        '<li><a href="/files/count.pdf">特別区連携自治体数一覧（令和8年3月31日現在） PDF（約395KB）</a></li>'
        f"{items}</ul></body></html>"
    ).encode()


class Receiver:
    """A webhook on 127.0.0.1 that records every POST (path, headers, JSON body) and answers `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.posts: list[tuple[str, dict[str, str], Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.posts.append((self.path, dict(self.headers), json.loads(body)))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
