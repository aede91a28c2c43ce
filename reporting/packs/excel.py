"""The board pack as an Excel workbook (openpyxl): the same content as the PDF, to slice.

Every sheet: a title row saying what it is (and DRAFT for live data), a header row that is
frozen, filtered and repeated when printed, landscape fit to width. User text is always
written as text, and text beginning "=", "+", "-", "@", a tab or a carriage return carries
Excel's quote prefix, so it never becomes a formula, even once edited or saved as CSV.
"""

from collections.abc import Iterable
from datetime import date, datetime
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from plans import rag
from plans.formatting import govuk_date, govuk_datetime
from reporting.state import to_datetime

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "d mmmm yyyy"  # 30 June 2009, as pages and the PDF write dates
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
DRAFT_FONT = Font(bold=True, size=13, color="D4351C")
HEADER_FILL = PatternFill("solid", fgColor="F3F2F1")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
RAG_FILLS = {
    value: PatternFill("solid", fgColor=s.colour.lstrip("#").upper())
    for value, s in rag.STATUSES.items()
}
RAG_FONTS = {
    value: Font(bold=True, color=s.ink.lstrip("#").upper()) for value, s in rag.STATUSES.items()
}


def formula_safe_text(text: str) -> str:
    """Text for a CSV cell that no spreadsheet will run: a leading apostrophe before "=", "+",
    "-", "@", a tab or a carriage return (CSV has no quote-prefix flag, so it is written)."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def safe_value(value):
    """A value as it should land in a cell: text stays text, illegal control characters go."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, datetime):
        # Excel has no time zones: write the local wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def put(ws: Worksheet, row: int, column: int, value, *, wrap: bool = False):
    """Write one cell; strings are forced to text so nothing a user typed is a formula."""
    cell = ws.cell(row=row, column=column)
    cell.value = safe_value(value)
    if isinstance(cell.value, str):
        # openpyxl would store "=…" as a live formula; data_type "s" keeps it a string.
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_TRIGGERS):
            # ...and the quote prefix (Excel's leading apostrophe) keeps it one when the cell
            # is edited or the sheet is saved as CSV. Whatever reaches here is neutralised:
            # the update service strips a leading tab, so "\t=1+1" arrives as "=1+1".
            cell.quotePrefix = True
    elif isinstance(cell.value, date | datetime):
        cell.number_format = DATE_FORMAT
    cell.alignment = WRAP if wrap else TOP
    return cell


def put_rag(ws: Worksheet, row: int, column: int, status: str, label: str) -> None:
    """RAG as text and as fill colour, never colour alone."""
    cell = put(ws, row, column, label)
    cell.fill = RAG_FILLS.get(status, RAG_FILLS["not_started"])
    cell.font = RAG_FONTS.get(status, RAG_FONTS["not_started"])


class Table:
    """A sheet holding one table: title row 1, header row 2, data from row 3."""

    def __init__(self, wb: Workbook, pack: dict, title: str, columns: list[tuple[str, int]]):
        self.ws = wb.create_sheet(title)
        self.columns = columns
        self.row = 3
        write_title(self.ws, pack, title)
        for index, (heading, width) in enumerate(columns, start=1):
            cell = put(self.ws, 2, index, heading, wrap=True)
            cell.font = BOLD
            cell.fill = HEADER_FILL
            self.ws.column_dimensions[get_column_letter(index)].width = width

    def add(self, values: Iterable, *, rag: tuple[int, str, str] | None = None, wrap=()) -> None:
        for index, value in enumerate(values, start=1):
            put(self.ws, self.row, index, value, wrap=index in wrap)
        if rag:
            put_rag(self.ws, self.row, *rag)
        self.row += 1

    def finish(self) -> None:
        last = get_column_letter(len(self.columns))
        self.ws.freeze_panes = "A3"
        self.ws.auto_filter.ref = f"A2:{last}{max(self.row - 1, 2)}"
        self.ws.print_title_rows = "2:2"


def write_title(ws: Worksheet, pack: dict, title: str) -> None:
    text = f"{pack['partnership']} · {pack['plan']} · {pack['period']} · {title} · {pack['scope']}"
    cell = put(
        ws, 1, 1, ("DRAFT: live data, not a closed quarter · " if pack["draft"] else "") + text
    )
    cell.font = DRAFT_FONT if pack["draft"] else TITLE
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.left.text = "&A"
    if pack["draft"]:
        ws.oddHeader.center.text = "DRAFT"
        ws.oddHeader.center.color = "D4351C"
    ws.oddFooter.right.text = "Page &P of &N"


MILESTONE_COLUMNS = [
    ("Priority", 28),
    ("Outcome", 36),
    ("Action", 36),
    ("Milestone", 40),
    ("Lead", 22),
    ("Organisation", 20),
    ("Original due", 13),
    ("Current due", 13),
    ("Due as written", 16),
    ("RAG", 12),
    ("Completed on", 13),
    ("Slipped", 9),
    ("Overdue", 9),
    ("Commentary", 60),
    ("Reason for date change", 36),
    ("Updated by", 18),
    ("Updated on", 13),
]
MILESTONE_WRAP = {1, 2, 3, 4, 14, 15}


def milestone_values(m: dict) -> list:
    return [
        m["priority"],
        m["outcome"],
        m["action"],
        m["milestone"],
        m["lead_name"],
        m["organisation"],
        m["original_due"],
        m["due"],
        m["due_text"],
        m["status_label"],
        m["completed"],
        "Yes" if m["slipped"] else "No",
        "Yes" if m["overdue"] else "No",
        m["commentary"]
        + (
            f"\n(No change, confirmed on {govuk_date(m['no_change_on'])})"
            if m.get("no_change_on")
            else ""
        ),
        m["due_date_reason"],
        m["update_author"],
        m["updated"].date() if m["updated"] else None,
    ]


def review_text(m: dict) -> str:
    """The coordinator's review of the milestone's latest update: its flag, then the thread."""
    review = m.get("review") or {}
    lines = [review["flag"]] if review.get("flag") else []
    for message in review.get("thread", []):
        words = f": {message['text']}" if message["text"] else ""
        lines.append(f"{message['label']} by {message['author'] or 'someone'}{words}")
        if message["note"]:
            lines.append(f"({message['note']})")
    return "\n".join(lines)


def milestone_sheet(wb: Workbook, pack: dict, title: str, rows: list[dict], empty: str) -> None:
    # The review column only where the partnership switched review flags on (review app).
    flags = pack.get("review_flags", False)
    columns = [*MILESTONE_COLUMNS, ("Review", 40)] if flags else MILESTONE_COLUMNS
    wrap = MILESTONE_WRAP | {len(columns)} if flags else MILESTONE_WRAP
    table = Table(wb, pack, title, columns)
    if not rows:
        table.add([empty])
    for m in rows:
        values = milestone_values(m) + ([review_text(m)] if flags else [])
        table.add(values, rag=(10, m["status"], m["status_label"]), wrap=wrap)
    table.finish()


def summary_sheet(wb: Workbook, pack: dict) -> None:
    ws = wb.active
    ws.title = "Summary"
    write_title(ws, pack, "Summary")
    facts = [
        ("Partnership", pack["partnership"]),
        ("Plan", pack["plan"]),
        ("Reporting period", pack["period"]),
        ("Covers", pack["scope"]),
        (
            "Status",
            "DRAFT: live data, not a closed quarter"
            if pack["draft"]
            else "Closed quarter, frozen on "
            f"{govuk_datetime(safe_value(pack['snapshot_taken_at']))}",
        ),
        ("Produced", pack["produced_at"]),
        ("Red", pack["totals"][0]),
        ("Amber", pack["totals"][1]),
        ("Milestones", pack["total"]),
        ("Slipped", len(pack["slipped"])),
        (
            f"Overdue as at {govuk_date(pack['as_at'])}" if pack["as_at"] else "Overdue",
            len(pack["overdue"]),
        ),
        ("Completed this quarter", len(pack["completed"])),
        ("Worse since last quarter", len(pack["changes"]["worse"])),
        ("Better since last quarter", len(pack["changes"]["better"])),
        ("Started since last quarter", len(pack["changes"]["started"])),
    ]
    for text, count in pack["indicator_summary"]["on_target"]:
        facts.append((f"Indicators: {text}", count))
    for text, count in pack["indicator_summary"]["direction"]:
        facts.append((f"Indicators: {text}", count))
    row = 3
    for name, value in facts:
        put(ws, row, 1, name).font = BOLD
        put(ws, row, 2, value)
        row += 1
    row += 1
    header_row = row
    headings = ["Priority"] + [label for _, label, _, _ in pack["rag_order"]] + ["Total"]
    for column, heading in enumerate(headings, start=1):
        cell = put(ws, row, column, heading)
        cell.font = BOLD
        cell.fill = HEADER_FILL
    for column, (status, label, _, _) in enumerate(pack["rag_order"], start=2):
        put_rag(ws, row, column, status, label)
    row += 1
    for line in pack["summary"] + [
        {"priority": "All priorities", "counts": pack["totals"], "total": pack["total"]}
    ]:
        put(ws, row, 1, line["priority"], wrap=True)
        for column, count in enumerate(line["counts"], start=2):
            put(ws, row, column, count)
        put(ws, row, len(headings), line["total"])
        row += 1
    ws.column_dimensions["A"].width = 50
    ws.column_dimensions["B"].width = 40
    for column in range(3, len(headings) + 1):
        ws.column_dimensions[get_column_letter(column)].width = 13
    ws.print_title_rows = f"{header_row}:{header_row}"


def changes_sheet(wb: Workbook, pack: dict) -> None:
    changes = pack["changes"]
    table = Table(
        wb,
        pack,
        "Changes",
        [
            ("Change", 18),
            ("Priority", 28),
            ("Milestone or indicator", 50),
            ("Lead", 22),
            ("Organisation", 20),
            ("Was", 14),
            ("Now", 14),
            ("Was due", 13),
            ("Now due", 13),
            ("Reason given", 40),
        ],
    )
    table.add([changes["basis"]], wrap={1})
    kinds = [
        ("Worse RAG", changes["worse"]),
        ("Better RAG", changes["better"]),
        ("Started", changes["started"]),
        ("Completed", changes["completed"]),
        ("Date moved later", changes["slipped"]),
        ("New", changes["new"]),
        ("Removed", changes["removed"]),
    ]
    for kind, rows in kinds:
        for m in rows:
            table.add(
                [
                    kind,
                    m["priority"],
                    m["milestone"],
                    m["lead_name"],
                    m["organisation"],
                    m.get("from_label", ""),
                    m["status_label"],
                    m.get("from_due"),
                    m["due"],
                    m["due_date_reason"] if kind == "Date moved later" else "",
                ],
                wrap={2, 3, 10},
            )
    for i in changes["indicators"]:
        table.add(
            [
                "Indicator direction",
                "",
                f"{i['code']} {i['definition']}".strip(),
                "",
                "",
                i["from_direction"],
                i["direction"],
            ],
            wrap={3},
        )
    table.finish()


def indicators_sheet(wb: Workbook, pack: dict) -> None:
    table = Table(
        wb,
        pack,
        "Indicators",
        [
            ("Code", 12),
            ("Indicator", 50),
            ("Good performance is", 14),
            ("Unit", 14),
            ("Period", 14),
            ("Actual", 12),
            ("Target", 12),
            ("On target", 14),
            ("Direction of travel", 16),
            ("Comparators", 40),
        ],
    )
    if not pack["indicators"]:
        table.add(["", "No performance indicators are recorded for this plan."])
    for i in pack["indicators"]:
        table.add(
            [
                i["code"],
                i["definition"],
                i["polarity_label"],
                i["unit"],
                i["latest_period_label"],
                i["actual_display"],
                i["target_display"],
                i["on_target"],
                i["direction"],
                "; ".join(i["comparators"]),
            ],
            wrap={2, 10},
        )
    table.finish()


def signoff_sheet(wb: Workbook, pack: dict) -> None:
    """Who signed off the quarter, and when: only where the partnership signs off."""
    signoff = pack.get("signoff")
    if not signoff:
        return
    table = Table(
        wb,
        pack,
        "Sign-off",
        [("Signed off for", 36), ("Signatory", 28), ("Signed off by", 28), ("Signed off at", 22)],
    )
    rows = [(row["organisation"], row) for row in signoff["organisations"]]
    rows.append(("The whole quarter (the chair)", signoff["chair"]))
    for name, row in rows:
        signed_at = row.get("signed_at")
        table.add(
            [
                name,
                row.get("signatory") or "None nominated",
                row.get("signed_by") or "Not signed off",
                govuk_datetime(timezone.localtime(signed_at)) if signed_at else "",
            ]
        )


EVIDENCE_COLUMNS = [
    ("Priority", 30),
    ("Milestone", 40),
    ("Lead", 22),
    ("File", 40),
    ("Size", 10),
    ("Attached by", 20),
    ("Attached on", 13),
]


def evidence_sheet(wb: Workbook, pack: dict) -> None:
    """The files attached to each milestone's updates; only in a pack that has any, so packs
    of plans without evidence are as they were."""
    rows = [m for m in pack["milestones"] if m.get("attachments")]
    if not rows:
        return
    table = Table(wb, pack, "Evidence", EVIDENCE_COLUMNS)
    for m in rows:
        for file in m["attachments"]:
            attached = to_datetime(file.get("created_at"))
            table.add(
                [
                    m["priority"],
                    m["milestone"],
                    m["lead_name"],
                    file["file_name"],
                    file["size_display"],
                    file.get("uploaded_by_name", ""),
                    attached.date() if attached else None,
                ],
                wrap={1, 2, 4},
            )
    table.finish()


def render_xlsx(pack: dict) -> bytes:
    """Write pack data to an .xlsx workbook and return its bytes."""
    wb = Workbook()
    subset = pack["scope"] if pack.get("subset") else "whole plan"
    wb.properties.title = f"Board pack {pack['period']}: {pack['plan']}, {subset}"
    if pack["snapshot_digest"]:
        # Which frozen quarter this is, in the document properties rather than on a sheet.
        wb.properties.keywords = f"snapshot-sha256:{pack['snapshot_digest']}"
        wb.properties.description = f"Snapshot SHA-256 {pack['snapshot_digest']}"
    wb.properties.creator = "Partnership plans"
    summary_sheet(wb, pack)
    changes_sheet(wb, pack)
    milestone_sheet(wb, pack, "Exceptions", pack["exceptions"], "No milestone is red or amber.")
    slipped_and_overdue = pack["slipped"] + [m for m in pack["overdue"] if not m["slipped"]]
    milestone_sheet(
        wb,
        pack,
        "Slipped and overdue",
        slipped_and_overdue,
        "No milestone has slipped or is overdue.",
    )
    milestone_sheet(
        wb, pack, "Completed", pack["completed"], "No milestone was completed this quarter."
    )
    indicators_sheet(wb, pack)
    signoff_sheet(wb, pack)
    milestone_sheet(wb, pack, "Full plan", pack["milestones"], "This plan has no milestones.")
    evidence_sheet(wb, pack)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
