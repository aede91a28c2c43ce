"""The review pages: who may see them, the filters, the error summary, the conflict message,
My milestones' "Queried", the thread in the milestone's history and the audit trail, and a
constant number of queries at two sizes."""

import pytest
from django.urls import reverse

from plans.models import RAG, Milestone, MilestoneUpdate, Organisation, Person
from review import services
from review.models import Review, ReviewSettings
from tests import factories

pytestmark = pytest.mark.django_db


def _query(update, user, question="Please say what happens next and when."):
    return services.review_query(
        update=update, user=user, expected_version=0, question=question, base_url=""
    )


# --- Who may see what ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["review_list", "thread", "answer", "settings"])
def test_another_partnerships_members_get_404(client, outsider, plan, update, name):
    args = {
        "review_list": [plan.pk],
        "thread": [update.pk],
        "answer": [update.pk],
        "settings": [plan.partnership_id],
    }[name]
    client.force_login(outsider)
    assert client.get(reverse(f"review:{name}", args=args)).status_code == 404


def test_board_members_are_refused_the_review_page_and_the_thread(client, board_user, plan, update):
    client.force_login(board_user)
    assert client.get(reverse("review:review_list", args=[plan.pk])).status_code == 403
    assert client.get(reverse("review:thread", args=[update.pk])).status_code == 403
    assert client.get(reverse("review:answer", args=[update.pk])).status_code == 403


def test_a_lead_answers_only_their_own_milestones_queries(
    client, partnership, plan, update, admin_user
):
    _query(update, admin_user)
    other_lead = factories.MembershipFactory(partnership=partnership, role="lead").user
    Person.objects.create(partnership=partnership, name="Other Lead", user=other_lead)
    client.force_login(other_lead)
    response = client.post(
        reverse("review:answer", args=[update.pk]), {"answer": "Not mine", "version": 1}
    )
    assert response.status_code == 403
    assert Review.objects.get(update=update).state == Review.State.QUERIED


def test_a_delegate_may_answer_for_the_lead(client, partnership, update, milestone, admin_user):
    review = _query(update, admin_user)
    delegate_user = factories.MembershipFactory(partnership=partnership, role="lead").user
    delegate = Person.objects.create(partnership=partnership, name="Dee", user=delegate_user)
    milestone.lead.delegations_given.create(delegate=delegate)
    client.force_login(delegate_user)
    response = client.post(
        reverse("review:answer", args=[update.pk]),
        {"answer": "For Lena: January.", "version": review.version},
    )
    assert response.status_code == 302
    assert Review.objects.get(update=update).state == Review.State.ANSWERED


def test_a_lead_cannot_accept_or_query(client, lead_user, update):
    client.force_login(lead_user)
    response = client.post(
        reverse("review:thread", args=[update.pk]), {"action": "accept", "version": 0}
    )
    assert response.status_code == 403
    assert not Review.objects.exists()


# --- The review page ---------------------------------------------------------------------


def test_the_page_lists_this_periods_updates_new_ones_first(client, admin_user, plan, update):
    others = list(
        MilestoneUpdate.objects.filter(milestone__action__outcome__priority__plan=plan)
        .exclude(pk=update.pk)
        .order_by("pk")
    )
    services.review_accept(update=others[0], user=admin_user, expected_version=0)
    # Saved after that review: new since the last review, so first.
    newer = factories.MilestoneUpdateFactory(milestone=update.milestone, commentary="Newest words")
    Milestone.objects.filter(pk=update.milestone_id).update(latest_update=newer)
    client.force_login(admin_user)

    page = client.get(reverse("review:review_list", args=[plan.pk])).content.decode()

    assert page.index("New since the last review") < page.index("Newest words")
    assert page.index("Newest words") < page.index("Waiting for review")
    assert page.index("Waiting for review") < page.index("Accepted</h3>")
    assert "On track." not in page  # superseded by the newer update


def test_an_update_from_before_the_period_is_not_listed(client, admin_user, plan, update):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    MilestoneUpdate.objects.filter(pk=update.pk).update(
        created_at=datetime(2019, 9, 20, tzinfo=ZoneInfo("Europe/London"))
    )
    client.force_login(admin_user)
    page = client.get(reverse("review:review_list", args=[plan.pk])).content.decode()
    assert "On track." not in page
    assert "2 updates" in page


def test_filters_by_rag_priority_and_organisation(client, admin_user, plan, update, partnership):
    client.force_login(admin_user)
    url = reverse("review:review_list", args=[plan.pk])

    red = client.get(url, {"status": RAG.RED}).context["rows"]
    assert [r["update"].status for r in red] == [RAG.RED]

    priority = update.milestone.action.outcome.priority
    in_priority = client.get(url, {"priority": priority.pk}).context["rows"]
    assert in_priority and all(
        r["update"].milestone.action.outcome.priority == priority for r in in_priority
    )

    organisation = Organisation.objects.get(people__milestones_led=update.milestone)
    mine = client.get(url, {"organisation": organisation.pk}).context["rows"]
    assert [r["update"].pk for r in mine] == [update.pk]


def test_accept_from_the_list(client, admin_user, plan, update):
    client.force_login(admin_user)
    response = client.post(
        reverse("review:thread", args=[update.pk]),
        {"action": "accept", "version": 0, "from": "list"},
    )
    assert response.url == reverse("review:review_list", args=[plan.pk])
    assert Review.objects.get(update=update).state == Review.State.ACCEPTED


def test_an_empty_query_shows_a_govuk_error_summary(client, admin_user, update):
    client.force_login(admin_user)
    response = client.post(
        reverse("review:thread", args=[update.pk]),
        {"action": "query", "version": 0, "question": " "},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert '<a href="#id_question">Enter your question for the lead</a>' in page
    assert "<title>Error: " in page
    assert not Review.objects.exists()


def test_the_second_admin_sees_the_conflict_and_keeps_their_question(
    client, admin_user, partnership, update
):
    services.review_accept(update=update, user=admin_user, expected_version=0)
    other = factories.MembershipFactory(partnership=partnership, role="admin").user
    client.force_login(other)
    response = client.post(
        reverse("review:thread", args=[update.pk]),
        {"action": "query", "version": 0, "question": "What happens next?"},
    )
    page = response.content.decode()
    assert "Someone else reviewed this update while you were reading it." in page
    assert "What happens next?</textarea>" in page
    assert Review.objects.get(update=update).state == Review.State.ACCEPTED


def test_query_then_my_milestones_shows_queried_and_the_answer_page(
    client, admin_user, lead_user, update
):
    client.force_login(admin_user)
    client.post(
        reverse("review:thread", args=[update.pk]),
        {"action": "query", "version": 0, "question": "When does the panel meet?"},
    )
    client.force_login(lead_user)
    mine = client.get(reverse("plans:my_milestones")).content.decode()
    assert "Queried: answer the question" in mine
    assert reverse("review:answer", args=[update.pk]) in mine

    answer_page = client.get(reverse("review:answer", args=[update.pk])).content.decode()
    assert "When does the panel meet?" in answer_page
    response = client.post(
        reverse("review:answer", args=[update.pk]), {"answer": "3 December.", "version": 1}
    )
    assert response.status_code == 302
    mine = client.get(reverse("plans:my_milestones")).content.decode()
    assert "Queried: answer the question" not in mine


def test_an_empty_answer_is_refused_with_an_error_summary(client, admin_user, lead_user, update):
    _query(update, admin_user)
    client.force_login(lead_user)
    page = client.post(
        reverse("review:answer", args=[update.pk]), {"answer": "", "version": 1}
    ).content.decode()
    assert "govuk-error-summary" in page
    assert "Enter your answer to the question" in page


def test_the_thread_appears_in_the_milestones_history_and_the_audit_trail(
    client, admin_user, lead_user, update, plan
):
    review = _query(update, admin_user, question="What happens next and when?")
    services.review_answer(
        update=update,
        user=lead_user,
        expected_version=review.version,
        answer="Panel on 3 December.",
        base_url="",
    )
    client.force_login(admin_user)

    history = client.get(update.milestone.get_absolute_url()).content.decode()
    assert "What happens next and when?" in history
    assert "Panel on 3 December." in history
    assert "Queried</strong>" in history

    trail = client.get(reverse("plans:plan_history", args=[plan.pk])).content.decode()
    assert "What happens next and when?" in trail
    assert "Panel on 3 December." in trail

    item = client.get(
        reverse("plans:item_history", args=["milestone", update.milestone_id])
    ).content.decode()
    assert "Panel on 3 December." in item


def test_settings_switch_pack_flags(client, admin_user, partnership):
    client.force_login(admin_user)
    url = reverse("review:settings", args=[partnership.pk])
    assert client.post(url, {"pack_flags": "on"}).status_code == 302
    assert ReviewSettings.objects.get(partnership=partnership).pack_flags is True
    client.post(url, {})
    assert ReviewSettings.objects.get(partnership=partnership).pack_flags is False


def test_admins_find_the_review_page_from_the_plan_page_and_home(client, admin_user, plan):
    client.force_login(admin_user)
    link = reverse("review:review_list", args=[plan.pk])
    assert link in client.get(plan.get_absolute_url()).content.decode()
    assert link in client.get(reverse("home")).content.decode()
    assert link in client.get(reverse("plans:my_milestones")).content.decode()


# --- Queries at two sizes -------------------------------------------------------------------


def _grow(plan, admin_user, extra: int):
    """``extra`` more milestones, each updated this period; every third queried and answered,
    every third accepted, so each kind of row is drawn."""
    action = factories.ActionFactory(
        outcome=factories.OutcomeFactory(priority=plan.priorities.first())
    )
    for index in range(extra):
        milestone = factories.MilestoneFactory(action=action, number=f"x{index}")
        update = factories.MilestoneUpdateFactory(milestone=milestone, status=RAG.AMBER)
        Milestone.objects.filter(pk=milestone.pk).update(latest_update=update)
        if index % 3 == 0:
            _query(update, admin_user)
        elif index % 3 == 1:
            services.review_accept(update=update, user=admin_user, expected_version=0)


# Exact, measured at both sizes: session, user, two-factor device, memberships, plan,
# memberships and role again (require_admin), periods, last review, count, page of updates,
# their threads, the header's signed-in line, 2 filter option lists, session save (3).
REVIEW_PAGE = 18


@pytest.mark.parametrize("extra", [3, 30])
def test_review_page_queries_do_not_grow(
    client, admin_user, plan, update, extra, django_assert_num_queries
):
    _grow(plan, admin_user, extra)
    client.force_login(admin_user)
    url = reverse("review:review_list", args=[plan.pk])
    client.get(url)
    with django_assert_num_queries(REVIEW_PAGE):
        response = client.get(url, {"status": [RAG.AMBER, RAG.GREEN]})
    assert len(response.context["rows"]) >= extra


@pytest.mark.parametrize("extra", [3, 30])
def test_my_milestones_costs_one_query_for_queries(
    client, admin_user, plan, lead_user, milestone, extra, django_assert_num_queries
):
    _grow(plan, admin_user, extra)
    Milestone.objects.filter(action__outcome__priority__plan=plan).update(lead=milestone.lead)
    client.force_login(lead_user)
    url = reverse("plans:my_milestones")
    client.get(url)
    with django_assert_num_queries(MY_MILESTONES):
        page = client.get(url).content.decode()
    assert page.count("Queried: answer the question") == (extra + 2) // 3


# tests/plans/test_updates.py's pin of My milestones (16) and the one query for the queries.
MY_MILESTONES = 17
