"""demo.shift: a demo plan's dates move by whole financial years; its words stay as written."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from demo.shift import date_shift, moment_shift, plan_shift, years_to_today
from plans.models import Milestone, MilestoneUpdate, ReportingPeriod
from reporting.services import period_close
from tests import factories

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2009, 3, 31), 17, date(2026, 3, 31)),  # a quarter's end stays its end
        (date(2009, 2, 28), 19, date(2028, 2, 29)),  # February's last day, in a leap year
        (date(2008, 2, 29), 17, date(2025, 2, 28)),  # … and out of one
        (date(2008, 2, 28), 17, date(2025, 2, 28)),  # not a month's end: the same day
        (date(2010, 8, 15), -1, date(2009, 8, 15)),
    ],
)
def test_a_date_moves_by_whole_years_keeping_month_ends(day, years, expected):
    assert date_shift(day, years=years) == expected


def test_a_moment_keeps_its_london_wall_clock_time_across_summer_time():
    moved = moment_shift(datetime(2009, 9, 30, 16, 0, tzinfo=LONDON), years=17)
    assert moved.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 9, 30, 16, 0)


@pytest.mark.parametrize(
    ("today", "years"),
    [
        (date(2026, 12, 1), 18),  # 2026/27 Q3 ↔ the demo year 2008/09's Q3
        (date(2026, 7, 1), 18),  # Q2: the first quarter has just ended
        (date(2027, 3, 31), 18),  # Q4
        (date(2027, 4, 1), 18),  # Q1 is the Q1 after the demo year: its Q1 has ended
        (date(2027, 7, 1), 19),
    ],
)
def test_today_falls_after_the_demo_years_first_quarter(today, years):
    assert years_to_today(demo_year=2008, today=today) == years


@pytest.mark.django_db
def test_every_date_of_the_plan_moves_and_its_words_stay():
    plan = factories.PlanFactory(start_date=date(2008, 4, 1), end_date=date(2010, 3, 31))
    milestone = factories.MilestoneFactory(
        action__outcome__priority__plan=plan,
        due_text="December 2008",
        original_due_date=date(2008, 12, 31),
        due_date=date(2009, 2, 28),
        status="complete",
        completed_on=date(2009, 2, 20),
    )
    update = MilestoneUpdate.objects.create(
        milestone=milestone,
        status="complete",
        commentary="Done in February 2009.",
        due_date=date(2009, 2, 28),
        completed_on=date(2009, 2, 20),
        created_at=datetime(2009, 3, 31, 16, tzinfo=LONDON),
    )
    period = factories.ReportingPeriodFactory(plan=plan, year=2008, quarter=3)
    value = factories.IndicatorValueFactory(indicator__plan=plan, year=2008)
    other = factories.MilestoneFactory(due_date=date(2009, 1, 31))  # another plan's

    plan_shift(plan=plan, years=19)

    plan.refresh_from_db()
    milestone.refresh_from_db()
    update.refresh_from_db()
    period.refresh_from_db()
    value.refresh_from_db()
    other.refresh_from_db()
    assert (plan.start_date, plan.end_date) == (date(2027, 4, 1), date(2029, 3, 31))
    assert milestone.original_due_date == date(2027, 12, 31)
    assert milestone.due_date == date(2028, 2, 29)
    assert milestone.completed_on == date(2028, 2, 20)
    assert milestone.due_text == "December 2008"
    assert (update.due_date, update.completed_on) == (date(2028, 2, 29), date(2028, 2, 20))
    assert update.created_at.astimezone(LONDON) == datetime(2028, 3, 31, 16, tzinfo=LONDON)
    assert update.commentary == "Done in February 2009."
    assert period.label == "2027/28 Q3"
    assert (period.start_date, period.end_date) == (date(2027, 10, 1), date(2027, 12, 31))
    assert period.update_deadline == date(2028, 1, 14)
    assert value.year == 2027
    assert other.due_date == date(2009, 1, 31)
    # The audit trail's rows read in the same time as the plan.
    assert {h.due_date for h in Milestone.history.filter(id=milestone.pk)} == {date(2028, 2, 29)}


@pytest.mark.django_db
def test_a_plan_with_a_closed_quarter_is_not_moved():
    plan = factories.PlanFactory()
    period = factories.ReportingPeriodFactory(plan=plan)
    admin = factories.UserFactory()
    factories.MembershipFactory(user=admin, partnership=plan.partnership, role="admin")
    period_close(period=period, user=admin)

    with pytest.raises(ValueError, match="snapshots are frozen"):
        plan_shift(plan=plan, years=5)
    assert ReportingPeriod.objects.get(pk=period.pk).year == 2019
