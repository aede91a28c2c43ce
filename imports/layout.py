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

from imports.dates import financial_year_start, parse_due_text
from imports.leads import ACRONYM_LABEL
from imports.reading import Cell
from imports.status import status_from_words

FIELDS: dict[str, str] = {
    "priority": "Priority (theme)",
    "outcome": "Outcome (issue, objective, aspiration)",
    "number": "Number",
    "action": "Action",
    "milestone": "Milestone",
    "due": "By when (deadline)",
    "lead": "Lead (who)",
    "lead_org": "Lead organisation (agency)",
    "supporting": "Supporting partners",
    "progress": "Progress (commentary)",
    "status": "RAG status",
    "success": "Success criteria",
    "resources": "Resources",
    "source": "Source (JAR, APA, CYPP…)",
    "notes": "Notes (added to the commentary)",
    "ignore": "Do not import",
}

# What an admin may type for a role on the command line ("--map 'Who=lead organisation'").
ROLE_WORDS: dict[str, str] = {
    **{key: key for key in FIELDS},
    **{label_text.lower(): key for key, label_text in FIELDS.items()},
    "lead organisation": "lead_org",
    "lead org": "lead_org",
    "organisation": "lead_org",
    "supporting partners": "supporting",
    "partners": "supporting",
    "success criteria": "success",
    "criteria": "success",
    "deadline": "due",
    "due date": "due",
    "rag": "status",
    "commentary": "progress",
    "note": "notes",
    "do not import": "ignore",
    "none": "ignore",
}


def role_for(word: str) -> str | None:
    """The role an admin's word names ("lead organisation" → "lead_org"), or None."""
    return ROLE_WORDS.get(" ".join(str(word).lower().replace("_", " ").split())) or ROLE_WORDS.get(
        str(word).strip().lower()
    )


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
        "recommendation",
        "recommendations",
        "finding",
        "findings",
        "area for improvement",
        "areas for improvement",
        "area for development",
        "areas for development",
        "key line of enquiry",
        "key lines of enquiry",
        "kloe",
        "what needs to improve",
        "improvement required",
        "issue identified",
        "issues identified",
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
        "proposed action",
        "proposed actions",
        "action to be taken",
        "actions to be taken",
        "how",
        "what will we do",
        "what we will do to achieve this",
        "project",
        "projects",
        "initiative",
        "initiatives",
        "proposal",
        "proposals",
        "proposed response",
        "intervention",
        "interventions",
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
        "timeline",
        "timelines",
        "timetable",
        "time frame",
        "review date",
        "expected completion",
        "completion",
        "when by",
    ],
    "lead": [
        "who",
        "by whom",
        "lead",
        "leads",
        "lead s",
        "strategic lead",
        "responsible officer",
        "lead officer",
        "responsible",
        "owner",
        "accountable officer",
        "lead person",
        "responsibility",
        "responsible person",
        "named lead",
        "lead officer s",
        "action owner",
    ],
    "lead_org": [
        "lead agency",
        "lead agencies",
        "lead organisation",
        "lead organisations",
        "lead partner",
        "lead partners",
        "organisation",
        "agency",
        "lead service",
        "service",
        "responsible agency",
        "responsible organisation",
        "directorate",
        "department",
    ],
    "supporting": [
        "supporting partners",
        "supporting partner",
        "partners",
        "key partners",
        "other partners",
        "supporting agencies",
        "partners involved",
        "other agencies",
        "contributors",
        "support from",
        "supported by",
        "in partnership with",
        "cabinet member",
        "portfolio holder",
        "lead member",
    ],
    "progress": [
        "action taken",
        "actions taken",
        "action taken to date",
        "actions taken to date",
        "actions to date",
        "action to date",
        "work undertaken",
        "what has been done",
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
        "progress made",
        "progress and impact",
        "update on progress",
        "response",
        "responses",
        "cabinet response",
        "officer response",
        "management response",
    ],
    "notes": [
        "notes",
        "note",
        "additional information",
        "other information",
        "remarks",
        "start date",
        "start",
        "date started",
        # Dates that say when something happened, not when it is due.
        "date of meeting",
        "meeting date",
        "committee date",
        "date of committee",
        "date agreed",
        "date raised",
        "date received",
        "date logged",
        "date of review",
        "date reviewed",
        "date of last review",
        "exec date",
        "date added",
    ],
    "status": [
        "rag",
        "status",
        "rag status",
        "brag",
        "rating",
        "rag rating",
        "brag status",
        "rag rating",
        "progress rating",
        "current rag",
        "rag position",
    ],
    "success": [
        "success criteria",
        "impact measures",
        "pis",
        "pi",
        "performance indicators",
        "measures",
        "outcome measures",
        "how will we know",
        "how we will know",
        "how will we know we have succeeded",
        "how will we know we have made a difference",
        "how we will measure success",
        "how will success be measured",
        "what success looks like",
        "what will success look like",
        "what difference will it make",
        "measures of impact",
        "impact measure",
        "key performance measures",
        "success measures",
        "impact",
        "evidence",
        "measure of success",
        "measures of success",
        "targets",
        "kpis",
        "outcome measurement",
        "output outcome measurement",
        "measurement",
        "outputs",
        "output",
        "expected impact",
    ],
    "resources": ["resource", "resources", "funding", "cost", "costs", "budget"],
    "source": [
        "source",
        "sources",
        "origin",
        "driver",
        "link to other action plans or strategy initiatives",
        "link to other plans",
        "links to other plans",
        "link to other action plans",
        "strategic links",
        "strategic link",
        "related strategies",
        "related plans",
    ],
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
MULTI_FIELDS = {"milestone", "progress", "success", "notes", "ignore", "supporting", "status"}
# The plan's levels, highest first: two columns competing for one level share it by content.
LEVELS = ["priority", "outcome", "action", "milestone"]
CONTENT_ROWS = 200


@functools.lru_cache(maxsize=4096)
def label_key(text: str) -> str:
    """Normalise a heading for matching: lower case, no years, no punctuation."""
    # Cached: every row is checked against the header (``is_repeated_header``).
    text = str(text or "").lower().replace("&", " and ")
    # Footnote markers ("Recommendation[i]", "Lead Officer[v]", "Timescale*") are not words.
    text = re.sub(r"\[[^\]]{0,6}\]|\*+$", " ", text)
    text = _FIN_YEAR_TEXT.sub(" ", text)
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
    if re.search(r"\b(?:rag|brag)\b", key):
        return "status", False  # "RAG May 20", "BRAG Q3": a status column of one date
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


_NUMBER_CELL = re.compile(
    r"^[<>~≈]?\s*[£$€]?-?\d[\d,]*(?:\.\d+)?\s*%?(?:\s*\([^)]{0,60}\))?$|^n/?a$|^-$", re.I
)
_INDICATOR_LABEL = re.compile(r"\b(?:indicators?|kpis?|pis?|measures?)\b", re.I)
_SCORE_LABEL = re.compile(r"\b(?:assess\w*|categor\w*|rating|score|grade|status|rag)\b")
_LEVEL_FIELDS = {"action", "milestone", "outcome", "priority"}


def _numeric_share(texts: list[str]) -> float:
    if not texts:
        return 0.0
    return sum(bool(_NUMBER_CELL.match(" ".join(t.split()))) for t in texts) / len(texts)


def _status_share(texts: list[str]) -> float:
    if not texts:
        return 0.0
    return sum(len(t) <= 40 and status_from_words(t) is not None for t in texts) / len(texts)


def _content_roles(
    columns: list[Column],
    body: list[list[Cell]],
    mapping: dict[str, str],
    rows_after: list[list[Cell]] | None = None,
):
    """Content beats heading words: numbers are never item text, and a column of status
    words is the status; an indicator column is the item column of a KPI tracker."""
    for column in columns:
        if column.key in mapping or column.field in (None, "ignore"):
            continue
        texts = _texts(body, column.index)[:CONTENT_ROWS]
        if len(texts) < 2:
            continue
        if column.field in _LEVEL_FIELDS and _numeric_share(texts) >= 0.6:
            # "Milestone 1 – Jul 23" over "10.9%": a figure for a date, not a milestone;
            # "1.1", "1.2" under "Action" are the items' numbers.
            numbers = _fit("number", texts) >= 0.9 and not any(c.field == "number" for c in columns)
            column.field, column.confident = ("number" if numbers else "notes"), False
        elif column.field in ("success", "resources", "source") and _status_share(texts) >= 0.6:
            column.field, column.confident = "status", False
        elif (
            column.field not in ("status", "number")
            and _SCORE_LABEL.search(column.key)
            and all(re.fullmatch(r"\d{1,2}\.?", t.strip()) for t in texts)
        ):
            # "Assessment of progress Categories 1 - 4" over "2", "1": a numbered status.
            column.field, column.confident = "status", False
    _key_definitions(columns, rows_after, mapping)
    fields = {column.field for column in columns}
    if not fields & {"action", "milestone"}:
        for column in columns:
            if column.key in mapping or not _INDICATOR_LABEL.search(column.key):
                continue
            texts = _texts(body, column.index)[:CONTENT_ROWS]
            if texts and _numeric_share(texts) < 0.3:
                column.field, column.confident = "action", False
                break
    fields = {column.field for column in columns}
    if not fields & {"action", "milestone", "outcome"}:
        # "Action taken" with nothing else to hold the items: it is the only item column.
        taken = [c for c in columns if c.field == "progress" and c.key.startswith("action")]
        if taken and _unmapped(taken[0], mapping):
            taken[0].field, taken[0].confident = "action", False


def _unmapped(column: Column, mapping: dict[str, str]) -> bool:
    """True when the admin has not chosen this column's role."""
    return column.key not in mapping


_NOT_DEADLINE = re.compile(
    r"\b(?:meeting|committee|considered|agreed|recommended|raised|received|made|reported|"
    r"started|opened|logged)\b",
    re.I,
)
_DEADLINE = re.compile(r"\b(?:deadline|by when|due|to be (?:completed|delivered)|target)\b", re.I)
_PROGRESS_DEFINITION = re.compile(r"\b(?:to date|progress|update|summary|taken so far)\b", re.I)


def _key_definitions(columns, rows_after, mapping) -> None:
    """The plan's own key ("Date: Date of the Committee meeting recommending…", "Action
    taken: Summary detailing actions to date") says what a column is."""
    if not rows_after:
        return
    definitions: dict[str, str] = {}
    for row in rows_after:
        values = {cell.text.strip() for cell in row if cell.text.strip()}
        if len(values) != 1:
            continue
        label, sep, meaning = next(iter(values)).partition(":")
        if sep and meaning.strip() and len(label) <= 60:
            definitions.setdefault(label_key(label), meaning.strip())
    for column in columns:
        meaning = definitions.get(column.key)
        if not meaning or column.key in mapping:
            continue
        if (
            column.field == "due"
            and _NOT_DEADLINE.search(meaning)
            and not _DEADLINE.search(meaning)
        ):
            column.field, column.confident = "notes", False
        elif column.field == "action" and _PROGRESS_DEFINITION.search(meaning):
            column.field, column.confident = "progress", False


def _headless_item_layout(rows: list[list[Cell]], mapping: dict[str, str], scan: int):
    """A KPI summary's header often leaves the item column blank ("", "Target"): the first
    column holds the indicators and the others their figures or status."""
    for number, row in enumerate(rows[:scan]):
        if not row or row[0].text.strip() or len(row) < 2:
            continue
        columns = _row_columns(row, mapping)
        if not columns or len(columns) < len([c for c in row[1:] if c.text.strip()]):
            continue
        if any(len(column.label) > 40 for column in columns):
            continue
        body = rows[number + 1 : number + 1 + CONTENT_ROWS]
        items = _texts(body, 0)
        if len(items) < 2 or _numeric_share(items) > 0.3:
            continue
        if sum(len(t.split()) >= 3 for t in items) < 0.6 * len(items):
            continue
        columns.insert(0, Column(0, "(no heading, column A)", "action", False))
        for column in columns[1:]:
            if column.field in (None,):
                column.field = "ignore"
        _content_roles(columns, body, mapping)
        layout = Layout(header_row=number, columns=columns)
        layout.header_keys = {c.index: c.key for c in columns if c.index != 0}
        return layout
    return None


def find_layout(
    rows: list[list[Cell]], *, mapping: dict[str, str], scan: int = 40
) -> Layout | None:
    """The row that reads as the plan's header, with its columns; None when none does."""
    layout = _find_layout(rows, mapping=mapping, scan=scan)
    if layout is None:
        layout = _headless_item_layout(rows, mapping, scan)
    return layout


def _find_layout(rows: list[list[Cell]], *, mapping: dict[str, str], scan: int) -> Layout | None:
    for number, row in enumerate(rows[:scan]):
        columns = _row_columns(row, mapping)
        if len({column.key for column in columns}) < 2:
            # One value across the row (a merged intro or note line) is prose, never a
            # header, whatever words it happens to contain.
            continue
        if sum(1 for column in columns if column.field) * 2 >= len(columns) and columns:
            _content_roles(
                columns, rows[number + 1 : number + 1 + CONTENT_ROWS], mapping, rows[number + 1 :]
            )
        fields = {column.field for column in columns if column.field not in (None, "ignore")}
        mapped = [c for c in columns if c.field not in (None, "ignore")]
        if len(mapped) < 2 or not fields & {"action", "milestone", "outcome"}:
            continue
        # A header is mostly headings: a data row may contain a word like "Complete".
        if sum(1 for column in columns if column.field) * 2 < len(columns):
            continue
        body = rows[number + 1 : number + 1 + CONTENT_ROWS]
        if not fields & {"action", "milestone"}:
            # Only outcome-level columns (a list of recommendations): the most item-like
            # one carries the dated, owned items.
            # A list of aims with no one and no date against them is not a plan table.
            if not fields & {"due", "lead", "lead_org", "status", "progress"}:
                continue
            candidates = [c for c in columns if c.field == "outcome"]
            if len(candidates) < 2:
                candidates[0].field, candidates[0].confident = "action", False
        for column in columns:
            if column.field is None:
                column.field, column.confident = "ignore", bool(column.confident)
        _share_by_content(columns, body)
        layout = Layout(header_row=number, columns=columns)
        layout.header_keys = {column.index: column.key for column in columns}
        return layout
    return None


def _texts(body: list[list[Cell]], index: int) -> list[str]:
    return [row[index].text.strip() for row in body if index < len(row) and row[index].text.strip()]


_RECOMMENDING = re.compile(r"\b(?:should|must|needs? to|ought to|is required to)\b", re.I)


def _height(texts: list[str]) -> tuple[float, float, float]:
    """Higher levels repeat (merged over their items' rows), say what "should" happen, and run
    longer; the items under them are short imperatives. A sort key, highest first."""
    if not texts:
        return (0.0, 0.0, 0.0)
    distinct = len(set(texts)) / len(texts)
    recommending = sum(bool(_RECOMMENDING.search(t)) for t in texts) / len(texts)
    mean = sum(len(t) for t in texts) / len(texts)
    return (-round(distinct, 1), round(recommending, 1), mean)


def _fit(field_name: str, texts: list[str]) -> float:
    """How well a column's cells fit a role, 0..1, from what they hold."""
    if not texts:
        return 0.0
    if field_name == "due":
        return sum(parse_due_text(t[:200]).kind in ("date", "recurring") for t in texts) / len(
            texts
        )
    if field_name in ("lead", "lead_org", "supporting"):
        return sum(
            (len(t) <= 80 and len(t.split()) <= 10)
            # "BHWBB: make children in need safer / BEHP: …": bodies, each with its part.
            or all(ACRONYM_LABEL.match(line) for line in t.splitlines() if line.strip())
            for t in texts
        ) / len(texts)
    if field_name == "status":
        return sum(len(t) <= 40 and status_from_words(t) is not None for t in texts) / len(texts)
    if field_name == "number":
        return sum(
            bool(re.fullmatch(r"[A-Za-z]{0,3}\s*\d{1,3}(?:[.\-]\d{1,3})*[a-z]?\.?", t))
            for t in texts
        ) / len(texts)
    return 1.0


def _share_by_content(columns: list[Column], body: list[list[Cell]]) -> None:
    """Two columns for one role: decide by what they hold, and mark the mapping uncertain.

    On the plan's levels (outcome, action, milestone) the column that repeats and runs
    longer is the higher level and the other takes the next level down (or up, if that is
    taken). For other roles the column whose cells fit the role best keeps it (dates for a
    deadline, names for a lead, RAG words for a status); the other is kept as notes.
    """
    by_field: dict[str, list[Column]] = {}
    for column in columns:
        if column.field in (None, "ignore") or column.field in MULTI_FIELDS:
            continue
        by_field.setdefault(column.field, []).append(column)
    taken = {name for name, group in by_field.items() if group}
    for name, group in list(by_field.items()):
        if len(group) < 2:
            if group and group[0].confident is False and name in ("due", "lead", "status"):
                # A guessed heading whose cells do not fit it at all is notes, not data.
                texts = _texts(body, group[0].index)
                if texts and _fit(name, texts) < 0.2:
                    group[0].field = "notes"
            continue
        if name in LEVELS:
            ordered = sorted(group, key=lambda c: _height(_texts(body, c.index)), reverse=True)
            level = LEVELS.index(name)
            below = LEVELS[level + 1] if level + 1 < len(LEVELS) else None
            above = LEVELS[level - 1] if level > 0 else None
            named = [c for c in group if c.key in (name, f"{name}s")]
            if name == "action" and len(group) == 2 and len(named) == 1 and above in taken:
                # "Issue", "Requirement", "Action": the outcome level is taken, and the column
                # the plan calls Action holds the actions; the other says what they answer,
                # which is the actions' commentary.
                other = next(c for c in group if c is not named[0])
                other.field = "notes"
                for column in group:
                    column.confident = False
                continue
            texts_above = _texts(body, ordered[0].index)
            recommends = texts_above and sum(
                bool(_RECOMMENDING.search(t)) for t in texts_above
            ) >= 0.5 * len(texts_above)
            if recommends and above and above not in taken and len(ordered) == 2:
                # "The Council should…" over what will be done: the recommendation is the
                # outcome level, and the column answering it holds the items.
                ordered[0].field = above
                taken.add(above)
            elif below and below not in taken and len(ordered) == 2:
                ordered[1].field = below
                taken.add(below)
            elif above and above not in taken and len(ordered) == 2:
                ordered[0].field = above
                taken.add(above)
            else:
                for column in ordered[1:]:
                    column.field = "notes"
            for column in ordered:
                column.confident = False
            continue
        scored = sorted(
            group,
            key=lambda c: (
                # A deadline-like heading beats a date that says when something happened.
                not (name == "due" and _NOT_DEADLINE.search(c.label)),
                _fit(name, _texts(body, c.index)),
            ),
            reverse=True,
        )
        for column in scored[1:]:
            column.field, column.confident = "notes", False
        scored[0].confident = False


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
