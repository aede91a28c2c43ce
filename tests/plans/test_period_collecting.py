"""Issue 14: one rule for the period collecting updates, the same on every page and e-mail.

For each plan, the earliest open reporting period; late once its deadline has passed, until
an admin closes it. My milestones, the reminder e-mail, the chase page and the board pack page
must tell the lead, the admin and the board the same period and deadline.
"""

import re
from datetime import date, datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from plans.models import ReminderSent
from plans.selectors import period_collecting, periods_collecting
from reporting import services as reporting_services
from tests import factories
from tests.plans.update_world import build_world


def moment(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def text(response) -> str:
    """The page's words: tags dropped, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def run_reminders() -> str:
    out = StringIO()
    call_command("send_update_reminders", base_url="https://plans.example.org", stdout=out)
    return out.getvalue()


@pytest.fixture
def world(partnership):
    with time_machine.travel(moment(2019, 9, 1, 9), tick=False):
        w = build_world(partnership)
        w.periods = reporting_services.periods_generate(plan=w.plan)
    with time_machine.travel(moment(2019, 10, 10, 9), tick=False):
        for period in w.periods[:2]:  # Q1 and Q2 closed on time
            reporting_services.period_close(period=period, user=w.admin)
    return w


# (when, whether Q3 is closed by then, period label, deadline, late)
MOMENTS = [
    pytest.param(moment(2019, 11, 15, 10), False, "2019/20 Q3", "14 January 2020", False, id="in"),
    pytest.param(moment(2020, 1, 5, 10), False, "2019/20 Q3", "14 January 2020", False, id="gap"),
    pytest.param(moment(2020, 1, 20, 10), False, "2019/20 Q3", "14 January 2020", True, id="late"),
    pytest.param(moment(2020, 1, 25, 10), True, "2019/20 Q4", "14 April 2020", False, id="closed"),
]


@pytest.mark.parametrize("when, q3_closed, label, deadline, late", MOMENTS)
def test_every_page_and_the_reminder_tell_the_same_period_and_deadline(
    client, world, when, q3_closed, label, deadline, late
):
    if q3_closed:
        with time_machine.travel(moment(2020, 1, 22, 9), tick=False):
            reporting_services.period_close(period=world.periods[2], user=world.admin)
    with time_machine.travel(when, tick=False):
        collecting = period_collecting(plan=world.plan)
        assert (collecting.label, collecting.late) == (label, late)
        assert f"{collecting.deadline:%-d %B %Y}" == deadline

        client.force_login(world.lead)
        mine = text(client.get(reverse("plans:my_milestones")))
        client.force_login(world.admin)
        chase = text(client.get(reverse("plans:update_compliance", args=[world.plan.pk])))
        board = text(client.get(reverse("reporting:board_pack", args=[world.plan.pk])))
        ReminderSent.objects.all().delete()
        mail.outbox.clear()
        run_reminders()
        [reminder] = [m for m in mail.outbox if m.to == ["lead@example.org"]]
        email = " ".join(f"{reminder.subject} {reminder.body}".split())

    for where, words in (("My milestones", mine), ("chase page", chase), ("board pack", board)):
        assert label in words, where
        assert deadline in words, where
        assert (f"was {deadline}" in words) is late, where
    assert label in reminder.subject
    assert deadline in email and (f"was {deadline}" in email) is late
    # Never the calendar quarter: on 5 and 20 January the calendar says Q4.
    if label.endswith("Q3"):
        assert "2019/20 Q4" not in mine and "2019/20 Q4" not in email
        assert "2019/20 Q4" not in chase


def test_a_lead_in_two_plans_sees_each_plans_own_deadline(client, world):
    other = factories.PlanFactory(partnership=world.partnership, title="Youth Justice Plan")
    factories.ReportingPeriodFactory(
        plan=other,
        year=2019,
        quarter=3,
        start_date=date(2019, 10, 1),
        end_date=date(2019, 12, 31),
        update_deadline=date(2019, 12, 6),
    )
    factories.MilestoneFactory(
        action=factories.ActionFactory(outcome__priority__plan=other),
        lead=world.lead_person,
        text="Panel recruited",
    )
    with time_machine.travel(moment(2019, 11, 15, 10), tick=False):
        client.force_login(world.lead)
        mine = text(client.get(reverse("plans:my_milestones")))
        run_reminders()
    assert "Action Plan 2019: 2019/20 Q3 , update by 14 January 2020" in mine
    assert "Youth Justice Plan: 2019/20 Q3 , update by 6 December 2019" in mine
    body = mail.outbox[0].body
    assert "- Action Plan 2019: 2019/20 Q3, by 14 January 2020" in body
    assert "- Youth Justice Plan: 2019/20 Q3, by 6 December 2019" in body


def test_a_plan_that_has_ended_chases_no_one(client, world):
    old = factories.PlanFactory(
        partnership=world.partnership,
        title="Action Plan 2009",
        start_date=date(2009, 4, 1),
        end_date=date(2010, 3, 31),
    )
    reporting_services.periods_generate(plan=old)  # left open, as old plans are
    factories.MilestoneFactory(
        action=factories.ActionFactory(outcome__priority__plan=old),
        lead=world.lead_person,
        text="An old 2009 milestone",
        due_date=date(2009, 12, 31),
    )
    with time_machine.travel(moment(2019, 11, 15, 10), tick=False):
        assert period_collecting(plan=old) is None
        run_reminders()
        client.force_login(world.admin)
        chase = client.get(reverse("plans:update_compliance", args=[old.pk]))
        client.force_login(world.lead)
        work = client.get(reverse("plans:my_milestones")).context["work"]
    assert "An old 2009 milestone" not in mail.outbox[0].body
    assert "Action Plan 2009" not in mail.outbox[0].body
    assert "is not collecting updates. Nobody is chased." in text(chase)
    assert chase.context["by_lead"] == []
    ended = next(g for g in work.groups if g.key == "ended")
    assert [m.text for m in ended.milestones] == ["An old 2009 milestone"]


def test_an_ended_plan_still_collects_its_last_quarter_until_that_deadline(world):
    with time_machine.travel(moment(2020, 4, 10, 9), tick=False):
        for period in world.periods[2:3]:
            reporting_services.period_close(period=period, user=world.admin)
        collecting = period_collecting(plan=world.plan)
        assert (collecting.label, collecting.late) == ("2019/20 Q4", False)
    with time_machine.travel(moment(2020, 4, 20, 9), tick=False):
        assert period_collecting(plan=world.plan) is None


def test_quarters_not_set_up_count_as_open_with_the_default_deadline(partnership):
    plan = factories.PlanFactory(partnership=partnership)
    with time_machine.travel(moment(2020, 1, 5, 10), tick=False):
        collecting = period_collecting(plan=plan)
    assert collecting.label == "2019/20 Q3" and collecting.deadline == date(2020, 1, 14)
    assert collecting.period.pk is None and not collecting.late


def test_an_update_saved_before_the_last_quarter_closed_does_not_count_for_the_next(world):
    with time_machine.travel(moment(2020, 1, 5, 10), tick=False):
        factories.MilestoneUpdateFactory(milestone=world.milestone, status="green")
    with time_machine.travel(moment(2020, 1, 22, 9), tick=False):
        reporting_services.period_close(period=world.periods[2], user=world.admin)
    with time_machine.travel(moment(2020, 1, 25, 10), tick=False):
        collecting = period_collecting(plan=world.plan)
        assert collecting.since == moment(2020, 1, 22, 9)
        run_reminders()
    assert "Why young women get pregnant" in mail.outbox[0].body


@pytest.mark.parametrize("plans", [2, 12])
def test_the_bulk_rule_costs_one_query_for_any_number_of_plans(
    partnership, plans, django_assert_num_queries
):
    made = [factories.PlanFactory(partnership=partnership) for _ in range(plans)]
    for plan in made:
        reporting_services.periods_generate(plan=plan)
    with django_assert_num_queries(1):
        found = periods_collecting(plans=made, today=date(2019, 11, 15))
    assert {c.label for c in found.values()} == {"2019/20 Q1"}  # Q1 never closed: late
    assert all(c.late for c in found.values())


def test_an_overdue_milestone_updated_this_period_is_done_and_never_chased(client, world):
    overdue = factories.MilestoneFactory(
        action=world.action,
        lead=world.lead_person,
        text="Overdue but updated",
        due_date=date(2019, 10, 31),
    )
    with time_machine.travel(moment(2019, 11, 14, 16), tick=False):
        factories.MilestoneUpdateFactory(milestone=overdue, status="red", commentary="Late.")
    with time_machine.travel(moment(2019, 11, 15, 10), tick=False):
        out = run_reminders()
        client.force_login(world.lead)
        response = client.get(reverse("plans:my_milestones"))
    body = mail.outbox[0].body
    assert "Overdue but updated" not in body and "Overdue (" not in body
    assert "1 sent" in out
    groups = {key: [m.text for m in items] for key, _, items in response.context["groups"]}
    assert groups["updated"] == ["Overdue but updated"] and groups["overdue"] == []
    words = text(response)
    assert "Done this quarter: 1 of 2" in words
    assert "Overdue but updated" in words.split("Updated this quarter")[1]
    assert 'class="govuk-tag govuk-tag--green">Done</strong>' in response.content.decode()


def test_leads_with_no_address_are_counted_and_listed_to_the_admin(client, world):
    nameless = factories.PersonFactory(partnership=world.partnership, name="No Mail", email="")
    factories.MilestoneFactory(action=world.action, lead=nameless, text="Unreachable work")
    with time_machine.travel(moment(2019, 11, 15, 10), tick=False):
        out = run_reminders()
        client.force_login(world.admin)
        chase = client.get(reverse("plans:update_compliance", args=[world.plan.pk]))
    assert "1 sent, 0 already sent this quarter, 0 failed, 1 unreachable" in out
    assert "Unreachable: No Mail (Lead Officer" in out
    assert "has 1 milestone(s) to update and no e-mail address" in out
    html = chase.content.decode()
    assert "Leads with no email address" in html
    # The person's own edit page where it exists (the people work), else the People page.
    try:
        add_address = reverse("plans:person_edit", args=[nameless.pk])
    except NoReverseMatch:
        add_address = reverse("plans:people")
    assert f'href="{add_address}">Add an email' in html
    assert [row["lead__name"] for row in chase.context["unreachable"]] == ["No Mail"]
