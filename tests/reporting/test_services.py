from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from plans.models import Milestone, ReportingPeriod
from reporting import services
from reporting.models import Snapshot
from tests import factories
from tests.reporting.conftest import at, record_update


@pytest.fixture
def plan(partnership):
    return factories.PlanFactory(partnership=partnership)


def test_periods_are_the_plans_financial_quarters_with_a_deadline_two_weeks_after_each(plan):
    periods = services.periods_generate(plan=plan)

    assert [p.label for p in periods] == ["2019/20 Q1", "2019/20 Q2", "2019/20 Q3", "2019/20 Q4"]
    assert periods[2].start_date == date(2019, 10, 1)
    assert periods[2].end_date == date(2019, 12, 31)
    assert periods[2].update_deadline == date(2020, 1, 14)


def test_generating_periods_again_keeps_existing_ones_and_their_deadlines(plan):
    first = services.periods_generate(plan=plan)
    ReportingPeriod.objects.filter(pk=first[0].pk).update(update_deadline=date(2019, 7, 31))

    again = services.periods_generate(plan=plan, days_after_end=30)

    assert [p.pk for p in again] == [p.pk for p in first]
    assert again[0].update_deadline == date(2019, 7, 31)


def test_only_an_admin_may_move_a_deadline_and_not_before_the_quarter(plan, admin_user, board_user):
    period = services.periods_generate(plan=plan)[2]
    with pytest.raises(PermissionDenied):
        services.period_deadline_update(
            period=period, user=board_user, update_deadline=date(2020, 1, 20)
        )
    with pytest.raises(ValidationError):
        services.period_deadline_update(
            period=period, user=admin_user, update_deadline=date(2019, 9, 1)
        )

    services.period_deadline_update(
        period=period, user=admin_user, update_deadline=date(2020, 1, 20)
    )

    period.refresh_from_db()
    assert period.update_deadline == date(2020, 1, 20)


def test_closing_freezes_every_item_with_a_digest_of_its_content(scenario):
    with time_machine.travel(at(2020, 1, 10, 9), tick=False):
        snapshot = services.period_close(period=scenario.q3, user=scenario.admin)

    scenario.q3.refresh_from_db()
    assert scenario.q3.is_closed
    assert scenario.q3.closed_by == scenario.admin
    assert snapshot.digest == services.state_digest(snapshot.data)
    frozen = {
        m["text"]: m
        for p in snapshot.data["priorities"]
        for o in p["outcomes"]
        for a in o["actions"]
        for m in a["milestones"]
    }
    worse = frozen["Procedures agreed by board"]
    assert worse["status"] == "red"
    assert worse["commentary"].startswith("Procedures held up by the inspection")
    assert worse["update_author"] == "admin-user"
    assert worse["lead"]["organisation"] == "Cleveland Police"
    slipped = frozen["Youth panel running"]
    assert (slipped["original_due_date"], slipped["due_date"]) == ("2019-12-31", "2020-03-31")
    assert slipped["due_date_reason"] == "Awaiting the funding decision."
    assert snapshot.data["previous_snapshot_id"] == Snapshot.objects.get(period=scenario.q2).pk


def test_a_snapshot_does_not_change_when_the_plan_does(scenario):
    with time_machine.travel(at(2020, 1, 10, 9), tick=False):
        snapshot = services.period_close(period=scenario.q3, user=scenario.admin)
    with time_machine.travel(at(2020, 2, 1, 9), tick=False):
        record_update(scenario.milestones["worse"], status="green", commentary="Sorted.")
        Milestone.objects.filter(pk=scenario.milestones["better"].pk).update(text="Renamed")

    snapshot.refresh_from_db()
    assert services.state_digest(snapshot.data) == snapshot.digest


@pytest.mark.parametrize("role", ["board", "lead"])
def test_only_a_partnership_admin_may_close(scenario, role):
    user = factories.MembershipFactory(partnership=scenario.plan.partnership, role=role).user

    with pytest.raises(PermissionDenied):
        services.period_close(period=scenario.q3, user=user)

    assert not Snapshot.objects.filter(period=scenario.q3).exists()


def test_an_admin_of_another_partnership_may_not_close(scenario, outsider):
    with pytest.raises(PermissionDenied):
        services.period_close(period=scenario.q3, user=outsider)


def test_a_closed_period_cannot_be_closed_again(scenario):
    with pytest.raises(ValidationError, match="already closed"):
        services.period_close(period=scenario.q2, user=scenario.admin)
    assert Snapshot.objects.filter(period=scenario.q2).count() == 1


def test_reopening_needs_a_reason_and_keeps_it_with_who_in_the_history(scenario):
    with pytest.raises(ValidationError):
        services.period_reopen(period=scenario.q2, user=scenario.admin, reason="   ")

    services.period_reopen(
        period=scenario.q2, user=scenario.admin, reason="Police update arrived late."
    )

    scenario.q2.refresh_from_db()
    assert not scenario.q2.is_closed
    assert scenario.q2.status_reason == "Police update arrived late."
    latest = scenario.q2.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == scenario.admin
    assert latest.status == "open"
    assert latest.history_change_reason == "Reopened: Police update arrived late."
    assert scenario.q2.history.filter(status="closed", history_user=scenario.admin).exists()


def test_only_an_admin_may_reopen(scenario, board_user):
    with pytest.raises(PermissionDenied):
        services.period_reopen(period=scenario.q2, user=board_user, reason="Because.")
    scenario.q2.refresh_from_db()
    assert scenario.q2.is_closed


def test_closing_again_after_reopening_adds_a_snapshot_and_keeps_the_first(scenario):
    first = Snapshot.objects.get(period=scenario.q2)
    services.period_reopen(period=scenario.q2, user=scenario.admin, reason="Late update.")
    with time_machine.travel(at(2019, 11, 21, 9), tick=False):
        second = services.period_close(period=scenario.q2, user=scenario.admin)

    first_again = Snapshot.objects.get(pk=first.pk)
    assert first_again.digest == first.digest
    assert first_again.data == first.data
    assert Snapshot.objects.filter(period=scenario.q2).count() == 2
    assert second.digest != first.digest
