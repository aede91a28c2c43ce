"""The shape of a plan state (what ``selectors.plan_state`` builds and a snapshot freezes) and
of a board pack built from one, and the upgrade every snapshot goes through when it is read.

A closed quarter's pack must be the same next year, after the code has moved on. So a
snapshot's JSON is never rewritten to a newer shape (only redaction of a removed person
rewrites it, docs/personal-data.md); instead ``state_upgrade`` brings what was stored up to
the current ``STATE_SCHEMA_VERSION`` every time it is read, in memory. When a version adds a
key, the step that fills it for older states goes in ``_UPGRADES``; the frozen v1 snapshot in
``tests/reporting/frozen/`` must still render unchanged.

Version history:
- 1: the first shape. Keys added within v1 while it was young (``start_status``,
  ``start_due_date``, ``created_at``, ``due_date_reason``, and later ``status_reason``,
  ``start_text`` and ``start_lead`` on milestones; ``indicators``,
  ``as_at``, ``taken_at``, ``previous_snapshot_id`` on the state) are filled with their
  empty value where an early snapshot lacks them. ``signoff`` (who signed off the quarter,
  and when) is only in snapshots of partnerships that sign off their quarters; readers take
  it with ``state.get("signoff")``, so a state without it reads as it always did.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, NotRequired, TypedDict

STATE_SCHEMA_VERSION = 1


class PersonState(TypedDict):
    id: int
    name: str
    role_title: str
    organisation_id: int | None
    organisation: str


class AttachmentState(TypedDict):
    file_name: str
    size: int  # bytes
    size_display: str  # "120 KB", "1.2 MB"
    uploaded_by_name: str
    created_at: str


class MilestoneState(TypedDict):
    id: int
    number: str
    text: str
    status: str  # a plans.rag.RAG value
    lead: PersonState | None
    lead_text: str
    due_text: str
    original_due_date: str | None  # ISO dates and datetimes, as JSON holds them
    due_date: str | None
    completed_on: str | None
    commentary: str
    update_author: str
    updated_at: str | None
    due_date_reason: str
    start_status: str | None  # the status at the start of the period, from the history
    start_due_date: str | None
    created_at: str | None
    status_reason: NotRequired[str]  # why a kinder RAG than the dates suggest
    start_text: NotRequired[str | None]  # the wording at the start of the period (history)
    start_lead: NotRequired[dict | None]  # {"id", "name"} of the lead then (history)
    # Only where the partnership switched on review flags in packs (review.selectors):
    # {"flag": "Not yet reviewed" | "Queried, no answer" | "", "state", "thread": [...]}.
    review: NotRequired[dict]
    # Evidence on its updates (evidence.selectors.attachment_state), only when there is any.
    attachments: NotRequired[list[AttachmentState]]


class ActionState(TypedDict):
    id: int
    number: str
    text: str
    lead_text: str
    leads: list[PersonState]
    resources: str
    sources: str
    timescale: str
    milestones: list[MilestoneState]


class OutcomeState(TypedDict):
    id: int
    number: str
    statement: str
    success_criteria: str
    actions: list[ActionState]


class PriorityState(TypedDict):
    id: int
    number: str
    title: str
    outcomes: list[OutcomeState]


class IndicatorState(TypedDict):
    code: str
    definition: str
    polarity_label: str
    unit: str
    latest_period_label: str
    actual_display: str
    target_display: str
    on_target: str
    direction: str
    comparators: list[str]
    priority_id: int | None


class PartnershipInfo(TypedDict):
    id: int
    name: str


class PlanInfo(TypedDict):
    id: int
    title: str
    start_date: str | None
    end_date: str | None


class PeriodInfo(TypedDict):
    id: int
    label: str
    start_date: str
    end_date: str
    update_deadline: str | None


class SignedState(TypedDict):
    signatory: str  # who was nominated to sign ("" when nobody was)
    signed_by: str  # who signed off ("" when not signed off)
    signed_at: str | None


class OrganisationSignedState(SignedState):
    organisation: str


class SignoffState(TypedDict):
    """A period's sign-off as closing froze it (``signoff.selectors.signoff_state``)."""

    organisations: list[OrganisationSignedState]
    chair: SignedState


class State(TypedDict):
    schema: int
    partnership: PartnershipInfo
    plan: PlanInfo
    period: PeriodInfo
    as_at: str | None  # overdue is judged as at this day
    priorities: list[PriorityState]
    indicators: list[IndicatorState]
    taken_at: NotRequired[str | None]  # only in a snapshot: when the period was closed
    previous_snapshot_id: NotRequired[int | None]  # only in a snapshot: "what changed" basis
    review_flags: NotRequired[bool]  # present (True) only where review flags are switched on
    signoff: NotRequired[SignoffState]  # only in a snapshot, where sign-off is switched on


class Changes(TypedDict):
    basis: str
    better: list[dict[str, Any]]
    worse: list[dict[str, Any]]
    started: list[dict[str, Any]]
    slipped: list[dict[str, Any]]
    completed: list[dict[str, Any]]
    new: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    reworded: list[dict[str, Any]]
    lead_changed: list[dict[str, Any]]
    withdrawn: list[dict[str, Any]]
    completed_dated: int  # of ``completed``, how many have a completion date in the period
    indicators: list[dict[str, Any]]
    count: int


class Pack(TypedDict):
    """What ``reporting.packs.data.pack_data`` returns and the PDF and Excel writers read.

    Milestone rows are ``reporting.state.iter_milestones`` output: a milestone's state with
    its priority, outcome, action, lead and dates read out.
    """

    draft: bool
    partnership: str
    plan: str
    period: str
    period_start: date
    period_end: date
    update_deadline: date | None
    as_at: date | None
    snapshot_taken_at: datetime | None
    snapshot_digest: str
    produced_at: datetime
    scope: str
    subset: str  # the scope for a file name: "staying-safe"; "" for the whole plan
    board_name: str  # the board meeting the pack is for (reporting.models.BoardMeeting)
    meeting_date: date | None
    rag_order: list[tuple[str, str, str, str]]  # value, label, fill colour, ink colour
    summary: list[dict[str, Any]]
    totals: list[int]
    total: int
    chart_svg: str
    exceptions: list[dict[str, Any]]
    slipped: list[dict[str, Any]]
    overdue: list[dict[str, Any]]
    completed: list[dict[str, Any]]
    changes: Changes
    indicators: list[IndicatorState]
    indicator_summary: dict[str, list[tuple[str, int]]]
    tree: list[dict[str, Any]]
    milestones: list[dict[str, Any]]
    signoff: dict[str, Any] | None  # SignoffState with ``signed_at`` as datetimes


class SnapshotTooNew(ValueError):
    """A snapshot written by a newer version of the product than this one."""


_MILESTONE_DEFAULTS: dict[str, Any] = {
    "lead": None,
    "lead_text": "",
    "due_text": "",
    "original_due_date": None,
    "due_date": None,
    "completed_on": None,
    "commentary": "",
    "update_author": "",
    "updated_at": None,
    "due_date_reason": "",
    "start_status": None,
    "start_due_date": None,
    "created_at": None,
    "status_reason": "",
    "start_text": None,
    "start_lead": None,
}
_ACTION_DEFAULTS: dict[str, Any] = {
    "lead_text": "",
    "leads": [],
    "resources": "",
    "sources": "",
    "timescale": "",
}
_OUTCOME_DEFAULTS: dict[str, Any] = {"success_criteria": ""}
_STATE_DEFAULTS: dict[str, Any] = {"as_at": None, "indicators": []}


def _v1_defaults(state: dict) -> dict:
    """Fill every key an early v1 state may lack with its empty value (a copy; no mutation)."""
    priorities = [
        {
            **priority,
            "outcomes": [
                {
                    **_OUTCOME_DEFAULTS,
                    **outcome,
                    "actions": [
                        {
                            **_ACTION_DEFAULTS,
                            **action,
                            "milestones": [
                                {**_MILESTONE_DEFAULTS, **milestone}
                                for milestone in action.get("milestones") or []
                            ],
                        }
                        for action in outcome.get("actions") or []
                    ],
                }
                for outcome in priority.get("outcomes") or []
            ],
        }
        for priority in state.get("priorities") or []
    ]
    upgraded = {**_STATE_DEFAULTS, **state, "priorities": priorities}
    if upgraded["indicators"] is None:
        upgraded["indicators"] = []
    return upgraded


# Version N -> N + 1 steps, run in order on read; none yet beyond filling v1's defaults.
_UPGRADES: dict[int, Callable[[dict], dict]] = {}


def state_upgrade(state: dict, *, version: int | None = None) -> State:
    """``state`` (as stored, of any version up to this one) in the current shape.

    ``version`` is the snapshot's ``schema_version``; without it the state's own ``schema``
    key says (a state without either is version 1). The stored dict is left untouched, so its
    digest still proves it unchanged.
    """
    version = version or state.get("schema") or 1
    if version > STATE_SCHEMA_VERSION:
        raise SnapshotTooNew(
            f"This snapshot was written by a newer version of the product (state version "
            f"{version}; this one reads up to {STATE_SCHEMA_VERSION}). Upgrade the product "
            "to produce its board pack."
        )
    upgraded = _v1_defaults(state)
    while version < STATE_SCHEMA_VERSION:
        upgraded = _UPGRADES[version](upgraded)
        version += 1
    upgraded["schema"] = STATE_SCHEMA_VERSION
    return upgraded  # type: ignore[return-value]


def snapshot_state(snapshot) -> State:
    """A ``reporting.models.Snapshot``'s state, upgraded: how every reader takes a snapshot."""
    return state_upgrade(snapshot.data, version=snapshot.schema_version)
