"""Settings for every environment: values from the environment, safe local defaults."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# openpyxl parses workbook and style parts with lxml whenever lxml is installed (pikepdf needs
# it), and lxml quietly skips entities where defusedxml refuses the file: keep defusedxml, so a
# hostile spreadsheet gets a clear refusal. Read when openpyxl is first imported, after this.
os.environ["OPENPYXL_LXML"] = "False"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-local-development-key")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    # Security-event logging (failed sign-ins, lockouts, refusals): see security/.
    "security.apps.SecurityConfig",
    # Two-factor sign-in for everyone with admin powers (mfa/): TOTP apps and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "plans",
    "mfa",
    "outcomes",
    "reporting",
    "portability",
    "imports",
    "notifications",
    "review",
    "signoff",
    "evidence",
    # Background board packs (reporting.tasks): Django's task API with a database queue.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "security.middleware.PrivateResponseMiddleware",
    "security.middleware.SecurityEventMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sets request.user.otp_device from the session (the device a code was checked against).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After sign-in is required: staff, superusers and partnership admins reach nothing but
    # the code and set-up pages until they have given a code (mfa.middleware).
    "mfa.middleware.MFARequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' own advice).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "plans.context_processors.service",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username + address before any password check.
    "axes.backends.AxesStandaloneBackend",
    # A password sign-in by username, or by an e-mail address only one account has.
    "security.authentication.UsernameOrEmailBackend",
    # E-mailed sign-in links for leads without a council account (plans.views.accounts).
    "sesame.backends.ModelBackend",
]

# Sign-in links: one use each (SESAME_ONE_TIME: any later sign-in also voids older links), and
# valid for 7 days because leads from partner agencies read e-mail from the partnership a few
# times a week at best; a link that expired by the time it is read teaches people to ignore
# them. A link only signs in: it gives no more than the lead's own password would.
SESAME_MAX_AGE = int(os.environ.get("SESAME_MAX_AGE_SECONDS", str(7 * 24 * 60 * 60)))
SESAME_ONE_TIME = True
# A link is bound to the address it was sent to: correcting a lead's e-mail address (the
# account this partnership made follows it, plans.services.person_email_change) voids every
# link already sent to the old one. Turning this on also voided links sent before it was set.
SESAME_INVALIDATE_ON_EMAIL_CHANGE = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# "30 June 2009" wherever Django formats a date itself (config/formats/en_GB/formats.py); the
# pages, packs and e-mails write dates and times with plans.formatting.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static" / "build", BASE_DIR / "static" / "project"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

# Shared storage for several app servers: board packs, the import journey's pending uploads
# and anything else saved through Django's storage API go to an S3-compatible bucket
# (django-storages) when DJANGO_S3_BUCKET names one, and to MEDIA_ROOT on the local disk
# otherwise. Files are always served through the app's own views, which check who may read
# them, so the bucket stays private and no signed URL is ever handed out.
S3_BUCKET = os.environ.get("DJANGO_S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            # Unset for AWS itself; the server's address for MinIO, Ceph and the like.
            "endpoint_url": os.environ.get("DJANGO_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("DJANGO_S3_REGION") or None,
            # Unset: boto3's own chain (an instance role, AWS_* variables, ~/.aws).
            "access_key": os.environ.get("DJANGO_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("DJANGO_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("DJANGO_S3_PREFIX", ""),
            "default_acl": None,  # the bucket's own policy: private
            "file_overwrite": False,  # two servers saving the same name keep both
            "querystring_auth": True,
        },
    }

# Evidence attached to updates is kept through this storage alias: the same backend as
# "default" (MEDIA_ROOT, or the S3 bucket when DJANGO_S3_BUCKET is set), so every app server
# reads the files any of them stored. Always served through evidence.views, never by URL.
STORAGES["evidence"] = STORAGES["default"]

# A shared cache for several app servers: Redis when REDIS_URL is set (Django's own Redis
# backend), otherwise each process's memory. The throttles (plans.limits) count in it when it
# is shared and in the database otherwise, so every server sees the same counts either way;
# sessions, sign-in lockouts (django-axes) and two-factor throttling are kept in the database.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("REDIS_KEY_PREFIX", "plans"),
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CACHE_IS_SHARED = bool(REDIS_URL)

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "plans@localhost")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "20"))

# Sign-in throttling: lock a username from one address after repeated failures, with a
# cool-off. Locking by address alone would shut out a whole council office behind one NAT.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Failures count against the account the typed username or e-mail address names, so switching
# between the two buys no extra attempts (security.authentication.lockout_key).
AXES_USERNAME_CALLABLE = "security.authentication.lockout_key"

# Two-factor sign-in (mfa/): staff, superusers and partnership admins give a code from an
# authenticator app (TOTP) or a recovery code after their password or sign-in link, and set one
# up at first sign-in. On unless MFA_REQUIRED is false (only the local demo defaults to off;
# `check --deploy` warns when it is off). Leads and board members are never asked.
MFA_REQUIRED = env_bool("MFA_REQUIRED", True)
MFA_RECOVERY_CODES = 10
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = os.environ.get("SERVICE_NAME", "Partnership plans")
# Wrong codes slow the next try down exponentially: 1 s, 2 s, 4 s … per device (django-otp's
# throttling; 0 would turn it off). Recovery codes are throttled the same way.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Reverse proxies (TLS terminator, load balancer) in front of the app that each append the
# address they were reached from to X-Forwarded-For. 0 (local, tests): the client is
# REMOTE_ADDR. Production reads the same variable with a default of 1 (it requires a TLS
# proxy). Lockouts and the e-mail limits below count security.addresses.client_ip's address.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "security.addresses.client_ip"

# Sign-in links and password resets requested by e-mail address: at most this many an hour
# per address and per client address (plans.limits, counted in the database so every process
# shares them); over the limit the reply is the same and no e-mail is sent.
SIGNIN_LINK_LIMIT_PER_ADDRESS = int(os.environ.get("SIGNIN_LINK_LIMIT_PER_ADDRESS", "3"))
SIGNIN_LINK_LIMIT_PER_IP = int(os.environ.get("SIGNIN_LINK_LIMIT_PER_IP", "20"))
# An invitation to join a partnership (plans.people.invitation_create) can be accepted once,
# within this many days of being sent; "Send again" gives a new link and voids the old one.
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "5"))
PASSWORD_RESET_LIMIT_PER_IP = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_IP", "20"))

# Logs name the lockout parameters only (masked by AXES_SENSITIVE_PARAMETERS), not the browser;
# the lockout page is the service's own GOV.UK page, not axes' plain text.
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "security.views.lockout_response"

# Security headers and sessions, the same in every environment so that tests and local use
# meet them too (production.py adds the HTTPS-only parts). No inline script or style anywhere:
# templates load the project's own files only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
# Browser features nothing in the service uses, refused to it and to anything it embeds
# (security.middleware.PrivateResponseMiddleware); an empty list means "nobody".
PERMISSIONS_POLICY = [
    (feature, [])
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Signed out after this many seconds without a request (saving every request slides the expiry).
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_COOKIE_AGE", str(60 * 60 * 2)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "security.views.csrf_failure"

# Background jobs (large board packs): the database is the queue, so no extra service is needed
# on SQLite or PostgreSQL; run `python manage.py db_worker` beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A pack with more milestones than this is produced in the background, not in the request.
PACK_INLINE_MAX_MILESTONES = int(os.environ.get("PACK_INLINE_MAX_MILESTONES", "1000"))
# A PDF pack of more table rows than PACK_PDF_PARTS_ABOVE_ROWS is laid out in parts of at most
# PACK_PDF_PART_ROWS rows (split evenly), on PACK_PDF_WORKERS processes at once (default: one a
# core; 1 lays them out one after another in the calling process), and joined: layout (about
# 2 MB a page in WeasyPrint) holds one part at a time a process, and uses every core. Whether
# and where a pack is parted depends on its rows and these settings only, not on the cores.
PACK_PDF_PARTS_ABOVE_ROWS = int(os.environ.get("PACK_PDF_PARTS_ABOVE_ROWS", "600"))
PACK_PDF_PART_ROWS = int(os.environ.get("PACK_PDF_PART_ROWS", "600"))
PACK_PDF_WORKERS = int(os.environ.get("PACK_PDF_WORKERS", "0")) or None  # None: os.cpu_count()
# The number of parts is rounded up to a multiple of this, so that as many workers end
# together (set it to the cores of the machines that make packs; parts are cut by the length
# of their HTML, about their layout time). It is a setting, not the cores, so that a pack
# reads the same on any machine.
PACK_PDF_PARTS_MULTIPLE = int(os.environ.get("PACK_PDF_PARTS_MULTIPLE", "2"))
# A running pack job records a heartbeat every PACK_JOB_HEARTBEAT_EVERY seconds; one silent for
# PACK_JOB_STALE_AFTER seconds lost its worker (killed, or its machine stopped) and is queued
# again once, then failed with a sentence (reporting.jobs.pack_jobs_stale_handle).
PACK_JOB_HEARTBEAT_EVERY = float(os.environ.get("PACK_JOB_HEARTBEAT_EVERY", "20"))
PACK_JOB_STALE_AFTER = float(os.environ.get("PACK_JOB_STALE_AFTER", "180"))
# Packs one person may have waiting or being produced at once (identical requests share a job).
PACK_JOBS_PER_PERSON = int(os.environ.get("PACK_JOBS_PER_PERSON", "3"))
# Notifications (notifications/services.py): a failed e-mail is tried again after
# NOTIFICATIONS_RETRY_MINUTES, then three times as long each time, NOTIFICATIONS_MAX_ATTEMPTS
# tries in all; one never tried after NOTIFICATIONS_LOST_AFTER_MINUTES lost its task and is
# sent by `notifications_send`. The daily digest takes NOTIFICATIONS_DIGEST_BATCH people at once.
NOTIFICATIONS_RETRY_MINUTES = int(os.environ.get("NOTIFICATIONS_RETRY_MINUTES", "5"))
NOTIFICATIONS_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATIONS_MAX_ATTEMPTS", "5"))
NOTIFICATIONS_LOST_AFTER_MINUTES = int(os.environ.get("NOTIFICATIONS_LOST_AFTER_MINUTES", "10"))
NOTIFICATIONS_DIGEST_BATCH = int(os.environ.get("NOTIFICATIONS_DIGEST_BATCH", "100"))
# A request for a pack another request is rendering waits this many seconds for it, then
# shows the job's progress page instead of rendering the same pack a second time.
PACK_INLINE_WAIT = float(os.environ.get("PACK_INLINE_WAIT", "30"))
# A change to a plan makes its current quarter's draft packs due again this many seconds later;
# each further change pushes the time on, so a burst of updates gives one render after the
# last (reporting.freshness).
PACK_REFRESH_DELAY = float(os.environ.get("PACK_REFRESH_DELAY", "30"))
# Leads update by this many days after a quarter's last day: the deadline new quarters get
# when an admin sets them up (each quarter's deadline can then be moved on its page).
REPORTING_DEADLINE_DAYS = int(os.environ.get("REPORTING_DEADLINE_DAYS", "14"))
# A plan of more milestones than this shows its counts and one priority at a time on its
# page (its actions 50 a page) instead of the whole hierarchy, so the page stays fast.
PLAN_PAGE_FULL_MAX_MILESTONES = int(os.environ.get("PLAN_PAGE_FULL_MAX_MILESTONES", "500"))

# The product's name in the header; each page also shows the partnership's own name.
SERVICE_NAME = os.environ.get("SERVICE_NAME", "Partnership plans")

# Uploads: refuse anything larger before reading it.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
# An .xlsx upload is a zip: refuse one whose parts say they expand to more than this (a zip
# bomb), checked before anything is parsed (default 20 times IMPORT_MAX_BYTES, 200 MB).
IMPORT_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("IMPORT_MAX_UNCOMPRESSED_BYTES", str(20 * IMPORT_MAX_BYTES))
)
# Refuse a sheet of more rows than this while reading it (a real plan has a few hundred).
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "50000"))
# Every upload (plans, indicator tables), checked while streaming before any parser builds
# anything (plans/uploads.py): all parts together unpack to at most this many bytes (default
# 10 times IMPORT_MAX_BYTES), and hold at most this many cells and characters. 120,000 cells
# read in about 12 s here; a real plan has a few thousand (docs/security.md, Upload bounds).
UPLOAD_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("UPLOAD_MAX_UNCOMPRESSED_BYTES", str(10 * IMPORT_MAX_BYTES))
)
UPLOAD_MAX_CELLS = int(os.environ.get("UPLOAD_MAX_CELLS", "120000"))
UPLOAD_MAX_CHARACTERS = int(os.environ.get("UPLOAD_MAX_CHARACTERS", "10000000"))
# Evidence on an update (evidence/filetypes.py): each file at most this many bytes, and an
# Office file (a zip) may unpack to at most this many (a zip bomb is refused unopened).
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
EVIDENCE_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("EVIDENCE_MAX_UNCOMPRESSED_BYTES", str(10 * EVIDENCE_MAX_BYTES))
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "security": {"handlers": ["console"], "level": "INFO"},
        "django": {"handlers": ["console"], "level": "WARNING"},
    },
}
