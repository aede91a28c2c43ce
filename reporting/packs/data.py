"""One board pack's content as plain data, built from a plan state (live or a snapshot).

``pack_for_period`` reads (a constant number of queries); ``pack_data`` is pure. The PDF and
Excel writers take the result and return bytes, so a background task can call
``build_pack`` (ids in, bytes out) without a request or a transaction around it.
"""

from collections import Counter
from datetime import datetime
from html import escape

from django.utils import timezone
from django.utils.text import slugify

from plans import rag
from plans.models import ReportingPeriod
from reporting import selectors
from reporting.changes import period_changes
from reporting.models import BoardMeeting, Snapshot
from reporting.schema import Pack, State, snapshot_state
from reporting.state import (
    filter_state,
    iter_milestones,
    label,
    organisation_names,
    to_date,
    to_datetime,
)


def _previous_state(*, period: ReportingPeriod, state: dict, snapshot: Snapshot | None):
    """The state "what changed" compares with.

    A closed period compares with the snapshot recorded when it was closed, so reopening the
    quarter before later cannot change a closed quarter's pack; a live one with the latest
    snapshot of the quarter before, when that quarter is closed.
    """
    if snapshot is not None:
        previous_id = state.get("previous_snapshot_id")
        if previous_id is None:
            return None
        previous = Snapshot.objects.filter(pk=previous_id).only("data", "schema_version").first()
        return snapshot_state(previous) if previous else None
    before = selectors.period_previous(period=period)
    if before is None or not before.is_closed:
        return None
    previous = selectors.snapshot_latest(period=before)
    return snapshot_state(previous) if previous else None


def pack_for_period(
    *,
    period: ReportingPeriod,
    priority_id: int | None = None,
    organisation_id: int | None = None,
    produced_at: datetime | None = None,
) -> Pack:
    """The pack for a period: from its snapshot when closed, from live data (DRAFT) when open."""
    state, snapshot = selectors.period_state(period=period)
    previous = _previous_state(period=period, state=state, snapshot=snapshot)
    meeting = BoardMeeting.objects.filter(period_id=period.pk).first()
    pack = pack_data(
        state=state,
        previous=previous,
        snapshot=snapshot,
        priority_id=priority_id,
        organisation_id=organisation_id,
        produced_at=produced_at,
    )
    # The cover's meeting is the period's, not the snapshot's: named before or after the close.
    pack["board_name"] = meeting.board_name if meeting else ""
    pack["meeting_date"] = meeting.meeting_date if meeting else None
    return pack


def filter_description(state: dict, *, priority_id=None, organisation_id=None) -> str:
    parts = []
    if priority_id is not None:
        for p in state["priorities"]:
            if p["id"] == priority_id:
                parts.append(f"Priority {label(p['number'], p['title'])}")
    if organisation_id is not None:
        name = organisation_names(state).get(organisation_id, "an organisation")
        parts.append(f"Items led by {name}")
    return "; ".join(parts) or "Whole plan"


def filter_slug(state: dict, *, priority_id=None, organisation_id=None) -> str:
    """The subset for a file name: "staying-safe", "cleveland-police"; "" for the whole plan."""
    parts = []
    if priority_id is not None:
        for p in state["priorities"]:
            if p["id"] == priority_id:
                parts.append(slugify(p["title"]) or slugify(p["number"]) or "priority")
    if organisation_id is not None:
        parts.append(slugify(organisation_names(state).get(organisation_id, "")) or "organisation")
    return "-".join(parts)


def pack_data(
    *,
    state: State,
    previous: State | None,
    snapshot: Snapshot | None = None,
    priority_id: int | None = None,
    organisation_id: int | None = None,
    produced_at: datetime | None = None,
) -> Pack:
    """Every section of the pack from a state (and the state before it, for changes)."""
    produced_at = produced_at or timezone.now()
    scope = filter_description(state, priority_id=priority_id, organisation_id=organisation_id)
    subset = filter_slug(state, priority_id=priority_id, organisation_id=organisation_id)
    state = filter_state(state, priority_id=priority_id, organisation_id=organisation_id)
    if previous is not None:
        previous = filter_state(previous, priority_id=priority_id, organisation_id=organisation_id)
    rows = list(iter_milestones(state))
    by_id = {r["id"]: r for r in rows}
    period_start = to_date(state["period"]["start_date"])
    period_end = to_date(state["period"]["end_date"])

    summary = []
    for index, priority in enumerate(state["priorities"]):
        counts = Counter(r["status"] for r in rows if r["priority_index"] == index)
        summary.append(
            {
                "priority": label(priority["number"], priority["title"]),
                "counts": [counts.get(s, 0) for s in rag.ORDER],
                "total": sum(counts.values()),
            }
        )
    totals = Counter(r["status"] for r in rows)

    tree = [
        {
            "title": label(p["number"], p["title"]),
            "outcomes": [
                {
                    "title": label(o["number"], o["statement"]),
                    "success_criteria": o["success_criteria"],
                    "actions": [
                        {
                            "title": label(a["number"], a["text"]),
                            "lead_text": a["lead_text"]
                            or "; ".join(person["name"] for person in a["leads"]),
                            "sources": a["sources"],
                            "milestones": [by_id[m["id"]] for m in a["milestones"]],
                        }
                        for a in o["actions"]
                    ],
                }
                for o in p["outcomes"]
            ],
        }
        for p in state["priorities"]
    ]

    indicators = state.get("indicators") or []
    taken_at = to_datetime(state.get("taken_at"))
    return {
        "draft": snapshot is None,
        "partnership": state["partnership"]["name"],
        "plan": state["plan"]["title"],
        "period": state["period"]["label"],
        "period_start": period_start,
        "period_end": period_end,
        "update_deadline": to_date(state["period"]["update_deadline"]),
        "as_at": to_date(state.get("as_at")),
        "snapshot_taken_at": taken_at,
        "snapshot_digest": snapshot.digest if snapshot else "",
        "produced_at": produced_at,
        "scope": scope,
        "subset": subset,
        "board_name": "",
        "meeting_date": None,
        "rag_order": [(s.value, s.label, s.colour, s.ink) for s in map(rag.status_for, rag.ORDER)],
        "summary": summary,
        "totals": [totals.get(s, 0) for s in rag.ORDER],
        "total": len(rows),
        "chart_svg": rag_chart_svg(summary),
        "exceptions": sorted(
            (r for r in rows if r["status"] in ("red", "amber")),
            key=lambda r: rag.status_for(r["status"]).rank,
        ),
        "slipped": [r for r in rows if r["slipped"]],
        "overdue": [r for r in rows if r["overdue"]],
        "completed": [
            r for r in rows if r["completed"] and period_start <= r["completed"] <= period_end
        ],
        "changes": period_changes(current=state, previous=previous),
        "indicators": indicators,
        "indicator_summary": {
            "on_target": sorted(
                Counter(i["on_target"] for i in indicators if i["on_target"]).items()
            ),
            "direction": sorted(
                Counter(i["direction"] for i in indicators if i["direction"]).items()
            ),
        },
        "tree": tree,
        "milestones": rows,
        # Where the partnership switched on review flags (review app): rows carry "review".
        "review_flags": bool(state.get("review_flags")),
        # Who signed off the quarter, and when (only in a snapshot of a partnership that
        # signs off its quarters; None otherwise, and the pack shows nothing of it).
        "signoff": _signoff(state.get("signoff")),
    }


def _signoff(signoff: dict | None) -> dict | None:
    """The snapshot's sign-off with its times read as datetimes, for the writers."""
    if not signoff:
        return None

    def read(row: dict) -> dict:
        return {**row, "signed_at": to_datetime(row.get("signed_at"))}

    return {
        "organisations": [read(row) for row in signoff.get("organisations") or []],
        "chair": read(signoff.get("chair") or {}),
    }


def rag_chart_svg(summary: list[dict]) -> str:
    """A horizontal stacked bar per priority, RAG counts as colour and as numbers, inline SVG.

    Built here (not in a template) so every piece of text is escaped in one place; the table
    beside it carries the same numbers for anyone who cannot see the colours.
    """
    label_width, bar_width, row_height = 300, 560, 26
    height = row_height * (len(summary) + 2) + 10
    biggest = max([row["total"] for row in summary] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 40}" '
        f'height="{height}" role="img" aria-labelledby="rag-chart-title" '
        f'font-family="Arial, sans-serif" font-size="11">',
        '<title id="rag-chart-title">Milestones by RAG status for each priority; '
        "the table beside gives the same numbers.</title>",
    ]
    for index, row in enumerate(summary):
        y = index * row_height + 4
        name = row["priority"] if len(row["priority"]) <= 48 else row["priority"][:47] + "…"
        parts.append(f'<text x="0" y="{y + 15}">{escape(name)}</text>')
        x = label_width
        for status, count in zip(rag.ORDER, row["counts"], strict=True):
            if not count:
                continue
            width = count / biggest * bar_width
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="20" '
                f'fill="{rag.status_for(status).colour}" stroke="#ffffff"/>'
            )
            if width >= 16:
                colour = rag.status_for(status).ink
                parts.append(
                    f'<text x="{x + width / 2:.1f}" y="{y + 14}" text-anchor="middle" '
                    f'fill="{colour}">{count}</text>'
                )
            x += width
    legend_y = len(summary) * row_height + 20
    x = label_width
    for status in map(rag.status_for, rag.ORDER):
        parts.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" '
            f'fill="{status.colour}"/>'
            f'<text x="{x + 16}" y="{legend_y}">{escape(status.label)}</text>'
        )
        x += 100
    parts.append("</svg>")
    return "".join(parts)
