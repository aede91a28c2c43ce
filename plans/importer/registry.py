"""Extension point for sheets the plan importer does not model itself.

The plans app never imports other apps. An app that can read another kind of sheet (the
outcomes app reads performance-indicator tables) registers a handler from its
``AppConfig.ready()``; the importer offers each sheet to the handlers before treating it as
plan rows, and runs a claiming handler's ``import_sheet`` inside the import's transaction.
"""

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass
class SheetFinding:
    """One finding for the admin: where, and what we did about it, in a sentence."""

    sheet: str
    row: int | None
    column: str | None
    message: str
    level: str = "warning"  # "info", "warning" or "error" (an error refuses the import)


class SheetHandler(Protocol):
    name: str

    def claims(self, *, sheet_name: str, rows: list[list[Any]]) -> bool:
        """True when this handler recognises the sheet (e.g. an indicator table)."""

    def import_sheet(
        self, *, plan, sheet_name: str, rows: list[list[Any]], dry_run: bool
    ) -> tuple[dict[str, int], list[SheetFinding]]:
        """Read (and unless ``dry_run`` write) the sheet; return counts and findings."""


_handlers: list[SheetHandler] = []


def register_sheet_handler(handler: SheetHandler) -> None:
    """Offer ``handler`` every sheet the importer reads (idempotent)."""
    if all(existing.name != handler.name for existing in _handlers):
        _handlers.append(handler)


def sheet_handlers() -> list[SheetHandler]:
    return list(_handlers)
