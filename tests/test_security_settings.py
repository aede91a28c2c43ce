"""Production settings, security headers, sessions, error pages and security-event logging."""

import ast
import logging
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path, reverse

import config.urls
from security.events import security_event
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"  # UserFactory's password


def refused(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("secret detail from deep inside the code")


# The project's URLs plus two that fail on purpose, for the error-page tests.
urlpatterns = [
    path("test-refused/", refused, name="test_refused"),
    path("test-broken/", broken, name="test_broken"),
    *config.urls.urlpatterns,
]


# --- Production settings --------------------------------------------------------------------


def test_check_deploy_with_production_settings_finds_nothing(tmp_path):
    """What `make check-deploy` runs: any warning fails it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "throwaway-" + "k3y" * 20,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603 — fixed argv: this interpreter and manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_a_short_secret_key(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "too-short",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603 — fixed argv: this interpreter and manage.py
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_refuse_a_wildcard_host(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "throwaway-" + "k3y" * 20,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "*",
    }
    result = subprocess.run(  # noqa: S603 — fixed argv: this interpreter and manage.py
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["signin_link", "password_reset"])
def test_an_e_mailed_link_cannot_be_pointed_at_a_host_the_request_made_up(
    name, client, mailoutbox, immediate_tasks
):
    """Links are built from the Host header; a host outside ALLOWED_HOSTS is refused (400)."""
    factories.UserFactory(email="lead@council.example")
    response = client.post(
        reverse(name), {"email": "lead@council.example"}, HTTP_HOST="attacker.example"
    )
    assert response.status_code == 400
    assert mailoutbox == []
    response = client.post(reverse(name), {"email": "lead@council.example"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "attacker.example" not in mailoutbox[0].body
    assert "://testserver/" in mailoutbox[0].body


def _env_names_read_in(folder: Path) -> set[str]:
    pattern = re.compile(
        r"""(?:os\.environ\.get|os\.getenv|env_bool|env_list|os\.environ\.setdefault)\(\s*"""
        r"""["']([A-Z][A-Z0-9_]+)["']|os\.environ\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\](?!\s*=[^=])"""
    )  # os.environ["X"] = … sets a variable for a library; it is not one the service reads
    names = set()
    for source in folder.rglob("*.py"):
        if "migrations" in source.parts:
            continue
        for match in pattern.finditer(source.read_text()):
            names.add(match.group(1) or match.group(2))
    return names


def test_env_example_documents_every_variable_the_service_reads():
    read = {"DATABASE_URL"}  # read by dj_database_url.config() in base.py
    for folder in ("config", "plans", "outcomes", "reporting"):
        read |= _env_names_read_in(ROOT / folder)
    documented = set(
        re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    assert read - documented == set(), "add these to .env.example"
    assert "DJANGO_SECRET_KEY" in read  # the scan itself works


def test_spreadsheets_are_parsed_with_defusedxml_even_beside_lxml():
    # lxml comes with pikepdf (board packs); openpyxl would prefer it and accept entity bombs.
    from openpyxl.xml import DEFUSEDXML, LXML

    assert (LXML, DEFUSEDXML) == (False, True)


# --- Headers --------------------------------------------------------------------------------


def test_every_page_carries_a_content_security_policy_without_inline_script(client):
    response = client.get(reverse("login"))
    policy = dict(
        (part.split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split("; ")
    )
    assert policy == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
        "base-uri": "'none'",
        "object-src": "'none'",
    }
    assert "unsafe" not in response["Content-Security-Policy"]


def test_pages_refuse_framing_and_send_a_strict_referrer_policy(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


INLINE_PATTERNS = {
    "an inline <script> block": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "a <style> block": re.compile(r"<style\b", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an on… event-handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE),
    "a javascript: link": re.compile(r"javascript:", re.IGNORECASE),
}


def _is_pdf_only(template: Path) -> bool:
    """Templates WeasyPrint renders into PDFs: never served to a browser, so the CSP does not
    apply to them (WeasyPrint's URL fetcher limits what they load). Named ``*pdf*.html``."""
    return "pdf" in template.name


def test_no_web_page_template_needs_inline_script_or_style_which_the_policy_would_block():
    found = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        if _is_pdf_only(template):
            continue
        text = template.read_text()
        for what, pattern in INLINE_PATTERNS.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(ROOT)}:{line}: {what}")
    assert found == []


def test_pdf_templates_never_put_template_values_into_css():
    """Styles in PDF templates are fixed text: user input must never become CSS."""
    found = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        if not _is_pdf_only(template):
            continue
        text = template.read_text()
        css = re.findall(r"<style\b.*?</style>", text, re.DOTALL | re.IGNORECASE)
        css += re.findall(r"""\sstyle\s*=\s*("[^"]*"|'[^']*')""", text, re.IGNORECASE)
        found += [f"{template.relative_to(ROOT)}: {c[:60]}" for c in css if "{{" in c]
    assert found == []


# --- Sessions -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_signing_in_replaces_the_session_key_so_a_planted_session_is_useless():
    user = factories.UserFactory()
    client = Client()
    planted_key = client.session.session_key  # e.g. fixed by an attacker before sign-in
    assert Session.objects.filter(session_key=planted_key).exists()

    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != planted_key
    assert not Session.objects.filter(session_key=planted_key).exists()
    assert client.get(reverse("plans:plan_list")).status_code == 200


@pytest.mark.django_db
def test_signing_in_with_an_e_mailed_link_also_replaces_the_session_key():
    from sesame.utils import get_query_string

    user = factories.UserFactory()
    client = Client()
    planted_key = client.session.session_key

    response = client.post(
        reverse("signin_link_login"), {"sesame": get_query_string(user).split("=", 1)[1]}
    )

    assert response.status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted_key
    assert not Session.objects.filter(session_key=planted_key).exists()
    assert client.get(reverse("plans:plan_list")).status_code == 200


@pytest.mark.django_db
def test_a_session_ends_after_two_idle_hours_but_not_while_in_use():
    user = factories.UserFactory()
    client = Client()
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
        for _ in range(3):  # three requests 90 minutes apart: each one extends the session
            traveller.shift(timedelta(minutes=90))
            assert client.get(reverse("plans:plan_list")).status_code == 200

        traveller.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = client.get(reverse("plans:plan_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_session_settings_expire_idle_sessions_and_keep_cookies_from_scripts():
    assert settings.SESSION_COOKIE_AGE == 2 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.CSRF_COOKIE_HTTPONLY is True


# --- Error pages ----------------------------------------------------------------------------


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_refusal_shows_the_services_403_page_and_is_logged_with_the_user_id(client, caplog):
    user = factories.UserFactory(username="jo.bloggs", email="jo.bloggs@council.example")
    client.force_login(user)
    caplog.set_level(logging.DEBUG)

    response = client.get("/test-refused/?q=x")

    assert response.status_code == 403
    assert b"You cannot see this page" in response.content
    assert b"govuk-template__body" in response.content
    events = [r for r in caplog.records if getattr(r, "security_event", "") == "permission_denied"]
    assert len(events) == 1
    assert events[0].security_fields == {
        "event": "permission_denied",
        "user_id": user.pk,
        "method": "GET",
        "path": "/test-refused/",
    }
    assert events[0].getMessage() == (
        f"event=permission_denied user_id={user.pk} method=GET path=/test-refused/"
    )
    assert "jo.bloggs" not in caplog.text


@pytest.mark.django_db
def test_a_form_sent_without_a_csrf_token_gets_a_page_saying_what_to_do(caplog):
    client = Client(enforce_csrf_checks=True)
    caplog.set_level(logging.INFO, logger="security")

    response = client.post(reverse("login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert b"Your form could not be sent" in response.content
    assert "event=permission_denied user_id=None method=POST path=/accounts/login/" in (caplog.text)


@pytest.mark.django_db
def test_a_missing_page_shows_the_services_404_page(client):
    client.force_login(factories.UserFactory())
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"govuk-template__body" in response.content


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_server_error_shows_an_apology_and_no_stack_trace():
    client = Client(raise_request_exception=False)
    client.force_login(factories.UserFactory())

    response = client.get("/test-broken/")

    assert response.status_code == 500
    content = response.content.decode()
    assert "Sorry, there is a problem with the service" in content
    assert "secret detail" not in content
    assert "Traceback" not in content
    assert "RuntimeError" not in content


# --- Security-event logging -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_failed_sign_in_is_logged_with_the_account_id_and_nothing_personal(client, caplog):
    user = factories.UserFactory(username="jo.bloggs", email="jo.bloggs@council.example")
    caplog.set_level(logging.DEBUG)  # every logger, axes' and Django's included

    response = client.post(reverse("login"), {"username": "jo.bloggs", "password": "wrong"})

    assert response.status_code == 200  # the form again, with its error
    events = [r for r in caplog.records if getattr(r, "security_event", "") == "sign_in_failed"]
    assert [e.security_fields for e in events] == [
        {"event": "sign_in_failed", "user_id": user.pk, "known_account": True}
    ]
    for personal in ("jo.bloggs", "council.example", "127.0.0.1", "wrong"):
        assert personal not in caplog.text


@pytest.mark.django_db
def test_a_sign_in_with_an_unknown_name_is_logged_without_the_name(client, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(reverse("login"), {"username": "no.such.person", "password": "guess"})
    assert "event=sign_in_failed user_id=None known_account=False" in caplog.text
    assert "no.such.person" not in caplog.text


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_out_with_a_page_and_a_log_line(client, caplog):
    user = factories.UserFactory(username="jo.bloggs")
    caplog.set_level(logging.DEBUG)

    responses = [
        client.post(reverse("login"), {"username": "jo.bloggs", "password": f"wrong{n}"})
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    # Even the right password is refused while locked out.
    after = client.post(reverse("login"), {"username": "jo.bloggs", "password": PASSWORD})

    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429
    assert after.status_code == 429
    assert b"Too many sign-in attempts" in after.content
    assert b"15 minutes" in after.content
    assert f"event=sign_in_locked_out user_id={user.pk}" in caplog.text
    assert "jo.bloggs" not in caplog.text
    assert "127.0.0.1" not in caplog.text


@pytest.mark.django_db
def test_signing_in_and_out_are_logged_by_user_id(client, caplog):
    user = factories.UserFactory(username="jo.bloggs")
    caplog.set_level(logging.INFO, logger="security")
    client.post(reverse("login"), {"username": "jo.bloggs", "password": PASSWORD})
    client.post(reverse("logout"))
    assert f"event=signed_in user_id={user.pk}" in caplog.text
    assert f"event=signed_out user_id={user.pk}" in caplog.text


def test_security_event_writes_one_line_of_key_value_pairs(caplog):
    caplog.set_level(logging.INFO, logger="security")
    security_event("plan_imported", user_id=7, plan_id=3, file_kind="xlsx", note="two\nlines")
    assert caplog.records[-1].getMessage() == (
        'event=plan_imported user_id=7 plan_id=3 file_kind=xlsx note="two\\nlines"'
    )
    assert caplog.records[-1].levelno == logging.INFO


@pytest.mark.parametrize("field", ["username", "email", "ip_address", "name", "user_agent"])
def test_security_event_refuses_personal_fields(field):
    with pytest.raises(TypeError, match="personal data"):
        security_event("plan_exported", user_id=1, **{field: "jo.bloggs"})


# --- Nothing personal in log calls (a static check of the application code) ----------------

LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
PERSONAL_ATTRIBUTES = {
    "email",
    "username",
    "first_name",
    "last_name",
    "full_name",
    "get_full_name",
    "get_username",
    "name",
}
# Known cases, each reported for fixing; the test fails when one is fixed, so that the entry
# is removed too (the list may only shrink).
KNOWN_PERSONAL_LOG_CALLS: dict[str, str] = {}


def _is_log_call(node) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    if node.func.attr not in LOG_METHODS:
        return False
    target = node.func.value
    name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
    return name in {"logger", "log", "logging"} or name.endswith("logger")


def _personal_log_calls() -> list[tuple[str, int]]:
    found = []
    for folder in ("config", "plans", "outcomes", "reporting"):
        for source in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in source.parts:
                continue
            tree = ast.parse(source.read_text(), filename=str(source))
            for node in ast.walk(tree):
                if not _is_log_call(node):
                    continue
                arguments = [*node.args, *(k.value for k in node.keywords)]
                for part in (n for argument in arguments for n in ast.walk(argument)):
                    if (isinstance(part, ast.Attribute) and part.attr in PERSONAL_ATTRIBUTES) or (
                        isinstance(part, ast.Name) and part.id in {"email", "username"}
                    ):
                        found.append((str(source.relative_to(ROOT)), node.lineno))
                        break
    return found


def test_no_log_call_writes_an_email_address_name_or_username():
    found = _personal_log_calls()
    known_files = [key.split(":", 1)[0] for key in KNOWN_PERSONAL_LOG_CALLS]
    unexpected = [f"{path}:{line}" for path, line in found if path not in known_files]
    assert unexpected == [], "log a user or person id instead"
    assert sorted(path for path, _ in found) == sorted(known_files), (
        "a known case was fixed: remove it from KNOWN_PERSONAL_LOG_CALLS"
    )
