"""Reads for the reporting pages and packs, scoped to the signed-in user's partnerships.

``plan_state`` is the one place that reads a plan's live items for a pack. It returns the
same JSON-shaped dict that closing a period freezes into a ``Snapshot``, so a draft pack
and a closed quarter's pack are built by the same code from the same shape.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from evidence import selectors as evidence_selectors
from plans import rag
from plans.access import partnership_ids_for
from plans.models import (
    Action,
    Milestone,
    MilestoneUpdate,
    Outcome,
    Person,
    Plan,
    Priority,
    ReportingPeriod,
)
from reporting.indicators import indicator_rows
from reporting.models import BoardMeeting, PackJob, PlanDataVersion, Snapshot, SnapshotRedaction
from reporting.schema import STATE_SCHEMA_VERSION, State, snapshot_state
from reporting.state import label, lead_display
from review.selectors import pack_review_state


def plan_get(*, user, pk: int) -> Plan:
    """One plan of the user's partnerships, or 404."""
    return get_object_or_404(
        Plan.objects.filter(partnership_id__in=partnership_ids_for(user)).select_related(
            "partnership"
        ),
        pk=pk,
    )


def period_get(*, user, pk: int) -> ReportingPeriod:
    """One reporting period of a plan of the user's partnerships, or 404."""
    return get_object_or_404(
        ReportingPeriod.objects.filter(
            plan__partnership_id__in=partnership_ids_for(user)
        ).select_related("plan__partnership"),
        pk=pk,
    )


def period_list(*, plan: Plan) -> QuerySet[ReportingPeriod]:
    """The plan's periods in order, each with the id and time of its latest snapshot."""
    latest = Snapshot.objects.filter(period=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        ReportingPeriod.objects.filter(plan=plan)
        .select_related("closed_by")
        .annotate(
            snapshot_id=Subquery(latest.values("pk")[:1]),
            snapshot_at=Subquery(latest.values("created_at")[:1]),
        )
        .order_by("year", "quarter")
    )


def periods_arranged(
    *, periods: list[ReportingPeriod], collecting
) -> tuple[list[ReportingPeriod], list[ReportingPeriod]]:
    """A plan's periods as the board pack page lists them: newest first, and apart the open
    quarters from before the first closed one (never the quarter collecting updates), which
    nobody is likely to want a draft pack of."""
    first_closed = next((i for i, p in enumerate(periods) if p.is_closed), None)
    current = collecting.period.pk if collecting is not None else None
    earlier = [p for p in periods[: first_closed or 0] if not p.is_closed and p.pk != current]
    shown = [p for p in periods if p not in earlier]
    return shown[::-1], earlier[::-1]


def period_list_for(*, plans: list[Plan]) -> QuerySet[ReportingPeriod]:
    """Every period of ``plans`` in order, annotated as ``period_list`` does (one query)."""
    latest = Snapshot.objects.filter(period=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        ReportingPeriod.objects.filter(plan__in=[plan.pk for plan in plans])
        .annotate(snapshot_id=Subquery(latest.values("pk")[:1]))
        .order_by("plan_id", "year", "quarter")
    )


def period_previous(*, period: ReportingPeriod) -> ReportingPeriod | None:
    """The plan's period for the quarter before ``period``, if there is one."""
    before = period.financial_quarter.previous()
    return ReportingPeriod.objects.filter(
        plan_id=period.plan_id, year=before.year, quarter=before.quarter
    ).first()


def snapshot_latest(*, period: ReportingPeriod) -> Snapshot | None:
    """The snapshot a closed period's packs are built from (the latest close)."""
    return Snapshot.objects.filter(period=period).order_by("-created_at", "-pk").first()


def plan_organisations(*, plan: Plan) -> QuerySet:
    """The partnership's organisations, for the pack filter."""
    return plan.partnership.organisations.order_by("name")


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _person(person: Person | None) -> dict | None:
    if person is None:
        return None
    return {
        "id": person.pk,
        "name": person.name,
        "role_title": person.role_title,
        "organisation_id": person.organisation_id,
        "organisation": person.organisation.name if person.organisation else "",
    }


def _author(update: MilestoneUpdate | None) -> str:
    if update is None:
        return ""
    if update.author_name:
        return update.author_name
    if update.author is not None:
        return update.author.get_full_name() or update.author.get_username()
    return update.get_source_display()


def _period_start(period: ReportingPeriod) -> datetime:
    return timezone.make_aware(datetime.combine(period.start_date, time.min))


def plan_state(*, period: ReportingPeriod, as_at: date | None = None) -> State:
    """Every item of the period's plan as it stands now, as JSON-ready data (a constant 8
    queries; 9 where the partnership has switched on review flags in packs).

    Besides the current state, each milestone carries its status and due date at the start
    of the period (from its update history) and when it was created (from its history), so
    "what changed" can be told even when the quarter before was never closed.
    """
    plan = period.plan
    today = as_at or timezone.localdate()
    start = _period_start(period)
    updates = MilestoneUpdate.objects.filter(milestone=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    before_period = updates.filter(created_at__lt=start)
    history = Milestone.history.model.objects.filter(id=OuterRef("pk"))
    created = history.filter(history_type="+")
    # The wording and the lead as they stood when the period began: "what changed" lists
    # rewordings and changes of lead even when the quarter before was never closed.
    before_history = history.filter(history_date__lt=start).order_by("-history_date", "-history_id")

    # Withdrawn items (and everything under them) leave the pack; closed quarters' snapshots
    # were frozen before and stay as they were.
    priorities = list(Priority.objects.live().filter(plan=plan))
    outcomes = list(Outcome.objects.live().filter(priority__plan=plan))
    actions = list(
        Action.objects.live()
        .filter(outcome__priority__plan=plan)
        .prefetch_related(Prefetch("leads", queryset=Person.objects.select_related("organisation")))
    )
    milestones = list(
        Milestone.objects.live()
        .filter(action__outcome__priority__plan=plan)
        .select_related("lead__organisation", "latest_update__author")
        .annotate(
            start_status=Subquery(before_period.values("status")[:1]),
            start_due_date=Subquery(before_period.values("due_date")[:1]),
            # The reason travels with the update that moved the date to where it is now,
            # whenever before the close it was saved (leads update after the quarter ends).
            reason_for_date=Subquery(
                updates.filter(due_date=OuterRef("due_date"))
                .exclude(due_date_reason="")
                .values("due_date_reason")[:1]
            ),
            # The latest real commentary: "no change" and date-only updates keep it.
            progress=Subquery(updates.exclude(commentary="").values("commentary")[:1]),
            created_at=Subquery(created.order_by("history_date").values("history_date")[:1]),
            start_text=Subquery(before_history.values("text")[:1]),
            start_lead_id=Subquery(before_history.values("lead_id")[:1]),
            start_lead_name=Subquery(before_history.values("lead__name")[:1]),
            start_lead_text=Subquery(before_history.values("lead_text")[:1]),
        )
    )

    # The coordinator's review of each latest update (review.selectors), where the partnership
    # has switched its flags on; otherwise None and the state is exactly as before.
    reviews = pack_review_state(
        partnership_id=plan.partnership_id,
        latest={
            m.pk: (m.latest_update_id, m.latest_update.created_at)
            for m in milestones
            if m.latest_update_id
        },
        since=start,
    )
    # Evidence attached to each milestone's updates (one query); the key is there only for a
    # milestone with files, so states and packs without evidence are as they always were.
    files: dict[int, list[dict]] = {}
    for attachment in evidence_selectors.plan_attachments(plan_id=plan.pk).select_related("update"):
        files.setdefault(attachment.update.milestone_id, []).append(
            evidence_selectors.attachment_state(attachment)
        )

    milestones_by_action: dict[int, list[dict]] = {}
    for m in milestones:
        update = m.latest_update
        review = {"review": reviews[m.pk]} if reviews and m.pk in reviews else {}
        milestones_by_action.setdefault(m.action_id, []).append(
            {
                "id": m.pk,
                "number": m.number,
                "text": m.text,
                "status": m.status,
                "lead": _person(m.lead),
                "lead_text": m.lead_text,
                "due_text": m.due_text,
                "original_due_date": _iso(m.original_due_date),
                "due_date": _iso(m.due_date),
                "completed_on": _iso(m.completed_on),
                "commentary": m.progress or "",
                "no_change_on": _iso(update.created_at.date())
                if update and update.no_change
                else None,
                "update_author": _author(update),
                "updated_at": _iso(update.created_at) if update else None,
                "due_date_reason": m.reason_for_date or "",
                # Why the lead chose a kinder RAG than the dates suggest, with that update.
                "status_reason": update.status_reason if update else "",
                "start_status": m.start_status,
                "start_due_date": _iso(m.start_due_date) if m.start_status else None,
                "created_at": _iso(m.created_at),
                "start_text": m.start_text,
                "start_lead": (
                    None
                    if m.start_text is None
                    else {
                        "id": m.start_lead_id,
                        "name": m.start_lead_name or m.start_lead_text or "",
                    }
                ),
                **review,
                **({"attachments": files[m.pk]} if m.pk in files else {}),
            }
        )
    actions_by_outcome: dict[int, list[dict]] = {}
    for a in actions:
        actions_by_outcome.setdefault(a.outcome_id, []).append(
            {
                "id": a.pk,
                "number": a.number,
                "text": a.text,
                "lead_text": a.lead_text,
                "leads": [_person(p) for p in a.leads.all()],
                "resources": a.resources,
                "sources": a.sources,
                "timescale": a.get_timescale_display() if a.timescale else "",
                "milestones": milestones_by_action.get(a.pk, []),
            }
        )
    outcomes_by_priority: dict[int, list[dict]] = {}
    for o in outcomes:
        outcomes_by_priority.setdefault(o.priority_id, []).append(
            {
                "id": o.pk,
                "number": o.number,
                "statement": o.statement,
                "success_criteria": o.success_criteria,
                "actions": actions_by_outcome.get(o.pk, []),
            }
        )
    return {
        "schema": STATE_SCHEMA_VERSION,
        "partnership": {"id": plan.partnership_id, "name": plan.partnership.name},
        "plan": {
            "id": plan.pk,
            "title": plan.title,
            "start_date": _iso(plan.start_date),
            "end_date": _iso(plan.end_date),
        },
        "period": {
            "id": period.pk,
            "label": period.label,
            "start_date": _iso(period.start_date),
            "end_date": _iso(period.end_date),
            "update_deadline": _iso(period.update_deadline),
        },
        # Overdue is judged as at this day: today, or the period's last day once it is over.
        "as_at": _iso(min(today, period.end_date)),
        "priorities": [
            {
                "id": p.pk,
                "number": p.number,
                "title": p.title,
                "outcomes": outcomes_by_priority.get(p.pk, []),
            }
            for p in priorities
        ],
        "indicators": indicator_rows(plan=plan, quarter=period.financial_quarter),
        **({"review_flags": True} if reviews is not None else {}),
    }


# The plan order ``plan_state`` reads milestones in (each level's ``NumberedItem`` ordering,
# parents first), so the database lists red and amber milestones as the pack's exceptions do.
_PLAN_ORDER = [
    f"{path}{field}"
    for path in ("action__outcome__priority__", "action__outcome__", "action__", "")
    for field in ("sort_key", "position", "pk")
]


def home_figures(*, period: ReportingPeriod, exceptions: int, as_at: date | None = None) -> dict:
    """The figures the home page shows of a period's live state, counted by the database: the
    same numbers ``pack_data(state=plan_state(period=period))`` gives, without reading every
    milestone (a constant 5 queries, plus the indicators', whatever the plan's size).

    The rules are the state's and the pack's: live milestones only (``live()``); RAG counts per
    live priority in ``rag.ORDER``; overdue when due before the "as at" day (today, or the
    period's last day once it is over) and not complete; slipped when due later than first
    agreed; the first ``exceptions`` red and amber milestones, Red first, each in plan order,
    as the pack's exception rows (``reporting.state.iter_milestones``) carry them. Proven equal
    on varied data by tests/reporting/test_home_figures.py.
    """
    plan = period.plan
    as_at = min(as_at or timezone.localdate(), period.end_date)
    priorities = list(Priority.objects.live().filter(plan=plan).only("pk", "number", "title"))
    live = Milestone.objects.live().filter(action__outcome__priority__plan=plan)
    cells = (
        live.order_by()  # no ordering columns in the GROUP BY
        .values("action__outcome__priority_id", "status")
        .annotate(
            count=Count("pk"),
            overdue=Count("pk", filter=Q(due_date__lt=as_at) & ~Q(status=rag.RAG.COMPLETE)),
            slipped=Count(
                "pk",
                filter=Q(original_due_date__isnull=False, due_date__gt=F("original_due_date")),
            ),
        )
    )
    counts: dict[int, dict[str, int]] = {p.pk: {} for p in priorities}
    overdue = slipped = 0
    for cell in cells:
        by_status = counts.setdefault(cell["action__outcome__priority_id"], {})
        by_status[cell["status"]] = cell["count"]
        overdue += cell["overdue"]
        slipped += cell["slipped"]
    summary = [
        (label(p.number, p.title), [counts[p.pk].get(s, 0) for s in rag.ORDER]) for p in priorities
    ]
    totals = [sum(row[i] for _, row in summary) for i in range(len(rag.ORDER))]

    red_amber = (rag.RAG.RED, rag.RAG.AMBER)
    flagged = (
        live.filter(status__in=red_amber)
        .annotate(
            rank=Case(*(When(status=s, then=rag.status_for(s).rank) for s in red_amber)),
            progress=Subquery(
                MilestoneUpdate.objects.filter(milestone=OuterRef("pk"))
                .exclude(commentary="")
                .order_by("-created_at", "-pk")
                .values("commentary")[:1]
            ),
        )
        .order_by("rank", *_PLAN_ORDER)
    )
    shown = list(flagged.select_related("lead__organisation", "action")[:exceptions])
    # The action leads of those shown (one query, whether or not any are shown).
    action_leads: dict[int, list[dict]] = {}
    through = Action.leads.through.objects.filter(
        action_id__in=flagged.values("action_id")[:exceptions]
    ).select_related("person__organisation")
    for link in through.order_by("person__name", "person__pk"):
        action_leads.setdefault(link.action_id, []).append(_person(link.person))
    rows = []
    for m in shown:
        lead_name, organisation = lead_display(
            {"lead": _person(m.lead), "lead_text": m.lead_text},
            {"leads": action_leads.get(m.action_id, []), "lead_text": m.action.lead_text},
        )
        rows.append(
            {
                "id": m.pk,
                "milestone": label(m.number, m.text),
                "status": m.status,
                "status_label": rag.label(m.status),
                "lead_name": lead_name,
                "organisation": organisation,
                "commentary": m.progress or "",
            }
        )
    exceptions_total = sum(totals[rag.ORDER.index(s)] for s in red_amber)
    return {
        "as_at": as_at,
        "summary": summary,
        "totals": totals,
        "overdue": overdue,
        "slipped": slipped,
        "exceptions_total": exceptions_total,
        "exceptions": rows,
        "indicators": indicator_rows(plan=plan, quarter=period.financial_quarter),
    }


def period_state(*, period: ReportingPeriod) -> tuple[State, Snapshot | None]:
    """A closed period's frozen state from its snapshot (upgraded to the current schema on
    read, ``reporting.schema.state_upgrade``); an open period's live state."""
    if period.is_closed:
        snapshot = snapshot_latest(period=period)
        if snapshot is not None:
            return snapshot_state(snapshot), snapshot
    return plan_state(period=period), None


def periods_export(*, plan: Plan) -> list[dict]:
    """The plan's reporting periods with every snapshot, for the plan's JSON export (3 queries)."""

    snapshots = Snapshot.objects.order_by("created_at", "pk").prefetch_related(
        Prefetch("redactions", queryset=SnapshotRedaction.objects.order_by("redacted_at", "pk"))
    )
    periods = ReportingPeriod.objects.filter(plan=plan).prefetch_related(
        Prefetch("snapshots", queryset=snapshots)
    )
    return [
        {
            "id": period.pk,
            "year": period.year,
            "quarter": period.quarter,
            "label": period.label,
            "start_date": _iso(period.start_date),
            "end_date": _iso(period.end_date),
            "update_deadline": _iso(period.update_deadline),
            "status": period.status,
            "closed_at": _iso(period.closed_at),
            "status_reason": period.status_reason,
            "snapshots": [
                {
                    "id": snapshot.pk,
                    "created_at": _iso(snapshot.created_at),
                    "schema_version": snapshot.schema_version,
                    "digest": snapshot.digest,
                    "data": snapshot.data,
                    "redactions": [
                        {"person_id": r.person_id, "redacted_at": _iso(r.redacted_at)}
                        for r in snapshot.redactions.all()
                    ],
                }
                for snapshot in period.snapshots.all()
            ],
        }
        for period in periods.order_by("year", "quarter")
    ]


# A background pack still waiting after this long suggests no worker is running at all.
PACK_WAITING_TOO_LONG = timedelta(minutes=2)


def pack_filters(*, priority_id: int | None, organisation_id: int | None) -> dict:
    """A pack's filter as the PackJob fields that record it."""
    return {"priority_id": priority_id, "organisation_id": organisation_id}


def plan_data_version(*, plan_id: int) -> int:
    """How many times the plan's data has changed (0 before the first change): one query.

    A draft pack read at this version is fresh while it stays the same (reporting.freshness).
    """
    found = PlanDataVersion.objects.filter(plan_id=plan_id).values_list("version", flat=True)
    return found.first() or 0


def pack_needs_background(*, plan_id: int) -> bool:
    """True when the plan is too big to render a pack inside a web request."""
    limit = settings.PACK_INLINE_MAX_MILESTONES
    # Counting stops at the limit: a 50,000-milestone plan costs no more to check than a small one.
    found = Milestone.objects.live().filter(action__outcome__priority__plan_id=plan_id)[: limit + 1]
    return found.count() > limit


def pack_stored_get(
    *,
    period: ReportingPeriod,
    fmt: str,
    priority_id: int | None = None,
    organisation_id: int | None = None,
) -> PackJob | None:
    """The stored pack of a closed period for this format and filter, if produced already."""
    if not period.is_closed:
        return None
    snapshot = snapshot_latest(period=period)
    if snapshot is None:
        return None
    return (
        PackJob.objects.filter(
            period=period,
            snapshot=snapshot,
            fmt=fmt,
            status=PackJob.Status.DONE,
            **pack_filters(priority_id=priority_id, organisation_id=organisation_id),
        )
        .exclude(file="")
        .order_by("-finished_at", "-pk")
        .first()
    )


def pack_jobs_recent(*, plan: Plan, limit: int = 10) -> QuerySet[PackJob]:
    """The plan's latest background packs people asked for, newest first, for the board pack
    page (the drafts kept ready after changes are shown beside each download instead)."""
    return (
        PackJob.objects.filter(period__plan=plan, requested_by__isnull=False)
        .select_related("period", "priority", "organisation")
        .order_by("-created_at", "-pk")[:limit]
    )


def pack_job_get(*, user, pk: int) -> PackJob:
    """One job of a plan of the user's partnerships, or 404 (through the period's scope).

    Reads only: a caller that shows the job's state first has the stale jobs handled
    (``reporting.jobs.pack_jobs_stale_handle``).
    """
    job = PackJob.objects.filter(pk=pk).only("pk", "period_id").first()
    if job is None:
        raise Http404("No such board pack.")
    period = period_get(user=user, pk=job.period_id)
    job = PackJob.objects.select_related("priority", "organisation").get(pk=pk)
    job.period = period
    job.waiting_too_long = (
        job.status == PackJob.Status.QUEUED
        and timezone.now() - job.created_at > PACK_WAITING_TOO_LONG
    )
    return job


def board_meeting_get(*, period: ReportingPeriod):
    """The board meeting named for a period's pack, or None."""
    return BoardMeeting.objects.filter(period=period).first()
