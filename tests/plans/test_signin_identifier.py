"""Issue 14, item 8: sign in with a username or an e-mail address; errors name the field; a
sign-in link keeps the page the lead was going to; e-mails greet people by name."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _mail_sent_at_once(immediate_tasks):
    """These tests read the e-mail the worker would send."""


@pytest.fixture
def lead(partnership):
    membership = factories.MembershipFactory(
        partnership=partnership,
        role="lead",
        user__username="demo-lead-safeguarding",
        user__email="ken.dance@yot.example.org",
    )
    factories.PersonFactory(partnership=partnership, name="Ken Dance", user=membership.user)
    return membership.user


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def signed_in_as(client):
    return client.session.get("_auth_user_id")


class TestUsernameOrEmail:
    def test_the_username_signs_in(self, client, lead):
        assert sign_in(client, "demo-lead-safeguarding").status_code == 302
        assert signed_in_as(client) == str(lead.pk)

    def test_the_email_address_signs_in_whatever_its_case(self, client, lead):
        assert sign_in(client, "  Ken.Dance@YOT.example.org ").status_code == 302
        assert signed_in_as(client) == str(lead.pk)

    def test_the_hint_says_both_work(self, client):
        body = client.get(reverse("login")).content.decode()
        assert "Username or email address" in body
        assert "You can use your username or your email address." in body
        assert "Usually your work email address" not in body

    def test_a_wrong_password_by_address_does_not_sign_in(self, client, lead):
        response = sign_in(client, "ken.dance@yot.example.org", "wrong")
        assert response.status_code == 200 and signed_in_as(client) is None
        assert "Enter a correct username or email address and password" in (
            response.content.decode()
        )

    def test_an_address_two_accounts_share_signs_neither_in_and_asks_for_the_username(
        self, client, lead, partnership
    ):
        factories.MembershipFactory(
            partnership=partnership, user__username="ken-admin", user__email=lead.email
        )
        response = sign_in(client, lead.email)
        assert response.status_code == 200 and signed_in_as(client) is None
        assert "Sign in with your username instead" in response.content.decode()
        # The username still works.
        assert sign_in(client, "ken-admin").status_code == 302

    def test_a_shared_address_with_a_wrong_password_says_nothing_about_sharing(
        self, client, lead, partnership
    ):
        factories.MembershipFactory(
            partnership=partnership, user__username="ken-admin", user__email=lead.email
        )
        body = sign_in(client, lead.email, "wrong").content.decode()
        assert "Sign in with your username instead" not in body
        assert "Enter a correct username or email address and password" in body

    def test_an_empty_submit_names_each_field_and_links_to_it(self, client):
        body = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()
        assert "This field is required." not in body
        assert '<a href="#id_username">Enter your username or email address</a>' in body
        assert '<a href="#id_password">Enter your password</a>' in body
        assert body.count("Enter your username or email address") == 2  # summary + inline


class TestLockoutCountsThePerson:
    def test_switching_between_username_and_address_buys_no_extra_attempts(self, client, lead):
        for typed in (
            "demo-lead-safeguarding",
            "ken.dance@yot.example.org",
            "KEN.DANCE@yot.example.org",
        ):
            sign_in(client, typed, "wrong", REMOTE_ADDR="10.0.0.7")
        sign_in(client, "demo-lead-safeguarding", "wrong", REMOTE_ADDR="10.0.0.7")
        sign_in(client, "Ken.Dance@yot.example.org", "wrong", REMOTE_ADDR="10.0.0.7")
        # Five failures in all, by either name: the account is locked from this address,
        # whichever name is typed next, even with the right password.
        for typed in ("demo-lead-safeguarding", "ken.dance@yot.example.org"):
            locked = sign_in(client, typed, REMOTE_ADDR="10.0.0.7")
            assert locked.status_code == 429, typed
            assert signed_in_as(client) is None

    def test_four_failures_by_address_then_the_username_still_signs_in(self, client, lead):
        for _ in range(4):
            sign_in(client, "ken.dance@yot.example.org", "wrong", REMOTE_ADDR="10.0.0.7")
        assert sign_in(client, "demo-lead-safeguarding", REMOTE_ADDR="10.0.0.7").status_code == 302


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/link/\?sesame=\S+", message.body).group(0)


class TestSignInLinkKeepsNext:
    def test_the_sign_in_page_passes_next_to_the_link_request(self, client):
        body = client.get(reverse("login"), {"next": "/my-milestones/?page=2"}).content.decode()
        assert f"{reverse('signin_link')}?next=/my-milestones/%3Fpage%3D2" in body
        page = client.get(reverse("signin_link"), {"next": "/my-milestones/?page=2"})
        assert 'name="next" value="/my-milestones/?page=2"' in page.content.decode()

    def test_the_link_opens_the_page_the_lead_was_going_to(self, client, lead):
        client.post(reverse("signin_link"), {"email": lead.email, "next": "/my-milestones/?page=2"})
        link = link_in(mail.outbox[0])
        assert "next=%2Fmy-milestones%2F%3Fpage%3D2" in link
        landing = client.get(link).content.decode()
        token = re.search(r'name="sesame" value="([^"]+)"', landing).group(1)
        next_value = re.search(r'name="next" value="([^"]+)"', landing).group(1)
        response = client.post(reverse("signin_link_login"), {"sesame": token, "next": next_value})
        assert response.status_code == 302
        assert response["Location"] == "/my-milestones/?page=2"

    @pytest.mark.parametrize(
        "next_url",
        ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
    )
    def test_another_sites_next_is_dropped(self, client, lead, next_url):
        client.post(reverse("signin_link"), {"email": lead.email, "next": next_url})
        link = link_in(mail.outbox[0])
        assert "next=" not in link and "evil" not in mail.outbox[0].body
        landing = client.get(f"{link}&next={next_url}").content.decode()
        token = re.search(r'name="sesame" value="([^"]+)"', landing).group(1)
        response = client.post(reverse("signin_link_login"), {"sesame": token, "next": next_url})
        assert response["Location"] == reverse("home")


class TestEmailsGreetByName:
    def test_the_sign_in_link_greets_the_lead_by_name(self, client, lead):
        client.post(reverse("signin_link"), {"email": lead.email})
        assert mail.outbox[0].body.startswith("Hello Ken Dance,")
        assert "demo-lead-safeguarding" not in mail.outbox[0].body

    def test_the_password_reset_greets_the_lead_by_name(self, client, lead):
        client.post(reverse("password_reset"), {"email": lead.email})
        assert mail.outbox[0].body.startswith("Hello Ken Dance,")

    def test_an_account_with_no_lead_record_is_greeted_by_its_full_name(self, client, partnership):
        factories.MembershipFactory(
            partnership=partnership,
            user__username="perf-officer",
            user__email="sam@council.example.org",
            user__first_name="Sam",
            user__last_name="Patel",
        )
        client.post(reverse("password_reset"), {"email": "sam@council.example.org"})
        assert mail.outbox[0].body.startswith("Hello Sam Patel,")

    def test_with_no_name_known_the_greeting_never_uses_the_username(self, client, partnership):
        factories.MembershipFactory(
            partnership=partnership,
            user__username="perf-officer",
            user__email="po@council.example.org",
        )
        client.post(reverse("signin_link"), {"email": "po@council.example.org"})
        assert mail.outbox[0].body.startswith("Hello,")
        assert "perf-officer" not in mail.outbox[0].body
