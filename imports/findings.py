"""What the importer tells the admin about a file: one finding per thing it did or could not do."""

from dataclasses import dataclass


@dataclass
class SheetFinding:
    """One finding for the admin: where, and what we did about it, in a sentence."""

    sheet: str
    row: int | None
    column: str | None
    message: str
    level: str = "warning"  # "info", "warning" or "error" (an error refuses the import)
