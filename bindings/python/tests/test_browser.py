"""Headless Chromium opens WebSockets from two loopback origins to a guarded FastAPI app.

The app serves the same page on http://127.0.0.1:<port> (allowed by the policy) and on
http://localhost:<port> (a different origin, refused). The page opens a socket to the app,
sends a message and writes what happened into the DOM; the test drives Chromium over the
DevTools protocol (a small client over ``websockets``) and reads the DOM back.

Chromium reports only 1006 for the refused upgrade — the server log names the refused
origin and the reason, which is the point of wsguard. In CI (CI=true) a missing Chromium
is a failure.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from fastapi import FastAPI, WebSocket
from fastapi.responses import HTMLResponse
from websockets.asyncio.client import connect

from wsguard import OriginPolicy
from wsguard.asgi import WebSocketGuard

from conftest import require
from servers import UvicornServer

CHROMIUM = os.environ.get("WSGUARD_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--remote-debugging-port=0",
]  # fmt: skip

PAGE = """<!doctype html><html><body><pre id="out"></pre><script>
const out = document.getElementById("out");
const ws = new WebSocket("ws://127.0.0.1:%(port)d/ws");
let events = [];
ws.onopen = () => { events.push("open"); ws.send("hello from " + location.origin); };
ws.onmessage = (e) => { events.push("message:" + e.data); ws.close(1000); };
ws.onerror = () => { events.push("error"); };
ws.onclose = (e) => { events.push("close:" + e.code); out.textContent = JSON.stringify(events); };
</script></body></html>"""


class Chromium:
    """Headless Chromium with a DevTools endpoint; closed (and its profile removed) on exit."""

    def __init__(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="wsguard-chromium-")
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self.ws_url = ""

    def __enter__(self) -> "Chromium":
        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if port_file.exists():
                lines = port_file.read_text().split()
                if len(lines) >= 2:
                    self.ws_url = f"ws://127.0.0.1:{lines[0]}{lines[1]}"
                    return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("chromium did not open its DevTools port")

    def __exit__(self, *exc: Any) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


class Cdp:
    """The few DevTools calls the test needs, over one browser-level connection."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.next_id = 0

    async def call(self, method: str, params: Optional[Dict[str, Any]] = None, session: Optional[str] = None) -> Any:
        self.next_id += 1
        msg: Dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        await self.conn.send(json.dumps(msg))
        for _ in range(10_000):  # events are interleaved with replies; bounded
            reply = json.loads(await asyncio.wait_for(self.conn.recv(), 10))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
        raise RuntimeError(f"{method}: no reply")

    async def page_events(self, url: str) -> List[str]:
        target = (await self.call("Target.createTarget", {"url": "about:blank"}))["targetId"]
        session = (await self.call("Target.attachToTarget", {"targetId": target, "flatten": True}))["sessionId"]
        await self.call("Page.navigate", {"url": url}, session)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            result = await self.call(
                "Runtime.evaluate",
                {"expression": "(document.getElementById('out')||{}).textContent || ''", "returnByValue": True},
                session,
            )
            text = result.get("result", {}).get("value", "")
            if text:
                await self.call("Target.closeTarget", {"targetId": target})
                return list(json.loads(text))
            await asyncio.sleep(0.1)
        raise AssertionError(f"page {url} never finished")


async def test_chromium_allowed_and_refused_origins(caplog: pytest.LogCaptureFixture) -> None:
    require(os.path.exists(CHROMIUM), f"chromium at {CHROMIUM}")
    reached: List[str] = []
    app = FastAPI()
    port_box: Dict[str, int] = {}

    @app.get("/page")
    def page() -> HTMLResponse:
        return HTMLResponse(PAGE % {"port": port_box["port"]})

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        reached.append(websocket.scope["wsguard"]["origin"])
        await websocket.accept()
        text = await websocket.receive_text()
        await websocket.send_text("echo " + text)
        await asyncio.sleep(1)  # the page closes first

    server = UvicornServer(app, ws="websockets-sansio")
    port_box["port"] = server.port
    allowed = f"http://127.0.0.1:{server.port}"
    refused = f"http://localhost:{server.port}"
    app.add_middleware(WebSocketGuard, policy=OriginPolicy(allow=[allowed]))
    with server:
        with caplog.at_level(logging.WARNING, logger="wsguard.asgi"), Chromium() as browser:
            async with connect(browser.ws_url, max_size=None, open_timeout=10) as conn:
                cdp = Cdp(conn)
                ok_events = await cdp.page_events(allowed + "/page")
                bad_events = await cdp.page_events(refused + "/page")
    assert ok_events == ["open", f"message:echo hello from {allowed}", "close:1000"], ok_events
    assert "open" not in bad_events and bad_events[-1] == "close:1006", bad_events
    assert reached == [allowed], "the refused page reached the app"
    refusals = [r.getMessage() for r in caplog.records if r.name == "wsguard.asgi"]
    assert any(refused in m and "origin_port" not in m and "origin_host" in m for m in refusals), refusals
