"""A partnership admin sets up a new plan from last year's spreadsheet and runs its quarters.

The import page imports into a plan that already exists; a new plan's title and dates are
given first on "Create a plan" (the plan list, home and the import page link there).
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from plans.models import Milestone, Plan
from reporting.models import ReportingPeriod
from tests.journeys.conftest import two_factor_set_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURE = (
    __import__("pathlib").Path(__file__).resolve().parents[2]
    / "fixtures"
    / "rotherham-cypp-2010-positive-contribution.xlsx"
)
ROTHERHAM = "Rotherham Children and Young People's Board"
TITLE = "CYPP 2013-14 Positive contribution"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_an_admin_imports_a_new_plan_then_closes_and_reopens_a_quarter(
    new_page, demo, assert_accessible
):
    page = new_page()
    page.goto("/")
    page.get_by_label("Username").fill("demo-admin")
    page.get_by_label("Password").fill("demo-admin-only")
    page.get_by_role("button", name="Sign in").click()
    # An admin sets up two-factor sign-in at first sign-in, then lands where they were going.
    two_factor_set_up(page)
    # Everyone lands on the home page; the plans are one menu link away.
    expect(page.get_by_role("heading", level=1, name="Your partnerships")).to_be_visible()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Plans").click()
    expect(page.get_by_role("heading", level=1, name="Plans")).to_be_visible()

    # No plan to import into yet: create it (its title and dates) in the service.
    page.get_by_role("button", name="Create a plan").click()
    page.get_by_label("Which partnership is the plan for?").select_option(label=ROTHERHAM)
    page.get_by_label("Title").fill(TITLE)
    for legend, (day, month, year) in (("Start date", (1, 4, 2013)), ("End date", (31, 3, 2014))):
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(str(day))
        group.get_by_label("Month").fill(str(month))
        group.get_by_label("Year").fill(str(year))
    page.get_by_role("button", name="Create the plan").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    plan = Plan.objects.get(title=TITLE)

    # Import last year's spreadsheet into the new plan.
    page.get_by_role("link", name="Import a plan from a spreadsheet").click()
    page.get_by_label("Which plan are you importing into?").select_option(
        label=f"{TITLE} ({ROTHERHAM})"
    )
    page.get_by_label("Upload the spreadsheet").set_input_files(FIXTURE)
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert not Milestone.objects.filter(action__outcome__priority__plan=plan).exists()
    assert_accessible(page, "import preview")
    confirm = page.get_by_label("I have checked what each column means")
    if confirm.count():
        confirm.check()
    page.get_by_role("button", name=f"Import into {TITLE}").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    assert Milestone.objects.filter(action__outcome__priority__plan=plan).count() == 41

    # Quarters: set them up, close the first, reopen it with a reason.
    page.get_by_role("link", name="Board packs and quarters").click()
    page.get_by_role("button", name="Set up reporting periods").click()
    expect(page.get_by_role("link", name="Close 2013/14 Q1")).to_be_visible()
    page.get_by_role("link", name="Close 2013/14 Q1").click()
    page.get_by_role("button", name="Close 2013/14 Q1").click()
    expect(page.get_by_role("link", name="Reopen 2013/14 Q1")).to_be_visible()
    q1 = ReportingPeriod.objects.get(plan=plan, year=2013, quarter=1)
    assert q1.status == ReportingPeriod.Status.CLOSED and q1.snapshots.exists()

    page.get_by_role("link", name="Reopen 2013/14 Q1").click()
    page.get_by_role("button", name="Reopen 2013/14 Q1").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page, "reopen with errors")
    reason = "The Youth Service's Q1 returns arrived after the board closed the quarter."
    page.get_by_role("textbox").fill(reason)
    page.get_by_role("button", name="Reopen 2013/14 Q1").click()
    expect(page.get_by_text(f"Reopened: {reason}")).to_be_visible()
    q1.refresh_from_db()
    assert q1.status == ReportingPeriod.Status.OPEN and q1.status_reason == reason

    # The reopening, with its reason, is in the plan's audit trail.
    page.get_by_role("link", name=TITLE).first.click()
    page.get_by_role("link", name=re.compile("^Audit trail")).click()
    expect(page.locator("main")).to_contain_text(reason)
