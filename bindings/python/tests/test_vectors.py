"""The shared test vectors (tests/vectors/*.json) through the Python binding.

Every JSON file in the directory must have a runner here: a file without one fails
(`test_every_vector_file_has_a_runner`), so a new vector file is never silently skipped.
Each case is its own test; a mismatch fails with the case name, the field, what the
binding returned and what the vector expects.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

import pytest

import wsguard
from conftest import VECTOR_DIR, field_bytes, load_cases

Case = Dict[str, Any]
Runner = Callable[[Case], None]
RUNNERS: Dict[str, Runner] = {}
# Smallest case count per file, so a truncated file cannot pass quietly.
MIN_CASES: Dict[str, int] = {}


def runner(filename: str, min_cases: int) -> Callable[[Runner], Runner]:
    def register(fn: Runner) -> Runner:
        RUNNERS[filename] = fn
        MIN_CASES[filename] = min_cases
        return fn

    return register


def check(case: Case, field: str, got: Any, want: Any) -> None:
    assert got == want, f"{case['name']}: {field}: got {got!r}, want {want!r}"


def policy_from(spec: Dict[str, Any]) -> wsguard.OriginPolicy:
    return wsguard.OriginPolicy(
        allow=spec.get("allow") or [],
        allow_null=bool(spec.get("allow_null", False)),
        allow_missing=bool(spec.get("allow_missing", False)),
        preset=spec.get("preset"),
        dev_hosts=spec.get("dev_hosts") or [],
        hosts=spec.get("hosts") or [],
    )


# -- origins.json ---------------------------------------------------------------------


@runner("origins.json", 90)
def run_origin(case: Case) -> None:
    policy = policy_from(case["policy"])
    expect = case["expect"]
    if "host" in case:
        verdict = policy.check_host(field_bytes(case, "host"))
        normalized = None
    else:
        origin = case.get("origin")
        if isinstance(origin, list):
            value: Any = [v.encode() for v in origin]
        else:
            value = field_bytes(case, "origin")
        verdict = policy.check(value)
        normalized = verdict.origin if verdict.origin is not None else ""
        # bytes and str give the same verdict
        if isinstance(value, bytes):
            try:
                text = value.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None:
                check(case, "str-vs-bytes", bool(policy.check(text)), bool(verdict))
        check(case, "is_allowed", policy.is_allowed(value), bool(verdict))
    check(case, "ok", bool(verdict), expect["ok"])
    check(case, "code", verdict.code, expect.get("code"))
    check(case, "malformed", verdict.detail, expect.get("malformed"))
    if "status" in expect:
        check(case, "status", verdict.status, expect["status"])
    if "normalized" in expect:
        check(case, "normalized", normalized, expect["normalized"])


# -- close_codes.json -------------------------------------------------------------------


@runner("close_codes.json", 60)
def run_close(case: Case) -> None:
    expect = case["expect"]
    kind = case["kind"]
    if kind == "classify":
        info = wsguard.classify_close(case["close_code"], conventions=case.get("registry") == "conventions")
        check(case, "ok", True, expect["ok"])
        for field in ("name", "category", "wire_valid", "sender", "retry", "registration", "app_defined"):
            if field in expect:
                check(case, field, getattr(info, field), expect[field])
        check(case, "is_wire_valid", wsguard.is_wire_valid(case["close_code"]), info.wire_valid)
    elif kind == "parse_payload":
        payload = field_bytes(case, "payload")
        try:
            code, reason = wsguard.parse_close_payload(payload)
        except wsguard.ProtocolError as err:
            check(case, "ok", False, expect["ok"])
            check(case, "code", err.code, expect["code"])
            check(case, "send_close", err.close_code, expect["send_close"])
            return
        check(case, "ok", True, expect["ok"])
        check(case, "close_code", code, expect["close_code"])
        check(case, "reason", reason, expect["reason"])
    elif kind == "write_payload":
        try:
            out = wsguard.encode_close_payload(case["close_code"], case["reason"], max_size=case["buffer_size"])
        except wsguard.InvalidInput as err:
            check(case, "ok", False, expect["ok"])
            check(case, "code", err.code, expect["code"])
            return
        check(case, "ok", True, expect["ok"])
        check(case, "payload_hex", out.hex(), expect["payload_hex"])
    else:
        pytest.fail(f"{case['name']}: unknown kind {kind!r}")


# -- cors.json --------------------------------------------------------------------------


@runner("cors.json", 20)
def run_cors(case: Case) -> None:
    policy = policy_from(case["policy"])
    cfg = case["cors"]
    req = case["request"]
    expect = case["expect"]
    result = policy.cors(
        req["origin"],
        req["method"],
        request_method=req.get("request_method"),
        request_headers=req.get("request_headers"),
        credentials=bool(cfg.get("credentials", False)),
        methods=cfg.get("methods", "GET, HEAD, POST"),
        headers=cfg.get("headers", ""),
        expose_headers=cfg.get("expose_headers", ""),
        max_age=cfg.get("max_age"),
    )
    check(case, "ok", result.allowed, expect["ok"])
    check(case, "code", result.code, expect.get("code"))
    check(case, "preflight", result.preflight, expect["preflight"])
    check(case, "status", result.status, expect["status"])
    check(case, "headers", [list(h) for h in result.headers], expect["headers"])
    check(case, "cors_headers", result.headers, policy.cors_headers(
        req["origin"],
        req["method"],
        request_method=req.get("request_method"),
        request_headers=req.get("request_headers"),
        credentials=bool(cfg.get("credentials", False)),
        methods=cfg.get("methods", "GET, HEAD, POST"),
        headers=cfg.get("headers", ""),
        expose_headers=cfg.get("expose_headers", ""),
        max_age=cfg.get("max_age"),
    ))


# -- lint.json --------------------------------------------------------------------------


@runner("lint.json", 30)
def run_lint(case: Case) -> None:
    ctx = case["context"]
    expect = case["expect"]
    findings = wsguard.lint_origins(
        case["allow"],
        preset=ctx.get("preset"),
        credentials=bool(ctx.get("credentials")),
        allow_null=bool(ctx.get("allow_null")),
        allow_missing=bool(ctx.get("allow_missing")),
        dev_auth_bypass=bool(ctx.get("dev_auth_bypass")),
    )
    got = []
    for f in findings:
        item: Dict[str, Any] = {
            "index": f.index,
            "code": f.code,
            "severity": f.severity,
            "suggestion": f.suggestion,
            "other": f.other,
        }
        if f.code == "lint_invalid":
            item["pattern"] = f.pattern_error
            item["malformed"] = f.malformed
        got.append(item)
    want = []
    for w in expect["findings"]:
        w = dict(w)
        if w["code"] == "lint_invalid":
            w.setdefault("pattern", None)
            w.setdefault("malformed", None)
        want.append(w)
    check(case, "findings", got, want)
    check(case, "count", len(findings), expect["count"])
    check(case, "ok", not findings, expect["ok"])
    if findings:
        check(case, "code", findings[0].code, expect.get("code"))
    # OriginPolicy.lint() agrees whenever every entry parses
    try:
        policy = wsguard.OriginPolicy(
            allow=case["allow"],
            preset=ctx.get("preset"),
            allow_null=bool(ctx.get("allow_null")),
            allow_missing=bool(ctx.get("allow_missing")),
        )
    except wsguard.PolicyError:
        return
    lint_again = policy.lint(credentials=bool(ctx.get("credentials")), dev_auth_bypass=bool(ctx.get("dev_auth_bypass")))
    check(case, "policy.lint", [f.code for f in lint_again], [f.code for f in findings])


# -- near_miss.json ---------------------------------------------------------------------


@runner("near_miss.json", 15)
def run_near_miss(case: Case) -> None:
    expect = case["expect"]
    want_err = expect["policy_error"]
    try:
        policy = wsguard.OriginPolicy(allow=case["allow"], hosts=case.get("hosts"))
    except wsguard.PolicyError as e:
        check(case, "policy_error", e.code, want_err)
        return
    check(case, "policy_error", None, want_err)
    if "host" in case:
        verdict = policy.check_host(case["host"])
    else:
        verdict = policy.check(case["origin"])
    check(case, "near_miss", verdict.near_miss_code, expect["near_miss"])
    check(case, "text", verdict.near_miss, expect.get("text"))


# -- handshake_server.json --------------------------------------------------------------

HANDSHAKE_DEFAULTS: Dict[str, Any] = {}


def handshake_kwargs(config: Dict[str, Any]) -> Dict[str, Any]:
    token = config.get("token") or {}
    limits = config.get("limits") or {}
    return {
        "policy": policy_from(config["policy"]),
        "subprotocols": config.get("subprotocols") or [],
        "require_subprotocol": bool(config.get("require_subprotocol")),
        "token_authorization": bool(token.get("authorization")),
        "token_query": token.get("query"),
        "token_subprotocol_prefix": token.get("subprotocol_prefix"),
        "token_subprotocol_marker": token.get("subprotocol_pair"),
        "require_token": bool(token.get("required")),
        "max_headers": limits.get("max_headers"),
        "max_line": limits.get("max_line"),
        "max_total": limits.get("max_total"),
    }


def split_request(raw: bytes) -> Any:
    """(method, target, [(name, value)]) for a well-formed request head, else None."""
    head, sep, _ = raw.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or parts[2] != b"HTTP/1.1":
        return None
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip() or line[:1] in (b" ", b"\t"):
            return None
        headers.append((name, value.strip(b" \t")))
    return parts[0], parts[1], headers


# Verdicts about the request *text* itself: the header-list API cannot reproduce them.
SYNTAX_CODES = {"malformed_request", "header_line_too_long", "request_too_large", "too_many_headers", "http_version"}


def file_config(filename: str) -> Dict[str, Any]:
    import json as _json

    return dict(_json.loads((VECTOR_DIR / filename).read_text(encoding="utf-8"))["config"])


def handshake_runner(filename: str, min_cases: int) -> None:
    """Registers a handshake_server-format file whose top-level `config` is its own."""
    base = file_config(filename)
    RUNNERS[filename] = lambda case: run_handshake(case, base)
    MIN_CASES[filename] = min_cases


@runner("handshake_server.json", 80)
def run_handshake(case: Case, base: Optional[Dict[str, Any]] = None) -> None:
    base = base if base is not None else file_config("handshake_server.json")
    config = dict(base)
    config.update(case.get("config") or {})
    kwargs = handshake_kwargs(config)
    raw = field_bytes(case, "request")
    expect = case["expect"]
    result = None
    try:
        result = wsguard.validate_request_bytes(raw, **kwargs)
    except wsguard.HandshakeRejected as err:
        check(case, "ok", False, expect["ok"])
        check(case, "code", err.code, expect["code"])
        if "status" in expect:  # external cases give it where their source does
            check(case, "status", err.status, expect["status"])
        if "extra_headers" in expect:
            check(case, "extra_headers", [list(h) for h in err.headers], expect["extra_headers"])
        if "response_starts_with" in expect:
            assert err.response.startswith(expect["response_starts_with"].encode()), (case["name"], err.response)
        if "body_starts_with" in expect:
            assert err.body.startswith(expect["body_starts_with"].encode()), (case["name"], err.body)
        got_code = err.code
    else:
        if expect.get("partial"):
            check(case, "partial", result, None)
            return
        assert result is not None, f"{case['name']}: got partial, want a verdict"
        check(case, "ok", True, expect["ok"])
        for field in ("accept", "path", "query", "host", "origin", "subprotocol", "token", "token_source"):
            if field in expect:
                check(case, field, getattr(result, field), expect[field])
        if "extensions" in expect:
            check(case, "extensions", [name for name, _ in result.extensions], expect["extensions"])
        if "extension_params" in expect:
            got = [[[p, v] for p, v in params] for _, params in result.extensions]
            check(case, "extension_params", got, expect["extension_params"])
        if "extra_headers" in expect:
            check(case, "extra_headers", [], expect["extra_headers"])
        if "response" in expect:
            check(case, "response", result.response, expect["response"].encode())
        got_code = None
    # The header-list API (what ASGI integrations use) must reach the same verdict.
    parsed = split_request(raw)
    if parsed is None or got_code in SYNTAX_CODES:
        return
    if parsed[0] == b"GET" and config.get("limits") == base.get("limits"):
        run_guard(case, kwargs, parsed[1], parsed[2], got_code, expect, result)
    method, target, headers = parsed
    try:
        listed = wsguard.validate_handshake(headers, path=target, method=method, **kwargs)
    except wsguard.HandshakeRejected as err:
        check(case, "header-list code", err.code, got_code)
        return
    check(case, "header-list ok", None, got_code)
    for field in ("accept", "subprotocol", "token", "origin"):
        if field in expect:
            check(case, f"header-list {field}", getattr(listed, field), expect[field])


GUARD_FIELDS = ("accept", "path", "query", "host", "origin", "subprotocol", "token", "token_source", "key")


def run_guard(case: Case, kwargs: Dict[str, Any], target: bytes, headers: Any, got_code: Any, expect: Any, result: Any) -> None:
    """The guards' accept path (``ScopeGuard``: the core's field-list entry point, no head
    written) on the vector's fields: the verdict of the head, field for field."""
    options = {k: kwargs[k] for k in ("subprotocols", "require_subprotocol", "token_authorization", "token_query",
                                      "token_subprotocol_prefix", "token_subprotocol_marker", "require_token")}
    guard = wsguard.ScopeGuard(kwargs["policy"], **options)
    try:
        verdict = guard.check_request(headers, target)
    except wsguard.HandshakeRejected as err:
        check(case, "guard code", err.code, got_code)
        assert guard.counts() == (0, 1)
        return
    check(case, "guard ok", None, got_code)
    assert guard.counts() == (1, 0)
    for field in GUARD_FIELDS:
        check(case, f"guard {field}", getattr(verdict, field), getattr(result, field))
    check(case, "guard extensions", verdict.extensions, result.extensions)
    check(case, "guard response", verdict.response, result.response)
    if "accept" in expect:
        check(case, "guard accept", verdict["accept"], expect["accept"])


# -- regressions.json ----------------------------------------------------------------------


@runner("regressions.json", 7)
def run_regression(case: Case) -> None:
    """Reproducers of fuzzing findings (FUZZING.md), replayed through the binding."""
    expect = case["expect"]
    kind = case["kind"]
    if kind == "derive":
        with pytest.raises(wsguard.UrlError) as info:
            wsguard.websocket_url_for_page(
                case["page"], case["target_url"], port=case.get("port"), max_size=case["buffer_size"]
            )
        check(case, "code", info.value.code, expect["code"])
        # A buffer of the size the core asks for is enough.
        assert wsguard.websocket_url_for_page(case["page"], case["target_url"], port=case.get("port"))
    elif kind == "handshake_server":
        raw = bytes.fromhex(case["request_hex"])
        limits = case.get("limits") or {}
        kwargs: Dict[str, Any] = dict(
            policy=wsguard.OriginPolicy(allow=["https://app.example.com"]),
            max_headers=limits.get("max_headers"),
            max_line=limits.get("max_line"),
            max_total=limits.get("max_total"),
        )

        def verdict(data: bytes) -> Any:
            try:
                return "partial" if wsguard.validate_request_bytes(data, **kwargs) is None else "ok"
            except wsguard.HandshakeRejected as err:
                return (err.code, err.status)

        check(case, "verdict", verdict(raw), (expect["code"], expect["status"]))
        if expect.get("same_for_every_prefix"):
            for n in range(len(raw)):
                got = verdict(raw[:n])
                assert got == "partial" or got == (expect["code"], expect["status"]), (case["name"], n, got)
    elif kind == "handshake_client":
        # The binding's ClientHandshake uses the default limits; the answer is refused for
        # the same earliest reason either way (its first byte is not HTTP).
        client = wsguard.ClientHandshake("app.example.com", "/", nonce=bytes(16))
        with pytest.raises(wsguard.WsguardError) as info:
            client.validate_response(bytes.fromhex(case["response_hex"]))
        check(case, "code", getattr(info.value, "code", None), expect["code"])
    else:
        pytest.fail(f"{case['name']}: unknown kind {kind!r}")


# -- urls.json --------------------------------------------------------------------------


@runner("urls.json", 50)
def run_url(case: Case) -> None:
    expect = case["expect"]
    kind = case["kind"]
    try:
        if kind == "parse":
            url = wsguard.parse_ws_url(case["url"])
            check(case, "ok", True, expect["ok"])
            for field in ("secure", "host", "host_kind", "port", "port_or_default", "path", "query", "resource_name", "host_header"):
                if field in expect:
                    check(case, field, getattr(url, field), expect[field])
            if "normalized" in expect:
                check(case, "normalized", str(url), expect["normalized"])
        elif kind == "derive":
            out = wsguard.websocket_url_for_page(
                case["page"], case["target"], port=case.get("port"), max_size=case.get("buffer_size", 256)
            )
            check(case, "ok", True, expect["ok"])
            check(case, "url", out, expect["url"])
        elif kind == "mixed_content":
            wsguard.check_mixed_content(case["page"], case["url"])
            check(case, "ok", True, expect["ok"])
        else:
            pytest.fail(f"{case['name']}: unknown kind {kind!r}")
    except wsguard.UrlError as err:
        check(case, "ok", False, expect["ok"])
        check(case, "code", err.code, expect["code"])


# -- frames.json / utf8.json --------------------------------------------------------------


def frame_events(case: Case, chunks: List[bytes]) -> Any:
    cfg = dict(case.get("config") or {})
    decoder = wsguard.FrameDecoder(case["role"], **cfg)
    events: List[Dict[str, Any]] = []
    error = None
    try:
        for chunk in chunks:
            decoder.feed(chunk)
            while True:
                frame = decoder.next_frame()
                if frame is None:
                    break
                if frame.type == "data":
                    events.append({"type": "data", "kind": frame.kind, "payload_hex": frame.payload.hex(), "fin": frame.fin})
                elif frame.type in ("ping", "pong"):
                    events.append({"type": frame.type, "payload_hex": frame.payload.hex()})
                elif frame.type == "close":
                    events.append({"type": "close", "code": frame.close_code, "reason": frame.reason})
                else:
                    events.append({"type": "control", "opcode": frame.opcode, "payload_hex": frame.payload.hex()})
    except wsguard.ProtocolError as err:
        error = (err.code, err.close_code)
    return events, error, (decoder.needed if error is None else None)


@runner("frames.json", 50)
def run_frames(case: Case) -> None:
    data = field_bytes(case, "input")
    expect = case["expect"]
    # whole, split at every point (at most ~256 points), byte at a time
    step = max(1, len(data) // 256)
    splits = [[data]] + [[data[:i], data[i:]] for i in range(1, len(data), step)]
    splits.append([data[i : i + 1] for i in range(len(data))])
    first = None
    for chunks in splits:
        events, error, needed = frame_events(case, chunks)
        result = (events, error, needed)
        if first is None:
            first = result
            check(case, "ok", error is None, expect["ok"])
            check(case, "events", events, expect.get("events", []))
            if error is not None:
                check(case, "code", error[0], expect["code"])
                check(case, "close_code", error[1], expect["close_code"])
            if "needed" in expect:
                check(case, "needed", needed, expect["needed"])
        else:
            check(case, f"split {[len(c) for c in chunks]}", result, first)


@runner("utf8.json", 25)
def run_utf8(case: Case) -> None:
    data = field_bytes(case, "input")
    expect = case["expect"]
    cuts = sorted(set(case.get("splits") or []))
    plans = [[0, *cuts, len(data)], list(range(len(data) + 1))] + [[0, i, len(data)] for i in range(len(data) + 1)]
    for plan in plans:
        v = wsguard.Utf8Validator()
        detected_at = None  # index of the byte whose arrival raised; len(data) for finish()
        err = None
        for a, b in zip(plan, plan[1:]):
            try:
                v.feed(data[a:b])
            except wsguard.ProtocolError as e:
                err, detected_at = e, b - 1
                break
        if err is None:
            try:
                v.finish()
            except wsguard.ProtocolError as e:
                err, detected_at = e, len(data)
        check(case, f"ok (plan {plan[:6]})", err is None, expect["ok"])
        if err is not None:
            check(case, "code", err.code, expect["code"])
            check(case, "close_code", err.close_code, 1007)
            check(case, "valid_up_to", getattr(err, "valid_up_to"), expect["valid_up_to"])
            if plan == list(range(len(data) + 1)):  # byte at a time
                check(case, "detected_at", detected_at, expect["detected_at"])


# -- heartbeat.json / reconnect.json ---------------------------------------------------


@runner("heartbeat.json", 10)
def run_heartbeat(case: Case) -> None:
    cfg = case["config"]
    expect = case["expect"]
    try:
        hb = wsguard.Heartbeat(
            case["start"],
            interval_ms=cfg["interval_ms"],
            dead_timeout_ms=cfg["dead_timeout_ms"],
            max_missed=cfg["max_missed"],
            role=cfg.get("role"),
        )
    except wsguard.InvalidInput as err:
        check(case, "ok", False, expect["ok"])
        check(case, "code", err.code, expect["code"])
        return
    for step in case["events"]:
        t, event, want = step["t"], step["event"], step.get("expect", {})
        where = f"{event}@{t}"
        if event == "poll":
            action = hb.poll(t)
            check(case, f"{where} action", action.action, want["action"])
            if "seq" in want:
                check(case, f"{where} seq", action.seq, want["seq"])
            if "payload_hex" in want:
                check(case, f"{where} payload", action.payload.hex() if action.payload else None, want["payload_hex"])
            if "until" in want:
                check(case, f"{where} until", action.until, want["until"])
        elif event == "pong":
            rtt = hb.on_pong(t, bytes.fromhex(step["payload_hex"]))
            if "rtt" in want:
                check(case, f"{where} rtt", rtt, want["rtt"])
        elif event == "ping_received":
            check(case, f"{where} pong", hb.on_ping_received(t), want.get("pong", True))
        elif event == "activity":
            hb.on_activity(t)
        elif event == "close":
            hb.on_close(t)
        else:
            pytest.fail(f"{case['name']}: unknown event {event!r}")
    check(case, "ok", True, expect["ok"])
    for field in ("last_rtt", "smoothed_rtt", "stale_pongs", "unsolicited_pongs", "dead_reason"):
        if field in expect:
            check(case, field, getattr(hb, field), expect[field])


@runner("reconnect.json", 40)
def run_reconnect(case: Case) -> None:
    rc = wsguard.Reconnect(**case["config"])
    for step in case["steps"]:
        t = step["t"]
        if step["event"] == "connected":
            rc.on_connected(t)
            continue
        d = step["disconnect"]
        kwargs: Dict[str, Any] = {"random": step.get("random", 0)}
        if "close" in d:
            kwargs["close"] = d["close"]
        elif "http_status" in d:
            kwargs["http_status"] = d["http_status"]
            kwargs["retry_after_s"] = d.get("retry_after_s")
        else:
            kwargs["transport"] = d["transport"]
        got = rc.on_disconnect(t, **kwargs)
        want = step["expect"]
        where = f"disconnect@{t}"
        check(case, f"{where} decision", got.decision, want["decision"])
        check(case, f"{where} code", got.code, want["code"])
        if "reason" in want:
            check(case, f"{where} reason", got.stop_reason, want["reason"])
        for field in ("at_ms", "attempt", "delay_ms"):
            if field in want:
                check(case, f"{where} {field}", getattr(got, field), want[field])


# -- handshake_client.json --------------------------------------------------------------


@runner("handshake_client.json", 50)
def run_handshake_client(case: Case) -> None:
    req = case["request"]
    expect = case["expect"]
    token = req.get("token") or None
    kwargs: Dict[str, Any] = {
        "nonce": bytes.fromhex(req["nonce_hex"]),
        "origin": req.get("origin"),
        "subprotocols": req.get("subprotocols") or [],
        "extensions": req.get("extensions"),
    }
    if token:
        kwargs.update(token=token["value"], token_placement=token["placement"], token_name=token.get("name"))
    client = wsguard.ClientHandshake(req["host"], req["path"], **kwargs)
    try:
        request = client.request
    except wsguard.InvalidInput as err:
        check(case, "ok", False, expect["ok"])
        check(case, "code", err.code, expect["code"])
        check(case, "status", None, expect.get("status"))
        return
    if "expect_request" in case:
        check(case, "request", request, case["expect_request"].encode())
    response = field_bytes(case, "response")
    try:
        est = client.validate_response(response)
    except wsguard.UpgradeFailed as err:
        check(case, "ok", False, expect["ok"])
        check(case, "code", err.code, expect["code"])
        check(case, "status", err.status, expect["status"])
        for field in ("location", "server", "server_reason", "server_code", "retry_after", "wanted_version", "via_proxy", "upgrade_in_answer"):
            if field in expect:
                check(case, field, err.details.get(field), expect[field])
        if "proxy_hint" in expect:  # the vector says whether there is one; the text is human
            check(case, "proxy_hint", bool(err.details.get("proxy_hint")), expect["proxy_hint"])
        return
    if expect.get("partial"):
        check(case, "partial", est, None)
        return
    assert est is not None, f"{case['name']}: got partial, want a verdict"
    check(case, "ok", True, expect["ok"])
    for field in ("subprotocol", "server", "consumed", "extensions"):
        if field in expect:
            check(case, field, getattr(est, field), expect[field])


# -- external suites (tests/vectors/README.md, scripts/vectors/convert_external.py) -------


@runner("external-wpt-urls.json", 300)
def run_external_url(case: Case) -> None:
    expect = case["expect"]
    if expect["ok"] is False and "code" not in expect:  # WHATWG failure: refused, any code
        with pytest.raises(wsguard.UrlError):
            wsguard.parse_ws_url(case["url"])
        return
    run_url(case)


# -- dev_auth.json ----------------------------------------------------------------------


def _split_request(raw: str) -> Any:
    head = raw.split("\r\n\r\n", 1)[0].split("\r\n")
    target = head[0].split(" ")[1]
    headers = [tuple(line.split(": ", 1)) for line in head[1:]]
    return target, headers


@runner("dev_auth.json", 30)
def run_dev_auth(case: Case) -> None:
    expect = case["expect"]
    preset = case["preset"]
    on = case["dev_auth_bypass"]
    override = case["dev_auth_bypass_allow_non_loopback"]
    listen = case["listen"]
    if case["kind"] == "start":
        check(case, "listen_kind", wsguard.listen_kind(listen), expect["listen_kind"])
        try:
            if on:
                wsguard.check_dev_auth_bypass(preset, listen, allow_non_loopback=override)
            code = None
        except wsguard.DevAuthBypassRefused as err:
            code = err.code
            assert err.reason and err.remedy
        check(case, "ok", code is None, expect["ok"])
        check(case, "code", code, expect.get("code"))
        return
    policy = wsguard.OriginPolicy(allow=case["allow"], preset=preset, allow_missing=case["allow_missing"])
    token = case["token"]
    try:
        guard = wsguard.ScopeGuard(
            policy,
            token_authorization=token["authorization"],
            token_query=token.get("query"),
            require_token=token["required"],
            dev_auth_bypass=on,
            dev_auth_bypass_allow_non_loopback=override,
        )
    except wsguard.DevAuthBypassRefused as err:
        # Production: refused at construction; the connection then meets a guard without
        # the bypass (what a server that did not start would have served).
        check(case, "refused at construction", err.code, "dev_auth_bypass_production")
        guard = wsguard.ScopeGuard(
            policy,
            token_authorization=token["authorization"],
            token_query=token.get("query"),
            require_token=token["required"],
        )
    target, headers = _split_request(case["request"])
    try:
        h = guard.check_request(headers, target, listen)
    except wsguard.HandshakeRejected as rej:
        check(case, "ok", False, expect["ok"])
        check(case, "code", rej.code, expect["code"])
        check(case, "status", rej.status, expect["status"])
        return
    check(case, "ok", True, expect["ok"])
    check(case, "dev_auth_bypassed", h.dev_auth_bypassed, expect["dev_auth_bypassed"])
    check(case, "token", h.token, expect["token"])
    check(case, "notice", h.dev_auth_notice, expect.get("notice"))
    # The 101 is written on first read, from the accepted verdict.
    assert h.response.startswith(b"HTTP/1.1 101 "), case["name"]


# -- overload.json ----------------------------------------------------------------------


@runner("overload.json", 14)
def run_overload(case: Case) -> None:
    expect = case["expect"]
    load = case["load"]
    got = wsguard.peer_limits_admit(
        load["connections"], load["from_address"], load["upgrading"], **case["limits"]
    )
    check(case, "ok", got is None, expect["ok"])
    if got is None:
        return
    code, status, close_code, answer = got
    check(case, "code", code, expect["code"])
    check(case, "status", status, expect["status"])
    check(case, "close_code", close_code, expect["close_code"])
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("ascii").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    check(case, "status line", int(lines[0].split(" ")[1]), expect["status"])
    check(case, "Retry-After", headers.get("Retry-After"), expect["retry_after"])
    check(case, "Content-Length", headers.get("Content-Length"), str(len(body)))
    assert body.startswith(expect["code"].encode() + b": "), case["name"]


# -- token_options.json -----------------------------------------------------------------


@runner("token_options.json", 11)
def run_token_options(case: Case) -> None:
    """The two token-in-subprotocol options through every Python entry point that takes
    them: refused with the core's code (``InvalidInput``) or the token the request yields."""
    expect = case["expect"]
    kwargs: Dict[str, Any] = {
        "policy": wsguard.OriginPolicy(allow=[], allow_missing=True),
        "token_subprotocol_prefix": case["prefix"],
        "token_subprotocol_marker": case["pair"],
    }
    raw = case["request"].encode()
    target, headers = _split_request(case["request"])
    calls = [
        lambda: wsguard.validate_request_bytes(raw, **kwargs),
        lambda: wsguard.validate_handshake(headers, path=target, **kwargs),
        lambda: wsguard.ScopeGuard(**kwargs).check_request(headers, target),
    ]
    for call in calls:
        try:
            h = call()
        except wsguard.InvalidInput as err:
            check(case, "ok", False, expect["ok"])
            check(case, "code", err.code, expect["code"])
            assert err.reason and err.remedy, case["name"]
            continue
        check(case, "ok", True, expect["ok"])
        check(case, "token", h.token, expect["token"])


handshake_runner("external-websockets-extensions.json", 15)
handshake_runner("external-websockets-handshake-server.json", 40)
handshake_runner("external-wsproto-handshake-server.json", 15)
RUNNERS["external-websockets-handshake-client.json"] = run_handshake_client
MIN_CASES["external-websockets-handshake-client.json"] = 25
RUNNERS["external-wsproto-handshake-client.json"] = run_handshake_client
MIN_CASES["external-wsproto-handshake-client.json"] = 12
RUNNERS["external-websockets-utf8.json"] = run_utf8
MIN_CASES["external-websockets-utf8.json"] = 13
RUNNERS["external-wsproto-utf8.json"] = run_utf8
MIN_CASES["external-wsproto-utf8.json"] = 7
RUNNERS["external-wsproto-frames.json"] = run_frames
RUNNERS["external-websockets-frames.json"] = run_frames
MIN_CASES["external-websockets-frames.json"] = 75
MIN_CASES["external-wsproto-frames.json"] = 21


@runner("external-httparse.json", 250)
def run_external_http_head(case: Case) -> None:
    import json as _json

    base = _json.loads((VECTOR_DIR / "handshake_server.json").read_text(encoding="utf-8"))["config"]
    kind = case["kind"]
    raw = field_bytes(case, kind)
    if kind == "request":
        try:
            verdict = "partial" if wsguard.validate_request_bytes(raw, **handshake_kwargs(base)) is None else "parsed"
        except wsguard.HandshakeRejected as err:
            verdict = "malformed" if err.code == "malformed_request" else "parsed"
    else:
        client = wsguard.ClientHandshake("a.example", "/", nonce=b"the sample nonce")
        try:
            verdict = "partial" if client.validate_response(raw) is None else "parsed"
        except wsguard.UpgradeFailed as err:
            verdict = "malformed" if err.code == "malformed_response" else "parsed"
    check(case, "head", verdict, case["expect"]["head"])


# -- collection -------------------------------------------------------------------------

VECTOR_FILES = sorted(p.name for p in VECTOR_DIR.glob("*.json"))


def _params() -> List[Any]:
    params: List[Any] = []
    for filename in VECTOR_FILES:
        if filename not in RUNNERS:
            continue
        for case in load_cases(filename):
            params.append(pytest.param(filename, case, id=f"{filename[:-5]}::{case['name']}"))
    return params


def test_every_vector_file_has_a_runner() -> None:
    missing = [f for f in VECTOR_FILES if f not in RUNNERS]
    assert not missing, f"vector files without a Python runner: {missing}"


@pytest.mark.parametrize("filename", [f for f in VECTOR_FILES if f in RUNNERS])
def test_vector_file_size(filename: str) -> None:
    cases = load_cases(filename)
    assert len(cases) >= MIN_CASES[filename], f"{filename}: only {len(cases)} cases"
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), f"{filename}: duplicate case names"


@pytest.mark.parametrize(("filename", "case"), _params())
def test_vector(filename: str, case: Case) -> None:
    RUNNERS[filename](case)
