"""Origin-check speed: wsguard (Rust core via pyo3) against the pure-Python checks in
Django Channels and Starlette, on the same inputs, in one run.

    .venv/bin/python bindings/python/bench/bench_origin.py [--write bindings/python/BENCH.md]

Compared (per call, best of 5 repeats, mean over the input mix below):

* ``OriginPolicy.check(origin)`` (builds a Verdict) and ``OriginPolicy.is_allowed(origin)``;
* Channels: ``OriginValidator.valid_origin(urlparse(origin))`` — ``urlparse`` included,
  because Channels' ``__call__`` does it for every connection;
* Starlette: ``CORSMiddleware.is_allowed_origin(origin)`` (a set lookup plus a regex for
  the subdomain wildcard; Starlette never checks websocket scopes itself);
* a whole websocket scope: ``validate_handshake(scope["headers"], assume_upgrade=True)``
  (full upgrade validation: Host, Origin, token lookup) against what Channels'
  ``OriginValidator.__call__`` does before its app runs (header loop, ``urlparse``,
  ``valid_origin``).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import timeit
from typing import Callable, Dict, List, Sequence, Tuple
from urllib.parse import urlparse

import django
from django.conf import settings

if not settings.configured:
    settings.configure(ALLOWED_HOSTS=[])
    django.setup()

import starlette  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from starlette.middleware.cors import CORSMiddleware  # noqa: E402

import wsguard  # noqa: E402

ORIGINS: List[str] = [
    "https://app.example.com",  # exact, allowed
    "https://chat.example.net",  # subdomain wildcard, allowed
    "https://a.b.example.net",  # deeper subdomain, allowed
    "https://evil-example.net",  # look-alike, refused
    "http://app.example.com",  # wrong scheme, refused
    "https://admin.example.org:8443",  # wrong port, refused
    "https://attacker.test",  # unknown, refused
    "null",  # opaque origin, refused
]
WSGUARD = wsguard.OriginPolicy(
    allow=["https://app.example.com", "https://admin.example.org", "https://example.net", "https://*.example.net"]
)
CHANNELS = OriginValidator(None, ["https://app.example.com", "https://admin.example.org", "https://.example.net"])
STARLETTE = CORSMiddleware(
    None,  # type: ignore[arg-type]
    allow_origins=["https://app.example.com", "https://admin.example.org"],
    allow_origin_regex=r"https://([a-z0-9-]+\.)*example\.net",
)
SCOPE_HEADERS: List[List[Tuple[bytes, bytes]]] = [
    [
        (b"host", b"app.example.com"),
        (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"),
        (b"accept-encoding", b"gzip, deflate, br"),
        (b"accept-language", b"en-US,en;q=0.9"),
        (b"cache-control", b"no-cache"),
        (b"pragma", b"no-cache"),
        (b"origin", o.encode()),
        (b"sec-websocket-version", b"13"),
        (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
        (b"sec-websocket-extensions", b"permessage-deflate; client_max_window_bits"),
        (b"connection", b"Upgrade"),
        (b"upgrade", b"websocket"),
    ]
    for o in ORIGINS
]


def verdicts_agree() -> None:
    """The three implementations give the same answers on the mix (else the race is unfair)."""
    for o in ORIGINS:
        ours = WSGUARD.is_allowed(o)
        theirs = CHANNELS.valid_origin(urlparse(o))
        star = STARLETTE.is_allowed_origin(o)
        assert ours == theirs == star or o == "null", (o, ours, theirs, star)


def channels_scope(headers: Sequence[Tuple[bytes, bytes]]) -> bool:
    parsed = None
    for name, value in headers:
        if name == b"origin":
            parsed = urlparse(value.decode("latin1"))
    return bool(CHANNELS.valid_origin(parsed))


def wsguard_scope(headers: Sequence[Tuple[bytes, bytes]]) -> bool:
    try:
        wsguard.validate_handshake(headers, policy=WSGUARD, assume_upgrade=True, token_authorization=True, token_query="token")
    except wsguard.HandshakeRejected:
        return False
    return True


def per_call_ns(fn: Callable[[object], object], inputs: Sequence[object], number: int) -> float:
    def loop() -> None:
        for x in inputs:
            fn(x)

    best = min(timeit.repeat(loop, number=number, repeat=5))
    return best / (number * len(inputs)) * 1e9


def run(number: int) -> Dict[str, float]:
    verdicts_agree()
    return {
        "wsguard OriginPolicy.check": per_call_ns(WSGUARD.check, ORIGINS, number),
        "wsguard OriginPolicy.is_allowed": per_call_ns(WSGUARD.is_allowed, ORIGINS, number),
        "Channels valid_origin(urlparse(o))": per_call_ns(lambda o: CHANNELS.valid_origin(urlparse(o)), ORIGINS, number),  # type: ignore[arg-type]
        "Starlette CORSMiddleware.is_allowed_origin": per_call_ns(STARLETTE.is_allowed_origin, ORIGINS, number),  # type: ignore[arg-type]
        "wsguard validate_handshake(scope headers)": per_call_ns(wsguard_scope, SCOPE_HEADERS, number // 4 or 1),  # type: ignore[arg-type]
        "Channels OriginValidator scope check": per_call_ns(channels_scope, SCOPE_HEADERS, number // 4 or 1),  # type: ignore[arg-type]
    }


def load() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def report(results: Dict[str, float], command: str) -> str:
    import channels

    check = results["wsguard OriginPolicy.check"]
    fast = results["wsguard OriginPolicy.is_allowed"]
    lines = [
        "# Python binding: origin-check speed",
        "",
        f"Command: `{command}`",
        "",
        f"Python {platform.python_version()} on {platform.machine()}, wsguard {wsguard.__version__} (abi3 release wheel), "
        f"channels {channels.__version__}, starlette {starlette.__version__}, Django {django.get_version()}. "
        f"Per call, best of 5 repeats, mean over {len(ORIGINS)} origins (allowed, subdomain, look-alike, wrong scheme/port, unknown, null).",
        "",
        "| check | ns/call | wsguard `check` is | wsguard `is_allowed` is |",
        "|---|---:|---:|---:|",
    ]
    for name, ns in results.items():
        if name.startswith("wsguard validate") or name.startswith("Channels OriginValidator scope"):
            continue
        lines.append(f"| {name} | {ns:,.0f} | {ns / check:.1f}× | {ns / fast:.1f}× |")
    hs = results["wsguard validate_handshake(scope headers)"]
    ch = results["Channels OriginValidator scope check"]
    lines += [
        "",
        "Whole websocket scope (12 browser headers): full upgrade validation against Channels' Origin step alone.",
        "",
        "| check | ns/call | ratio |",
        "|---|---:|---:|",
        f"| wsguard validate_handshake(scope headers) | {hs:,.0f} | 1.0× |",
        f"| Channels OriginValidator scope check | {ch:,.0f} | {ch / hs:.1f}× slower than wsguard |",
        "",
        "Ratios > 1 mean the pure-Python path is that many times slower than wsguard.",
        "",
        f"Machine load during the run (1/5/15-min load average): {load()} on {os.cpu_count()} CPUs; "
        "the ratios compare paths measured in the same run.",
        "",
        "## Against the 10× target",
        "",
        f"* Channels `valid_origin(urlparse(o))`: {results['Channels valid_origin(urlparse(o))'] / fast:.0f}× slower than "
        f"`is_allowed` ({results['Channels valid_origin(urlparse(o))'] / check:.0f}× than `check`): target met.",
        f"* Starlette `is_allowed_origin`: {results['Starlette CORSMiddleware.is_allowed_origin'] / fast:.1f}× — target **not** met. "
        "Starlette does a set lookup plus one compiled regex and no validation; wsguard parses the origin strictly "
        "(RFC 6454: IPv4/IPv6 canonical forms, labels, ports) before matching. A pyo3 call costs ~70 ns; the rest is "
        "the core's `Origin::parse` (~0.5 µs on this machine, several passes over the string — see the report to the lead).",
        f"* Whole scope: `validate_handshake` validates the entire upgrade (Host, Upgrade/Connection tokens, version, key, "
        f"Origin, token lookup) and is {ch / hs:.1f}× faster than Channels' Origin step alone; the Python exception raised "
        "for a refusal (6 of the 8 inputs) costs ~1–2 µs of that.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--number", type=int, default=20000, help="loops over the input mix per repeat")
    parser.add_argument("--write", help="write the Markdown report to this file")
    args = parser.parse_args()
    results = run(args.number)
    command = "python " + " ".join(["bindings/python/bench/bench_origin.py", *sys.argv[1:]])
    text = report(results, command)
    print(text)
    if args.write:
        with open(args.write, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
