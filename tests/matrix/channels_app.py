"""The Django Channels backend of the fault matrix, served by daphne.

Routes (websocket only, as in most Channels projects — no HTTP routes):

* ``/ws/origin``  — echo behind Channels' own ``OriginValidator`` (``https://app.example.com``);
* ``/ws/hosts``   — echo behind Channels' ``AllowedHostsOriginValidator`` (``ALLOWED_HOSTS`` of a
  development setup: ``127.0.0.1``, ``localhost``, ``app.example.com``);
* ``/ws/wsguard`` — echo behind ``wsguard.channels.OriginValidator`` (same list);
* ``/ws/refuse-before`` — a consumer that closes with 4401 before accepting (daphne: bare 403);
* ``/ws/refuse-after``  — a consumer that accepts, then closes with 4401.

Run: ``daphne -e tcp:port=0:interface=127.0.0.1 channels_app:application`` with this
directory on ``PYTHONPATH``.
"""

from __future__ import annotations

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        # Read only by AllowedHostsOriginValidator (/ws/hosts): the routes are websocket-only.
        ALLOWED_HOSTS=["127.0.0.1", "localhost", "app.example.com"],
        INSTALLED_APPS=["channels"],
        SECRET_KEY="matrix-test-only",
        LOGGING_CONFIG=None,
    )
    django.setup()

from channels.generic.websocket import WebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from channels.security.websocket import OriginValidator as ChannelsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from wsguard.channels import OriginValidator as WsguardOriginValidator  # noqa: E402

ALLOWED = ["https://app.example.com"]


class Echo(WebsocketConsumer):
    def connect(self) -> None:
        self.accept()

    def receive(self, text_data=None, bytes_data=None):  # type: ignore[no-untyped-def]
        self.send(text_data=text_data, bytes_data=bytes_data)


class RefuseBefore(WebsocketConsumer):
    def connect(self) -> None:
        self.close(code=4401)


class RefuseAfter(WebsocketConsumer):
    def connect(self) -> None:
        self.accept()
        self.close(code=4401)


application = ProtocolTypeRouter(
    {
        "websocket": URLRouter(
            [
                path("ws/origin", ChannelsOriginValidator(Echo.as_asgi(), ALLOWED)),
                path("ws/hosts", AllowedHostsOriginValidator(Echo.as_asgi())),
                path("ws/wsguard", WsguardOriginValidator(Echo.as_asgi(), ALLOWED)),
                path("ws/refuse-before", RefuseBefore.as_asgi()),
                path("ws/refuse-after", RefuseAfter.as_asgi()),
            ]
        ),
    }
)
