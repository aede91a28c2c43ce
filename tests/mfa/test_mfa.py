"""Two-factor sign-in for everyone with admin powers (issue 12, item 18).

Every test here signs in as a person would (the sign-in form, or an e-mailed link), not with
the conftest shortcut that marks sessions verified: they are marked ``mfa_unverified``.
"""

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from sesame.utils import get_query_string

from mfa.apps import mfa_required_check
from mfa.services import recovery_codes_replace
from tests import factories
from tests.mfa_helpers import totp_code, totp_code_from_key

pytestmark = pytest.mark.mfa_unverified

PASSWORD = "correct horse battery staple"
WRONG_CODE = "The code is not right"


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password sign-in itself failed"
    return response


def sign_in_by_link(client, user):
    """Open the e-mailed link; if it lands on a page with a "Sign in" button, press it."""
    url = reverse("signin_link_login") + get_query_string(user)
    response = client.get(url)
    if response.status_code == 200:
        token = re.search(r'name="sesame" value="([^"]+)"', response.content.decode()).group(1)
        response = client.post(reverse("signin_link_login"), {"sesame": token})
    assert response.status_code == 302, "the sign-in link itself failed"
    return response


def app_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


@pytest.fixture
def partnership_admin(partnership):
    """A partnership admin with no Django staff status."""
    return factories.MembershipFactory(
        partnership=partnership, role="admin", user__username="pa"
    ).user


@pytest.fixture
def staff(db):
    return factories.UserFactory(username="staffer", is_staff=True)


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="operator", is_staff=True, is_superuser=True)


@pytest.fixture
def lead(partnership):
    user = factories.MembershipFactory(partnership=partnership, role="lead").user
    factories.PersonFactory(partnership=partnership, name="Ken Dance", user=user)
    return user


def _pages_without_arguments():
    """Every page of the site that takes no URL argument, except the public ones, the
    two-factor pages and sign-out."""
    names = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                walk(pattern.url_patterns, namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                if pattern.pattern.regex.groups or not getattr(
                    pattern.callback, "login_required", True
                ):
                    continue
                names.append(prefix + pattern.name)

    walk(get_resolver().url_patterns)
    return sorted(n for n in set(names) if not n.startswith(("mfa:", "admin:")) and n != "logout")


PAGES = _pages_without_arguments()


class TestWithoutAnApp:
    def test_the_page_list_is_not_empty(self):
        assert {"plans:plan_list", "plans:people", "password_change"} <= set(PAGES)

    @pytest.mark.parametrize("who", ["partnership_admin", "staff", "superuser"])
    def test_every_page_and_the_django_admin_send_an_admin_to_set_up(self, who, request):
        user = request.getfixturevalue(who)
        client = Client()
        sign_in(client, user)
        for name in [*PAGES, "admin:index", "admin:plans_plan_changelist"]:
            response = client.get(reverse(name))
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("mfa:set_up")), name
        # Nothing posted reaches a view either.
        response = client.post(reverse("imports:import_start"), {})
        assert response["Location"].startswith(reverse("mfa:set_up"))

    def test_signing_out_still_works(self, client, partnership_admin):
        sign_in(client, partnership_admin)
        assert client.post(reverse("logout")).status_code == 302
        response = client.get(reverse("plans:plan_list"))
        assert response["Location"].startswith(reverse("login"))

    def test_set_up_shows_qr_code_and_key_refuses_a_wrong_code_then_gives_codes_once(
        self, client, partnership_admin
    ):
        sign_in(client, partnership_admin)
        page = client.get(reverse("plans:people"), follow=True)
        assert page.redirect_chain[-1][0] == (reverse("mfa:set_up") + "?next=%2Fpeople%2F")
        html = page.content.decode()
        assert "Set up two-factor sign-in" in html
        assert re.search(r'<img class="app-qr-code" src="data:image/svg\+xml;base64,', html)
        key = re.search(r'id="secret-key">([A-Z2-7 ]+)<', html).group(1)
        assert len(key.replace(" ", "")) == 32  # 160 bits, typed by hand where scanning fails
        assert "no-store" in page["Cache-Control"]  # the key is never cached

        wrong = client.post(reverse("mfa:set_up"), {"code": "000000", "next": "/people/"})
        assert wrong.status_code == 200
        html = wrong.content.decode()
        assert "There is a problem" in html and WRONG_CODE in html
        assert "<title>Error: " in html
        assert not TOTPDevice.objects.filter(user=partnership_admin, confirmed=True).exists()

        # After a wrong code django-otp makes the next one wait a second.
        with time_machine.travel(timezone.now() + timedelta(seconds=2)):
            right = client.post(
                reverse("mfa:set_up"), {"code": totp_code_from_key(key), "next": "/people/"}
            )
            assert right.status_code == 302
            assert right["Location"] == reverse("mfa:recovery_codes") + "?next=%2Fpeople%2F"
            codes_page = client.get(right["Location"]).content.decode()
            codes = re.findall(r"<code>([a-z2-7-]+)</code>", codes_page)
            assert len(codes) == settings.MFA_RECOVERY_CODES == 10
            assert "shown only this once" in codes_page
            assert 'href="/people/"' in codes_page
            # Once only.
            again = client.get(reverse("mfa:recovery_codes")).content.decode()
            assert "already been shown" in again and codes[0] not in again
            # Signed in with the second factor now: the page first asked for opens.
            assert client.get(reverse("plans:people")).status_code == 200

    def test_an_admin_with_an_app_cannot_set_up_another_without_its_code(
        self, client, partnership_admin
    ):
        app_for(partnership_admin)
        sign_in(client, partnership_admin)
        response = client.get(reverse("mfa:set_up"))
        assert response["Location"] == reverse("mfa:verify")
        response = client.post(reverse("mfa:set_up"), {"code": "123456"})
        assert response["Location"] == reverse("mfa:verify")
        assert TOTPDevice.objects.filter(user=partnership_admin).count() == 1


class TestWithAnApp:
    def test_a_wrong_code_is_refused_with_an_error_and_the_right_one_lets_in(
        self, client, partnership_admin
    ):
        device = app_for(partnership_admin)
        response = sign_in(client, partnership_admin)
        response = client.get(response["Location"], follow=True)
        assert response.redirect_chain[-1][0] == reverse("mfa:verify") + "?next=%2F"
        assert "Enter your two-factor code" in response.content.decode()

        wrong = client.post(reverse("mfa:verify"), {"code": "000000", "next": "/people/"})
        assert wrong.status_code == 200
        html = wrong.content.decode()
        assert "There is a problem" in html and WRONG_CODE in html
        assert client.get(reverse("plans:people"))["Location"].startswith(reverse("mfa:verify"))

        with time_machine.travel(timezone.now() + timedelta(seconds=2)):
            key_before = client.session.session_key
            right = client.post(
                reverse("mfa:verify"), {"code": totp_code(device), "next": "/people/"}
            )
            assert right.status_code == 302 and right["Location"] == "/people/"
            assert client.session.session_key != key_before  # a new key for the new privilege
            assert client.get(reverse("plans:people")).status_code == 200
            assert client.get(reverse("admin:index")).status_code == 302  # not staff: admin login

    def test_a_code_cannot_be_used_twice(self, partnership_admin):
        device = app_for(partnership_admin)
        code = totp_code(device)
        first, second = Client(), Client()
        sign_in(first, partnership_admin)
        sign_in(second, partnership_admin)
        assert first.post(reverse("mfa:verify"), {"code": code}).status_code == 302
        replay = second.post(reverse("mfa:verify"), {"code": code})
        assert replay.status_code == 200 and WRONG_CODE in replay.content.decode()

    def test_the_django_admin_needs_the_code_too(self, client, staff):
        device = app_for(staff)
        sign_in(client, staff)
        response = client.get(reverse("admin:index"))
        assert response["Location"] == reverse("mfa:verify") + "?next=%2Fadmin%2F"
        client.post(reverse("mfa:verify"), {"code": totp_code(device)})
        assert client.get(reverse("admin:index")).status_code == 200

    def test_wrong_codes_are_throttled(self, client, partnership_admin):
        device = app_for(partnership_admin)
        sign_in(client, partnership_admin)
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            for _ in range(4):
                client.post(reverse("mfa:verify"), {"code": "000000"})
            # 1 wrong code: wait 1 s; the 2nd to 4th come too soon and are not even checked.
            device.refresh_from_db()
            assert device.throttling_failure_count == 1
            refused = client.post(reverse("mfa:verify"), {"code": totp_code(device)})
            html = refused.content.decode()
            assert "You have entered a wrong code too many times. Wait 1 second" in html
        with time_machine.travel(now + timedelta(seconds=1.5), tick=False):
            client.post(reverse("mfa:verify"), {"code": "111111"})  # wrong again: now 2 s
        with time_machine.travel(now + timedelta(seconds=2.5), tick=False):
            refused = client.post(reverse("mfa:verify"), {"code": totp_code(device)})
            assert "Wait 1 second" in refused.content.decode()  # 2 s from the last failure
        with time_machine.travel(now + timedelta(seconds=4), tick=False):
            accepted = client.post(reverse("mfa:verify"), {"code": totp_code(device)})
            assert accepted.status_code == 302
        assert settings.OTP_TOTP_THROTTLE_FACTOR == settings.OTP_STATIC_THROTTLE_FACTOR == 1

    def test_a_recovery_code_works_once(self, partnership_admin):
        app_for(partnership_admin)
        codes = recovery_codes_replace(user=partnership_admin)
        typed = "-".join(codes[0][i : i + 4] for i in range(0, 16, 4)).upper()  # as printed

        client = Client()
        sign_in(client, partnership_admin)
        response = client.post(reverse("mfa:verify"), {"code": typed, "next": "/people/"})
        assert response["Location"] == reverse("mfa:recovery_codes") + "?next=%2Fpeople%2F"
        html = client.get(response["Location"]).content.decode()
        assert "You have 9 recovery codes left" in html
        assert client.get(reverse("plans:people")).status_code == 200

        again = Client()
        sign_in(again, partnership_admin)
        refused = again.post(reverse("mfa:verify"), {"code": typed})
        assert refused.status_code == 200 and WRONG_CODE in refused.content.decode()
        assert StaticToken.objects.filter(device__user=partnership_admin).count() == 9

    def test_new_recovery_codes_replace_the_old_ones(self, client, partnership_admin, caplog):
        caplog.set_level(logging.INFO, logger="security")
        app_for(partnership_admin)
        old = recovery_codes_replace(user=partnership_admin)
        sign_in(client, partnership_admin)
        client.post(reverse("mfa:verify"), {"code": old[0]})
        response = client.post(reverse("mfa:recovery_codes"), {"next": "/"})
        replaced = [
            r.security_fields
            for r in caplog.records
            if getattr(r, "security_event", "") == "mfa_recovery_codes_replaced"
        ]
        assert replaced == [
            {"event": "mfa_recovery_codes_replaced", "user_id": partnership_admin.pk}
        ]
        new = re.findall(
            r"<code>([a-z2-7-]+)</code>", client.get(response["Location"]).content.decode()
        )
        assert len(new) == 10
        tokens = set(
            StaticToken.objects.filter(device__user=partnership_admin).values_list(
                "token", flat=True
            )
        )
        assert tokens == {code.replace("-", "") for code in new}
        assert not tokens & set(old)


class TestSignInLinks:
    def test_a_lead_who_signs_in_by_link_is_never_asked_for_a_code(self, client, lead):
        sign_in_by_link(client, lead)
        for name in ("plans:my_milestones", "plans:plan_list", "plans:milestone_list"):
            assert client.get(reverse(name)).status_code == 200, name
        assert not TOTPDevice.objects.filter(user=lead).exists()

    def test_a_board_member_by_password_is_never_asked_either(self, client, board_user):
        sign_in(client, board_user)
        assert client.get(reverse("plans:plan_list")).status_code == 200

    def test_an_admin_who_signs_in_by_link_must_still_give_a_code(self, client, partnership_admin):
        device = app_for(partnership_admin)
        sign_in_by_link(client, partnership_admin)
        response = client.get(reverse("plans:people"))
        assert response["Location"] == reverse("mfa:verify") + "?next=%2Fpeople%2F"
        client.post(reverse("mfa:verify"), {"code": totp_code(device)})
        assert client.get(reverse("plans:people")).status_code == 200

    def test_an_admin_without_an_app_who_signs_in_by_link_is_sent_to_set_up(
        self, client, partnership_admin
    ):
        sign_in_by_link(client, partnership_admin)
        assert client.get(reverse("plans:people"))["Location"].startswith(reverse("mfa:set_up"))

    def test_a_lead_made_admin_while_signed_in_is_asked_at_the_next_page(self, client, lead):
        sign_in_by_link(client, lead)
        assert client.get(reverse("plans:plan_list")).status_code == 200
        lead.memberships.update(role="admin")
        assert client.get(reverse("plans:plan_list"))["Location"].startswith(reverse("mfa:set_up"))


class TestOperatorReset:
    def test_mfa_reset_removes_the_devices_logs_ids_only_and_the_admin_sets_up_again(
        self, partnership_admin, caplog, capsys
    ):
        device = app_for(partnership_admin)
        recovery_codes_replace(user=partnership_admin)
        client = Client()
        sign_in(client, partnership_admin)
        client.post(reverse("mfa:verify"), {"code": totp_code(device)})
        assert client.get(reverse("plans:people")).status_code == 200

        with caplog.at_level(logging.INFO, logger="security"):
            call_command("mfa_reset", "pa")
        assert "Removed 2 two-factor devices of 'pa'" in capsys.readouterr().out
        assert not TOTPDevice.objects.filter(user=partnership_admin).exists()
        assert not StaticDevice.objects.filter(user=partnership_admin).exists()
        [record] = [r for r in caplog.records if getattr(r, "security_event", "") == "mfa_reset"]
        assert record.security_fields["user_id"] == partnership_admin.pk
        assert "pa" not in record.getMessage().split("user_id=")[0]
        assert partnership_admin.email not in caplog.text

        # The session verified with the removed app is verified no more.
        assert client.get(reverse("plans:people"))["Location"].startswith(reverse("mfa:set_up"))

    def test_mfa_reset_names_an_unknown_username(self, db):
        with pytest.raises(Exception, match="No account has the username 'nobody'"):
            call_command("mfa_reset", "nobody")


def test_check_deploy_warns_when_two_factor_is_off(settings):
    settings.MFA_REQUIRED = False
    assert [w.id for w in mfa_required_check(None)] == ["mfa.W001"]
    settings.MFA_REQUIRED = True
    assert mfa_required_check(None) == []


def test_with_mfa_off_nobody_is_asked(client, partnership_admin, settings):
    settings.MFA_REQUIRED = False
    sign_in(client, partnership_admin)
    assert client.get(reverse("plans:people")).status_code == 200
