"""Reads about leads' quarterly updates: what each lead must update, by when, and who has not.

"This quarter" is the financial quarter containing today. Its update deadline is the plan's
``ReportingPeriod.update_deadline`` where the period row exists, else the quarter's last day.
A milestone counts as updated this quarter when a lead or admin saved an update (not an
import) on or after the quarter's first day.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.paginator import Page
from django.db.models import (
    Case,
    Count,
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
    ReportingPeriod,
)
from plans.paging import IdsFirstPaginator
from plans.periods import FinancialQuarter

OVERDUE = "overdue"
NEEDS_UPDATE = "needs_update"
UPDATED = "updated"
COMPLETE = "complete"

GROUPS = (
    (OVERDUE, "Overdue"),
    (NEEDS_UPDATE, "Needs an update this quarter"),
    (UPDATED, "Updated this quarter"),
    (COMPLETE, "Complete"),
)

LEAD_SOURCES = (MilestoneUpdate.Source.WEB, MilestoneUpdate.Source.ADMIN)

# Soonest due first, then in plan order.
LEAD_ORDER = ("due_date", "action__outcome__priority__plan__title", "sort_key", "pk")


def quarter_start_moment(quarter: FinancialQuarter) -> datetime:
    """Midnight (Europe/London) at the start of the quarter's first day."""
    return timezone.make_aware(datetime.combine(quarter.start, time.min))


def deadlines_for(*, plan_ids, quarter: FinancialQuarter) -> dict[int, date]:
    """Each plan's update deadline for ``quarter``: its period row's, else the quarter's end."""
    found = dict(
        ReportingPeriod.objects.filter(
            plan_id__in=plan_ids, year=quarter.year, quarter=quarter.quarter
        ).values_list("plan_id", "update_deadline")
    )
    return {plan_id: found.get(plan_id, quarter.end) for plan_id in plan_ids}


def with_last_lead_update(queryset: QuerySet[Milestone]) -> QuerySet[Milestone]:
    """Annotate ``last_lead_update``: when a lead or admin last saved an update."""
    return queryset.annotate(
        last_lead_update=Max("updates__created_at", filter=Q(updates__source__in=LEAD_SOURCES))
    )


def group_of(milestone: Milestone, *, today: date, quarter: FinancialQuarter) -> str:
    """Which of the four My milestones groups a milestone falls in today."""
    if milestone.status == RAG.COMPLETE:
        return COMPLETE
    if milestone.due_date and milestone.due_date < today:
        return OVERDUE
    last = getattr(milestone, "last_lead_update", None)
    if last and last >= quarter_start_moment(quarter):
        return UPDATED
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
        Milestone.objects.filter(action__outcome__priority__plan__partnership_id__in=ids)
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
    queryset: QuerySet[Milestone], *, today: date, quarter: FinancialQuarter
) -> QuerySet[Milestone]:
    """Annotate ``work_rank``: the index in ``GROUPS`` of the group ``group_of`` would give.

    Computed in the database so that My milestones can sort, count and page by group.
    """
    updated_this_quarter = Exists(
        MilestoneUpdate.objects.filter(
            milestone=OuterRef("pk"),
            source__in=LEAD_SOURCES,
            created_at__gte=quarter_start_moment(quarter),
        )
    )
    rank = {key: index for index, (key, _) in enumerate(GROUPS)}
    return queryset.annotate(
        work_rank=Case(
            When(status=RAG.COMPLETE, then=Value(rank[COMPLETE])),
            When(due_date__lt=today, then=Value(rank[OVERDUE])),
            When(updated_this_quarter, then=Value(rank[UPDATED])),
            default=Value(rank[NEEDS_UPDATE]),
            output_field=IntegerField(),
        )
    )


@dataclass
class WorkGroup:
    key: str
    label: str
    count: int
    first_page: int
    milestones: list[Milestone] = field(default_factory=list)


@dataclass
class MyMilestones:
    quarter: FinancialQuarter
    today: date
    deadlines: dict[int, date]
    page: Page
    groups: list[WorkGroup]

    @property
    def earliest_deadline(self) -> date | None:
        return min(self.deadlines.values()) if self.deadlines else None

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

    Pages run through the groups in that order, 50 milestones a page; each group carries its
    count over every page and the page it starts on. A constant number of queries.
    """
    today = today or timezone.localdate()
    quarter = FinancialQuarter.containing(today)
    milestones = with_work_group(milestones_for_lead(user=user), today=today, quarter=quarter)
    if status:
        milestones = milestones.filter(status=status)
    plan_path = "action__outcome__priority__plan_id"
    counted = milestones.order_by().values_list("work_rank", plan_path).annotate(n=Count("pk"))
    counts = dict.fromkeys(range(len(GROUPS)), 0)
    plan_ids = set()
    for rank, plan_id, n in counted:
        counts[rank] += n
        plan_ids.add(plan_id)
    paginator = IdsFirstPaginator(
        milestones.order_by("work_rank", *LEAD_ORDER),
        MY_MILESTONES_PER_PAGE,
        count=sum(counts.values()),
    )
    page_obj = paginator.get_page(page)
    groups, before = [], 0
    for rank, (key, label) in enumerate(GROUPS):
        groups.append(
            WorkGroup(
                key=key,
                label=label,
                count=counts[rank],
                first_page=before // MY_MILESTONES_PER_PAGE + 1,
            )
        )
        before += counts[rank]
    deadlines = deadlines_for(plan_ids=plan_ids, quarter=quarter)
    for milestone in page_obj:
        milestone.update_deadline = deadlines.get(milestone.action.outcome.priority.plan_id)
        groups[milestone.work_rank].milestones.append(milestone)
    return MyMilestones(
        quarter=quarter, today=today, deadlines=deadlines, page=page_obj, groups=groups
    )


@dataclass
class LeadDigest:
    person: Person
    deadline: date | None = None
    overdue: list[Milestone] = field(default_factory=list)
    needs_update: list[Milestone] = field(default_factory=list)

    @property
    def milestones(self) -> list[Milestone]:
        return self.overdue + self.needs_update


def reminder_digests(*, today: date | None = None) -> tuple[FinancialQuarter, list[LeadDigest]]:
    """For every lead with an e-mail address: what needs their update this quarter or is overdue.

    A milestone is chased through its own lead, or, where it has none, through its action's
    leads. Four queries whatever the number of leads and milestones.
    """
    today = today or timezone.localdate()
    quarter = FinancialQuarter.containing(today)
    open_milestones = with_last_lead_update(
        Milestone.objects.exclude(status=RAG.COMPLETE)
        .select_related("action__outcome__priority__plan", "lead")
        .prefetch_related("action__leads")
        .order_by("due_date", "sort_key", "pk")
    )
    digests: dict[int, LeadDigest] = {}
    for milestone in open_milestones:
        group = group_of(milestone, today=today, quarter=quarter)
        if group not in (OVERDUE, NEEDS_UPDATE):
            continue
        leads = [milestone.lead] if milestone.lead else list(milestone.action.leads.all())
        for person in leads:
            if not person.email or person.removed_at:
                continue
            digest = digests.setdefault(person.pk, LeadDigest(person=person))
            (digest.overdue if group == OVERDUE else digest.needs_update).append(milestone)
    plan_ids = {m.action.outcome.priority.plan_id for d in digests.values() for m in d.milestones}
    deadlines = deadlines_for(plan_ids=plan_ids, quarter=quarter)
    for digest in digests.values():
        digest.deadline = min(
            deadlines[m.action.outcome.priority.plan_id] for m in digest.milestones
        )
    return quarter, sorted(digests.values(), key=lambda d: (d.person.name, d.person.pk))


def update_compliance(*, plan: Plan, today: date | None = None) -> dict:
    """Who has not updated this quarter, for one plan: counts by organisation and by lead.

    Counted are open milestones (not complete) with no lead or admin update since the
    quarter began. A constant number of queries, whatever the size of the plan.
    """
    today = today or timezone.localdate()
    quarter = FinancialQuarter.containing(today)
    since = quarter_start_moment(quarter)
    milestones = Milestone.objects.filter(action__outcome__priority__plan=plan).exclude(
        status=RAG.COMPLETE
    )
    not_updated = with_last_lead_update(milestones).filter(
        Q(last_lead_update__isnull=True) | Q(last_lead_update__lt=since)
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
        )
        .annotate(count=Count("pk"), overdue=Count("pk", filter=overdue))
        .order_by("-count", "lead__name")
    )
    totals = milestones.aggregate(
        open=Count("pk"), not_updated=Count("pk", filter=Q(pk__in=not_updated.values("pk")))
    )
    return {
        "quarter": quarter,
        "deadline": deadlines_for(plan_ids=[plan.pk], quarter=quarter)[plan.pk],
        "by_organisation": by_organisation,
        "by_lead": by_lead,
        "open": totals["open"],
        "not_updated": totals["not_updated"],
    }
