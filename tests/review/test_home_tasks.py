"""What the home page asks of the person: an admin's updates waiting for review, a signatory's
or the chair's sign-off; and what a lead is offered after saving an update or while answering
a query (a link to attach a file to that update). At a pinned number of queries."""

import pytest
from django.urls import reverse

from plans.models import Milestone, Organisation
from review import services
from signoff.models import Signatory, SignoffSettings
from tests import factories
from tests.plans.update_world import form_data

pytestmark = pytest.mark.django_db

SIGN_OFF = "Sign off this quarter’s updates"


def _home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_an_admin_is_told_how_many_updates_wait_for_review(client, admin_user, plan):
    review_list = reverse("review:review_list", args=[plan.pk])
    page = _home(client, admin_user)
    assert f'<a class="govuk-link" href="{review_list}">3 updates waiting for review' in page

    first = Milestone.objects.filter(action__outcome__priority__plan=plan).order_by("pk")[0]
    services.review_accept(update=first.latest_update, user=admin_user, expected_version=0)
    page = _home(client, admin_user)
    assert "2 updates waiting for review" in page


def test_an_answered_query_waits_for_review_again_and_a_queried_one_does_not(
    client, admin_user, lead_user, update
):
    services.review_query(
        update=update, user=admin_user, expected_version=0, question="When?", base_url=""
    )
    assert "2 updates waiting for review" in _home(client, admin_user)
    services.review_answer(
        update=update, user=lead_user, expected_version=1, answer="January.", base_url=""
    )
    assert "3 updates waiting for review" in _home(client, admin_user)


def test_a_lead_is_told_on_home_of_a_query_waiting_for_their_answer(
    client, admin_user, lead_user, update
):
    assert "queried by your partnership admin" not in _home(client, lead_user)
    services.review_query(
        update=update, user=admin_user, expected_version=0, question="When?", base_url=""
    )
    page = _home(client, lead_user)
    assert "1 update queried by your partnership admin: answer the question from My milestones" in (
        page
    )
    services.review_answer(
        update=update, user=lead_user, expected_version=1, answer="January.", base_url=""
    )
    assert "queried by your partnership admin" not in _home(client, lead_user)


def test_a_board_member_is_not_told_of_updates_waiting_for_review(client, board_user, plan):
    assert "waiting for review" not in _home(client, board_user)


def _nominate(partnership, user, *, enabled=True, chair=None):
    organisation = Organisation.objects.create(partnership=partnership, name="Police")
    SignoffSettings.objects.create(partnership=partnership, enabled=enabled, chair=chair)
    Signatory.objects.create(organisation=organisation, user=user)


def test_a_nominated_signatory_finds_their_sign_off_page_from_home(
    client, partnership, board_user, plan
):
    _nominate(partnership, board_user)
    page = _home(client, board_user)
    assert f'<a class="govuk-link" href="{reverse("signoff:mine")}">{SIGN_OFF}</a>' in page


def test_the_chair_finds_the_sign_off_page_from_home(client, partnership, admin_user, plan):
    SignoffSettings.objects.create(partnership=partnership, enabled=True, chair=admin_user)
    assert SIGN_OFF in _home(client, admin_user)


def test_no_sign_off_link_while_sign_off_is_off_or_for_people_not_named(
    client, partnership, board_user, admin_user, plan
):
    _nominate(partnership, board_user, enabled=False, chair=admin_user)
    assert SIGN_OFF not in _home(client, board_user)
    assert SIGN_OFF not in _home(client, admin_user)
    SignoffSettings.objects.update(enabled=True, chair=None)
    assert SIGN_OFF not in _home(client, admin_user)


def test_a_signatory_in_another_partnership_sees_no_link_here(client, partnership, board_user):
    other = factories.PartnershipFactory(name="Rotherham Children's Board", slug="rbc")
    outsider = factories.MembershipFactory(partnership=other, role="board").user
    _nominate(partnership, board_user)
    assert SIGN_OFF not in _home(client, outsider)


# The home page's queries, pinned: the review count is one query for an admin (for every plan
# they administer) and none for anyone else; a lead's queries waiting for them one query, for
# leads only; the sign-off link is an EXISTS inside the query that already reads the person's
# memberships, so it costs nothing.
# The board member's home was 24 before issue 17 too; 21 since the home page's figures are
# counted by the database (reporting.selectors.home_figures) rather than from the pack's data.
HOME_BOARD = 21
HOME_ADMIN = HOME_BOARD + 1
HOME_LEAD = 23  # 22 before issue 17, +1 for the queries waiting for them


@pytest.mark.parametrize("extra", [0, 6])
def test_the_home_pages_queries_do_not_grow_with_updates_or_nominations(
    client, partnership, plan, admin_user, board_user, extra, django_assert_num_queries
):
    action = Milestone.objects.filter(action__outcome__priority__plan=plan)[0].action
    for n in range(extra):
        milestone = factories.MilestoneFactory(action=action, text=f"Step {n}")
        update = factories.MilestoneUpdateFactory(milestone=milestone, commentary="Done.")
        Milestone.objects.filter(pk=milestone.pk).update(latest_update=update)
        organisation = Organisation.objects.create(partnership=partnership, name=f"Agency {n}")
        Signatory.objects.create(organisation=organisation, user=board_user)
    SignoffSettings.objects.create(partnership=partnership, enabled=bool(extra), chair=admin_user)
    client.force_login(board_user)
    with django_assert_num_queries(HOME_BOARD):
        page = client.get(reverse("home")).content.decode()
    assert (SIGN_OFF in page) == bool(extra)
    client.force_login(admin_user)
    with django_assert_num_queries(HOME_ADMIN):
        page = client.get(reverse("home")).content.decode()
    assert f"{3 + extra} updates waiting for review" in page


@pytest.mark.parametrize("queried", [1, 3])
def test_a_leads_home_costs_one_query_more_for_their_queries_whatever_their_number(
    client, plan, admin_user, lead_user, milestone, queried, django_assert_num_queries
):
    mine = Milestone.objects.filter(action__outcome__priority__plan=plan).order_by("pk")
    mine.update(lead=milestone.lead)
    for each in mine[:queried]:
        services.review_query(
            update=each.latest_update,
            user=admin_user,
            expected_version=0,
            question="When?",
            base_url="",
        )
    client.force_login(lead_user)
    with django_assert_num_queries(HOME_LEAD):
        page = client.get(reverse("home")).content.decode()
    assert f"{queried} update{'s' if queried > 1 else ''} queried by your partnership admin" in page


def test_after_saving_an_update_the_lead_is_offered_to_attach_a_file_to_it(
    client, lead_user, milestone
):
    client.force_login(lead_user)
    response = client.post(
        reverse("plans:milestone_update", args=[milestone.pk]),
        form_data(
            milestone,
            status="amber",
            commentary="The panel has slipped to January; the report follows.",
        ),
        follow=True,
    )
    milestone.refresh_from_db()
    add = reverse("evidence:attachment_add", args=[milestone.latest_update_id])
    assert f'<a class="govuk-link" href="{add}">Attach a file to this update</a>' in (
        response.content.decode()
    )
    # Only for the update just saved: the next visit does not offer it.
    assert add not in client.get(reverse("plans:my_milestones")).content.decode()


def test_the_answer_page_offers_to_attach_a_file_to_the_queried_update(
    client, admin_user, lead_user, update
):
    services.review_query(
        update=update, user=admin_user, expected_version=0, question="When?", base_url=""
    )
    client.force_login(lead_user)
    page = client.get(reverse("review:answer", args=[update.pk])).content.decode()
    assert reverse("evidence:attachment_add", args=[update.pk]) in page
    assert "attach a file to this update" in page
