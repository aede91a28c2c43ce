"""Move a demo plan through time by whole financial years, so the demo runs in today's time.

The demo's plans are real public plans of 2008–2013. Imported as they are, every milestone
is years overdue and no quarter is collecting updates. ``load_demo`` imports them through the
importer and then shifts every *date* of the plan by the same number of financial years, so a
quarter stays the same quarter ("2009/10 Q3" becomes "2026/27 Q3"), a 31 March stays a
31 March and a month's last day stays its last day (28 February 2009 becomes 29 February
2028). The plan's *text* is kept as written: a milestone whose deadline the file wrote as
"December 2008" shows that text beside its shifted date; titles ("Action Plan 2009") and
commentary are the plan's own words.

Nothing of ours is lost or invented: only dates move. A plan with a closed quarter is refused,
because a closed quarter's snapshot is frozen (its digest covers its dates); shift first, then
replay and close.
"""

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q

from outcomes.models import IndicatorValue
from plans.models import Milestone, MilestoneUpdate, Plan, ReportingPeriod
from reporting.models import Snapshot

LONDON = ZoneInfo("Europe/London")


def date_shift(day: date | None, *, years: int) -> date | None:
    """``day`` moved by whole years; a month's last day stays its last day (29 February too)."""
    if day is None:
        return None
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(year, day.month, last)
    return date(year, day.month, min(day.day, last))


def moment_shift(moment: datetime | None, *, years: int) -> datetime | None:
    """``moment`` moved by whole years at the same London wall-clock time."""
    if moment is None:
        return None
    local = moment.astimezone(LONDON)
    day = date_shift(local.date(), years=years)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=LONDON)


def years_to_today(*, demo_year: int, today: date) -> int:
    """Whole years that put ``today`` in the demo year's Q2–Q4, or the Q1 after it.

    ``demo_year`` is the financial year (2009 for 2009/10) whose first quarter the demo's file
    describes; the quarters after it are replayed. So whatever the day, at least that first
    quarter has ended, and the quarter collecting updates is the one today falls in.
    """
    year = today.year if today.month >= 4 else today.year - 1  # today's financial year
    if today.month in (4, 5, 6):  # Q1: today is the Q1 after the demo year
        year -= 1
    return year - demo_year


def _shift_fields(rows, fields, years, *, moments=()):
    changed = []
    for row in rows:
        for name in fields:
            setattr(row, name, date_shift(getattr(row, name), years=years))
        for name in moments:
            setattr(row, name, moment_shift(getattr(row, name), years=years))
        changed.append(row)
    return changed


def plan_shift(*, plan: Plan, years: int) -> Plan:
    """Move every date of ``plan`` by ``years`` whole years, in one transaction.

    The plan's start and end; each milestone's due, original due and completion dates; each
    update's dates and when it was saved; its reporting periods (quarter, dates, deadline,
    when closed); its indicators' values' years; and the same dates in their history rows, so
    the audit trail's before → after reads in the same time. Texts are kept as written.
    """
    if years == 0:
        return plan
    if Snapshot.objects.filter(period__plan=plan).exists():
        raise ValueError(
            f"{plan} has closed quarters: their snapshots are frozen, so it cannot move."
        )
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        plan.start_date = date_shift(plan.start_date, years=years)
        plan.end_date = date_shift(plan.end_date, years=years)
        Plan.objects.filter(pk=plan.pk).update(start_date=plan.start_date, end_date=plan.end_date)
        Plan.history.filter(id=plan.pk).update(start_date=plan.start_date, end_date=plan.end_date)

        milestone_dates = ["original_due_date", "due_date", "completed_on"]
        milestones = Milestone.objects.filter(action__outcome__priority__plan=plan)
        Milestone.objects.bulk_update(
            _shift_fields(milestones.only("pk", *milestone_dates), milestone_dates, years),
            milestone_dates,
            batch_size=500,
        )
        history = Milestone.history.filter(id__in=milestones.values("pk"))
        Milestone.history.model.objects.bulk_update(
            _shift_fields(history.only("pk", *milestone_dates), milestone_dates, years),
            milestone_dates,
            batch_size=500,
        )
        update_dates = ["due_date", "completed_on"]
        updates = MilestoneUpdate.objects.filter(milestone__in=milestones.values("pk"))
        MilestoneUpdate.objects.bulk_update(
            _shift_fields(
                updates.only("pk", *update_dates, "created_at"),
                update_dates,
                years,
                moments=["created_at"],
            ),
            [*update_dates, "created_at"],
            batch_size=500,
        )

        period_dates = ["start_date", "end_date", "update_deadline"]
        # Latest first when moving later (earliest first when earlier), so no two rows ever
        # share a quarter on the way.
        order = ("-year", "-quarter") if years > 0 else ("year", "quarter")
        for model in (ReportingPeriod, ReportingPeriod.history.model):
            rows = model.objects.filter(plan_id=plan.pk).order_by(*order)
            for row in _shift_fields(rows, period_dates, years, moments=["closed_at"]):
                row.year += years
                model.objects.filter(pk=row.pk).update(
                    year=row.year,
                    closed_at=row.closed_at,
                    **{name: getattr(row, name) for name in period_dates},
                )

        values = IndicatorValue.objects.filter(indicator__plan=plan)
        value_history = IndicatorValue.history.filter(
            Q(indicator_id__in=values.values("indicator_id"))
        )
        for queryset, model in (
            (values, IndicatorValue),
            (value_history, IndicatorValue.history.model),
        ):
            rows = list(queryset.order_by("-year" if years > 0 else "year").only("pk", "year"))
            for row in rows:
                row.year += years
                model.objects.filter(pk=row.pk).update(year=row.year)
    return plan
