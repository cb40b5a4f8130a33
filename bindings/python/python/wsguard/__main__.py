"""`python -m wsguard ARGS` runs the `wsguard` command with ARGS.

The command comes from the `wsguard-cli` wheel (`pip install 'wsguard[cli]'`); it is looked
up next to this interpreter first (the venv's `bin/`), then on `PATH`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from typing import Optional, Sequence

_INSTALL_HINT = "wsguard: the wsguard command is not installed; run: pip install 'wsguard[cli]'\n"


def find_command() -> Optional[str]:
    """The path of the `wsguard` executable, or None when it is not installed."""
    name = "wsguard.exe" if os.name == "nt" else "wsguard"
    for scripts in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
        candidate = os.path.join(scripts, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs `wsguard` with `argv` (default: this process's arguments); returns its status."""
    args = list(sys.argv[1:] if argv is None else argv)
    path = find_command()
    if path is None:
        sys.stderr.write(_INSTALL_HINT)
        return 2
    if os.name == "posix" and argv is None:
        os.execv(path, [path, *args])
    return subprocess.call([path, *args])


if __name__ == "__main__":
    sys.exit(main())
