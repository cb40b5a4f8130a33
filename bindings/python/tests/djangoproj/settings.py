"""Settings of the test project (no database, no apps beyond channels)."""

SECRET_KEY = "wsguard-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["app.example.com", ".example.org", "127.0.0.1"]
INSTALLED_APPS = ["channels"]
ROOT_URLCONF = "djangoproj.urls"
ASGI_APPLICATION = "djangoproj.asgi.application"
DATABASES: dict = {}
USE_TZ = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"wsguard": {"handlers": ["console"], "level": "WARNING"}},
}
