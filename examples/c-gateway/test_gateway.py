"""Drives the C gateway with a real WebSocket client (Python `websockets`).

Usage: python test_gateway.py PATH/TO/gateway
Starts the gateway on a free 127.0.0.1 port, runs every check, stops it, and prints
`gateway: N passed, M failed`. Every wait is bounded.
"""
import asyncio
import os
import socket
import subprocess
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

ALLOWED = "http://allowed.test"
SIZES = [0, 1, 125, 126, 65535, 65536, 200 * 1024]
results = []


def record(name, ok, detail=""):
    results.append((name, ok))
    print(f"{'ok  ' if ok else 'FAIL'} {name}{(': ' + detail) if detail and not ok else ''}", flush=True)


def payload(n, seed):
    return bytes((i * 31 + seed) & 0xFF for i in range(n))


async def echo_checks(port):
    uri = f"ws://127.0.0.1:{port}/echo?token=abc"
    async with connect(uri, origin=ALLOWED, max_size=2**20, open_timeout=5, close_timeout=5) as ws:
        for n in SIZES:
            data = payload(n, n)
            await ws.send(data)
            got = await asyncio.wait_for(ws.recv(), 10)
            record(f"echo-binary-{n}", got == data, f"got {len(got)} bytes")
            text = "é" * (n // 2) + "a" * (n % 2)
            await ws.send(text)
            got = await asyncio.wait_for(ws.recv(), 10)
            record(f"echo-text-{n}", got == text, f"got {len(got)} chars")
        # A fragmented message is echoed whole.
        await ws.send([b"ab", b"cd", b"ef"])
        got = await asyncio.wait_for(ws.recv(), 10)
        record("echo-fragmented", got == b"abcdef", repr(got))
        pong = await ws.ping(b"hi")
        await asyncio.wait_for(pong, 5)
        record("ping-pong", True)
    record("close-handshake", ws.close_code == 1000, f"close code {ws.close_code}")


async def status_check(name, port, origin, query, want):
    uri = f"ws://127.0.0.1:{port}/echo{query}"
    try:
        async with connect(uri, origin=origin, open_timeout=5):
            record(name, False, "connection was accepted")
    except InvalidStatus as e:
        status = e.response.status_code
        body = e.response.body or b""
        record(name, status == want, f"status {status}, body {body[:120]!r}")


def raw_request(port, request):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data


async def main(port):
    await echo_checks(port)
    await status_check("refused-origin-403", port, "http://evil.test", "?token=abc", 403)
    await status_check("missing-token-401", port, ALLOWED, "", 401)
    resp = raw_request(
        port,
        b"GET /echo?token=a HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\nOrigin: http://allowed.test\r\n\r\n",
    )
    record(
        "wrong-version-426",
        resp.startswith(b"HTTP/1.1 426 ") and b"Sec-WebSocket-Version: 13\r\n" in resp,
        resp[:200].decode("latin-1"),
    )


def run():
    gateway = sys.argv[1]
    proc = subprocess.Popen(
        [gateway, "--allow", ALLOWED, "--max-seconds", "120"],
        stdout=subprocess.PIPE,
        stderr=sys.stderr,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        if not line.startswith("listening on 127.0.0.1:"):
            record("gateway-starts", False, line)
        else:
            port = int(line.rsplit(":", 1)[1])
            try:
                asyncio.run(asyncio.wait_for(main(port), 90))
            except Exception as e:  # a hang or crash is a failure, not a skip
                record("gateway-session", False, f"{type(e).__name__}: {e}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    passed = sum(1 for _, ok in results if ok)
    failed = len(results) - passed
    print(f"gateway: {passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(run())
