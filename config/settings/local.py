"""Local development: the embedded default (SQLite unless DATABASE_URL says otherwise)."""

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)

# The demo's admin signs in with its password alone unless MFA_REQUIRED=true is set, so that
# `make run` works at once; every other environment requires the second factor (base.py).
MFA_REQUIRED = env_bool("MFA_REQUIRED", False)
