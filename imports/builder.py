"""Turn the rows of a legacy plan into a draft hierarchy, with findings, without the database.

Conventions (the README describes them for admins):
- A sheet that holds a table of actions is a priority named after the sheet, unless the
  table has a priority column or "Priority: …" section rows.
- An outcome is a numbered "Issue" cell (merged over its actions' rows) or an
  "ASPIRATION (PC2): …" section row; "(JAR / medium term)" at its end gives its actions'
  sources and timescale.
- Each numbered action is an action. Several numbered actions in one cell ("21.3 … 21.4 …")
  are several actions; lettered or bulleted steps in one cell are milestones of one action.
- Every action has at least one milestone: a single-step row gives one milestone with the
  action's text, deadline, lead and status. Milestone columns ("Delivery milestones
  2010/11") give one milestone per line, due at the end of that financial year unless the
  line names its own date.
- Multi-part deadline, lead and status cells pair with the items in order when they have
  as many parts as there are items; otherwise they apply to every item.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from imports.dates import DueDate, end_of_financial_year, find_dates, parse_due
from imports.findings import SheetFinding
from imports.layout import (
    SECTION_ACTION_LABELS,
    Column,
    Layout,
    find_layout,
    is_repeated_header,
    label_key,
)
from imports.leads import LeadRef, parse_leads, split_repeated
from imports.reading import Cell, Sheet, _column_letter, _excerpt
from imports.splitting import Item, see_also, split_items, split_lines, split_number
from imports.status import (
    UNDER_WAY,
    colour_key,
    number_legend,
    number_legend_entry,
    split_status_words,
    status_from_colour,
    status_from_words,
)
from plans.formatting import article
from plans.models import RAG


@dataclass
class MilestoneDraft:
    number: str
    text: str
    lead: LeadRef | None
    lead_text: str
    due: DueDate
    status: str
    commentary: str
    status_from: str  # "words", "colour", "" (not stated)
    sheet: str
    row: int


@dataclass
class ActionDraft:
    number: str
    text: str
    leads: list[LeadRef]
    lead_text: str
    resources: str
    sources: str
    timescale: str
    see_also: list[str]
    sheet: str
    row: int
    milestones: list[MilestoneDraft] = field(default_factory=list)


@dataclass
class OutcomeDraft:
    number: str
    statement: str
    sheet: str
    row: int
    success_criteria: list[str] = field(default_factory=list)
    actions: list[ActionDraft] = field(default_factory=list)
    sources: str = ""
    timescale: str = ""


@dataclass
class PriorityDraft:
    title: str
    number: str
    sheet: str
    outcomes: list[OutcomeDraft] = field(default_factory=list)


@dataclass
class SheetReport:
    """What happened to one sheet: read as plan rows, handed to a handler, or skipped."""

    name: str
    outcome: str  # "plan", "handler", "skipped"
    reason: str = ""
    layout: Layout | None = None
    counts: dict[str, int] = field(default_factory=dict)


_SECTION = re.compile(
    r"^(priority|theme|strategic priority|aspiration|outcome|objective|issue|aim|goal)s?"
    r"\s*(?:\(([^)]{1,20})\)|([A-Z]{0,5}\d{1,3}(?:\.\d+)?))?\s*[:\-–]\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_TRAILING_PARENS = re.compile(r"\s*\(([^()]{2,80})\)\s*\.?\s*$")
_TIMESCALE = re.compile(r"\b(short|medium|long)[- ]term\b", re.IGNORECASE)
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
_INDICATOR_WORDS = re.compile(
    r"\b(?:NI ?\d+|indicator|baseline|target|actual|good perf|polarity|dot|direction of travel|"
    r"stat\.? neigh|national|definition)\b",
    re.IGNORECASE,
)
_STEP_LABEL = re.compile(r"^((?:stage|phase|part|step)\s*\d+)\b", re.IGNORECASE)
# "Section 1: Help and protection", "Part B – Early help", "Theme 3. Skills", "PRIORITY 2".
_HEADING_WORDS = re.compile(
    r"^(?:(?-i:[A-Z]{2,6})\s+)?"
    r"(section|part|chapter|area for improvement|area for development|area of focus|area|"
    r"theme|priority|strategic priority|strand|workstream|work stream|domain|pillar|block|"
    r"pledge|commitment|ambition|topic|subject|recommendation|finding|key line of enquiry|"
    r"kloe|objective|outcome|aim|goal)s?\b\s*"
    r"(\d{1,3}(?:\.\d+)*[a-z]?|(?-i:[A-Z])(?![a-z])|one|two|three|four|five|six|seven|eight|"
    r"nine|ten)?\s*[:.\-–—)]?\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_HEADING_MAX_CHARS = 200
# Words of a document's title, not of a theme ("PROPOSED ACTION PLAN", "QUARTERLY UPDATE").
_TITLE_WORDS = re.compile(
    r"\b(?:plan|plans|report|review|tracker|update|summary|summaries|appendix|annex|quarter|"
    r"quarterly|draft|monitoring|performance|scorecard|dashboard|progress)\b",
    re.I,
)
_NO_LEAD = re.compile(r"^\s*(?:n\s*/\s*a|none|not applicable|-+|–)\s*\.?\s*$", re.I)
_KEY_TITLE = re.compile(r"^(?:key|legend|glossary|key to (?:the )?\w+|definitions)\s*:?$", re.I)
_PAGE = re.compile(r"page\s*\d+\s*(?:of\s*\d+)?", re.IGNORECASE)
# Heading words that name the outcome level; the others (section, theme, pledge…) a priority.
_OUTCOME_HEADING_WORDS = {"objective", "outcome", "aim", "goal", "recommendation", "finding"}
# Rows that are not plan items: totals, sign-offs, page numbers and footers from a PDF.
_NOT_ITEM = re.compile(
    r"^(?:(?:grand\s+)?totals?\b.*|sub-?totals?\b.*|prepared by\b.*|completed by\b.*|"
    r"signed\b.*|date (?:of|last) (?:update|review)d?\b.*|last updated\b.*|"
    r"version\s*\d.*|page\s*\d+(?:\s*of\s*\d+)?|\d{1,3}|-\s*\d{1,3}\s*-|"
    r"(?:official|official[- ]sensitive|protect|restricted|not protectively marked)|"
    r"key\s*:.*|rag key\b.*|end of (?:plan|document|table)\.?|"
    r"\*+\s*\S.*|(?:foot)?notes?\s*:.*|source\s*:.*|"
    r"(?:red|amber|green|blue|grey|gray|black|white|purple)\s*(?:=|:|-|–|indicates|means|is)\s.*)$",
    re.IGNORECASE | re.DOTALL,
)
# Fields whose columns the plan reader takes text from (others are reported, cell by cell).
USED_FIELDS = {
    "priority",
    "outcome",
    "number",
    "action",
    "milestone",
    "due",
    "lead",
    "lead_org",
    "supporting",
    "progress",
    "notes",
    "status",
    "success",
    "resources",
    "source",
}


def _completion(text: str) -> str | None:
    """RAG.COMPLETE where a deadline cell says the work is done ("Held annually. Complete")."""
    parts = [part for part in re.split(r"[.\n]+", text or "") if part.strip()]
    if not parts:
        return None
    if status_from_words(parts[-1]) == RAG.COMPLETE or status_from_words(parts[0]) == RAG.COMPLETE:
        return RAG.COMPLETE
    if re.search(r"\b(?:complete[d]?|achieved|done)\s*\.?$", text.strip(), re.IGNORECASE):
        return RAG.COMPLETE
    return None


def _clean_lines(text: str) -> list[str]:
    lines = []
    for line in re.split(r"[\r\n]+", text or ""):
        line = re.sub(r"^\s*[•·▪*\-–]\s*", "", line).strip()
        if line:
            lines.append(line)
    return lines


def outcome_sources(statement: str) -> tuple[str, str, str]:
    """Split "Reduce bullying. (JAR / short term, APA)" into text, sources and timescale."""
    match = _TRAILING_PARENS.search(statement)
    if not match:
        return statement.strip(), "", ""
    parts = [part.strip() for part in re.split(r"\s*(?:/|,|\band\b)\s*", match[1]) if part.strip()]
    sources, timescale = [], ""
    for part in parts:
        scale = _TIMESCALE.fullmatch(part)
        if scale:
            timescale = scale[1].lower()
        elif _ACRONYM.match(part):
            sources.append(part)
        else:
            return statement.strip(), "", ""
    return statement[: match.start()].strip(), ", ".join(sources), timescale


class PlanBuilder:
    """Reads sheets one by one into priorities; collects findings as it goes."""

    def __init__(self, *, mapping: dict[str, str] | None = None, fallback_title: str = ""):
        # The heading for rows under none, where the sheet is named after the file (a CSV):
        # the plan's title, so next quarter's copy under another file name lands in place.
        self.fallback_title = fallback_title
        self.mapping = {label_key(key): value for key, value in (mapping or {}).items()}
        self.priorities: list[PriorityDraft] = []
        self.findings: list[SheetFinding] = []
        self.reports: list[SheetReport] = []

    # Findings -------------------------------------------------------------------------
    def note(self, sheet, row, column, message, level="warning"):
        self.findings.append(SheetFinding(sheet, row, column, message, level))

    # Sheets ---------------------------------------------------------------------------
    def looks_like_indicators(self, sheet: Sheet) -> bool:
        hits = 0
        for row in sheet.rows[:15]:
            for cell in row:
                if isinstance(cell.value, str) and _INDICATOR_WORDS.search(cell.value):
                    hits += 1
        return hits >= 4

    def read_sheet(self, sheet: Sheet) -> SheetReport:
        layout = find_layout(sheet.rows, mapping=self.mapping)
        if layout is None:
            if self.looks_like_indicators(sheet):
                reason = (
                    "it looks like a table of performance indicators, which this importer "
                    "does not bring in yet (indicators belong to the outcomes part of the "
                    "service); it was skipped"
                )
            elif not any(cell.value for row in sheet.rows for cell in row):
                reason = "it is empty; it was skipped"
            else:
                reason = (
                    "no header row with an action column (such as 'Action', 'By when', "
                    "'Who') was found, so it looks like a cover, contents or list sheet; "
                    "it was skipped"
                )
            report = SheetReport(sheet.name, "skipped", reason)
            self.note(sheet.name, None, None, f"Sheet '{sheet.name}': {reason}.", "info")
            self.reports.append(report)
            return report
        report = SheetReport(sheet.name, "plan", layout=layout)
        _SheetReader(self, sheet, layout).read()
        self.reports.append(report)
        return report


class _SheetReader:
    def __init__(self, builder: PlanBuilder, sheet: Sheet, layout: Layout):
        self.builder = builder
        self.sheet = sheet
        self.layout = layout
        self.legend: dict[str, str] = {}
        # A numbered status legend anywhere in the sheet ("1 Fully Achieved", "2 On Track"),
        # or in a Word document's paragraphs below its table: "2" in a status cell is Green.
        lone = [
            next(iter(values))
            for values in (
                {cell.text.strip() for cell in row if cell.text.strip()} for row in sheet.rows
            )
            if len(values) == 1
        ]
        self.number_legend = number_legend(lone + list(sheet.outside_text))
        self.in_key = False
        self.priority: PriorityDraft | None = None
        self.outcome: OutcomeDraft | None = None
        # The last lead written under the current outcome, and the row it stood in: a blank
        # lead under the same outcome means "as above" (see ``lead_text``).
        self.outcome_lead: tuple[int, str] | None = None
        self.outcome_key: str | None = None
        self.action: ActionDraft | None = None
        self.section_sources = ""
        self.cols = {
            name: layout.first(name)
            for name in (
                "priority",
                "outcome",
                "number",
                "action",
                "due",
                "lead",
                "progress",
                "status",
                "resources",
                "source",
                "lead_org",
            )
        }
        # A second progress column ("Update Q1", "Update Q2") is kept too, as notes.
        self.notes_cols = layout.all("progress")[1:] + layout.all("notes")
        self.status_cols = layout.all("status")
        self.title_outcome: OutcomeDraft | None = None
        self.sheet_heading = False
        self.bare_heading: tuple[PriorityDraft, str, str] | None = None
        self.supporting_cols = layout.all("supporting")
        self.row_org = ""
        self.milestone_cols = layout.all("milestone")
        self.success_cols = layout.all("success")
        if self.cols["action"] is None and self.milestone_cols:
            # Only a milestone column: each row is an action with its milestones.
            self.cols["action"] = self.milestone_cols.pop(0)
        header = sheet.rows[layout.header_row]
        action_col = self.cols["action"]
        if action_col and label_key(header[action_col.index].text) in SECTION_ACTION_LABELS:
            self.section_sources = header[action_col.index].text.strip()

    # Helpers --------------------------------------------------------------------------
    def cell(self, row: list[Cell], column: Column | None) -> Cell:
        if column is None or column.index >= len(row):
            return Cell()
        return row[column.index]

    def text(self, row, column) -> str:
        return self.cell(row, column).text.strip()

    def lead_text(self, row, row_number: int) -> str:
        """The row's lead; a blank one takes the lead written above it under the same outcome.

        Word tables pasted into Excel lose their vertically merged "Who" cells, leaving the
        lead in the first of an issue's rows only; the admin is told where it was carried down.
        """
        text = self.text(row, self.cols["lead"])
        if text and _NO_LEAD.match(text):
            # "N/A" says no one leads it: no lead, and nothing to carry down.
            self.outcome_lead = None
            self.note(row_number, self.cols["lead"], f"'{text}', so the item has no lead", "info")
            return ""
        if text:
            self.outcome_lead = (row_number, text)
            return text
        if self.row_org and (self.outcome_lead is None or not self.cols["lead"]):
            return self.row_org  # no named person: the lead organisation leads
        if self.outcome_lead is None or not self.cols["lead"]:
            return ""
        if self.sheet.explicit_merges:
            # A Word table merges the cell when it means "as above"; this one is blank.
            self.note(row_number, self.cols["lead"], "blank, so the item has no lead", "info")
            return ""
        source_row, text = self.outcome_lead
        if source_row != row_number:
            self.note(
                row_number,
                self.cols["lead"],
                f"blank; took '{text[:60]}' from row {source_row} above, under the same outcome",
                "info",
            )
            self.outcome_lead = (row_number, text)
        return text

    def status_cell(self, row) -> Cell:
        """The latest status a row gives: of "RAG May 20 … RAG Aug 22", the last filled."""
        for column in reversed(self.status_cols):
            cell = self.cell(row, column)
            if cell.text.strip() or cell.fill:
                return cell
        return self.cell(row, self.cols["status"])

    def leads(self, lead_text: str) -> list[LeadRef]:
        """The leads a cell names, each with the row's lead organisation where it has none."""
        leads = parse_leads(lead_text)
        if not self.row_org:
            return leads
        return [
            lead if lead.organisation else LeadRef(lead.name, lead.role_title, self.row_org[:200])
            for lead in leads
        ]

    def row_notes(self, row) -> str:
        """Notes columns, each labelled with its heading, for the commentary."""
        parts = []
        for column in self.notes_cols:
            text = self.text(row, column)
            if text:
                parts.append(f"{column.label}: {text}")
        return "\n".join(parts)

    def note(self, row_number, column: Column | None, message, level="warning"):
        label = f"'{column.label}'" if column else None
        where = f"Sheet '{self.sheet.name}', row {row_number}"
        if label:
            where += f", {label}"
        self.builder.note(self.sheet.name, row_number, label, f"{where}: {message}.", level)

    def ensure_priority(self, title=None, number="") -> PriorityDraft:
        if not title and self.sheet.named_after_file and self.builder.fallback_title:
            title = self.builder.fallback_title
        title = title or self.sheet.name
        for existing in self.builder.priorities:
            if existing.title == title:
                self.priority = existing
                return existing
        self.priority = PriorityDraft(title=title, number=number, sheet=self.sheet.name)
        self.builder.priorities.append(self.priority)
        return self.priority

    def start_outcome(self, *, raw: str, number: str, statement: str, row_number: int):
        priority = self.priority or self.ensure_priority()
        key = f"{priority.title}\x00{raw}"
        for existing in priority.outcomes:
            if f"{priority.title}\x00{existing.number} {existing.statement}" == key or (
                existing.number and existing.number == number
            ):
                self.outcome, self.outcome_key = existing, key
                return existing
        text, sources, timescale = outcome_sources(statement)
        self.outcome = OutcomeDraft(
            number=number,
            statement=text or statement,
            sheet=self.sheet.name,
            row=row_number,
            sources=sources,
            timescale=timescale,
        )
        self.outcome_key = key
        priority.outcomes.append(self.outcome)
        self.action = None
        self.outcome_lead = None
        return self.outcome

    def ensure_outcome(self, row_number: int) -> OutcomeDraft:
        if self.outcome is None:
            priority = self.priority or self.ensure_priority()
            self.note(
                row_number,
                None,
                "actions come before any outcome; they were put under an outcome named "
                f"after the priority ('{priority.title}'). Rename it after import",
                "info",
            )
            self.start_outcome(
                raw=priority.title, number="", statement=priority.title, row_number=row_number
            )
        return self.outcome

    # Rows -----------------------------------------------------------------------------
    def read(self):
        self.ensure_priority()
        self.report_columns()
        # Title rows above the header may already open a section ("ASPIRATION (PC1): …",
        # "Section 1: Help and protection"); others are the plan's title, named in a finding.
        seen_title = False
        for index in range(self.layout.header_row):
            row = self.sheet.rows[index]
            filled = [cell for cell in row if cell.value not in (None, "")]
            if not filled:
                continue
            first_row, seen_title = not seen_title, True
            first = filled[0].text.strip()
            if _SECTION.match(first):
                self.read_section(row, index + 1, filled)
                self.title_outcome = self.outcome
            elif self.read_heading(row, index + 1, filled, above_header=True, first_row=first_row):
                continue
            else:
                self.note(
                    index + 1,
                    None,
                    f"'{_excerpt(' | '.join(dict.fromkeys(c.text.strip() for c in filled)))}' "
                    "above the table's header was read as a title or note; not imported",
                    "info",
                )
        for index in range(self.layout.header_row + 1, len(self.sheet.rows)):
            row = self.sheet.rows[index]
            row_number = index + 1
            filled = [cell for cell in row if cell.value not in (None, "")]
            if not filled:
                continue
            if is_repeated_header(row, self.layout):
                action_col = self.cols["action"]
                label = self.text(row, action_col)
                if label and label_key(label) in SECTION_ACTION_LABELS:
                    self.section_sources = label
                self.note(row_number, None, "the header row again (a new page); skipped", "info")
                continue
            if self.read_key(row, row_number, filled):
                continue
            if self.read_legend(row):
                self.note(
                    row_number,
                    None,
                    "a colour legend ("
                    + ", ".join(f"#{k} = {RAG(v).label}" for k, v in self.legend.items())
                    + "); fill colours below are read by it, not as items",
                    "info",
                )
                continue
            if self.read_not_item(row_number, filled):
                continue
            if self.read_page_break(row, row_number, filled):
                continue
            if self.read_section(row, row_number, filled):
                continue
            if self.read_heading(row, row_number, filled):
                continue
            self.read_data(row, row_number)
            self.report_unused_cells(row, row_number)

    def report_columns(self):
        """Name every column that will not be imported, once per sheet."""
        for column in self.layout.columns:
            if column.field in (None, "ignore"):
                self.note(
                    self.layout.header_row + 1,
                    column,
                    "this column is not imported (its role is 'ignore'); choose a role for it "
                    "in the preview, or with --map on the command line, if it matters",
                    "info",
                )
        labelled = {column.index for column in self.layout.columns}
        self.unlabelled = labelled

    def report_unused_cells(self, row: list[Cell], row_number: int):
        """Every non-empty cell outside the imported columns is named, by row and column."""
        used = {
            column.index
            for column in self.layout.columns
            if column.field in USED_FIELDS and column.field != "ignore"
        }
        used_values = {row[i].text.strip() for i in used if i < len(row)}
        by_index = {column.index: column for column in self.layout.columns}
        for index, cell in enumerate(row):
            if index in used or cell.value in (None, ""):
                continue
            text = cell.text.strip()
            if not text or text in used_values:
                continue  # a merged cell spilling over from an imported column
            column = by_index.get(index)
            where = column if column else None
            label = f"column {_column_letter(index + 1)}" if column is None else "this column"
            self.note(
                row_number,
                where,
                f"'{text[:80]}' in {label} was not imported (the column is not mapped to a role)",
                "info",
            )

    def read_not_item(self, row_number: int, filled: list[Cell]) -> bool:
        """TOTAL rows, "Prepared by" lines, page numbers and footers are not plan items."""
        values = list(dict.fromkeys(cell.text.strip() for cell in filled))
        first = values[0]
        if _NOT_ITEM.match(first) and (
            len(values) == 1 or re.match(r"(?i)(grand\s+)?total", first)
        ):
            self.note(
                row_number,
                None,
                f"'{_excerpt(' | '.join(values))}' is not a plan item (a total, "
                "sign-off, page number, footnote or footer); not imported",
                "info",
            )
            return True
        return False

    def read_heading(self, row, row_number, filled, *, above_header=False, first_row=False) -> bool:
        """A lone value across a row ("Section 1: …", a theme) is a priority or an outcome.

        Above the table's header a heading is the sheet's priority. In the table it is a
        priority where the table has its own outcome column, else an outcome. A bare label
        ("Pledge 1", "Area for Improvement 2") followed by another lone row is one heading.
        """
        values = list(dict.fromkeys(cell.text.strip() for cell in filled))
        if len(values) != 1:
            self.bare_heading = None
            return False
        text = values[0]
        if len(text) > _HEADING_MAX_CHARS * 2 or (
            len(text) > _HEADING_MAX_CHARS and not above_header
        ):
            return False
        words = _HEADING_WORDS.match(text)
        spans = len(filled) >= 2 or (len(row) == 1 and len(self.layout.columns) > 1)
        if not spans and len(filled) == 1 and not above_header:
            # A theme row of a CSV: one short phrase in the Ref column or a column that holds
            # no item text, and nothing else on the row.
            index = next(i for i, cell in enumerate(row) if cell.value not in (None, ""))
            field_at = {c.index: c.field for c in self.layout.columns}.get(index)
            spans = (
                field_at in (None, "ignore", "number", "priority")
                and len(text) <= 120
                and len(text.split()) <= 15
                and not text.endswith(".")
                and not re.fullmatch(r"[\d.()a-z]{1,8}", text)
            )
        theme_caps = (
            above_header
            and not first_row
            and text.isupper()
            and not re.search(r"[\d,–—]", text)
            and not _TITLE_WORDS.search(text)
            and 2 <= len(text.split()) <= 10
            and not text.rstrip().endswith((".", ":"))
        )
        # "1. Community and voluntary sector engagement" spanning the row just above the
        # header (the theme's own number): the section the sheet's table sits under.
        numbered_section = (
            above_header
            and not first_row
            and spans
            and bool(re.match(r"\d{1,2}(?:\.\d{1,2})?[.)]?\s+[A-Z]", text))
            and len(text.split()) <= 15
            and "\n" not in text
            and not text.rstrip().endswith((".", ":"))
            and not _TITLE_WORDS.search(text)
        )
        if not words and self.bare_heading is None and not theme_caps and not numbered_section:
            if above_header or not spans:
                return False
            if "\n" in text and len(text.splitlines()) > 3:
                return False
        body, number = text, ""
        if words:
            number = (words[2] or "").strip()
            body = (words[3] or "").strip() or text
        if not number:
            number, rest = split_number(body)
            body = rest or body
        body = " ".join(body.split())
        bare = bool(words) and not (words[3] or "").strip()
        previous = self.bare_heading
        self.bare_heading = None
        if previous is not None and not bare:
            # "Pledge 1" then "We promise…": one heading, the label's number kept.
            holder, label, label_number = previous
            body, number = f"{label}: {body}", number or label_number
            if isinstance(holder, PriorityDraft) and not holder.outcomes:
                holder.title, holder.number = body[:500], number
                self.note(row_number, None, f"'{text[:60]}' completes the heading above", "info")
                return True
        outcome_word = bool(words) and words[1].lower().split()[0] in _OUTCOME_HEADING_WORDS
        as_priority = (
            (above_header and not (outcome_word and self.sheet_heading))
            or self.cols["outcome"] is not None
            or (bool(words) and not outcome_word)
        )
        if (
            (
                not as_priority
                and self.title_outcome is not None
                and self.outcome is self.title_outcome
            )
            and not self.title_outcome.actions
            and self.priority is not None
        ):
            # The section above the header is the sheet's heading; this one is under it.
            self.priority.outcomes.remove(self.title_outcome)
            self.ensure_priority(self.title_outcome.statement, self.title_outcome.number)
            self.title_outcome = None
        if as_priority:
            self.sheet_heading = self.sheet_heading or above_header
            self.ensure_priority(body, number)
            self.outcome = self.action = None
            self.outcome_key = None
            self.outcome_lead = None
            kind = "priority"
            if bare:
                self.bare_heading = (self.priority, text, number)
        else:
            self.start_outcome(raw=text, number=number, statement=body, row_number=row_number)
            kind = "outcome"
        self.note(
            row_number,
            None,
            f"'{text[:80]}' stands alone across the row, so it was read as a heading: a new "
            f"{kind} for the rows below it",
            "info",
        )
        return True

    def read_key(self, row, row_number, filled) -> bool:
        """A key or legend block below the table ("Key", then "Date: Date of the committee
        meeting", "1 Fully Achieved") explains the plan; it is not plan rows."""
        values = list(dict.fromkeys(cell.text.strip() for cell in filled))
        lone = len(values) == 1
        if lone and _KEY_TITLE.match(values[0]):
            self.in_key = True
            self.note(row_number, None, f"'{values[0][:40]}' starts the plan's key", "info")
            return True
        if lone and self.number_legend and number_legend_entry(values[0]):
            number, status = number_legend_entry(values[0])
            self.note(
                row_number,
                None,
                f"'{values[0][:60]}' is the status legend ({number} = {RAG(status).label}); "
                "numbers in the status column are read by it, not as an item",
                "info",
            )
            return True
        if self.in_key:
            if not lone:
                self.in_key = False
                return False
            self.note(
                row_number,
                None,
                f"'{values[0][:80]}' is part of the plan's key; not imported",
                "info",
            )
            return True
        return False

    def read_legend(self, row: list[Cell]) -> bool:
        pairs = []
        for cell in row:
            if cell.value in (None, ""):
                continue
            status = status_from_words(cell.text)
            if not cell.fill or not status or cell.fill.startswith("theme:"):
                return False
            pairs.append((colour_key(cell.fill), status))
        if len(pairs) < 2 or len({status for _, status in pairs}) < 2:
            return False
        # A legend only when there is no action text on the row.
        self.legend.update(dict(pairs))
        return True

    def read_section(self, row: list[Cell], row_number: int, filled: list[Cell]) -> bool:
        first = filled[0].text.strip()
        match = _SECTION.match(first)
        values = [cell.text.strip() for cell in filled]
        if match and (match[4].strip() or len(values) >= 2):
            kind = match[1].lower()
            code = (match[2] or match[3] or "").strip()
            body = match[4].strip() or " ".join(values[1:])
            if len(values) > 2 and not match[4].strip():
                return False
            if kind in ("priority", "theme"):
                number, title = split_number(body)
                self.ensure_priority(title or body, number or code)
                self.outcome = self.action = None
            else:
                number, statement = split_number(body)
                self.start_outcome(
                    raw=f"{code or number} {statement}",
                    number=code or number,
                    statement=statement,
                    row_number=row_number,
                )
            level = "priority" if kind in ("priority", "theme") else "outcome"
            self.note(
                row_number, None, f"'{first[:80]}' read as a heading: {article(level)}", "info"
            )
            return True
        if len(filled) == 1 and label_key(first) in SECTION_ACTION_LABELS:
            self.section_sources = first
            return True
        if len(filled) == 1:
            column = next(i for i, cell in enumerate(row) if cell.value not in (None, ""))
            mapped = {c.index: c.field for c in self.layout.columns}
            if column not in mapped or mapped[column] in ("ignore", None):
                self.note(row_number, None, f"'{first[:60]}' is not in a plan column; skipped")
                return True
        return False

    def read_page_break(self, row, row_number, filled) -> bool:
        """A row broken across a page: 'Page 1 of 9' carried over, or text that goes on.

        The page number is not an item; a cell starting in lower case under an item whose
        text has not ended is the rest of that item's text (and of its outcome's).
        """
        values = [cell.text.strip() for cell in filled]
        if any(_PAGE.fullmatch(value) for value in values):
            self.note(
                row_number, None, "a page number carried over from a PDF; not an item", "info"
            )
            return True
        action_col, outcome_col = self.cols["action"], self.cols["outcome"]
        text = self.text(row, action_col)
        last = self.action.milestones[-1] if self.action and self.action.milestones else None
        if not (
            re.match(r"[a-z]{2,}\b(?![.)])", text or "")
            and last is not None
            and self.milestone_cols == []
        ):
            return False
        if re.search(r"[.!?;:]$", last.text.strip()):
            return False
        own_lead, own_due = self.text(row, self.cols["lead"]), self.text(row, self.cols["due"])
        if (own_lead and own_lead != last.lead_text) or (own_due and own_due != last.due.text):
            # A lead or deadline of its own: another step written in lower case, not the
            # rest of the text above.
            return False
        if self.action.text == last.text:
            self.action.text = f"{self.action.text} {text}"
        last.text = f"{last.text} {text}"
        outcome_text = self.text(row, outcome_col)
        if outcome_text and outcome_text[0].islower() and self.outcome is not None:
            self.outcome.statement = f"{self.outcome.statement} {outcome_text}"
            self.outcome_key = None
        self.note(
            row_number,
            action_col,
            "continues the text of the row above (a row broken across a page); joined to it",
            "info",
        )
        return True

    def read_data(self, row: list[Cell], row_number: int):
        cols = self.cols
        self.row_org = self.text(row, cols["lead_org"])
        priority_text = self.text(row, cols["priority"])
        if priority_text and (self.priority is None or priority_text != self.priority.title):
            number, title = split_number(priority_text)
            self.ensure_priority(title or priority_text, number)
            self.outcome = self.action = None
        outcome_text = self.text(row, cols["outcome"])
        new_outcome = False
        if outcome_text:
            number, statement = split_number(outcome_text)
            ref = self.text(row, cols["number"])
            if not number and ref and cols["action"] is not None:
                # "1.2" in the Ref column of a recommendation's first action: outcome "1".
                number = ref.split(".")[0].strip() if "." in ref else ref
            key = f"{(self.priority or self.ensure_priority()).title}\x00{outcome_text}"
            if key != self.outcome_key:
                self.start_outcome(
                    raw=outcome_text, number=number, statement=statement, row_number=row_number
                )
                new_outcome = True
        for column in self.success_cols:
            for line in _clean_lines(self.text(row, column)):
                if self.outcome is None and self.text(row, cols["action"]):
                    # The first item of a plan with no outcome column: the sheet's outcome.
                    self.ensure_outcome(row_number)
                if self.outcome is not None and line not in self.outcome.success_criteria:
                    self.outcome.success_criteria.append(line)
        action_text = self.text(row, cols["action"])
        has_milestone_text = any(self.text(row, column) for column in self.milestone_cols)
        has_detail = any(
            self.text(row, cols[name]) or self.cell(row, cols[name]).fill
            for name in ("due", "lead", "progress", "status")
            if cols[name]
        ) or bool(self.row_notes(row))
        same_action = (
            self.action is not None
            and action_text == self.action.text
            and self.milestone_cols
            and not has_milestone_text
        )
        repeated = (
            not same_action
            and self.action is not None
            and bool(action_text)
            and action_text == self.action.text
            and not self.milestone_cols
            and self._same_item_cells(row)
        )
        if same_action or repeated:
            # The action's merged cell spills over a row that only adds to its last step
            # (a Word cell of several progress paragraphs pasted into Excel).
            self.read_continuation(row, row_number)
        elif action_text:
            self.read_action_row(row, row_number, action_text)
        elif new_outcome and has_detail and not has_milestone_text and self.outcome is not None:
            # A recommendation of its own with no sub-action but its own status or lead
            # ("PROVUL33 | Diversionary scheme … | | Complete"): it is the tracked item, not
            # more of the action above, which answers another recommendation.
            self.read_action_row(row, row_number, self.outcome.statement)
            self.note(
                row_number,
                cols["action"],
                "blank, so the recommendation on this row is its own item",
                "info",
            )
        elif (has_milestone_text or has_detail) and self.action is not None:
            self.read_continuation(row, row_number)
        elif has_milestone_text or has_detail:
            self.note(row_number, None, "a deadline or lead without an action; skipped")

    def _same_item_cells(self, row) -> bool:
        """The row repeats the last item's deadline and lead (merged cells spilling over):
        what differs is only its progress or notes."""
        last = self.action.milestones[-1] if self.action and self.action.milestones else None
        if last is None:
            return False
        due_text = self.text(row, self.cols["due"])
        lead = self.text(row, self.cols["lead"])
        return (not due_text or " ".join(due_text.split()) == last.due.text) and (
            not lead or lead == last.lead_text
        )

    # Actions and milestones -----------------------------------------------------------
    def row_details(self, row, row_number, count: int):
        """Per-item (due, lead text, status, commentary, status source) for ``count`` items."""
        cols = self.cols
        due_cell = self.cell(row, cols["due"])
        due_parts: list[object] = [due_cell.value]
        if count > 1 and isinstance(due_cell.value, str):
            whole = parse_due(due_cell.value)
            phrases = find_dates(due_cell.value)
            if whole.kind == "date" and len(phrases) == count:
                due_parts = [phrase for phrase, _ in phrases]
            else:
                lines = [line for line in due_cell.value.splitlines() if line.strip()]
                if len(lines) == count:
                    due_parts = lines
        lead_text = self.lead_text(row, row_number)
        lead_parts = split_repeated(lead_text, count) if count > 1 else None
        status_cell = self.status_cell(row)
        progress_cell = self.cell(row, cols["progress"])
        status_text = status_cell.text.strip()
        progress_text = progress_cell.text.strip()
        notes_text = self.row_notes(row)
        status_parts = split_status_words(status_text, count) if count > 1 else None
        progress_parts = split_status_words(progress_text, count) if count > 1 else None

        details = []
        for index in range(count):
            due_value = due_parts[index] if len(due_parts) == count else due_parts[0]
            lead = lead_parts[index] if lead_parts else lead_text
            s_text = status_parts[index] if status_parts else status_text
            p_text = progress_parts[index] if progress_parts else progress_text
            status, source = None, ""
            if s_text:
                status = self.number_legend.get(s_text.rstrip(".")) or status_from_words(s_text)
                if status is None and index == 0 and UNDER_WAY.match(s_text):
                    self.note(
                        row_number,
                        cols["status"],
                        f"'{s_text[:60]}' says the work is under way but gives no RAG; kept "
                        "as commentary, status left as Not started",
                        "info",
                    )
                elif status is None and index == 0:
                    self.note(
                        row_number,
                        cols["status"],
                        f"'{s_text[:60]}' is not a status we recognise; status left as Not started",
                    )
                source = "words" if status else ""
            s_status = status
            if status is None and p_text:
                status = status_from_words(p_text)
                source = "words" if status else ""
                if status is None and len(p_text) <= 30 and index == 0:
                    self.note(
                        row_number,
                        cols["progress"],
                        f"'{p_text}' is not a status we recognise; kept as commentary, "
                        "status left as Not started",
                        "info",
                    )
            if status is None and isinstance(due_value, str) and parse_due(due_value).day is None:
                # "Completed" or "Held annually in September. Complete" in the deadline column.
                words_status = _completion(due_value)
                if words_status == RAG.COMPLETE:  # "Ongoing" there is a timescale, not a RAG
                    status, source = words_status, "words"
            if status is None:
                for cell, column in (
                    (status_cell, cols["status"]),
                    (progress_cell, cols["progress"]),
                ):
                    if (
                        column
                        and cell.fill
                        and not (
                            cell.text.strip()
                            and column is cols["status"]
                            and status_from_words(cell.text)
                        )
                    ):
                        status = self.colour_status(cell.fill, row_number, column)
                        if status:
                            source = "colour"
                            break
            # A status cell that gave no status ("In progress") is kept beside the progress.
            unread = s_text if s_text and s_status is None and s_text not in p_text else ""
            commentary = "\n".join(t for t in (unread, p_text) if t)
            if notes_text:
                commentary = f"{commentary}\n{notes_text}".strip()
            details.append((due_value, lead, status or RAG.NOT_STARTED, commentary, source))
        return details

    def colour_status(self, fill: str, row_number: int, column: Column) -> str | None:
        if fill.startswith("theme:"):
            self.note(
                row_number,
                column,
                "the cell is coloured with a theme colour we cannot read as a RAG status; "
                "status left as Not started",
            )
            return None
        key = colour_key(fill)
        if key in self.legend:
            return self.legend[key]
        status = status_from_colour(fill)
        if status and not self.legend:
            self.note(
                row_number,
                column,
                f"no text, so the status was read from the cell's colour (#{key}) as "
                f"{RAG(status).label}; the sheet has no legend row to confirm it",
                "info",
            )
        return status

    def due_for(self, value, row_number, *, default: date | None = None, default_text=""):
        due = parse_due(value)
        if due.kind == "empty" and default is not None:
            return DueDate(text=default_text, day=default, kind="date", dates=[default])
        if due.kind == "unrecognised":
            self.note(row_number, self.cols["due"], f"{due.note}; kept as text")
        elif due.note and due.kind == "date":
            self.note(row_number, self.cols["due"], due.note, "info")
        return due

    def new_action(self, row, row_number, *, number, text, lead_text) -> ActionDraft:
        outcome = self.ensure_outcome(row_number)
        sources = [s for s in (outcome.sources, self.text(row, self.cols["source"])) if s]
        if self.section_sources:
            sources.append(self.section_sources)
        resources = self.text(row, self.cols["resources"])
        supporting = "; ".join(t for t in (self.text(row, c) for c in self.supporting_cols) if t)
        if supporting:
            resources = f"{resources}\nSupporting partners: {supporting}".strip()
        if not number:
            number = self.text(row, self.cols["number"])[:30]
        action = ActionDraft(
            number=number,
            text=text,
            leads=self.leads(lead_text),
            lead_text=lead_text[:500],
            resources=resources,
            sources=", ".join(sources)[:200],
            timescale=outcome.timescale,
            see_also=see_also(text),
            sheet=self.sheet.name,
            row=row_number,
        )
        outcome.actions.append(action)
        self.action = action
        return action

    def milestone(
        self, action, *, number, text, lead_text, due, status, commentary, source, row_number
    ):
        leads = self.leads(lead_text)
        draft = MilestoneDraft(
            number=number,
            text=text,
            lead=leads[0] if leads else None,
            lead_text=lead_text[:500],
            due=due,
            status=status,
            commentary=commentary,
            status_from=source,
            sheet=self.sheet.name,
            row=row_number,
        )
        action.milestones.append(draft)
        for lead in leads:
            if lead not in action.leads:
                action.leads.append(lead)
        return draft

    def read_action_row(self, row, row_number, action_text):
        preamble, items = split_items(action_text)
        if len(items) == 1:
            # Lines with nothing marking them as items split only where the deadline or
            # lead cell has a line for each: three actions, three dates, three leads.
            lines = split_lines(action_text)
            companions = [
                len([line for line in self.text(row, self.cols[name]).splitlines() if line.strip()])
                for name in ("due", "lead")
            ]
            if len(lines) >= 2 and len(lines) in companions:
                items, preamble = lines, ""
                self.note(
                    row_number,
                    self.cols["action"],
                    f"{len(lines)} lines, paired in order with the {len(lines)} lines of the "
                    "deadline or lead cell; each became a milestone",
                    "info",
                )
        lead_text = self.lead_text(row, row_number)
        numbered = len(items) > 1 and all(re.fullmatch(r"\d+\.\d+", i.number) for i in items)
        if numbered:
            # "21.3 … 21.4 …": several actions in one cell, each with its own milestone.
            details = self.row_details(row, row_number, len(items))
            for item, (due_value, lead, status, commentary, source) in zip(
                items, details, strict=True
            ):
                action = self.new_action(
                    row, row_number, number=item.number, text=item.text, lead_text=lead
                )
                self.add_row_milestones(
                    row,
                    row_number,
                    action,
                    [Item("", item.text)],
                    [(due_value, lead, status, commentary, source)],
                )
            self.note(
                row_number,
                self.cols["action"],
                f"one cell held {len(items)} numbered actions "
                f"({', '.join(i.number for i in items)}); each became an action",
                "info",
            )
            return
        if len(items) > 1:
            number, text = split_number(preamble or action_text)
            action = self.new_action(
                row, row_number, number=number, text=text or preamble, lead_text=lead_text
            )
            details = self.row_details(row, row_number, len(items))
            self.add_row_milestones(row, row_number, action, items, details)
            return
        number, text = split_number(items[0].text if items else action_text)
        if not number:
            number, _ = split_number(action_text)
        action = self.new_action(row, row_number, number=number, text=text, lead_text=lead_text)
        details = self.row_details(row, row_number, 1)
        self.add_row_milestones(row, row_number, action, [Item("", text)], details)

    def add_row_milestones(self, row, row_number, action, items, details):
        if self.milestone_cols:
            self.add_column_milestones(row, row_number, action, details[0])
            return
        for item, (due_value, lead, status, commentary, source) in zip(items, details, strict=True):
            due = self.due_for(due_value, row_number)
            text = item.text
            step = _STEP_LABEL.match(due.text or "")
            if step:
                text = f"{step[1].title()}: {text}"
            self.milestone(
                action,
                number=item.number,
                text=text,
                lead_text=lead,
                due=due,
                status=status,
                commentary=commentary,
                source=source,
                row_number=row_number,
            )

    def add_column_milestones(self, row, row_number, action, detail):
        due_value, lead, status, commentary, source = detail
        added = False
        for column in self.milestone_cols:
            cell_text = self.text(row, column)
            if not cell_text:
                continue
            _, items = split_items(cell_text, every_line=True)
            default = end_of_financial_year(column.year) if column.year else None
            default_text = f"{column.year}/{(column.year + 1) % 100:02d}" if column.year else ""
            for item in items:
                # The deadline column beats date-like words in the step's own text
                # ("Single Outcome Agreement 2013-14" is a name, "Dec 12" the deadline).
                phrases = [] if self.text(row, self.cols["due"]) else find_dates(item.text)
                if self.text(row, self.cols["due"]):
                    due = self.due_for(due_value, row_number)
                elif phrases:
                    phrase, day = phrases[-1]
                    due = DueDate(text=phrase, day=day, kind="date", dates=[day])
                else:
                    due = DueDate(
                        text=default_text, day=default, kind="date" if default else "empty"
                    )
                self.milestone(
                    action,
                    number=item.number,
                    text=item.text,
                    lead_text=lead,
                    due=due,
                    status=status,
                    commentary=commentary,
                    source=source,
                    row_number=row_number,
                )
                added = True
        if not added:
            self.milestone(
                action,
                number="",
                text=action.text,
                lead_text=lead,
                due=self.due_for(due_value, row_number),
                status=status,
                commentary=commentary,
                source=source,
                row_number=row_number,
            )

    def read_continuation(self, row, row_number):
        """A row with no action text: more of the action above.

        A Word cell of several paragraphs pasted into Excel becomes one row per paragraph.
        Where the row adds no deadline or lead of its own, its progress belongs to the item
        above (appended to its commentary; success measures went to the outcome's criteria).
        A row with a deadline of its own is another milestone of the action ("Stage 2").
        """
        action = self.action
        details = self.row_details(row, row_number, 1)
        if self.milestone_cols and any(self.text(row, c) for c in self.milestone_cols):
            self.add_column_milestones(row, row_number, action, details[0])
            return
        due_value, lead, status, commentary, source = details[0]
        last = action.milestones[-1] if action.milestones else None
        due_text = self.text(row, self.cols["due"])
        own_lead = self.text(row, self.cols["lead"])
        done = _completion(due_text) if due_text and parse_due(due_text).day is None else None
        if (
            last is not None
            and (not due_text or due_text == last.due.text or done)
            and (not own_lead or own_lead == last.lead_text)
        ):
            if done and last.status_from != "words":
                status, source = done, "words"
                last.status_from = ""
            if commentary and commentary not in last.commentary:
                last.commentary = f"{last.commentary}\n{commentary}".strip()
            if source and not last.status_from:
                last.status, last.status_from = status, source
            self.note(
                row_number,
                None,
                "no action text and no deadline of its own: read as more of "
                f"{action.number or action.text[:40]!r} above (progress added to its commentary)",
                "info",
            )
            return
        due = self.due_for(due_value, row_number)
        step = _STEP_LABEL.match(due.text or "")
        base = re.sub(r"^(?:stage|phase|part|step)\s*\d+:\s*", "", action.text, flags=re.I)
        text = f"{step[1].title()}: {base}" if step else base
        self.milestone(
            action,
            number="",
            text=text,
            lead_text=lead or action.lead_text,
            due=due,
            status=status,
            commentary=commentary,
            source=source,
            row_number=row_number,
        )
        self.note(
            row_number,
            None,
            f"no action text, so this row became another milestone of action "
            f"{action.number or action.text[:40]}",
            "info",
        )
