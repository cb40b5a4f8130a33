"""UTF-8 cases of python-websockets and wsproto, as tests/vectors/utf8.json data.

The verdict (valid or not) is the source's. The positions utf8.json also asks for —
`valid_up_to` and `detected_at` (the byte whose arrival makes the error certain) — are not in
the sources; they come from CPython's own UTF-8 codec (the first prefix it refuses for a
reason other than "unexpected end of data"), an oracle independent of wsguard, and the converter checks that the codec's
verdict agrees with the source's.
"""

from __future__ import annotations

import ast
from typing import Any, Dict, List, Optional, Tuple

from pyeval import Evaluator, NotData, functions

Case = Dict[str, Any]


def positions(data: bytes) -> Optional[Tuple[int, int]]:
    """(valid_up_to, detected_at) per CPython's UTF-8 codec, or None when `data` is valid.

    detected_at is the first index i whose prefix data[:i+1] no continuation can make valid:
    the codec reports something other than "unexpected end of data" for it. When every
    prefix could still be completed, only the end of the message tells (len(data)).
    """
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as e:
        valid = e.start
    for i in range(valid, len(data)):
        try:
            data[:i + 1].decode("utf-8")
        except UnicodeDecodeError as e:
            if e.reason != "unexpected end of data":
                return valid, i
    return valid, len(data)


def utf8_case(name: str, data: bytes, splits: List[int], ok: bool, source: Dict[str, Any]) -> Case:
    pos = positions(data)
    assert (pos is None) == ok, (name, "CPython's codec and the source disagree")
    expect: Dict[str, Any] = {"ok": ok}
    if pos is not None:
        expect.update(code="frame_invalid_utf8", valid_up_to=pos[0], detected_at=pos[1])
    return {"name": name, "source": source, "input_hex": data.hex(), "splits": splits, "expect": expect}


# --- python-websockets: tests/test_frames.py, class MiscTests (is_utf8_fragment) ---

WS_FRAMES = "tests/test_frames.py"
# is_utf8_fragment() is the frame logger's guess whether a payload is text: on top of UTF-8
# it calls a payload with non-printable characters binary. The converter keeps the source's
# verdict for the one case where that, not UTF-8, decides.
WS_UTF8_DISAGREEMENTS = {
    b"\x00": ("nul-is-valid-utf8",
              "python-websockets' is_utf8_fragment(b\"\\x00\") is False because its logger shows non-printable "
              "payloads as binary; U+0000 is valid UTF-8 (RFC 3629 §3), so a text message holding it is valid "
              "(RFC 6455 §5.6) and wsguard accepts it."),
}


def convert_websockets_utf8(repo: str, rev: str, show: Any) -> Dict[str, Any]:
    tree = ast.parse(show(repo, rev, WS_FRAMES))
    cls = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "MiscTests")
    consts: Dict[str, Any] = {}
    ev = Evaluator()
    for st in cls.body:
        if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name):
            value = st.value
            # VALID_DATA = [data.encode() for data in [literal strings]]
            if isinstance(value, ast.ListComp) and ast.unparse(value.elt) == "data.encode()":
                consts[st.targets[0].id] = [s.encode() for s in ev.eval(value.generators[0].iter)]
            else:
                consts[st.targets[0].id] = ev.eval(value)
    cases: List[Case] = []
    disagreements: Dict[str, str] = {}
    for name, ok, test in (("VALID_DATA", True, "test_is_utf8_fragment_true"),
                           ("INVALID_DATA", False, "test_is_utf8_fragment_false")):
        for i, data in enumerate(consts[name]):
            src = {"file": WS_FRAMES, "class": "MiscTests", "test": test, "list": name, "index": i,
                   "websockets": f"is_utf8_fragment={ok}"}
            if data in WS_UTF8_DISAGREEMENTS:
                key, why = WS_UTF8_DISAGREEMENTS[data]
                case = utf8_case(f"websockets-utf8-{name.split('_')[0].lower()}-{i}", data, [], not ok, src)
                case["disagreement"] = key
                disagreements[key] = why
            else:
                case = utf8_case(f"websockets-utf8-{name.split('_')[0].lower()}-{i}", data, [], ok, src)
            cases.append(case)
    return {
        "description": (
            "External: python-websockets' UTF-8 cases (" + WS_FRAMES + ", class MiscTests: every VALID_DATA and "
            "INVALID_DATA entry of test_is_utf8_fragment_true / _false, at `source.revision`), each as one whole "
            "text message. Same format as utf8.json; the runners also split it at every point, as "
            "test_is_utf8_fragment_true does. `valid_up_to` and `detected_at` come from CPython's UTF-8 codec "
            "(the source gives only the verdict). The must_start_clean / must_end_clean tests are left out: they "
            "judge a fragment cut inside a character, not a message."),
        "format": "utf8",
        "source": {"repo": "python-websockets/websockets", "revision": rev, "files": [WS_FRAMES]},
        "disagreements": disagreements,
        "cases": cases,
    }


# --- wsproto: tests/test_frame_protocol.py, class TestMessageDecoder ---

WP_FRAMES = "tests/test_frame_protocol.py"


def convert_wsproto_utf8(repo: str, rev: str, show: Any) -> Dict[str, Any]:
    tree = ast.parse(show(repo, rev, WP_FRAMES))
    cls = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "TestMessageDecoder")
    cases: List[Case] = []
    left_out: Dict[str, str] = {}
    for fn in functions(cls):
        got = wp_message(fn)
        if isinstance(got, str):
            left_out[fn.name] = got
            continue
        data, splits, ok = got
        src = {"file": WP_FRAMES, "class": "TestMessageDecoder", "test": fn.name, "line": fn.lineno,
               "wsproto": "text message" if ok else "ParseFailed"}
        cases.append(utf8_case(f"wsproto-utf8-{fn.name[5:].replace('_', '-')}", data, splits, ok, src))
    return {
        "description": (
            "External: wsproto's text-message decoder cases (" + WP_FRAMES + ", class TestMessageDecoder, at "
            "`source.revision`): the payloads of the frames each test hands to MessageDecoder.process_frame() "
            "(after any bytes it feeds the decoder first) are one message, `splits` the frame boundaries. Same "
            "format as utf8.json. A test expecting ParseFailed expects invalid UTF-8; `valid_up_to` and "
            "`detected_at` come from CPython's UTF-8 codec. `left_out`: tests not converted, with the reason."),
        "format": "utf8",
        "source": {"repo": "python-hyper/wsproto", "revision": rev, "files": [WP_FRAMES]},
        "left_out": left_out,
        "cases": cases,
    }


def wp_message(fn: ast.FunctionDef) -> Any:
    """(message bytes, frame boundaries, valid) of one test, or why it is left out."""
    ev = Evaluator({"fp.Opcode.TEXT": "TEXT", "fp.Opcode.BINARY": "BINARY", "fp.Opcode.CONTINUATION": "CONTINUATION"})
    pieces: List[bytes] = []
    opcode: Optional[str] = None
    finished = False
    raises = False
    for st in ast.walk(fn):
        if isinstance(st, ast.With) and "pytest.raises" in ast.unparse(st.items[0].context_expr):
            raises = True
    for st in statements(fn.body):
        if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name):
            call = st.value
            if isinstance(call, ast.Call) and ev.dotted(call.func) == "fp.Frame":
                kw = {k.arg: ev.eval(k.value) for k in call.keywords}
                if kw["opcode"] == "BINARY" and opcode is None:
                    return "a binary message: no UTF-8 to check"
                if kw["opcode"] != "CONTINUATION" and opcode is not None or kw["opcode"] == "CONTINUATION" and opcode != "TEXT":
                    return ("a fragment-order rule (a continuation without a text message, or a new message "
                            "inside one), not UTF-8; frames.json and the external frame files test these rules")
                opcode = opcode or kw["opcode"]
                pieces.append(kw["payload"])
                finished = kw["frame_finished"] and kw["message_finished"]
                continue
            try:
                ev.env[st.targets[0].id] = ev.eval(st.value)
            except NotData:
                pass  # decoder = fp.MessageDecoder(), frame = decoder.process_frame(frame)
        elif isinstance(st, ast.Assign) and ast.unparse(st.targets[0]) == "decoder.opcode":
            opcode = ev.eval(st.value)
        elif isinstance(st, ast.Assert) and isinstance(st.test, ast.Compare):
            left = st.test.left
            if isinstance(left, ast.Call) and ev.dotted(left.func) == "decoder.decoder.decode":
                pieces.append(ev.eval(left.args[0]))  # fed before the frame under test
    if not pieces:
        return "no text frame"
    if not raises and not finished:
        return "the message is not finished: valid so far, no verdict for a whole message"
    data = b"".join(pieces)
    splits, at = [], 0
    for p in pieces[:-1]:
        at += len(p)
        splits.append(at)
    return data, splits, not raises


def statements(body: List[ast.stmt]) -> List[ast.stmt]:
    """The statements in order, entering `with` blocks."""
    out: List[ast.stmt] = []
    for st in body:
        if isinstance(st, ast.With):
            out.extend(statements(st.body))
        else:
            out.append(st)
    return out
