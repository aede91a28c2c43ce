"""What the header, menu, RAG tags, plan page and milestone list show each person (issue 15,
items 4, 5 and 7)."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from plans import rag
from plans.models import Milestone
from tests import factories

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "static" / "src"


def header(html: str) -> str:
    return html[html.index("<header") : html.index("</header>")]


def menu(html: str) -> str:
    return html[html.index('id="navigation"') : html.index("</nav>")]


@pytest.fixture
def lead(partnership):
    membership = factories.MembershipFactory(
        partnership=partnership, role="lead", user__username="lead-user"
    )
    person = factories.PersonFactory(
        partnership=partnership, user=membership.user, name="Asha Patel"
    )
    return membership.user, person


def test_the_header_names_who_is_signed_in_with_a_way_to_sign_out(client, lead):
    user, _ = lead
    client.force_login(user)
    html = client.get(reverse("plans:plan_list")).content.decode()
    top = header(html)
    assert "Signed in as </span><span data-signed-in>Asha Patel</span>" in top
    assert 'action="/accounts/logout/"' in top and "Sign out" in top


def test_someone_without_a_name_is_shown_by_their_username(client, board_user):
    client.force_login(board_user)
    html = client.get(reverse("plans:plan_list")).content.decode()
    assert "<span data-signed-in>board-user</span>" in header(html)


def test_the_service_name_is_said_once_in_the_header(client, board_user, settings):
    client.force_login(board_user)
    html = client.get(reverse("plans:plan_list")).content.decode()
    assert header(html).count(settings.SERVICE_NAME) == 1
    assert settings.SERVICE_NAME not in menu(html)


def test_my_milestones_is_not_in_the_menu_of_someone_who_leads_nothing(
    client, board_user, lead, partnership
):
    client.force_login(board_user)
    assert "My milestones" not in menu(client.get(reverse("plans:plan_list")).content.decode())

    user, person = lead  # a lead in post who leads nothing yet, and is no one's delegate
    client.force_login(user)
    assert "My milestones" not in menu(client.get(reverse("plans:plan_list")).content.decode())

    plan = factories.plan_with_milestones(partnership=partnership, milestones=2)
    Milestone.objects.filter(action__outcome__priority__plan=plan).update(lead=person)
    assert "My milestones" in menu(client.get(reverse("plans:plan_list")).content.decode())


def test_a_delegate_who_leads_nothing_has_my_milestones_in_the_menu(client, lead, partnership):
    user, person = lead
    plan = factories.plan_with_milestones(partnership=partnership, milestones=1)
    other = Milestone.objects.get(action__outcome__priority__plan=plan).lead
    other.delegations_given.create(delegate=person)
    client.force_login(user)
    assert "My milestones" in menu(client.get(reverse("plans:plan_list")).content.decode())


def test_board_members_are_not_offered_the_csv_upload_they_would_be_refused(
    client, board_user, admin_user, partnership
):
    plan = factories.PlanFactory(partnership=partnership)
    scorecard = reverse("outcomes:scorecard", args=[plan.pk])
    client.force_login(board_user)
    assert "Upload a CSV file of results" not in client.get(scorecard).content.decode()
    assert client.get(reverse("outcomes:values_upload", args=[plan.pk])).status_code == 403

    client.force_login(admin_user)
    assert "Upload a CSV file of results" in client.get(scorecard).content.decode()


def test_every_page_names_the_favicon_and_favicon_ico_is_served(client, board_user):
    client.force_login(board_user)
    html = client.get(reverse("plans:plan_list")).content.decode()
    assert 'rel="icon" href="/favicon.ico"' in html
    assert re.search(r'rel="icon" href="/static/favicon[^"]*\.svg" type="image/svg\+xml"', html)
    client.logout()
    response = client.get("/favicon.ico")  # browsers ask before anyone signs in
    assert response.status_code == 302
    assert re.fullmatch(r"/static/favicon[^/]*\.ico", response["Location"])
    # Our own drawing, in static/src, copied to the static files by the asset build.
    assert (SRC / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert "<svg" in (SRC / "favicon.svg").read_text()
    assert finders.find("favicon.ico") and finders.find("favicon.svg")


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_rag_tags_are_coloured_from_the_rag_module_with_readable_text(client):
    css = client.get(reverse("rag_css")).content.decode()
    for status in rag.STATUSES.values():
        assert f".{status.tag} {{ background-color: {status.colour}; color: {status.ink}; }}" in css
        assert _contrast(status.colour, status.ink) >= 4.5, status.label


def test_red_and_amber_tags_are_told_apart_at_a_glance():
    red, amber = rag.STATUSES[rag.RAG.RED], rag.STATUSES[rag.RAG.AMBER]
    # Not two pale fills: the fills differ clearly in lightness, and so does the text on them.
    assert _contrast(red.colour, amber.colour) >= 1.5
    assert red.ink != amber.ink


def test_a_rag_tag_on_a_page_carries_the_word_and_the_class_rag_css_colours(client, board_user):
    plan = factories.plan_with_milestones(partnership=board_user.memberships.get().partnership)
    client.force_login(board_user)
    html = client.get(plan.get_absolute_url()).content.decode()
    assert '<strong class="govuk-tag app-rag app-rag--amber">Amber</strong>' in html
    assert 'href="/rag.css"' in html


def test_the_plan_page_is_one_row_per_milestone_with_its_latest_commentary(client, board_user):
    plan = factories.plan_with_milestones(
        partnership=board_user.memberships.get().partnership, milestones=6
    )
    client.force_login(board_user)
    html = client.get(plan.get_absolute_url()).content.decode()
    assert html.count("data-milestone=") == 6
    assert "app-wide" in html  # the full width of a wide screen
    for milestone in Milestone.objects.select_related("latest_update"):
        first_words = " ".join(milestone.latest_update.commentary.split()[:4])
        assert first_words in html
    for heading in ("Number", "Milestone", "Lead and organisation", "Due", "RAG"):
        assert f">{heading}</th>" in html
    assert "Latest commentary</th>" in html


def test_the_milestone_list_shows_the_latest_commentary_and_names_the_plan_once(client, board_user):
    partnership = board_user.memberships.get().partnership
    plan = factories.plan_with_milestones(partnership=partnership, milestones=3, title="Plan A")
    factories.plan_with_milestones(partnership=partnership, milestones=2, title="Plan B")
    client.force_login(board_user)
    url = reverse("plans:milestone_list")

    everything = client.get(url).content.decode()
    assert everything.count("data-latest-commentary") == 5
    assert everything.count("Plan A ·") == 3  # each row says its plan while plans are mixed

    one_plan = client.get(url, {"plan": plan.pk}).content.decode()
    assert one_plan.count("data-latest-commentary") == 3
    assert "Plan A ·" not in one_plan  # rows no longer repeat it
    assert "3 milestones match your filters in Plan A" in one_plan
    for milestone in Milestone.objects.filter(action__outcome__priority__plan=plan):
        assert " ".join(milestone.latest_update.commentary.split()[:4]) in one_plan
