"""A `websockets` client against the device-side `accept` of wsguard-core.

    python peer_client.py ws://127.0.0.1:PORT/path ORIGIN

Sends a text, a 100 000-byte binary and a fragmented text, expects each echoed, then
closes with 1000. Prints `OK` — or `STATUS <code> <first body line>` when the upgrade is
refused. Exits after 20 s whatever happens.
"""

import asyncio
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus


async def main(url, origin):
    try:
        async with connect(url, origin=origin, max_size=None, open_timeout=10) as ws:
            await ws.send("hello device")
            assert await ws.recv() == "hello device"
            blob = bytes(i % 253 for i in range(100_000))
            await ws.send(blob)
            assert await ws.recv() == blob
            await ws.send(iter(["frag", "mented", " é"]))
            assert await ws.recv() == "fragmented é"
            await ws.close(1000, "bye")
            print("OK", ws.close_code, flush=True)
    except InvalidStatus as e:
        body = (e.response.body or b"").decode(errors="replace").split("\n")[0]
        print("STATUS", e.response.status_code, body, flush=True)


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(sys.argv[1], sys.argv[2]), 20))
