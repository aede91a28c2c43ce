"""Reading a plan state (``reporting.schema.State``: what ``selectors.plan_state`` builds and
snapshots freeze, upgraded on read by ``reporting.schema.state_upgrade``).

Plain functions over plain data, shared by "what changed" and the packs, so a live state and
a snapshot are read the same way.
"""

from collections.abc import Iterator
from datetime import date, datetime

from plans import rag
from reporting.schema import State


def to_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def to_datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def label(number: str, text: str) -> str:
    return f"{number} {text}".strip() if number else text


def lead_display(milestone: dict, action: dict) -> tuple[str, str]:
    """The milestone's lead and organisation as the pack shows them."""
    lead = milestone.get("lead")
    if lead:
        name = f"{lead['name']} ({lead['role_title']})" if lead["role_title"] else lead["name"]
        return name, lead["organisation"]
    if milestone.get("lead_text"):
        return milestone["lead_text"], ""
    leads = action.get("leads") or []
    if leads:
        names = "; ".join(p["name"] for p in leads)
        orgs = "; ".join(sorted({p["organisation"] for p in leads if p["organisation"]}))
        return names, orgs
    return action.get("lead_text", ""), ""


def milestone_organisation_ids(milestone: dict, action: dict) -> set[int]:
    """The organisations answering for a milestone: its lead's, else its action leads'."""
    lead = milestone.get("lead")
    if lead:
        return {lead["organisation_id"]} if lead["organisation_id"] else set()
    return {p["organisation_id"] for p in action.get("leads") or [] if p["organisation_id"]}


def iter_milestones(state: State) -> Iterator[dict]:
    """Every milestone in plan order, flattened with its priority, outcome and action."""
    as_at = to_date(state.get("as_at"))
    for p_index, priority in enumerate(state["priorities"]):
        for outcome in priority["outcomes"]:
            for action in outcome["actions"]:
                for milestone in action["milestones"]:
                    lead, organisation = lead_display(milestone, action)
                    original = to_date(milestone["original_due_date"])
                    due = to_date(milestone["due_date"])
                    status = milestone["status"]
                    yield {
                        **milestone,
                        "priority_index": p_index,
                        "priority_id": priority["id"],
                        "priority": label(priority["number"], priority["title"]),
                        "outcome": label(outcome["number"], outcome["statement"]),
                        "action": label(action["number"], action["text"]),
                        "milestone": label(milestone["number"], milestone["text"]),
                        "lead_name": lead,
                        "organisation": organisation,
                        "organisation_ids": milestone_organisation_ids(milestone, action),
                        "status_label": rag.label(status),
                        "original_due": original,
                        "due": due,
                        "completed": to_date(milestone["completed_on"]),
                        "updated": to_datetime(milestone["updated_at"]),
                        # Snapshots before schema 1's "no change" updates lack the key.
                        "no_change_on": to_date(milestone.get("no_change_on")),
                        "slipped": bool(original and due and due > original),
                        "overdue": bool(due and as_at and due < as_at and status != "complete"),
                    }


def filter_state(
    state: State, *, priority_id: int | None = None, organisation_id: int | None = None
) -> State:
    """A copy of ``state`` with only one priority and/or one organisation's milestones."""
    if priority_id is None and organisation_id is None:
        return state
    priorities = []
    for priority in state["priorities"]:
        if priority_id is not None and priority["id"] != priority_id:
            continue
        if organisation_id is None:
            priorities.append(priority)
            continue
        outcomes = []
        for outcome in priority["outcomes"]:
            actions = []
            for action in outcome["actions"]:
                kept = [
                    m
                    for m in action["milestones"]
                    if organisation_id in milestone_organisation_ids(m, action)
                ]
                if kept:
                    actions.append({**action, "milestones": kept})
            if actions:
                outcomes.append({**outcome, "actions": actions})
        if outcomes:
            priorities.append({**priority, "outcomes": outcomes})
    indicators = state.get("indicators") or []
    if priority_id is not None:
        indicators = [i for i in indicators if i.get("priority_id") in (None, priority_id)]
    return {**state, "priorities": priorities, "indicators": indicators}


def organisation_names(state: State) -> dict[int, str]:
    """Organisation ids to names, as the state recorded them."""
    names: dict[int, str] = {}
    for priority in state["priorities"]:
        for outcome in priority["outcomes"]:
            for action in outcome["actions"]:
                people = [m["lead"] for m in action["milestones"] if m.get("lead")]
                for person in people + list(action.get("leads") or []):
                    if person["organisation_id"]:
                        names[person["organisation_id"]] = person["organisation"]
    return names
