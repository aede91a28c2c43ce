"""Every page a user can reach, checked with axe-core in Chromium, plus keyboard use.

One test walks the whole product on the demo data (both legacy plans imported, quarters closed,
RAG history) as the three kinds of user and an anonymous visitor: lists with filters and a
filter error, detail and history pages, every form with its errors shown, the import preview,
the indicator pages with their chart, the board pack pages, 403 and 404. It collects every
serious or critical axe violation (printed with the page's name) and fails once at the end, so
one run lists them all. Pages of one plan must show that partnership's name in the header.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from outcomes.models import Indicator
from plans import reminders
from plans.models import Milestone, MilestoneUpdate, Person, Plan
from reporting.models import ReportingPeriod
from tests.journeys.conftest import two_factor_set_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[2] / "fixtures"
MIDDLESBROUGH = "Middlesbrough Children's Trust"
ROTHERHAM = "Rotherham Children and Young People's Board"
# The home page, where everyone lands after sign-in.
HOME = re.compile(r"^https?://[^/]+/$")


@pytest.fixture
def demo(transactional_db):
    """The demo as a newcomer gets it: both plans imported, sign-ins, quarters closed."""
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    middlesbrough = Plan.objects.get(partnership__name=MIDDLESBROUGH)
    rotherham = Plan.objects.get(partnership__name=ROTHERHAM)
    periods = ReportingPeriod.objects.filter(plan=middlesbrough).order_by("year", "quarter")
    closed = periods.filter(status=ReportingPeriod.Status.CLOSED).last()
    lead_milestone = (
        Milestone.objects.filter(lead__user__username="demo-lead-safeguarding")
        .exclude(status="complete")
        .order_by("pk")
        .first()
    )
    return {
        "middlesbrough": middlesbrough,
        "rotherham": rotherham,
        "closed": closed,
        "open": periods.filter(status=ReportingPeriod.Status.OPEN).last(),
        "lead_milestone": lead_milestone,
        "milestone": Milestone.objects.filter(action__outcome__priority__plan=rotherham)
        .filter(updates__isnull=False)
        .first(),
        "indicator": Indicator.objects.filter(values__isnull=False).first(),
    }


def sign_in(page, username, password, *, two_factor=None):
    """Sign in with a password; an admin then sets up two-factor sign-in (``two_factor`` is
    the Walk whose checks run on those pages)."""
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    codes = two_factor_set_up(page, check=two_factor.check) if two_factor is not None else None
    page.wait_for_url(HOME)  # everyone lands on the home page
    return codes


def submit(page, name=None):
    """Press the page's main form button (by name, or the last in <main>) and wait."""
    button = (
        page.get_by_role("button", name=name)
        if name
        else page.locator("main form button[type=submit]").last
    )
    with page.expect_navigation():
        button.click()


class Walk:
    """Visits pages, runs axe on each, and remembers every failure to report at the end."""

    def __init__(self, assert_accessible):
        self.assert_accessible = assert_accessible
        self.failures = []
        self.checked = []

    def check(self, page, name, *, status=200, header=None, errors=False):
        self.checked.append(name)
        if status is not None and page.evaluate("() => document.readyState") != "complete":
            page.wait_for_load_state()
        try:
            self.assert_accessible(page, name)
        except AssertionError as exc:
            self.failures.append(str(exc))
        if errors:
            summary = page.locator(".govuk-error-summary")
            if not summary.count() or not page.title().startswith("Error: "):
                self.failures.append(f"{name}: no error summary or no 'Error: ' in the title")
        if header is not None:
            shown = page.locator(".govuk-generic-header__homepage-link").inner_text().strip()
            if shown != header:
                self.failures.append(f"{name}: header says {shown!r}, expected {header!r}")

    def visit(self, page, url, name, *, status=200, **kwargs):
        response = page.goto(url)
        if response.status != status:
            self.failures.append(f"{name}: HTTP {response.status}, expected {status}")
        self.check(page, name, status=status, **kwargs)


def test_every_page_has_no_serious_or_critical_accessibility_violation(
    new_page, demo, assert_accessible, monkeypatch
):
    walk = Walk(assert_accessible)
    updates_before = MilestoneUpdate.objects.count()
    mb, roth = demo["middlesbrough"], demo["rotherham"]
    milestone = demo["milestone"]
    action, outcome = milestone.action, milestone.action.outcome
    indicator = demo["indicator"]
    closed, open_ = demo["closed"], demo["open"]

    # Anonymous: sign-in (with an error), sign-in link, password reset from start to finish.
    page = new_page()
    walk.visit(page, reverse("login"), "sign-in page")
    page.get_by_label("Username").fill("demo-admin")
    page.get_by_label("Password").fill("not the password")
    submit(page, "Sign in")
    walk.check(page, "sign-in page with a wrong password")
    walk.visit(page, reverse("signin_link"), "sign-in link request")
    submit(page, "Send me a link")
    walk.check(page, "sign-in link request with errors", errors=True)
    page.get_by_label("Email address").fill("nobody@example.org")
    submit(page, "Send me a link")
    walk.check(page, "sign-in link sent")
    walk.visit(
        page,
        reverse("signin_link_login") + "?sesame=not-a-token",
        "sign-in link invalid",
        status=403,
    )
    walk.visit(page, reverse("password_reset"), "password reset request")
    submit(page)
    walk.check(page, "password reset request with errors")
    page.get_by_label(re.compile("Email")).fill("demo-admin@example.org")
    submit(page)
    walk.check(page, "password reset sent")
    admin_user = get_user_model().objects.get(username="demo-admin")
    uid = urlsafe_base64_encode(force_bytes(admin_user.pk))
    token = default_token_generator.make_token(admin_user)
    walk.visit(page, reverse("password_reset_confirm", args=[uid, token]), "new password form")
    submit(page)
    walk.check(page, "new password form with errors", errors=True)
    walk.visit(
        page, reverse("password_reset_confirm", args=[uid, "bad-token"]), "reset link invalid"
    )
    walk.visit(page, reverse("password_reset_complete"), "password reset complete")

    # Board member: plans, lists, details, indicators, board packs.
    page = new_page()
    sign_in(page, "demo-board", "demo-board-only")
    # --- Issue 15: the home page (where sign-in lands) and what each organisation leads. ---
    # Both partnerships' dashboards, charts with their data tables opened, then one plan's
    # organisations with one organisation's items opened.
    walk.check(page, "home page (board member)")
    for summary in page.locator("main details summary").all():
        summary.click()
    walk.check(page, "home page with the charts' numbers shown")
    page.set_viewport_size({"width": 375, "height": 800})
    walk.check(page, "home page at 375 px")
    page.set_viewport_size({"width": 1280, "height": 720})
    walk.visit(
        page,
        reverse("reporting:plan_organisations", args=[mb.pk]),
        "what each organisation leads",
        header=MIDDLESBROUGH,
    )
    page.locator("main details summary").first.click()
    walk.check(page, "what each organisation leads, one opened", header=MIDDLESBROUGH)
    # --- end of issue 15's pages ---
    walk.visit(page, reverse("plans:plan_list"), "plan list")
    walk.visit(page, reverse("plans:plan_detail", args=[mb.pk]), "plan page", header=MIDDLESBROUGH)
    # As a plan over the whole-page limit: its summary, then one priority's actions and counts.
    with override_settings(PLAN_PAGE_FULL_MAX_MILESTONES=5):
        url = reverse("plans:plan_detail", args=[mb.pk])
        walk.visit(page, url, "large plan's summary", header=MIDDLESBROUGH)
        priority = mb.priorities.order_by("pk").first()
        walk.visit(
            page, f"{url}?priority={priority.pk}", "large plan, one priority", header=MIDDLESBROUGH
        )
        expect(page.locator("main")).to_contain_text("a page, each with its milestones counted")
    walk.visit(
        page,
        reverse("plans:milestone_list") + f"?plan={mb.pk}&status=red&status=amber&sort=-due_date",
        "milestone list, filtered and sorted",
    )
    walk.visit(
        page,
        reverse("plans:milestone_list") + "?due_from-day=31&due_from-month=2&due_from-year=2010",
        "milestone list with a filter error",
        errors=True,
    )
    expect(page.locator("main")).to_contain_text("Correct the filters to see milestones")
    walk.visit(
        page,
        reverse("plans:milestone_detail", args=[milestone.pk]),
        "milestone page",
        header=ROTHERHAM,
    )
    walk.visit(page, reverse("plans:action_detail", args=[action.pk]), "action page")
    walk.visit(page, reverse("plans:outcome_detail", args=[outcome.pk]), "outcome page")
    walk.visit(
        page, reverse("outcomes:scorecard", args=[roth.pk]), "indicator scorecard", header=ROTHERHAM
    )
    walk.visit(
        page,
        reverse("outcomes:scorecard_priority", args=[roth.pk, outcome.priority_id]),
        "indicator scorecard for one priority",
        header=ROTHERHAM,
    )
    walk.visit(
        page,
        reverse("outcomes:indicator_detail", args=[indicator.pk]),
        "indicator page",
        header=ROTHERHAM,
    )
    expect(page.locator("main svg").first).to_be_attached()
    walk.visit(page, reverse("outcomes:judgements"), "how judgements work")
    walk.visit(
        page, reverse("reporting:board_pack", args=[mb.pk]), "board pack page", header=MIDDLESBROUGH
    )
    walk.visit(
        page,
        reverse("reporting:period_changes", args=[closed.pk]),
        "what changed",
        header=MIDDLESBROUGH,
    )
    walk.visit(page, reverse("plans:plan_detail", args=[999999]), "404 page", status=404)
    walk.visit(page, reverse("reporting:period_close", args=[open_.pk]), "403 page", status=403)

    # Background pack: a plan over the inline limit gets a start page, then the job's page.
    with override_settings(PACK_INLINE_MAX_MILESTONES=1):
        walk.visit(
            page,
            reverse("reporting:pack_download", args=[closed.pk, "pdf"]),
            "background pack start",
            header=MIDDLESBROUGH,
        )
        submit(page)
        walk.check(page, "background pack job", header=MIDDLESBROUGH)

    # Lead: My milestones, the update form with errors, delegates.
    page = new_page()
    sign_in(page, "demo-lead-safeguarding", "demo-lead-only")
    walk.check(page, "home page (lead)")
    walk.visit(page, reverse("plans:my_milestones"), "My milestones")
    # Paged, as a lead with more milestones than a page holds sees it.
    monkeypatch.setattr(reminders, "MY_MILESTONES_PER_PAGE", 2)
    walk.visit(page, reverse("plans:my_milestones") + "?page=2", "My milestones, page 2")
    expect(page.locator(".govuk-pagination")).to_be_visible()
    monkeypatch.undo()
    lead_milestone = demo["lead_milestone"]
    walk.visit(
        page,
        reverse("plans:milestone_update", args=[lead_milestone.pk]),
        "update form",
        header=MIDDLESBROUGH,
    )
    page.get_by_label("Red", exact=True).check()
    page.get_by_label("Progress commentary").fill("")
    submit(page, "Save update")
    walk.check(page, "update form with errors", errors=True, header=MIDDLESBROUGH)
    walk.visit(page, reverse("plans:delegates"), "delegates")
    submit(page)
    walk.check(page, "delegates with errors", errors=True)

    # Admin: history, chasing, sign-in links, import, indicator entry, quarter forms.
    page = new_page()
    recovery_codes = sign_in(page, "demo-admin", "demo-admin-only", two_factor=walk)
    walk.check(page, "home page (admin)")  # issue 15: where sign-in lands
    # Signing in again (another browser): the code page, its error, and a recovery code.
    second = new_page()
    second.goto(reverse("login"))
    second.get_by_label("Username").fill("demo-admin")
    second.get_by_label("Password").fill("demo-admin-only")
    submit(second, "Sign in")
    walk.check(second, "two-factor code")
    submit(second, "Continue")
    walk.check(second, "two-factor code with errors", errors=True)
    second.get_by_label("Code").fill(recovery_codes[0])
    submit(second, "Continue")
    expect(second.get_by_text("You have 9 recovery codes left")).to_be_visible()
    walk.check(second, "signed in with a recovery code")
    walk.visit(
        page,
        reverse("plans:item_history", args=["milestone", milestone.pk]),
        "milestone history",
        header=ROTHERHAM,
    )
    walk.visit(
        page, reverse("plans:plan_history", args=[mb.pk]), "plan history", header=MIDDLESBROUGH
    )
    walk.visit(
        page,
        reverse("plans:update_compliance", args=[mb.pk]),
        "who has not updated",
        header=MIDDLESBROUGH,
    )
    walk.visit(page, reverse("plans:send_signin_link"), "send a lead a sign-in link")
    submit(page)
    walk.check(page, "send a sign-in link with errors", errors=True)
    walk.visit(page, reverse("plans:people"), "people")
    leaver = Person.objects.filter(partnership=mb.partnership, removed_at__isnull=True).first()
    walk.visit(
        page,
        reverse("plans:person_remove", args=[leaver.pk]),
        "remove a person who has left",
        header=MIDDLESBROUGH,
    )
    walk.visit(page, reverse("imports:import_start"), "import upload")
    submit(page)
    walk.check(page, "import upload with errors", errors=True)
    page.get_by_label("Which plan are you importing into?").select_option(str(roth.pk))
    page.get_by_label("Upload the spreadsheet").set_input_files(
        FIXTURES / "rotherham-cypp-2010-positive-contribution.xlsx"
    )
    submit(page, "Upload and preview")
    walk.check(page, "import preview", header=ROTHERHAM)
    walk.visit(
        page,
        reverse("outcomes:actual_enter", args=[indicator.pk]),
        "enter a result",
        header=ROTHERHAM,
    )
    submit(page)
    walk.check(page, "enter a result with errors", errors=True, header=ROTHERHAM)
    walk.visit(
        page, reverse("outcomes:values_upload", args=[roth.pk]), "CSV upload", header=ROTHERHAM
    )
    submit(page)
    walk.check(page, "CSV upload with errors", errors=True, header=ROTHERHAM)
    walk.visit(
        page,
        reverse("reporting:board_pack", args=[mb.pk]),
        "board pack page (admin)",
        header=MIDDLESBROUGH,
    )
    walk.visit(
        page,
        reverse("reporting:period_close", args=[open_.pk]),
        "close a quarter",
        header=MIDDLESBROUGH,
    )
    walk.visit(
        page,
        reverse("reporting:period_reopen", args=[closed.pk]),
        "reopen a quarter",
        header=MIDDLESBROUGH,
    )
    submit(page)
    walk.check(page, "reopen a quarter with errors", errors=True, header=MIDDLESBROUGH)
    walk.visit(
        page,
        reverse("reporting:period_deadline", args=[open_.pk]),
        "change a deadline",
        header=MIDDLESBROUGH,
    )
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    submit(page)
    walk.check(page, "change a deadline with errors", errors=True, header=MIDDLESBROUGH)

    print(f"checked {len(walk.checked)} pages")
    assert not walk.failures, "\n".join(walk.failures)
    # Every form above was sent with errors: none of them may have saved anything.
    assert MilestoneUpdate.objects.count() == updates_before
    assert not ReportingPeriod.objects.filter(pk=closed.pk, status="open").exists()


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName, id: el.id, name: el.name || '', type: el.type || '',
                    value: el.value || '', text: (el.innerText || '').trim(),
                    cls: el.className || ''};
        }"""
    )


def tab_until(page, wanted, *, limit=120) -> dict:
    """Press Tab until the focused element matches ``wanted`` (a predicate on focused())."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if wanted(now):
            return now
    raise AssertionError(f"Tab never reached the element; last focused {focused(page)}")


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(new_page, demo):
    page = new_page()
    sign_in(page, "demo-board", "demo-board-only")
    page.goto(reverse("plans:plan_detail", args=[demo["middlesbrough"].pk]))

    page.keyboard.press("Tab")
    first = focused(page)
    assert "govuk-skip-link" in first["cls"] and first["text"] == "Skip to main content"
    expect(page.locator(".govuk-skip-link")).to_be_visible()  # shown when focused

    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main-content"
    # The next Tab goes into the page's content, not back to the header.
    page.keyboard.press("Tab")
    inside_main = page.evaluate("() => !!document.activeElement.closest('main')")
    assert inside_main


def test_a_lead_completes_and_submits_the_update_form_with_the_keyboard_only(new_page, demo):
    milestone = demo["lead_milestone"]
    before = MilestoneUpdate.objects.filter(milestone=milestone).count()
    page = new_page()
    page.goto(reverse("login"))
    # Sign in with the keyboard too: the username box is the first field of the form.
    tab_until(page, lambda el: el["name"] == "username")
    page.keyboard.type("demo-lead-safeguarding")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type("demo-lead-only")
    page.keyboard.press("Enter")
    page.wait_for_url(HOME)
    page.goto(reverse("plans:my_milestones"))

    # From My milestones, Tab to this milestone's Update link and follow it.
    update_url = reverse("plans:milestone_update", args=[milestone.pk])
    tab_until(
        page,
        lambda el: (
            el["tag"] == "A"
            and page.evaluate("() => document.activeElement.getAttribute('href')") == update_url
        ),
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(update_url)

    # Radios: Tab into the group, then arrow keys choose; Space confirms.
    tab_until(page, lambda el: el["name"] == "status")
    for _ in range(6):
        if focused(page)["value"] == "red":
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    assert focused(page)["value"] == "red"
    tab_until(page, lambda el: el["name"] == "commentary")
    page.keyboard.press("Control+A")
    page.keyboard.type("Typed with the keyboard only: interim cover agreed, review in May.")
    tab_until(page, lambda el: el["tag"] == "BUTTON" and el["text"] == "Save update")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_text("has been saved")).to_be_visible()
    latest = MilestoneUpdate.objects.filter(milestone=milestone).order_by("-pk").first()
    assert MilestoneUpdate.objects.filter(milestone=milestone).count() == before + 1
    assert latest.status == "red"
    assert latest.commentary.startswith("Typed with the keyboard only")
