"""A legacy-style plan spreadsheet of any size, like the ones partnerships e-mail round.

One sheet per theme, a title block, the header row repeated before each issue, issue and
success-criteria cells merged down over their actions, multi-line cells ("• …" lists and
"a) … b) …" milestones), free-text deadlines and RAG as words. Deterministic for a seed.
"""

import random
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from demo.data import (
    GROUPS,
    OBJECTS,
    OUTCOME_ENDS,
    OUTCOME_STARTS,
    ROLE_TITLES,
    THEMES,
    VERBS,
)

HEADER = ["Issue", "Action", "By when", "Who", "Resource", "Progress", "Success Criteria"]
WHEN = [
    "December 2008",
    "March 2009",
    "Summer 2009",
    "Quarterly",
    "Ongoing",
    "8/09/10",
    "April 2010",
]
PROGRESS = ["Complete", "On track", "Ongoing", "Some slippage", "Not started", "Delayed"]


def legacy_workbook(rows: int, *, seed: int = 1) -> bytes:
    """An .xlsx of about ``rows`` action rows, in the shape of a 2009 partnership plan."""
    rng = random.Random(seed)  # noqa: S311 — test data must repeat, not be secret
    wb = Workbook()
    wb.active.title = "Contents"
    wb.active["A1"] = "CHILDREN'S SERVICES ACTION PLAN"
    wrap = Alignment(wrap_text=True, vertical="top")
    themes = THEMES[:6]
    per_sheet = [rows // len(themes) + (1 if i < rows % len(themes) else 0) for i in range(6)]
    issue_number = 0
    for theme, count in zip(themes, per_sheet, strict=True):
        ws = wb.create_sheet(theme[:31])
        ws.append(["CHILDREN'S SERVICES ACTION PLAN"])
        ws.append([f"ACTION PLAN, 2009 – {theme.upper()}"])
        ws.append([])
        written = 0
        while written < count:
            issue_number += 1
            actions = min(count - written, rng.randint(2, 6))
            ws.append(HEADER)
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
            first = ws.max_row + 1
            for k in range(actions):
                milestones = "\n".join(
                    f"{chr(97 + m)}) {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
                    for m in range(rng.randint(1, 3))
                )
                ws.append(
                    [
                        f"{issue_number}. {rng.choice(OUTCOME_STARTS)} {rng.choice(OUTCOME_ENDS)}"
                        if k == 0
                        else None,
                        f"{issue_number}.{k + 1} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
                        f"{rng.choice(GROUPS)}\n{milestones}",
                        rng.choice(WHEN),
                        rng.choice(ROLE_TITLES),
                        "Existing resources" if k == 0 else None,
                        rng.choice(PROGRESS),
                        "\n".join(f"• {rng.choice(OUTCOME_ENDS)}" for _ in range(2))
                        if k == 0
                        else None,
                    ]
                )
                for cell in ws[ws.max_row]:
                    cell.alignment = wrap
            last = ws.max_row
            if last > first:
                ws.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)
                ws.merge_cells(start_row=first, start_column=5, end_row=last, end_column=5)
                ws.merge_cells(start_row=first, start_column=7, end_row=last, end_column=7)
            written += actions
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
