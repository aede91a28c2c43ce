"""Who may update a milestone, see the audit trail and chase leads: checked on the server."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from plans.access import may_update_milestone
from plans.models import MilestoneUpdate, Person
from tests import factories
from tests.plans.update_world import build_world, form_data


@pytest.fixture
def world(partnership):
    with time_machine.travel(datetime(2019, 11, 15, 10, 0), tick=False):
        yield build_world(partnership)


def user_for(world, outsider, who):
    return {
        "milestone lead": world.lead,
        "action lead": world.action_lead,
        "delegate": world.delegate,
        "partnership admin": world.admin,
        "another lead": world.other_lead,
        "board member": world.board,
        "other partnership's admin": outsider,
    }[who]


UPDATE_MATRIX = [
    ("milestone lead", 200, 302),
    ("action lead", 200, 302),
    ("delegate", 200, 302),
    ("partnership admin", 200, 302),
    ("another lead", 403, 403),
    ("board member", 403, 403),
    ("other partnership's admin", 404, 404),
]


@pytest.mark.parametrize(("who", "get_status", "post_status"), UPDATE_MATRIX)
def test_update_form_permission_matrix(client, world, outsider, who, get_status, post_status):
    client.force_login(user_for(world, outsider, who))
    url = reverse("plans:milestone_update", args=[world.milestone.pk])
    assert client.get(url).status_code == get_status
    response = client.post(url, form_data(world.milestone, status="amber", commentary="Late."))
    assert response.status_code == post_status
    assert MilestoneUpdate.objects.exists() == (post_status == 302)


@pytest.mark.parametrize(("who", "get_status", "_"), UPDATE_MATRIX)
def test_may_update_milestone_agrees_with_the_matrix(world, outsider, who, get_status, _):
    user = user_for(world, outsider, who)
    assert may_update_milestone(user=user, milestone=world.milestone) == (get_status == 200)


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    url = reverse("plans:milestone_update", args=[world.milestone.pk])
    response = client.post(url, form_data(world.milestone, status="amber", commentary="x"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not MilestoneUpdate.objects.exists()


def test_a_removed_lead_may_no_longer_update(client, world):
    Person.objects.filter(pk=world.lead_person.pk).update(removed_at=timezone.now())
    client.force_login(world.lead)
    url = reverse("plans:milestone_update", args=[world.milestone.pk])
    assert client.get(url).status_code == 403


def test_a_lead_with_a_board_role_may_not_update(client, world):
    world.lead.memberships.update(role="board")
    client.force_login(world.lead)
    url = reverse("plans:milestone_update", args=[world.milestone.pk])
    assert client.get(url).status_code == 403


def test_one_user_in_two_partnerships_updates_only_where_they_lead(client, world):
    """The same account is a lead here and a board member elsewhere."""
    other = factories.PartnershipFactory()
    factories.MembershipFactory(user=world.lead, partnership=other, role="board")
    elsewhere = factories.MilestoneFactory(action__outcome__priority__plan__partnership=other)
    Person.objects.filter(pk=elsewhere.lead_id).update(user=world.lead)
    client.force_login(world.lead)
    assert client.get(reverse("plans:milestone_update", args=[elsewhere.pk])).status_code == 403
    ids = {
        m.pk
        for _, _, items in client.get(reverse("plans:my_milestones")).context["groups"]
        for m in items
    }
    assert ids == {world.milestone.pk}


ADMIN_PAGES = [
    ("plans:plan_history", lambda w: [w.plan.pk]),
    ("plans:item_history", lambda w: ["milestone", w.milestone.pk]),
    ("plans:item_history", lambda w: ["action", w.action.pk]),
    ("plans:item_history", lambda w: ["outcome", w.action.outcome_id]),
    ("plans:update_compliance", lambda w: [w.plan.pk]),
]


@pytest.mark.parametrize(("name", "args"), ADMIN_PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("partnership admin", 200),
        ("milestone lead", 403),
        ("board member", 403),
        ("other partnership's admin", 404),
    ],
)
def test_audit_and_chasing_pages_are_for_partnership_admins(
    client, world, outsider, name, args, who, status
):
    client.force_login(user_for(world, outsider, who))
    assert client.get(reverse(name, args=args(world))).status_code == status


def test_unknown_history_kind_is_not_found(client, world):
    client.force_login(world.admin)
    assert client.get(f"/history/person/{world.lead_person.pk}/").status_code == 404


def test_send_sign_in_link_page_is_for_admins_and_lists_only_their_people(client, world, outsider):
    url = reverse("plans:send_signin_link")
    client.force_login(world.lead)
    assert client.get(url).status_code == 403
    stranger = factories.PersonFactory(name="Stranger Danger", email="s@example.org")
    client.force_login(world.admin)
    response = client.get(url)
    assert response.status_code == 200
    assert "Ken Dance" in response.content.decode()
    assert "Stranger Danger" not in response.content.decode()
    response = client.post(url, {"person": stranger.pk})
    assert response.status_code == 200
    assert "Choose a lead from the list" in response.content.decode()


def test_delegates_are_named_only_within_the_leads_partnership(client, world):
    stranger = factories.PersonFactory(name="Stranger Danger")
    colleague = factories.PersonFactory(partnership=world.partnership, name="Col League")
    client.force_login(world.lead)
    url = reverse("plans:delegates")
    assert client.post(url, {"delegate": stranger.pk}).status_code == 200
    assert not world.lead_person.delegations_given.filter(delegate=stranger).exists()
    assert client.post(url, {"delegate": colleague.pk}).status_code == 302
    assert world.lead_person.delegations_given.filter(delegate=colleague).exists()


def test_a_lead_removes_only_their_own_delegations(client, world):
    delegation = world.lead_person.delegations_given.get()
    client.force_login(world.action_lead)
    url = reverse("plans:delegation_delete", args=[delegation.pk])
    assert client.post(url).status_code == 404
    client.force_login(world.lead)
    assert client.post(url).status_code == 302
    assert not world.lead_person.delegations_given.exists()


def test_board_members_without_a_lead_record_cannot_name_delegates(client, world):
    client.force_login(world.board)
    assert client.get(reverse("plans:delegates")).status_code == 403
