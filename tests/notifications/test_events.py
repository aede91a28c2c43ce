"""The events people hear of: a milestone gone Red (the plan's owner), a final pack (board
members who asked). Queries and answers are raised by the review app through the same notify."""

from datetime import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, NotificationPreference
from plans import services
from plans.models import RAG, Membership, Milestone, MilestoneUpdate, Plan
from reporting import services as reporting_services
from tests import factories
from tests.plans.update_world import build_world, form_data

TODAY = datetime(2019, 11, 15, 10, 0)
SITE = "https://plans.example.org/"


@pytest.fixture(autouse=True)
def fixed_time():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(partnership):
    w = build_world(partnership)
    w.owner = factories.MembershipFactory(
        partnership=partnership,
        role=Membership.Role.ADMIN,
        user__username="owner",
        user__first_name="Olwen",
        user__last_name="Owens",
    ).user
    Plan.objects.filter(pk=w.plan.pk).update(owner=w.owner)
    return w


def save(world, *, status=RAG.RED, source=MilestoneUpdate.Source.WEB, base_url=SITE, **kwargs):
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    return services.milestone_update(
        milestone=milestone,
        user=kwargs.pop("user", world.lead),
        expected_version=milestone.version,
        status=status,
        commentary=kwargs.pop("commentary", "The research partner has withdrawn."),
        due_date=milestone.due_date,
        source=source,
        base_url=base_url,
        **kwargs,
    )


class TestMilestoneGoneRed:
    def test_the_update_form_making_a_milestone_red_emails_the_plans_owner_once(
        self, world, client, immediate_tasks, django_capture_on_commit_callbacks
    ):
        client.force_login(world.lead)
        url = reverse("plans:milestone_update", args=[world.milestone.pk])
        data = form_data(
            world.milestone, status="red", commentary="The research partner has withdrawn."
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [world.owner.email]
        assert message.subject == (
            "Milestone a) is now Red: Why young women get pregnant: research report"
        )
        body = message.body
        assert body.startswith("Dear Olwen Owens,")
        assert "Ken Dance has marked a milestone of Action Plan 2019 Red" in body
        assert "The research partner has withdrawn." in body
        assert f"http://testserver/milestones/{world.milestone.pk}/" in body
        assert "because you are the owner of Action Plan 2019" in body

    def test_an_update_that_keeps_it_red_tells_no_one_again(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            save(world)
            save(world, commentary="Still no research partner; the board is asked to help.")
        assert Notification.objects.filter(kind="milestone_red").count() == 1

    def test_a_milestone_that_was_red_before_and_goes_red_again_is_told_again(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            save(world)
            save(world, status=RAG.AMBER, commentary="A new partner is found.")
            save(world, commentary="The new partner has withdrawn too.")
        assert Notification.objects.filter(kind="milestone_red").count() == 2

    def test_other_statuses_tell_no_one(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            save(world, status=RAG.AMBER)
        assert not Notification.objects.exists()

    def test_imports_tell_no_one(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            save(world, source=MilestoneUpdate.Source.IMPORT)
        assert Milestone.objects.get(pk=world.milestone.pk).status == RAG.RED
        assert not Notification.objects.exists()

    def test_without_a_site_address_no_one_is_told(self, world, django_capture_on_commit_callbacks):
        """The demo loader replays history through the service, with no site to link to."""
        with django_capture_on_commit_callbacks(execute=True):
            save(world, base_url="")
        assert not Notification.objects.exists()

    def test_a_plan_without_an_owner_tells_the_partnerships_admins(
        self, world, django_capture_on_commit_callbacks
    ):
        Plan.objects.filter(pk=world.plan.pk).update(owner=None)
        with django_capture_on_commit_callbacks(execute=True):
            save(world)
        told = set(Notification.objects.values_list("recipient__username", flat=True))
        assert told == {"plan-admin", "owner"}  # both are admins; the board and leads are not
        body = Notification.objects.first().body
        assert "Action Plan 2019 has no owner" in body

    def test_the_owner_who_made_it_red_is_not_told_of_their_own_update(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            save(world, user=world.owner)
        assert not Notification.objects.exists()

    def test_a_refused_update_tells_no_one(self, world, django_capture_on_commit_callbacks):
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(services.ValidationError),
        ):
            save(world, commentary="")  # Red needs commentary
        assert not Notification.objects.exists()

    def test_an_owner_who_chose_the_digest_hears_in_the_digest(
        self, world, immediate_tasks, django_capture_on_commit_callbacks
    ):
        NotificationPreference.objects.create(user=world.owner, delivery="digest")
        with django_capture_on_commit_callbacks(execute=True):
            save(world)
        assert mail.outbox == []
        from notifications.services import digests_send

        assert digests_send().sent == 1
        assert "Milestones gone Red (1)" in mail.outbox[0].body


class TestPackFinal:
    @pytest.fixture
    def board(self, world):
        keen = world.board  # a board member who asked to hear
        NotificationPreference.objects.create(user=keen, pack_final=True)
        quiet = factories.MembershipFactory(
            partnership=world.partnership, role=Membership.Role.BOARD, user__username="quiet"
        ).user
        # Asked to hear, but is an admin here, not a board member.
        admin = world.admin
        NotificationPreference.objects.create(user=admin, pack_final=True)
        # A board member of another partnership who asked to hear.
        elsewhere = factories.MembershipFactory(role=Membership.Role.BOARD).user
        NotificationPreference.objects.create(user=elsewhere, pack_final=True)
        return {"keen": keen, "quiet": quiet, "admin": admin, "elsewhere": elsewhere}

    def test_closing_a_quarter_tells_the_board_members_who_asked(
        self, world, board, client, immediate_tasks, django_capture_on_commit_callbacks
    ):
        period = factories.ReportingPeriodFactory(plan=world.plan, year=2019, quarter=2)
        client.force_login(world.admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("reporting:period_close", args=[period.pk]))
        assert response.status_code == 302
        assert [m.to for m in mail.outbox] == [[board["keen"].email]]
        message = mail.outbox[0]
        assert message.subject == "The board pack for Action Plan 2019, 2019/20 Q2, is final"
        assert f"http://testserver/reporting/plans/{world.plan.pk}/" in message.body
        assert "will not change with later updates" in message.body
        notification = Notification.objects.get()
        assert notification.kind == "pack_final"
        assert notification.partnership_id == world.partnership.pk

    def test_a_close_that_fails_tells_no_one(
        self, world, board, django_capture_on_commit_callbacks
    ):
        period = factories.ReportingPeriodFactory(plan=world.plan, year=2019, quarter=2)
        reporting_services.period_close(period=period, user=world.admin)
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(reporting_services.ValidationError),
        ):
            reporting_services.period_close(period=period, user=world.admin, base_url=SITE)
        assert not Notification.objects.exists()

    def test_nobody_asked_nobody_told(self, world, django_capture_on_commit_callbacks):
        period = factories.ReportingPeriodFactory(plan=world.plan, year=2019, quarter=2)
        with django_capture_on_commit_callbacks(execute=True):
            reporting_services.period_close(period=period, user=world.admin, base_url=SITE)
        assert not Notification.objects.exists()
        assert period.plan.periods.get(pk=period.pk).closed_at == timezone.now()
