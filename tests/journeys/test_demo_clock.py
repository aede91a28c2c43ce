"""Issue 14, done when: with the clock fixed at four moments of a quarter, the demo's lead,
admin and board are shown the same period collecting updates and the same deadline.

The demo is loaded at the first moment (so its dates are moved to that moment's time, as
`make run` would on that day); the clock then moves on, for the test and the live server
alike (time-machine replaces the clock for the whole process, so the server thread reads the
same time), and each person signs in afresh, as the session would have expired.
"""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from plans.models import Plan
from plans.periods import FinancialQuarter
from tests.mfa_helpers import mfa_verify_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def signed_in(new_page, live_server, username, *, admin=False):
    """A browser page with ``username`` signed in (an admin with their second factor given)."""
    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    if admin:
        mfa_verify_session(client, user)
    page = new_page()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def seen(new_page, live_server, plan):
    """What the lead, the admin and the board read about the period collecting updates."""
    lead = signed_in(new_page, live_server, "demo-lead-safeguarding")
    lead.goto(reverse("plans:my_milestones"))
    expect(lead.get_by_role("heading", level=1, name="My milestones")).to_be_visible()
    admin = signed_in(new_page, live_server, "demo-admin", admin=True)
    admin.goto(reverse("plans:update_compliance", kwargs={"pk": plan.pk}))
    expect(
        admin.get_by_role("heading", level=1, name="Who has not updated this quarter")
    ).to_be_visible()
    board = signed_in(new_page, live_server, "demo-board")
    board.goto(reverse("reporting:board_pack", kwargs={"pk": plan.pk}))
    expect(board.get_by_role("heading", level=1, name="Board packs")).to_be_visible()
    return {
        "lead": " ".join(lead.locator("main").inner_text().split()),
        "admin": " ".join(admin.locator("main").inner_text().split()),
        "board": " ".join(board.locator("#collecting").inner_text().split()),
        "admin page": admin,
    }


def assert_everyone_sees(texts, label, deadline, *, late):
    for who in ("lead", "admin", "board"):
        text = texts[who]
        assert label in text, (who, text[:400])
        assert long_date(deadline) in text, (who, text[:400])
        assert set(re.findall(r"\d{4}/\d{2} Q[1-4]", text)) == {label}, (who, text[:400])
        said_late = bool(re.search(r"deadline (for updates |for \S+ \S+ )?was", text))
        assert said_late == late, (who, text[:400])


def test_lead_admin_and_board_see_the_same_quarter_and_deadline_at_four_moments(
    new_page, live_server
):
    # A quarter well ahead of today's, so that every moment is in the browser's future too.
    quarter = FinancialQuarter.containing(timezone.localdate()).next().next()
    deadline = quarter.end + timedelta(days=14)
    following = quarter.next()
    moments = {
        "inside the quarter": at(quarter.start + timedelta(days=30)),
        "between quarter end and deadline": at(quarter.end + timedelta(days=5)),
        "after the deadline": at(deadline + timedelta(days=3)),
    }

    with time_machine.travel(moments["inside the quarter"], tick=True):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        plan = Plan.objects.get(title="Action Plan 2009")
        texts = seen(new_page, live_server, plan)
        assert_everyone_sees(texts, quarter.label, deadline, late=False)
        # Some of the lead's milestones were updated already in the quarter under way.
        assert re.search(r"Done this quarter: [1-9]\d* of", texts["lead"]), texts["lead"][:300]

    with time_machine.travel(moments["between quarter end and deadline"], tick=True):
        texts = seen(new_page, live_server, plan)
        assert_everyone_sees(texts, quarter.label, deadline, late=False)

    with time_machine.travel(moments["after the deadline"], tick=True):
        texts = seen(new_page, live_server, plan)
        assert_everyone_sees(texts, quarter.label, deadline, late=True)

        # The admin closes the quarter; from then on everyone is asked for the next one.
        board_packs = signed_in(new_page, live_server, "demo-admin", admin=True)
        board_packs.goto(reverse("reporting:board_pack", kwargs={"pk": plan.pk}))
        board_packs.get_by_role("link", name=f"Close {quarter.label}").click()
        board_packs.get_by_role("button", name=f"Close {quarter.label}").click()
        expect(board_packs.get_by_role("link", name=f"Reopen {quarter.label}")).to_be_visible()

        texts = seen(new_page, live_server, plan)
        assert_everyone_sees(texts, following.label, following.end + timedelta(days=14), late=False)
