"""Settings of the processes the fault tests start (gunicorn, Celery worker): the project's own
settings (DATABASE_URL, CELERY_BROKER_URL, CACHE_URL and CONN_MAX_AGE from the environment, health
checks on), with tasks going through the broker and e-mail written to files the test counts."""

import os

from zonehub.settings import base
from zonehub.settings.test import *  # noqa: F403
from zonehub.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS

# The cache as in production: Redis when CACHE_URL says so (the rate limits count there), where the
# test settings keep a per-process one.
CACHES = base.CACHES

CELERY_TASK_ALWAYS_EAGER = False
# The only change to how the worker behaves: a killed worker's unacknowledged task comes back after
# seconds instead of the production hour (and kombu looks for it every second), so the test sees the
# redelivery.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": int(os.environ.get("FAULTS_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["FAULTS_MAIL_DIR"]
ZONEHUB_SMS_BACKEND = "tests.faults.sms.SlowFileSms"
# A claim of notifications left "sending" by the killed worker is sent again after a second, not
# the production ten minutes.
ZONEHUB_DELIVERY_LEASE_SECONDS = int(os.environ.get("FAULTS_DELIVERY_LEASE", "600"))
