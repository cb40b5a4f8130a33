"""wsguard.channels validators: parity with Django Channels, then daphne + Channels for real."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Dict, List
from urllib.parse import urlparse

import django
import pytest
from django.conf import settings

if not settings.configured:
    settings.configure(ALLOWED_HOSTS=["app.example.com", ".example.org"], DEBUG=False)
    django.setup()

from channels.security.websocket import OriginValidator as ChannelsOriginValidator  # noqa: E402

from wsguard import OriginPolicy, PolicyError  # noqa: E402
from wsguard.channels import AllowedHostsOriginValidator, OriginValidator, channels_patterns_to_policy  # noqa: E402

from clients import attempt  # noqa: E402
from servers import DaphneServer  # noqa: E402

PATTERN_SETS = [
    ["example.com"],
    [".example.com"],
    ["http://example.com"],
    ["https://example.com:8443"],
    ["http://.example.com"],
    ["localhost", "127.0.0.1", "[::1]"],
    ["*"],
    ["https://app.example.com", ".example.org", "http://127.0.0.1:8000"],
]
# Well-formed browser origins (Channels also accepts malformed ones; wsguard refuses
# those on purpose, see test_stricter_than_channels_on_malformed_origins).
ORIGINS = [
    "http://example.com", "https://example.com", "http://example.com:8000", "https://example.com:8443",
    "http://sub.example.com", "https://a.b.example.com", "http://evil-example.com", "http://example.com.evil.net",
    "http://localhost", "http://localhost:3000", "http://127.0.0.1:8000", "http://127.0.0.1:8001",
    "http://[::1]:5173", "https://app.example.com", "https://app.example.org", "https://example.org",
    "http://EXAMPLE.com", "https://example.com:443", "http://example.com:80",
]  # fmt: skip


@pytest.mark.parametrize("patterns", PATTERN_SETS, ids=lambda p: ",".join(p))
def test_same_verdicts_as_channels_on_browser_origins(patterns: List[str]) -> None:
    theirs = ChannelsOriginValidator(None, patterns)
    ours = OriginValidator(None, patterns)
    for origin in ORIGINS:
        want = theirs.valid_origin(urlparse(origin))
        got = ours.valid_origin(origin.encode())
        assert got == want, f"{patterns} / {origin}: wsguard {got}, channels {want}"
    # Missing Origin: allowed only with "*", as in Channels.
    assert ours.valid_origin(None) == theirs.valid_origin(None)


def test_stricter_than_channels_on_malformed_origins() -> None:
    ours = OriginValidator(None, ["example.com"])
    theirs = ChannelsOriginValidator(None, ["example.com"])
    for origin in ["http://example.com/", "http://example.com/path", "http://user@example.com"]:
        assert theirs.valid_origin(urlparse(origin)) is True
        assert ours.valid_origin(origin.encode()) is False


def test_policy_translation_and_bad_entries() -> None:
    policy = channels_patterns_to_policy([".example.com"])
    assert policy.allow == ["http://example.com:*", "http://*.example.com:*", "https://example.com:*", "https://*.example.com:*"]
    with pytest.raises(TypeError):
        channels_patterns_to_policy("example.com")  # type: ignore[arg-type]
    with pytest.raises(PolicyError) as err:
        OriginValidator(None, ["https://example.com/"])
    assert err.value.code == "pattern_malformed"
    # an OriginPolicy can be passed directly
    assert OriginValidator(None, OriginPolicy(allow=["https://a.example"])).valid_origin(b"https://a.example")


async def test_validator_denies_like_channels_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    reached: List[Dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope)

    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    validator = OriginValidator(app, ["app.example.com"])
    scope = {"type": "websocket", "path": "/ws/", "headers": [(b"origin", b"https://evil.example")], "client": ("127.0.0.1", 1)}
    with caplog.at_level(logging.WARNING, logger="wsguard.channels"):
        await validator(scope, receive, send)
    assert reached == [] and sent == [{"type": "websocket.close", "code": 1008}]
    assert "https://evil.example" in caplog.text and "origin_host" in caplog.text
    with pytest.raises(ValueError):
        await validator({"type": "http"}, receive, send)
    two = dict(scope, headers=[(b"origin", b"https://app.example.com"), (b"origin", b"https://app.example.com")])
    await validator(two, receive, send)
    assert reached == []  # several Origin headers are refused (origin_multiple)
    await validator(dict(scope, headers=[(b"origin", b"https://app.example.com")]), receive, send)
    assert len(reached) == 1


def test_allowed_hosts_validator_reads_settings() -> None:
    validator = AllowedHostsOriginValidator(None)  # type: ignore[arg-type]
    assert validator.allowed_origins == ["app.example.com", ".example.org"]
    assert validator.valid_origin(b"https://app.example.com")
    assert validator.valid_origin(b"https://x.example.org:444")
    assert not validator.valid_origin(b"https://evil.example")


# -- daphne + Channels ------------------------------------------------------------------

PROJECT = Path(__file__).parent


async def test_daphne_channels_validators(tmp_path: Path) -> None:
    reached_log = tmp_path / "reached.log"
    reached_log.write_text("")
    env = {"WSGUARD_REACHED_LOG": str(reached_log), "DJANGO_SETTINGS_MODULE": "djangoproj.settings"}
    with DaphneServer(PROJECT, "djangoproj.asgi:application", env=env) as srv:
        base = f"ws://127.0.0.1:{srv.port}"
        cases = [
            ("/ws/explicit/", "https://app.example.com", 101),
            ("/ws/explicit/", "https://chat.example.org", 101),
            ("/ws/explicit/", "http://127.0.0.1:8000", 101),
            ("/ws/explicit/", "https://evil.example", 403),
            ("/ws/explicit/", "http://127.0.0.1:8001", 403),
            ("/ws/explicit/", None, 403),
            ("/ws/explicit/", "null", 403),
            ("/ws/hosts/", "http://app.example.com:8080", 101),
            ("/ws/hosts/", "https://evil.example.org.attacker.test", 403),
        ]
        for route, origin, want in cases:
            status, reply, _ = await attempt(base + route, origin=origin)
            assert status == want, f"{route} {origin}: got {status}, want {want}"
            if want == 101:
                assert reply == "echo:hi"
        await asyncio.sleep(0.2)  # let daphne flush its log lines
        log = srv.log()
    reached = reached_log.read_text().splitlines()
    assert sorted(reached) == sorted(
        [
            "/ws/explicit/ https://app.example.com",
            "/ws/explicit/ https://chat.example.org",
            "/ws/explicit/ http://127.0.0.1:8000",
            "/ws/hosts/ http://app.example.com:8080",
        ]
    ), "a refused connection reached the consumer"
    assert "wsguard refused websocket /ws/explicit/ from origin https://evil.example" in log
    assert "origin_missing" in log and "origin_null" in log and "origin_port" in log
