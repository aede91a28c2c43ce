"""Issue 12, findings 4, 9, 10, 13, 16, 17: client addresses behind the TLS proxy, sign-in
links that scanners cannot spend, mail off the request path, and headers on every response."""

import logging
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.cache.backends import locmem
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from sesame.utils import get_query_string

from security.addresses import client_ip
from tests import factories

PASSWORD = "correct horse battery staple"
PROXY = "10.0.0.1"  # REMOTE_ADDR of every request that comes through the TLS proxy
ALICE, BOB = "81.2.69.160", "81.2.69.161"


@pytest.fixture
def lead(partnership):
    membership = factories.MembershipFactory(
        partnership=partnership, role="lead", user__username="ken", user__email="ken@yot.example"
    )
    factories.PersonFactory(partnership=partnership, name="Ken Dance", user=membership.user)
    return membership.user


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def via_proxy(client, method, url, xff, **kwargs):
    return getattr(client, method)(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff, **kwargs)


def sign_in(client, xff, password):
    return via_proxy(
        client, "post", reverse("login"), xff, data={"username": "ken", "password": password}
    )


def forget_local_state():
    """What a second web worker process would see: nothing of this one's memory."""
    cache.clear()
    locmem._caches.clear()
    locmem._expire_info.clear()


# --- Finding 4: the client address behind the proxy -------------------------------------------


def test_client_ip_is_the_entry_the_outermost_trusted_proxy_wrote(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 81.2.69.160, 10.0.0.9"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == PROXY  # no proxy trusted: the header is the client's own
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == ALICE
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.9"
    settings.TRUSTED_PROXY_COUNT = 5  # a shorter chain than configured: the peer address
    assert client_ip(request) == PROXY


def test_behind_the_proxy_one_persons_lockout_does_not_lock_another(client, lead, behind_proxy):
    for _ in range(5):
        sign_in(client, ALICE, "wrong")
    assert sign_in(client, ALICE, PASSWORD).status_code == 429

    other = Client()
    response = sign_in(other, BOB, PASSWORD)
    assert response.status_code == 302, "Bob was locked out by Alice's failures"
    assert "_auth_user_id" in other.session


def test_spoofed_left_most_forwarded_for_entries_do_not_escape_a_lockout(
    client, lead, behind_proxy
):
    for attempt in range(5):
        sign_in(client, f"203.0.113.{attempt}, {ALICE}", "wrong")
    for spoof in ("198.51.100.7", "198.51.100.7, 1.1.1.1", "not-an-address"):
        response = sign_in(Client(), f"{spoof}, {ALICE}", PASSWORD)
        assert response.status_code == 429, spoof


def test_behind_the_proxy_the_link_limit_counts_each_client_and_ignores_spoofing(
    client, lead, behind_proxy, settings, immediate_tasks
):
    settings.SIGNIN_LINK_LIMIT_PER_IP = 2
    settings.SIGNIN_LINK_LIMIT_PER_ADDRESS = 100
    url, data = reverse("signin_link"), {"email": "ken@yot.example"}
    for xff in (ALICE, ALICE, f"6.6.6.6, {ALICE}", f"6.6.6.7, {ALICE}"):
        via_proxy(client, "post", url, xff, data=data)
    assert len(mail.outbox) == 2, "spoofed entries reset Alice's count"

    via_proxy(Client(), "post", url, BOB, data=data)
    assert len(mail.outbox) == 3, "Bob was refused because of Alice's requests"


def test_the_link_limit_holds_across_processes(client, lead, settings, immediate_tasks):
    settings.SIGNIN_LINK_LIMIT_PER_ADDRESS = 2
    for _ in range(2):
        client.post(reverse("signin_link"), {"email": "ken@yot.example"})
        forget_local_state()
    assert len(mail.outbox) == 2
    client.post(reverse("signin_link"), {"email": "ken@yot.example"})
    assert len(mail.outbox) == 2, "a fresh process let a third link through"


def test_a_refused_link_request_is_logged_once_without_the_address(
    client, lead, settings, immediate_tasks, caplog
):
    caplog.set_level(logging.INFO, logger="security")
    settings.SIGNIN_LINK_LIMIT_PER_ADDRESS = 1
    client.post(reverse("signin_link"), {"email": "ken@yot.example"})
    client.post(reverse("signin_link"), {"email": "ken@yot.example"})

    throttled = [
        r.security_fields
        for r in caplog.records
        if getattr(r, "security_event", "") == "signin_link_throttled"
    ]
    assert throttled == [{"event": "signin_link_throttled", "user_id": None}]
    assert "ken@yot.example" not in caplog.text


# --- Finding 9: scanners cannot spend a link; only the button's POST signs in ------------------


def token_for(user) -> str:
    return get_query_string(user).split("=", 1)[1]


def test_opening_a_link_shows_a_sign_in_button_and_does_not_spend_it(client, lead):
    link = reverse("signin_link_login") + get_query_string(lead)
    for scanner in (Client().get, Client().head, client.get):
        response = scanner(link)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    body = client.get(link).content.decode()
    assert '<button type="submit" class="govuk-button"' in body and ">Sign in<" in body
    assert 'method="post"' in body and "csrfmiddlewaretoken" in body

    response = client.post(reverse("signin_link_login"), {"sesame": token_for(lead)})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(lead.pk)

    client.logout()
    used = client.get(link)
    assert used.status_code == 403
    assert "This sign-in link has expired or has been used" in used.content.decode()


def test_a_sign_in_post_without_the_csrf_token_is_refused(lead):
    attacker_page = Client(enforce_csrf_checks=True)  # a form on another site posting here
    response = attacker_page.post(reverse("signin_link_login"), {"sesame": token_for(lead)})
    assert response.status_code == 403
    assert "_auth_user_id" not in attacker_page.session

    victim = Client(enforce_csrf_checks=True)
    page = victim.get(reverse("signin_link_login") + get_query_string(lead))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = victim.post(
        reverse("signin_link_login"), {"sesame": token_for(lead), "csrfmiddlewaretoken": csrf}
    )
    assert response.status_code == 302, "the link was spent by the refused post"


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [("/plans/", "/plans/"), ("https://attacker.example/", "/"), ("//attacker.example/", "/")],
)
def test_a_links_next_is_kept_only_when_it_is_this_sites_own(client, lead, next_url, lands_on):
    link = reverse("signin_link_login") + get_query_string(lead) + "&next=" + next_url
    body = client.get(link).content.decode()
    assert ("attacker.example" in body) is False
    data = {"sesame": token_for(lead), "next": next_url}
    response = client.post(reverse("signin_link_login"), data)
    assert response["Location"] == lands_on


# --- Finding 10: mail from the queue; password reset limited -----------------------------------


def run_worker():
    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form", ["signin_link", "password_reset"])
def test_a_known_address_only_enqueues_its_mail_as_an_unknown_one_does(form):
    factories.UserFactory(email="known@council.example")
    client = Client()
    known = client.post(reverse(form), {"email": "known@council.example"}, follow=True)
    unknown = client.post(reverse(form), {"email": "nobody@council.example"}, follow=True)
    assert mail.outbox == [], "mail was sent inside the request"
    assert DBTaskResult.objects.count() == 2
    strip = re.compile(r"known@council\.example|nobody@council\.example")
    assert strip.sub("X", known.content.decode()) == strip.sub("X", unknown.content.decode())

    run_worker()
    assert [m.to for m in mail.outbox] == [["known@council.example"]]


def test_the_sixth_password_reset_for_one_address_in_an_hour_sends_nothing(
    client, lead, immediate_tasks
):
    replies = [
        client.post(reverse("password_reset"), {"email": "ken@yot.example"}, follow=True)
        for _ in range(8)
    ]
    assert len(mail.outbox) == 5
    assert {r.status_code for r in replies} == {200}
    assert len({r.content for r in replies}) == 1, "the limit must not change the reply"
    forget_local_state()
    client.post(reverse("password_reset"), {"email": "ken@yot.example"})
    assert len(mail.outbox) == 5


def test_password_resets_are_limited_per_client_address(
    client, partnership, settings, immediate_tasks
):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 3
    for n in range(5):
        factories.UserFactory(email=f"lead{n}@council.example")
        client.post(reverse("password_reset"), {"email": f"lead{n}@council.example"})
    assert len(mail.outbox) == 3


# --- Findings 13, 16, 17: headers and the 400 page ---------------------------------------------


def test_every_response_refuses_browser_features_the_service_never_uses(client, admin_user):
    for response in (client.get(reverse("login")), client.get("/no-such-page/")):
        policy = response["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
            assert feature in policy


def test_every_signed_in_response_is_private_and_not_stored(
    client, admin_user, board_user, partnership
):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=2)
    period = factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=3)
    board = Client()
    board.force_login(board_user)
    client.force_login(admin_user)
    responses = {
        "HTML page": client.get(reverse("plans:plan_list")),
        "JSON export": client.get(reverse("portability:plan_export_json", args=[plan.pk])),
        "Excel download": client.get(reverse("reporting:pack_download", args=[period.pk, "xlsx"])),
        "404 page": client.get("/no-such-page/"),
        "403 page": board.get(reverse("plans:send_signin_link")),
    }
    for kind, response in responses.items():
        assert response["Cache-Control"] == "private, no-store", kind
    assert responses["JSON export"]["Content-Type"].startswith("application/json")
    assert (responses["404 page"].status_code, responses["403 page"].status_code) == (404, 403)


def test_a_made_up_host_header_gets_the_services_400_page(client):
    response = client.get(reverse("login"), HTTP_HOST="attacker.example")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Sorry, there is a problem with your request" in body
    assert "govuk-template" in body and "attacker.example" not in body
