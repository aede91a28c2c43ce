"""Reads about leads' updates: what each lead must update, by when, and who has not.

"This quarter" is each plan's period collecting updates (``plans.selectors.period_collecting``):
its earliest open reporting period, late once its deadline has passed, never the calendar
quarter. A milestone counts as updated this period when a lead or admin saved an update (not
an import) since the period began (or since the period before it closed, if later). Updated
is decided before overdue: what the lead has updated is done for the period and never chased.
A plan with no period collecting (it has ended) chases no one.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Page
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from plans.access import partnership_ids_for
from plans.models import (
    RAG,
    Membership,
    Milestone,
    MilestoneUpdate,
    Person,
    Plan,
    ReminderRound,
    ReminderSent,
)
from plans.paging import IdsFirstPaginator
from plans.selectors import CollectingPeriod, period_collecting, periods_collecting

OVERDUE = "overdue"
NEEDS_UPDATE = "needs_update"
UPDATED = "updated"
COMPLETE = "complete"
ENDED = "ended"

GROUPS = (
    (OVERDUE, "Overdue"),
    (NEEDS_UPDATE, "Needs an update this quarter"),
    (UPDATED, "Updated this quarter"),
    (COMPLETE, "Complete"),
    (ENDED, "In plans that have ended or are archived"),
)

LEAD_SOURCES = (MilestoneUpdate.Source.WEB, MilestoneUpdate.Source.ADMIN)

PLAN_PATH = "action__outcome__priority__plan_id"

# Soonest due first, then in plan order.
LEAD_ORDER = ("due_date", "action__outcome__priority__plan__title", "sort_key", "pk")


def with_last_lead_update(queryset: QuerySet[Milestone]) -> QuerySet[Milestone]:
    """Annotate ``last_lead_update``: when a lead or admin last saved an update."""
    return queryset.annotate(
        last_lead_update=Max("updates__created_at", filter=Q(updates__source__in=LEAD_SOURCES))
    )


def group_of(milestone: Milestone, *, today: date, collecting: CollectingPeriod | None) -> str:
    """Which of the My milestones groups a milestone falls in today (updated before overdue)."""
    if milestone.status == RAG.COMPLETE:
        return COMPLETE
    if collecting is None:
        return ENDED
    last = getattr(milestone, "last_lead_update", None)
    if last and last >= collecting.since:
        return UPDATED
    if milestone.due_date and milestone.due_date < today:
        return OVERDUE
    return NEEDS_UPDATE


def people_acting_as(*, user) -> QuerySet[Person]:
    """The people ``user`` updates for: themselves while in post, and leads who named them."""
    return Person.objects.filter(
        Q(user=user, removed_at__isnull=True)
        | Q(
            delegations_given__delegate__user=user,
            delegations_given__delegate__removed_at__isnull=True,
        )
    )


def milestones_for_lead(*, user) -> QuerySet[Milestone]:
    """Milestones ``user`` may update as a lead: led by them, by actions they lead, or delegated.

    Limited to partnerships where the user is a lead or admin and to people not removed.
    """
    ids = partnership_ids_for(user, roles=(Membership.Role.LEAD, Membership.Role.ADMIN))
    # Lists of ids rather than joins: joins through action leads and delegations repeat
    # milestones (de-duplicating them grouped every milestone of the partnership), and short
    # literal lists let the database pick the lead and action indexes with honest estimates.
    people, actions_led = set(), set()
    for person_id, action_id in people_acting_as(user=user).values_list("pk", "actions_led"):
        people.add(person_id)
        if action_id is not None:
            actions_led.add(action_id)
    return (
        Milestone.objects.live()
        .filter(action__outcome__priority__plan__partnership_id__in=ids)
        .filter(Q(lead_id__in=people) | Q(action_id__in=actions_led))
        .select_related(
            "lead",
            "lead__organisation",
            "latest_update",
            "action__outcome__priority__plan__partnership",
        )
        .order_by(*LEAD_ORDER)
    )


def with_work_group(
    queryset: QuerySet[Milestone], *, today: date, collecting: dict[int, CollectingPeriod | None]
) -> QuerySet[Milestone]:
    """Annotate ``work_rank`` (the index in ``GROUPS`` that ``group_of`` would give) and
    ``updated_in_period``, each against the milestone's own plan's period collecting updates.

    Computed in the database so that My milestones can sort, count and page by group.
    """
    live = {plan_id: c for plan_id, c in collecting.items() if c is not None}
    since = Case(
        *(When(**{PLAN_PATH: plan_id}, then=Value(c.since)) for plan_id, c in live.items()),
        default=Value(None),
        output_field=DateTimeField(),
    )
    updated = Exists(
        MilestoneUpdate.objects.filter(
            milestone=OuterRef("pk"),
            source__in=LEAD_SOURCES,
            created_at__gte=OuterRef("period_since"),
        )
    )
    rank = {key: index for index, (key, _) in enumerate(GROUPS)}
    return queryset.annotate(period_since=since).annotate(
        updated_in_period=Case(
            When(updated, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        work_rank=Case(
            When(status=RAG.COMPLETE, then=Value(rank[COMPLETE])),
            When(period_since__isnull=True, then=Value(rank[ENDED])),
            When(updated, then=Value(rank[UPDATED])),
            When(due_date__lt=today, then=Value(rank[OVERDUE])),
            default=Value(rank[NEEDS_UPDATE]),
            output_field=IntegerField(),
        ),
    )


@dataclass
class WorkGroup:
    key: str
    label: str
    count: int
    first_page: int
    milestones: list[Milestone] = field(default_factory=list)


@dataclass
class PeriodLine:
    """One "update by" line of My milestones: a period, its deadline, the plans it is for."""

    collecting: CollectingPeriod
    plans: list[str]


@dataclass
class MyMilestones:
    today: date
    collecting: dict[int, CollectingPeriod | None]
    plan_titles: dict[int, str]
    page: Page
    groups: list[WorkGroup]
    done: int = 0
    to_do: int = 0

    @property
    def periods(self) -> list[PeriodLine]:
        """Each distinct period and deadline the lead's plans are collecting, soonest first."""
        lines: dict[tuple, PeriodLine] = {}
        for plan_id, c in self.collecting.items():
            if c is None:
                continue
            line = lines.setdefault((c.deadline, c.key, c.late), PeriodLine(collecting=c, plans=[]))
            line.plans.append(self.plan_titles[plan_id])
        for line in lines.values():
            line.plans.sort()
        return [lines[key] for key in sorted(lines)]

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)

    def as_list(self):
        """``(key, label, milestones on this page)`` for every group, in board order."""
        return [(group.key, group.label, group.milestones) for group in self.groups]


MY_MILESTONES_PER_PAGE = 50


def my_milestones(
    *, user, status: str = "", page: int | str = 1, today: date | None = None
) -> MyMilestones:
    """One page of the lead's milestones, grouped overdue / needs update / updated / complete.

    Each milestone is judged against its own plan's period collecting updates. Pages run
    through the groups in that order, 50 milestones a page; each group carries its count over
    every page and the page it starts on. A constant number of queries.
    """
    today = today or timezone.localdate()
    mine = milestones_for_lead(user=user)
    plans = list(
        Plan.objects.filter(pk__in=mine.order_by().values(PLAN_PATH)).only(
            "pk", "title", "start_date", "end_date", "archived_at"
        )
    )
    collecting = periods_collecting(plans=plans, today=today)
    milestones = with_work_group(mine, today=today, collecting=collecting)
    if status:
        milestones = milestones.filter(status=status)
    counted = (
        milestones.order_by().values_list("work_rank", "updated_in_period").annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(range(len(GROUPS)), 0)
    rank = {key: index for index, (key, _) in enumerate(GROUPS)}
    done = to_do = 0
    for work_rank, updated, n in counted:
        counts[work_rank] += n
        if work_rank in (rank[OVERDUE], rank[NEEDS_UPDATE], rank[UPDATED]) or (
            work_rank == rank[COMPLETE] and updated
        ):
            to_do += n
            done += n if updated else 0
    paginator = IdsFirstPaginator(
        milestones.order_by("work_rank", *LEAD_ORDER),
        MY_MILESTONES_PER_PAGE,
        count=sum(counts.values()),
    )
    page_obj = paginator.get_page(page)
    groups, before = [], 0
    for index, (key, label) in enumerate(GROUPS):
        groups.append(
            WorkGroup(
                key=key,
                label=label,
                count=counts[index],
                first_page=before // MY_MILESTONES_PER_PAGE + 1,
            )
        )
        before += counts[index]
    for milestone in page_obj:
        milestone.collecting = collecting.get(milestone.action.outcome.priority.plan_id)
        milestone.update_deadline = milestone.collecting.deadline if milestone.collecting else None
        groups[milestone.work_rank].milestones.append(milestone)
    return MyMilestones(
        today=today,
        collecting=collecting,
        plan_titles={plan.pk: plan.title for plan in plans},
        page=page_obj,
        groups=groups,
        done=done,
        to_do=to_do,
    )


@dataclass
class LeadDigest:
    person: Person
    collecting: dict[int, CollectingPeriod] = field(default_factory=dict)
    plan_titles: dict[int, str] = field(default_factory=dict)
    overdue: list[Milestone] = field(default_factory=list)
    needs_update: list[Milestone] = field(default_factory=list)

    @property
    def milestones(self) -> list[Milestone]:
        return self.overdue + self.needs_update

    @property
    def deadline(self) -> date | None:
        """The soonest of the deadlines the digest gives (each plan keeps its own)."""
        return min((c.deadline for c in self.collecting.values()), default=None)

    @property
    def plans(self) -> list[tuple[str, CollectingPeriod]]:
        """``(plan title, its period collecting updates)``, soonest deadline first."""
        return sorted(
            ((self.plan_titles[pk], c) for pk, c in self.collecting.items()),
            key=lambda item: (item[1].deadline, item[0]),
        )

    @property
    def labels(self) -> list[str]:
        return sorted({c.label for c in self.collecting.values()})

    def without(self, keys: set[tuple[int, int]]) -> "LeadDigest":
        """This digest less the milestones of periods in ``keys`` (already sent)."""

        def keep(m):
            return self.collecting[m.action.outcome.priority.plan_id].key not in keys

        overdue, needs = (
            [m for m in self.overdue if keep(m)],
            [m for m in self.needs_update if keep(m)],
        )
        plan_ids = {m.action.outcome.priority.plan_id for m in overdue + needs}
        return LeadDigest(
            person=self.person,
            collecting={pk: c for pk, c in self.collecting.items() if pk in plan_ids},
            plan_titles=self.plan_titles,
            overdue=overdue,
            needs_update=needs,
        )


@dataclass
class Unreachable:
    """A lead with milestones to update but no e-mail address to chase them at."""

    person: Person
    milestone_count: int = 0


def reminder_digests(
    *, today: date | None = None, plan: Plan | None = None
) -> tuple[list[LeadDigest], list[Unreachable]]:
    """For every lead: what needs their update in its plan's period collecting updates.

    Returns the digests for leads with an e-mail address, and the leads who would be chased
    but have none. Milestones already updated this period, complete, or in plans that have
    ended are not chased. A milestone is chased through its own lead, or, where it has none,
    through its action's leads. ``plan``: only that plan's milestones (an admin's reminder
    round). Four queries whatever the number of leads and milestones.
    """
    today = today or timezone.localdate()
    plans = Plan.objects.only("pk", "title", "start_date", "end_date", "archived_at")
    plans = list(plans.filter(pk=plan.pk) if plan is not None else plans)
    collecting = periods_collecting(plans=plans, today=today)
    titles = {plan.pk: plan.title for plan in plans}
    live = [plan_id for plan_id, c in collecting.items() if c is not None]
    open_milestones = with_last_lead_update(
        Milestone.objects.live()
        .filter(**{f"{PLAN_PATH}__in": live})
        .exclude(status=RAG.COMPLETE)
        .select_related("action__outcome__priority", "lead")
        .prefetch_related("action__leads")
        .order_by("due_date", "sort_key", "pk")
    )
    digests: dict[int, LeadDigest] = {}
    unreachable: dict[int, Unreachable] = {}
    for milestone in open_milestones:
        plan_id = milestone.action.outcome.priority.plan_id
        period = collecting[plan_id]
        group = group_of(milestone, today=today, collecting=period)
        if group not in (OVERDUE, NEEDS_UPDATE):
            continue
        leads = [milestone.lead] if milestone.lead else list(milestone.action.leads.all())
        for person in leads:
            if person.removed_at:
                continue
            if not person.email:
                unreachable.setdefault(person.pk, Unreachable(person=person)).milestone_count += 1
                continue
            digest = digests.setdefault(person.pk, LeadDigest(person=person, plan_titles=titles))
            digest.collecting[plan_id] = period
            (digest.overdue if group == OVERDUE else digest.needs_update).append(milestone)
    return (
        sorted(digests.values(), key=lambda d: (d.person.name, d.person.pk)),
        sorted(unreachable.values(), key=lambda u: (u.person.name, u.person.pk)),
    )


def update_compliance(*, plan: Plan, today: date | None = None) -> dict:
    """Who has not updated in the plan's period collecting updates: by organisation and lead.

    Counted are open milestones (not complete) with no lead or admin update since the
    period began. Leads with no e-mail address are listed as unreachable. A plan with no
    period collecting (it has ended) chases no one. A constant number of queries.
    """
    today = today or timezone.localdate()
    collecting = period_collecting(plan=plan, today=today)
    milestones = (
        Milestone.objects.live()
        .filter(action__outcome__priority__plan=plan)
        .exclude(status=RAG.COMPLETE)
    )
    if collecting is None:
        return {
            "collecting": None,
            "by_organisation": [],
            "by_lead": [],
            "unreachable": [],
            "open": milestones.count(),
            "not_updated": 0,
        }
    not_updated = with_last_lead_update(milestones).filter(
        Q(last_lead_update__isnull=True) | Q(last_lead_update__lt=collecting.since)
    )
    overdue = Q(due_date__lt=today)
    # Group on the ids of those not updated: an aggregate over an aggregate is not portable.
    pending = Milestone.objects.filter(pk__in=not_updated.values("pk"))
    by_organisation = list(
        pending.values("lead__organisation__name")
        .annotate(count=Count("pk"), overdue=Count("pk", filter=overdue))
        .order_by("-count", "lead__organisation__name")
    )
    by_lead = list(
        pending.values(
            "lead_id",
            "lead__name",
            "lead__role_title",
            "lead__organisation__name",
            "lead__removed_at",
            "lead__email",
        )
        .annotate(count=Count("pk"), overdue=Count("pk", filter=overdue))
        .order_by("-count", "lead__name")
    )
    totals = milestones.aggregate(
        open=Count("pk"), not_updated=Count("pk", filter=Q(pk__in=not_updated.values("pk")))
    )
    unreachable = [
        row
        for row in by_lead
        if row["lead_id"] and not row["lead__email"] and not row["lead__removed_at"]
    ]
    return {
        "collecting": collecting,
        "by_organisation": by_organisation,
        "by_lead": by_lead,
        "unreachable": unreachable,
        "open": totals["open"],
        "not_updated": totals["not_updated"],
    }


@dataclass
class ChaseRecord:
    """Who was reminded in a plan's period collecting updates, and the latest round."""

    last_round: object | None
    reminded: dict[int, object]  # person id → the latest ReminderSent to them this period


def chase_record(*, plan: Plan, collecting: CollectingPeriod | None) -> ChaseRecord:
    """The plan's latest reminder round this period, and each lead's latest reminder.

    A lead counts as reminded by this plan's rounds or by the scheduled digest for the same
    period (which covers all their plans). Two queries whatever the number of leads.
    """
    if collecting is None:
        return ChaseRecord(last_round=None, reminded={})
    year, quarter = collecting.key
    last_round = (
        ReminderRound.objects.filter(plan=plan, year=year, quarter=quarter)
        .select_related("sent_by")
        .first()
    )
    reminded: dict[int, object] = {}
    rows = (
        ReminderSent.objects.filter(year=year, quarter=quarter)
        .filter(Q(round__plan=plan) | Q(round__isnull=True))
        .filter(person__partnership_id=plan.partnership_id)
        .only("person_id", "sent_at", "round_id")
        .order_by("sent_at", "pk")
    )
    for row in rows:
        reminded[row.person_id] = row  # oldest first, so the latest wins
    return ChaseRecord(last_round=last_round, reminded=reminded)
