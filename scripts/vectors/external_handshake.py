"""Opening-handshake cases of python-websockets and wsproto, as tests/vectors data.

The sources build their requests and responses with small helpers (`make_request()`,
`alter_and_receive_response()`, h11 events) and then change headers step by step. This
module replays exactly those literal steps (`pyeval.Evaluator`; no library code runs) to get
the bytes on the wire, and reads each test's assertions for the verdict it expects:
success or the exception, the HTTP status, the origin and subprotocol. wsguard's own
diagnostic code for each failure comes from the tables below (the sources name only an
exception), keyed by test name. Tests built otherwise are listed in the file's `left_out`
with the reason.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import sys
from typing import Any, Dict, List, Optional, Tuple

from pyeval import Evaluator, NotData, find_function, functions, kwargs, module_constants

Case = Dict[str, Any]
Headers = List[Tuple[str, str]]
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
# The nonce used where the source's key is random (generate_nonce(), an unpatched
# generate_key()): any 16 bytes are a valid key; the accept value is computed from it.
FIXED_NONCE = b"wsguard external"


# Where wsguard's verdict differs from the source's, for a reason the RFCs allow: the case
# expects what wsguard does (`disagreement` names the entry; `source.expects` keeps the
# source's own value). Kept short; tests/vectors/README.md lists them.
DISAGREEMENTS = {
    "status-http10": (
        "python-websockets answers HTTP/1.0 with 505; wsguard with 400 http_version. RFC 9110 §15.6.6 makes 505 "
        "the answer to an unsupported major version, and HTTP/1.0 shares major version 1; RFC 6455 §4.2.1 asks for "
        "\"an appropriate error code (such as 400 Bad Request)\" when the request is not an HTTP/1.1 upgrade GET."),
    "status-version-426": (
        "python-websockets answers a missing, repeated or unsupported Sec-WebSocket-Version with 400; wsguard with "
        "426 Upgrade Required plus `Sec-WebSocket-Version: 13`, the answer RFC 6455 §4.2.2 (item 4 of /version/) names "
        "(\"such as 426 Upgrade Required\"); §4.4's example uses 400, so both are allowed, and wsproto sends 426 too."),
    "status-origin-multiple": (
        "python-websockets answers two Origin headers with 400 (a repeated single-value field, RFC 9110 §5.3); wsguard "
        "with 403 origin_multiple: RFC 6455 §10.2 says an unacceptable origin SHOULD get 403, and wsguard reports "
        "every Origin refusal the same way so the explain exchange and the logs name the Origin."),
    "request-upgrade-list": (
        "python-websockets' legacy check_request() refuses a request whose Upgrade names `socketweb` beside "
        "`websocket`; wsguard accepts it: RFC 6455 §4.2.1 asks for \"an |Upgrade| header field containing the "
        "value websocket\", and RFC 9110 §7.8 lets a client list several protocols in order of preference. "
        "(The answer is stricter: a 101 naming another protocol is refused, upgrade_not_only_websocket.)"),
    "426-upgrade-header": (
        "wsproto's 426 carries only `Sec-WebSocket-Version: 13`; wsguard's also carries `Upgrade: websocket`, which "
        "RFC 9110 §15.5.22 requires of every 426 (\"The server MUST send an Upgrade header field\")."),
}
CASE_DISAGREEMENTS: Dict[str, Tuple[str, Dict[str, Any]]] = {
    "websockets-legacy-request-additional-upgrade": ("request-upgrade-list", {"ok": True}),
    "websockets-server-invalid-protocol": ("status-http10", {"status": 400}),
    "websockets-server-missing-version": ("status-version-426", {"status": 426}),
    "websockets-server-multiple-version": ("status-version-426", {"status": 426}),
    "websockets-server-invalid-version": ("status-version-426", {"status": 426}),
    "websockets-server-multiple-origin": ("status-origin-multiple", {"status": 403}),
    "wsproto-server-connection-request-bad-version-header-12": (
        "426-upgrade-header", {"extra_headers": [["Upgrade", "websocket"], ["Sec-WebSocket-Version", "13"]]}),
    "wsproto-server-connection-request-bad-version-header-not-a-digit": (
        "426-upgrade-header", {"extra_headers": [["Upgrade", "websocket"], ["Sec-WebSocket-Version", "13"]]}),
}


def apply_disagreements(doc: Dict[str, Any]) -> Dict[str, Any]:
    used = {}
    for case in doc["cases"]:
        if case["name"] in CASE_DISAGREEMENTS:
            key, override = CASE_DISAGREEMENTS[case["name"]]
            case["source"]["expects"] = {k: case["expect"].get(k) for k in override}
            case["expect"].update(override)
            if case["expect"]["ok"]:  # wsguard accepts what the source refuses
                case["expect"] = {k: v for k, v in case["expect"].items() if k not in ("code", "status")}
            case["disagreement"] = key
            used[key] = DISAGREEMENTS[key]
    doc["disagreements"] = used
    return doc


def accept_for(key: str) -> str:
    """RFC 6455 §4.2.2 step 5.4: base64(SHA-1(key + GUID))."""
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def head(start: str, headers: Headers, body: bytes = b"") -> bytes:
    return (start + "\r\n" + "".join(f"{n}: {v}\r\n" for n, v in headers) + "\r\n").encode() + body


def as_text(data: bytes, field: str) -> Dict[str, str]:
    try:
        text = data.decode("utf-8")
        if "\x00" not in text:
            return {field: text}
    except UnicodeDecodeError:
        pass
    return {f"{field}_hex": data.hex()}


def server_config(origins: Optional[List[Any]], subprotocols: List[str], require: bool,
                  limits: Dict[str, int]) -> Dict[str, Any]:
    """The handshake_server config equivalent to the source's server settings."""
    if origins is None:  # the source does not check Origin at all
        policy = {"allow": ["*"], "allow_null": True, "allow_missing": True, "preset": None, "hosts": []}
    else:
        policy = {"allow": [o for o in origins if o is not None], "allow_null": False,
                  "allow_missing": None in origins, "preset": None, "hosts": []}
    return {"policy": policy, "subprotocols": subprotocols, "require_subprotocol": require,
            "token": {"authorization": False, "subprotocol_prefix": None, "subprotocol_pair": None,
                      "query": None, "required": False},
            "limits": limits}


def jsonable(v: Any) -> Any:
    """Source values for `source` fields: bytes as text, tuples as lists."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "backslashreplace")
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    return v


def field_of(case: Case, field: str) -> bytes:
    return case[field].encode() if field in case else bytes.fromhex(case[f"{field}_hex"])


def status_of(response: bytes) -> Optional[int]:
    """The status a response's first line gives (`HTTP/1.1 NNN`), None when it is not HTTP."""
    line = response.split(b"\r\n", 1)[0]
    return int(line[9:12]) if line[:9] in (b"HTTP/1.1 ", b"HTTP/1.0 ") and line[9:12].isdigit() else None


def delete(headers: Headers, name: str) -> Headers:
    return [(n, v) for n, v in headers if n.lower() != name.lower()]


def assertions(fn: ast.FunctionDef) -> List[ast.Call]:
    return [n for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and isinstance(n.func.value, ast.Name) and n.func.value.id == "self" and n.func.attr.startswith("assert")]


def dotted(ev: Evaluator, node: ast.AST) -> str:
    return ev.dotted(node) or ""


# --- python-websockets: tests/test_server.py and tests/test_client.py ---

WS_SERVER = "tests/test_server.py"
WS_CLIENT = "tests/test_client.py"
WS_LEGACY = "tests/legacy/test_handshake.py"
WS_LEGACY_SRC = "src/websockets/legacy/handshake.py"
# python-websockets' limits (src/websockets/http11.py MAX_NUM_HEADERS, MAX_LINE_LENGTH);
# wsguard clamps max_headers to its fixed storage (handshake::MAX_HEADERS = 64).
WS_LIMITS = {"max_headers": 128, "max_line": 8192, "max_total": 16384}
# select_subprotocol=self.optional_chat: the test's selector returns "chat" when the client
# offers it and no subprotocol otherwise — wsguard's list ["chat"] without require.
WS_SELECTORS = {"self.optional_chat": (["chat"], False)}
# Client extension factories of tests/extensions/utils.py: the offer each one writes
# (name from the class, parameters from get_request_params()).
WS_CLIENT_FACTORIES = {"ClientRsv2ExtensionFactory": lambda: "x-rsv2",
                       "ClientOpExtensionFactory": lambda op=None: "x-op; op" + (f"={op}" if op else "")}
WS_LEFT_OUT = {
    "test_supported_origin_regex": "origins given as a regular expression; wsguard patterns have no regex form",
    "test_unsupported_origin_regex": "origins given as a regular expression; wsguard patterns have no regex form",
    "test_partial_match_origin_regex": "origins given as a regular expression; wsguard patterns have no regex form",
    "test_supported_extension_parameters": "the parameters a helper extension factory accepts are its own rule",
    "test_unsupported_extension_parameters": "the parameters a helper extension factory accepts are its own rule",
    "test_multiple_supported_extension_parameters": "the parameters a helper extension factory accepts are its own rule",
    "test_offer_extension": "checks the request the client writes, not a verdict",
    "test_offer_subprotocol": "checks the request the client writes, not a verdict",
}
# wsguard's diagnostic code per failing test (server: the request; client: the response).
WS_SERVER_CODES = {
    "test_receive_junk_request": "malformed_request", "test_receive_request_line_too_long": "target_too_long",
    "test_receive_header_line_too_long": "header_line_too_long", "test_receive_too_many_headers": "too_many_headers",
    "test_invalid_method": "method_not_get", "test_invalid_protocol": "http_version",
    "test_missing_connection": "connection_missing_upgrade", "test_invalid_connection": "connection_missing_upgrade",
    "test_missing_upgrade": "upgrade_missing", "test_invalid_upgrade": "upgrade_missing",
    "test_missing_key": "key_missing", "test_multiple_key": "key_multiple", "test_invalid_key": "key_invalid",
    "test_truncated_key": "key_invalid", "test_missing_version": "version_missing",
    "test_multiple_version": "version_unsupported", "test_invalid_version": "version_unsupported",
    "test_no_origin": "origin_missing", "test_unexpected_origin": "origin_host", "test_multiple_origin": "origin_multiple",
    "test_unsupported_origin": "origin_host", "test_no_subprotocol_requested": "subprotocol_no_match",
    "test_unsupported_subprotocol": "subprotocol_no_match",
}
WS_CLIENT_CODES = {
    "test_receive_failed_response": "not_found", "test_receive_junk_response": "malformed_response",
    # "HTTP/1.1 " + 8191 × "a": too long for python-websockets, and no status code for wsguard's parser.
    "test_receive_status_line_too_long": "malformed_response",
    "test_missing_connection": "connection_missing_upgrade", "test_invalid_connection": "connection_missing_upgrade",
    "test_missing_upgrade": "upgrade_missing", "test_invalid_upgrade": "upgrade_missing",
    "test_missing_accept": "accept_missing", "test_multiple_accept": "accept_multiple",
    "test_invalid_accept": "accept_mismatch", "test_no_extensions_offered": "extension_not_offered",
    "test_extension_not_offered": "extension_not_offered", "test_no_subprotocol_requested": "subprotocol_not_offered",
    "test_unsupported_subprotocol": "subprotocol_not_offered", "test_multiple_subprotocols_accepted": "subprotocol_multiple",
}


def ws_make_message(tree: ast.Module, func: str, ev: Evaluator) -> Tuple[str, Headers]:
    """The path (request) or accept value (response) and headers a `make_*` helper builds."""
    fn = find_function(tree, func)
    call = next(n for n in ast.walk(fn) if isinstance(n, ast.Call) and dotted(ev, n.func) == "Headers")
    headers = [(k, str(v)) for k, v in ev.eval(call.args[0]).items()]
    outer = next(n for n in ast.walk(fn) if isinstance(n, ast.Call) and dotted(ev, n.func) in ("Request", "Response"))
    kw = kwargs(outer, ev)
    return str(kw.get("path", "")), headers


class WsTest:
    """One python-websockets test method replayed on literal data."""

    def __init__(self, fn: ast.FunctionDef, ev: Evaluator, side: str) -> None:
        self.fn, self.ev, self.side = fn, ev, side
        self.proto: Dict[str, Any] = {}
        self.method, self.path, self.protocol = "GET", "/test", "HTTP/1.1"
        self.headers: Optional[Headers] = None
        self.data = b""
        self.eof = False
        self.msg_var = ""

    def run(self, stmts: List[ast.stmt], make: Tuple[str, Headers]) -> None:
        for st in stmts:
            if isinstance(st, ast.With):
                ctx = st.items[0].context_expr
                if isinstance(ctx, ast.Call) and dotted(self.ev, ctx.func) == "alter_and_receive_response":
                    self.msg_var = st.items[0].optional_vars.id if st.items[0].optional_vars else "response"  # type: ignore[union-attr]
                    self.headers = list(make[1])
                    self.run(st.body, make)
                    self.data += head("HTTP/1.1 101 Switching Protocols", self.headers)
                    continue
                if isinstance(ctx, ast.Call) and dotted(self.ev, ctx.func) == "self.assertLogs":
                    self.run(st.body, make)
                    continue
                raise NotData("with")
            if isinstance(st, ast.Pass) or (isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant)):
                continue  # a docstring
            if isinstance(st, ast.Assign) and len(st.targets) == 1:
                self.assign(st.targets[0], st.value, make)
                continue
            if isinstance(st, ast.Delete):
                t = st.targets[0]
                if isinstance(t, ast.Subscript) and dotted(self.ev, t.value) == f"{self.msg_var}.headers":
                    self.headers = delete(self.headers or [], self.ev.eval(t.slice))
                    continue
                raise NotData("del")
            if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
                name = dotted(self.ev, st.value.func)
                if name.endswith(".receive_data"):
                    self.data += self.ev.eval(st.value.args[0])
                elif name.endswith(".receive_eof"):
                    self.eof = True
                elif name.startswith("self.assert") or name.endswith((".send_response", ".events_received")):
                    pass
                else:
                    raise NotData(name)
                continue
            raise NotData(type(st).__name__)

    def assign(self, target: ast.expr, value: ast.expr, make: Tuple[str, Headers]) -> None:
        call = value if isinstance(value, ast.Call) else None
        fname = dotted(self.ev, call.func) if call else ""
        if isinstance(target, ast.Name) and fname in ("ServerProtocol", "ClientProtocol"):
            self.proto = kwargs(call, self.ev)  # type: ignore[arg-type]
        elif isinstance(target, ast.Name) and fname == "make_request":
            self.msg_var, self.headers = target.id, list(make[1])
            self.path = make[0]
        elif isinstance(target, ast.Name) and fname.endswith(".accept"):
            assert self.headers is not None
            self.data += head(f"{self.method} {self.path} {self.protocol}", self.headers)
        elif isinstance(target, ast.Attribute) and dotted(self.ev, target.value) == self.msg_var:
            setattr(self, {"method": "method", "protocol": "protocol"}[target.attr], self.ev.eval(value))
        elif isinstance(target, ast.Subscript) and dotted(self.ev, target.value) == f"{self.msg_var}.headers":
            assert self.headers is not None
            self.headers.append((self.ev.eval(target.slice), self.ev.eval(value)))
        elif isinstance(target, (ast.List, ast.Tuple)) and fname.endswith(".events_received"):
            pass
        else:
            raise NotData("assignment")

    def verdict(self) -> Dict[str, Any]:
        """What the test's assertions say: ok, exception, status, origin, subprotocol."""
        out: Dict[str, Any] = {}
        proto = "server" if self.side == "server" else "client"
        for a in assertions(self.fn):
            what = a.func.attr  # type: ignore[union-attr]
            args = a.args
            first = dotted(self.ev, args[0]) if args else ""
            if what == "assertHandshakeSuccess":
                out["ok"] = True
            elif what == "assertHandshakeError":
                out.update(ok=False, exception=dotted(self.ev, args[1]), message=self.ev.eval(args[2]))
            elif what == "assertIsInstance" and first == f"{proto}.handshake_exc":
                out.update(ok=False, exception=dotted(self.ev, args[1]))
            elif what == "assertIsNone" and first == f"{proto}.handshake_exc":
                out.setdefault("ok", True)
            elif what == "assertEqual" and first == "response.status_code":
                out["status"] = self.ev.eval(args[1])
            elif (what == "assertEqual" and isinstance(args[0], ast.Call) and self.side == "server"
                  and dotted(self.ev, args[0].func) == "server.data_to_send" and not self.fn.name.startswith("test_send")):
                sent = args[1].body if isinstance(args[1], ast.IfExp) else args[1]  # (a Python-version variant)
                first_sent = self.ev.eval(sent)[0]
                if first_sent.startswith(b"HTTP/1.1 "):
                    out["status"] = int(first_sent[9:12])
            elif what == "assertEqual" and first in (f"{proto}.origin", f"{proto}.subprotocol"):
                out[first.split(".")[1]] = self.ev.eval(args[1])
            elif what == "assertIsNone" and first in (f"{proto}.origin", f"{proto}.subprotocol"):
                out[first.split(".")[1]] = None
            elif (what == "assertEqual" and isinstance(args[0], ast.Subscript)
                  and dotted(self.ev, args[0].value) == "response.headers" and self.side == "server"):
                out.setdefault("response_headers", []).append([self.ev.eval(args[0].slice), self.ev.eval(args[1])])
        return out


def ws_offer(node: Any, ev: Evaluator) -> Optional[str]:
    """The Sec-WebSocket-Extensions offer of a list of client extension factories."""
    if not isinstance(node, ast.List):
        return None
    offers = []
    for f in node.elts:
        if not (isinstance(f, ast.Call) and dotted(ev, f.func) in WS_CLIENT_FACTORIES):
            raise NotData("extension factory")
        offers.append(WS_CLIENT_FACTORIES[dotted(ev, f.func)](*[ev.eval(a) for a in f.args]))
    return ", ".join(offers)


# DATE is email.utils.formatdate(usegmt=True) at test time (tests/utils.py): any date fits.
WS_DATE = "Thu, 01 Jan 2026 00:00:00 GMT"


def convert_websockets_handshake(repo: str, rev: str, show: Any) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """(server file, client file) in the handshake_server / handshake_client formats."""
    consts = module_constants(ast.parse(show(repo, rev, "tests/test_utils.py")))
    consts["DATE"] = WS_DATE
    key = base64.b64encode(FIXED_NONCE).decode()
    legacy = ws_legacy(ast.parse(show(repo, rev, WS_LEGACY)), ast.parse(show(repo, rev, WS_LEGACY_SRC)))
    out = []
    for side, path, classes, codes in (("server", WS_SERVER, ("RequestTests", "HandshakeTests"), WS_SERVER_CODES),
                                       ("client", WS_CLIENT, ("ResponseTests", "HandshakeTests"), WS_CLIENT_CODES)):
        tree = ast.parse(show(repo, rev, path))
        ev = Evaluator(consts)
        make = (ws_make_message(tree, "make_request", ev) if side == "server"
                else ("", [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept_for(key))]))
        cases: List[Case] = []
        left_out: Dict[str, str] = {}
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            if cls.name not in classes:
                if any(isinstance(f, ast.FunctionDef) and f.name.startswith("test_") for f in cls.body):
                    left_out[cls.name] = WS_CLASS_LEFT_OUT.get(f"{side}:{cls.name}", "not a handshake verdict")
                continue
            for fn in (f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name.startswith("test_")):
                case = ws_case(side, path, cls, fn, ev, make, key, codes, left_out)
                if case:
                    cases.append(case)
        # test_http11.py: RequestTests for the server file, ResponseTests for the client file
        more, more_left = ws_http11(ast.parse(show(repo, rev, WS_HTTP11)), ev, side)
        cases += more
        left_out.update(more_left)
        # legacy/test_handshake.py: check_request() cases for the server, check_response() for the client
        cases += legacy[0] if side == "server" else legacy[1]
        left_out.update(legacy[2])
        out.append((cases, left_out))
    docs = []
    for side, (cases, left_out) in zip(("server", "client"), out):
        path = WS_SERVER if side == "server" else WS_CLIENT
        doc: Dict[str, Any] = {
            "description": WS_DESCRIPTION[side],
            "format": f"handshake_{side}",
            "source": {"repo": "python-websockets/websockets", "revision": rev,
                       "files": [path, WS_HTTP11, WS_LEGACY]},
        }
        if side == "server":
            doc["config"] = server_config(None, [], False, WS_LIMITS)
            for c in cases:
                if c.get("config", doc["config"]) == doc["config"]:
                    c.pop("config", None)
                else:
                    c["config"] = {k: v for k, v in c["config"].items() if v != doc["config"][k]}
        doc["left_out"] = left_out
        doc["cases"] = cases
        docs.append(apply_disagreements(doc))
    return docs[0], docs[1]


WS_HTTP11 = "tests/test_http11.py"
WS_HTTP11_CODES = {
    "test_parse_non_ascii_method": "malformed_request", "test_parse_non_ascii_path": "malformed_request",
    "test_parse_request_line_too_long": "target_too_long", "test_parse_invalid_request_line": "malformed_request",
    "test_parse_unsupported_protocol": "http_version", "test_parse_invalid_header": "malformed_request",
    "test_parse_body": "request_body", "test_parse_body_with_transfer_encoding": "request_body",
}


WS_HTTP11_RESPONSE_CODES = {
    "test_parse_status_line_too_long": "malformed_response", "test_parse_invalid_status_line": "malformed_response",
    # HTTP/1.0 400: python-websockets refuses the 1.0 status line, wsguard reads the refusal and
    # diagnoses its status (RFC 9110 §2.5: a 1.1 client processes a 1.0 response); both fail.
    "test_parse_unsupported_protocol": "proxy_dropped_upgrade", "test_parse_non_integer_status": "malformed_response",
    "test_parse_non_three_digit_status": "malformed_response", "test_parse_invalid_reason": "malformed_response",
    "test_parse_invalid_header": "malformed_response", "test_parse_proxy_unsupported_protocol": "malformed_response",
}
# Response.parse() reads the body of a non-101 answer (Content-Length, chunked, to EOF, at
# most 1 MiB); wsguard's client reads the head and, for the diagnosis, a body line it has.
WS_HTTP11_BODY = "the body framing or size of a non-101 answer; wsguard's client reads the head and a first body line only"
# The RFC 6455 §1.2 example request (as in RequestTests.test_parse) whose answer
# ResponseTests.test_parse reads: key dGhlIHNhbXBsZSBub25jZQ==, subprotocols chat, superchat.
WS_RFC_REQUEST = {"host": "server.example.com", "path": "/chat", "nonce_hex": "7468652073616d706c65206e6f6e6365",
                  "origin": "http://example.com", "subprotocols": ["chat", "superchat"], "extensions": None}


def ws_http11(tree: ast.Module, ev: Evaluator, side: str = "server") -> Tuple[List[Case], Dict[str, str]]:
    """test_http11.py RequestTests / ResponseTests: bytes fed to Request.parse() or
    Response.parse() and whether it raises."""
    cls_name = "RequestTests" if side == "server" else "ResponseTests"
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls_name)
    codes = WS_HTTP11_CODES if side == "server" else WS_HTTP11_RESPONSE_CODES
    cases: List[Case] = []
    left_out: Dict[str, str] = {}
    for fn in functions(cls):
        data, eof, exc = b"", False, None
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and ev.dotted(node.func) == "self.reader.feed_data":
                data += ev.eval(node.args[0])
            elif isinstance(node, ast.Call) and ev.dotted(node.func) == "self.reader.feed_eof":
                eof = True
            elif isinstance(node, ast.With) and "assertRaises" in ast.unparse(node.items[0].context_expr):
                exc = ev.dotted(node.items[0].context_expr.args[0])  # type: ignore[attr-defined]
        key = f"{WS_HTTP11}:{cls_name}.{fn.name}"
        if not data and not eof:
            left_out[key] = "builds a message to serialize, no bytes parsed"
            continue
        if side == "client" and "body" in fn.name:
            left_out[key] = WS_HTTP11_BODY
            continue
        src: Dict[str, Any] = {"file": WS_HTTP11, "class": cls_name, "test": fn.name, "line": fn.lineno,
                               "websockets": exc or "parsed"}
        case: Case = {"name": f"websockets-http11-{'response-' if side == 'client' else ''}{fn.name[5:].replace('_', '-')}",
                      "source": src}
        if side == "client":
            case["request"] = dict(WS_RFC_REQUEST)
            src["request"] = "the RFC 6455 §1.2 example request (RequestTests.test_parse)"
        case.update(as_text(data, "request" if side == "server" else "response"))
        if exc is None and fn.name != "test_parse":
            left_out[key] = ("parse() reads the head but it is no complete upgrade exchange; "
                             "python-websockets' verdict on such messages is test_server.py's / test_client.py's")
            continue
        if exc is None:
            case["expect"] = ({"ok": True, "path": "/chat", "origin": "http://example.com"} if side == "server"
                              else {"ok": True, "subprotocol": "chat"})
        elif eof and exc == "EOFError":
            src["rule"] = "eof-partial"
            case["expect"] = {"ok": False, "partial": True}
        else:
            case["expect"] = {"ok": False, "code": codes.get(fn.name, "?")}
            if side == "client":  # an answer that is not well-formed HTTP has no status
                malformed = case["expect"]["code"] == "malformed_response"
                case["expect"]["status"] = None if malformed else status_of(data)
            if fn.name not in codes:
                print(f"websockets http11: no wsguard code for {fn.name}", file=sys.stderr)
        cases.append(case)
    return cases, left_out


WS_CLASS_LEFT_OUT = {
    "server:BasicTests": "the responses the server writes (wsguard's writer has its own vectors in handshake_server.json)",
    "server:ResponseTests": "accept()/reject() build responses; test_unexpected_error patches process_request to raise",
    "server:MiscTests": "no handshake", "server:BackwardsCompatibilityTests": "a deprecated alias",
    "client:BasicTests": "the request the client writes and a response fed to it (covered by ResponseTests)",
    "client:RequestTests": "the request the client writes from a URI (wsguard's writer has its own vectors in handshake_client.json)",
    "client:MiscTests": "no handshake", "client:BackwardsCompatibilityTests": "a deprecated alias",
    "client:BackoffTests": "reconnection delays, not a handshake",
}
WS_DESCRIPTION = {
    "server": (
        "External: python-websockets' server handshake tests (" + WS_SERVER + ", classes RequestTests and "
        "HandshakeTests; " + WS_HTTP11 + " RequestTests: the bytes fed to Request.parse(); " + WS_LEGACY + ": the "
        "headers check_request() judges, after the request line and Host every request carries; at `source.revision`), "
        "replayed on literal data by scripts/vectors/external_handshake.py: "
        "make_request() and the header changes each test makes, serialized as the request bytes. Same format as "
        "handshake_server.json. `config` mirrors the ServerProtocol arguments (no origins= means no Origin check: "
        "`*`, null and missing allowed; subprotocols= means one of them is required, as python-websockets' default "
        "selector refuses otherwise). expect: ok, status, origin and subprotocol as the test asserts them; `code` is "
        "wsguard's diagnostic for the failure (python-websockets names only the exception, kept in "
        "`source.websockets`). A head cut by EOF (`rule: eof-partial`) expects partial: wsguard is sans-IO and "
        "says it needs more bytes; the caller's EOF turns that into the failure python-websockets reports. "
        "`left_out`: tests not converted, with the reason. Cases marked `disagreement` expect what wsguard does "
        "instead (tests/vectors/README.md)."),
    "client": (
        "External: python-websockets' client handshake tests (" + WS_CLIENT + ", classes ResponseTests and "
        "HandshakeTests; " + WS_HTTP11 + " ResponseTests: the bytes fed to Response.parse(), answering the RFC 6455 "
        "§1.2 example request; " + WS_LEGACY + ": the headers check_response() judges, after a 101 status line; at "
        "`source.revision`), replayed on literal data: the response alter_and_receive_response() "
        "builds and the header changes each test makes. Same format as handshake_client.json. The key: KEY where the "
        "test patches generate_key, else a fixed 16-byte nonce (the source's is random) with its accept value "
        "computed per RFC 6455 §4.2.2. Extension factories become the offer they write (tests/extensions/utils.py). "
        "expect: ok and subprotocol as asserted; `code` is wsguard's diagnostic (source: the exception). "
        "`left_out`: tests not converted, with the reason."),
}


def ws_case(side: str, path: str, cls: ast.ClassDef, fn: ast.FunctionDef, ev: Evaluator,
            make: Tuple[str, Headers], key: str, codes: Dict[str, str], left_out: Dict[str, str]) -> Optional[Case]:
    if fn.name in WS_LEFT_OUT:
        left_out[f"{cls.name}.{fn.name}"] = WS_LEFT_OUT[fn.name]
        return None
    t = WsTest(fn, ev, side)
    try:
        t.run(fn.body, make)
        offer = ws_offer(t.proto.get("extensions"), ev) if side == "client" else None
    except NotData as e:
        left_out[f"{cls.name}.{fn.name}"] = f"not built from literal data ({e})"
        return None
    v = t.verdict()
    if "ok" not in v:
        left_out[f"{cls.name}.{fn.name}"] = "asserts no verdict"
        return None
    src = {"file": path, "class": cls.name, "test": fn.name, "line": fn.lineno,
           "websockets": "success" if v["ok"] else v.get("exception", "?")}
    if "message" in v:
        src["message"] = v["message"]
    case: Case = {"name": f"websockets-{side}-{fn.name[5:].replace('_', '-')}", "source": src}
    if side == "server":
        case.update(as_text(t.data, "request"))
        case["config"] = ws_server_config(t.proto, ev)
    else:
        # ResponseTests patch generate_key to KEY; HandshakeTests keep a random key.
        ck = ev.env["KEY"] if cls.name == "ResponseTests" else key
        case["request"] = {"host": "example.com", "path": "/test", "nonce_hex": base64.b64decode(ck).hex(),
                           "origin": None, "subprotocols": t.proto.get("subprotocols") or [], "extensions": offer}
        case.update(as_text(t.data, "response"))
    expect: Dict[str, Any] = {"ok": v["ok"]}
    if t.eof and not v["ok"] and v.get("exception") == "InvalidMessage" and "EOFError" in ast.unparse(fn):
        src["rule"] = "eof-partial"
        case["expect"] = {"ok": False, "partial": True}
        return case
    if not v["ok"]:
        expect["code"] = codes.get(fn.name, "?")
        if fn.name not in codes:
            print(f"websockets {side}: no wsguard code for {fn.name}", file=sys.stderr)
        if side == "client":  # handshake_client's `status`: the status received
            expect["status"] = status_of(t.data)
    for k in ("status", "origin", "subprotocol"):
        if k in v and not (k == "status" and side == "client" and v["ok"]):
            expect[k] = v[k]
    for name, value in v.get("response_headers", []):
        if name.lower() == "sec-websocket-protocol":
            expect["subprotocol"] = value
        elif not v["ok"]:
            expect.setdefault("extra_headers", []).append([name, value])
    case["expect"] = expect
    return case


def ws_server_config(proto: Dict[str, Any], ev: Evaluator) -> Dict[str, Any]:
    origins = proto.get("origins")
    subs, require = list(proto.get("subprotocols") or []), bool(proto.get("subprotocols"))
    sel = proto.get("select_subprotocol")
    if sel is not None:
        subs, require = WS_SELECTORS[ev.dotted(sel) or ""]
    return server_config(origins, subs, require, WS_LIMITS)


# --- python-websockets: tests/legacy/test_handshake.py (check_request / check_response) ---

WS_LEGACY_CODES = {
    "test_request_invalid_connection": "connection_missing_upgrade", "test_request_missing_connection": "connection_missing_upgrade",
    "test_request_invalid_upgrade": "upgrade_missing", "test_request_missing_upgrade": "upgrade_missing",
    "test_request_invalid_key_not_base64": "key_invalid", "test_request_invalid_key_not_well_padded": "key_invalid",
    "test_request_invalid_key_not_16_bytes_long": "key_invalid", "test_request_missing_key": "key_missing",
    "test_request_additional_key": "key_multiple", "test_request_invalid_version": "version_unsupported",
    "test_request_missing_version": "version_missing", "test_request_additional_version": "version_unsupported",
    "test_response_invalid_connection": "connection_missing_upgrade",
    "test_response_missing_connection": "connection_missing_upgrade",
    "test_response_invalid_upgrade": "upgrade_missing", "test_response_missing_upgrade": "upgrade_missing",
    "test_response_additional_upgrade": "upgrade_not_only_websocket",
    "test_response_invalid_accept": "accept_mismatch", "test_response_missing_accept": "accept_missing",
    "test_response_additional_accept": "accept_multiple",
}


def ws_legacy_build(src: ast.Module, func: str, key: str) -> Headers:
    """The headers build_request() / build_response() set (`headers[...] = ...`), in order."""
    out: Headers = []
    for st in ast.walk(find_function(src, func)):
        if (isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Subscript)
                and ast.unparse(st.targets[0].value) == "headers"):
            name = ast.literal_eval(st.targets[0].slice)
            v = st.value
            value = (key if ast.unparse(v) == "key"
                     else accept_for(key) if isinstance(v, ast.Call) and ast.unparse(v.func) == "accept"
                     else ast.literal_eval(v))
            out.append((name, value))
    return out


def ws_legacy(tree: ast.Module, lib: ast.Module) -> Tuple[List[Case], List[Case], Dict[str, str]]:
    """(server cases, client cases, left out) of the legacy check_request/check_response tests."""
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "HandshakeTests")
    response_key = next(ast.literal_eval(d) for f in cls.body if isinstance(f, ast.FunctionDef)
                        and f.name == "assertValidResponseHeaders" for d in f.args.defaults)
    request_key = base64.b64encode(FIXED_NONCE).decode()  # build_request's generate_key() is random
    server, client, left_out = [], [], {}
    for fn in functions(cls):
        ctx = next((st.items[0] for st in fn.body if isinstance(st, ast.With)), None)
        call = ctx.context_expr if ctx else None
        kind = ast.unparse(call.func) if isinstance(call, ast.Call) else ""  # type: ignore[union-attr]
        if not kind.startswith(("self.assertValid", "self.assertInvalid")):
            left_out[f"{WS_LEGACY}:{fn.name}"] = "a round trip of the library's own builders, no literal change"
            continue
        side = "server" if "Request" in kind else "client"
        key = request_key if side == "server" else response_key
        headers = ws_legacy_build(lib, "build_request" if side == "server" else "build_response", key)
        ev = Evaluator({"accept_key": None})
        body = next(st for st in fn.body if isinstance(st, ast.With)).body
        for st in body:
            if isinstance(st, ast.Delete):
                headers = delete(headers, ast.literal_eval(st.targets[0].slice))  # type: ignore[attr-defined]
            elif isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name):
                ev.env[st.targets[0].id] = ev.eval(st.value)
            elif isinstance(st, ast.Assign):
                name, v = ast.literal_eval(st.targets[0].slice), st.value  # type: ignore[attr-defined]
                if isinstance(v, ast.Subscript):  # headers[X] = headers[X]: the value again
                    value = next(val for n, val in headers if n.lower() == ast.literal_eval(v.slice).lower())
                elif isinstance(v, ast.Call) and ast.unparse(v.func) == "accept_key":
                    value = accept_for(ev.eval(v.args[0]))
                else:
                    value = ev.eval(v)
                headers.append((name, value))
        valid = kind.startswith("self.assertValid")
        exc = None if valid else ast.unparse(call.args[0])  # type: ignore[union-attr]
        src = {"file": WS_LEGACY, "class": "HandshakeTests", "test": fn.name, "line": fn.lineno,
               "websockets": exc or "valid"}
        case: Case = {"name": f"websockets-legacy-{fn.name[5:].replace('_', '-')}", "source": src}
        expect: Dict[str, Any] = {"ok": valid}
        if not valid:
            expect["code"] = WS_LEGACY_CODES.get(fn.name, "?")
            if fn.name not in WS_LEGACY_CODES and case["name"] not in CASE_DISAGREEMENTS:
                print(f"websockets legacy: no wsguard code for {fn.name}", file=sys.stderr)
        if side == "server":
            case["request"] = head("GET /chat HTTP/1.1", [("Host", "example.com")] + headers).decode()
            src["framing"] = "check_request() reads headers only: request line and Host added"
            server.append(case)
        else:
            case["request"] = {"host": "example.com", "path": "/chat", "nonce_hex": base64.b64decode(key).hex(),
                               "origin": None, "subprotocols": [], "extensions": None}
            case["response"] = head("HTTP/1.1 101 Switching Protocols", headers).decode()
            src["framing"] = "check_response() reads headers only: the 101 status line added"
            if not valid:
                expect["status"] = 101
            client.append(case)
        case["expect"] = expect
    return server, client, left_out
