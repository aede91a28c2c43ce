"""Read performance-indicator tables like Rotherham's into indicators and their values.

The plan importer (``imports.services``) offers every sheet to ``IndicatorSheetHandler``. A
table is recognised by its headers (Ref, Definition, Good Perf, "08/09 Actual", "09/10
Target", On Target, DOT, Stat. Neigh., National …). Numbers are read as the file writes
them ("9.7%", "1,406", "-39%"); "N/A" and "-" are kept as not available and missing. The
file's own judgement symbols (✓ ✗ ↑ ↓ ★ ● ▲) are never stored: judgements are worked out
from the numbers, and each cell where the file disagrees becomes a finding that says why.
"""

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from outcomes.assessment import assess, display
from outcomes.formatting import parse_value
from outcomes.judgements import (
    BETTER,
    IMPROVING,
    NO_CHANGE,
    NOT_KNOWN,
    NOT_ON_TARGET,
    ON_TARGET,
    SIMILAR,
    WORSE,
    WORSENING,
)
from outcomes.models import Indicator, IndicatorValue, Polarity, Unit
from outcomes.periods import IndicatorPeriod

HEADER_SCAN_ROWS = 12


@dataclass(frozen=True)
class HistoryMarks:
    """Who, why and when on the history rows an import writes (one entry in the trail)."""

    user: Any
    reason: str
    date: Any


@dataclass
class SheetFinding:
    """One finding about an indicator table: where, and what was done, in a sentence.

    The plan importer (``imports``) shows these beside its own findings.
    """

    sheet: str
    row: int | None
    column: str | None
    message: str
    level: str = "warning"  # "info", "warning" or "error"


_YEAR_RE = re.compile(r"(\d{2}|\d{4})\s*/\s*(\d{2}|\d{4})")
_SUB_MEASURE_RE = re.compile(r"^\(?([a-z])\)?\.?$", re.IGNORECASE)
_RATE_RE = re.compile(r"per\s+([\d,]+)", re.IGNORECASE)

ON_TARGET_SYMBOLS = {"✓": ON_TARGET, "✔": ON_TARGET, "✗": NOT_ON_TARGET, "✘": NOT_ON_TARGET}
DIRECTION_SYMBOLS = {"↑": IMPROVING, "↓": WORSENING, "↔": NO_CHANGE, "→": NO_CHANGE}
COMPARATOR_SYMBOLS = {"★": BETTER, "●": SIMILAR, "▲": WORSE}

COMPARATOR_NAMES = [
    (re.compile(r"stat(istical)?\.?\s*neigh", re.I), "Statistical neighbours"),
    (re.compile(r"\bnational\b|\bengland\b", re.I), "National"),
    (re.compile(r"\bregional\b|\bregion\b", re.I), "Regional"),
]


def _text(cell) -> str:
    return "" if cell is None else str(cell).strip()


def _norm(cell) -> str:
    return re.sub(r"\s+", " ", _text(cell).lower())


def _year(text: str) -> int | None:
    match = _YEAR_RE.search(text)
    if not match:
        return None
    start = int(match.group(1))
    return start + (2000 if start < 70 else 1900) if start < 100 else start


@dataclass
class Column:
    index: int
    header: str
    role: str  # code, definition, polarity, actual, target, baseline, comparator,
    # comparator_judgement, on_target, direction, outcome, ignored_symbols
    year: int | None = None
    comparator: str | None = None


@dataclass
class Layout:
    header_row: int  # 0-based index of the last header row
    columns: list[Column] = field(default_factory=list)

    def of(self, role: str) -> list[Column]:
        return [c for c in self.columns if c.role == role]

    def first(self, role: str) -> Column | None:
        found = self.of(role)
        return found[0] if found else None


def _classify(index: int, header: str) -> Column | None:
    h = header.lower()
    if not h:
        return None
    if re.fullmatch(r"no\.?|number|#", h):
        return None
    if re.fullmatch(r"(pi\s+)?(ref\.?|reference|code|ni)", h):
        return Column(index, header, "code")
    if h in {"definition", "indicator", "description", "measure", "performance indicator"}:
        return Column(index, header, "definition")
    if "good perf" in h or "polarity" in h:
        return Column(index, header, "polarity")
    if h.startswith("on target"):
        return Column(index, header, "on_target")
    if h.startswith("dot") or "direction of travel" in h:
        return Column(index, header, "direction")
    if "year to date" in h or h == "ytd":
        return Column(index, header, "ignored_symbols")
    if re.search(r"\b(outcome|aspiration|objective)s?\b", h):
        return Column(index, header, "outcome")
    for pattern, name in COMPARATOR_NAMES:
        if pattern.search(h):
            role = "comparator_judgement" if re.search(r"perf|against|\bvs\b", h) else "comparator"
            return Column(index, header, role, year=_year(h), comparator=name)
    year = _year(h)
    if "baseline" in h:
        return Column(index, header, "baseline", year=year)
    if year is not None and "target" in h:
        return Column(index, header, "target", year=year)
    if year is not None and re.search(r"actual|perf|outturn|result", h):
        return Column(index, header, "actual", year=year)
    return None


def find_layout(rows: list[list[Any]]) -> Layout | None:
    """Find the header row(s) of an indicator table; None when the sheet is not one."""
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns = [c for i, cell in enumerate(row) if (c := _classify(i, _text(cell)))]
        roles = {c.role for c in columns}
        if not ({"code", "definition"} <= roles):
            continue
        measured = roles & {"actual", "target", "polarity", "on_target", "direction"}
        if len(measured) < 2:
            continue
        layout = Layout(header_row=r, columns=columns)
        # A second header row under merged headings ("Latest Comparative Data" over
        # "Stat. Neigh." / "National"): its cells name the columns more precisely.
        if r + 1 < len(rows):
            below = [c for i, cell in enumerate(rows[r + 1]) if (c := _classify(i, _text(cell)))]
            if below and not any(c.role == "code" for c in below):
                by_index = {c.index: c for c in layout.columns}
                for column in below:
                    by_index[column.index] = column
                layout = Layout(
                    header_row=r + 1, columns=sorted(by_index.values(), key=lambda c: c.index)
                )
        return layout
    return None


@dataclass
class RowRecord:
    row_number: int  # as the spreadsheet numbers it (1-based)
    code: str
    definition: str
    polarity_text: str
    cells: list[Any]
    parent: "RowRecord | None" = None
    priority: Any = None
    indicator: Indicator | None = None
    values: list[IndicatorValue] = field(default_factory=list)
    outcomes: list = field(default_factory=list)
    has_children: bool = False


def _polarity(text: str) -> str | None:
    t = text.lower()
    if t.startswith("high"):
        return Polarity.HIGHER
    if t.startswith("low"):
        return Polarity.LOWER
    return None


def _polarity_word(polarity: str) -> str:
    return {"higher": "HIGH", "lower": "LOW"}.get(polarity, "neither high nor low")


class IndicatorSheetHandler:
    """Imports indicator tables for the plan importer (``imports.services`` calls it)."""

    name = "outcomes.indicators"

    def claims(self, *, sheet_name: str, rows: list[list[Any]]) -> bool:
        """True for a sheet whose headers make it a performance-indicator table."""
        return find_layout(rows) is not None

    def import_sheet(
        self,
        *,
        plan,
        sheet_name: str,
        rows: list[list[Any]],
        dry_run: bool,
        history: HistoryMarks | None = None,
    ) -> tuple[dict[str, int], list[SheetFinding]]:
        """Read the table; unless ``dry_run``, write indicators and values to ``plan``.

        ``history``: the user, reason and time the import gives every history row it writes,
        so the audit trail counts these in the import's one entry."""
        findings: list[SheetFinding] = []
        layout = find_layout(rows)
        if layout is None:
            findings.append(
                SheetFinding(sheet_name, None, None, "No indicator table headers found.", "error")
            )
            return {"indicators": 0, "indicator_values": 0}, findings

        def finding(row, column, message, level="warning"):
            findings.append(SheetFinding(sheet_name, row, column, message, level))

        for column in layout.of("ignored_symbols"):
            finding(
                None,
                column.header,
                f"The '{column.header}' column holds symbols, not numbers, so it was not "
                "read; the product works out judgements from the numbers.",
                "info",
            )
        actual_years = sorted({c.year for c in layout.of("actual") if c.year})
        latest_year = actual_years[-1] if actual_years else None

        records = self._read_records(plan, rows, layout, finding)
        threshold = self._threshold(plan)
        for record in records:
            self._build(plan, record, layout, latest_year, finding)
        for record in records:
            self._compare_with_file(record, layout, latest_year, threshold, finding)

        counts = {
            "indicators": len(records),
            "indicator_values": sum(len(r.values) for r in records),
        }
        if not dry_run:
            self._save(plan, records, history)
        return counts, findings

    # Reading -------------------------------------------------------------------------

    def _read_records(self, plan, rows, layout, finding) -> list[RowRecord]:
        code_col = layout.first("code")
        definition_col = layout.first("definition")
        polarity_col = layout.first("polarity")
        priorities = self._priorities(plan)
        records: list[RowRecord] = []
        current_parent: RowRecord | None = None
        current_priority = None
        for r in range(layout.header_row + 1, len(rows)):
            cells = list(rows[r])
            filled = [_text(c) for c in cells if _text(c)]
            if not filled:
                continue
            code = _text(cells[code_col.index]) if code_col.index < len(cells) else ""
            definition = (
                _text(cells[definition_col.index]) if definition_col.index < len(cells) else ""
            )
            if not code and not definition and len(set(filled)) == 1:
                current_priority = self._match_priority(filled[0], priorities)
                current_parent = None
                if priorities and current_priority is None:
                    finding(
                        r + 1,
                        None,
                        f"Section '{filled[0]}' does not match a priority of this plan, so its "
                        "indicators are not linked to one.",
                        "info",
                    )
                continue
            if not code:
                finding(
                    r + 1,
                    code_col.header,
                    f"No '{code_col.header}' given, so this row was not read as an indicator.",
                )
                continue
            polarity_text = (
                _text(cells[polarity_col.index])
                if polarity_col and polarity_col.index < len(cells)
                else ""
            )
            sub = _SUB_MEASURE_RE.match(code)
            if sub and current_parent is not None:
                record = RowRecord(
                    r + 1,
                    f"{current_parent.code} {sub.group(1).lower()}",
                    definition,
                    polarity_text,
                    cells,
                    parent=current_parent,
                    priority=current_priority,
                )
                current_parent.has_children = True
            else:
                record = RowRecord(
                    r + 1, code, definition, polarity_text, cells, priority=current_priority
                )
                current_parent = record
            records.append(record)
        self._link_outcomes(plan, records, layout, finding)
        seen: dict[str, int] = {}
        for record in records:
            if record.code in seen:
                finding(
                    record.row_number,
                    code_col.header,
                    f"{record.code} appears again (first on row {seen[record.code]}); this "
                    "row's figures replace the earlier ones.",
                )
            seen.setdefault(record.code, record.row_number)
        return records

    def _link_outcomes(self, plan, records, layout, finding) -> None:
        """Link indicators to the outcomes named in an Outcome/Aspiration column, if any."""
        column = layout.first("outcome")
        if column is None or getattr(plan, "pk", None) is None:
            return
        from plans.models import Outcome

        by_number: dict[str, list] = {}
        for outcome in Outcome.objects.filter(priority__plan=plan):
            by_number.setdefault(outcome.number.strip().lower().rstrip(".)"), []).append(outcome)
        for record in records:
            raw = _text(self._cell(record, column))
            for ref in filter(None, (p.strip() for p in re.split(r"[,;/&]|\band\b", raw))):
                found = by_number.get(ref.lower().rstrip(".)"))
                if found:
                    record.outcomes.extend(found)
                else:
                    finding(
                        record.row_number,
                        column.header,
                        f"'{ref}' is not the number of an outcome of this plan, so "
                        f"{record.code} is not linked to it.",
                    )

    def _priorities(self, plan) -> list:
        if getattr(plan, "pk", None) is None:
            return []
        return list(plan.priorities.all())

    def _match_priority(self, heading: str, priorities):
        def words(text):
            return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()

        best, best_ratio = None, 0.0
        for priority in priorities:
            ratio = difflib.SequenceMatcher(None, words(heading), words(priority.title)).ratio()
            if ratio > best_ratio:
                best, best_ratio = priority, ratio
        return best if best_ratio >= 0.8 else None

    def _threshold(self, plan) -> Decimal:
        from outcomes.selectors import DEFAULT_COMPARATOR_THRESHOLD, comparator_threshold

        if getattr(plan, "partnership_id", None) is None:
            return DEFAULT_COMPARATOR_THRESHOLD
        return comparator_threshold(partnership_id=plan.partnership_id)

    # Building --------------------------------------------------------------------------

    def _cell(self, record: RowRecord, column: Column):
        return record.cells[column.index] if column.index < len(record.cells) else None

    def _build(self, plan, record: RowRecord, layout: Layout, latest_year, finding) -> None:
        polarity = _polarity(record.polarity_text)
        if polarity is None and record.parent is not None:
            polarity = record.parent.indicator.polarity
        if polarity is None:
            polarity = Polarity.NEITHER
            if record.polarity_text:
                finding(
                    record.row_number,
                    layout.first("polarity").header,
                    f"'{record.polarity_text}' is neither HIGH nor LOW, so no on-target or "
                    "direction judgement is made for this indicator.",
                )
            elif not record.has_children:
                finding(
                    record.row_number,
                    None,
                    f"{record.code}: good performance is not given as HIGH or LOW, so no "
                    "on-target or direction judgement is made for it.",
                    "info",
                )

        parsed = []  # (column, kind, year, comparator, ParsedValue)
        for role, kind in (
            ("baseline", IndicatorValue.Kind.BASELINE),
            ("actual", IndicatorValue.Kind.ACTUAL),
            ("target", IndicatorValue.Kind.TARGET),
            ("comparator", IndicatorValue.Kind.COMPARATOR),
        ):
            for column in layout.of(role):
                raw = self._cell(record, column)
                if raw is None or _text(raw) == "":
                    continue
                try:
                    value = parse_value(raw)
                except ValueError as error:
                    finding(record.row_number, column.header, f"{error} It was left out.")
                    continue
                parsed.append((column, kind, column.year, column.comparator or "", value))

        # "Latest comparative data" without a year is compared with the row's own latest
        # result, so it is filed under the latest year the row reports an actual for.
        reported = [
            p[2] for p in parsed if p[1] == IndicatorValue.Kind.ACTUAL and p[4].status != "missing"
        ]
        row_year = max(reported) if reported else latest_year
        parsed = [
            (column, kind, year or row_year, comparator, value)
            for column, kind, year, comparator, value in parsed
            if (year or row_year) is not None
        ]

        numbers = [p for p in parsed if p[4].status == "value"]
        unit, rate_per = Unit.COUNT, None
        rate = _RATE_RE.search(record.definition)
        if any(p[4].is_percentage for p in numbers):
            unit = Unit.PERCENTAGE
        elif rate:
            unit, rate_per = Unit.RATE, int(rate.group(1).replace(",", ""))
        # Show as many decimals as the row's own figures; when those are whole numbers, as
        # many as its comparators, so "23.2" is not shown as "23".
        own = [p[4].decimals for p in numbers if p[1] != IndicatorValue.Kind.COMPARATOR]
        decimal_places = min(max(own or [0]) or max([p[4].decimals for p in numbers] or [0]), 4)

        record.indicator = Indicator(
            plan=plan if getattr(plan, "pk", None) else None,
            code=record.code[:40],
            definition=record.definition or record.code,
            polarity=polarity,
            unit=unit,
            rate_per=rate_per,
            decimal_places=decimal_places,
            priority=record.priority,
            position=record.row_number,
        )
        for column, kind, year, comparator, value in parsed:
            record.values.append(
                IndicatorValue(
                    kind=kind,
                    year=year,
                    comparator=comparator,
                    value=value.value,
                    status=value.status,
                    source=IndicatorValue.Source.IMPORT,
                    note=f"Imported from '{column.header}'.",
                )
            )

    # Comparing with the file's own judgements ---------------------------------------------

    def _compare_with_file(self, record, layout, latest_year, threshold, finding) -> None:
        if latest_year is None:
            return
        indicator = record.indicator
        period = IndicatorPeriod(latest_year)
        a = assess(indicator, record.values, threshold_percent=threshold, period=period)
        polarity_word = _polarity_word(indicator.polarity)
        actual = display(indicator, a.actual)
        where = f"Row {record.row_number}"

        for column in layout.of("on_target"):
            written = _text(self._cell(record, column))
            said = ON_TARGET_SYMBOLS.get(written)
            if said is None or said == a.on_target:
                continue
            if a.on_target == NOT_KNOWN:
                reason = (
                    f"with {actual} against a target of {display(indicator, a.target)} "
                    "we cannot say whether it is on target (not known)"
                )
            else:
                reason = (
                    f"{actual} against a target of {display(indicator, a.target)} with good "
                    f"performance {polarity_word} is {a.on_target.text.lower()}"
                )
            finding(
                record.row_number,
                column.header,
                f"{where}, '{column.header}': the file says {written} but {reason}.",
            )

        for column in layout.of("direction"):
            written = _text(self._cell(record, column))
            said = DIRECTION_SYMBOLS.get(written)
            if said is None or said == a.direction:
                continue
            last = display(indicator, a.last_year_actual)
            finding(
                record.row_number,
                column.header,
                f"{where}, '{column.header}': the file says {written} "
                f"({said.text.lower()}) but {actual} in {period.label} against {last} in "
                f"{period.previous().label} with good performance {polarity_word} is "
                f"{a.direction.text.lower()}.",
            )

        by_name = {c.name: c for c in a.comparators}
        for column in layout.of("comparator_judgement"):
            written = _text(self._cell(record, column))
            said = COMPARATOR_SYMBOLS.get(written)
            result = by_name.get(column.comparator)
            computed = result.judgement if result else NOT_KNOWN
            if said is None or said == computed:
                continue
            against = (
                f"{column.comparator.lower()} at {result.value_display}"
                if result
                else f"no {column.comparator.lower()} figure"
            )
            if computed == SIMILAR:
                rule = f"within {threshold}% of it"
            elif computed in (BETTER, WORSE):
                rule = f"more than {threshold}% from it"
            else:
                rule = "we cannot compare them"
            finding(
                record.row_number,
                column.header,
                f"{where}, '{column.header}': the file says {written} "
                f"({said.text.lower()}) but {actual} against {against} with good performance "
                f"{polarity_word} is {computed.text.lower()} ({rule}).",
            )

    # Writing ---------------------------------------------------------------------------

    @transaction.atomic
    def _save(self, plan, records: list[RowRecord], history: HistoryMarks | None) -> None:
        def save(model, defaults, **keys):
            # update_or_create, with the import's history marks on the row it saves.
            instance = model.objects.select_for_update().filter(**keys).first() or model(**keys)
            for name, value in defaults.items():
                setattr(instance, name, value)
            if history:
                instance._history_user = history.user
                instance._change_reason = history.reason
                instance._history_date = history.date
            instance.save()
            return instance

        for record in records:
            built = record.indicator
            defaults = {
                "definition": built.definition,
                "polarity": built.polarity,
                "unit": built.unit,
                "rate_per": built.rate_per,
                "decimal_places": built.decimal_places,
                "priority": built.priority,
                "position": built.position,
                "parent": record.parent.indicator if record.parent else None,
            }
            indicator = save(Indicator, defaults, plan=plan, code=built.code)
            record.indicator = indicator
            outcomes = record.parent.outcomes if record.parent else record.outcomes
            if outcomes:
                indicator.outcomes.add(*outcomes)
            for value in record.values:
                save(
                    IndicatorValue,
                    {
                        "value": value.value,
                        "status": value.status,
                        "source": value.source,
                        "note": value.note,
                        "entered_by": None,
                    },
                    indicator=indicator,
                    kind=value.kind,
                    year=value.year,
                    quarter=None,
                    period_type=value.period_type,
                    comparator=value.comparator,
                )
