"""ASGI entry point: two websocket routes, guarded by wsguard's Channels validators.

* ``/ws/explicit/`` — ``OriginValidator`` with a Channels-style list;
* ``/ws/hosts/`` — ``AllowedHostsOriginValidator`` (settings.ALLOWED_HOSTS);
* ``/ws/any/…`` — ``OriginValidator`` on every path below (hostile paths in the tests).

The consumer appends one line per connection that reaches it to $WSGUARD_REACHED_LOG,
so the tests can prove that refused connections never reach the application.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djangoproj.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi = get_asgi_application()

from channels.generic.websocket import WebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path, re_path  # noqa: E402

from wsguard.channels import AllowedHostsOriginValidator, OriginValidator  # noqa: E402


class EchoConsumer(WebsocketConsumer):
    def connect(self):
        origin = dict(self.scope["headers"]).get(b"origin", b"<missing>").decode("latin-1")
        with open(os.environ["WSGUARD_REACHED_LOG"], "a", encoding="utf-8") as f:
            f.write(f"{self.scope['path']} {origin}\n")
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        self.send(text_data=f"echo:{text_data}")


application = ProtocolTypeRouter(
    {
        "http": django_asgi,
        "websocket": URLRouter(
            [
                path(
                    "ws/explicit/",
                    OriginValidator(EchoConsumer.as_asgi(), ["https://app.example.com", ".example.org", "http://127.0.0.1:8000"]),
                ),
                path("ws/hosts/", AllowedHostsOriginValidator(EchoConsumer.as_asgi())),
                re_path(r"^ws/any/", OriginValidator(EchoConsumer.as_asgi(), ["https://app.example.com"])),
            ]
        ),
    }
)
