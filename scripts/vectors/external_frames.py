"""wsproto's received-frame cases (tests/test_frame_protocol.py, TestFrameProtocolReceive).

Close frames built by the test helper `_close_test(code, reason=, reason_bytes=)` (status
code, then the reason as UTF-8 or raw bytes, behind `\\x88` and a one-byte length) and the
tests that feed literal `frame_bytes` to a client-side FrameProtocol. These hold wsproto's
close-reason UTF-8 checks. Output: frames.json-format cases for external-wsproto-frames.json.
"""

from __future__ import annotations

import ast
import struct
from typing import Any, Dict, List, Optional

from pyeval import Evaluator, NotData, functions

Case = Dict[str, Any]
FILE = "tests/test_frame_protocol.py"
CLOSE = {"NORMAL_CLOSURE": 1000, "NO_STATUS_RCVD": 1005, "PROTOCOL_ERROR": 1002,
         "INVALID_FRAME_PAYLOAD_DATA": 1007}
# wsguard's diagnostic per failing test (wsproto names only the close code).
CODES = {
    "test_close_one_byte_code": "frame_close_payload_one_byte",
    "test_close_bad_code": "frame_close_code_invalid",
    "test_close_unknown_code": "frame_close_code_invalid",
    "test_close_local_only_code": "frame_close_code_invalid",
    "test_close_bad_utf8_payload": "frame_invalid_utf8",
    "test_close_incomplete_utf8_payload": "frame_invalid_utf8",
}
LEFT_OUT = {"test_long_text_message": "a 65 535-byte text frame; the 16-bit length form is in frames.json"}


def env() -> Dict[str, Any]:
    e: Dict[str, Any] = {f"fp.CloseReason.{k}": v for k, v in CLOSE.items()}
    e.update({"fp.Opcode.PING": "PING", "fp.Opcode.CLOSE": "CLOSE", "fp.Opcode.TEXT": "TEXT"})
    return e


def close_frame(code: Optional[int], reason: Optional[str], reason_bytes: Optional[bytes]) -> bytes:
    """The bytes `_close_test` builds (its own literal steps)."""
    payload = struct.pack("!H", code) if code else b""
    payload += reason.encode("utf8") if reason else (reason_bytes or b"")
    return b"\x88" + bytes([len(payload)]) + payload


def expected_close(fn: ast.FunctionDef, ev: Evaluator) -> Optional[int]:
    """The close code of `assert exc.value.code == fp.CloseReason.X`, if the test expects a failure."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare) \
                and ast.unparse(node.test.left) == "exc.value.code":
            return ev.eval(node.test.comparators[0])
    return None


def convert(src: str) -> List[Case]:
    tree = ast.parse(src)
    cls = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "TestFrameProtocolReceive")
    cases: List[Case] = []
    for fn in functions(cls):
        if fn.name in LEFT_OUT:
            continue
        ev = Evaluator(env())
        data = None
        for st in fn.body:
            target = st.targets[0] if isinstance(st, ast.Assign) else None
            if isinstance(target, ast.Name):
                try:
                    ev.env[target.id] = ev.eval(st.value)  # type: ignore[union-attr]
                except NotData:
                    pass
        for call in (n for n in ast.walk(fn) if isinstance(n, ast.Call)):
            if ev.dotted(call.func) == "self._close_test":
                args = [ev.eval(a) for a in call.args] + [None] * 3
                kw = {k.arg: ev.eval(k.value) for k in call.keywords}
                data = close_frame(args[0], kw.get("reason", args[1]), kw.get("reason_bytes", args[2]))
                reason = kw.get("reason", args[1])
                ok_event = {"type": "close", "code": args[0], "reason": reason or ""}
        if data is None and "frame_bytes" in ev.env:
            data = ev.env["frame_bytes"]
            payload = ev.env.get("payload", b"")
            ok_event = {"type": "ping", "payload_hex": payload.hex()} if data[:1] == b"\x89" else None  # type: ignore[assignment]
        if data is None:
            continue
        fail = expected_close(fn, ev)
        case: Case = {"name": f"wsproto-{fn.name[5:].replace('_', '-')}",
                      "source": {"file": FILE, "class": "TestFrameProtocolReceive", "test": fn.name, "line": fn.lineno,
                                 "wsproto": f"ParseFailed({fail})" if fail else "frame received"},
                      "role": "client", "input_hex": data.hex()}
        if fail:
            case["expect"] = {"ok": False, "events": [], "code": CODES.get(fn.name, "?"), "close_code": fail}
        elif ok_event is not None:
            case["expect"] = {"ok": True, "events": [ok_event]}
        else:
            continue
        cases.append(case)
    return cases


# --- python-websockets: tests/test_protocol.py (receive side of Protocol) ---

WS_PROTOCOL = "tests/test_protocol.py"
WS_OPS = {"TEXT": "text", "BINARY": "binary"}
# wsguard's diagnostic per failing test (python-websockets names the exception and the
# close code, which the runners check as well).
WS_CODES = {
    "test_client_receives_masked_frame": "frame_masked_from_server",
    "test_server_receives_unmasked_frame": "frame_unmasked_from_client",
    "test_client_receives_unexpected_continuation": "frame_unexpected_continuation",
    "test_server_receives_unexpected_continuation": "frame_unexpected_continuation",
    "test_client_receives_text_over_size_limit": "frame_too_big",
    "test_server_receives_text_over_size_limit": "frame_too_big",
    "test_client_receives_fragmented_text_over_fragment_size_limit": "frame_too_big",
    "test_server_receives_fragmented_text_over_fragment_size_limit": "frame_too_big",
    "test_client_receives_fragmented_text_over_message_size_limit": "frame_message_too_big",
    "test_server_receives_fragmented_text_over_message_size_limit": "frame_message_too_big",
    "test_client_receives_unexpected_text": "frame_message_not_finished",
    "test_server_receives_unexpected_text": "frame_message_not_finished",
    "test_client_receives_binary_over_size_limit": "frame_too_big",
    "test_server_receives_binary_over_size_limit": "frame_too_big",
    "test_client_receives_fragmented_binary_over_size_limit": "frame_message_too_big",
    "test_server_receives_fragmented_binary_over_size_limit": "frame_message_too_big",
    "test_client_receives_unexpected_binary": "frame_message_not_finished",
    "test_server_receives_unexpected_binary": "frame_message_not_finished",
    "test_client_receives_close_with_truncated_code": "frame_close_payload_one_byte",
    "test_server_receives_close_with_truncated_code": "frame_close_payload_one_byte",
    "test_client_receives_close_with_non_utf8_reason": "frame_invalid_utf8",
    "test_server_receives_close_with_non_utf8_reason": "frame_invalid_utf8",
    "test_client_receives_fragmented_ping_frame": "frame_control_fragmented",
    "test_server_receives_fragmented_ping_frame": "frame_control_fragmented",
    "test_client_receives_fragmented_pong_frame": "frame_control_fragmented",
    "test_server_receives_fragmented_pong_frame": "frame_control_fragmented",
}
# Where wsguard's decoder differs, for a reason RFC 6455 gives: the case expects what
# wsguard does (`disagreement`), `source.expects` keeps python-websockets' verdict.
WS_DISAGREEMENTS = {
    "close-mid-message": (
        "python-websockets fails the connection (1002, \"incomplete fragmented message\") when a Close frame "
        "arrives between the fragments of a message; RFC 6455 §5.4 lets control frames, Close included, be "
        "injected in the middle of a fragmented message, so wsguard's decoder delivers the Close (the message "
        "stays unfinished, and the connection reports the ending)."),
}
WS_CASE_DISAGREEMENTS = {"test_client_receive_close_in_fragmented_message": "close-mid-message",
                         "test_server_receive_close_in_fragmented_message": "close-mid-message"}
# Classes about the sending side, the connection state or EOF, not the decoder.
WS_SKIP_CLASSES = {"MiscTests", "EOFTests", "TCPCloseTests", "ConnectionClosedTests", "ExtensionsTests"}


class WsEvaluator(Evaluator):
    """Evaluator plus `Close(code, reason).serialize()` (RFC 6455 §5.5.1 close payload)."""

    def call(self, node: ast.Call) -> Any:
        f = node.func
        if (isinstance(f, ast.Attribute) and f.attr == "serialize" and isinstance(f.value, ast.Call)
                and self.dotted(f.value.func) == "Close"):
            code, reason = (self.eval(a) for a in f.value.args)
            return struct.pack("!H", code) + reason.encode()
        return super().call(node)


# The close code python-websockets fails the connection with for each parser exception.
WS_EXC_CLOSE = {"ProtocolError": 1002, "PayloadTooBig": 1009, "UnicodeDecodeError": 1007}
AFTER_CLOSE = ("data after the close frame: python-websockets' Protocol discards it, a connection-state rule "
               "(RFC 6455 §1.4) that wsguard_core::connection keeps, not the frame decoder these vectors test")


def close_event(frame: bytes, role: str) -> Dict[str, Any]:
    """The close event of one whole close frame (unmasked with the key when `role` is server)."""
    n = frame[1] & 0x7F
    payload = frame[2:2 + n] if role == "client" else bytes(b ^ frame[2 + i % 4] for i, b in enumerate(frame[6:6 + n]))
    if not payload:
        return {"type": "close", "code": None, "reason": ""}
    return {"type": "close", "code": int.from_bytes(payload[:2], "big"), "reason": payload[2:].decode()}


def flat(body: List[ast.stmt]) -> List[ast.stmt]:
    """Statements in order, entering `with patch(...)` blocks (a fixed mask for what is sent)."""
    out: List[ast.stmt] = []
    for st in body:
        if isinstance(st, ast.With) and ast.unparse(st.items[0].context_expr).startswith("patch("):
            out.extend(flat(st.body))
        else:
            out.append(st)
    return out


def ws_event(frame: ast.Call, ev: Evaluator, kind: Optional[str]) -> Dict[str, Any]:
    """The frames.json event of an expected `Frame(OP, payload[, fin=])`."""
    op = ev.dotted(frame.args[0])
    payload = ev.eval(frame.args[1]) if len(frame.args) > 1 else b""
    fin = True
    for k in frame.keywords:
        if k.arg == "fin":
            fin = ev.eval(k.value)
        else:
            raise NotData(f"Frame({k.arg}=)")
    if op in ("TEXT", "BINARY", "CONT"):
        return {"type": "data", "kind": WS_OPS.get(op or "", kind or "?"), "payload_hex": payload.hex(), "fin": fin}
    if op in ("PING", "PONG"):
        return {"type": op.lower(), "payload_hex": payload.hex()}
    if op == "CLOSE":
        if not payload:
            return {"type": "close", "code": None, "reason": ""}
        return {"type": "close", "code": int.from_bytes(payload[:2], "big"), "reason": payload[2:].decode()}
    raise NotData(f"opcode {op}")


def ws_protocol_case(cls: ast.ClassDef, fn: ast.FunctionDef, ev: Evaluator) -> Any:
    """A frames.json case for one test, or the reason it is left out."""
    role, data, events, config = None, b"", [], {}
    failure: Optional[Dict[str, Any]] = None
    kind: Optional[str] = None
    after_close = False
    last_data: Any = None
    for st in flat(fn.body):
        if isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant):
            continue
        call = st.value if isinstance(st, (ast.Expr, ast.Assign)) else None
        if not isinstance(call, ast.Call):
            return "not a sequence of calls"
        name = ev.dotted(call.func) or ""
        if isinstance(st, ast.Assign) and name == "Protocol":
            role = {"CLIENT": "client", "SERVER": "server"}[ev.dotted(call.args[0]) or ""]
            for k in call.keywords:
                if k.arg != "max_size":
                    return f"Protocol({k.arg}=)"
                size = ev.eval(k.value)
                message, frame = size if isinstance(size, tuple) else (size, size)
                if message is not None:
                    config["max_message"] = message
                if frame is not None:
                    config["max_frame"] = frame
            continue
        if failure is not None and not name.startswith("self.assert"):
            return "data after the failure"
        if name.endswith(".receive_data"):
            if after_close:
                return AFTER_CLOSE
            data += ev.eval(call.args[0])
            last_data = call.args[0]
        elif name == "self.assertFrameReceived" or (
                name == "self.assertEqual" and ast.unparse(call.args[0]).endswith(".events_received()")):
            expected = call.args[1]
            frames = expected.elts if isinstance(expected, ast.List) else [expected]
            for frame in frames:
                if not isinstance(frame, ast.Call):
                    continue  # None: nothing (more) received
                e = ws_event(frame, ev, kind)
                if e["type"] == "data":
                    kind = None if e["fin"] else e["kind"]
                after_close = after_close or e["type"] == "close"
                events.append(e)
        elif name == "self.assertConnectionClosing":
            code = ev.eval(call.args[1]) if len(call.args) > 1 else None
            reason = ev.eval(call.args[2]) if len(call.args) > 2 else ""
            events.append({"type": "close", "code": code, "reason": reason if code is not None else ""})
            after_close = True
        elif name == "self.assertConnectionFailing":
            failure = dict(failure or {}, close_code=ev.eval(call.args[1]) if len(call.args) > 1 else None)
        elif name == "self.assertIsInstance" and ast.unparse(call.args[0]).endswith(".parser_exc"):
            exc = ev.dotted(call.args[1]) or ""
            if exc not in WS_EXC_CLOSE:
                return f"expects {exc} from the parser"
            failure = failure or {"close_code": WS_EXC_CLOSE[exc]}
            failure["exception"] = exc
        elif name in ("self.assertFrameSent", "self.assertIs", "self.assertEqual", "self.assertIsInstance",
                      "self.assertIsNone"):
            continue
        else:
            return f"calls {name.split('.')[-1]}()"
    if role is None or not data:
        return "receives nothing"
    case: Case = {"name": f"websockets-protocol-{fn.name[5:].replace('_', '-')}",
                  "source": {"file": WS_PROTOCOL, "class": cls.name, "test": fn.name, "line": fn.lineno},
                  "role": role, "input_hex": data.hex()}
    if config:
        case["config"] = config
    if failure is not None and fn.name in WS_CASE_DISAGREEMENTS:
        # the frame the source refuses, as wsguard's decoder delivers it
        tail = bytes.fromhex(case["input_hex"])[len(bytes.fromhex(case["input_hex"])) - len(ev.eval(last_data)):]
        case["source"]["websockets"] = f"{failure.get('exception', 'fail')} (close {failure['close_code']})"
        case["source"]["expects"] = {"ok": False, "close_code": failure["close_code"]}
        case["disagreement"] = WS_CASE_DISAGREEMENTS[fn.name]
        case["expect"] = {"ok": True, "events": events + [close_event(tail, role)]}
    elif failure is not None:
        case["source"]["websockets"] = f"{failure.get('exception', 'fail')} (close {failure['close_code']})"
        case["expect"] = {"ok": False, "events": events, "code": WS_CODES.get(fn.name, "?"),
                          "close_code": failure["close_code"]}
    else:
        case["source"]["websockets"] = f"{len(events)} frames received"
        case["expect"] = {"ok": True, "events": events}
    return case


def convert_websockets_protocol(src: str, codes_src: str) -> Any:
    """(cases, left_out) from test_protocol.py; CloseCode values from src/websockets/frames.py."""
    close_codes = {}
    for node in ast.walk(ast.parse(codes_src)):
        if isinstance(node, ast.ClassDef) and node.name == "CloseCode":
            close_codes = {f"CloseCode.{s.targets[0].id}": s.value.value for s in node.body  # type: ignore[attr-defined]
                           if isinstance(s, ast.Assign)}
    tree = ast.parse(src)
    cases: List[Case] = []
    left_out: Dict[str, str] = {}
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        attrs: Dict[str, Any] = {}
        for st in cls.body:
            if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name):
                attrs[f"self.{st.targets[0].id}"] = ast.literal_eval(st.value)
        for fn in functions(cls):
            key = f"{cls.name}.{fn.name}"
            if cls.name in WS_SKIP_CLASSES:
                left_out[cls.name] = "the sending side, connection state or EOF, not frame decoding"
                continue
            ev = WsEvaluator(dict(close_codes, **attrs, **{op: op for op in ("TEXT", "BINARY", "CONT", "PING", "PONG", "CLOSE")}))
            try:
                got = ws_protocol_case(cls, fn, ev)
            except NotData as e:
                got = f"not literal data ({e})"
            if isinstance(got, str):
                left_out[key] = got
                continue
            if any(c["name"] == got["name"] for c in cases):
                got["name"] += f"-{cls.name.lower()}"
            cases.append(got)
    used = {c["disagreement"] for c in cases if "disagreement" in c}
    return cases, left_out, {k: v for k, v in WS_DISAGREEMENTS.items() if k in used}
