"""Chasing from the chase page: preview the reminder, send it through the worker, see who
was reminded when; leads with no address are flagged."""

from datetime import datetime
from html import unescape
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from plans import lifecycle
from plans.models import ReminderRound, ReminderSent
from plans.services import person_remove
from tests import factories
from tests.plans.update_world import build_world

TODAY = datetime(2019, 11, 15, 9, 2)  # 2019/20 Q3, before its deadline


@pytest.fixture(autouse=True)
def fixed_time():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(partnership):
    return build_world(partnership)


@pytest.fixture
def admin(client, world):
    world.admin.first_name, world.admin.last_name = "Pat", "Admin"
    world.admin.save()
    client.force_login(world.admin)
    return client


def round_url(world):
    return reverse("plans:reminder_round", args=[world.plan.pk])


def chase_url(world):
    return reverse("plans:update_compliance", args=[world.plan.pk])


def test_the_chase_page_offers_the_button_and_flags_leads_with_no_address(admin, world):
    nameless = factories.PersonFactory(partnership=world.partnership, name="No Mail", email="")
    factories.MilestoneFactory(action=world.action, lead=nameless)

    html = unescape(admin.get(chase_url(world)).content.decode())

    assert "Remind everyone who has not updated" in html
    assert f'href="{round_url(world)}"' in html
    assert "Nobody has been reminded from this page for 2019/20 Q3 yet." in html
    assert "Leads with no email address" in html and "No Mail: 1 milestone not" in html


def test_the_preview_shows_the_email_with_the_admins_message(admin, world):
    nameless = factories.PersonFactory(partnership=world.partnership, name="No Mail", email="")
    factories.MilestoneFactory(action=world.action, lead=nameless)

    first = unescape(admin.get(round_url(world)).content.decode())
    assert "1 lead will be emailed about 1 milestone" in first
    assert "1 lead cannot be reached: no email address" in first
    assert "Please update your milestones for 2019/20 Q3" in first
    assert "Hello Ken Dance" in first

    previewed = admin.post(
        round_url(world), {"message": "Board meets on 2 December.", "step": "preview"}
    )
    html = unescape(previewed.content.decode())
    assert "Hello Ken Dance,\n\nBoard meets on 2 December." in html
    assert len(mail.outbox) == 0 and not ReminderRound.objects.exists()


def test_sending_reminds_everyone_not_updated_and_records_who_when_and_why(
    admin, world, immediate_tasks, django_capture_on_commit_callbacks
):
    # The e-mails are queued once the round is committed, for the worker to send.
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = admin.post(
            round_url(world), {"message": "Board meets on 2 December.", "step": "send"}
        )
    assert len(queued) == 1
    response = admin.get(response["Location"])

    assert [m.to for m in mail.outbox] == [["lead@example.org"]]
    assert "Board meets on 2 December." in mail.outbox[0].body
    reminder_round = ReminderRound.objects.get()
    assert (reminder_round.sent_by, reminder_round.lead_count, reminder_round.message) == (
        world.admin,
        1,
        "Board meets on 2 December.",
    )
    sent = ReminderSent.objects.get()
    assert (sent.person, sent.round, sent.year, sent.quarter) == (
        world.lead_person,
        reminder_round,
        2019,
        3,
    )
    html = unescape(response.content.decode())
    assert "Reminders for 2019/20 Q3 are being sent to 1 lead." in html
    assert "Last reminded 15 November at 9:02am by Pat Admin: 1 lead" in html
    assert "data-reminded>15 November at 9:02am" in html
    history = admin.get(reverse("plans:plan_history", args=[world.plan.pk])).content.decode()
    assert "Reminders for 2019/20 Q3" in history and "Board meets on 2 December." in history


def test_the_scheduled_command_uses_the_same_service_and_does_not_repeat_a_round(
    admin, world, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(round_url(world), {"step": "send"})
    out = StringIO()
    call_command("send_update_reminders", base_url="https://plans.example.org", stdout=out)
    assert "0 sent, 1 already sent this quarter" in out.getvalue()
    assert len(mail.outbox) == 1


def test_a_message_too_long_is_refused_and_nothing_is_sent(admin, world, immediate_tasks):
    response = admin.post(round_url(world), {"message": "x" * 2001, "step": "send"})
    assert "The message must be 2,000 characters or fewer" in response.content.decode()
    assert len(mail.outbox) == 0 and not ReminderRound.objects.exists()


def test_with_everyone_updated_there_is_nobody_to_remind(admin, world, immediate_tasks):
    factories.MilestoneUpdateFactory(
        milestone=world.milestone, status="green", created_at=datetime(2019, 11, 1).astimezone()
    )
    page = unescape(admin.get(round_url(world)).content.decode())
    assert "Nobody to remind" in page
    refused = unescape(admin.post(round_url(world), {"step": "send"}).content.decode())
    assert "Nobody to remind: every lead has updated this quarter." in refused
    assert not ReminderRound.objects.exists()


def test_an_archived_plan_cannot_be_chased(admin, world):
    lifecycle.plan_archive(plan=world.plan, user=world.admin)
    assert admin.get(round_url(world)).status_code == 403
    assert admin.post(round_url(world), {"step": "send"}).status_code == 403
    assert not ReminderRound.objects.exists()


@pytest.mark.parametrize("leads", [2, 20])
def test_the_reminder_page_costs_the_same_whatever_the_number_of_leads(
    admin, world, leads, django_assert_num_queries
):
    for n in range(leads):
        person = factories.PersonFactory(
            partnership=world.partnership, email=f"lead{n}@example.org"
        )
        factories.MilestoneFactory(action=world.action, lead=person)
    # Exact (1 of them the two-factor check): a ceiling would hide a lost join.
    with django_assert_num_queries(17):  # 1 of them the header's signed-in line
        response = admin.get(round_url(world))
    assert len(response.context["preview"].digests) == leads + 1


def test_removing_an_admin_who_chased_takes_their_name_off_the_round(admin, world):
    person = factories.PersonFactory(partnership=world.partnership, name="Pat Admin")
    person.user = world.admin
    person.save()
    reminder_round = ReminderRound.objects.create(
        plan=world.plan, year=2019, quarter=3, sent_by=world.admin, sent_by_name="Pat Admin"
    )
    other_admin = factories.MembershipFactory(partnership=world.partnership, role="admin").user

    person_remove(person=person, user=other_admin)

    reminder_round.refresh_from_db()
    assert reminder_round.sent_by_name == "Former lead"
    assert not reminder_round.history.filter(sent_by_name="Pat Admin").exists()
