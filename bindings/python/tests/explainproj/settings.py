"""Settings of the explain test project (no database; channels only)."""

SECRET_KEY = "wsguard-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["channels"]
ROOT_URLCONF = "explainproj.urls"
ASGI_APPLICATION = "explainproj.asgi.application"
DATABASES: dict = {}
USE_TZ = True
