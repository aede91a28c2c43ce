"""Test settings: fast hashing, in-memory e-mail. DATABASE_URL selects PostgreSQL (CI does)."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "evidence": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

# The demo's data and commands are tested, and journeys load the demo.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405

# Two-factor sign-in is enforced in tests as in production; tests/conftest.py marks sessions
# made with Client.force_login / Client.login as verified (tests marked mfa_unverified are not).
MFA_REQUIRED = True

# Draft packs are due again at once after a change (tests that debounce set their own delay).
PACK_REFRESH_DELAY = 0
