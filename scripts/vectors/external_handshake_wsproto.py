"""wsproto's opening-handshake cases (tests/test_server.py, tests/test_handshake.py,
tests/test_client.py) as tests/vectors data; see external_handshake.py for the method.

The request and response bytes are what h11 writes for the test's literal headers (request
line `GET / HTTP/1.1`, response `HTTP/1.1 <status> ` with an empty reason, the headers in the
order given); the verdict is the test's `pytest.raises` or its assertions on the events.
"""

from __future__ import annotations

import ast
import base64
import sys
from typing import Any, Dict, List, Optional, Tuple

from external_handshake import (FIXED_NONCE, Case, accept_for, apply_disagreements, as_text, field_of, head,
                                jsonable, server_config, status_of)
from pyeval import Evaluator, NotData, class_attr, find_function, functions, kwargs, parametrize

# --- wsproto: tests/test_server.py, tests/test_handshake.py, tests/test_client.py ---

WP_SERVER = "tests/test_server.py"
WP_HANDSHAKE = "tests/test_handshake.py"
WP_CLIENT = "tests/test_client.py"
# The fixed headers of test_server.py's _make_handshake() (its request, before the test's own).
WP_LIMITS = {"max_headers": 64, "max_line": 8192, "max_total": 16384}
WP_SERVER_CODES = {
    "wsproto-server-connection-request-bad-method": "method_not_get",
    "wsproto-server-connection-request-bad-connection-header": "connection_missing_upgrade",
    "wsproto-server-connection-request-bad-upgrade-header": "upgrade_missing",
    "wsproto-server-connection-request-bad-version-header-12": "version_unsupported",
    "wsproto-server-connection-request-bad-version-header-not-a-digit": "version_unsupported",
    "wsproto-server-connection-request-key-header": "key_missing",
    "wsproto-server-protocol-error": "malformed_request",
    "wsproto-server-rejected-handshake-http10": "http_version",
    "wsproto-server-rejected-handshake-http11": "host_missing",
}
WP_CLIENT_CODES = {
    "wsproto-client-broken-handshake": "unexpected_status",
    "wsproto-client-handshake-response-broken-connection-header-0": "connection_missing_upgrade",
    "wsproto-client-handshake-response-broken-connection-header-1": "connection_missing_upgrade",
    "wsproto-client-handshake-response-broken-upgrade-header-0": "upgrade_missing",
    "wsproto-client-handshake-response-broken-upgrade-header-1": "upgrade_missing",
    "wsproto-client-handshake-response-missing-websocket-key-header": "accept_missing",
    "wsproto-client-handshake-bad-subprotocol": "subprotocol_not_offered",
    "wsproto-client-handshake-bad-extension": "extension_not_offered",
    "wsproto-client-protocol-error": "malformed_response",
}
WP_LEFT_OUT = {
    "tests/test_client.py:test_connection_request": "checks the request the client writes, not a verdict",
    "test_upgrade_request": "initiate_upgrade_connection() takes headers already parsed by another server, no bytes",
    "test_handshake_rejection": "server: the rejection wsproto writes; client: a response whose framing h11 chooses",
    "test_handshake_rejection_with_body": "server: the rejection wsproto writes; client: a response whose framing h11 chooses",
    "test_handshake_extra_headers": "extra headers the application adds to the 101",
    "test_host_encoding": "the client writes an IDNA Host; wsguard's request writer takes ASCII hosts",
    "test_initiate_upgrade_as_client": "an API misuse (LocalProtocolError)",
    "test_send_invalid_event": "an API misuse (LocalProtocolError)",
    "test_successful_handshake": "both sides are wsproto's own objects (no literal request)",
    "test_connection_request_additional_headers": "checks the request the client writes, not a verdict",
    "test_connection_request_simple_extension": "checks the request the client writes, not a verdict",
    "test_connection_request_simple_extension_no_offer": "checks the request the client writes, not a verdict",
    "test_connection_request_parametrised_extension": "checks the request the client writes, not a verdict",
    "test_connection_request_subprotocols": "checks the request the client writes, not a verdict",
    "test_connection_send_state": "connection state after the handshake",
}


def wp_env(helpers: ast.Module) -> Dict[str, Any]:
    nonce = base64.b64encode(FIXED_NONCE)
    return {"generate_nonce()": nonce, "FakeExtension.name": class_attr(helpers, "FakeExtension", "name")}


class WpEvaluator(Evaluator):
    """Evaluator plus wsproto's two data helpers: generate_nonce() and FakeExtension names."""

    def call(self, node: ast.Call) -> Any:
        if self.dotted(node.func) == "generate_nonce":
            return self.env["generate_nonce()"]
        return super().call(node)


def wp_raises(fn: ast.FunctionDef, ev: Evaluator) -> Tuple[Optional[str], Optional[str], Dict[str, Any]]:
    """(exception, message, event_hint fields) of a `with pytest.raises(E) as excinfo:` test."""
    exc = msg = None
    hint: Dict[str, Any] = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.With):
            ctx = node.items[0].context_expr
            if isinstance(ctx, ast.Call) and ev.dotted(ctx.func) == "pytest.raises":
                exc = ev.dotted(ctx.args[0])
        if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
            left = node.test.left
            if isinstance(left, ast.Call) and ev.dotted(left.func) == "str":
                msg = ev.eval(node.test.comparators[0])
            if ev.dotted(left) == "excinfo.value.event_hint":
                hint = kwargs(node.test.comparators[0], ev)  # type: ignore[arg-type]
    return exc, msg, hint


def wp_base_headers(tree: ast.Module, helpers: ast.Module) -> List[Tuple[bytes, bytes]]:
    """The fixed headers _make_handshake() sends before the test's own (its `nonce` is generate_nonce())."""
    ev = WpEvaluator(wp_env(helpers))
    ev.env["nonce"] = ev.env["generate_nonce()"]
    req = next(c for c in ast.walk(find_function(tree, "_make_handshake"))
               if isinstance(c, ast.Call) and ev.dotted(c.func) == "h11.Request")
    expr = next(k.value for k in req.keywords if k.arg == "headers")
    return ev.eval(expr.left if isinstance(expr, ast.BinOp) else expr)


def wp_request(headers: List[Tuple[bytes, bytes]], method: str = "GET", target: str = "/") -> bytes:
    """The request h11 writes for these headers (its order and spelling)."""
    return head(f"{method} {target} HTTP/1.1", [(n.decode(), v.decode()) for n, v in headers])


def convert_wsproto_handshake(repo: str, rev: str, show: Any) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    helpers = ast.parse(show(repo, rev, "tests/helpers.py"))
    server_cases: List[Case] = []
    client_cases: List[Case] = []
    left_out: Dict[str, str] = {}
    nonce_key = base64.b64encode(FIXED_NONCE).decode()
    for path in (WP_SERVER, WP_HANDSHAKE, WP_CLIENT):
        tree = ast.parse(show(repo, rev, path))
        base_server = wp_base_headers(tree, helpers) if path == WP_SERVER else []
        for fn in functions(tree):
            key = f"{path}:{fn.name}"
            why = WP_LEFT_OUT.get(key, WP_LEFT_OUT.get(fn.name))
            if why:
                left_out[key] = why
                continue
            ev0 = WpEvaluator(wp_env(helpers))
            for params in parametrize(fn, ev0):
                ev = WpEvaluator(dict(ev0.env, **params))
                suffix = "".join(f"-{v.decode() if isinstance(v, bytes) else v}" for v in params.values()
                                 if not isinstance(v, list)) or ("-" + str(len(params[next(iter(params))]))
                                                                  if params else "")
                try:
                    case = wp_case(path, fn, ev, base_server, nonce_key)
                except NotData as e:
                    left_out[key] = f"not built from literal data ({e})"
                    break
                if case is None:
                    left_out[key] = "asserts no verdict"
                    break
                case["name"] += suffix.replace("/", "").replace(".", "").lower()
                if not case["expect"]["ok"] and path == WP_CLIENT:
                    case["expect"]["status"] = status_of(field_of(case, "response"))
                if not case["expect"]["ok"]:
                    codes = WP_CLIENT_CODES if path == WP_CLIENT else WP_SERVER_CODES
                    case["expect"]["code"] = codes.get(case["name"], "?")
                    if case["name"] not in codes:
                        print(f"wsproto: no wsguard code for {case['name']}", file=sys.stderr)
                if params:
                    case["source"]["params"] = jsonable(params)
                (client_cases if path == WP_CLIENT else server_cases).append(case)
    files = {"server": [WP_SERVER, WP_HANDSHAKE], "client": [WP_CLIENT]}
    docs = []
    for side, cases in (("server", server_cases), ("client", client_cases)):
        doc: Dict[str, Any] = {"description": WP_DESCRIPTION[side], "format": f"handshake_{side}",
                               "source": {"repo": "python-hyper/wsproto", "revision": rev, "files": files[side]}}
        if side == "server":
            doc["config"] = server_config(None, [], False, WP_LIMITS)
        doc["left_out"] = {k: v for k, v in left_out.items() if k.split(":")[0] in files[side]}
        doc["cases"] = cases
        docs.append(apply_disagreements(doc))
    return docs[0], docs[1]


WP_DESCRIPTION = {
    "server": (
        "External: wsproto's server handshake tests (" + WP_SERVER + ": _make_connection_request(), "
        "_make_handshake() and receive_data() with literal headers; " + WP_HANDSHAKE + ": literal requests), at "
        "`source.revision`, replayed by scripts/vectors/external_handshake.py. The headers become the request h11 "
        "writes (`GET / HTTP/1.1`, the headers in order); generate_nonce() (random in the source) is a fixed "
        "16-byte key. Same format as handshake_server.json. wsproto checks no Origin: `config` allows `*`, null and "
        "missing. expect: ok; on success host, path, extensions and their parameters (from wsproto's Request "
        "event) and the subprotocol the application picks (`subprotocol=` becomes wsguard's list); on failure the "
        "status wsproto's event_hint gives (426 with Sec-WebSocket-Version: 13 for the version) and `code`, wsguard's "
        "diagnostic (wsproto: RemoteProtocolError, message in `source.message`). `left_out`: not converted, why."),
    "client": (
        "External: wsproto's client handshake tests (" + WP_CLIENT + ": _make_handshake() and "
        "_make_handshake_rejection()), at `source.revision`. The response is what h11 writes for the test's status "
        "and headers (`HTTP/1.1 <status> ` with an empty reason, the headers in order, Sec-WebSocket-Accept appended "
        "when auto_accept_key); the request's key is a fixed 16-byte nonce (random in the source). Same format as "
        "handshake_client.json. expect: ok and subprotocol; on failure `code` (wsguard's diagnostic; wsproto: "
        "RemoteProtocolError or RejectConnection, in `source`) and the status received."),
}


def wp_ext(values: List[str]) -> Tuple[List[str], List[List[List[Optional[str]]]]]:
    """wsproto's Request.extensions strings ("name; p; q=v") as wsguard's names and parameters."""
    names, params = [], []
    for v in values:
        parts = [p.strip() for p in v.split(";")]
        names.append(parts[0])
        params.append([[p.split("=", 1)[0], p.split("=", 1)[1] if "=" in p else None] for p in parts[1:]])
    return names, params


def wp_case(path: str, fn: ast.FunctionDef, ev: Evaluator, base_server: List[Tuple[bytes, bytes]],
            key: str) -> Optional[Case]:
    for st in fn.body:  # local literals (data = b"GET ...", offered_params = "...")
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
            try:
                ev.env[st.targets[0].id] = ev.eval(st.value)
            except NotData:
                pass
    exc, msg, hint = wp_raises(fn, ev)
    src: Dict[str, Any] = {"file": path, "test": fn.name, "line": fn.lineno,
                           "wsproto": exc or "success"}
    if msg:
        src["message"] = msg
    case: Case = {"name": f"wsproto-{'client' if path == WP_CLIENT else 'server'}-{fn.name[5:].replace('_', '-')}",
                  "source": src}
    expect: Dict[str, Any] = {"ok": exc is None}
    calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call)]
    for c in calls:
        name = ev.dotted(c.func) or ""
        if isinstance(c.func, ast.Name) and c.func.id == "FakeExtension":
            ev.env["extension.name"] = ev.env["FakeExtension.name"]
    if path != WP_CLIENT:
        data = None
        for c in calls:
            name = ev.dotted(c.func) or ""
            if name == "_make_connection_request":
                kw = kwargs(c, ev)
                data = wp_request(ev.eval(c.args[0]), method=kw.get("method", "GET"))
            elif name == "_make_handshake":
                kw = kwargs(c, ev)
                data = wp_request(base_server + ev.eval(c.args[0]))
                if kw.get("subprotocol") is not None:
                    case["config"] = {"subprotocols": [kw["subprotocol"]]}
                    expect["subprotocol"] = kw["subprotocol"]
            elif name.endswith(".receive_data") and not name.startswith("client."):
                data = ev.eval(c.args[0])
        if data is None:
            return None
        case.update(as_text(data, "request"))
        for a in (n for n in ast.walk(fn) if isinstance(n, ast.Assert) and isinstance(n.test, ast.Compare)):
            left = ast.unparse(a.test.left)
            try:
                want = ev.eval(a.test.comparators[0])
            except NotData:
                continue
            if left in ("event.host", "request.host"):
                expect["host"] = want
            elif left in ("event.target", "request.target"):
                expect["path"] = want
            elif left in ("event.extensions", "request.extensions") and exc is None:
                expect["extensions"], expect["extension_params"] = wp_ext(want)
            elif left == "extension.offered" and exc is None:  # the offer as the server read it
                expect["extensions"], expect["extension_params"] = wp_ext([want])
        if hint.get("status_code"):
            expect["status"] = hint["status_code"]
            expect["extra_headers"] = [[n.decode(), v.decode()] for n, v in hint.get("headers", [])]
    else:
        response = None
        request: Dict[str, Any] = {"host": "localhost", "path": "/", "nonce_hex": FIXED_NONCE.hex(), "origin": None,
                                   "subprotocols": [], "extensions": None}
        for c in calls:
            name = ev.dotted(c.func) or ""
            if name == "_make_handshake":
                kw = kwargs(c, ev)
                status, headers = ev.eval(c.args[0]), ev.eval(c.args[1])
                if kw.get("auto_accept_key", True):
                    headers = headers + [(b"Sec-WebSocket-Accept", accept_for(key).encode())]
                request["subprotocols"] = kw.get("subprotocols") or []
                if isinstance(kw.get("extensions"), ast.List):
                    request["extensions"] = ev.env["FakeExtension.name"]
                response = head(f"HTTP/1.1 {status} ", [(n.decode(), v.decode()) for n, v in headers])
                src["status"] = status
            elif name == "client.receive_data":
                response = ev.eval(c.args[0])
        if response is None:
            return None
        for a in (n for n in ast.walk(fn) if isinstance(n, ast.Assert)):
            t = a.test
            if isinstance(t, ast.Compare) and ast.unparse(t.left) == "events":
                ev_call = t.comparators[0].elts[0] if isinstance(t.comparators[0], ast.List) else None  # type: ignore[attr-defined]
                if isinstance(ev_call, ast.Call) and ev.dotted(ev_call.func) == "AcceptConnection":
                    kw = kwargs(ev_call, ev)
                    if "subprotocol" in kw:
                        expect["subprotocol"] = kw["subprotocol"]
            if isinstance(t, ast.Compare) and ast.unparse(t.left) == "events[0].status_code":
                expect.update(ok=False, status=ev.eval(t.comparators[0]))
                src["wsproto"] = "RejectConnection"
        case["request"] = request
        case.update(as_text(response, "response"))
    case["expect"] = expect
    return case
