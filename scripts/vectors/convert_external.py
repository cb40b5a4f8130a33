#!/usr/bin/env python3
"""Converts external test suites into tests/vectors/external-*.json.

Only data is taken from the sources (inputs and the verdicts their own tests expect);
no code is copied. Each case records the file, test and revision it came from. The
sources are git directories (e.g. from `fetch` or `git clone --bare`), read with
`git show REV:path`, so the revision is exact:

    python3 scripts/vectors/convert_external.py \\
        --rust-url /path/to/servo/rust-url.git \\
        --httparse /path/to/seanmonstar/httparse.git \\
        --websockets /path/to/python-websockets/websockets.git \\
        --wsproto /path/to/python-hyper/wsproto.git \\
        [--out tests/vectors]

See tests/vectors/README.md ("External suites") for what each file holds and how the
expected verdicts are derived, and the short list of expected disagreements below.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import external_frames  # noqa: E402
from external_handshake import convert_websockets_handshake  # noqa: E402
from external_handshake_wsproto import convert_wsproto_handshake  # noqa: E402
from external_utf8 import convert_websockets_utf8, convert_wsproto_utf8  # noqa: E402

Case = Dict[str, Any]


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", repo, *args], check=True, capture_output=True, text=True).stdout


def revision(repo: str) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def show(repo: str, rev: str, path: str) -> str:
    return git(repo, "show", f"{rev}:{path}")


def write(out: Path, name: str, doc: Dict[str, Any]) -> None:
    names = [c["name"] for c in doc["cases"]]
    dup = {n for n in names if names.count(n) > 1}
    assert not dup, f"{name}: duplicate case names {sorted(dup)[:5]}"
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    (out / name).write_text(text, encoding="utf-8")
    print(f"{name}: {len(doc['cases'])} cases", file=sys.stderr)


def slug(text: str, limit: int = 48) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:limit].strip("-") or "x"


# --- web-platform-tests url/resources/urltestdata.json (as vendored by servo/rust-url) ---

URL_FILE = "url/tests/urltestdata.json"
URL_UPSTREAM = "web-platform-tests/wpt url/resources/urltestdata.json"

# How wsguard refuses a URL that WHATWG accepts only by rewriting it. Each rule names the
# rewrite (decided on the input and WHATWG's result, never on wsguard's) and the code.
URL_RULES: List[Tuple[str, str, str]] = [
    ("whitespace", "url_whitespace",
     "WHATWG strips leading/trailing spaces and C0 controls and removes tabs/newlines; wsguard refuses whitespace (a URL copied with a newline is a configuration mistake)"),
    ("userinfo", "url_userinfo",
     "WHATWG keeps user:password@; wsguard refuses userinfo in socket URLs (it leaks credentials into logs)"),
    ("backslash-host", "url_host",
     "WHATWG reads \\ as / in special URLs; wsguard refuses a backslash (in the authority: url_host)"),
    ("host-rewritten", "url_host",
     "WHATWG rewrites the host (percent-decoding, IDNA of non-ASCII, full-width dots); wsguard accepts only ASCII hosts"),
    ("host-charset", "url_host",
     "WHATWG allows symbols such as !$&'()*+,;=`{}~ and empty labels (., .., a..b) in a domain; wsguard's one host grammar is labels of [A-Za-z0-9_-]"),
    ("ipv4-rewritten", "url_ipv4_noncanonical",
     "WHATWG reads a host that ends in a number as IPv4 and serializes it as a dotted quad; wsguard refuses other spellings"),
    ("ipv6-rewritten", "url_ipv6_noncanonical",
     "WHATWG serializes IPv6 in RFC 5952 form (compressed, no leading zeros, IPv4 tail in hex); wsguard refuses other spellings"),
    ("port-rewritten", "url_port",
     "WHATWG accepts an empty port and leading zeros; wsguard requires 1-65535 after a colon"),
    ("path-control", "url_invalid_char",
     "WHATWG percent-encodes control characters in the path or query; wsguard refuses them"),
    ("path-backslash", "url_invalid_char",
     "WHATWG reads \\ as / in special URLs; wsguard refuses a backslash in the path or query"),
    ("bad-percent", "url_percent_encoding",
     "WHATWG keeps a % not followed by two hex digits; wsguard refuses it"),
    ("percent-encoded", "url_invalid_char",
     "WHATWG percent-encodes characters of the path or query (space, quotes, <>, ^, `, {|}, non-ASCII); wsguard refuses them unencoded"),
    ("fragment", "url_fragment",
     "WHATWG keeps #fragment; RFC 6455 §3 forbids fragments in WebSocket URLs (new WebSocket() throws)"),
    ("dot-segment", "url_dot_segment",
     "WHATWG resolves . and .. path segments (also %2e); wsguard refuses them so the URL names the path requested"),
]

# Where wsguard's verdict differs from what WHATWG gives: (predicate on input and WHATWG
# result, what wsguard does, why). Kept short; each is a real, understood difference.
URL_DISAGREEMENTS: List[Tuple[str, Any, str]] = [
    ("punycode-not-decoded",
     lambda inp, c, host: c.get("failure") and any(l.lower().startswith("xn--") for l in host.split(".")),
     "WHATWG runs IDNA ToUnicode and refuses an xn-- label that is not valid punycode; the no_std core carries no IDNA tables and accepts any ASCII xn-- label (a name that does not resolve)"),
    ("apostrophe-in-query",
     lambda inp, c, host: not c.get("failure") and url_rule(inp, c) == "percent-encoded"
     and "?" in inp and inp.split("?", 1)[1].replace("'", "%27") == c["search"][1:]
     and inp.split("?", 1)[0].endswith(c["pathname"]),
     "WHATWG percent-encodes ' in the query of special URLs (%27); RFC 3986 allows it in a query and wsguard sends it as written"),
]


def split_ws(inp: str) -> Optional[Tuple[str, str, str, str]]:
    """scheme, authority, path, rest (?query#fragment) of `scheme://...`, split like wsguard."""
    m = re.match(r"(?i)(https?|wss?)://", inp)
    if not m:
        return None
    rest = inp[m.end():]
    end = min([i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0], default=len(rest))
    auth, tail = rest[:end], rest[end:]
    q = min([i for i in (tail.find("?"), tail.find("#")) if i >= 0], default=len(tail))
    return m.group(1).lower(), auth, tail[:q], tail[q:]


def host_port(auth: str) -> Tuple[str, Optional[str]]:
    if auth.startswith("["):
        close = auth.find("]")
        if close >= 0 and auth[close + 1:].startswith(":"):
            return auth[:close + 1], auth[close + 2:]
        return auth, None
    if ":" in auth:
        h, p = auth.split(":", 1)
        return h, p
    return auth, None


def url_rule(inp: str, c: Dict[str, Any]) -> Optional[str]:
    """The rewrite WHATWG applied to an input it accepts, in wsguard's checking order."""
    _, auth, path, rest = split_ws(inp)  # type: ignore[misc]
    if any(ch in inp for ch in " \t\n\r\x0c"):
        return "whitespace"
    if "@" in auth:
        return "userinfo"
    if "\\" in auth:
        return "backslash-host"
    host, port = host_port(auth)
    if host.startswith("["):
        if c["hostname"] != host.lower():
            return "ipv6-rewritten"
    elif "%" in host or any(ord(ch) > 0x7E or ord(ch) < 0x21 for ch in host):
        return "host-rewritten"
    elif not re.fullmatch(r"[A-Za-z0-9_.-]+", host) or re.search(r"^\.|\.\.|^\.$", host) or ".." in host:
        return "host-charset"
    elif c["hostname"] != host.lower():
        return "ipv4-rewritten"
    if port is not None and (port == "" or not port.isdigit() or (len(port) > 1 and port.startswith("0")) or int(port) > 65535 or int(port) == 0):
        return "port-rewritten"
    before_fragment = path + rest.split("#", 1)[0]
    for i, ch in enumerate(before_fragment):
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            return "path-control"
        if ch == "\\":
            return "path-backslash"
        if ch == "%" and not re.match(r"%[0-9A-Fa-f]{2}", before_fragment[i:]):
            return "bad-percent"
        if ord(ch) > 0x7E or ch in '"<>^`{|}':
            return "percent-encoded"
    if "#" in inp:
        return "fragment"
    if any(s.lower() in (".", "%2e", "..", ".%2e", "%2e.", "%2e%2e") for s in path.split("/")[1:]):
        return "dot-segment"
    query = rest[1:] if rest.startswith("?") else None
    if (path or "/") != c["pathname"] or (query or "") != c["search"][1:]:
        return "percent-encoded"
    return None


def accepted(ws: str, parts: Tuple[str, str, str, str]) -> Dict[str, Any]:
    """wsguard's parts of a URL it accepts, from the raw text."""
    _, auth, path, rest = parts
    host, port_s = host_port(auth)
    port = int(port_s) if port_s is not None else None
    secure = ws.lower().startswith("wss")
    default = 443 if secure else 80
    query = rest[1:] if rest.startswith("?") else None
    kind = "ipv6" if host.startswith("[") else ("ipv4" if re.fullmatch(r"[0-9]+(\.[0-9]+){3}", host) else "name")
    return {
        "ok": True, "secure": secure, "host": host, "host_kind": kind, "port": port,
        "port_or_default": port if port is not None else default,
        "path": path or "/", "query": query,
        "resource_name": (path or "/") + (f"?{query}" if query is not None else ""),
        "host_header": host.lower() + (f":{port}" if port is not None and port != default else ""),
    }


def convert_urls(repo: str) -> Dict[str, Any]:
    rev = revision(repo)
    data = json.loads(show(repo, rev, URL_FILE))
    cases: List[Case] = []
    seen: Dict[str, int] = {}
    rules = {r[0]: (r[1], r[2]) for r in URL_RULES}
    for index, c in enumerate(data):
        if not isinstance(c, dict) or not isinstance(c.get("input"), str):
            continue
        inp = c["input"]
        parts = split_ws(inp)
        if parts is None:
            continue
        scheme = parts[0]
        ws = ("wss" if scheme in ("https", "wss") else "ws") + inp[re.match(r"(?i)[a-z]+", inp).end():]  # type: ignore[union-attr]
        base = "ok" if not c.get("failure") else "failure"
        name = f"wpt-{index}-{slug(inp)}"
        case: Case = {"name": name, "kind": "parse", "url": ws,
                      "source": {"file": URL_FILE, "index": index, "input": inp, "whatwg": base}}
        host = host_port(parts[1])[0]
        known = [(k, why) for k, pred, why in URL_DISAGREEMENTS if pred(inp, c, host)]
        if known:
            case["expect"] = accepted(ws, parts)
            case["disagreement"] = known[0][0]
        elif c.get("failure"):
            case["expect"] = {"ok": False}
        else:
            rule = url_rule(inp, c)
            if rule:
                case["expect"] = {"ok": False, "code": rules[rule][0]}
                case["rule"] = rule
            else:
                case["expect"] = accepted(ws, parts)
                assert case["expect"]["host_header"] == c["host"], (inp, c["host"])
        cases.append(case)
    return {
        "description": (
            "External: the web-platform-tests URL parser data (" + URL_UPSTREAM + ", as vendored by servo/rust-url "
            "at `source.revision`), every case whose input starts with http://, https://, ws:// or wss://, with the "
            "scheme mapped to ws/wss (WHATWG parses the four special schemes' hosts, ports and paths alike). Same "
            "format as urls.json (kind=parse). Expected verdicts: WHATWG failure -> refused (`expect.ok` false, any "
            "code); WHATWG success that re-serializes to the input (modulo case and default port) -> accepted with "
            "exactly these parts; WHATWG success only by rewriting the input -> refused with the code of the rewrite "
            "(`rule`, see `rules`). Cases marked `disagreement` expect what wsguard does instead, for the reason given "
            "in `disagreements`. `source.input` is the original input, `source.index` its position in the file."),
        "format": "urls",
        "source": {"repo": "servo/rust-url", "revision": rev, "file": URL_FILE, "upstream": URL_UPSTREAM},
        "rules": {r[0]: {"code": r[1], "why": r[2]} for r in URL_RULES},
        "disagreements": {k: why for k, _, why in URL_DISAGREEMENTS},
        "cases": cases,
    }


# --- httparse: the req!/res! cases of src/lib.rs and tests/uri.rs ---

HTTPARSE_FILES = ["src/lib.rs", "tests/uri.rs"]
MACRO = re.compile(r"\b(req|res)!\s*\{\s*([a-z0-9_]+)\s*,\s*", re.S)


def rust_bytes(src: str, i: int) -> Tuple[bytes, int]:
    """Parses a Rust b"..." literal starting at src[i]; returns the bytes and the end."""
    assert src.startswith('b"', i), src[i:i + 20]
    i += 2
    out = bytearray()
    while True:
        ch = src[i]
        if ch == '"':
            return bytes(out), i + 1
        if ch == "\\":
            nxt = src[i + 1]
            simple = {"r": 13, "n": 10, "t": 9, "\\": 92, '"': 34, "'": 39, "0": 0}
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
            elif nxt == "x":
                out.append(int(src[i + 2:i + 4], 16))
                i += 4
            elif nxt == "\n":
                i += 2
                while src[i] in " \t\n\r":
                    i += 1
            else:
                raise ValueError(f"escape \\{nxt}")
        else:
            out += ch.encode()
            i += 1


def convert_httparse(repo: str) -> Dict[str, Any]:
    rev = revision(repo)
    cases: List[Case] = []
    for path in HTTPARSE_FILES:
        src = show(repo, rev, path)
        for m in MACRO.finditer(src):
            which, test = m.group(1), m.group(2)
            i = m.end()
            expr_m = re.compile(r"\s*").match(src, i)
            i = expr_m.end() if expr_m else i
            if not src.startswith('b"', i):
                continue  # a macro definition or a non-literal input
            data, j = rust_bytes(src, i)
            rest = src[j:j + 200]
            status = re.match(r"\s*,\s*(Ok\(Status::Complete\((\d+)\)\)|Ok\(Status::Partial\)|Err\(Error::(\w+)\)|\|)", rest)
            if not status:
                continue
            if status.group(1) == "|" :
                verdict, detail = "complete", None
            elif status.group(2):
                verdict, detail = "complete", int(status.group(2))
            elif status.group(3):
                verdict, detail = "error", status.group(3)
            else:
                verdict, detail = "partial", None
            if detail == "TooManyHeaders":
                continue  # the test's header array size, not the grammar
            line = src.count("\n", 0, m.start()) + 1
            field = "request" if which == "req" else "response"
            case: Case = {"name": f"httparse-{slug(path, 8)}-{test.replace('_', '-')}", "kind": field,
                          "source": {"file": path, "line": line, "test": test, "httparse": verdict if detail is None else f"{verdict}:{detail}"}}
            try:
                text = data.decode("utf-8")
                if "\x00" in text:
                    raise UnicodeDecodeError("utf-8", data, 0, 1, "nul")
                case[field] = text
            except UnicodeDecodeError:
                case[f"{field}_hex"] = data.hex()
            case["expect"] = {"head": {"complete": "parsed", "partial": "partial", "error": "malformed"}[verdict]}
            cases.append(case)
    # Plain tests of src/lib.rs that parse a `const NAME: &[u8] = b"..."` with the default
    # configuration and assert the status.
    src = show(repo, rev, "src/lib.rs")
    consts: Dict[str, bytes] = {}
    for m in re.finditer(r"(?:const|static) ([A-Z0-9_]+): &\[u8\] =\s*", src):
        try:
            consts[m.group(1)] = rust_bytes(src, m.end())[0]
        except (AssertionError, ValueError):
            pass
    for m in re.finditer(r"#\[test\]\s*fn ([a-z0-9_]+)\(\) \{", src):
        test = m.group(1)
        body = src[m.end():src.find("\n    }\n", m.end())]
        if "ParserConfig" in body or "config" in body:
            continue
        call = re.search(r"(\w+)\.parse\(([A-Z0-9_]+)\)", body)
        res = re.search(r"assert_eq!\(\s*result,\s*(?:Ok\(Status::(Complete)\(|Ok\(Status::(Partial)\)|Err\((?:crate::)?Error::(\w+)\))", body)
        if not call or not res or call.group(2) not in consts:
            continue
        which = "response" if "Response::new" in body else "request" if "Request::new" in body else None
        if which is None or res.group(3) == "TooManyHeaders":
            continue
        verdict = "complete" if res.group(1) else "partial" if res.group(2) else "error"
        data = consts[call.group(2)]
        case = {"name": f"httparse-src-lib-{test.replace('_', '-')}", "kind": which,
                "source": {"file": "src/lib.rs", "line": src.count("\n", 0, m.start()) + 1, "test": test,
                           "httparse": verdict if verdict != "error" else f"error:{res.group(3)}"}}
        try:
            case[which] = data.decode("utf-8")
        except UnicodeDecodeError:
            case[f"{which}_hex"] = data.hex()
        case["expect"] = {"head": {"complete": "parsed", "partial": "partial", "error": "malformed"}[verdict]}
        cases.append(case)
    return {
        "description": (
            "External: the request (req!) and response (res!) cases of httparse's own tests at `source.revision`, "
            "and its plain tests that parse a constant with the default parser configuration (lenient-config tests are left out). kind=request: `request` (or `request_hex`) through the server handshake "
            "validator; kind=response: `response` through the client response validator (key dGhlIHNhbXBsZSBub25jZQ==). "
            "expect.head: `malformed` — refused with code malformed_request / malformed_response (httparse: Err); "
            "`partial` — needs more bytes (httparse: Partial); `parsed` — any other verdict (accepted, or refused "
            "for a WebSocket rule: the head itself was read, as httparse's Complete says). `source.httparse` is "
            "httparse's own expected status. Cases expecting Err(TooManyHeaders) (the test's header array size) are left out."),
        "format": "http_heads",
        "source": {"repo": "seanmonstar/httparse", "revision": rev, "files": HTTPARSE_FILES},
        "cases": cases,
    }


# --- python-websockets: Sec-WebSocket-Extensions parsing (tests/test_headers.py) ---

WS_HEADERS = "tests/test_headers.py"
UPGRADE = ("GET /chat HTTP/1.1\r\nHost: app.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: https://app.example.com\r\n")

# The code wsguard gives each malformed value python-websockets refuses (the grammar rule
# the value breaks; python-websockets itself only says InvalidHeaderFormat).
EXT_CODES = {
    "": "extensions_empty",
    ",\t,": "extensions_empty",
    "foo;": "extensions_param_empty",
    "foo; bar;": "extensions_param_empty",
    "foo; bar=": "extensions_param_value_missing",
    'foo; bar="baz': "extensions_quote_unterminated",
    "foo, bar, baz=quux; quuux": "extensions_name",
    'foo; bar=" "': "extensions_param_value",
}


def test_tables(src: str, func: str) -> List[Any]:
    """The literal list a `for ... in [...]:` loop of test method `func` iterates over."""
    tree = ast.parse(src)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == func:
            for sub in ast.walk(node):
                if isinstance(sub, ast.For) and isinstance(sub.iter, ast.List):
                    return [ast.literal_eval(e) for e in sub.iter.elts]
    raise KeyError(func)


def convert_websockets(repo: str) -> Dict[str, Any]:
    rev = revision(repo)
    src = show(repo, rev, WS_HEADERS)
    config = {
        "policy": {"allow": ["https://app.example.com"], "allow_null": False, "allow_missing": False, "preset": None, "hosts": []},
        "subprotocols": [], "require_subprotocol": False,
        "token": {"authorization": False, "subprotocol_prefix": None, "subprotocol_pair": None, "query": None, "required": False},
        "limits": {"max_headers": 32, "max_line": 8192, "max_total": 16384},
    }
    cases: List[Case] = []
    for header, parsed in test_tables(src, "test_parse_extension"):
        cases.append({
            "name": f"websockets-parse-extension-{slug(header)}",
            "source": {"file": WS_HEADERS, "test": "test_parse_extension", "header": header},
            "request": UPGRADE + f"Sec-WebSocket-Extensions: {header}\r\n\r\n",
            "expect": {"ok": True, "extensions": [n for n, _ in parsed],
                       "extension_params": [[[p, v] for p, v in params] for _, params in parsed]},
        })
    for n, header in enumerate(test_tables(src, "test_parse_extension_invalid_header_format")):
        cases.append({
            "name": f"websockets-invalid-extension-{n}-{slug(header)}",
            "source": {"file": WS_HEADERS, "test": "test_parse_extension_invalid_header_format", "header": header},
            "request": UPGRADE + f"Sec-WebSocket-Extensions: {header}\r\n\r\n",
            "expect": {"ok": False, "code": EXT_CODES[header], "status": 400},
        })
    return {
        "description": (
            "External: python-websockets' Sec-WebSocket-Extensions parsing cases (" + WS_HEADERS + ", "
            "test_parse_extension and test_parse_extension_invalid_header_format, at `source.revision`), each "
            "value sent in an otherwise valid upgrade request. Same format as handshake_server.json. Accepted values "
            "expect the extensions and parameters python-websockets parses; refused ones the RFC 6455 §9.1 rule "
            "they break (python-websockets: InvalidHeaderFormat)."),
        "format": "handshake_server",
        "source": {"repo": "python-websockets/websockets", "revision": rev, "files": [WS_HEADERS]},
        "config": config,
        "cases": cases,
    }


# --- wsproto: the single-frame and parse-failure cases of tests/test_frame_protocol.py ---

WSPROTO_FRAMES = "tests/test_frame_protocol.py"
CLOSE_REASONS = {"PROTOCOL_ERROR": 1002, "UNSUPPORTED_DATA": 1003, "INVALID_FRAME_PAYLOAD_DATA": 1007,
                 "POLICY_VIOLATION": 1008, "MESSAGE_TOO_BIG": 1009}
# wsguard's diagnostic code for each wsproto failure case (wsproto gives only the close
# code, which the runners check as well), keyed by test name and occurrence.
WSPROTO_CODES: Dict[str, str] = {
    "test_reject_masked_server_frame#0": "frame_masked_from_server",
    "test_reject_unmasked_client_frame#0": "frame_unmasked_from_client",
    "test_reject_bad_opcode#0": "frame_reserved_opcode",
    "test_reject_unfinished_control_frame#0": "frame_control_fragmented",
    "test_reject_reserved_bits#0": "frame_reserved_bits",
    "test_reject_reserved_bits#1": "frame_reserved_bits",
    "test_reject_reserved_bits#2": "frame_reserved_bits",
    "test_bad_unicode#0": "frame_invalid_utf8",
    "test_not_even_unicode#0": "frame_invalid_utf8",
}


def literal(node: ast.AST) -> Any:
    """A literal, `b"a" * 3 + b"b"`-style byte arithmetic, or an enum member's name."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "encode"
            and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str) and not node.args):
        return node.func.value.value.encode("utf-8")
    if isinstance(node, ast.Name) and node.id.isupper():
        return node.id  # an imported enum member (TEXT, CLOSE …)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
        a, b = literal(node.left), literal(node.right)
        return a + b if isinstance(node.op, ast.Add) else a * b
    return ast.literal_eval(node)


def frame_event(op: str, payload: bytes, fin: bool) -> Optional[Dict[str, Any]]:
    """The frames.json event of one whole frame the source expects (None: not expressible)."""
    if op in ("TEXT", "BINARY"):
        return {"type": "data", "kind": op.lower(), "payload_hex": payload.hex(), "fin": fin}
    if op in ("PING", "PONG"):
        return {"type": op.lower(), "payload_hex": payload.hex()}
    if op == "CLOSE" and not payload:
        return {"type": "close", "code": None, "reason": ""}
    if op == "CLOSE":
        return {"type": "close", "code": int.from_bytes(payload[:2], "big"), "reason": payload[2:].decode("utf-8")}
    return None


def convert_wsproto(repo: str) -> Dict[str, Any]:
    rev = revision(repo)
    src = show(repo, rev, WSPROTO_FRAMES)
    tree = ast.parse(src)
    cases: List[Case] = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef) or not fn.name.startswith("test_"):
            continue
        seen = 0
        for call in ast.walk(fn):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr in ("_single_frame_test", "_parse_failure_test")):
                continue
            try:
                kw = {k.arg: literal(k.value) for k in call.keywords}
            except (ValueError, TypeError):
                continue
            key = f"{fn.name}#{seen}"
            seen += 1
            data = kw["frame_bytes"]
            case: Case = {"name": f"wsproto-{fn.name[5:].replace('_', '-')}-{seen - 1}",
                          "source": {"file": WSPROTO_FRAMES, "test": fn.name, "line": call.lineno},
                          "role": "client" if kw["client"] else "server", "input_hex": data.hex()}
            if call.func.attr == "_parse_failure_test":
                code = CLOSE_REASONS[kw["close_reason"]]
                case["source"]["wsproto"] = f"ParseFailed({kw['close_reason']})"
                if key not in WSPROTO_CODES:
                    print(f"wsproto: no wsguard code for {key} (close {code})", file=sys.stderr)
                case["expect"] = {"ok": False, "events": [], "code": WSPROTO_CODES.get(key, "?"), "close_code": code}
            else:
                op, payload = kw["opcode"], kw["payload"]
                if not kw["frame_finished"]:
                    continue  # a partial frame: wsguard delivers frames whole (Decoder::decode)
                case["source"]["wsproto"] = f"{op} frame, message_finished={kw['message_finished']}"
                ev = frame_event(op, payload, kw["message_finished"])
                if ev is None:
                    continue
                case["expect"] = {"ok": True, "events": [ev]}
            cases.append(case)
    cases += external_frames.convert(src)
    return {
        "description": (
            "External: wsproto's frame decoder cases (" + WSPROTO_FRAMES + ": every _single_frame_test of a "
            "whole frame and every _parse_failure_test, and class TestFrameProtocolReceive: the close frames "
            "_close_test builds, with their close-reason UTF-8 checks, and literal frame_bytes, at "
            "`source.revision`). Same format as frames.json (role: "
            "the side that decodes; wsproto client=True is role client). A failure expects wsproto's close code "
            "(`close_code`) and the diagnostic code wsguard names for it (`code`, from the converter's tables)."),
        "format": "frames",
        "source": {"repo": "python-hyper/wsproto", "revision": rev, "files": [WSPROTO_FRAMES]},
        "left_out": external_frames.LEFT_OUT,
        "cases": cases,
    }


# --- python-websockets: the frame cases of tests/test_frames.py (class FrameTests) ---

WS_FRAMES = "tests/test_frames.py"
# wsguard's diagnostic code for each python-websockets failure (ProtocolError → close
# 1002, PayloadTooBig → 1009), keyed by test name and occurrence.
WS_FRAME_CODES: Dict[str, str] = {
    "test_payload_too_big#0": "frame_too_big",
    "test_bad_reserved_bits#0": "frame_reserved_bits",
    "test_bad_reserved_bits#1": "frame_reserved_bits",
    "test_bad_reserved_bits#2": "frame_reserved_bits",
    # b"\x80\x80…" is a continuation frame: wsguard's byte-0 rule (no message open) fires
    # before the mask rule python-websockets' frame layer tests; same close code.
    "test_mask_flag#0": "frame_unexpected_continuation",
    "test_mask_flag#1": "frame_unexpected_continuation",
    "test_control_frame_max_length#0": "frame_control_too_long",
    "test_fragmented_control_frame#0": "frame_control_fragmented",
}


def convert_websockets_frames(repo: str) -> Dict[str, Any]:
    rev = revision(repo)
    src = show(repo, rev, WS_FRAMES)
    tree = ast.parse(src)
    cls = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "FrameTests")
    cases: List[Case] = []

    def kwargs(call: ast.Call) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        for k in call.keywords:
            try:
                out[str(k.arg)] = literal(k.value)
            except (ValueError, TypeError):
                out[str(k.arg)] = None  # not literal (e.g. extensions=[Rot13()])
        return out

    for fn in cls.body:
        if not isinstance(fn, ast.FunctionDef) or not fn.name.startswith("test_"):
            continue
        failures = 0
        # assertFrameData(Frame(OP, payload[, fin=]), data, mask=...): a frame both ways.
        for call in ast.walk(fn):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "assertFrameData":
                kw = kwargs(call)
                frame = call.args[0]
                if "extensions" in kw or not isinstance(frame, ast.Call):
                    continue
                try:
                    op, payload = literal(frame.args[0]), literal(frame.args[1])
                    fin = kwargs(frame).get("fin", True)
                    data = literal(call.args[1])
                except (ValueError, TypeError):
                    continue  # not literal data
                ev = frame_event(op, payload, fin)
                if ev is None:
                    continue
                cases.append({"name": f"websockets-frames-{fn.name[5:].replace('_', '-')}",
                              "source": {"file": WS_FRAMES, "test": fn.name, "line": call.lineno, "websockets": f"Frame({op})"},
                              "role": "server" if kw["mask"] else "client", "input_hex": data.hex(),
                              "expect": {"ok": True, "events": [ev]}})
        # with self.assertRaises(E): self.parse(data, mask=...[, max_size=]) — also in a
        # `for data in [literals]` loop.
        for node in ast.walk(fn):
            if not isinstance(node, ast.With):
                continue
            ctx = node.items[0].context_expr
            if not (isinstance(ctx, ast.Call) and getattr(ctx.func, "attr", "") == "assertRaises"):
                continue
            exc = ctx.args[0].id if isinstance(ctx.args[0], ast.Name) else "?"
            call = node.body[0].value if isinstance(node.body[0], ast.Expr) else None
            if not (isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "parse"):
                continue
            arg = call.args[0]
            if isinstance(arg, ast.Name):
                loops = [n for n in ast.walk(fn) if isinstance(n, ast.For) and isinstance(n.iter, ast.List)
                         and isinstance(n.target, ast.Name) and n.target.id == arg.id]
                if not loops:
                    continue
                inputs = [literal(e) for e in loops[0].iter.elts]
            else:
                inputs = [literal(arg)]
            kw = kwargs(call)
            for data in inputs:
                key = f"{fn.name}#{failures}"
                failures += 1
                case = {"name": f"websockets-frames-{fn.name[5:].replace('_', '-')}-{failures - 1}",
                        "source": {"file": WS_FRAMES, "test": fn.name, "line": call.lineno, "websockets": exc},
                        "role": "server" if kw["mask"] else "client", "input_hex": data.hex()}
                if "max_size" in kw:
                    case["config"] = {"max_frame": kw["max_size"], "max_message": kw["max_size"]}
                case["expect"] = {"ok": False, "events": [], "code": WS_FRAME_CODES.get(key, "?"),
                                  "close_code": 1009 if exc == "PayloadTooBig" else 1002}
                if key not in WS_FRAME_CODES:
                    print(f"websockets frames: no wsguard code for {key}", file=sys.stderr)
                cases.append(case)
    protocol, left_out, disagreements = external_frames.convert_websockets_protocol(
        show(repo, rev, external_frames.WS_PROTOCOL), show(repo, rev, "src/websockets/frames.py"))
    return {
        "description": (
            "External: python-websockets' frame parser cases (" + WS_FRAMES + ", class FrameTests: every "
            "assertFrameData without extensions, and every parse inside assertRaises) and the receiving side of "
            "its Protocol (" + external_frames.WS_PROTOCOL + ": tests that only receive_data() literal bytes and "
            "assert the frames received or the connection failing), at `source.revision`. "
            "Same format as frames.json (mask=True / SERVER: role server decodes; max_size=(message, frame) "
            "becomes max_message / max_frame). A failure expects python-websockets' close code (ProtocolError "
            "1002, PayloadTooBig 1009, UnicodeDecodeError 1007) and the wsguard diagnostic code the converter's "
            "tables name for that test. Cases marked `disagreement` expect what wsguard does instead "
            "(`disagreements`, tests/vectors/README.md). `left_out`: test_protocol.py tests not converted, with the reason; "
            "CloseCode values are read from src/websockets/frames.py."),
        "format": "frames",
        "source": {"repo": "python-websockets/websockets", "revision": rev,
                   "files": [WS_FRAMES, external_frames.WS_PROTOCOL]},
        "left_out": left_out,
        "disagreements": disagreements,
        "cases": cases + protocol,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rust-url")
    ap.add_argument("--httparse")
    ap.add_argument("--websockets")
    ap.add_argument("--wsproto")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[2] / "tests" / "vectors"))
    a = ap.parse_args()
    out = Path(a.out)
    if a.rust_url:
        write(out, "external-wpt-urls.json", convert_urls(a.rust_url))
    if a.httparse:
        write(out, "external-httparse.json", convert_httparse(a.httparse))
    if a.websockets:
        write(out, "external-websockets-extensions.json", convert_websockets(a.websockets))
        write(out, "external-websockets-frames.json", convert_websockets_frames(a.websockets))
    if a.websockets:
        server, client = convert_websockets_handshake(a.websockets, revision(a.websockets), show)
        write(out, "external-websockets-handshake-server.json", server)
        write(out, "external-websockets-handshake-client.json", client)
        write(out, "external-websockets-utf8.json", convert_websockets_utf8(a.websockets, revision(a.websockets), show))
    if a.wsproto:
        write(out, "external-wsproto-frames.json", convert_wsproto(a.wsproto))
        server, client = convert_wsproto_handshake(a.wsproto, revision(a.wsproto), show)
        write(out, "external-wsproto-handshake-server.json", server)
        write(out, "external-wsproto-handshake-client.json", client)
        write(out, "external-wsproto-utf8.json", convert_wsproto_utf8(a.wsproto, revision(a.wsproto), show))


if __name__ == "__main__":
    main()
