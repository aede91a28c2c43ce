"""Local development: the embedded default (SQLite unless DATABASE_URL says otherwise)."""

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)

# The demo (`load_demo`, `generate_demo`) is installed where it is wanted, never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405

# The demo's admin signs in with its password alone unless MFA_REQUIRED=true is set, so that
# `make run` works at once; every other environment requires the second factor (base.py).
MFA_REQUIRED = env_bool("MFA_REQUIRED", False)
