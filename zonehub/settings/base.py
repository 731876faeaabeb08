"""Settings for every environment, read from environment variables with safe local defaults.

Local defaults need nothing installed: SQLite in the project and kombu's filesystem transport as
the Celery broker. Production (``zonehub.settings.production``) overrides what must be explicit.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


INSECURE_SECRET_KEY = "django-insecure-local-development-only"
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_SECRET_KEY)
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "zonehub.apps.AxesConfig",  # django-axes, under a Chinese name in the admin
    "django_ratelimit",
    "csp",
    "zonehub",
    "enterprises",
    "stewards",
    "projects",
    "evaluations",
    "policies",
    "supply",
    "meetings",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every page (CONTENT_SECURITY_POLICY below); request.csp_nonce.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language the user chose (set_language's cookie), else Chinese; never the browser's.
    "zonehub.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Issue 14 (等保2.0 level 3), zonehub/middleware.py: a body over ZONEHUB_MAX_BODY_MB is refused
    # before it is read; a session ends after its idle or absolute limit; a password someone else
    # set, or an expired one, is changed before anything else; a logged-in answer is never cached.
    "zonehub.middleware.BodySizeLimitMiddleware",
    "zonehub.middleware.SessionTimeoutMiddleware",
    "zonehub.middleware.PasswordChangeRequiredMiddleware",
    "zonehub.middleware.NoStoreMiddleware",
    # A login refused by django-axes becomes the lockout page (zonehub.ratelimit.lockout_response).
    "axes.middleware.AxesMiddleware",
    # A view over its django-ratelimit budget becomes the 429 page (zonehub.ratelimit.ratelimited).
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "zonehub.urls"
WSGI_APPLICATION = "zonehub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zonehub.context_processors.zonehub",
                "portal.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A connection that died with a database restart is replaced, not reused.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share one file: wait for a lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "zonehub.User"

# Checked whenever a password is chosen on a page, in the admin or by a command (a password
# hashed directly, as the demo's, is not). At least 8 characters from 3 of the 4 classes
# (lower case, upper case, digits, others), and none of the last ZONEHUB_PASSWORD_HISTORY.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": int(os.environ.get("ZONEHUB_PASSWORD_MIN_LENGTH", "8"))}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zonehub.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "zonehub.validators.PasswordHistoryValidator"},
]
ZONEHUB_PASSWORD_HISTORY = int(os.environ.get("ZONEHUB_PASSWORD_HISTORY", "5"))
# A password older than this many days is changed at the next page (0: never expires). A password
# someone else set (an administrator, a command) is changed at the first login.
ZONEHUB_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("ZONEHUB_PASSWORD_MAX_AGE_DAYS", "180"))
# A login ends after this many minutes without a request, and this many hours after it began
# (enterprise users, often on their own phone, may keep a longer absolute limit; the idle rule is
# the same). 0 turns a limit off. The session cookie also ends when the browser closes.
ZONEHUB_SESSION_IDLE_MINUTES = int(os.environ.get("ZONEHUB_SESSION_IDLE_MINUTES", "30"))
ZONEHUB_SESSION_MAX_HOURS = int(os.environ.get("ZONEHUB_SESSION_MAX_HOURS", "12"))
ZONEHUB_ENTERPRISE_SESSION_MAX_HOURS = int(os.environ.get("ZONEHUB_ENTERPRISE_SESSION_MAX_HOURS", "72"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The server forgets a session no later than the longest absolute limit (Django's two weeks if none).
SESSION_COOKIE_AGE = (max(ZONEHUB_SESSION_MAX_HOURS, ZONEHUB_ENTERPRISE_SESSION_MAX_HOURS) * 3600) or 14 * 24 * 3600
# django-axes goes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Enterprise users' login by mobile number and SMS code (zonehub/phone_login.py).
    "zonehub.phone_login.PhoneCodeBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# The choice of language outlives the session (logging out and in keeps it): a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Attachments are never served from a public URL: a view checks the user's scope first.
MEDIA_URL = None

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zonehub@localhost")
# --- Notification channels (zonehub/channels/, README "Notification channels") ---
# Each channel is off until configured. SMS go through Tencent Cloud's SDK when its keys are set;
# ZONEHUB_SMS_BACKEND names another class with ``send(phone, text)`` instead (e.g.
# zonehub.notifications.LogSmsBackend, which only writes the message to the log).
ZONEHUB_SMS_BACKEND = os.environ.get("ZONEHUB_SMS_BACKEND", "")
ZONEHUB_SMS_SECRET_ID = os.environ.get("ZONEHUB_SMS_SECRET_ID", "")
ZONEHUB_SMS_SECRET_KEY = os.environ.get("ZONEHUB_SMS_SECRET_KEY", "")
ZONEHUB_SMS_SDK_APP_ID = os.environ.get("ZONEHUB_SMS_SDK_APP_ID", "")
ZONEHUB_SMS_SIGN_NAME = os.environ.get("ZONEHUB_SMS_SIGN_NAME", "")
ZONEHUB_SMS_REGION = os.environ.get("ZONEHUB_SMS_REGION", "ap-guangzhou")
ZONEHUB_SMS_URL = os.environ.get("ZONEHUB_SMS_URL", "https://sms.tencentcloudapi.com")
# Approved template ids: a notice ({1}: its title) and a login code ({1}: the code, {2}: minutes).
ZONEHUB_SMS_TEMPLATE_NOTICE = os.environ.get("ZONEHUB_SMS_TEMPLATE_NOTICE", "")
ZONEHUB_SMS_TEMPLATE_LOGIN_CODE = os.environ.get("ZONEHUB_SMS_TEMPLATE_LOGIN_CODE", "")
# Longest template parameter (a notice's title is cut to it, with an ellipsis).
ZONEHUB_SMS_PARAM_MAX_LENGTH = int(os.environ.get("ZONEHUB_SMS_PARAM_MAX_LENGTH", "20"))
# WeCom (企业微信): the application message to a person needs the corp id, the application's agent
# id and secret; group robots need only their department's webhook (admin). DingTalk: robots only.
ZONEHUB_WECOM_API_URL = os.environ.get("ZONEHUB_WECOM_API_URL", "https://qyapi.weixin.qq.com").rstrip("/")
ZONEHUB_WECOM_CORP_ID = os.environ.get("ZONEHUB_WECOM_CORP_ID", "")
ZONEHUB_WECOM_AGENT_ID = os.environ.get("ZONEHUB_WECOM_AGENT_ID", "")
ZONEHUB_WECOM_SECRET = os.environ.get("ZONEHUB_WECOM_SECRET", "")
ZONEHUB_DINGTALK_API_URL = os.environ.get("ZONEHUB_DINGTALK_API_URL", "https://oapi.dingtalk.com").rstrip("/")
# Group robots on or off as a whole (an intranet with no way out turns them off).
ZONEHUB_CHAT_ROBOTS_ENABLED = env_bool("ZONEHUB_CHAT_ROBOTS_ENABLED", True)
# Links in SMS and chat messages are made absolute with this (e.g. https://zonehub.example.gov.cn).
ZONEHUB_SITE_URL = os.environ.get("ZONEHUB_SITE_URL", "").rstrip("/")
# Every provider call gives up after this many seconds (then it is retried, see below).
ZONEHUB_CHANNEL_TIMEOUT_SECONDS = float(os.environ.get("ZONEHUB_CHANNEL_TIMEOUT_SECONDS", "5"))
# A channel that failed for a reason that may pass (timeout, rate limit, server error) is tried
# again after BACKOFF seconds, doubling each time up to BACKOFF_MAX, at most MAX_ATTEMPTS times in all.
ZONEHUB_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("ZONEHUB_DELIVERY_MAX_ATTEMPTS", "5"))
ZONEHUB_DELIVERY_BACKOFF_SECONDS = float(os.environ.get("ZONEHUB_DELIVERY_BACKOFF_SECONDS", "60"))
ZONEHUB_DELIVERY_BACKOFF_MAX_SECONDS = float(os.environ.get("ZONEHUB_DELIVERY_BACKOFF_MAX_SECONDS", "3600"))
# Login by mobile number and SMS code (enterprise users only): the code's life, the wrong guesses
# one code survives, the least time between two codes to one number; how many codes a number and
# an address may ask for (the guesses themselves count for django-axes like wrong passwords).
ZONEHUB_LOGIN_CODE_MINUTES = int(os.environ.get("ZONEHUB_LOGIN_CODE_MINUTES", "5"))
ZONEHUB_LOGIN_CODE_MAX_GUESSES = int(os.environ.get("ZONEHUB_LOGIN_CODE_MAX_GUESSES", "5"))
ZONEHUB_LOGIN_CODE_INTERVAL_SECONDS = int(os.environ.get("ZONEHUB_LOGIN_CODE_INTERVAL_SECONDS", "60"))
ZONEHUB_RATELIMIT_LOGIN_CODE_PHONE = os.environ.get("ZONEHUB_RATELIMIT_LOGIN_CODE_PHONE", "5/h")
ZONEHUB_RATELIMIT_LOGIN_CODE_IP = os.environ.get("ZONEHUB_RATELIMIT_LOGIN_CODE_IP", "20/h")
# Notifications go out in claims of this many over one mail connection; a claim left "sending" by a
# worker that died is sent again after the lease (so a crash re-sends at most one claim).
ZONEHUB_DELIVERY_BATCH = int(os.environ.get("ZONEHUB_DELIVERY_BATCH", "100"))
ZONEHUB_DELIVERY_LEASE_SECONDS = int(os.environ.get("ZONEHUB_DELIVERY_LEASE_SECONDS", "600"))

# --- Rules of the product (DESIGN.md) ---
ZONEHUB_REPLY_WORKING_DAYS = int(os.environ.get("ZONEHUB_REPLY_WORKING_DAYS", "3"))
# Issue 16: a new major project gets its project steward within this many working days.
ZONEHUB_PROJECT_STEWARD_WORKING_DAYS = int(os.environ.get("ZONEHUB_PROJECT_STEWARD_WORKING_DAYS", "3"))
ZONEHUB_ACCEPT_WORKING_DAYS = int(os.environ.get("ZONEHUB_ACCEPT_WORKING_DAYS", "1"))
ZONEHUB_AUTO_CLOSE_WORKING_DAYS = int(os.environ.get("ZONEHUB_AUTO_CLOSE_WORKING_DAYS", "5"))
ZONEHUB_REMINDER_HOUR = int(os.environ.get("ZONEHUB_REMINDER_HOUR", "9"))
# Largest attachment an enterprise may upload, in MB (types: PDF, images, Office documents).
ZONEHUB_ATTACHMENT_MAX_MB = int(os.environ.get("ZONEHUB_ATTACHMENT_MAX_MB", "10"))
# Form fields other than files, read into memory: at most this much (Django refuses more with a 400).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("ZONEHUB_FORM_MAX_MB", "5")) * 1024 * 1024
# No request body larger than this is read at all (413, zonehub.middleware.BodySizeLimitMiddleware):
# by default the most one form carries, ten attachments (stewards.forms.MAX_FILES) at their
# largest, plus the rest of the form. Set the reverse proxy's limit (nginx client_max_body_size)
# to the same value.
ZONEHUB_MAX_BODY_MB = int(os.environ.get("ZONEHUB_MAX_BODY_MB", str(ZONEHUB_ATTACHMENT_MAX_MB * 10 + 5)))
# Excel import: sheets larger than SYNC_ROWS rows are checked and imported by a Celery task.
ZONEHUB_IMPORT_SYNC_ROWS = int(os.environ.get("ZONEHUB_IMPORT_SYNC_ROWS", "500"))
ZONEHUB_IMPORT_MAX_MB = int(os.environ.get("ZONEHUB_IMPORT_MAX_MB", "10"))
ZONEHUB_IMPORT_MAX_ROWS = int(os.environ.get("ZONEHUB_IMPORT_MAX_ROWS", "20000"))

# --- Ratings, replacements and department grades (evaluations app, issue 5) ---
# A campaign opens on the first working day on or after day ZONEHUB_CAMPAIGN_OPEN_DAY of each month
# listed (June rates the first half-year, December the second) and stays open for
# ZONEHUB_CAMPAIGN_WORKING_DAYS working days after its opening day. Enterprises that have not rated
# are reminded once when that many working days (or fewer) are left.
ZONEHUB_CAMPAIGN_OPEN_MONTHS = {"H1": int(os.environ.get("ZONEHUB_CAMPAIGN_H1_MONTH", "6")),
                                "H2": int(os.environ.get("ZONEHUB_CAMPAIGN_H2_MONTH", "12"))}
ZONEHUB_CAMPAIGN_OPEN_DAY = int(os.environ.get("ZONEHUB_CAMPAIGN_OPEN_DAY", "1"))
ZONEHUB_CAMPAIGN_WORKING_DAYS = int(os.environ.get("ZONEHUB_CAMPAIGN_WORKING_DAYS", "15"))
ZONEHUB_CAMPAIGN_REMIND_WORKING_DAYS = int(os.environ.get("ZONEHUB_CAMPAIGN_REMIND_WORKING_DAYS", "3"))
# The workstation head names a new steward within this many working days of the close.
ZONEHUB_REPLACEMENT_WORKING_DAYS = int(os.environ.get("ZONEHUB_REPLACEMENT_WORKING_DAYS", "5"))
# Department score weights (README "Department grades"); thresholds A/B/C/D are set in the admin.
ZONEHUB_GRADE_REPLY_POINTS = int(os.environ.get("ZONEHUB_GRADE_REPLY_POINTS", "50"))
ZONEHUB_GRADE_NODE_POINTS = int(os.environ.get("ZONEHUB_GRADE_NODE_POINTS", "50"))
ZONEHUB_GRADE_OVERDUE_PENALTY = int(os.environ.get("ZONEHUB_GRADE_OVERDUE_PENALTY", "5"))
ZONEHUB_GRADE_RETURNED_PENALTY = int(os.environ.get("ZONEHUB_GRADE_RETURNED_PENALTY", "2"))
ZONEHUB_GRADE_CLAIM_BONUS = int(os.environ.get("ZONEHUB_GRADE_CLAIM_BONUS", "2"))
ZONEHUB_GRADE_CLAIM_BONUS_MAX = int(os.environ.get("ZONEHUB_GRADE_CLAIM_BONUS_MAX", "10"))
# Meeting decisions (issue 16) in the default plan: their weight beside replies and nodes, and the
# points each chase-up (督办) received takes away.
ZONEHUB_GRADE_DECISION_POINTS = int(os.environ.get("ZONEHUB_GRADE_DECISION_POINTS", "20"))
ZONEHUB_GRADE_CHASE_UP_PENALTY = int(os.environ.get("ZONEHUB_GRADE_CHASE_UP_PENALTY", "3"))
# --- Assessment and pay (evaluations, issue 19; README "Assessment and pay") ---
# A pay sheet covers a "month" or a "quarter".
ZONEHUB_PAY_PERIOD = os.environ.get("ZONEHUB_PAY_PERIOD", "month")
# A unit or person graded D in this many consecutive periods is listed in the post rotation pool.
ZONEHUB_ROTATION_D_PERIODS = int(os.environ.get("ZONEHUB_ROTATION_D_PERIODS", "2"))
# The highest grade a steward found to lack effort subjectively (主观不努力) may get that year.
ZONEHUB_EFFORT_FINDING_CAP = os.environ.get("ZONEHUB_EFFORT_FINDING_CAP", "D")
# --- Policy push (policies app, issue 17) ---
# Enterprises that qualify for a policy and have not applied (and their stewards) are reminded once
# when this many working days (or fewer) are left before its application window closes.
ZONEHUB_POLICY_REMIND_WORKING_DAYS = int(os.environ.get("ZONEHUB_POLICY_REMIND_WORKING_DAYS", "5"))
# --- Supply matchmaking (supply app, issue 18) ---
# The committee's company whose operations centre is the third party of every three-party contract.
ZONEHUB_OPERATIONS_COMPANY = os.environ.get("ZONEHUB_OPERATIONS_COMPANY", "三门峡高新区产业发展有限公司")
# --- Meetings and supervision (meetings app, issue 16; README "Meetings and supervision") ---
# The issuing body printed at the head of the meeting notices, minutes and chase-up notices (版头).
ZONEHUB_DOCUMENT_ISSUER = os.environ.get("ZONEHUB_DOCUMENT_ISSUER", "三门峡高新区管委会")
# The working days a meeting decision gets unless the minutes say otherwise.
ZONEHUB_DECISION_WORKING_DAYS = int(os.environ.get("ZONEHUB_DECISION_WORKING_DAYS", "5"))
# The working days a chase-up (督办) gives the department to get it done.
ZONEHUB_SUPERVISION_WORKING_DAYS = int(os.environ.get("ZONEHUB_SUPERVISION_WORKING_DAYS", "2"))
# From this day of a month, next month's joint meeting agenda is drafted (once); its size at most.
ZONEHUB_JOINT_MEETING_DRAFT_DAY = int(os.environ.get("ZONEHUB_JOINT_MEETING_DRAFT_DAY", "20"))
ZONEHUB_JOINT_AGENDA_MAX = int(os.environ.get("ZONEHUB_JOINT_AGENDA_MAX", "30"))
# The leader's zone-wide charts are recomputed at most this often (0: every time).
ZONEHUB_DASHBOARD_CACHE_SECONDS = int(os.environ.get("ZONEHUB_DASHBOARD_CACHE_SECONDS", "300"))
# The zone-wide tallies the leaders' home page reads (zonehub.tallies) are counted again this often
# by the beat; 0 counts them on every view.
ZONEHUB_TALLY_SECONDS = int(os.environ.get("ZONEHUB_TALLY_SECONDS", "60"))

# --- Caches ---
# Rate limits count in the cache, so every gunicorn worker and web host must share one: Redis in
# production (CACHE_URL=redis://host:6379/1). Without CACHE_URL each process keeps its own counts,
# which is enough for one process on one machine (make run) and nothing more.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    # Fails open: with Redis down a page still answers and a submission is still saved.
    CACHES = {"default": {"BACKEND": "zonehub.cache.FailOpenRedisCache", "LOCATION": CACHE_URL,
                          "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}}
elif CACHE_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("CACHE_URL must be a redis:// (or rediss://, unix://) URL, or unset.")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "zonehub"}}
SILENCED_SYSTEM_CHECKS = [
    # django-ratelimit lists only django-redis among Redis caches; Django's own RedisCache
    # increments with Redis INCR, which is atomic, so it counts correctly across workers.
    "django_ratelimit.W001",
]
if not CACHE_URL:
    # Per-process counts are what a single local process needs; production warns (production.py).
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")

# --- Guessing and flooding (issue "hardening") ---
# Behind a reverse proxy, REMOTE_ADDR is the proxy: set ZONEHUB_TRUSTED_PROXIES to the number of
# proxies in front of the app and the client address is read from X-Forwarded-For, counting that
# many entries from the right (the ones those proxies wrote). 0 (default): X-Forwarded-For is
# ignored, since any client can write it. Used by django-axes, django-ratelimit and DRF throttles.
ZONEHUB_TRUSTED_PROXIES = int(os.environ.get("ZONEHUB_TRUSTED_PROXIES", "0"))
# django-axes: after this many failed logins for one username from one address, that pair is
# locked for the cool-off; a successful login clears the count. The security administrator unlocks
# in the admin ("Access attempts" → "Lift the lockout", an event) or with
# `manage.py axes_reset_username <name>`.
AXES_FAILURE_LIMIT = int(os.environ.get("ZONEHUB_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ZONEHUB_LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "zonehub.ratelimit.client_ip"
# A wrong SMS login code is kept out of the login records like a wrong password.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# Every failed login is kept (AccessFailureLog), not only the count a success clears: the home page
# tells users of the failed attempts on their account since their last login.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# axes would delete a username's oldest failures beyond a count (1000): login records go only by
# age (ZONEHUB_AUDIT_RETENTION_DAYS), so no flood of guesses can wipe the trail.
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 2**62
# --- The audit trail (等保2.0 level 3; zonehub/audit.py) ---
# Login records (django-axes' access and failure logs) are kept at least this many days, never
# fewer than 183 (six months, Cybersecurity Law art. 21); the daily "audit-purge" task deletes
# older ones. Events are never purged: they are also every object's timeline.
ZONEHUB_AUDIT_RETENTION_DAYS = int(os.environ.get("ZONEHUB_AUDIT_RETENTION_DAYS", "183"))
AXES_LOCKOUT_CALLABLE = "zonehub.ratelimit.lockout_response"
# django-ratelimit (pages) and DRF throttles (API): "<count>/<s|m|h|d>" per address for the
# login form, per user for submitting requests. ZONEHUB_RATELIMIT_ENABLED=0 turns both off
# (load benchmarks); the login lockout above stays on.
RATELIMIT_ENABLE = env_bool("ZONEHUB_RATELIMIT_ENABLED", True)
ZONEHUB_RATELIMIT_LOGIN = os.environ.get("ZONEHUB_RATELIMIT_LOGIN", "10/m")
ZONEHUB_RATELIMIT_SUBMIT = os.environ.get("ZONEHUB_RATELIMIT_SUBMIT", "20/m")
# Failed API Basic-auth logins per address (any usernames; axes locks each username+address pair
# too), and password-reset e-mails asked per address and per e-mail address.
ZONEHUB_RATELIMIT_API_AUTH = os.environ.get("ZONEHUB_RATELIMIT_API_AUTH", "10/m")
ZONEHUB_RATELIMIT_PASSWORD_RESET = os.environ.get("ZONEHUB_RATELIMIT_PASSWORD_RESET", "5/h")
RATELIMIT_IP_META_KEY = "zonehub.ratelimit.client_ip"
RATELIMIT_VIEW = "zonehub.ratelimit.ratelimited"

# --- Content-Security-Policy (django-csp) ---
# Scripts only from this site's own files (an injected inline <script> does not run); the few
# inline scripts of the pages carry the request's nonce. Styles allow inline style attributes
# (Bootstrap, ECharts). Nothing is ever loaded from another site. The attachment view sends its
# own, stricter policy. Redoc runs its search in a blob: worker.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- REST framework ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Basic auth, with failed attempts capped per address (ZONEHUB_RATELIMIT_API_AUTH).
        "zonehub.authentication.RateLimitedBasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "zonehub.filters.FilterBackend",  # DjangoFilterBackend, given the user (one FilterSet per list)
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "zonehub.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "zonehub.api.exception_handler",
    # Counts only request submissions (views with throttle_scope = "submit"); rate and switch
    # are ZONEHUB_RATELIMIT_SUBMIT and RATELIMIT_ENABLE above.
    "DEFAULT_THROTTLE_CLASSES": ["zonehub.ratelimit.SubmissionRateThrottle"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ZoneHub API",
    "DESCRIPTION": "高新区企业服务平台 — enterprise service platform of the high-tech zone.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Several models have a "status" or "category": give each choice set its own name.
    "ENUM_NAME_OVERRIDES": {
        "RequestStatusEnum": "stewards.models.ServiceRequest.Status",
        "RequestCategoryEnum": "stewards.models.ServiceRequest.Category",
        "EscalationStatusEnum": "stewards.models.Escalation.Status",
        "LedgerItemStatusEnum": "stewards.models.LedgerItem.Status",
        "ApprovalStatusEnum": "projects.models.Approval.Status",
        "FiveKeyCategoryEnum": "projects.models.Category",
        "ProjectStageEnum": "projects.models.Stage",
        "CampaignStatusEnum": "evaluations.models.Campaign.Status",
        "ReplacementCaseStatusEnum": "evaluations.models.ReplacementCase.Status",
    },
    "REDOC_DIST": "SIDECAR",
}

# --- Celery ---
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
_BROKER_DIR = BASE_DIR / "var" / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "out"),
        "data_folder_out": str(_BROKER_DIR / "out"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
    for _sub in ("out", "processed", "control"):
        (_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
else:
    # Fail fast when Redis is unreachable: the request is already saved, the sweep catches up.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
# A task is acknowledged after it ran, so a killed worker's task is delivered again;
# every task is written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# If the broker cannot be reached, publishing gives up quickly: the work waits in the
# database (notifications are rows) and the sweep sends it once the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "calendar-ensure-years": {
        "task": "zonehub.tasks.calendar_ensure_years_task",
        "schedule": crontab(minute=5, hour=0),
    },
    "tallies-refresh": {
        "task": "zonehub.tasks.tallies_refresh_task",
        "schedule": float(ZONEHUB_TALLY_SECONDS or 60),
    },
    "notifications-send-pending": {
        "task": "zonehub.tasks.notifications_send_pending_task",
        "schedule": 60.0,
    },
    # Login records older than ZONEHUB_AUDIT_RETENTION_DAYS (never younger ones).
    "audit-purge": {
        "task": "zonehub.tasks.login_records_purge_task",
        "schedule": crontab(minute=45, hour=3),
    },
    # Reminders, overdue marks, missing progress reports, unaccepted requests, auto-close.
    "stewards-deadline-sweep": {
        "task": "stewards.tasks.deadline_sweep_task",
        "schedule": float(os.environ.get("ZONEHUB_SWEEP_SECONDS", "60")),
    },
    # The leader's on-time chart: the last whole months of replies, counted once a night (after
    # the first sweeps of the day have marked yesterday's overdue replies).
    "stewards-reply-months": {
        "task": "stewards.tasks.reply_months_task",
        "schedule": crontab(minute=20, hour=0),
    },
    # Issue 16: on the first working day of a month, stewards and heads hear which enterprises had
    # no visit last month; a new major project left without a project steward is chased (both
    # check the calendar and are idempotent).
    "stewards-visits-missed": {
        "task": "stewards.tasks.visits_missed_task",
        "schedule": crontab(minute=10, hour=8),
    },
    "projects-steward-sweep": {
        "task": "projects.tasks.project_steward_sweep_task",
        "schedule": crontab(minute=5),
    },
    # Five-key supervision (lagging items) daily; the monthly assessment runs on the first
    # working day of the month (the task checks the calendar and is idempotent).
    "projects-supervision": {
        "task": "projects.tasks.supervision_sweep_task",
        "schedule": crontab(minute=30, hour=7),
    },
    "projects-monthly-assessment": {
        "task": "projects.tasks.monthly_assessment_task",
        "schedule": crontab(minute=0, hour=6),
    },
    # Rating campaigns open and close on working days; replacement deadlines; grades monthly.
    "evaluations-campaign-sweep": {
        "task": "evaluations.tasks.campaign_sweep_task",
        "schedule": crontab(minute=15),
    },
    "evaluations-department-grades": {
        "task": "evaluations.tasks.department_grades_task",
        "schedule": crontab(minute=30, hour=6),
    },
    # Policies: expired windows, pushes not yet told, reminders before a window closes (hourly);
    # every open policy matched again against every enterprise (nightly), for what no signal told.
    "policies-sweep": {
        "task": "policies.tasks.policy_sweep_task",
        "schedule": crontab(minute=20),
    },
    "policies-match": {
        "task": "policies.tasks.policy_match_sweep_task",
        "schedule": crontab(minute=40, hour=2),
    },
    # Meetings: next month's joint meeting agenda, drafted once from ZONEHUB_JOINT_MEETING_DRAFT_DAY
    # (daily, so a beat that was down catches up). Decisions' deadlines ride the stewards' sweep.
    "meetings-joint-draft": {
        "task": "meetings.tasks.joint_meeting_draft_task",
        "schedule": crontab(minute=10, hour=7),
    },
    # Supply: the brokers of contracts fully delivered or past their term are told to close the case.
    "supply-contracts-sweep": {
        "task": "supply.tasks.contracts_sweep_task",
        "schedule": crontab(minute=50, hour=7),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Labels shown in admin and forms, kept here so they are extracted for translation once.
ZONEHUB_SITE_NAME = _("ZoneHub")

# --- The monthly five-key assessment (projects app; README "Five-key assessment weights") ---
# A unit's monthly score is 100 × (on_time × w_on_time + late × w_late + open × w_open) / nodes due
# in the month (nothing_due when none was due), plus `claimed` points per item it claimed (认领)
# and had confirmed in that month.
ZONEHUB_FIVEKEY_WEIGHTS = {
    "on_time": float(os.environ.get("ZONEHUB_FIVEKEY_WEIGHT_ON_TIME", "1.0")),
    "late": float(os.environ.get("ZONEHUB_FIVEKEY_WEIGHT_LATE", "0.5")),
    "open": float(os.environ.get("ZONEHUB_FIVEKEY_WEIGHT_OPEN", "0.0")),
    "claimed": float(os.environ.get("ZONEHUB_FIVEKEY_WEIGHT_CLAIMED", "5.0")),
    "nothing_due": float(os.environ.get("ZONEHUB_FIVEKEY_WEIGHT_NOTHING_DUE", "100.0")),
}
