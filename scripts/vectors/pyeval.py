"""Evaluates the literal data of a Python test module, never its code.

The external converters read python-websockets' and wsproto's test files with `ast` and
need the values their tests build out of literals: `f"GET /test ...{KEY}..."`,
`b"a" * 8186`, `"fñör∂".encode()[:4]`, `unhexlify("cebae1...")`, `struct.pack("!H", 1000)`,
`bytearray([len(payload)])`. `Evaluator` computes exactly these forms from an environment of
names the converter supplies (module constants read the same way, enum members from a
table) and raises `NotData` for anything else (a call into the library under test, a
helper object), so a case built by code is left out rather than guessed.

    >>> import ast
    >>> Evaluator({"KEY": "k"}).eval(ast.parse('f"a{KEY}" .encode() * 2', mode="eval").body)
    b'akak'
"""

from __future__ import annotations

import ast
import binascii
import struct
from typing import Any, Dict, Iterable, List, Optional


class NotData(Exception):
    """The expression is code, not data the converter may evaluate."""


class Evaluator:
    """Evaluates literal expressions over `env` (names and dotted names → values)."""

    def __init__(self, env: Optional[Dict[str, Any]] = None) -> None:
        self.env: Dict[str, Any] = dict(env or {})

    def dotted(self, node: ast.AST) -> Optional[str]:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def eval(self, node: ast.AST) -> Any:  # noqa: C901 - one branch per literal form
        if isinstance(node, ast.Constant):
            return node.value
        name = self.dotted(node)
        if name is not None:
            if name in self.env:
                return self.env[name]
            raise NotData(name)
        if isinstance(node, ast.JoinedStr):
            return "".join(str(self.eval(v.value)) if isinstance(v, ast.FormattedValue) else str(v.value)
                           for v in node.values)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.eval(e) for e in node.elts]
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.Dict):
            return {self.eval(k): self.eval(v) for k, v in zip(node.keys, node.values) if k is not None}
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.eval(node.operand)
        if isinstance(node, ast.BinOp):
            a, b = self.eval(node.left), self.eval(node.right)
            ops = {ast.Add: lambda: a + b, ast.Mult: lambda: a * b, ast.Sub: lambda: a - b,
                   ast.FloorDiv: lambda: a // b, ast.Mod: lambda: a % b}
            for op, fn in ops.items():
                if isinstance(node.op, op):
                    return fn()
            raise NotData(ast.dump(node.op))
        if isinstance(node, ast.Subscript):
            value = self.eval(node.value)
            s = node.slice
            if isinstance(s, ast.Slice):
                lo, hi = (self.eval(x) if x is not None else None for x in (s.lower, s.upper))
                if s.step is not None:
                    raise NotData("slice step")
                return value[lo:hi]
            return value[self.eval(s)]
        if isinstance(node, ast.Call):
            return self.call(node)
        raise NotData(type(node).__name__)

    def call(self, node: ast.Call) -> Any:
        args = [self.eval(a) for a in node.args]
        if node.keywords:
            raise NotData("keyword arguments")
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("encode", "decode"):
            value = self.eval(func.value)
            if func.attr == "encode" and isinstance(value, str):
                return value.encode(*args)
            if func.attr == "decode" and isinstance(value, (bytes, bytearray)):
                return bytes(value).decode(*args)
            raise NotData(func.attr)
        name = self.dotted(func)
        if name in ("unhexlify", "binascii.unhexlify"):
            return binascii.unhexlify(args[0])
        if name in ("bytearray", "bytes") and len(args) == 1 and isinstance(args[0], list):
            return bytes(args[0])
        if name == "struct.pack" and isinstance(args[0], str):
            return struct.pack(args[0], *args[1:])
        if name == "len":
            return len(args[0])
        raise NotData(f"call {name}")


def module_constants(tree: ast.Module, env: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """`NAME = literal` assignments at module level (KEY, ACCEPT, DATE …), evaluated in order."""
    ev = Evaluator(env)
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                ev.env[node.targets[0].id] = ev.eval(node.value)
            except (NotData, TypeError, ValueError, KeyError, IndexError):
                pass
    return ev.env


def class_attr(tree: ast.Module, cls: str, attr: str) -> Any:
    """A class attribute's literal value (e.g. `FakeExtension.name`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls:
            for stmt in node.body:
                if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                        and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == attr):
                    return ast.literal_eval(stmt.value)
    raise KeyError(f"{cls}.{attr}")


def functions(tree: ast.AST, prefix: str = "test_") -> Iterable[ast.FunctionDef]:
    """Every function (module level or in a class) whose name starts with `prefix`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name.startswith(prefix):
            yield node


def find_function(tree: ast.AST, name: str) -> ast.FunctionDef:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise KeyError(name)


def parametrize(fn: ast.FunctionDef, ev: Evaluator) -> List[Dict[str, Any]]:
    """The argument sets of `@pytest.mark.parametrize("name", [values])` ([{}] without one)."""
    sets: List[Dict[str, Any]] = [{}]
    for dec in fn.decorator_list:
        if isinstance(dec, ast.Call) and ev.dotted(dec.func) == "pytest.mark.parametrize":
            names = [n.strip() for n in ev.eval(dec.args[0]).split(",")]
            values = ev.eval(dec.args[1])
            rows = [v if len(names) > 1 else (v,) for v in values]
            sets = [dict(s, **dict(zip(names, row))) for s in sets for row in rows]
    return sets


def kwargs(call: ast.Call, ev: Evaluator) -> Dict[str, Any]:
    """A call's keyword arguments evaluated; `NotData` values are kept as the AST node."""
    out: Dict[str, Any] = {}
    for k in call.keywords:
        try:
            out[str(k.arg)] = ev.eval(k.value)
        except NotData:
            out[str(k.arg)] = k.value
    return out
