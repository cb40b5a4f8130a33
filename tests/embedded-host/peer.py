"""Real peers for the embedded host tests, all on 127.0.0.1, ports chosen by the OS.

* a `websockets` server (the reference Python implementation):
  - /echo echoes every message with its type, and obeys commands sent as text:
    `big:<n>` (a binary of n bytes, byte i = i % 251), `frag:<n>:<size>` (a text message
    sent as n fragments of `size` bytes of 'a'..), `ping:<payload>` (sends a ping, waits for
    the pong, then says `pong-ok:<payload>`), `close:<code>:<reason>` (closes with it);
  - /forbidden answers 403 with the body `origin_not_allowed: ...` (a wsguard-style body);
* a plain HTTP server that answers every request `200 OK` with an HTML page.

Prints `READY ws=<port> http=<port>` and runs until stdin closes or it is killed.
"""

import asyncio
import sys
from http import HTTPStatus

from websockets.asyncio.server import serve


async def handler(ws):
    async for msg in ws:
        if isinstance(msg, str):
            if msg.startswith("big:"):
                n = int(msg[4:])
                await ws.send(bytes(i % 251 for i in range(n)))
                continue
            if msg.startswith("frag:"):
                _, n, size = msg.split(":")
                parts = [chr(ord("a") + i % 26) * int(size) for i in range(int(n))]
                await ws.send(iter(parts))
                continue
            if msg.startswith("ping:"):
                payload = msg[5:].encode()
                waiter = await ws.ping(payload)
                await asyncio.wait_for(waiter, 5)
                await ws.send("pong-ok:" + msg[5:])
                continue
            if msg.startswith("close:"):
                _, code, reason = msg.split(":", 2)
                await ws.close(int(code), reason)
                return
        await ws.send(msg)


def process_request(connection, request):
    if request.path == "/forbidden":
        return connection.respond(
            HTTPStatus.FORBIDDEN,
            "origin_not_allowed: the Origin header is not in the allowlist\nfix: add it\n",
        )
    return None


async def plain_http(reader, writer):
    try:
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        body = b"<!doctype html><title>dev server</title><p>hello</p>\n"
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\nConnection: close\r\n\r\n"
            + body
        )
        await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    async with serve(handler, "127.0.0.1", 0, process_request=process_request, max_size=None) as ws_server:
        http_server = await asyncio.start_server(plain_http, "127.0.0.1", 0)
        ws_port = ws_server.sockets[0].getsockname()[1]
        http_port = http_server.sockets[0].getsockname()[1]
        print(f"READY ws={ws_port} http={http_port}", flush=True)
        loop = asyncio.get_running_loop()
        # stop when the test closes our stdin (or after 10 minutes, whatever happens)
        stdin_closed = loop.run_in_executor(None, sys.stdin.read)
        await asyncio.wait_for(stdin_closed, 600)
        http_server.close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except (KeyboardInterrupt, asyncio.TimeoutError):
        pass
