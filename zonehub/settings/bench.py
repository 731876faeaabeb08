"""Settings for ``make bench``: the project's own settings on the bench database (DATABASE_URL
is set by bench/run.py), DEBUG off as in production, tasks kept in memory (no worker runs during
the bench and nothing may reach the developer's own broker), no rate limits on the load test."""

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ZONEHUB_RATELIMIT_ENABLED = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
ROOT_URLCONF = "bench.urls"
