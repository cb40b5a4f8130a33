"""One plain Django view, so non-explain HTTP requests reach Django."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("hello/", lambda request: HttpResponse(b"hello from django"))]
