"""The Python backends of the fault matrix, in one process on 127.0.0.1 (ports chosen free):

* ``fastapi``  — FastAPI + uvicorn, no guard. ``/ws`` echoes; ``/ws/refuse-before`` closes
  with 4401 before ``accept`` (application code refusing a missing token, as tutorials
  show); ``/ws/refuse-after`` accepts, then closes with 4401. Every other path has no route.
* ``guarded``  — the same app behind ``wsguard.asgi.WebSocketGuard`` (allowed origin
  ``https://app.example.com``; ``/ws/token`` also needs a token, see ``GUARD_TOKEN``).
* ``seed``     — the guarded app with ``ws://localhost:8000`` as its allowed origin, or
  ``seed=refused:<code>`` in the READY line when ``OriginPolicy`` refuses that entry.
* ``own_origin`` — the guarded app allowing ``http://localhost:8000``, the backend's own origin.
* ``websockets`` — a ``websockets`` server with ``origins=["https://app.example.com"]``.
* ``http``     — a plain HTTP server (a web page, no WebSocket anywhere).
* ``blackhole`` — accepts TCP connections and never answers (nginx's 504 upstream).

Prints one line ``READY fastapi=<port> guarded=<port> websockets=<port> http=<port>
blackhole=<port> seed=<port>`` and serves until killed.
"""

from __future__ import annotations

import asyncio
import http.server
import logging
import socket
import sys
import threading

import uvicorn
import websockets.asyncio.server as ws_server
from fastapi import FastAPI, WebSocket

import wsguard
from wsguard.asgi import WebSocketGuard

ALLOWED = "https://app.example.com"
GUARD_TOKEN = "s3cret"
SEED_ORIGIN = "ws://localhost:8000"
OWN_ORIGIN = "http://localhost:8000"


def make_app() -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def echo(ws: WebSocket) -> None:
        await ws.accept()
        try:
            while True:
                await ws.send_text(await ws.receive_text())
        except Exception:
            return

    @app.websocket("/ws/token")
    async def token_echo(ws: WebSocket) -> None:
        await echo(ws)

    @app.websocket("/ws/refuse-before")
    async def refuse_before(ws: WebSocket) -> None:
        # "no token → close(4401)" before accept: the ASGI server can only answer 403.
        await ws.close(code=4401)

    @app.websocket("/ws/refuse-after")
    async def refuse_after(ws: WebSocket) -> None:
        await ws.accept()
        await ws.close(code=4401, reason="token required")

    @app.get("/")
    async def index() -> dict:
        return {"app": "matrix"}

    return app


def seed_app() -> object:
    """The seed mistake of issue 12: the backend's own ws:// URL in the allowed origins.
    Raises when the policy refuses the entry at construction (what item 4 asks for)."""
    return WebSocketGuard(make_app(), policy=wsguard.OriginPolicy(allow=[SEED_ORIGIN]))


def own_origin_app() -> object:
    """The seed mistake "fixed" the way a reader of the old linter would: the backend's own
    origin (``http://localhost:8000``) instead of the page's (``http://localhost:3000``)."""
    return WebSocketGuard(make_app(), policy=wsguard.OriginPolicy(allow=[OWN_ORIGIN]))


def guarded_app() -> object:
    inner = make_app()
    policy = wsguard.OriginPolicy(allow=[ALLOWED])
    open_paths = WebSocketGuard(inner, policy=policy)
    token_paths = WebSocketGuard(inner, policy=policy, require_token=True)

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "websocket" and scope.get("path") == "/ws/token":
            await token_paths(scope, receive, send)
        else:
            await open_paths(scope, receive, send)

    return app


class Page(http.server.BaseHTTPRequestHandler):
    """A web server that knows nothing about WebSocket."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = b"<!doctype html><title>matrix page</title><p>a plain web page</p>\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt: str, *args: object) -> None:
        pass


def free_socket() -> socket.socket:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    return s


async def ws_echo(conn) -> None:  # type: ignore[no-untyped-def]
    async for msg in conn:
        await conn.send(msg)


async def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    servers, tasks = [], []
    ports = {}
    apps = [("fastapi", make_app()), ("guarded", guarded_app()), ("own_origin", own_origin_app())]
    try:
        apps.append(("seed", seed_app()))
    except wsguard.WsguardError as e:
        ports["seed"] = "refused:" + e.code
    for name, app in apps:
        sock = free_socket()
        ports[name] = sock.getsockname()[1]
        cfg = uvicorn.Config(app, log_level="warning", lifespan="off")
        srv = uvicorn.Server(cfg)
        servers.append(srv)
        tasks.append(asyncio.ensure_future(srv.serve(sockets=[sock])))

    wss = await ws_server.serve(ws_echo, "127.0.0.1", 0, origins=[ALLOWED])
    ports["websockets"] = wss.sockets[0].getsockname()[1]

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    ports["http"] = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    hole = free_socket()
    hole.listen(64)
    ports["blackhole"] = hole.getsockname()[1]
    held = []

    def swallow() -> None:
        while True:
            conn, _ = hole.accept()
            held.append(conn)  # never answered, never closed

    threading.Thread(target=swallow, daemon=True).start()

    while not all(s.started for s in servers):  # uvicorn's startup
        await asyncio.sleep(0.02)
    print("READY " + " ".join(f"{k}={v}" for k, v in ports.items()), flush=True)
    await asyncio.gather(*tasks)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
