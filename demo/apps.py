from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data and the generator for benchmarks; installed where the demo is wanted."""

    name = "demo"
    verbose_name = "Demo data"
