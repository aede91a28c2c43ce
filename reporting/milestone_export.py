"""The milestone list as a file: the rows the list shows, with its filters, as Excel or CSV.

One row per milestone, read from ``plans.selectors.milestone_list`` through the list's own
filters, so the file holds what the page shows (all pages of it). Text is formula-safe the
way the board pack's is (``reporting.packs.excel``): the same triggers, one definition.
"""

import csv
from datetime import date
from io import BytesIO, StringIO

from django.utils import timezone
from openpyxl import Workbook

from plans import rag
from reporting.packs.excel import BOLD, HEADER_FILL, formula_safe_text, put, put_rag

COLUMNS = [
    ("Plan", 24),
    ("Priority", 28),
    ("Outcome", 30),
    ("Action", 30),
    ("Number", 10),
    ("Milestone", 48),
    ("Lead", 24),
    ("Organisation", 24),
    ("Original due date", 14),
    ("Due date", 14),
    ("Due (as written)", 18),
    ("RAG", 14),
    ("Latest commentary", 60),
    ("Last updated", 14),
]
RAG_COLUMN = 11


def _label(number: str, text: str) -> str:
    return f"{number} {text}".strip()


def milestone_rows(milestones) -> list[list]:
    """Each milestone as the file's cells, in ``COLUMNS`` order (a status value at ``RAG``).

    ``milestones`` come from ``plans.selectors.milestone_list`` with ``latest_update`` joined.
    """
    rows = []
    for m in milestones:
        action = m.action
        outcome = action.outcome
        priority = outcome.priority
        latest = m.latest_update
        lead = m.lead
        rows.append(
            [
                priority.plan.title,
                _label(priority.number, priority.title),
                _label(outcome.number, outcome.statement),
                _label(action.number, action.text),
                m.number,
                m.text,
                lead.name if lead else m.lead_text,
                lead.organisation.name if lead and lead.organisation_id else "",
                m.original_due_date,
                m.due_date,
                m.due_text,
                m.status,
                latest.commentary if latest else "",
                timezone.localdate(latest.created_at) if latest else None,
            ]
        )
    return rows


def milestones_xlsx(rows: list[list], *, title: str) -> bytes:
    """The rows as a one-sheet workbook: a title row, a frozen, filtered header, RAG as text
    and fill."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Milestones"
    wb.properties.title = title
    put(ws, 1, 1, title).font = BOLD
    for column, (name, width) in enumerate(COLUMNS, start=1):
        cell = put(ws, 2, column, name)
        cell.font, cell.fill = BOLD, HEADER_FILL
        ws.column_dimensions[cell.column_letter].width = width
    for row_index, row in enumerate(rows, start=3):
        for column, value in enumerate(row, start=1):
            if column - 1 == RAG_COLUMN:
                put_rag(ws, row_index, column, value, rag.status_for(value).label)
            else:
                put(ws, row_index, column, value, wrap=column in (6, 13))
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{ws.cell(row=2, column=len(COLUMNS)).column_letter}{len(rows) + 2}"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return formula_safe_text(str(value))


def milestones_csv(rows: list[list]) -> bytes:
    """The rows as CSV (UTF-8 with a byte-order mark, so Excel reads the accents), every text
    formula-safe."""
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _ in COLUMNS])
    for row in rows:
        cells = list(row)
        cells[RAG_COLUMN] = rag.status_for(cells[RAG_COLUMN]).label
        writer.writerow([_csv_cell(value) for value in cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
