# Python package (bindings/python): build + install into .venv, mypy.stubtest, pytest
# (vectors, API, ASGI/Channels/websockets integration on 127.0.0.1, headless Chromium).
suite_python() { run_suite python tally_pytest bash bindings/python/run-tests.sh; }
SUITES_DEFAULT="$SUITES_DEFAULT python"
