"""wsguard.Connection: the core's sans-IO connection, byte-exact, and driven by asyncio
against the real `websockets` client and server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import struct
from typing import List, Optional

import pytest
import websockets
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

import wsguard
from wsguard import CloseReceived, Connection, Message, Ping, Pong

KEY = b"\x01\x02\x03\x04"


def masked(opcode: int, payload: bytes, fin: bool = True, key: bytes = KEY) -> bytes:
    """A client frame (masked), built here independently of the core."""
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        head = bytes([b0, 0x80 | n])
    elif n < 65536:
        head = bytes([b0, 0x80 | 126]) + struct.pack("!H", n)
    else:
        head = bytes([b0, 0x80 | 127]) + struct.pack("!Q", n)
    body = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
    return head + key + body


def test_text_message_and_reply_bytes() -> None:
    server = Connection("server")
    events = server.receive_data(masked(1, b"hi"))
    assert len(events) == 1 and isinstance(events[0], Message)
    assert (events[0].kind, events[0].data) == ("text", "hi")
    server.send_text("hello")
    server.send_binary(b"\x00\xff")
    assert server.data_to_send() == b"\x81\x05hello\x82\x02\x00\xff"
    assert server.data_to_send() == b""


def test_bytes_in_any_split_give_the_same_events() -> None:
    stream = masked(1, b"one") + masked(9, b"p") + masked(2, b"\x01\x02", fin=False) + masked(0, b"\x03")
    for cut in range(len(stream) + 1):
        server = Connection("server")
        events = server.receive_data(stream[:cut]) + server.receive_data(stream[cut:])
        kinds = [(type(e).__name__, getattr(e, "data", getattr(e, "payload", None))) for e in events]
        assert kinds == [("Message", "one"), ("Ping", b"p"), ("Message", b"\x01\x02\x03")], cut
        assert server.data_to_send() == b"\x8a\x01p"  # the auto-pong


def test_message_larger_than_the_buffer_is_joined_exactly() -> None:
    payload = bytes(range(256)) * 400  # 102,400 bytes, above the 64 KiB message buffer
    parts = [payload[:30_000], payload[30_000:90_000], payload[90_000:]]
    stream = masked(2, parts[0], fin=False) + masked(0, parts[1], fin=False) + masked(0, parts[2])
    server = Connection("server")
    events = []
    for i in range(0, len(stream), 7_000):
        events += server.receive_data(stream[i : i + 7_000])
    assert len(events) == 1 and isinstance(events[0], Message)
    assert events[0].kind == "binary" and events[0].data == payload


def test_protocol_violations_queue_the_right_close() -> None:
    # An unmasked frame from a client: 1002, after the message before it was delivered.
    server = Connection("server")
    events = server.receive_data(masked(1, b"ok") + b"\x81\x02no")
    assert [e.data for e in events if isinstance(e, Message)] == ["ok"]
    ending = server.ending
    assert ending is not None and (ending.kind, ending.code) == ("failed", 1002)
    assert ending.error == "frame_unmasked_from_client" and ending.info.name == "protocol_error"
    out = server.data_to_send()
    assert out[:4] == b"\x88" + bytes([len(out) - 2]) + b"\x03\xea"  # Close 1002 + reason
    assert server.is_finished
    assert server.receive_data(masked(1, b"late")) == []
    # Invalid UTF-8 in a text message: 1007.
    server = Connection("server")
    server.receive_data(masked(1, b"\xff"))
    assert server.ending is not None and server.ending.code == 1007
    assert server.data_to_send()[2:4] == b"\x03\xef"
    # A message above max_message: 1009.
    server = Connection("server", max_message=10)
    server.receive_data(masked(2, b"x" * 11))
    assert server.ending is not None and (server.ending.code, server.ending.error) == (1009, "frame_message_too_big")


def test_closing_handshake_both_ways() -> None:
    server = Connection("server")
    events = server.receive_data(masked(8, b"\x03\xe8bye"))
    assert len(events) == 1 and isinstance(events[0], CloseReceived)
    assert (events[0].code, events[0].reason) == (1000, "bye")
    assert server.data_to_send() == b"\x88\x02\x03\xe8"  # the reply echoes the code
    ending = server.ending
    assert ending is not None and (ending.kind, ending.code, ending.by_peer, ending.reason) == ("closed", 1000, True, "bye")
    with pytest.raises(wsguard.InvalidInput) as err:
        server.send_text("after close")
    assert err.value.code == "connection_closed"

    server = Connection("server", close_timeout_ms=2_000, now=100)
    server.close(4001, "going", now=100)
    assert server.data_to_send() == b"\x88\x07\x0f\xa1going"
    assert server.next_timeout() == 2_100
    server.handle_timeout(2_100)
    assert server.ending is not None and (server.ending.kind, server.ending.code) == ("close_timeout", 1006)
    with pytest.raises(wsguard.InvalidInput) as err:
        Connection("server").close(1005)
    assert err.value.code == "connection_invalid_close_code"


def test_heartbeat_pings_and_declares_a_silent_peer_dead() -> None:
    server = Connection("server", heartbeat=(1_000, 3_000, 2), now=0)
    assert server.next_timeout() == 1_000
    server.handle_timeout(1_000)
    ping = server.data_to_send()
    assert ping[:2] == b"\x89\x08"  # the heartbeat's 8-byte sequence payload
    events = server.receive_data(masked(10, ping[2:]), now=1_040)
    assert len(events) == 1 and isinstance(events[0], Pong) and events[0].rtt_ms == 40
    assert server.rtt_ms == 40
    while server.ending is None:
        deadline = server.next_timeout()
        assert deadline is not None and deadline <= 10_000
        server.handle_timeout(deadline)
        server.data_to_send()
    assert (server.ending.kind, server.ending.code, server.ending.error) == ("peer_dead", 1006, "heartbeat_peer_silent")
    with pytest.raises(wsguard.InvalidInput) as err:
        Connection("server", heartbeat=(1_000, 1_000, 2))
    assert err.value.code == "heartbeat_timeout_not_above_interval"


def test_client_masks_with_its_seed_and_the_server_reads_it() -> None:
    a = Connection("client", mask_seed=7)
    b = Connection("client", mask_seed=7)
    a.send_text("same")
    b.send_text("same")
    frame = a.data_to_send()
    assert frame == b.data_to_send() and frame[1] == 0x80 | 4  # masked, deterministic per seed
    assert [e.data for e in Connection("server").receive_data(frame) if isinstance(e, Message)] == ["same"]
    # Without a seed, keys come from os.urandom: two clients differ.
    c, d = Connection("client"), Connection("client")
    c.send_text("same")
    d.send_text("same")
    assert c.data_to_send()[2:6] != d.data_to_send()[2:6]


def test_bad_arguments_raise_typed_errors() -> None:
    with pytest.raises(wsguard.InvalidInput) as err:
        Connection("browser")
    assert err.value.code == "role_unknown"
    with pytest.raises(wsguard.InvalidInput) as err:
        Connection("server").ping(b"x" * 126)
    assert err.value.code == "connection_control_too_long"
    with pytest.raises(wsguard.InvalidInput) as err:
        Connection("server").send("json", b"{}")
    assert err.value.code == "message_kind_unknown"


# -- driven by asyncio against real peers -------------------------------------------------


async def serve_with_wsguard(policy: wsguard.OriginPolicy, max_message: int) -> asyncio.Server:
    """A WebSocket echo server made of wsguard only: the handshake and the connection."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        try:
            hs = wsguard.validate_request_bytes(head, policy=policy)
        except wsguard.HandshakeRejected as refused:
            writer.write(refused.response)
            await writer.drain()
            writer.close()
            return
        assert hs is not None
        writer.write(hs.response)
        conn = Connection("server", max_message=max_message)
        while not conn.is_finished:
            data = await reader.read(65536)
            events = conn.receive_data(data) if data else []
            if not data:
                conn.receive_eof()
            for ev in events:
                if isinstance(ev, Message) and not conn.ending:
                    conn.send(ev.kind, ev.data)
            writer.write(conn.data_to_send())
            await writer.drain()
        writer.close()
        ending = conn.ending
        assert ending is not None
        ENDINGS.append((ending.kind, ending.code))

    return await asyncio.start_server(handle, "127.0.0.1", 0)


ENDINGS: List[tuple[str, int]] = []


def test_asyncio_server_with_the_websockets_client() -> None:
    async def main() -> None:
        ENDINGS.clear()
        policy = wsguard.OriginPolicy(allow=["http://app.test"])
        server = await serve_with_wsguard(policy, max_message=1 << 20)
        port = server.sockets[0].getsockname()[1]
        url = f"ws://127.0.0.1:{port}/ws"
        async with connect(url, origin=websockets.Origin("http://app.test"), max_size=None) as ws:
            await ws.send("text ✓")
            assert await ws.recv() == "text ✓"
            big = bytes(range(256)) * 1024  # 256 KiB, fragmented by nobody: one frame
            await ws.send(big)
            assert await ws.recv() == big
            await ws.send([b"frag", b"mented"])  # a fragmented message
            assert await ws.recv() == b"fragmented"
            pong = await ws.ping(b"are you there")
            await asyncio.wait_for(pong, 5)
        assert ENDINGS[-1] == ("closed", 1000)
        # Over max_message: the client sees the core's 1009.
        async with connect(url, origin=websockets.Origin("http://app.test"), max_size=None) as ws:
            await ws.send(b"x" * ((1 << 20) + 1))
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
        # A refused Origin never reaches the connection: 403 with the core's code.
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with connect(url, origin=websockets.Origin("http://evil.test")):
                pass
        assert refused.value.response.status_code == 403
        assert (refused.value.response.body or b"").startswith(b"origin_host: ")
        server.close()
        await server.wait_closed()

    asyncio.run(asyncio.wait_for(main(), 30))


def test_client_role_against_the_websockets_server() -> None:
    async def echo(ws: websockets.asyncio.server.ServerConnection) -> None:
        async for msg in ws:
            await ws.send(msg)
        return None

    async def main() -> None:
        async with serve(echo, "127.0.0.1", 0) as srv:
            port = srv.sockets[0].getsockname()[1]
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            hs = wsguard.ClientHandshake(f"127.0.0.1:{port}", "/")
            writer.write(hs.request)
            buf = b""
            established: Optional[wsguard.Established] = None
            while established is None:
                buf += await reader.read(4096)
                established = hs.validate_response(buf)
            conn = Connection("client")
            events = conn.receive_data(buf[established.consumed :])
            conn.send_text("hello from wsguard")
            conn.send_binary(b"\x00" * 70_000)
            writer.write(conn.data_to_send())
            got: list[object] = list(events)

            async def pump() -> None:
                data = await asyncio.wait_for(reader.read(65536), 10)
                if not data:
                    conn.receive_eof()
                got.extend(conn.receive_data(data) if data else [])
                writer.write(conn.data_to_send())

            while len([e for e in got if isinstance(e, Message)]) < 2:
                await pump()
            conn.close(1000, "done")
            writer.write(conn.data_to_send())
            while not conn.is_finished:
                await pump()
            writer.close()
            messages = [e.data for e in got if isinstance(e, Message)]
            assert messages == ["hello from wsguard", b"\x00" * 70_000]
            closes = [e for e in got if isinstance(e, CloseReceived)]
            assert [(c.code, c.reason) for c in closes] == [(1000, "done")]  # websockets echoes our Close
            ending = conn.ending
            assert ending is not None and (ending.kind, ending.code, ending.by_peer) == ("closed", 1000, False)

    asyncio.run(asyncio.wait_for(main(), 30))

