"""Real peer: a Python `websockets` echo server for `wsguard probe`.

usage: ws_server.py   (prints `PORT <n>` once listening on 127.0.0.1, serves until stdin closes
or 60 s pass). Only https://app.example.com may connect (websockets answers 403 otherwise).
"""
import asyncio
import sys

from websockets.asyncio.server import serve


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def main():
    async with serve(echo, "127.0.0.1", 0, origins=["https://app.example.com"]) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        loop = asyncio.get_running_loop()
        stdin_closed = loop.run_in_executor(None, sys.stdin.read)
        await asyncio.wait_for(stdin_closed, timeout=60)


try:
    asyncio.run(main())
except (asyncio.TimeoutError, KeyboardInterrupt):
    pass
