#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets from tests/vectors/*.json.

    python3 fuzz/seed.py            # writes fuzz/corpus/<target>/<sha1>, adds, never deletes

Each target's input layout is documented in the header of fuzz/src/<module>.rs; this
script encodes the vector cases in those layouts. File names are the SHA-1 of the
content (as libFuzzer names them), so re-running it is idempotent.
"""
import hashlib
import json
import os
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
VEC = os.path.join(ROOT, "..", "tests", "vectors")
OUT = os.path.join(ROOT, "corpus")
written = {}


def load(name):
    with open(os.path.join(VEC, name), encoding="utf-8") as f:
        return json.load(f)["cases"]


def field(case, name):
    """A byte field given as text or as `<name>_hex`."""
    if case.get(name + "_hex") is not None:
        return bytes.fromhex(case[name + "_hex"])
    v = case.get(name)
    return None if v is None else v.encode("utf-8")


def put(target, data):
    if len(data) > 4096:  # the campaign's -max_len
        return
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, hashlib.sha1(data).hexdigest())
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    written[target] = written.get(target, 0) + 1


def origins():
    for c in load("origins.json"):
        if "origin" in c or "origin_hex" in c:
            v = c.get("origin")
            if isinstance(v, list):
                put("origin", "\n".join(v).encode())
            else:
                b = field(c, "origin")
                if b is not None:
                    put("origin", b)
        if c.get("host"):
            put("origin", c["host"].encode())
        for p in c.get("policy", {}).get("allow", []):
            put("origin", p.encode())


def cors():
    for c in load("cors.json"):
        r, cfg, pol = c["request"], c.get("cors", {}), c.get("policy", {})
        flags = (1 if cfg.get("credentials") else 0) | (2 if pol.get("allow_null") else 0)
        flags |= 4 if pol.get("preset") == "development" else 0
        flags |= 8 if "*" in (cfg.get("methods") or "") else 0
        flags |= 16 if "*" in (cfg.get("headers") or "") else 0
        flags |= 32 if cfg.get("max_age") is not None else 0
        parts = [r.get("method") or "", r.get("origin") or "", r.get("request_method") or "", r.get("request_headers") or ""]
        put("cors", bytes([flags]) + "\n".join(parts).encode())


def lint():
    for c in load("lint.json"):
        ctx = c.get("context", {})
        flags = (1 if ctx.get("preset") == "development" else 0) | (2 if ctx.get("credentials") else 0) | 12
        put("lint", bytes([flags]) + "\n".join(c["allow"]).encode())


def handshake_server():
    for c in load("handshake_server.json"):
        req = field(c, "request")
        if req is None:
            continue
        cfg = c.get("config") or {}
        bits = 0
        pol = cfg.get("policy", {})
        if pol.get("preset") == "development":
            bits |= 1
        elif pol.get("allow_missing"):
            bits |= 2
        elif pol.get("allow_null"):
            bits |= 3
        bits |= 4 if pol.get("hosts") else 0
        bits |= 8 if cfg.get("subprotocols") else 0
        bits |= 16 if cfg.get("require_subprotocol") else 0
        tok = cfg.get("token") or {}
        mode = 0
        if tok.get("subprotocol_pair"):
            mode = 3
        elif tok.get("subprotocol_prefix") or tok.get("query"):
            mode = 2
        elif tok.get("authorization"):
            mode = 1
        bits |= mode << 5
        bits |= 128 if cfg.get("limits") else 0
        for seed in (255, 7):
            put("handshake_server", bytes([bits, seed]) + req)


def handshake_client():
    for c in load("handshake_client.json"):
        resp = field(c, "response")
        if resp is None:
            continue
        r = c["request"]
        bits = (1 if r.get("subprotocols") else 0) | (2 if r.get("extensions") else 0) | (4 if r.get("origin") else 0)
        bits |= 8 if r.get("token") else 0
        nonce = bytes.fromhex(r["nonce_hex"])
        for seed in (255, 7):
            put("handshake_client", bytes([bits, seed]) + nonce + resp)


def frames():
    for c in load("frames.json"):
        wire = bytes.fromhex(c["input_hex"])
        cfg = c.get("config") or {}
        bits = 0
        bits |= 2 if cfg.get("strict_length") is False else 0
        bits |= 4 if cfg.get("allowed_rsv") else 0
        bits |= 8 if cfg.get("allowed_opcodes") else 0
        bits |= 16 if cfg.get("max_frame") or cfg.get("max_message") else 0
        bits |= 32 if cfg.get("accept_text") is False else 0
        bits |= 64 if cfg.get("accept_binary") is False else 0
        target = "frame_server" if c["role"] == "server" else "frame_client"
        for mode, seed in ((0, 255), (1, 0), (1, 9)):
            put(target, bytes([bits | mode, seed]) + wire)
        role = 1 if c["role"] == "client" else 0
        put("frame_tungstenite", bytes([role | (2 if bits & 16 else 0) | (4 if bits & 2 else 0)]) + wire)
        if len(wire) < 300:
            put("utf8", bytes([3]) + wire)


def utf8():
    for c in load("utf8.json"):
        data = bytes.fromhex(c["input_hex"])
        for seed in (0, 255, 5):
            put("utf8", bytes([seed]) + data)


def close():
    for c in load("close_codes.json"):
        if c.get("kind") == "parse_payload":
            put("close", bytes.fromhex(c["payload_hex"]))
        elif c.get("kind") == "write_payload" and c.get("expect", {}).get("ok"):
            put("close", bytes.fromhex(c["expect"]["payload_hex"]))
        elif c.get("kind") == "classify":
            put("close", c["close_code"].to_bytes(2, "big") if c["close_code"] < 65536 else b"")


def urls():
    for c in load("urls.json"):
        port = c.get("port")
        flags = (1 if port is not None else 0) | (7 << 1)
        p = (port or 0).to_bytes(2, "big")
        if c["kind"] == "parse":
            put("url", bytes([flags]) + p + c["url"].encode())
        elif c["kind"] == "derive":
            put("url", bytes([flags]) + p + (c["page"] + "\n" + c["target"]).encode())
        else:
            put("url", bytes([flags]) + p + (c["page"] + "\n" + c["url"]).encode())


def c_api():
    """Raw inputs of the other targets, without their config bytes."""
    import glob
    for t, skip in (("origin", 0), ("handshake_server", 2), ("close", 0), ("url", 3), ("frame_server", 2), ("frame_client", 2), ("lint", 1)):
        files = sorted(glob.glob(os.path.join(OUT, t, "*")))[:40]
        for f in files:
            with open(f, "rb") as fh:
                data = fh.read()[skip:]
            if data:
                put("c_api", data)


def main():
    for f in (origins, cors, lint, handshake_server, handshake_client, frames, utf8, close, urls, c_api):
        f()
    for t, n in sorted(written.items()):
        print(f"{t}: {n} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
