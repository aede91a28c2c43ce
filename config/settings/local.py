"""Local development: the embedded default (SQLite unless DATABASE_URL says otherwise)."""

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)
