"""Packaging: the maturin wheel is abi3 (CPython >= 3.10) and imports on other interpreters;
``pip install ./bindings/python`` (PEP 517) works in a fresh venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import List

import pytest

from conftest import IN_CI, ROOT, require

WHEEL = os.environ.get("WSGUARD_WHEEL", "")
SMOKE = (
    "import sys, wsguard\n"
    "p = wsguard.OriginPolicy(allow=['https://app.example.com'])\n"
    "assert p.check('https://app.example.com') and not p.check('https://evil.example')\n"
    "assert wsguard.classify_close(1006).name == 'abnormal_closure'\n"
    "try:\n"
    "    wsguard.classify_close(70000)\n"
    "except ValueError:\n"
    "    pass\n"
    "print(sys.version_info[:2], wsguard.__version__)\n"
)


def interpreters() -> List[str]:
    """This venv's base interpreter plus any other CPython 3.10+ found on the machine."""
    found = [sys._base_executable if hasattr(sys, "_base_executable") else sys.executable]
    pyenv = Path(os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))) / "versions"
    for minor in (10, 13):
        for cand in sorted(pyenv.glob(f"3.{minor}.*/bin/python3.{minor}")) + [Path(f"/usr/bin/python3.{minor}")]:
            if cand.exists():
                found.append(str(cand))
                break
    return list(dict.fromkeys(found))


def test_wheel_is_abi3() -> None:
    require(bool(WHEEL), "WSGUARD_WHEEL (set by run-tests.sh)")
    name = Path(WHEEL).name
    assert "-cp310-abi3-" in name, name
    with zipfile.ZipFile(WHEEL) as zf:
        names = set(zf.namelist())
    for expected in ("wsguard/__init__.py", "wsguard/py.typed", "wsguard/_wsguard.pyi", "wsguard/asgi.py"):
        assert expected in names, expected
    assert any(n.startswith("wsguard/_wsguard") and n.endswith(".so") for n in names), names


@pytest.mark.parametrize("python", interpreters())
def test_wheel_imports_in_fresh_venv(python: str, tmp_path: Path) -> None:
    require(bool(WHEEL), "WSGUARD_WHEEL (set by run-tests.sh)")
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", WHEEL]
    subprocess.run(pip, check=True, timeout=120)
    out = subprocess.run([str(venv / "bin" / "python"), "-c", SMOKE], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def test_pep517_pip_install_in_fresh_venv(tmp_path: Path) -> None:
    if os.environ.get("WSGUARD_SKIP_PEP517") == "1" and not IN_CI:
        pytest.skip("WSGUARD_SKIP_PEP517=1")
    require(shutil.which("cargo") is not None, "cargo")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", str(ROOT / "target"))
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(ROOT / "bindings" / "python")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = subprocess.run([str(venv / "bin" / "python"), "-c", SMOKE], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
