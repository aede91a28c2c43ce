"""Production: secrets must come from the environment; HTTPS everywhere.

The headers, Content Security Policy and session expiry every environment shares are in
base.py; this module adds what only makes sense behind HTTPS. `make check-deploy` runs
`manage.py check --deploy --fail-level WARNING` against it and must report nothing.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY to a random value of at least 50 characters.")
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured(
        "Set DATABASE_URL, for example postgres://user:pass@host:5432/plans."
    )

# E-mailed sign-in and password-reset links are built from the request's Host header, which
# Django checks against ALLOWED_HOSTS: a wildcard would let anyone send a user a real link to
# their own server.
if "*" in ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured("List the service's host names in DJANGO_ALLOWED_HOSTS, not '*'.")

# The load balancer or reverse proxy terminates TLS and must set X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# ...and append the client's address to X-Forwarded-For (nginx: $proxy_add_x_forwarded_for;
# HAProxy: option forwardfor). Set the number of such proxies in front of the app; with 0,
# every visitor would share the proxy's address for lockouts and limits.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "1"))
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# "__Host-" cookies are refused by browsers unless Secure, host-only and Path=/, so a sibling
# subdomain of the council cannot set or overwrite them.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Only the service's own error pages; never a stack trace to the browser.
DEBUG_PROPAGATE_EXCEPTIONS = False
