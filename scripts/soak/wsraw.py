"""A minimal raw WebSocket client for the soak suite: every byte under the test's control
(hostile frames, half frames, resets), nothing hidden in a library."""
from __future__ import annotations

import asyncio
import base64
import os
import socket
import struct

ORIGIN = "https://app.example.com"


def head(path: str = "/ws", host: str = "127.0.0.1", extra: str = "", origin: str = ORIGIN) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    o = f"Origin: {origin}\r\n" if origin else ""
    return (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{o}{extra}\r\n").encode()


def frame(opcode: int, payload: bytes, fin: bool = True, length: int | None = None) -> bytes:
    """A masked client frame; `length` overrides the announced length (hostile)."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | opcode
    if n < 126:
        hdr = struct.pack("!BB", b0, 0x80 | n)
    elif n < 65536:
        hdr = struct.pack("!BBH", b0, 0x80 | 126, n)
    else:
        hdr = struct.pack("!BBQ", b0, 0x80 | 127, n)
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload)) if len(payload) < 4096 else _mask_fast(payload, mask)
    return hdr + mask + body


def _mask_fast(payload: bytes, mask: bytes) -> bytes:
    m = int.from_bytes(mask * (len(payload) // 4 + 1), "little")
    p = int.from_bytes(payload, "little")
    return (p ^ (m & ((1 << (8 * len(payload))) - 1))).to_bytes(len(payload), "little")


async def read_head(reader: asyncio.StreamReader, limit: int = 65536) -> tuple[int, bytes]:
    """Status code and the raw head (0 when the connection closed first)."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < limit:
        chunk = await reader.read(4096)
        if not chunk:
            break
        data += chunk
    line = data.split(b"\r\n", 1)[0].split()
    status = int(line[1]) if len(line) > 1 and line[1].isdigit() else 0
    return status, data


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """(opcode, payload) of one unmasked server frame."""
    b0, b1 = await reader.readexactly(2)
    n = b1 & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", await reader.readexactly(2))
    elif n == 127:
        (n,) = struct.unpack("!Q", await reader.readexactly(8))
    return b0 & 0x0F, await reader.readexactly(n)


async def close_code(reader: asyncio.StreamReader) -> int | None:
    """Reads until a Close frame (its code) or EOF (None)."""
    try:
        while True:
            op, payload = await read_frame(reader)
            if op == 8:
                return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
    except (asyncio.IncompleteReadError, ConnectionError, OSError):
        return None


async def connect(port: int, source: str = "127.0.0.1", path: str = "/ws") -> tuple[asyncio.StreamReader, asyncio.StreamWriter, int]:
    r, w = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    w.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    w.write(head(path))
    status, _ = await read_head(r)
    return r, w, status


def reset(w: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0)."""
    s = w.get_extra_info("socket")
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    w.transport.abort()
