"""Check a CSV of indicator values (code, period, value) before anything is written.

Every row is checked and every problem reported with its line number; the upload is written
only when there are none (``outcomes.services.indicator_values_upload``), all or nothing.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from outcomes.formatting import parse_value
from outcomes.models import Indicator, IndicatorValue
from outcomes.periods import IndicatorPeriod
from plans.uploads import UploadRefused, csv_bounds_check

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
MAX_CELL_CHARACTERS = 10_000  # a note is a sentence or two; longer is not a value's note
# IndicatorValue.value is max_digits=18, decimal_places=6: 12 digits before the point.
MAX_WHOLE_DIGITS = 12
MAX_DECIMAL_PLACES = 6
REQUIRED = ("code", "period", "value")
KINDS = {k.value: k.value for k in IndicatorValue.Kind} | {
    k.label.lower(): k.value for k in IndicatorValue.Kind
}


@dataclass
class CsvValueRow:
    line: int
    indicator: Indicator
    kind: str
    period: IndicatorPeriod
    value: Decimal | None
    status: str
    comparator: str
    note: str
    value_text: str


@dataclass
class CsvError:
    line: int | None
    message: str


def decode(data: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without Excel's BOM), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def check_values_csv(
    *, text: str, plan, allowed_ids: set[int] | None
) -> tuple[list[CsvValueRow], list[CsvError]]:
    """Read and check every row; ``allowed_ids`` None means the user may enter for all."""
    if len(text.encode()) > MAX_BYTES:
        return [], [CsvError(None, "The file is larger than 1 MB. Split it into smaller files.")]
    try:
        csv_bounds_check(text, max_cell_characters=MAX_CELL_CHARACTERS)
    except UploadRefused as refusal:
        return [], [CsvError(None, str(refusal))]
    reader = csv.DictReader(io.StringIO(text))
    headers = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        return [], [
            CsvError(
                1,
                "The first line must name the columns code, period and value (and optionally "
                f"kind, comparator and note); it does not have {', '.join(missing)}.",
            )
        ]
    indicators = {i.code.lower(): i for i in Indicator.objects.filter(plan=plan)}
    rows: list[CsvValueRow] = []
    errors: list[CsvError] = []
    seen: dict[tuple, int] = {}
    for count, raw in enumerate(reader, start=1):
        line = reader.line_num
        if count > MAX_ROWS:
            errors.append(CsvError(line, f"The file has more than {MAX_ROWS:,} rows."))
            break
        cells = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(cells.values()):
            continue
        problems = []
        code = cells.get("code", "")
        indicator = indicators.get(code.lower())
        if not code:
            problems.append("enter the indicator's code")
        elif indicator is None:
            problems.append(f"'{code}' is not the code of an indicator in this plan")
        elif allowed_ids is not None and indicator.pk not in allowed_ids:
            problems.append(f"you cannot enter results for {indicator.code}")
        period = None
        try:
            period = IndicatorPeriod.parse(cells.get("period", ""))
        except ValueError as error:
            problems.append(str(error).rstrip("."))
        kind = KINDS.get((cells.get("kind") or "actual").lower())
        if kind is None:
            problems.append(
                f"'{cells['kind']}' is not a kind of value: use actual, target, baseline or "
                "comparator"
            )
        comparator = cells.get("comparator", "")
        if kind == IndicatorValue.Kind.COMPARATOR and not comparator:
            problems.append("name the comparator, e.g. 'National'")
        if kind != IndicatorValue.Kind.COMPARATOR and comparator:
            problems.append("only comparator values name a comparator")
        parsed = None
        value_text = cells.get("value", "")
        try:
            parsed = parse_value(value_text)
        except ValueError as error:
            problems.append(str(error).rstrip(".")[:200])
        if parsed and parsed.value is not None:
            problems.extend(value_out_of_range(parsed.value))
        if len(comparator) > 100:
            problems.append(
                f"the comparator's name is {len(comparator):,} characters; use 100 or fewer"
            )
        if period and indicator and kind:
            key = (indicator.pk, kind, period, comparator.lower())
            if key in seen:
                problems.append(f"line {seen[key]} already gives this value")
            seen.setdefault(key, line)
        if problems:
            message = "; ".join(problems)
            errors.append(CsvError(line, message[0].upper() + message[1:] + "."))
            continue
        rows.append(
            CsvValueRow(
                line=line,
                indicator=indicator,
                kind=kind,
                period=period,
                value=parsed.value,
                status=parsed.status,
                comparator=comparator,
                note=cells.get("note", ""),
                value_text=value_text,
            )
        )
    if not rows and not errors:
        errors.append(CsvError(None, "The file has no values in it."))
    return rows, errors


def value_out_of_range(value: Decimal) -> list[str]:
    """What the value column cannot hold, in words (it would fail, not round, when saved)."""
    whole = value.adjusted() + 1 if value else 0
    if whole > MAX_WHOLE_DIGITS:
        return [
            f"the value has {whole:,} digits before the decimal point; a value may have at "
            f"most {MAX_WHOLE_DIGITS} (under a million million)"
        ]
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMAL_PLACES:
        return [f"the value has {-exponent:,} decimal places; give at most {MAX_DECIMAL_PLACES}"]
    return []
