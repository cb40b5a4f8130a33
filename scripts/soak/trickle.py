#!/usr/bin/env python3
"""Trickles one large request head into a server in 64-byte pieces, then reads the answer.

    trickle.py HOST PORT [--headers N] [--value BYTES] [--piece BYTES]

Used by scripts/soak-callgrind.sh to count the server's instructions for a head that
arrives slowly (the quadratic re-parse of issue #18). Prints the status line received.
"""
import argparse
import socket
import time

p = argparse.ArgumentParser()
p.add_argument("host")
p.add_argument("port", type=int)
p.add_argument("--headers", type=int, default=8)
p.add_argument("--value", type=int, default=8000)
p.add_argument("--piece", type=int, default=64)
a = p.parse_args()

head = b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n"
for i in range(a.headers):
    head += b"X-Pad-%d: " % i + b"a" * a.value + b"\r\n"
head += (b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
         b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
s = socket.create_connection((a.host, a.port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for i in range(0, len(head), a.piece):
    s.sendall(head[i:i + a.piece])
    time.sleep(0.002)  # one read per piece on the server side
s.settimeout(60)
data = b""
while b"\r\n" not in data:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(len(head), data.split(b"\r\n")[0].decode("latin-1"))
