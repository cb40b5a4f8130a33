"""Real servers on 127.0.0.1 for the integration tests, each stopped by its context manager.

* :class:`UvicornServer` — uvicorn in a background thread, on a socket bound to port 0.
* :class:`WebsocketsServer` — a ``websockets`` asyncio server in a background thread.
* :class:`DaphneServer` — daphne in a subprocess (Twisted wants its own process), on an
  endpoint with port 0; the port is read from daphne's "Listening on" log line.

Every wait is bounded (``START_TIMEOUT``) and every server is stopped on exit.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, List, Optional

import uvicorn

from conftest import bound_socket

START_TIMEOUT = 20.0


class UvicornServer:
    """``with UvicornServer(app) as srv: srv.port``"""

    def __init__(self, app: Any, ws: str = "websockets", log_level: str = "warning") -> None:
        self.sock = bound_socket()
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, ws=ws, lifespan="off", log_level=log_level, access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> "UvicornServer":
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(START_TIMEOUT)
        self.sock.close()


class WebsocketsServer:
    """A ``websockets.asyncio.server.serve`` server running in its own thread and loop."""

    def __init__(self, handler: Callable[..., Any], **serve_kwargs: Any) -> None:
        self.handler = handler
        self.serve_kwargs = serve_kwargs
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self.ready = threading.Event()
        self.stop_future: Optional[asyncio.Future[None]] = None
        self.error: Optional[BaseException] = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from websockets.asyncio.server import serve

        async def main() -> None:
            self.stop_future = self.loop.create_future()
            async with serve(self.handler, "127.0.0.1", 0, **self.serve_kwargs) as server:
                self.port = next(iter(server.sockets)).getsockname()[1]
                self.ready.set()
                await self.stop_future

        try:
            self.loop.run_until_complete(main())
        except BaseException as err:  # reported by __enter__
            self.error = err
            self.ready.set()
        finally:
            self.loop.close()

    def __enter__(self) -> "WebsocketsServer":
        self.thread.start()
        if not self.ready.wait(START_TIMEOUT) or self.error is not None:
            raise RuntimeError(f"websockets server did not start: {self.error!r}")
        return self

    def __exit__(self, *exc: Any) -> None:
        fut = self.stop_future
        if fut is not None:
            self.loop.call_soon_threadsafe(lambda: fut.done() or fut.set_result(None))
        self.thread.join(START_TIMEOUT)


LISTENING = re.compile(r"Listening on TCP address 127\.0\.0\.1:(\d+)")


class DaphneServer:
    """daphne serving ``module:attr`` from ``project_dir`` in a subprocess."""

    def __init__(self, project_dir: Path, application: str, env: Optional[dict] = None) -> None:
        self.project_dir = project_dir
        self.application = application
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.env["PYTHONPATH"] = str(project_dir) + os.pathsep + self.env.get("PYTHONPATH", "")
        self.port = 0
        self.proc: Optional[subprocess.Popen[str]] = None
        self.lines: List[str] = []
        self._reader: Optional[threading.Thread] = None

    def __enter__(self) -> "DaphneServer":
        cmd = [
            sys.executable, "-m", "daphne", "-v", "2",
            "-e", "tcp:port=0:interface=127.0.0.1",
            self.application,
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.project_dir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        found = threading.Event()

        def read() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                m = LISTENING.search(line)
                if m:
                    self.port = int(m.group(1))
                    found.set()

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()
        if not found.wait(START_TIMEOUT):
            self.__exit__()
            raise RuntimeError("daphne did not start:\n" + "\n".join(self.lines[-30:]))
        return self

    def log(self) -> str:
        return "\n".join(self.lines)

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self._reader is not None:
            self._reader.join(5)
