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
