"""Reads for pages and exports: querysets already scoped to the user and joined for the page."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Lower
from django.utils import timezone

from plans import rag
from plans.access import partnership_ids_for
from plans.models import (
    RAG,
    Action,
    Delegation,
    Membership,
    Milestone,
    MilestoneUpdate,
    Organisation,
    Outcome,
    Person,
    Plan,
    Priority,
    ReportingPeriod,
    live_below,
)
from plans.periods import quarters_between

# The order boards read RAG in (plans/rag.py decides it, Not started last).
RAG_ORDER = rag.ORDER


def plan_list(*, user) -> QuerySet[Plan]:
    """The plans of every partnership the user belongs to, with their partnership."""
    return Plan.objects.filter(partnership_id__in=partnership_ids_for(user)).select_related(
        "partnership"
    )


# --- RAG roll-ups -------------------------------------------------------------------------


@dataclass(frozen=True)
class RagCount:
    status: str
    label: str
    count: int


def _rag_annotations(path: str, *, today: date) -> dict:
    """Count milestones under ``path`` by RAG status (and overdue), as annotations."""
    live = live_below(path)  # withdrawn items (and those under them) are not counted
    annotations = {
        f"rag_{status}": Count(path, filter=live & Q(**{f"{path}__status": status}))
        for status in RAG_ORDER
    }
    annotations["milestone_total"] = Count(path, filter=live)
    annotations["overdue_total"] = Count(
        path,
        filter=live
        & Q(**{f"{path}__due_date__lt": today})
        & ~Q(**{f"{path}__status": RAG.COMPLETE}),
    )
    return annotations


def rag_counts_of(obj) -> list[RagCount]:
    """The RAG counts annotated on ``obj`` by a selector, in board order."""
    return [
        RagCount(status=status.value, label=status.label, count=getattr(obj, f"rag_{status}"))
        for status in RAG_ORDER
    ]


# --- Plan page ----------------------------------------------------------------------------


def with_progress(queryset: QuerySet[Milestone]) -> QuerySet[Milestone]:
    """Annotate ``progress``: the latest real commentary, so a later update without
    commentary (a moved date, "no change") never replaces it with nothing."""
    return queryset.annotate(
        progress=Subquery(
            MilestoneUpdate.objects.filter(milestone=OuterRef("pk"))
            .exclude(commentary="")
            .order_by("-created_at", "-pk")
            .values("commentary")[:1]
        )
    )


def _milestones_for_page() -> QuerySet[Milestone]:
    # Children under a parent already read: only their own withdrawal is left to check.
    return with_progress(
        Milestone.objects.not_withdrawn().select_related("lead__organisation", "latest_update")
    )


def _actions_for_page() -> QuerySet[Action]:
    return Action.objects.not_withdrawn().prefetch_related(
        Prefetch("leads", queryset=Person.objects.select_related("organisation")),
        Prefetch("milestones", queryset=_milestones_for_page()),
        Prefetch("see_also", queryset=Outcome.objects.only("pk", "number", "priority_id")),
    )


def plan_detail(*, user, today: date | None = None) -> QuerySet[Plan]:
    """Plans the user may read, each with its priorities and their RAG counts.

    Each of the plan's ``priorities`` carries ``rag_<status>``, ``milestone_total`` and
    ``overdue_total``; ``plan_roll_up`` adds them up for the plan. Outcomes, actions and
    milestones are not fetched here: a large plan's page shows one priority at a time, so the
    view asks ``plan_hierarchy`` or ``priority_actions`` for what it shows.
    """
    today = today or timezone.localdate()
    # Meta.ordering is ignored by aggregating queries, so the plan's own order is explicit.
    priorities = (
        Priority.objects.live()
        .annotate(**_rag_annotations("outcomes__actions__milestones", today=today))
        .order_by(*Priority._meta.ordering)
    )
    return (
        plan_list(user=user)
        .select_related("predecessor", "owner")
        .annotate(
            # An owner who has left the partnership is passed over (milestone_red_recipients).
            owner_is_member=Exists(
                Membership.objects.filter(
                    partnership=OuterRef("partnership"),
                    user=OuterRef("owner"),
                    user__is_active=True,
                )
            )
        )
        .prefetch_related(Prefetch("priorities", queryset=priorities))
    )


def plan_roll_up(*, plan: Plan) -> None:
    """Set the plan's RAG counts as the sum of its priorities' (from ``plan_detail``).

    Every milestone sits under exactly one priority, so the sum is the plan's count, without
    a second pass over the plan's milestones.
    """
    priorities = plan.priorities.all()
    for name in [f"rag_{status}" for status in RAG_ORDER] + ["milestone_total", "overdue_total"]:
        setattr(plan, name, sum(getattr(priority, name) for priority in priorities))


def priority_actions(*, priority: Priority) -> QuerySet[Action]:
    """The priority's actions in plan order, with their outcome.

    For a large plan's page, which pages these (with ``action_roll_ups`` for each page's rows)
    instead of listing every milestone of the priority.
    """
    return (
        Action.objects.live()
        .filter(outcome__priority=priority)
        .select_related("outcome")
        .order_by("outcome__sort_key", "outcome__position", "outcome_id", *Action._meta.ordering)
    )


def action_roll_ups(actions: QuerySet[Action], *, today: date | None = None) -> QuerySet[Action]:
    """``actions`` with their leads and RAG counts of their milestones.

    Each action carries ``rag_<status>``, ``milestone_total`` and ``overdue_total``.
    """
    today = today or timezone.localdate()
    return actions.annotate(**_rag_annotations("milestones", today=today)).prefetch_related(
        Prefetch("leads", queryset=Person.objects.select_related("organisation"))
    )


def plan_hierarchy(*, priorities: list[Priority]) -> None:
    """Fetch outcomes → actions → milestones under ``priorities`` (from ``plan_detail``).

    Five queries whatever the number of priorities or milestones (none for an empty list).
    """
    prefetch_related_objects(
        priorities,
        Prefetch(
            "outcomes",
            queryset=Outcome.objects.not_withdrawn().prefetch_related(
                Prefetch("actions", queryset=_actions_for_page())
            ),
        ),
    )


# --- Detail pages -------------------------------------------------------------------------


def outcome_detail(*, user) -> QuerySet[Outcome]:
    """Outcomes the user may read, with their plan, actions, leads and milestones."""
    return (
        Outcome.objects.filter(priority__plan__partnership_id__in=partnership_ids_for(user))
        .select_related(
            "priority__plan__partnership", "withdrawn_by", "predecessor__priority__plan"
        )
        .prefetch_related(Prefetch("actions", queryset=_actions_for_page()))
    )


def action_detail(*, user) -> QuerySet[Action]:
    """Actions the user may read, with their place in the plan, leads and milestones."""
    return (
        Action.objects.filter(outcome__priority__plan__partnership_id__in=partnership_ids_for(user))
        .select_related(
            "outcome__priority__plan__partnership",
            "withdrawn_by",
            "predecessor__outcome__priority__plan",
        )
        .prefetch_related(
            Prefetch("leads", queryset=Person.objects.select_related("organisation")),
            Prefetch("milestones", queryset=_milestones_for_page()),
            Prefetch("see_also", queryset=Outcome.objects.select_related("priority")),
        )
    )


def milestone_detail(*, user) -> QuerySet[Milestone]:
    """Milestones the user may read, with their place in the plan and their whole history."""
    return with_progress(
        Milestone.objects.filter(
            action__outcome__priority__plan__partnership_id__in=partnership_ids_for(user)
        )
        .select_related(
            "action__outcome__priority__plan__partnership",
            "lead__organisation",
            "latest_update",
            "withdrawn_by",
            "predecessor__action__outcome__priority__plan",
        )
        .prefetch_related(
            Prefetch("action__leads", queryset=Person.objects.select_related("organisation")),
            Prefetch("updates", queryset=MilestoneUpdate.objects.select_related("author")),
        )
    )


@dataclass(frozen=True)
class HistoryEntry:
    update: MilestoneUpdate
    author: str
    moved_from: date | None
    moved_to: date | None


def milestone_history(*, milestone: Milestone) -> list[HistoryEntry]:
    """The milestone's updates newest first, each with the due-date move it made (if any).

    Uses the ``updates`` prefetched by ``milestone_detail``; a move is a change from the due
    date in force before the update (the original due date before the first one).
    """
    oldest_first = sorted(milestone.updates.all(), key=lambda u: (u.created_at, u.pk))
    entries = []
    in_force = milestone.original_due_date
    for update in oldest_first:
        moved = update.due_date is not None and update.due_date != in_force
        entries.append(
            HistoryEntry(
                update=update,
                author=_author_name(update),
                moved_from=in_force if moved else None,
                moved_to=update.due_date if moved else None,
            )
        )
        if update.due_date is not None:
            in_force = update.due_date
    entries.reverse()
    return entries


def _author_name(update: MilestoneUpdate) -> str:
    if update.author_name:
        return update.author_name
    if update.author is not None:
        return update.author.get_full_name() or update.author.get_username()
    return update.get_source_display()


# --- Milestone list -----------------------------------------------------------------------

_HIERARCHY_ORDER = [
    "action__outcome__priority__plan__partnership__name",
    "action__outcome__priority__plan__title",
    "action__outcome__priority__sort_key",
    "action__outcome__priority__position",
    "action__outcome__sort_key",
    "action__outcome__position",
    "action__sort_key",
    "action__position",
    "sort_key",
    "position",
    "pk",
]

_RAG_RANK = Case(
    *[When(status=status, then=Value(rank)) for rank, status in enumerate(RAG_ORDER)],
    output_field=IntegerField(),
)

MILESTONE_SORTS = {
    "number": "Number",
    "due": "Due date",
    "rag": "Status",
    "lead": "Lead",
}
DEFAULT_MILESTONE_SORT = "number"


def _sort_expressions(key: str, *, descending: bool) -> list:
    if key == "due":
        # Milestones without a date ("Ongoing", "Quarterly") come last either way.
        return [
            Case(When(due_date__isnull=True, then=Value(1)), default=Value(0)).asc(),
            "-due_date" if descending else "due_date",
            *_HIERARCHY_ORDER,
        ]
    if key == "rag":
        return [_RAG_RANK.desc() if descending else _RAG_RANK.asc(), *_HIERARCHY_ORDER]
    if key == "lead":
        name = Lower("lead__name")
        text = Lower("lead_text")
        return [
            Case(When(lead__isnull=True, then=Value(1)), default=Value(0)).asc(),
            name.desc() if descending else name.asc(),
            text.desc() if descending else text.asc(),
            *_HIERARCHY_ORDER,
        ]
    if descending:
        return [f"-{field}" for field in _HIERARCHY_ORDER]
    return list(_HIERARCHY_ORDER)


def milestone_sort_param(value: str | None) -> str:
    """A whitelisted sort parameter: one of ``MILESTONE_SORTS``, optionally with "-"."""
    key = (value or "").removeprefix("-")
    if key not in MILESTONE_SORTS:
        return DEFAULT_MILESTONE_SORT
    return value


def milestone_list(
    *,
    user,
    sort: str = DEFAULT_MILESTONE_SORT,
    partnership_ids: list[int] | None = None,
    withdrawn: bool = False,
) -> QuerySet[Milestone]:
    """Milestones of every plan the user may read, joined for a table row (with ``progress``,
    the latest real commentary), sorted by ``sort``.

    ``sort`` is one of ``MILESTONE_SORTS``, optionally prefixed with "-" for descending;
    anything else falls back to plan order. ``partnership_ids`` saves a query when the caller
    already has ``partnership_ids_for(user)``. Withdrawn milestones (and those under a
    withdrawn action, outcome or priority) are left out, or with ``withdrawn`` are all shown.
    """
    sort = milestone_sort_param(sort)
    descending = sort.startswith("-")
    if partnership_ids is None:
        partnership_ids = partnership_ids_for(user)
    milestones = Milestone.objects.withdrawn() if withdrawn else Milestone.objects.live()
    # The latest commentary comes in the rows' own query (a subquery per row, not a query).
    return with_progress(
        milestones.filter(
            action__outcome__priority__plan__partnership_id__in=partnership_ids
        ).select_related(
            "action__outcome__priority__plan__partnership", "lead__organisation", "latest_update"
        )
    ).order_by(*_sort_expressions(sort.removeprefix("-"), descending=descending))


def filter_options(*, partnership_ids: list[int]) -> dict[str, QuerySet]:
    """The choices offered by the milestone filters, limited to the given partnerships.

    Only the columns the choices' labels use: a partnership can have hundreds of leads.
    """
    return {
        "plan": Plan.objects.filter(partnership_id__in=partnership_ids).only("title"),
        "priority": Priority.objects.live()
        .filter(plan__partnership_id__in=partnership_ids)
        .select_related("plan")
        .only("number", "title", "plan__title"),
        "lead": Person.objects.filter(partnership_id__in=partnership_ids)
        .select_related("organisation")
        .only("name", "role_title", "organisation__name"),
        "organisation": Organisation.objects.filter(partnership_id__in=partnership_ids).only(
            "name"
        ),
    }


def people_for_admin(*, partnership_ids: list[int]) -> QuerySet[Person]:
    """The people of the given partnerships, in post first, with organisation and partnership."""
    return (
        Person.objects.filter(partnership_id__in=partnership_ids)
        .select_related("organisation", "partnership")
        .order_by("partnership__name", F("removed_at").asc(nulls_first=True), Lower("name"), "pk")
    )


# --- The period collecting updates ------------------------------------------------------

DEFAULT_DEADLINE_DAYS = 14


def deadline_days() -> int:
    """Days after a quarter's last day by which leads update (setting REPORTING_DEADLINE_DAYS)."""
    return int(getattr(settings, "REPORTING_DEADLINE_DAYS", DEFAULT_DEADLINE_DAYS))


@dataclass(frozen=True)
class CollectingPeriod:
    """The reporting period a plan is collecting updates for, and whether its deadline passed.

    ``period`` is the plan's ``ReportingPeriod``; where the admin has not set that quarter up
    yet it is an unsaved one with the default deadline (``pk`` is None), so every page,
    reminder and pack still tells the same quarter and date.
    """

    period: ReportingPeriod
    late: bool
    since: datetime

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def deadline(self) -> date:
        return self.period.update_deadline

    @property
    def key(self) -> tuple[int, int]:
        return (self.period.year, self.period.quarter)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _collecting(plan: Plan, rows: list[ReportingPeriod], today: date) -> CollectingPeriod | None:
    if plan.archived_at is not None:
        return None  # an archived plan chases no one, like one that has ended
    by_quarter = {(p.year, p.quarter): p for p in rows}
    candidates: list[tuple[ReportingPeriod, bool]] = [
        (p, p.update_deadline < today) for p in rows if p.status == ReportingPeriod.Status.OPEN
    ]
    days = timedelta(days=deadline_days())
    for quarter in quarters_between(plan.start_date, plan.end_date):
        if (quarter.year, quarter.quarter) in by_quarter or quarter.end + days < today:
            continue  # set up already, or a quarter nobody set up whose deadline has gone
        virtual = ReportingPeriod(
            plan=plan,
            year=quarter.year,
            quarter=quarter.quarter,
            start_date=quarter.start,
            end_date=quarter.end,
            update_deadline=quarter.end + days,
        )
        candidates.append((virtual, False))
    if today > plan.end_date:
        # An ended plan chases no one, bar its last quarter until that quarter's deadline.
        candidates = [(p, late) for p, late in candidates if not late]
    if not candidates:
        return None
    period, late = min(candidates, key=lambda c: (c[0].year, c[0].quarter))
    since = _midnight(period.start_date)
    # An update saved before the quarter before closed went into that quarter's pack.
    before = by_quarter.get(_previous_key(period))
    if before is not None and before.closed_at and before.closed_at > since:
        since = before.closed_at
    return CollectingPeriod(period=period, late=late, since=since)


def _previous_key(period: ReportingPeriod) -> tuple[int, int]:
    previous = period.financial_quarter.previous()
    return (previous.year, previous.quarter)


def periods_collecting(*, plans, today: date | None = None) -> dict[int, CollectingPeriod | None]:
    """For each plan, the period collecting updates (``period_collecting``), in one query.

    ``plans`` are ``Plan`` instances (their dates are needed) or plan ids (one more query).
    """
    today = today or timezone.localdate()
    plans = list(plans)
    if plans and not isinstance(plans[0], Plan):
        plans = list(Plan.objects.filter(pk__in=plans))
    rows: dict[int, list[ReportingPeriod]] = {plan.pk: [] for plan in plans}
    for period in ReportingPeriod.objects.filter(plan__in=[p.pk for p in plans]):
        rows[period.plan_id].append(period)
    return {plan.pk: _collecting(plan, rows[plan.pk], today) for plan in plans}


def period_collecting(
    *, plan: Plan, today: date | None = None, periods: list[ReportingPeriod] | None = None
) -> CollectingPeriod | None:
    """The period ``plan`` is collecting updates for today, or None when it chases no one.

    The earliest open reporting period whose update deadline has not passed; once its
    deadline passes it is *late* until an admin closes it. Quarters of the plan not yet set
    up count as open with the default deadline. A plan past its end date chases no one
    once its last deadline has gone, and an archived plan chases no one. ``periods``: all
    the plan's periods, already read.
    """
    if periods is not None:
        return _collecting(plan, list(periods), today or timezone.localdate())
    return periods_collecting(plans=[plan], today=today)[plan.pk]


# --- The header -------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    """Who the header says is signed in, and whether "My milestones" is any use to them."""

    name: str
    leads: bool


def signed_in(*, user) -> SignedIn:
    """The signed-in person's name and whether they lead or update anything, in one query.

    "Leads" means what My milestones lists (``reminders.milestones_for_lead``): milestones or
    actions led, or someone who named them a delegate, as a lead or admin not removed. The
    name is the user's own full name, else the name their partnership knows them by, else
    the username.
    """
    people = Person.objects.filter(
        user=user,
        removed_at__isnull=True,
        partnership__memberships__user=user,
        partnership__memberships__role__in=(Membership.Role.LEAD, Membership.Role.ADMIN),
    )
    leads = (
        Exists(Milestone.objects.filter(lead=OuterRef("pk")))
        | Exists(Action.leads.through.objects.filter(person_id=OuterRef("pk")))
        | Exists(Delegation.objects.filter(delegate=OuterRef("pk"), lead__removed_at__isnull=True))
    )
    rows = list(people.annotate(leads=leads).order_by("pk").values_list("name", "leads"))
    name = user.get_full_name() or (rows[0][0] if rows else "") or user.get_username()
    return SignedIn(name=name, leads=any(row[1] for row in rows))


def plan_owner_choices(*, partnership_id: int):
    """Who may own a plan of the partnership: its members' active accounts, by name."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__partnership_id=partnership_id)
        .order_by("first_name", "last_name", "username")
    )
