"""Find the plan's table in a sheet: its header row, what each column means, its sections.

Columns are recognised by meaning, from the headings people actually write ("By when",
"Who", "Existing plans and strategies", "Delivery milestones 2010/11"). An exact heading is
trusted; a heading that only resembles one ("Lead officer (name)", "Deadlines") is a guess
the admin confirms in the browser before anything is saved.
"""

import difflib
import functools
import re
from dataclasses import dataclass, field

from imports.dates import financial_year_start
from imports.reading import Cell

FIELDS: dict[str, str] = {
    "priority": "Priority (theme)",
    "outcome": "Outcome (issue, objective, aspiration)",
    "number": "Number",
    "action": "Action",
    "milestone": "Milestone",
    "due": "By when (deadline)",
    "lead": "Lead (who)",
    "progress": "Progress (commentary)",
    "status": "RAG status",
    "success": "Success criteria",
    "resources": "Resources",
    "source": "Source (JAR, APA, CYPP…)",
    "ignore": "Do not import",
}

SYNONYMS: dict[str, list[str]] = {
    "priority": [
        "priority",
        "priorities",
        "theme",
        "themes",
        "priority area",
        "area of focus",
        "workstream",
        "work stream",
        "strand",
        "block",
        "ecm outcome",
        "every child matters",
    ],
    "outcome": [
        "outcome",
        "outcomes",
        "issue",
        "issues",
        "objective",
        "objectives",
        "aspiration",
        "aspirations",
        "strategic priority",
        "strategic priorities",
        "aim",
        "aims",
        "goal",
        "goals",
        "strategic objective",
        "key issue",
        "outcome sought",
        "desired outcome",
    ],
    "number": ["no", "ref", "reference", "number", "item", "id", "code"],
    "action": [
        "action",
        "actions",
        "action milestone",
        "actions milestones",
        "requirement",
        "requirements",
        "what",
        "what we will do",
        "key actions",
        "task",
        "tasks",
        "activity",
        "activities",
        "existing plans and strategies",
        "additional partnership actions",
        "partnership actions",
        "existing plans",
        "action required",
        "actions required",
        "key action",
        "recommendation",
        "recommendations",
    ],
    "milestone": [
        "milestone",
        "milestones",
        "delivery milestone",
        "delivery milestones",
        "key milestones",
        "steps",
        "sub action",
        "sub actions",
        "key steps",
    ],
    "due": [
        "by when",
        "deadline",
        "deadlines",
        "timescale",
        "timescales",
        "target date",
        "when",
        "due",
        "due date",
        "date",
        "completion date",
        "target completion date",
        "by",
        "timeframe",
        "time scale",
        "end date",
    ],
    "lead": [
        "who",
        "by whom",
        "lead",
        "leads",
        "lead agency",
        "strategic lead",
        "responsible officer",
        "lead officer",
        "responsible",
        "owner",
        "accountable officer",
        "lead person",
        "responsibility",
        "lead partner",
        "lead organisation",
        "responsible person",
    ],
    "progress": [
        "progress",
        "update",
        "updates",
        "commentary",
        "comments",
        "comment",
        "progress update",
        "progress to date",
        "position statement",
        "current position",
        "progress commentary",
        "latest position",
        "notes",
    ],
    "status": ["rag", "status", "rag status", "brag", "rating", "rag rating", "brag status"],
    "success": [
        "success criteria",
        "impact measures",
        "pis",
        "pi",
        "performance indicators",
        "measures",
        "outcome measures",
        "how will we know",
        "success measures",
        "impact",
        "evidence",
        "measure of success",
        "measures of success",
        "targets",
        "kpis",
    ],
    "resources": ["resource", "resources", "funding", "cost", "costs", "budget"],
    "source": ["source", "sources", "origin", "driver"],
}
# Headings under which a group of actions is introduced; the label says where they came from.
SECTION_ACTION_LABELS = {
    "existing plans and strategies",
    "additional partnership actions",
    "partnership actions",
    "existing plans",
}
_BY_SYNONYM = {synonym: field_name for field_name, words in SYNONYMS.items() for synonym in words}
_ALL_SYNONYMS = list(_BY_SYNONYM)
_FIN_YEAR_TEXT = re.compile(r"\b(?:19|20)\d{2}\s*[/-]\s*\d{2,4}\b|\b(?:19|20)\d{2}\b")
MULTI_FIELDS = {"milestone", "progress", "success", "ignore"}


@functools.lru_cache(maxsize=4096)
def label_key(text: str) -> str:
    """Normalise a heading for matching: lower case, no years, no punctuation."""
    # Cached: every row is checked against the header (``is_repeated_header``).
    text = _FIN_YEAR_TEXT.sub(" ", str(text or "").lower().replace("&", " and "))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def guess_field(label: str) -> tuple[str | None, bool]:
    """(field, confident) for one heading; (None, False) when it means nothing to us."""
    key = label_key(label)
    if not key or len(key) > 60:
        return None, False
    if key in _BY_SYNONYM:
        return _BY_SYNONYM[key], True
    close = difflib.get_close_matches(key, _ALL_SYNONYMS, n=1, cutoff=0.85)
    if close:
        return _BY_SYNONYM[close[0]], False
    words = f" {key} "
    for synonym in sorted(_ALL_SYNONYMS, key=len, reverse=True):
        if (len(synonym) >= 4 or " " in synonym) and f" {synonym} " in words:
            return _BY_SYNONYM[synonym], False
    return None, False


@dataclass
class Column:
    index: int
    label: str
    field: str | None
    confident: bool
    year: int | None = None  # a milestone column for one financial year ("2010/11")

    @property
    def key(self) -> str:
        return label_key(self.label)


@dataclass
class Layout:
    header_row: int  # 0-based index into the sheet's rows
    columns: list[Column]
    header_keys: dict[int, str] = field(default_factory=dict)

    def first(self, field_name: str) -> Column | None:
        return next((column for column in self.columns if column.field == field_name), None)

    def all(self, field_name: str) -> list[Column]:
        return [column for column in self.columns if column.field == field_name]

    @property
    def uncertain(self) -> bool:
        return any(
            not column.confident and column.field != "ignore"
            for column in self.columns
            if column.label
        )


def _row_columns(row: list[Cell], mapping: dict[str, str]) -> list[Column]:
    columns = []
    for index, cell in enumerate(row):
        if not isinstance(cell.value, str):
            continue
        label = " ".join(cell.value.split())
        if not label:
            continue
        key = label_key(label)
        if key in mapping:
            chosen = mapping[key] or "ignore"
            columns.append(Column(index, label, chosen, True))
        else:
            guessed, confident = guess_field(label)
            columns.append(Column(index, label, guessed, confident))
        if columns[-1].field == "milestone":
            columns[-1].year = financial_year_start(label)
    return columns


def find_layout(
    rows: list[list[Cell]], *, mapping: dict[str, str], scan: int = 40
) -> Layout | None:
    """The first row that reads as the plan's header, with its columns; None when none does."""
    for number, row in enumerate(rows[:scan]):
        columns = _row_columns(row, mapping)
        fields = {column.field for column in columns if column.field not in (None, "ignore")}
        if len(fields) < 2 or not fields & {"action", "milestone"}:
            continue
        # A header is mostly headings: a data row may contain a word like "Complete".
        if sum(1 for column in columns if column.field) * 2 < len(columns):
            continue
        seen_single: set[str] = set()
        for column in columns:
            if column.field is None:
                column.field = "ignore"
                continue
            if column.field in MULTI_FIELDS:
                continue
            if column.field in seen_single:
                # Two columns for one thing: keep the first, the admin can change it.
                column.field, column.confident = "ignore", False
            seen_single.add(column.field)
        layout = Layout(header_row=number, columns=columns)
        layout.header_keys = {column.index: column.key for column in columns}
        return layout
    return None


def is_repeated_header(row: list[Cell], layout: Layout) -> bool:
    """A header printed again (one per page in the original), or a variant of it."""
    matches = 0
    for index, key in layout.header_keys.items():
        value = row[index].value if index < len(row) else None
        if isinstance(value, str) and label_key(value) == key:
            matches += 1
    return matches >= 2 or (matches >= 1 and matches == len(layout.header_keys))


def describe_layout(layout: Layout) -> str:
    return ", ".join(
        f"'{column.label}' → {FIELDS.get(column.field or 'ignore', column.field)}"
        for column in layout.columns
    )
