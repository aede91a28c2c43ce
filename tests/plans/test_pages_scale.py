"""A large plan's page shows the roll-ups and one priority at a time, at a constant query cost."""

import pytest
from django.urls import reverse

from plans.models import Action, Milestone, Priority
from tests import factories
from tests.plans.test_pages_queries import PLAN_PAGE

pytestmark = pytest.mark.django_db

# Measured (SQLite): the plan and its annotated priorities (no outcomes, actions or
# milestones), the role check, and sign-in's reads and session save.
PLAN_SUMMARY = 9


@pytest.fixture
def reader(client, board_user):
    client.force_login(board_user)
    return client


@pytest.fixture
def small_full_max(settings):
    """Plans of more than 3 milestones count as large, so tests can build them quickly."""
    settings.PLAN_PAGE_FULL_MAX_MILESTONES = 3


def milestone_texts(priority_number: str) -> list[str]:
    return list(
        Milestone.objects.filter(action__outcome__priority__number=priority_number).values_list(
            "text", flat=True
        )
    )


@pytest.mark.usefixtures("small_full_max")
def test_large_plan_shows_roll_ups_and_a_sentence_but_no_milestones(reader, partnership):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=6)
    html = reader.get(plan.get_absolute_url()).content.decode()
    assert "This plan has 6 milestones:" in html
    assert "choose a priority</a> to see its outcomes, actions and milestones" in html
    assert f"{reverse('plans:milestone_list')}?plan={plan.pk}" in html
    assert "Milestones by status: whole plan" in html
    for priority in Priority.objects.all():
        assert f'href="?priority={priority.pk}"' in html
    for text in milestone_texts("2.9") + milestone_texts("2.10"):
        assert text not in html
    assert "app-hierarchy__priority" not in html


@pytest.mark.usefixtures("small_full_max")
def test_large_plan_with_a_priority_shows_only_that_prioritys_milestones(reader, partnership):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=6)
    chosen = Priority.objects.get(number="2.9")
    response = reader.get(plan.get_absolute_url(), {"priority": chosen.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["shown_priorities"] == [chosen]
    assert "This plan has 6 milestones:" not in html
    assert "Showing priority" in html
    shown, hidden = milestone_texts("2.9"), milestone_texts("2.10")
    assert shown and hidden
    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html
    # The roll-up still covers every priority.
    assert 'data-priority="2.10"' in html


def test_small_plan_still_shows_its_whole_hierarchy(reader, partnership, settings):
    settings.PLAN_PAGE_FULL_MAX_MILESTONES = 6
    plan = factories.plan_with_milestones(partnership=partnership, milestones=6)
    html = reader.get(plan.get_absolute_url()).content.decode()
    assert "This plan has 6 milestones:" not in html
    for text in milestone_texts("2.9") + milestone_texts("2.10"):
        assert text in html


def test_unknown_or_other_plans_priority_is_not_found(reader, partnership):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=2)
    other_plan = factories.plan_with_milestones(partnership=partnership, milestones=2)
    elsewhere = factories.plan_with_milestones(milestones=2)
    for priority_id in (
        other_plan.priorities.first().pk,
        elsewhere.priorities.first().pk,
        Priority.objects.order_by("pk").last().pk + 1,
        "not-a-number",
    ):
        response = reader.get(plan.get_absolute_url(), {"priority": priority_id})
        assert response.status_code == 404, priority_id


@pytest.mark.usefixtures("small_full_max")
@pytest.mark.parametrize("size", [5, 50])
def test_large_plan_summary_queries_do_not_grow(
    reader, partnership, size, django_assert_max_num_queries
):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=size)
    with django_assert_max_num_queries(PLAN_SUMMARY):
        response = reader.get(plan.get_absolute_url())
    assert response.status_code == 200
    assert response.context["shown_priorities"] == []
    assert response.context["plan"].milestone_total == size


@pytest.mark.usefixtures("small_full_max")
@pytest.mark.parametrize("size", [5, 50])
def test_one_priority_queries_do_not_grow(reader, partnership, size, django_assert_max_num_queries):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=size)
    for action in Action.objects.all():
        action.leads.add(factories.PersonFactory(partnership=partnership))
    chosen = Priority.objects.get(number="2.10")
    with django_assert_max_num_queries(PLAN_PAGE):
        response = reader.get(plan.get_absolute_url(), {"priority": chosen.pk})
    assert response.status_code == 200
    assert response.context["chosen_priority"] == chosen
    assert response.context["chosen_priority"].milestone_total == len(milestone_texts("2.10"))
