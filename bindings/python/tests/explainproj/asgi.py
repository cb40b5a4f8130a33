"""Django Channels with wsguard: the WebSocket side refused by ``wsguard.channels``, the
http side answering the explain exchange with :func:`wsguard.channels.explain_http` —
the wiring README and docs/EXPLAIN.md show a Django user.

``$WSGUARD_TEST_ALLOWED`` (comma-separated origins) is the allowlist, so a test can
allow the page server it started on a free port; ``$WSGUARD_EXPLAIN`` the mode.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "explainproj.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi = get_asgi_application()

from channels.generic.websocket import WebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from wsguard.channels import OriginValidator, explain_http  # noqa: E402


class EchoConsumer(WebsocketConsumer):
    def connect(self):
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        self.send(text_data=text_data)


allowed = [o for o in os.environ.get("WSGUARD_TEST_ALLOWED", "http://127.0.0.1:3000").split(",") if o]
websocket = OriginValidator(URLRouter([path("ws", EchoConsumer.as_asgi())]), allowed)

application = ProtocolTypeRouter(
    {
        "http": explain_http(django_asgi, websocket),
        "websocket": websocket,
    }
)
