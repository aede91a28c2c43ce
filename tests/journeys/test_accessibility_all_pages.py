"""Every page a user can reach, checked with axe-core in Chromium, plus keyboard use.

One test walks the whole product on the demo data (both legacy plans imported, quarters closed,
RAG history) as the three kinds of user and an anonymous visitor: lists with filters and a
filter error, detail and history pages, every form with its errors shown, the import preview,
the indicator pages with their chart, the board pack pages, 403 and 404. It collects every
serious or critical axe violation (printed with the page's name) and fails once at the end, so
one run lists them all. Pages of one plan must show that partnership's name in the header.

The walk runs twice: on a wide screen (1280 px) and on a phone (375 px), where no page may be
wider than the screen (no sideways scrolling). To add a page, visit it once in the walk: both
widths check it.
"""

import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from outcomes.models import Indicator
from plans import reminders
from plans.models import Invitation, Milestone, MilestoneUpdate, Organisation, Person, Plan
from reporting.models import PackJob, ReportingPeriod
from reporting.views import board_pack
from signoff.models import Signatory, SignoffSettings
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


# The widths every page of the walk is checked at: a desktop screen, and a small phone.
VIEWPORTS = {"wide": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}
PHONE_WIDTH = VIEWPORTS["phone"]["width"]

WIDER_THAN_SCREEN = """() => [document.documentElement.scrollWidth, window.innerWidth]"""


class Walk:
    """Visits pages, runs axe on each, and remembers every failure to report at the end.

    At a phone's width it also checks that the page is no wider than the screen."""

    def __init__(self, assert_accessible, *, width=VIEWPORTS["wide"]["width"]):
        self.assert_accessible = assert_accessible
        self.width = width
        self.failures = []
        self.checked = []

    def check(self, page, name, *, status=200, header=None, errors=False):
        self.checked.append(name)
        if status is not None and page.evaluate("() => document.readyState") != "complete":
            page.wait_for_load_state()
        try:
            self.assert_accessible(page, name)
        except AssertionError as exc:
            self.failures.append(f"{exc} at {self.width} px")
        if self.width <= PHONE_WIDTH:
            scroll_width, inner_width = page.evaluate(WIDER_THAN_SCREEN)
            if scroll_width > inner_width:
                self.failures.append(
                    f"{name}: {scroll_width} px wide on a {inner_width} px screen: scrolls sideways"
                )
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


def _evidence_attached(update):
    """A file on ``update``, stored as the attach page would store it (no form sent)."""
    from django.core.files.base import ContentFile

    from evidence.models import Attachment
    from evidence.services import evidence_storage
    from tests.evidence.corpus import pdf

    data = pdf("Board minutes")
    stored = evidence_storage().save(f"evidence/walk-{update.pk}", ContentFile(data))
    return Attachment.objects.create(
        update=update,
        original_name="Board minutes March 2020.pdf",
        stored_name=stored,
        size=len(data),
        content_type="application/pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_name="Demo admin",
    )


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_every_page_has_no_serious_or_critical_accessibility_violation(
    new_page, demo, assert_accessible, monkeypatch, viewport
):
    walk = Walk(assert_accessible, width=viewport["width"])

    def open_page():
        page = new_page()
        page.set_viewport_size(viewport)
        return page

    updates_before = MilestoneUpdate.objects.count()
    mb, roth = demo["middlesbrough"], demo["rotherham"]
    milestone = demo["milestone"]
    action, outcome = milestone.action, milestone.action.outcome
    indicator = demo["indicator"]
    closed, open_ = demo["closed"], demo["open"]

    # Anonymous: sign-in (with an error), sign-in link, password reset from start to finish.
    page = open_page()
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
    page = open_page()
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
    # Notifications: a board member's choices (the packs one too), saved with the banner.
    walk.visit(page, reverse("notifications:preferences"), "notifications settings (board)")
    page.get_by_label("One e-mail a day, a summary of everything").check()
    page.get_by_label("Tell me when the quarter's pack is final").check()
    submit(page, "Save settings")
    walk.check(page, "notifications settings saved")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your notification settings have been saved"
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

    # A draft pack changed since it was stored: "being updated", with the previous version.
    stale = PackJob.objects.create(
        period=open_, fmt="xlsx", status=PackJob.Status.DONE, filename="pack.xlsx", size=4
    )
    stale.file.save("stale.xlsx", ContentFile(b"PK.."), save=False)
    PackJob.objects.filter(pk=stale.pk).update(
        file=stale.file.name, started_at=stale.created_at, finished_at=stale.created_at
    )
    monkeypatch.setattr(board_pack, "PAGE_REFRESH_EVERY", 600)  # no reload mid-check
    walk.visit(
        page,
        reverse("reporting:pack_download", args=[open_.pk, "xlsx"]),
        "draft pack being updated",
        header=MIDDLESBROUGH,
    )
    expect(page.get_by_text("Download the version of")).to_be_visible()

    # Lead: My milestones, the update form with errors, delegates.
    page = open_page()
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
    page = open_page()
    recovery_codes = sign_in(page, "demo-admin", "demo-admin-only", two_factor=walk)
    walk.check(page, "home page (admin)")  # issue 15: where sign-in lands
    # Signing in again (another browser): the code page, its error, and a recovery code.
    second = open_page()
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
    # --- People and access (issue 16, plans.views.people and plans.views.members) -------------
    mb_partnership = mb.partnership
    walk.visit(
        page,
        reverse("plans:person_add", args=[mb_partnership.pk]),
        "add a person",
        header=MIDDLESBROUGH,
    )
    submit(page, "Add person")
    walk.check(page, "add a person with errors", errors=True, header=MIDDLESBROUGH)
    walk.visit(
        page,
        reverse("plans:person_edit", args=[leaver.pk]),
        "change a person",
        header=MIDDLESBROUGH,
    )
    page.get_by_label("Email address (optional)").fill("not an address")
    submit(page, "Save changes")
    walk.check(page, "change a person with errors", errors=True, header=MIDDLESBROUGH)
    no_email = (
        Person.objects.filter(partnership=mb_partnership, removed_at__isnull=True, email="").first()
        or leaver
    )
    walk.visit(
        page,
        reverse("plans:send_signin_link") + f"?person={no_email.pk}",
        "send a sign-in link, chosen lead",
    )
    reassign = reverse("plans:person_reassign", args=[leaver.pk])
    walk.visit(page, reassign, "re-assign a leaver", header=MIDDLESBROUGH)
    walk.visit(page, reassign + "?successor=", "re-assign with errors", errors=True)
    successor = (
        Person.objects.filter(partnership=mb_partnership, removed_at__isnull=True)
        .exclude(pk=leaver.pk)
        .first()
    )
    walk.visit(page, reassign + f"?successor={successor.pk}", "re-assign preview")
    for name in ("Middlesbrough Council", "Middlesbrough BC"):  # the demo records none
        Organisation.objects.get_or_create(partnership=mb_partnership, name=name)
    organisations = reverse("plans:organisations", args=[mb_partnership.pk])
    walk.visit(page, organisations, "organisations", header=MIDDLESBROUGH)
    walk.visit(
        page, reverse("plans:organisation_add", args=[mb_partnership.pk]), "add an organisation"
    )
    submit(page, "Add organisation")
    walk.check(page, "add an organisation with errors", errors=True)
    first, second = mb_partnership.organisations.order_by("pk")[:2]
    walk.visit(page, reverse("plans:organisation_edit", args=[first.pk]), "rename an organisation")
    merge = reverse("plans:organisation_merge", args=[first.pk])
    walk.visit(page, merge, "merge organisations")
    walk.visit(page, merge + "?target=", "merge organisations with errors", errors=True)
    walk.visit(page, merge + f"?target={second.pk}", "merge preview")
    walk.visit(page, reverse("plans:members", args=[mb_partnership.pk]), "who can sign in")
    board_membership = mb_partnership.memberships.filter(role="board").first()
    walk.visit(page, reverse("plans:member_role", args=[board_membership.pk]), "change a role")
    walk.visit(page, reverse("plans:member_end", args=[board_membership.pk]), "end access")
    walk.visit(page, reverse("plans:invitations", args=[mb_partnership.pk]), "invitations")
    walk.visit(page, reverse("plans:invitation_create", args=[mb_partnership.pk]), "invite someone")
    submit(page, "Send invitation")
    walk.check(page, "invite someone with errors", errors=True)
    page.get_by_label("Email address").fill("new.board.member@example.org")
    page.get_by_label("Board member").check()
    submit(page, "Send invitation")
    walk.check(page, "invitations, one waiting", header=MIDDLESBROUGH)
    walk.visit(page, reverse("plans:people_history", args=[mb_partnership.pk]), "people changes")
    # --- Sign-off of a quarter (signoff; issue 17) ---------------------------------------------
    signoff_settings = reverse("signoff:settings", args=[mb_partnership.pk])
    walk.visit(page, signoff_settings, "sign-off settings", header=MIDDLESBROUGH)
    page.get_by_label("Chair (optional)").select_option(label="No chair named")
    submit(page, "Save")
    walk.check(page, "sign-off settings with errors", errors=True)
    demo_admin = get_user_model().objects.get(username="demo-admin")
    SignoffSettings.objects.create(partnership=mb_partnership, enabled=True)
    leading = (
        Organisation.objects.filter(people__milestones_led__action__outcome__priority__plan=mb)
        .distinct()
        .order_by("name")
        .first()
    )
    Signatory.objects.create(organisation=leading, user=demo_admin)
    walk.visit(page, signoff_settings, "sign-off settings, switched on")
    walk.visit(page, reverse("signoff:signatory", args=[leading.pk]), "nominate a signatory")
    walk.visit(page, reverse("signoff:mine"), "your sign-offs")
    walk.visit(page, reverse("signoff:period", args=[open_.pk]), "sign-off of a quarter")
    walk.visit(
        page,
        reverse("signoff:organisation", args=[open_.pk, leading.pk]),
        "an organisation's updates to sign off",
        header=MIDDLESBROUGH,
    )
    walk.visit(
        page,
        reverse("signoff:organisation_withdraw", args=[open_.pk, leading.pk]),
        "withdraw a sign-off",
    )
    submit(page, "Withdraw the sign-off")
    walk.check(page, "withdraw a sign-off with errors", errors=True)
    # --- end of sign-off ------------------------------------------------------------------------
    invitation = Invitation.objects.get(email="new.board.member@example.org")
    token = "walk-token-" + "x" * 20
    Invitation.objects.filter(pk=invitation.pk).update(
        token_hash=hashlib.sha256(token.encode()).hexdigest()
    )
    invitee = new_page()
    walk.visit(invitee, reverse("invitation_accept", args=[token]), "accept an invitation")
    submit(invitee, "Set up my account")
    walk.check(invitee, "accept an invitation with errors", errors=True)
    walk.visit(
        invitee,
        reverse("invitation_accept", args=["not-a-token"]),
        "invitation invalid",
        status=403,
    )
    # --- end of people and access ------------------------------------------------------------
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
    # Sign-off is on and the chair has not signed: closing asks for a confirmation first.
    submit(page, f"Close {open_.label}")
    walk.check(page, "close a quarter without sign-offs, with errors", errors=True)
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

    # --- The plan's structure (plans.views.structure), as the admin -----------------------
    # Forms are sent only with errors, so nothing is saved here.
    ms_of = milestone.action.outcome.priority.plan.partnership.name
    walk.visit(
        page, reverse("plans:plan_structure", args=[roth.pk]), "plan structure", header=ms_of
    )
    priority = outcome.priority
    walk.visit(page, reverse("plans:priority_detail", args=[priority.pk]), "priority page (admin)")
    walk.visit(page, reverse("plans:action_detail", args=[action.pk]), "action page (admin)")
    walk.visit(page, reverse("plans:milestone_detail", args=[milestone.pk]), "milestone (admin)")
    # Evidence on an update (evidence.views): the milestone page listing a file, the attach
    # page (with its error when no file is chosen, unless a closed quarter froze the update)
    # and the remove page. The file is stored directly, so the walk saves nothing through
    # a form.
    update = milestone.updates.order_by("-created_at", "-pk").first()
    attachment = _evidence_attached(update)
    walk.visit(
        page, reverse("plans:milestone_detail", args=[milestone.pk]), "milestone with evidence"
    )
    walk.visit(page, reverse("evidence:attachment_add", args=[update.pk]), "attach evidence")
    if page.locator("main input[type=file]").count():
        submit(page)
        walk.check(page, "attach evidence with errors", errors=True)
    walk.visit(page, reverse("evidence:attachment_remove", args=[attachment.pk]), "remove evidence")
    walk.visit(page, reverse("plans:item_edit", args=["milestone", milestone.pk]), "edit milestone")
    page.locator("#id_text").fill("")
    submit(page)
    walk.check(page, "edit milestone with errors", errors=True, header=ms_of)
    walk.visit(page, reverse("plans:item_edit", args=["action", action.pk]), "edit action")
    walk.visit(page, reverse("plans:item_add", args=["action", action.pk]), "add a milestone")
    submit(page)
    walk.check(page, "add a milestone with errors", errors=True, header=ms_of)
    walk.visit(page, reverse("plans:item_add", args=["plan", roth.pk]), "add a priority")
    walk.visit(page, reverse("plans:item_withdraw", args=["milestone", milestone.pk]), "withdraw")
    submit(page)
    walk.check(page, "withdraw with errors", errors=True, header=ms_of)
    walk.visit(page, reverse("plans:item_delete", args=["milestone", milestone.pk]), "delete")
    walk.visit(page, reverse("plans:item_reinstate", args=["action", action.pk]), "reinstate")
    renumber = reverse("plans:item_renumber", args=["outcome", outcome.pk])
    walk.visit(page, renumber, "renumber")
    walk.visit(page, renumber + "?style=dotted", "renumber preview")
    walk.visit(page, renumber + "?style=", "renumber with errors", errors=True)
    walk.visit(page, reverse("plans:milestone_list") + "?withdrawn=only", "withdrawn milestones")

    # --- Extras (issues 15 and 16): the audit trail's filters, indicators set up in the product.
    # The plan history filtered (Middlesbrough's import shows as one entry that expands), with
    # dates the wrong way round (errors); adding an indicator (empty: errors) and editing one.
    walk.visit(
        page,
        reverse("plans:plan_history", args=[mb.pk]) + "?item=milestone&change=created",
        "plan history filtered",
        header=MIDDLESBROUGH,
    )
    walk.visit(
        page,
        reverse("plans:plan_history", args=[mb.pk])
        + "?date_from-day=2&date_from-month=1&date_from-year=2020"
        + "&date_to-day=1&date_to-month=1&date_to-year=2020",
        "plan history filtered with errors",
        header=MIDDLESBROUGH,
        errors=True,
    )
    walk.visit(
        page,
        reverse("outcomes:indicator_add", args=[roth.pk]),
        "add an indicator",
        header=ROTHERHAM,
    )
    page.get_by_label("Code").fill("")
    submit(page)
    walk.check(page, "add an indicator with errors", errors=True, header=ROTHERHAM)
    walk.visit(
        page,
        reverse("outcomes:indicator_edit", args=[indicator.pk]),
        "edit an indicator",
        header=ROTHERHAM,
    )

    walk.visit(
        page,
        reverse("reporting:period_meeting", args=[closed.pk]),
        "board meeting for a pack's cover",
        header=MIDDLESBROUGH,
    )
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2020")
    submit(page)
    walk.check(page, "board meeting with errors", errors=True, header=MIDDLESBROUGH)

    # --- The coordinator's review (review.views), as the admin --------------------------------
    # The period's updates filtered, one update's thread with an empty query (errors), then
    # queried, its answer page with an empty answer (errors), and the review settings.
    walk.visit(
        page, reverse("review:review_list", args=[mb.pk]), "review updates", header=MIDDLESBROUGH
    )
    walk.visit(
        page,
        reverse("review:review_list", args=[mb.pk]) + "?status=red&status=amber",
        "review updates filtered",
        header=MIDDLESBROUGH,
    )
    reviewed = MilestoneUpdate.objects.filter(
        milestone__action__outcome__priority__plan=mb
    ).latest()
    walk.visit(page, reverse("review:thread", args=[reviewed.pk]), "review of an update")
    submit(page, "Send the query to the lead")
    walk.check(page, "review of an update with errors", errors=True, header=MIDDLESBROUGH)
    page.get_by_label("Your question for the lead").fill("Please say what happens next and when.")
    submit(page, "Send the query to the lead")
    walk.check(page, "review of a queried update", header=MIDDLESBROUGH)
    walk.visit(page, reverse("review:answer", args=[reviewed.pk]), "answer a query")
    submit(page, "Send your answer")
    walk.check(page, "answer a query with errors", errors=True, header=MIDDLESBROUGH)
    walk.visit(
        page,
        reverse("review:settings", args=[mb.partnership_id]),
        "review settings",
        header=MIDDLESBROUGH,
    )
    # --- end of the review pages ---------------------------------------------------------------

    # --- A plan's life and chasing (plans.views.lifecycle) ------------------------------------
    # Create (with errors), edit (with errors), roll forward and its preview, the reminder
    # round with a previewed message, then archive Rotherham's plan and its unarchive form.
    walk.visit(page, reverse("plans:plan_create"), "create a plan")
    submit(page, "Create the plan")
    walk.check(page, "create a plan with errors", errors=True)
    walk.visit(
        page, reverse("plans:plan_edit", args=[mb.pk]), "change a plan", header=MIDDLESBROUGH
    )
    page.get_by_label("Title").fill("")
    submit(page, "Save changes")
    walk.check(page, "change a plan with errors", errors=True, header=MIDDLESBROUGH)
    walk.visit(
        page,
        reverse("plans:plan_roll_forward", args=[mb.pk]),
        "roll a plan forward",
        header=MIDDLESBROUGH,
    )
    submit(page, "Continue")
    walk.check(page, "roll forward preview", header=MIDDLESBROUGH)
    walk.visit(
        page,
        reverse("plans:reminder_round", args=[mb.pk]),
        "remind everyone who has not updated",
        header=MIDDLESBROUGH,
    )
    if page.get_by_label("Your message (optional)").count():
        page.get_by_label("Your message (optional)").fill("The board meets next week.")
        submit(page, "Preview the email with your message")
        walk.check(page, "reminder preview with a message", header=MIDDLESBROUGH)
    walk.visit(
        page, reverse("plans:plan_archive", args=[roth.pk]), "archive a plan", header=ROTHERHAM
    )
    submit(page, re.compile("^Archive "))
    walk.check(page, "archived plan page", header=ROTHERHAM)
    expect(page.locator("[data-plan-archived]")).to_be_visible()
    walk.visit(
        page,
        reverse("plans:plan_unarchive", args=[roth.pk]),
        "unarchive a plan",
        header=ROTHERHAM,
    )
    submit(page, re.compile("^Unarchive "))
    walk.check(page, "unarchive a plan with errors", errors=True, header=ROTHERHAM)
    # --- end of the plan's life pages ---------------------------------------------------------

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


def test_after_saving_on_a_phone_the_page_does_not_slide_sideways(new_page, demo):
    milestone = demo["lead_milestone"]
    page = new_page()
    page.set_viewport_size(VIEWPORTS["phone"])
    sign_in(page, "demo-lead-safeguarding", "demo-lead-only")
    page.goto(reverse("plans:milestone_update", args=[milestone.pk]))
    page.get_by_label("Amber", exact=True).check()
    page.get_by_label("Progress commentary").fill("Saved on a phone: the review is booked.")
    submit(page, "Save update")

    expect(page.get_by_text("has been saved")).to_be_visible()
    scroll_width, inner_width = page.evaluate(WIDER_THAN_SCREEN)
    assert scroll_width <= inner_width
    assert page.evaluate("() => window.scrollX") == 0
    # The saved row is stacked and labelled, its Update link on the screen.
    row = page.locator(".app-row--saved")
    expect(row).to_be_visible()
    box = row.get_by_role("link", name=re.compile("^Update")).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= inner_width
    label = row.locator("td").nth(1).evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Status"'
