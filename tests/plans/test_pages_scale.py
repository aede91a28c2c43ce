"""A large plan's page shows the roll-ups and one priority at a time, at a constant query cost."""

import re

import pytest
from django.urls import reverse

from plans.models import Action, Milestone, Priority
from tests import factories

pytestmark = pytest.mark.django_db

# Measured (SQLite): the plan and its annotated priorities (no outcomes, actions or
# milestones), the role check, and sign-in's reads and session save.
PLAN_SUMMARY = 11  # 1 of them the two-factor check (mfa.middleware), 1 the header's signed-in line
# The summary's, then the priority's actions: a count, a page of ids, their rows, their leads.
ONE_PRIORITY = 15


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
    assert "app-hierarchy__priority" not in html and "data-milestone=" not in html


@pytest.mark.usefixtures("small_full_max")
def test_large_plan_with_a_priority_shows_its_actions_with_counts_not_milestones(
    reader, partnership
):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=6)
    chosen = Priority.objects.get(number="2.9")
    response = reader.get(plan.get_absolute_url(), {"priority": chosen.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["shown_priorities"] == []
    assert "This plan has 6 milestones:" not in html
    assert "Showing priority" in html
    assert f"{reverse('plans:milestone_list')}?priority={chosen.pk}" in html
    mine, other = Action.objects.get(number="2.9.1"), Action.objects.get(number="2.10.1")
    assert mine.get_absolute_url() in html
    assert other.get_absolute_url() not in html
    row = re.search(r'<tr[^>]*data-action="2.9.1">.*?</tr>', html, re.S).group(0)
    assert f'data-rag="total">{len(milestone_texts("2.9"))}<' in row
    for status in ("red", "amber", "green", "complete", "not_started"):
        count = Milestone.objects.filter(action=mine, status=status).count()
        assert f'data-rag="{status}">{count}<' in row
    for text in milestone_texts("2.9") + milestone_texts("2.10"):
        assert text not in html
    # The roll-up still covers every priority.
    assert 'data-priority="2.10"' in html


@pytest.mark.usefixtures("small_full_max")
def test_an_outcome_s_breadcrumb_leads_to_its_priority_on_a_large_plan(reader, partnership):
    factories.plan_with_milestones(partnership=partnership, milestones=6)
    chosen = Priority.objects.get(number="2.9")
    outcome = chosen.outcomes.first()
    html = reader.get(outcome.get_absolute_url()).content.decode()

    link = re.search(r'href="([^"]+)">Priority 2.9<', html).group(1)
    priority_page = reader.get(link).content.decode()
    assert "Showing priority" in priority_page
    assert outcome.get_absolute_url() in priority_page


def add_actions(priority: Priority, count: int) -> None:
    """``count`` more actions under ``priority``, each in its own outcome with one milestone."""
    for n in range(count):
        outcome = factories.OutcomeFactory(priority=priority, number=f"{priority.number}.{n + 2}")
        action = factories.ActionFactory(outcome=outcome, number=f"{outcome.number}.1")
        action.leads.add(factories.PersonFactory(partnership=priority.plan.partnership))
        factories.MilestoneFactory(action=action)


@pytest.mark.usefixtures("small_full_max")
def test_a_large_plans_priority_pages_its_actions_fifty_at_a_time(reader, partnership):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=6)
    chosen = Priority.objects.get(number="2.10")
    add_actions(chosen, 59)
    first = reader.get(plan.get_absolute_url(), {"priority": chosen.pk})
    assert len(first.context["actions_page"]) == 50
    html = first.content.decode().replace("&amp;", "&")
    assert "60 actions by outcome, 50 a page" in html
    nav = re.search(r'<nav class="govuk-pagination".*?</nav>', html, re.S).group(0)
    assert f"priority={chosen.pk}" in nav and "page=2" in nav
    second = reader.get(plan.get_absolute_url(), {"priority": chosen.pk, "page": 2})
    shown = [a.pk for a in first.context["actions_page"]] + [
        a.pk for a in second.context["actions_page"]
    ]
    assert sorted(shown) == sorted(
        Action.objects.filter(outcome__priority=chosen).values_list("pk", flat=True)
    )


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
@pytest.mark.parametrize("actions", [0, 60])
def test_one_priority_queries_do_not_grow(
    reader, partnership, actions, django_assert_max_num_queries
):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=50)
    for action in Action.objects.all():
        action.leads.add(factories.PersonFactory(partnership=partnership))
    chosen = Priority.objects.get(number="2.10")
    add_actions(chosen, actions)
    for page in (1, 2):
        with django_assert_max_num_queries(ONE_PRIORITY):
            response = reader.get(plan.get_absolute_url(), {"priority": chosen.pk, "page": page})
        assert response.status_code == 200
    assert response.context["chosen_priority"] == chosen
    assert response.context["chosen_priority"].milestone_total == len(milestone_texts("2.10"))
