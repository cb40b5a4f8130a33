"""A real ``websockets`` client that reports the HTTP status of the opening handshake."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional, Sequence, Tuple

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

TIMEOUT = 5.0


async def attempt(
    url: str,
    origin: Optional[str] = None,
    headers: Optional[Dict[str, str]] = None,
    subprotocols: Optional[Sequence[str]] = None,
    message: str = "hi",
) -> Tuple[int, Any, Optional[str]]:
    """Opens a socket, sends ``message`` and returns ``(101, reply, subprotocol)``; on a
    refused handshake returns ``(status, body bytes, None)``."""
    kwargs: Dict[str, Any] = {"open_timeout": TIMEOUT, "close_timeout": TIMEOUT}
    if origin is not None:
        kwargs["origin"] = origin
    if headers:
        kwargs["additional_headers"] = headers
    if subprotocols:
        kwargs["subprotocols"] = list(subprotocols)
    try:
        async with connect(url, **kwargs) as ws:
            await ws.send(message)
            reply = await asyncio.wait_for(ws.recv(), TIMEOUT)
            return 101, reply, ws.subprotocol
    except InvalidStatus as err:
        return err.response.status_code, bytes(err.response.body or b""), None


def header_map(pairs: List[Tuple[str, str]]) -> Dict[str, str]:
    return {k.lower(): v for k, v in pairs}
