"""Each page costs the same number of queries whatever the plan's size."""

import pytest
from django.urls import reverse

from plans.models import Action, Milestone, MilestoneUpdate
from tests import factories

pytestmark = pytest.mark.django_db

# Exact counts, measured (SQLite and PostgreSQL alike), at two sizes: a ceiling would let a
# page lose its join and gain a query or two unnoticed. Each includes sign-in's session and
# user reads, the membership lookup and the session save with its savepoint (3 queries), and
# 1 for the two-factor check (mfa.middleware: the session's device, or whether the person has
# admin powers), and 1 for the header's signed-in line (selectors.signed_in: the person's name
# and whether they lead anything, for "My milestones"). A query per row would break these at
# once: the larger size would need dozens more. A change that costs a query must say so here.
PLAN_PAGE = 16  # plan + priorities + outcomes + actions + leads + milestones + see-also + role
MILESTONE_LIST = 16  # chosen plan, 4 filter option lists, count, a page of ids, their rows
# The item pages each read the visitor's role once more: whether to show admins' links to
# change the item (plans.views.pages.StructureContextMixin).
ACTION_PAGE = 13
OUTCOME_PAGE = 14
# The milestone page: one more for the reviews of its updates (review_tags.review_threads) and
# one more for the evidence on them (evidence_tags.evidence_for).
MILESTONE_PAGE = 15


@pytest.fixture
def reader(client, board_user):
    client.force_login(board_user)
    return client


@pytest.mark.parametrize("size", [5, 50])
def test_plan_page_queries_do_not_grow_with_milestones(
    reader, partnership, size, django_assert_num_queries
):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=size)
    for action in Action.objects.all():
        action.leads.add(factories.PersonFactory(partnership=partnership))
    with django_assert_num_queries(PLAN_PAGE):
        response = reader.get(plan.get_absolute_url())
    assert response.status_code == 200
    assert response.context["plan"].milestone_total == size


@pytest.mark.parametrize("size", [5, 50])
def test_milestone_list_queries_do_not_grow_with_milestones(
    reader, partnership, size, django_assert_num_queries
):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=size)
    with django_assert_num_queries(MILESTONE_LIST):
        response = reader.get(
            reverse("plans:milestone_list"), {"plan": plan.pk, "status": ["red", "green"]}
        )
    assert response.status_code == 200
    assert response.context["paginator"].count == len(
        [m for m in Milestone.objects.all() if m.status in ("red", "green")]
    )


@pytest.mark.parametrize("size", [5, 50])
def test_outcome_and_action_pages_queries_do_not_grow_with_milestones(
    reader, partnership, size, django_assert_num_queries
):
    factories.plan_with_milestones(partnership=partnership, milestones=size * 2)
    action = Action.objects.select_related("outcome").first()
    action_url, outcome_url = action.get_absolute_url(), action.outcome.get_absolute_url()
    with django_assert_num_queries(ACTION_PAGE):
        assert reader.get(action_url).status_code == 200
    with django_assert_num_queries(OUTCOME_PAGE):
        assert reader.get(outcome_url).status_code == 200


@pytest.mark.parametrize("size", [2, 30])
def test_milestone_page_queries_do_not_grow_with_its_history(
    reader, partnership, size, django_assert_num_queries
):
    factories.plan_with_milestones(partnership=partnership, milestones=1)
    milestone = Milestone.objects.get()
    factories.MilestoneUpdateFactory.create_batch(size - 1, milestone=milestone)
    assert MilestoneUpdate.objects.count() == size
    with django_assert_num_queries(MILESTONE_PAGE):
        response = reader.get(milestone.get_absolute_url())
    assert len(response.context["history"]) == size
