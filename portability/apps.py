from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    """The plan as JSON, out and back in: structure, updates, indicators, closed quarters."""

    name = "portability"
    verbose_name = "Plan export and import (JSON)"
