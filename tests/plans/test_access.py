"""Who may read the plan pages: sign-in required, partnerships kept apart, board can read."""

import pytest
from django.urls import reverse

from plans.models import Milestone
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(partnership):
    return factories.plan_with_milestones(partnership=partnership, milestones=4)


def detail_urls(plan) -> dict[str, str]:
    milestone = Milestone.objects.filter(action__outcome__priority__plan=plan).first()
    return {
        "plan": reverse("plans:plan_detail", args=[plan.pk]),
        "outcome": reverse("plans:outcome_detail", args=[milestone.action.outcome_id]),
        "action": reverse("plans:action_detail", args=[milestone.action_id]),
        "milestone": reverse("plans:milestone_detail", args=[milestone.pk]),
    }


def page_urls(plan) -> list[str]:
    return [
        reverse("plans:plan_list"),
        reverse("plans:milestone_list"),
        *detail_urls(plan).values(),
    ]


def test_anonymous_visitors_are_sent_to_sign_in_from_every_page(client, plan):
    for url in page_urls(plan):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("kind", ["plan", "outcome", "action", "milestone"])
def test_another_partnerships_member_gets_404_on_every_detail_page(client, plan, outsider, kind):
    client.force_login(outsider)
    assert client.get(detail_urls(plan)[kind]).status_code == 404


def test_another_partnerships_member_sees_nothing_of_ours_in_lists(client, plan, outsider):
    theirs = factories.plan_with_milestones(
        partnership=outsider.memberships.get().partnership, milestones=2, title="Rotherham CYPP"
    )
    client.force_login(outsider)
    listed = {m.pk for m in client.get(reverse("plans:milestone_list")).context["milestones"]}
    ours = set(
        Milestone.objects.filter(action__outcome__priority__plan=plan).values_list("pk", flat=True)
    )
    assert listed and not listed & ours
    assert list(client.get(reverse("plans:plan_list")).context["plans"]) == [theirs]
    # Asking the list for our plan by id is refused as an invalid choice and shows nothing.
    response = client.get(reverse("plans:milestone_list"), {"plan": plan.pk})
    assert list(response.context["milestones"]) == []
    assert "Select a valid choice" in response.content.decode()


def test_a_user_with_no_partnership_sees_empty_lists(client, plan):
    client.force_login(factories.UserFactory())
    assert list(client.get(reverse("plans:milestone_list")).context["milestones"]) == []
    assert client.get(detail_urls(plan)["plan"]).status_code == 404


@pytest.mark.parametrize("role", ["board", "lead", "admin"])
def test_every_role_in_the_partnership_can_read_every_page(client, partnership, plan, role):
    user = factories.MembershipFactory(partnership=partnership, role=role).user
    client.force_login(user)
    for url in page_urls(plan):
        assert client.get(url).status_code == 200, url
