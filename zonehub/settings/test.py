"""Settings for the test suite: fast hashing, e-mail kept in memory, tasks run in-process
unless a test starts a real worker."""

import os
import re

from .base import *  # noqa: F403
from .base import env_bool

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test process counts on its own, whatever CACHE_URL says; the limits are far above what any
# test sends, and the tests of the limits themselves lower them with override_settings.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "zonehub-test"}}
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]  # noqa: F405
ZONEHUB_RATELIMIT_LOGIN = "10000/m"
ZONEHUB_RATELIMIT_SUBMIT = "10000/m"
# Dashboards are computed fresh in tests; tests/test_dashboards.py turns the cache on to test it.
ZONEHUB_DASHBOARD_CACHE_SECONDS = 0
ZONEHUB_TALLY_SECONDS = 0  # counted live: a test sees what it just wrote
ZONEHUB_RATELIMIT_API_AUTH = "10000/m"
ZONEHUB_RATELIMIT_PASSWORD_RESET = "10000/m"
# Many tests move the clock by days or months around logged-in clients: session limits and password
# ageing are off here, and the tests of those rules (zonehub/tests/test_sessions.py,
# test_passwords.py) turn them on with the settings fixture.
ZONEHUB_SESSION_IDLE_MINUTES = 0
ZONEHUB_SESSION_MAX_HOURS = 0
ZONEHUB_ENTERPRISE_SESSION_MAX_HOURS = 0
ZONEHUB_PASSWORD_MAX_AGE_DAYS = 0

# Under pytest-xdist (`make test` runs two processes) each process has its own test database
# (pytest-django adds the worker's suffix); it also gets its own Redis database, so a real Celery
# worker started by one process never takes the other's tasks.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER.startswith("gw") and CELERY_BROKER_URL.startswith("redis"):  # noqa: F405
    CELERY_BROKER_URL = re.sub(r"/\d*$", "", CELERY_BROKER_URL.rstrip("/")) + f"/{8 + int(_XDIST_WORKER[2:])}"  # noqa: F405
