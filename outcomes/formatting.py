"""Reading and writing indicator numbers the way plans write them: "9.7%", "1,406", "N/A"."""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NOT_AVAILABLE_WORDS = {"n/a", "na", "n.a.", "not available", "not applicable"}
MISSING_WORDS = {"", "-", "–", "—", "..", "tbc", "not known", "nk"}

_NUMBER_RE = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?")


@dataclass(frozen=True)
class ParsedValue:
    """A cell read as a number: ``status`` is "value", "not_available" or "missing"."""

    status: str
    value: Decimal | None = None
    is_percentage: bool = False
    decimals: int = 0


def parse_value(raw) -> ParsedValue:
    """Read a cell: numbers, "9.7%", "1,406", "-39%"; "N/A" and "-" are not numbers.

    Raises ValueError with a sentence for anything else.
    """
    if raw is None:
        return ParsedValue("missing")
    if isinstance(raw, bool):
        raise ValueError(f"'{raw}' is not a number.")
    if isinstance(raw, int | float | Decimal):
        value = Decimal(str(raw))
        exponent = value.as_tuple().exponent
        return ParsedValue("value", value, decimals=max(0, -exponent) if exponent < 0 else 0)
    text = str(raw).strip().replace("\u2212", "-")
    lowered = text.lower()
    if lowered in NOT_AVAILABLE_WORDS:
        return ParsedValue("not_available")
    if lowered in MISSING_WORDS:
        return ParsedValue("missing")
    is_percentage = text.endswith("%")
    number = text.rstrip("%").strip().replace(" ", "")
    if not number or not _NUMBER_RE.fullmatch(number) or not any(c.isdigit() for c in number):
        raise ValueError(f"'{text}' is not a number we recognise.")
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation as error:
        raise ValueError(f"'{text}' is not a number we recognise.") from error
    decimals = len(number.split(".", 1)[1]) if "." in number else 0
    return ParsedValue("value", value, is_percentage=is_percentage, decimals=decimals)


def format_value(value: Decimal | None, *, unit: str, decimal_places: int, status: str = "value"):
    """Show a number as boards read it: "9.7%", "1,406", "0.28"; "N/A"; "Not reported"."""
    if status == "not_available":
        return "N/A"
    if value is None:
        return "Not reported"
    shown = Decimal(value).quantize(Decimal(1).scaleb(-decimal_places), rounding=ROUND_HALF_UP)
    if shown == 0:
        shown = abs(shown)  # never "-0.0%"
    text = f"{shown:,.{decimal_places}f}"
    return f"{text}%" if unit == "percentage" else text
