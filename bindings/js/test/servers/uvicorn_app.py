"""FastAPI + ``wsguard.asgi.WebSocketGuard`` under uvicorn, for the browser tests.

``python uvicorn_app.py [PORT]`` binds 127.0.0.1:PORT (0: a free port), prints
``listening on http://127.0.0.1:<port>`` and serves until killed. Configuration from the
environment: ``WSGUARD_TEST_ALLOWED`` (comma-separated allowed origins),
``WSGUARD_TEST_TOKEN=1`` (a token is required, in the ``token`` query parameter),
``WSGUARD_EXPLAIN`` (read by the guard itself: off, public, full).

``/ws`` echoes text messages; the message ``restart`` makes the server close with 1012
(Service Restart), as a server does before it restarts.
"""

import os
import socket
import sys

import uvicorn
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from wsguard import OriginPolicy
from wsguard.asgi import WebSocketGuard

SERVICE_RESTART = 1012  # what a restarting server sends (RFC 6455 §7.4, IANA registry)

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            if text == "restart":
                await websocket.close(code=SERVICE_RESTART, reason="restarting")
                return
            await websocket.send_text(text)
    except WebSocketDisconnect:
        pass


guarded = WebSocketGuard(
    app,
    policy=OriginPolicy(allow=[o for o in os.environ.get("WSGUARD_TEST_ALLOWED", "").split(",") if o]),
    require_token=os.environ.get("WSGUARD_TEST_TOKEN") == "1",
    token_query="token",
)

if __name__ == "__main__":
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0))
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(guarded, ws="websockets", lifespan="off", log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
