"""Real peer: the Python `websockets` client against `wsguard serve`.

usage: ws_client.py URL MODE
  echo     connect with an allowed Origin, echo text/binary at several sizes, ping, close 1000
  refused  connect with a refused Origin; expect HTTP 403 and print the server's reason
Prints one line `RESULT <json>`; exit 0 when the expectation held.
"""
import json
import sys

from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

url, mode = sys.argv[1], sys.argv[2]
result = {"mode": mode}

if mode == "echo":
    with connect(url, origin="https://app.example.com", open_timeout=5, close_timeout=5, max_size=2**21) as ws:
        sizes = [0, 1, 125, 126, 127, 65535, 65536, 300_000]
        for n in sizes:
            text = ("wsguard-µ-" * (n // 10 + 1))[:n]
            ws.send(text)
            assert ws.recv(timeout=5) == text, f"text echo of {n} chars differs"
            data = bytes((i * 7) & 0xFF for i in range(n))
            ws.send(data)
            assert ws.recv(timeout=5) == data, f"binary echo of {n} bytes differs"
        # A fragmented message (the client sends an iterable as fragments).
        ws.send(["frag", "ment", "ed"])
        assert ws.recv(timeout=5) == "fragmented"
        latency = ws.ping(b"hello").wait(5)
        result["echoed"] = len(sizes) * 2 + 1
        result["ping_ok"] = bool(latency)
    result["close_code"] = ws.close_code
    assert ws.close_code == 1000, ws.close_code
elif mode == "refused":
    try:
        with connect(url, origin="https://evil.example.net", open_timeout=5):
            pass
        raise SystemExit("connected although the origin should be refused")
    except InvalidStatus as e:
        result["status"] = e.response.status_code
        result["body"] = e.response.body.decode("utf-8", "replace")
        assert e.response.status_code == 403
else:
    raise SystemExit(f"unknown mode {mode}")

print("RESULT " + json.dumps(result), flush=True)
