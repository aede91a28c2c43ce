"""Signing in: e-mailed one-use links, password sign-in and reset, and throttled failures."""

import logging
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from plans.models import Membership, Person
from tests import factories

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _mail_sent_at_once(immediate_tasks):
    """These tests read the e-mail the worker would send; test_signin_mail.py proves the
    request itself only enqueues it."""


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/link/\?sesame=\S+", message.body).group(0)


def open_link(client, link):
    """Open an e-mailed link as a person does: the landing page, then its "Sign in" button."""
    page = client.get(link)
    if page.status_code != 200:
        return page
    token = re.search(r'name="sesame" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(reverse("signin_link_login"), {"sesame": token})


@pytest.fixture
def lead(partnership):
    membership = factories.MembershipFactory(
        partnership=partnership,
        role="lead",
        user__username="ken",
        user__email="ken@yot.example.org",
    )
    factories.PersonFactory(partnership=partnership, name="Ken Dance", user=membership.user)
    return membership.user


class TestSignInLink:
    def test_a_lead_asks_for_a_link_and_it_signs_them_in_once(self, client, lead):
        response = client.post(reverse("signin_link"), {"email": "KEN@yot.example.org"})
        assert response.status_code == 302
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ken@yot.example.org"]
        link = link_in(mail.outbox[0])

        response = open_link(client, link)
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        assert "<title>Home" in client.get(reverse("home")).content.decode()

        client.logout()
        used = open_link(client, link)
        assert used.status_code == 403
        assert "This sign-in link has expired or has been used" in used.content.decode()
        assert client.get(reverse("plans:my_milestones")).status_code == 302  # still signed out

    def test_the_reply_is_the_same_whether_or_not_the_address_is_known(self, client, lead):
        known = client.post(reverse("signin_link"), {"email": "ken@yot.example.org"}, follow=True)
        unknown = client.post(reverse("signin_link"), {"email": "nobody@example.org"}, follow=True)

        def without_address(response):
            body = response.content.decode()
            return body.replace("ken@yot.example.org", "X").replace("nobody@example.org", "X")

        assert without_address(known) == without_address(unknown)
        assert "Check your email" in known.content.decode()
        assert len(mail.outbox) == 1

    def test_an_invalid_address_gets_a_govuk_error(self, client):
        response = client.post(reverse("signin_link"), {"email": "not-an-address"})
        body = response.content.decode()
        assert response.status_code == 200 and "<title>Error: " in body
        assert "Enter an email address in the correct format" in body
        assert 'value="not-an-address"' in body

    def test_a_link_expires_after_seven_days(self, client, lead):
        client.post(reverse("signin_link"), {"email": "ken@yot.example.org"})
        link = link_in(mail.outbox[0])
        with time_machine.travel(datetime.now().astimezone() + timedelta(days=7, minutes=1)):
            assert open_link(client, link).status_code == 403

    def test_a_lead_with_no_account_gets_one_from_their_lead_record(self, client, partnership):
        person = factories.PersonFactory(
            partnership=partnership, name="Pat Probation", email="pat@probation.example.org"
        )
        client.post(reverse("signin_link"), {"email": "pat@probation.example.org"})
        person.refresh_from_db()
        assert person.user is not None
        assert not person.user.has_usable_password()
        assert Membership.objects.get(user=person.user).role == "lead"
        assert open_link(client, link_in(mail.outbox[0])).status_code == 302

    def test_an_admin_sends_a_lead_a_link_creating_their_account(
        self, client, partnership, admin_user, caplog
    ):
        caplog.set_level(logging.INFO, logger="security")
        person = factories.PersonFactory(
            partnership=partnership, name="Nina Nurse", email="nina@nhs.example.org"
        )
        client.force_login(admin_user)
        response = client.post(
            reverse("plans:send_signin_link"), {"person": person.pk}, follow=True
        )
        sent = [
            r.security_fields
            for r in caplog.records
            if getattr(r, "security_event", "") == "signin_link_sent"
        ]
        assert sent == [
            {"event": "signin_link_sent", "user_id": admin_user.pk, "person_id": person.pk}
        ]
        assert "A sign-in link has been sent to Nina Nurse" in response.content.decode()
        user = Person.objects.get(pk=person.pk).user
        assert user.email == "nina@nhs.example.org"
        assert user.memberships.get().role == "lead"
        assert mail.outbox[0].to == ["nina@nhs.example.org"]
        client.logout()
        open_link(client, link_in(mail.outbox[0]))
        assert client.get(reverse("plans:my_milestones")).status_code == 200

    def test_sending_again_reuses_the_account(self, client, partnership, admin_user):
        person = factories.PersonFactory(partnership=partnership, email="nina@nhs.example.org")
        client.force_login(admin_user)
        for _ in range(2):
            client.post(reverse("plans:send_signin_link"), {"person": person.pk})
        assert get_user_model().objects.filter(email="nina@nhs.example.org").count() == 1
        assert len(mail.outbox) == 2


class TestPasswordSignIn:
    def test_the_sign_in_page_offers_a_link_and_password_reset(self, client):
        body = client.get(reverse("login")).content.decode()
        assert reverse("signin_link") in body and reverse("password_reset") in body

    def test_a_wrong_password_gets_a_govuk_error_keeping_the_username(self, client, lead):
        response = client.post(reverse("login"), {"username": "ken", "password": "wrong"})
        body = response.content.decode()
        assert "<title>Error: " in body and "govuk-error-summary" in body
        assert 'value="ken"' in body and 'value="wrong"' not in body

    def test_repeated_failures_lock_that_username_from_that_address_only(
        self, client, lead, partnership
    ):
        other = factories.MembershipFactory(
            partnership=partnership, user__username="colleague"
        ).user
        for _ in range(5):
            client.post(
                reverse("login"), {"username": "ken", "password": "wrong"}, REMOTE_ADDR="10.0.0.7"
            )
        locked = client.post(
            reverse("login"), {"username": "ken", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
        )
        assert locked.status_code == 429
        assert "Too many sign-in attempts" in locked.content.decode()
        assert "_auth_user_id" not in client.session

        # A colleague behind the same office address still signs in.
        response = client.post(
            reverse("login"),
            {"username": "colleague", "password": PASSWORD},
            REMOTE_ADDR="10.0.0.7",
        )
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(other.pk)

    def test_password_reset_sends_a_link_that_sets_a_new_password(self, client, lead):
        response = client.post(reverse("password_reset"), {"email": "ken@yot.example.org"})
        assert response.status_code == 302
        assert "Check your email" in client.get(response["Location"]).content.decode()
        url = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
        form_page = client.get(url, follow=True)
        assert "Choose a new password" in form_page.content.decode()
        done = client.post(
            form_page.redirect_chain[-1][0],
            {
                "new_password1": "a much longer passphrase",
                "new_password2": "a much longer passphrase",
            },
            follow=True,
        )
        assert "Your password has been changed" in done.content.decode()
        client.logout()
        signed_in = client.post(
            reverse("login"), {"username": "ken", "password": "a much longer passphrase"}
        )
        assert signed_in.status_code == 302 and "_auth_user_id" in client.session


def test_sign_in_links_are_limited_per_address_without_saying_so(client, lead, settings):
    settings.SIGNIN_LINK_LIMIT_PER_ADDRESS = 2
    replies = [
        client.post(reverse("signin_link"), {"email": "ken@yot.example.org"}, follow=True)
        for _ in range(4)
    ]
    assert len(mail.outbox) == 2
    assert {r.status_code for r in replies} == {200}
    assert len({r.content for r in replies}) == 1, "the limit must not change the reply"


def test_changing_a_password_uses_the_service_pages_and_keeps_errors(client, lead):
    client.force_login(lead)
    page = client.get(reverse("password_change")).content.decode()
    assert "Change your password" in page and "govuk-button" in page
    assert "Django administration" not in page
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
    )
    assert wrong.status_code == 200
    assert "govuk-error-summary" in wrong.content.decode()
    done = client.get(reverse("password_change_done")).content.decode()
    assert "Password changed" in done and "Django administration" not in done
