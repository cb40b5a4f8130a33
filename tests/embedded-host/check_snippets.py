#!/usr/bin/env python3
"""Checks that the code blocks of a guide are real code: every fenced block preceded by
`<!-- from PATH -->` must be an excerpt of PATH (its lines, stripped, appear in PATH in
the same order; `// …` lines stand for omitted code). PATH is built and linted by
`make test` (suite embedded), so a snippet that checks out here compiles there.

    python3 tests/embedded-host/check_snippets.py docs/FIRMWARE.md

Ends with `snippets: N passed, M failed`.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parents[2]
guide = pathlib.Path(sys.argv[1])
text = guide.read_text()
passed = failed = 0
pattern = re.compile(r"<!-- from (\S+) -->\s*\n```[a-z]*\n(.*?)\n```", re.S)
for m in pattern.finditer(text):
    src_path, block = m.group(1), m.group(2)
    src = [l.strip() for l in (root / src_path).read_text().splitlines()]
    at, missing = 0, None
    for line in block.splitlines():
        s = line.strip()
        if not s or s == "// …" or s == "# …":
            continue
        try:
            at = src.index(s, at) + 1
        except ValueError:
            missing = s
            break
    where = f"{guide}:{text[:m.start()].count(chr(10)) + 1}"
    if missing is None:
        print(f"ok   {where} is an excerpt of {src_path}")
        passed += 1
    else:
        print(f"FAIL {where}: not in {src_path} (in this order): {missing!r}")
        failed += 1
if passed + failed == 0:
    print(f"FAIL {guide}: no <!-- from PATH --> snippets found")
    failed = 1
print(f"snippets: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
