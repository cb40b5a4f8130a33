"""ASGI entry point of the development auth bypass test under daphne: Channels routing
behind ``wsguard.asgi.WebSocketGuard(require_token=True, dev_auth_bypass=True)`` with the
development preset. The consumer echoes whether the bypass let the connection in."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djangoproj.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi = get_asgi_application()

from channels.generic.websocket import WebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from wsguard import OriginPolicy  # noqa: E402
from wsguard.asgi import WebSocketGuard  # noqa: E402


class BypassConsumer(WebsocketConsumer):
    def connect(self):
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        verdict = self.scope["wsguard"]
        self.send(text_data=f"{text_data}:{verdict.dev_auth_bypassed}:{verdict['token']}")


application = WebSocketGuard(
    ProtocolTypeRouter({"http": django_asgi, "websocket": URLRouter([path("ws/dev/", BypassConsumer.as_asgi())])}),
    policy=OriginPolicy(preset="development"),
    require_token=True,
    dev_auth_bypass=True,
)
