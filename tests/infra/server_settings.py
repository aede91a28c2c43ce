"""Settings for the app servers and workers the two-server test starts as real processes.

The production topology's switches come from the environment, as in production
(DATABASE_URL, DJANGO_S3_BUCKET, REDIS_URL, DJANGO_TRUSTED_PROXY_COUNT); only what plain HTTP
on loopback needs differs: no HTTPS redirect or secure cookies, fast password hashing.
"""

from config.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Two-factor sign-in has its own tests; here the admin's import is what is tried.
MFA_REQUIRED = False
