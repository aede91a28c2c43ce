"""The Notifications settings page: everyone chooses immediate or a daily digest; board
members also choose to hear when the quarter's pack is final."""

import re
from html import unescape

import pytest
from django.urls import reverse

from notifications.models import NotificationPreference
from tests import factories

URL = reverse("notifications:preferences")


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def lead(partnership):
    return factories.MembershipFactory(
        partnership=partnership, role="lead", user__username="lead-user"
    ).user


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_header_links_to_the_page(client, lead):
    client.force_login(lead)
    home = client.get(reverse("plans:plan_list")).content.decode()
    assert f'href="{URL}">Notifications</a>' in home


def test_a_lead_sees_immediate_chosen_and_no_packs_choice(client, lead):
    client.force_login(lead)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'value="immediate" checked', html)
    assert "pack is final" not in html


def test_a_lead_chooses_the_daily_digest_and_sees_a_success_banner(client, lead):
    client.force_login(lead)
    response = client.post(URL, {"delivery": "digest"}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Your notification settings have been saved." in text(response)
    assert "govuk-notification-banner--success" in response.content.decode()
    preference = NotificationPreference.objects.get(user=lead)
    assert (preference.delivery, preference.pack_final) == ("digest", False)
    assert re.search(r'value="digest" checked', response.content.decode())


def test_a_lead_cannot_opt_into_final_packs_by_posting_it(client, lead):
    client.force_login(lead)
    client.post(URL, {"delivery": "immediate", "packs": ["pack_final"]})
    assert NotificationPreference.objects.get(user=lead).pack_final is False


def test_a_board_member_opts_into_final_packs_and_out_again(client, board_user):
    client.force_login(board_user)
    assert "Tell me when the quarter's pack is final" in text(client.get(URL))
    client.post(URL, {"delivery": "immediate", "packs": ["pack_final"]})
    assert NotificationPreference.objects.get(user=board_user).pack_final is True
    page = client.get(URL).content.decode()
    assert re.search(r'value="pack_final" checked', page)
    client.post(URL, {"delivery": "immediate"})
    assert NotificationPreference.objects.get(user=board_user).pack_final is False


def test_no_choice_is_refused_with_a_sentence_and_nothing_saved(client, board_user):
    client.force_login(board_user)
    response = client.post(URL, {"delivery": "weekly"})
    assert response.status_code == 200
    page = text(response)
    assert "Select how you want to hear from us" in page
    assert page.startswith("Error: ") or "<title>Error: " in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_page_costs_a_fixed_number_of_queries(client, board_user, django_assert_num_queries):
    """Not a list: the person's choice and whether they sit on a board (2), beside what every
    page costs (session, account, two-factor device, the header's name, the session's save)."""
    client.force_login(board_user)
    client.get(URL)  # warm the session
    with django_assert_num_queries(9) as captured:
        client.get(URL)
    assert any("notifications_notificationpreference" in q["sql"] for q in captured)
