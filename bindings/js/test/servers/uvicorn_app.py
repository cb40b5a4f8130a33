"""FastAPI + ``wsguard.asgi.WebSocketGuard`` under uvicorn, for the browser tests.

``python uvicorn_app.py [PORT]`` binds 127.0.0.1:PORT (0: a free port), prints
``listening on http://127.0.0.1:<port>`` and serves until killed. Configuration from the
environment: ``WSGUARD_TEST_ALLOWED`` (comma-separated allowed origins),
``WSGUARD_TEST_TOKEN=1`` (a token is required, in the ``token`` query parameter),
``WSGUARD_EXPLAIN`` (read by the guard itself: off, public, full).

``/ws`` echoes text messages. On SIGTERM uvicorn closes open sockets with 1012 (Service
Restart): the browser test restarts this process for real.
"""

import os
import socket
import sys

import uvicorn
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from wsguard import OriginPolicy
from wsguard.asgi import WebSocketGuard

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
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
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts: "listening" is true
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(guarded, ws="websockets", lifespan="off", log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
