"""Shared helpers for the wsguard Python tests: vector loading, CI rules, free ports."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any, Dict, List

import pytest

ROOT = Path(__file__).resolve().parents[3]
VECTOR_DIR = ROOT / "tests" / "vectors"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def load_cases(filename: str) -> List[Dict[str, Any]]:
    data = json.loads((VECTOR_DIR / filename).read_text(encoding="utf-8"))
    cases = data["cases"]
    assert isinstance(cases, list) and cases, f"{filename} has no cases"
    return cases


def field_bytes(case: Dict[str, Any], name: str) -> Any:
    """A byte field given as text (`name`) or hex (`name_hex`); None when absent/null."""
    if f"{name}_hex" in case:
        return bytes.fromhex(case[f"{name}_hex"])
    value = case.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value.encode("utf-8")
    return value


def require(condition: bool, what: str) -> None:
    """Skips locally, fails in CI (a missing prerequisite is never a silent skip there)."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"prerequisite missing in CI: {what}")
    pytest.skip(f"prerequisite missing: {what}")


def bound_socket() -> socket.socket:
    """A listening-ready TCP socket on 127.0.0.1 with a kernel-chosen port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock
