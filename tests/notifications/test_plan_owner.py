"""The plan's owner: the person who answers for the plan (told when a milestone goes Red).
The creator by default; changed on the plan's edit page; next year's plan keeps them. And a
removed person's name leaves the notifications kept about them."""

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse

from notifications import kinds
from notifications.models import Notification
from notifications.services import notify
from plans import lifecycle, services
from plans.models import Membership, Plan
from tests import factories
from tests.plans.update_world import build_world

TODAY = datetime(2019, 11, 15, 10, 0)


@pytest.fixture(autouse=True)
def fixed_time():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(partnership):
    return build_world(partnership)


def dates(prefix: str, day: date) -> dict:
    return {f"{prefix}-day": day.day, f"{prefix}-month": day.month, f"{prefix}-year": day.year}


def edit_form(plan, **overrides):
    data = {
        "title": plan.title,
        **dates("start_date", plan.start_date),
        **dates("end_date", plan.end_date),
        "description": "",
    }
    data.update(overrides)
    return data


def test_the_admin_who_creates_a_plan_owns_it(world):
    plan = lifecycle.plan_create(
        partnership=world.partnership,
        user=world.admin,
        title="Delivery Plan 2020/21",
        start_date=date(2020, 4, 1),
        end_date=date(2021, 3, 31),
    )
    assert plan.owner == world.admin


def test_an_admin_names_the_owner_on_the_plans_edit_page(client, world):
    client.force_login(world.admin)
    url = reverse("plans:plan_edit", args=[world.plan.pk])
    page = client.get(url).content.decode()
    assert "Owner (optional)" in page
    assert '<option value="" selected>No owner</option>' in page
    assert f'<option value="{world.board.pk}">board-member</option>' in page

    response = client.post(url, edit_form(world.plan, owner=str(world.board.pk)))
    assert response.status_code == 302
    assert Plan.objects.get(pk=world.plan.pk).owner == world.board
    page = client.get(url).content.decode()
    assert f'<option value="{world.board.pk}" selected>board-member</option>' in page

    client.post(url, edit_form(world.plan, owner=""))
    assert Plan.objects.get(pk=world.plan.pk).owner is None


def test_someone_outside_the_partnership_cannot_be_made_owner(client, world, outsider):
    client.force_login(world.admin)
    url = reverse("plans:plan_edit", args=[world.plan.pk])
    response = client.post(url, edit_form(world.plan, owner=str(outsider.pk)))
    assert response.status_code == 200
    assert "Select a member of the partnership as the plan&#x27;s owner" in (
        response.content.decode()
    )
    assert Plan.objects.get(pk=world.plan.pk).owner is None
    with pytest.raises(services.ValidationError) as error:
        lifecycle.plan_edit(
            plan=world.plan,
            user=world.admin,
            title=world.plan.title,
            start_date=world.plan.start_date,
            end_date=world.plan.end_date,
            owner_id=outsider.pk,
        )
    assert "owner" in error.value.message_dict


def test_next_years_plan_keeps_the_owner(world):
    Plan.objects.filter(pk=world.plan.pk).update(owner=world.admin)
    world.plan.refresh_from_db()
    new_plan, _ = lifecycle.plan_roll_forward(
        plan=world.plan,
        user=world.admin,
        title="Action Plan 2020",
        start_date=date(2020, 4, 1),
        end_date=date(2021, 3, 31),
    )
    assert new_plan.owner == world.admin


def test_an_owner_who_has_left_the_partnership_is_passed_over_for_its_admins(world):
    gone = factories.MembershipFactory(partnership=world.partnership, role="admin").user
    Plan.objects.filter(pk=world.plan.pk).update(owner=gone)
    Membership.objects.filter(user=gone).delete()
    plan = Plan.objects.get(pk=world.plan.pk)
    recipients = services.milestone_red_recipients(plan=plan, author=world.lead)
    assert recipients == [world.admin]


def test_removing_a_person_takes_their_name_out_of_notifications(world, admin_user):
    notify(
        user=world.admin,
        kind=kinds.MILESTONE_RED,
        subject="Milestone a) is now Red",
        body="Ken Dance has marked a milestone of Action Plan 2019 Red.",
        partnership_id=world.partnership.pk,
    )
    elsewhere = factories.PartnershipFactory()
    notify(
        user=world.admin,
        kind=kinds.MILESTONE_RED,
        subject="Milestone b) is now Red",
        body="Ken Dance has marked a milestone Red.",  # another partnership's Ken Dance
        partnership_id=elsewhere.pk,
    )
    services.person_remove(person=world.lead_person, user=admin_user)
    bodies = dict(Notification.objects.values_list("partnership_id", "body"))
    assert bodies[world.partnership.pk] == (
        "Former lead has marked a milestone of Action Plan 2019 Red."
    )
    assert bodies[elsewhere.pk] == "Ken Dance has marked a milestone Red."


def test_the_plan_page_names_its_owner_and_who_hears_of_red(client, world):
    plan_url = reverse("plans:plan_detail", args=[world.plan.pk])
    world.board.first_name, world.board.last_name = "Bea", "Board"
    world.board.save()
    Plan.objects.filter(pk=world.plan.pk).update(owner=world.board)
    client.force_login(world.lead)
    page = client.get(plan_url).content.decode()
    assert "Owner: Bea Board. They are e-mailed when a milestone goes Red." in page

    Membership.objects.filter(user=world.board).delete()
    client.force_login(world.admin)
    page = client.get(plan_url).content.decode()
    assert "Bea Board" not in page
    assert "The plan’s owner has left the partnership: the partnership’s admins are e-mailed" in (
        page
    )
    assert f'href="{reverse("plans:plan_edit", args=[world.plan.pk])}">Choose an owner' in page


def test_with_no_owner_admins_are_told_they_hear_of_red_and_others_see_nothing(client, world):
    plan_url = reverse("plans:plan_detail", args=[world.plan.pk])
    Plan.objects.filter(pk=world.plan.pk).update(owner=None)
    client.force_login(world.admin)
    page = client.get(plan_url).content.decode()
    assert "No owner: the partnership’s admins are e-mailed" in page
    client.force_login(world.lead)
    page = client.get(plan_url).content.decode()
    assert "Owner" not in page and "Choose an owner" not in page
