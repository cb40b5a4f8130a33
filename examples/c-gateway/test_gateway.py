"""Drives the C gateway with a real WebSocket client (Python `websockets`).

Usage: python test_gateway.py PATH/TO/gateway
Starts the gateway on free 127.0.0.1 ports (port 0), runs every check, stops it, and prints
`gateway: N passed, M failed`. Every wait is bounded; nothing asserts on time.

Checks: exact echoes (0 B .. 200 KiB, text and binary, fragmented), ping/pong answered by the
core, close codes (the client's code comes back in the server's Close; a protocol violation
gets 1002, invalid UTF-8 1007), refusals with the core's code (403 origin_host, 401
token_missing, 426), the heartbeat (a silent peer is pinged, then dropped as dead with
1006), and the bounds: --max-conns and --max-per-address answer the extra connection with
the core's 503 (exact status, Retry-After, code), --max-queued drops a peer
that stops reading, --handshake-ms answers an unfinished request head with the core's 408, and out of file
descriptors the accept loop pauses (one log line a
second, no spin) and recovers. The gateway's log lines are checked too.
"""
import asyncio
import os
import resource
import socket
import struct
import subprocess
import sys
import tempfile
import time

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

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
        # Fragments that together overflow the 64 KiB buffer: the assembled part is
        # released as a piece and the rest streams through (in-place mode).
        parts = [payload(40000, k) for k in range(3)]
        await ws.send(parts)
        got = await asyncio.wait_for(ws.recv(), 10)
        record("echo-fragmented-120k", got == b"".join(parts), f"got {len(got)} bytes")
        parts = ["é" * 20000, "x" * 30000, "ü" * 15000]
        await ws.send(parts)
        got = await asyncio.wait_for(ws.recv(), 10)
        record("echo-fragmented-text-110k", got == "".join(parts), f"got {len(got)} chars")
        pong = await ws.ping(b"hi")
        latency = await asyncio.wait_for(pong, 5)
        record("ping-pong", latency >= 0)
        await ws.close(code=4001, reason="done here")
    # The core replies to a Close with the peer's code.
    record("close-handshake-code", ws.close_code == 4001, f"close code {ws.close_code}")
    record("close-handshake-reason", ws.close_reason == "", f"reason {ws.close_reason!r}")


async def status_check(name, port, origin, query, want):
    uri = f"ws://127.0.0.1:{port}/echo{query}"
    try:
        async with connect(uri, origin=origin, open_timeout=5):
            record(name, False, "connection was accepted")
    except InvalidStatus as e:
        status = e.response.status_code
        body = e.response.body or b""
        record(name, status == want[0] and body.startswith(want[1]), f"status {status}, body {body[:120]!r}")


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
    await status_check("refused-origin-403", port, "http://evil.test", "?token=abc", (403, b"origin_host: "))
    await status_check("missing-token-401", port, ALLOWED, "", (401, b"token_missing: "))
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


UPGRADE = (
    b"GET /echo?token=a HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://allowed.test\r\n\r\n"
)


def masked_frame(opcode, payload, fin=True):
    """A client frame with a fixed mask (the gateway must unmask it)."""
    key = b"\x11\x22\x33\x44"
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def raw_upgraded(port, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    s.sendall(UPGRADE)
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            raise EOFError("closed during the handshake")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101 "):
        raise ValueError(head[:80])
    return s


def read_frame(s):
    """(opcode, payload) of the next server frame (unmasked), or None at EOF."""
    def exact(n):
        out = b""
        while len(out) < n:
            chunk = s.recv(n - len(out))
            if not chunk:
                return None
            out += chunk
        return out
    h = exact(2)
    if h is None:
        return None
    n = h[1] & 0x7F
    if n == 126:
        n = struct.unpack("!H", exact(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", exact(8))[0]
    return h[0] & 0x0F, exact(n)


def until_eof(s):
    try:
        while s.recv(4096):
            pass
        return True
    except (ConnectionResetError, socket.timeout):
        return False


def close_checks(port):
    # An unmasked client frame: the core closes with 1002 and names the rule.
    s = raw_upgraded(port)
    s.sendall(b"\x81\x02hi")
    f = read_frame(s)
    code = struct.unpack("!H", f[1][:2])[0] if f and f[0] == 8 and len(f[1]) >= 2 else None
    record("violation-close-1002", code == 1002, f"frame {f!r}")
    record("violation-then-eof", until_eof(s))
    s.close()
    # Invalid UTF-8 in a text message: 1007.
    s = raw_upgraded(port)
    s.sendall(masked_frame(1, b"\xff\xfeab"))
    f = read_frame(s)
    code = struct.unpack("!H", f[1][:2])[0] if f and f[0] == 8 and len(f[1]) >= 2 else None
    record("invalid-utf8-close-1007", code == 1007, f"frame {f!r}")
    s.close()
    # Several frames in one segment, a ping between fragments: each answered in order.
    s = raw_upgraded(port)
    s.sendall(masked_frame(2, b"ab", fin=False) + masked_frame(9, b"pp") + masked_frame(0, b"cd"))
    got = [read_frame(s), read_frame(s)]
    record("ping-inside-fragmented-message", got == [(10, b"pp"), (2, b"abcd")], repr(got))
    s.sendall(masked_frame(8, struct.pack("!H", 1000) + b"bye"))
    f = read_frame(s)
    record("close-reply-1000", f == (8, struct.pack("!H", 1000)), repr(f))
    record("close-then-server-eof", until_eof(s))
    s.close()


def heartbeat_check(port):
    # A peer that never answers: pinged after --heartbeat-ms, then dropped as dead.
    s = raw_upgraded(port)
    s.settimeout(20)
    f = read_frame(s)
    record("heartbeat-ping", f is not None and f[0] == 9 and len(f[1]) == 8, repr(f))
    frames = []
    while True:
        f = read_frame(s)
        if f is None:
            break
        frames.append(f[0])
    record("heartbeat-dead-peer-dropped", all(op == 9 for op in frames), repr(frames))
    s.close()


def log_has(log_path, text, wait=10):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        with open(log_path, "rb") as f:
            if text in f.read():
                return True
        time.sleep(0.1)
    return False


class Gateway:
    def __init__(self, binary, *args, nofile=None):
        self.log = tempfile.NamedTemporaryFile(prefix="gateway-", suffix=".log", delete=False)
        limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))) if nofile else None
        self.proc = subprocess.Popen(
            [binary, "--allow", ALLOWED, "--max-seconds", "120", *args],
            stdout=subprocess.PIPE, stderr=self.log, text=True, preexec_fn=limit,
        )
        line = self.proc.stdout.readline().strip()
        self.port = int(line.rsplit(":", 1)[1]) if line.startswith("listening on 127.0.0.1:") else None

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        sys.stderr.write(open(self.log.name, encoding="utf-8", errors="replace").read())
        os.unlink(self.log.name)


def answer_until_eof(port, request=UPGRADE):
    """(status, headers, body) of the whole answer to `request`, read until EOF."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(request)
        data = b""
        while True:
            try:
                chunk = s.recv(4096)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1]) if lines[0].startswith("HTTP/1.1 ") else None
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return status, headers, body


def overload_check(name, got, code):
    """The core's 503: exact status, Retry-After, Content-Length and the code's body."""
    status, headers, body = got
    ok = (
        status == 503
        and headers.get("Retry-After") == "5"
        and headers.get("Content-Length") == str(len(body))
        and headers.get("Connection") == "close"
        and body.startswith(code.encode() + b": ")
        and body.count(b"\nfix: ") == 1
    )
    record(name, ok, f"status {status}, headers {headers}, body {body[:120]!r}")


def bounds_checks(binary):
    # Over --max-conns: the core's 503 too_many_connections with Retry-After, not a bare close.
    g = Gateway(binary, "--max-conns", "1")
    try:
        first = raw_upgraded(g.port)
        overload_check("max-conns-extra-503", answer_until_eof(g.port), "too_many_connections")
        record(
            "max-conns-logged",
            log_has(g.log.name, b"refused a connection: too_many_connections (503): 1 connections open, 0 from 127.0.0.1"),
        )
        first.sendall(masked_frame(2, b"still here"))
        record("max-conns-first-served", read_frame(first) == (2, b"still here"))
        first.close()
        # The place is free again once the first one has gone.
        s = None
        for _ in range(50):
            try:
                s = raw_upgraded(g.port)
                break
            except (OSError, EOFError, ValueError):
                time.sleep(0.1)
        record("max-conns-place-returned", s is not None)
        if s:
            s.close()
    finally:
        g.stop()
    # Over --max-per-address (every test client is 127.0.0.1): 503 too_many_from_address.
    g = Gateway(binary, "--max-per-address", "2")
    try:
        held = [raw_upgraded(g.port), raw_upgraded(g.port)]
        overload_check("max-per-address-503", answer_until_eof(g.port), "too_many_from_address")
        record(
            "max-per-address-logged",
            log_has(g.log.name, b"refused a connection: too_many_from_address (503): 2 connections open, 2 from 127.0.0.1"),
        )
        held[0].sendall(masked_frame(2, b"kept"))
        record("max-per-address-others-served", read_frame(held[0]) == (2, b"kept"))
        for h in held:
            h.close()
    finally:
        g.stop()
    g = Gateway(binary, "--max-queued", "65536")
    try:
        s = raw_upgraded(g.port, rcvbuf=4096)
        chunk = masked_frame(2, bytes(32768))
        dropped = False
        for _ in range(2048):  # at most 64 MiB, bounded
            try:
                s.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                dropped = True
                break
            if log_has(g.log.name, b"dropped: peer is not reading", wait=0):
                dropped = True
                break
        record("max-queued-non-reader-dropped", dropped and log_has(g.log.name, b"dropped: peer is not reading"))
        s.close()
    finally:
        g.stop()
    # A request head that never completes (slowloris) gets the core's 408 after
    # --handshake-ms; a connection that sends nothing is closed without an answer.
    g = Gateway(binary, "--handshake-ms", "300")
    try:
        status, headers, body = answer_until_eof(g.port, b"GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        record(
            "handshake-timeout-408",
            status == 408
            and headers.get("Content-Length") == str(len(body))
            and body.startswith(b"handshake_timeout: the upgrade request did not arrive completely in time\nfix: "),
            f"status {status}, headers {headers}, body {body[:120]!r}",
        )
        record("handshake-timeout-logged", log_has(g.log.name, b"handshake refused: handshake_timeout (408)"))
        s = socket.create_connection(("127.0.0.1", g.port), timeout=20)
        record("handshake-timeout-silent-closed", s.recv(4096) == b"")
        record("handshake-timeout-silent-logged", log_has(g.log.name, b"dropped: nothing received within 300 ms"))
        s.close()
        s = raw_upgraded(g.port)  # an upgraded connection is not subject to it
        time.sleep(0.6)
        s.sendall(masked_frame(2, b"later"))
        record("handshake-timeout-spares-upgraded", read_frame(s) == (2, b"later"))
        s.close()
    finally:
        g.stop()
    # Out of file descriptors (RLIMIT_NOFILE 24): accepting pauses instead of spinning and
    # flooding the log, and resumes once descriptors are free again.
    g = Gateway(binary, nofile=24)
    try:
        t0 = time.monotonic()
        held = [socket.create_connection(("127.0.0.1", g.port), timeout=10) for _ in range(40)]
        paused = log_has(g.log.name, b"accept paused: Too many open files")
        time.sleep(1.5)  # a spinning accept loop would log thousands of lines by now
        with open(g.log.name, "rb") as f:
            lines = f.read().count(b"accept paused")
        allowed = int(time.monotonic() - t0) + 2  # one line per second at most
        record("emfile-accept-paused-logged", paused)
        record("emfile-log-rate-limited", 1 <= lines <= allowed, f"{lines} lines, at most {allowed}")
        for h in held:
            h.close()
        s = None
        for _ in range(50):  # the backlog drains as the closed connections are dropped
            try:
                s = raw_upgraded(g.port)
                break
            except (OSError, EOFError, ValueError):
                time.sleep(0.2)
        ok = s is not None
        if ok:
            s.sendall(masked_frame(2, b"back"))
            ok = read_frame(s) == (2, b"back")
            s.close()
        record("emfile-recovers", ok)
    finally:
        g.stop()


def dev_auth_checks(binary):
    """--dev-auth-bypass: refused at startup without --dev (exit 2, the core's code); with
    --dev a connection without a token gets its 101 and the core's warning line is logged,
    while one with a bad token is still refused."""
    g = Gateway(binary, "--dev-auth-bypass")
    try:
        code = g.proc.wait(timeout=10)
        record("dev-auth-refused-in-production", g.port is None and code == 2
               and log_has(g.log.name, b"--dev-auth-bypass refused: dev_auth_bypass_production"), f"exit {code}")
    finally:
        g.stop()
    g = Gateway(binary, "--dev", "--dev-auth-bypass")
    try:
        no_token = UPGRADE.replace(b"/echo?token=a", b"/echo")
        s = socket.create_connection(("127.0.0.1", g.port), timeout=10)
        s.sendall(no_token)
        head = s.recv(4096)
        s.close()
        record("dev-auth-bypass-101", head.startswith(b"HTTP/1.1 101 "), repr(head[:40]))
        record("dev-auth-bypass-logged", log_has(
            g.log.name, b"websocket accepted WITHOUT a token because dev_auth_bypass is on"
            b" (development only, never in production): target /echo origin http://allowed.test [dev_auth_bypass_used]"))
        status, headers, _ = answer_until_eof(g.port, UPGRADE.replace(b"?token=a", b"?token="))
        record("dev-auth-bad-token-still-refused", status == 401 and headers.get("X-Wsguard-Code") == "token_malformed",
               f"{status} {headers}")
    finally:
        g.stop()


def run():
    binary = sys.argv[1]
    g = Gateway(binary, "--heartbeat-ms", "300")
    try:
        if g.port is None:
            record("gateway-starts", False)
        else:
            try:
                asyncio.run(asyncio.wait_for(main(g.port), 90))
                close_checks(g.port)
                heartbeat_check(g.port)
            except Exception as e:  # a hang or crash is a failure, not a skip
                record("gateway-session", False, f"{type(e).__name__}: {e}")
            record("log-refusal-code", log_has(g.log.name, b"handshake refused: origin_host (403)"))
            record("log-violation", log_has(g.log.name, b"protocol violation: frame_unmasked_from_client (1002)"))
            record("log-ending-classified", log_has(g.log.name, b'ended 4001 (unregistered, private) by peer, reason "done here"'))
            record("log-dead-peer", log_has(g.log.name, b"ended 1006 (abnormal_closure, "))
    finally:
        g.stop()
    try:
        bounds_checks(binary)
    except Exception as e:
        record("gateway-bounds", False, f"{type(e).__name__}: {e}")
    try:
        dev_auth_checks(binary)
    except Exception as e:
        record("gateway-dev-auth", False, f"{type(e).__name__}: {e}")
    passed = sum(1 for _, ok in results if ok)
    failed = len(results) - passed
    print(f"gateway: {passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(run())
