"""Extension point for the plan's JSON export: other apps add their own sections.

``plans`` never imports ``outcomes`` or ``reporting``; they register a function from their
``AppConfig.ready()`` that returns a JSON-serialisable value for a plan, and the export
puts it under the registered key.
"""

from collections.abc import Callable
from typing import Any

_sections: dict[str, Callable[..., Any]] = {}


def register_export_section(key: str, build: Callable[..., Any]) -> None:
    """Add ``build(plan=...)``'s result to every plan export under ``key``."""
    _sections[key] = build


def export_sections() -> dict[str, Callable[..., Any]]:
    return dict(_sections)
