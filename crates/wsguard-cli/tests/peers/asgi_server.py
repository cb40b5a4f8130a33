"""Real peer: a Starlette app under uvicorn whose WebSocket endpoint refuses before accept.

usage: asgi_server.py   (prints `PORT <n>` once listening on 127.0.0.1, serves until stdin
closes or 60 s pass). `/ws` closes with 4401 before `accept()` whatever the Origin (an auth
check); uvicorn turns that into HTTP 403. Any other path has no WebSocket route (403 too).
"""
import asyncio
import socket
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute


async def refuse(websocket):
    await websocket.close(code=4401)


app = Starlette(routes=[WebSocketRoute("/ws", refuse)])


async def main():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    serving = asyncio.ensure_future(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait_for(loop.run_in_executor(None, sys.stdin.read), timeout=60)
    finally:
        server.should_exit = True
        await serving


try:
    asyncio.run(main())
except (asyncio.TimeoutError, KeyboardInterrupt):
    pass
