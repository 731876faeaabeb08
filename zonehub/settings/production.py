"""Production: refuse to start without real secrets; secure cookies and headers on."""

import os
import warnings

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHE_URL, INSECURE_SECRET_KEY, SECRET_KEY, env_bool, env_list

if not os.environ.get("SECRET_KEY") or SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 40+ characters in production.")
if len(set(SECRET_KEY)) < 10:
    # "xxxxxxxx…" or "abababab…" is long and guessable: a random key has dozens of distinct characters.
    raise ImproperlyConfigured("SECRET_KEY must be random: it has fewer than 10 distinct characters.")
# The test client's host is for tests only; "*" would accept any Host header (cache poisoning,
# password-reset links to another site).
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
if "testserver" in ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list this site's host names in production, "
                               "not \"testserver\" or \"*\".")
if "DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("DATABASE_URL must be set in production (PostgreSQL).")

if not CACHE_URL:
    # Not fatal (one gunicorn worker on one host still works), but with several workers each keeps
    # its own counts and the login and submission limits multiply by the number of workers.
    warnings.warn("CACHE_URL is not set: rate limits are counted per process. Production expects a shared "
                  "Redis cache (CACHE_URL=redis://host:6379/1).", RuntimeWarning, stacklevel=1)

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
