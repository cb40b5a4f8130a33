"""The hand-written stubs match the native module (mypy.stubtest), the package type-checks
strictly, and every public name carries a docstring."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import wsguard
import wsguard.asgi
import wsguard.channels
import wsguard.websockets

PACKAGE_DIR = Path(wsguard.__file__).parent
HERE = Path(__file__).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, timeout=300, cwd=HERE.parent)


def test_stubtest() -> None:
    result = run("mypy.stubtest", "wsguard", "--mypy-config-file", str(HERE / "mypy.ini"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_package_and_typed_marker() -> None:
    assert (PACKAGE_DIR / "py.typed").exists()
    assert (PACKAGE_DIR / "_wsguard.pyi").exists()
    result = run("mypy", "--strict", "--config-file", str(HERE / "mypy.ini"), "-p", "wsguard")
    assert result.returncode == 0, result.stdout + result.stderr


MODULES = [wsguard, wsguard.asgi, wsguard.channels, wsguard.websockets]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_public_name_has_a_docstring(module: object) -> None:
    assert inspect.getdoc(module), f"{module} has no docstring"
    missing = []
    for name in getattr(module, "__all__"):
        obj = getattr(module, name)
        if name == "__version__" or not (callable(obj) or inspect.isclass(obj)):
            continue
        if getattr(obj, "__module__", "").split(".")[0] not in ("wsguard", "builtins") and not inspect.isbuiltin(obj):
            continue  # typing aliases
        if not (obj.__doc__ or "").strip():
            missing.append(name)
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if not (getattr(value, "__doc__", None) or "").strip():
                    missing.append(f"{name}.{attr}")
    assert not missing, f"{module.__name__}: no docstring on {missing}"


def test_native_names_are_reexported() -> None:
    native = set(wsguard._wsguard.__all__)
    assert native <= set(wsguard.__all__), native - set(wsguard.__all__)
