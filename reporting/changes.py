"""What changed in a period against the one before.

Two ways to tell, same answer shape:
- the quarter before was closed: compare the two states item by item (so new and removed
  items show up too);
- it was not: compare each milestone with its own state at the start of the period, which
  ``selectors.plan_state`` reads from the update history (removed items cannot be told).
"""

from django.utils import timezone

from plans import rag
from reporting.schema import Changes, State
from reporting.state import iter_milestones, to_date, to_datetime


def _move(row: dict, before_status: str) -> dict:
    return {
        **row,
        "from_status": before_status,
        "from_label": rag.label(before_status),
    }


def _slip(row: dict, before_due: str | None) -> dict:
    return {**row, "from_due": to_date(before_due)}


def period_changes(*, current: State, previous: State | None) -> Changes:
    """RAG moves better/worse/started (plans/rag.py says which is which), slipped dates with
    reasons, completions, new and removed items, milestones reworded or given another lead,
    and indicators whose direction of travel changed, for ``current`` against ``previous``."""
    better, worse, started, slipped, completed, new, removed = [], [], [], [], [], [], []
    reworded, lead_changed = [], []
    # Withdrawn items (taken out of the plan with a reason): filled once the state records a
    # withdrawal (the withdrawal work adds it); listed, and left out of the other lists.
    withdrawn: list[dict] = []
    moves = {rag.BETTER: better, rag.WORSE: worse, rag.STARTED: started, rag.COMPLETED: completed}
    period_start = to_date(current["period"]["start_date"])
    rows = list(iter_milestones(current))

    if previous is not None:
        before = {m["id"]: m for m in iter_milestones(previous)}
        for row in rows:
            old = before.pop(row["id"], None)
            if old is None:
                new.append(row)
                continue
            _compare(row, old["status"], old["due_date"], moves, slipped)
            _structure(row, old["text"], _lead_of(old), reworded, lead_changed)
        removed = sorted(before.values(), key=lambda m: m["priority_index"])
        indicators = _indicator_changes(current.get("indicators"), previous.get("indicators"))
        basis = f"Compared with the closed quarter {previous['period']['label']}."
    else:
        for row in rows:
            created = to_datetime(row.get("created_at"))
            if created and timezone.localtime(created).date() >= period_start:
                new.append(row)
                continue
            if row.get("start_text") is not None:
                _structure(row, row["start_text"], row.get("start_lead"), reworded, lead_changed)
            if row.get("start_status") is None:
                # No update before the quarter: only a completion this quarter is a change.
                if row["status"] == "complete" and row["completed"]:
                    completed.append(row)
                continue
            _compare(row, row["start_status"], row["start_due_date"], moves, slipped)
        indicators = []
        basis = (
            "The quarter before was not closed, so changes are read from each milestone's "
            "update history since the quarter began; removed items and indicator movements "
            "are shown once the quarter before is closed."
        )
    return {
        "basis": basis,
        "better": better,
        "worse": worse,
        "started": started,
        "slipped": slipped,
        "completed": completed,
        "new": new,
        "removed": removed,
        "reworded": reworded,
        "lead_changed": lead_changed,
        "withdrawn": withdrawn,
        # Moved to Complete is a change of status; the pack's "completed this quarter" counts
        # completion dates. Say how many of the one are also the other, so both can be read.
        "completed_dated": sum(
            1
            for r in completed
            if r["completed"] and period_start <= r["completed"] <= _period_end(current)
        ),
        "indicators": indicators,
        "count": sum(
            len(x)
            for x in (
                better,
                worse,
                started,
                slipped,
                completed,
                new,
                removed,
                reworded,
                lead_changed,
                withdrawn,
                indicators,
            )
        ),
    }


def _period_end(state: State):
    return to_date(state["period"]["end_date"])


def _lead_of(milestone: dict) -> dict | None:
    lead = milestone.get("lead")
    if lead:
        return {"id": lead["id"], "name": lead["name"]}
    return {"id": None, "name": milestone.get("lead_text") or ""}


def _structure(row, old_text, old_lead, reworded: list, lead_changed: list) -> None:
    """A milestone reworded or given another lead since ``old_text`` and ``old_lead``."""
    if old_text is not None and old_text != row["text"]:
        reworded.append({**row, "from_text": old_text})
    if old_lead is None:
        return
    new_lead = _lead_of(row)
    if (old_lead.get("id"), old_lead.get("id") or old_lead.get("name")) != (
        new_lead["id"],
        new_lead["id"] or new_lead["name"],
    ):
        lead_changed.append({**row, "from_lead": old_lead.get("name") or "No lead named"})


def _compare(row, old_status, old_due, moves: dict[str, list], slipped: list) -> None:
    kind = rag.move(old_status, row["status"])
    if kind is not None:
        moves[kind].append(_move(row, old_status))
    old = to_date(old_due)
    if row["due"] and old and row["due"] > old:
        slipped.append(_slip(row, old_due))


def _indicator_changes(current: list | None, previous: list | None) -> list[dict]:
    before = {i["code"]: i for i in previous or [] if i.get("code")}
    changes = []
    for indicator in current or []:
        old = before.get(indicator.get("code"))
        if old and old.get("direction") != indicator.get("direction"):
            changes.append({**indicator, "from_direction": old.get("direction", "")})
    return changes
