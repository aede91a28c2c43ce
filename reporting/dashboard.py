"""Reads for the partnership home page and the per-organisation view.

The home page's figures are this quarter's draft pack's figures, so the page and the pack
never disagree. For a live period the database counts them (``selectors.home_figures``: the
RAG counts per priority, overdue, slipped, the red and amber milestones shown), with the rules
``selectors.plan_state`` and ``pack_data`` apply, so the page's time does not grow with the
plan; tests/reporting/test_home_figures.py proves them equal to ``pack_data``'s on varied
data. A closed quarter's figures are read from its snapshot through ``pack_data``
(``figures_from_pack``). The trend reads the latest snapshot of each of the last closed
quarters.

Queries: a constant number per plan, whatever the plan's size (proven by the query-count
tests at two plan sizes); the snapshots of every plan in two queries.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from plans import rag
from plans.access import partnership_ids_for
from plans.models import Membership, Milestone, MilestoneUpdate, Plan, ReportingPeriod
from plans.reminders import (
    LEAD_SOURCES,
    MyMilestones,
    milestones_for_lead,
    my_milestones,
)
from plans.selectors import CollectingPeriod, period_collecting
from reporting import selectors
from reporting.charts import Chart, ChartRow, rag_bars, rag_trend
from reporting.models import Snapshot
from reporting.packs.data import pack_data
from reporting.schema import STATE_SCHEMA_VERSION, Pack, State, snapshot_state
from reporting.state import iter_milestones, organisation_names
from review import selectors as review_selectors
from signoff import selectors as signoff_selectors

# Quarters shown in the trend: the last closed ones, then this quarter's live figures.
TREND_QUARTERS = 6
# Red and amber milestones listed on the home page per plan; the rest are one link away.
EXCEPTIONS_SHOWN = 10

# The home page's charts sit side by side: drawn at the width they are shown at, 14 px text.
CHART_WIDTH = 460

DASHBOARD_ROLES = (Membership.Role.ADMIN, Membership.Role.BOARD)

# A closed quarter's home figures, kept in the cache under its snapshot's digest; raise the
# version when ``figures_from_pack`` changes what it returns.
SNAPSHOT_FIGURES_VERSION = 1
SNAPSHOT_FIGURES_TIMEOUT = 60 * 60 * 24 * 30


def counted(row: dict) -> bool:
    """Whether a milestone row counts in the home page's figures and charts.

    The hook for withdrawn items (left out of counts from their withdrawal on): once the
    state carries a withdrawal, return False for a withdrawn row here.
    """
    return not row.get("withdrawn")


@dataclass(frozen=True)
class Glance:
    """Where a plan's "at a glance" figures come from: live (this quarter's draft pack) or a
    closed quarter's snapshot, and the day overdue is judged as at."""

    draft: bool
    as_at: date | None


@dataclass
class PlanHome:
    """One plan's part of the home page."""

    plan: Plan
    role: str
    collecting: CollectingPeriod | None
    period: ReportingPeriod | None  # the period the live figures are for
    current: ReportingPeriod | None  # this quarter's saved period (for its draft pack)
    latest_closed: ReportingPeriod | None
    open_total: int = 0
    updated: int = 0
    pack: Glance | None = None  # None: no figures (no period, or not a dashboard)
    by_priority: Chart | None = None
    trend: Chart | None = None
    exceptions: list[dict] = field(default_factory=list)
    exceptions_total: int = 0
    slipped: int = 0
    overdue: int = 0
    off_target: list[dict] = field(default_factory=list)
    review_waiting: int = 0  # admins: this quarter's updates waiting for their review

    @property
    def is_dashboard(self) -> bool:
        return self.role in DASHBOARD_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Membership.Role.ADMIN


@dataclass
class Home:
    plans: list[PlanHome]
    to_do: MyMilestones | None  # the lead's own summary, when they lead anything
    signs_off: bool = False  # a nominated signatory or the chair where sign-off is on
    queried: int = 0  # the lead's milestones with a query waiting for their answer

    @property
    def dashboards(self) -> list[PlanHome]:
        return [p for p in self.plans if p.is_dashboard]

    @property
    def other_plans(self) -> list[PlanHome]:
        return [p for p in self.plans if not p.is_dashboard]


def _status_counts(rows) -> list[int]:
    counts = Counter(r["status"] for r in rows if counted(r))
    return [counts.get(s, 0) for s in rag.ORDER]


def _live_period(periods, collecting) -> tuple[ReportingPeriod | None, ReportingPeriod | None]:
    """The period the live figures are for, and this quarter's saved period (or None)."""
    if collecting is not None:
        period = collecting.period
        return period, (period if period.pk else None)
    return (periods[-1] if periods else None), None


def _updated_counts(*, plan: Plan, collecting: CollectingPeriod | None) -> tuple[int, int]:
    """Open milestones and how many a lead or admin updated this quarter (as "who has not
    updated" counts them, ``plans.reminders.update_compliance``)."""
    milestones = (
        Milestone.objects.live()
        .filter(action__outcome__priority__plan=plan)
        .exclude(status=rag.RAG.COMPLETE)
    )
    if collecting is None:
        return milestones.count(), 0
    # Updated: the last lead or admin update (``with_last_lead_update``) is since the quarter
    # began, that is, there is such an update since then. Asked as EXISTS per milestone rather
    # than IN over every milestone's latest update, so it costs little at any plan size.
    since = MilestoneUpdate.objects.filter(
        milestone=OuterRef("pk"), source__in=LEAD_SOURCES, created_at__gte=collecting.since
    )
    totals = milestones.aggregate(open=Count("pk"), updated=Count("pk", filter=Exists(since)))
    return totals["open"], totals["updated"]


def _latest_snapshots(periods_by_plan: dict[int, list[ReportingPeriod]]) -> dict[int, list]:
    """The latest snapshot of each of the last ``TREND_QUARTERS`` closed periods, per plan
    (without their data: ``snapshot_figures`` reads it only when its figures are not cached)."""
    wanted: dict[int, int] = {}
    for plan_id, periods in periods_by_plan.items():
        closed = [p for p in periods if p.is_closed and p.snapshot_id][-TREND_QUARTERS:]
        wanted.update({p.snapshot_id: plan_id for p in closed})
    found: dict[int, list] = {plan_id: [] for plan_id in periods_by_plan}
    snapshots = (
        Snapshot.objects.filter(pk__in=wanted)
        .only("pk", "digest", "schema_version", "period_id")
        .order_by("period__year", "period__quarter")
    )
    for snapshot in snapshots:
        found[wanted[snapshot.pk]].append(snapshot)
    return found


def _snapshot_key(snapshot: Snapshot) -> str:
    # The digest is of the snapshot's data (a redaction rewrites both): same digest, same
    # figures. The versions: of the shape it is upgraded from and to, and of these figures.
    return (
        f"home-figures:{SNAPSHOT_FIGURES_VERSION}:{STATE_SCHEMA_VERSION}:"
        f"{snapshot.pk}:{snapshot.schema_version}:{snapshot.digest}"
    )


def snapshot_figures(snapshots: list[Snapshot]) -> dict[int, dict]:
    """Each snapshot's home figures (``figures_from_pack`` with its quarter's ``label``), by
    snapshot id. A snapshot never changes but by a redaction, which changes its digest, so
    they are kept in the cache under it: a snapshot's data is read once, not on every visit
    (one query for all those not cached, none when all are)."""
    keys = {snapshot.pk: _snapshot_key(snapshot) for snapshot in snapshots}
    cached = cache.get_many(list(keys.values()))
    found = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in keys if pk not in found]
    if missing:
        fresh = {}
        for snapshot in Snapshot.objects.filter(pk__in=missing).only(
            "pk", "data", "schema_version"
        ):
            state = snapshot_state(snapshot)
            figures = figures_from_pack(pack_data(state=state, previous=None))
            found[snapshot.pk] = {"label": state["period"]["label"], **figures}
            fresh[keys[snapshot.pk]] = found[snapshot.pk]
        cache.set_many(fresh, timeout=SNAPSHOT_FIGURES_TIMEOUT)
    return found


def live_state(*, period: ReportingPeriod) -> tuple[State, bool]:
    """A period's state for the home figures: live while open, its snapshot once closed.
    The flag says whether the figures are live."""
    state, snapshot = selectors.period_state(period=period)
    return state, snapshot is None


# The keys of an exception row the home page shows (the pack's rows carry many more).
EXCEPTION_KEYS = (
    "id",
    "milestone",
    "status",
    "status_label",
    "lead_name",
    "organisation",
    "commentary",
)


def figures_from_pack(pack: Pack) -> dict:
    """The home page's figures read from a pack (``pack_data``), in the shape of
    ``selectors.home_figures``: for a closed quarter's snapshot, and the reference the
    database's counts are tested against."""
    rows = [r for r in pack["milestones"] if counted(r)]
    exceptions = [r for r in pack["exceptions"] if counted(r)]
    return {
        "as_at": pack["as_at"],
        "summary": [
            (line["priority"], _status_counts(r for r in rows if r["priority_index"] == index))
            for index, line in enumerate(pack["summary"])
        ],
        "totals": _status_counts(rows),
        "overdue": sum(1 for r in rows if r["overdue"]),
        "slipped": sum(1 for r in rows if r["slipped"]),
        "exceptions_total": len(exceptions),
        "exceptions": [
            {key: r.get(key) for key in EXCEPTION_KEYS} for r in exceptions[:EXCEPTIONS_SHOWN]
        ],
        "indicators": pack["indicators"],
    }


def plan_home(
    *,
    plan: Plan,
    role: str,
    periods: list[ReportingPeriod],
    snapshots: list[Snapshot],
    today: date,
    figures_of: dict[int, dict] | None = None,
) -> PlanHome:
    """One plan's home figures (a constant number of queries, whatever the plan's size)."""
    collecting = period_collecting(plan=plan, periods=periods, today=today)
    period, current = _live_period(periods, collecting)
    closed = [p for p in periods if p.is_closed]
    home = PlanHome(
        plan=plan,
        role=role,
        collecting=collecting,
        period=period,
        current=current,
        latest_closed=closed[-1] if closed else None,
    )
    home.open_total, home.updated = _updated_counts(plan=plan, collecting=collecting)
    if period is None or role not in DASHBOARD_ROLES:
        return home
    # Live unless closed with a snapshot (``selectors.period_state``'s rule; the periods carry
    # their latest snapshot's id, ``selectors.period_list_for``).
    live = not (period.is_closed and getattr(period, "snapshot_id", None))
    if live:
        # The figures counted by the database: the same as the draft pack's (see
        # ``selectors.home_figures``), without reading every milestone of the plan.
        figures = selectors.home_figures(period=period, exceptions=EXCEPTIONS_SHOWN)
    else:
        # A closed quarter: its snapshot's figures (among the trend's, so usually cached).
        figures_of = figures_of if figures_of is not None else snapshot_figures(snapshots)
        figures = figures_of.get(period.snapshot_id)
        if figures is None:
            figures = figures_from_pack(
                pack_data(state=selectors.period_state(period=period)[0], previous=None)
            )
    home.pack = Glance(draft=live, as_at=figures["as_at"])
    priority_rows = [ChartRow(label=name, counts=counts) for name, counts in figures["summary"]]
    home.by_priority = rag_bars(
        dom_id=f"rag-priority-{plan.pk}",
        title=f"{plan.title}: milestones by RAG status for each priority, {period.label}",
        rows=priority_rows,
        width=CHART_WIDTH,
    )
    figures_of = figures_of if figures_of is not None else snapshot_figures(snapshots)
    trend_rows = [
        ChartRow(label=figures_of[s.pk]["label"], counts=figures_of[s.pk]["totals"])
        for s in snapshots
        if s.pk in figures_of
    ]
    if live and not any(r.label == period.label for r in trend_rows):
        now = "now" if collecting is not None else "open"
        trend_rows.append(ChartRow(label=f"{period.label} ({now})", counts=figures["totals"]))
    home.trend = rag_trend(
        dom_id=f"rag-trend-{plan.pk}",
        title=f"{plan.title}: milestones by RAG status, quarter by quarter",
        rows=trend_rows,
        width=CHART_WIDTH,
    )
    home.exceptions_total = figures["exceptions_total"]
    home.exceptions = figures["exceptions"]
    home.slipped = figures["slipped"]
    home.overdue = figures["overdue"]
    home.off_target = [i for i in figures["indicators"] if "Not on target" in i["on_target"]]
    return home


def home_for(*, user, today: date | None = None) -> Home:
    """Everything the signed-in person's home page shows, grouped per plan.

    Board members and admins get each plan's dashboard; leads get their own to-do summary
    (``plans.reminders.my_milestones``) and, for plans where they only lead, the quarter and
    its deadline.
    """
    today = today or timezone.localdate()
    memberships = list(
        Membership.objects.filter(user=user)
        .annotate(signs_off=signoff_selectors.signs_off_in(user=user))
        .values_list("partnership_id", "role", "signs_off")
    )
    roles = {partnership_id: role for partnership_id, role, _ in memberships}
    plans = list(
        Plan.objects.filter(partnership_id__in=partnership_ids_for(user))
        .select_related("partnership")
        .order_by("partnership__name", "-start_date", "title")
    )
    periods_by_plan: dict[int, list[ReportingPeriod]] = {plan.pk: [] for plan in plans}
    for period in selectors.period_list_for(plans=plans):
        periods_by_plan[period.plan_id].append(period)
    dashboard_plans = {
        plan.pk: periods_by_plan[plan.pk]
        for plan in plans
        if roles.get(plan.partnership_id) in DASHBOARD_ROLES
    }
    snapshots = _latest_snapshots(dashboard_plans) if dashboard_plans else {}
    # Every dashboard's snapshot figures at once: one query for those not cached, if any.
    figures_of = snapshot_figures([s for found in snapshots.values() for s in found])
    homes = [
        plan_home(
            plan=plan,
            role=roles.get(plan.partnership_id, ""),
            periods=periods_by_plan[plan.pk],
            snapshots=snapshots.get(plan.pk, []),
            today=today,
            figures_of=figures_of,
        )
        for plan in plans
    ]
    # One query for every plan the person administers, and none for anyone else.
    waiting = review_selectors.waiting_counts(
        collecting={p.plan.pk: p.collecting for p in homes if p.is_admin and p.collecting}
    )
    for home in homes:
        home.review_waiting = waiting.get(home.plan.pk, 0)
    to_do = my_milestones(user=user, today=today)
    queried = 0
    if to_do.total:  # one query, for leads only
        queried = review_selectors.queried_count(milestones=milestones_for_lead(user=user))
    return Home(
        plans=homes,
        to_do=to_do if to_do.total else None,
        signs_off=any(signs for _, _, signs in memberships),
        queried=queried,
    )


@dataclass
class OrganisationLine:
    id: int | None
    name: str
    counts: list[int]
    rows: list[dict]

    @property
    def total(self) -> int:
        return sum(self.counts)


def organisations_view(*, plan: Plan, today: date | None = None) -> dict:
    """What each organisation leads in a plan, with its RAG counts, for this quarter.

    A milestone belongs to its lead's organisation, else to its action leads' (the rule the
    pack's organisation filter uses, ``reporting.state.milestone_organisation_ids``); one
    answered for by nobody is listed as "No organisation named".
    """
    periods = list(selectors.period_list(plan=plan))
    collecting = period_collecting(plan=plan, periods=periods, today=today)
    period, _current = _live_period(periods, collecting)
    if period is None:
        return {"period": None, "organisations": [], "chart": None, "live": False}
    state, live = live_state(period=period)
    names = organisation_names(state)
    by_org: dict[int | None, list[dict]] = {}
    for row in iter_milestones(state):
        if not counted(row):
            continue
        for org_id in sorted(row["organisation_ids"]) or [None]:
            by_org.setdefault(org_id, []).append(row)
    lines = [
        OrganisationLine(
            id=org_id,
            name=names.get(org_id, "No organisation named") if org_id else "No organisation named",
            counts=_status_counts(rows),
            rows=sorted(rows, key=lambda r: (rag.order_index(r["status"]), r["priority_index"])),
        )
        for org_id, rows in by_org.items()
    ]
    lines.sort(key=lambda line: (line.id is None, line.name.lower()))
    chart = rag_bars(
        dom_id=f"rag-organisation-{plan.pk}",
        title=f"{plan.title}: milestones by RAG status for each organisation, {period.label}",
        rows=[ChartRow(label=line.name, counts=line.counts) for line in lines],
    )
    return {"period": period, "organisations": lines, "chart": chart, "live": live}
