"""A new partnership admin runs their partnership's year in the product's own pages, no /admin/.

The admin is new: a member of one partnership with the admin role, neither staff nor superuser,
so the Django admin would not let them in anyway. Every step is a click through the service's
pages from the start page; no address under /admin/ is ever asked for (every request and
navigation of both browsers is recorded).
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db.models import Count
from playwright.sync_api import expect

from plans.models import (
    Action,
    Invitation,
    Membership,
    Milestone,
    Organisation,
    Partnership,
    Person,
    Plan,
    ReminderRound,
    ReportingPeriod,
)
from plans.rag import RAG
from tests.journeys.conftest import two_factor_set_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "fixtures"
    / "rotherham-cypp-2010-positive-contribution.xlsx"
)
PARTNERSHIP = "Rotherham Children and Young People's Board"
TITLE = "CYPP 2026-27 Positive contribution"
LAST_YEAR = "CYPP 2025-26 Positive contribution"


@pytest.fixture
def new_admin(transactional_db):
    partnership = Partnership.objects.create(name=PARTNERSHIP, slug="rotherham-cyp")
    user = get_user_model().objects.create_user(
        "new-admin", "new.admin@rotherham.example", "a-new-admin-password"
    )
    Membership.objects.create(partnership=partnership, user=user, role=Membership.Role.ADMIN)
    assert not user.is_staff and not user.is_superuser
    return user


def record_addresses(page, visited):
    page.on("request", lambda request: visited.append(request.url))
    page.on("framenavigated", lambda frame: visited.append(frame.url))


def fill_date(page, legend, day):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def open_plan(page, title):
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Plans").click()
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()


def open_people(page):
    open_plan(page, TITLE)
    page.get_by_role("link", name=re.compile("^People: who can sign in")).click()
    expect(page.get_by_role("heading", level=1, name="People")).to_be_visible()


def open_milestone(page, plan_title, milestone):
    """Plan page, its structure, the milestone's action, then the milestone."""
    open_plan(page, plan_title)
    page.get_by_role("link", name="Edit plan structure").click()
    page.locator(f'a[href="{milestone.action.get_absolute_url()}"]').first.click()
    page.locator(f'main a[href="{milestone.get_absolute_url()}"]').first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_a_new_admin_runs_the_year_without_the_django_admin(
    new_page, new_admin, live_server, assert_accessible, settings
):
    from datetime import date

    # Invitations and reminders go through the task queue; run its tasks at once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    visited: list[str] = []
    page = new_page()
    record_addresses(page, visited)
    try:
        _journey(page, new_page, visited, live_server, assert_accessible, date)
    except Exception:
        print("Failed at", page.url)
        print(page.locator("main").inner_text()[:3000] if page.locator("main").count() else "")
        raise
    admin = live_server.url + "/admin/"
    assert visited and not [url for url in visited if url.startswith(admin)]


def _journey(page, new_page, visited, live_server, assert_accessible, date):
    partnership = Partnership.objects.get(name=PARTNERSHIP)
    page.goto("/")
    page.get_by_label("Username").fill("new-admin")
    page.get_by_label("Password").fill("a-new-admin-password")
    page.get_by_role("button", name="Sign in").click()
    two_factor_set_up(page)

    # 1. Create a plan on Plans, then import last year's spreadsheet into it.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Plans").click()
    page.get_by_role("button", name="Create a plan").click()
    expect(page.get_by_role("heading", level=1, name="Create a plan")).to_be_visible()
    assert_accessible(page, "create a plan")
    # One partnership: the plan is for it, no need to choose.
    expect(page.get_by_label("Which partnership is the plan for?")).to_have_count(0)
    page.get_by_label("Title").fill(TITLE)
    fill_date(page, "Start date", date(2026, 4, 1))
    fill_date(page, "End date", date(2027, 3, 31))
    page.get_by_role("button", name="Create the plan").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    plan = Plan.objects.get(title=TITLE, partnership=partnership)

    page.get_by_role("link", name="Import a spreadsheet into this plan").click()
    page.get_by_label("Upload the spreadsheet").set_input_files(FIXTURE)
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("button", name=f"Import into {TITLE}")).to_be_visible()
    assert not Milestone.objects.filter(action__outcome__priority__plan=plan).exists()
    confirm = page.get_by_label("I have checked what each column means")
    if confirm.count():
        confirm.check()
    page.get_by_role("button", name=f"Import into {TITLE}").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    in_plan = Milestone.objects.filter(action__outcome__priority__plan=plan)
    imported = in_plan.count()
    assert imported > 10

    # 2. A row that is not a milestone (a total, say) came in: withdraw it with a reason.
    wrong = (
        in_plan.filter(text__icontains="total").order_by("pk").first()
        or in_plan.order_by("-pk").first()
    )
    open_milestone(page, TITLE, wrong)
    page.get_by_role("link", name="Withdraw this milestone").click()
    page.get_by_label("Why is it being withdrawn?").fill("Imported by mistake: not a milestone")
    page.get_by_role("button", name="Withdraw milestone").click()
    expect(page.locator("#withdrawn")).to_contain_text("Imported by mistake")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.locator("main").get_by_text(wrong.text[:40], exact=False)).to_have_count(0)
    assert not Milestone.objects.live().filter(pk=wrong.pk).exists()
    assert Milestone.objects.live().filter(action__outcome__priority__plan=plan).count() == (
        imported - 1
    )

    # 3. People: add an organisation, then a lead in it with an e-mail address.
    open_people(page)
    page.get_by_role("link", name=re.compile("^Organisations: add")).click()
    page.get_by_role("link", name="Add an organisation").click()
    page.get_by_label("Name of the organisation").fill("Rotherham Youth Cabinet")
    page.get_by_role("button", name="Add organisation").click()
    expect(page.get_by_text("Rotherham Youth Cabinet").first).to_be_visible()
    assert Organisation.objects.filter(partnership=partnership, name="Rotherham Youth Cabinet")
    open_people(page)
    page.get_by_role("link", name=re.compile("^Add a person")).click()
    page.get_by_label("Name", exact=True).fill("Priya Shah")
    page.get_by_label("Role or job title (optional)").fill("Youth participation officer")
    page.get_by_label("Organisation (optional)").select_option(label="Rotherham Youth Cabinet")
    page.get_by_label("Email address (optional)").fill("priya.shah@rotherham.example")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_text("priya.shah@rotherham.example").first).to_be_visible()
    priya = Person.objects.get(partnership=partnership, name="Priya Shah")
    assert priya.email == "priya.shah@rotherham.example"
    assert priya.organisation.name == "Rotherham Youth Cabinet"
    assert_accessible(page, "people")

    # 4. Invite a board member; they accept in their own browser and sign in.
    open_people(page)
    page.get_by_role("link", name=re.compile("^Invitations: invite")).click()
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Email address").fill("board.member@rotherham.example")
    page.get_by_label("Their name (optional)").fill("Bea Board")
    page.get_by_role("group", name="What will they do?").get_by_label(
        re.compile("^Board member", re.I)
    ).check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("board.member@rotherham.example").first).to_be_visible()
    invitation = Invitation.objects.get(email="board.member@rotherham.example")
    assert invitation.role == Membership.Role.BOARD
    sent = [m for m in mail.outbox if "board.member@rotherham.example" in m.to]
    assert len(sent) == 1
    link = re.search(r"https?://\S+", sent[0].body).group(0)
    assert link.startswith(live_server.url)

    board = new_page()
    record_addresses(board, visited)
    board.goto(link)  # the invitee follows the link in their e-mail
    expect(board.get_by_role("heading", level=1, name=f"Join {PARTNERSHIP}")).to_be_visible()
    board.get_by_label("Your name").fill("Bea Board")
    board.get_by_label("Choose a password").fill("bea-board-long-password")
    board.get_by_label("Type the password again").fill("bea-board-long-password")
    board.get_by_role("button", name="Set up my account").click()
    expect(board.locator(".govuk-notification-banner")).to_contain_text(
        "Your account has been set up"
    )
    # Signed in by setting up; sign out, then sign in again as they will next time.
    expect(board.get_by_role("heading", level=1, name="Plans")).to_be_visible()  # signed in
    board.get_by_role("button", name="Sign out").click()
    board.get_by_label("Username").fill("board.member@rotherham.example")
    board.get_by_label("Password").fill("bea-board-long-password")
    board.get_by_role("button", name="Sign in").click()
    # A board member goes straight to the home page: no two-factor set-up, unlike an admin.
    expect(board.get_by_role("heading", level=1, name=PARTNERSHIP)).to_be_visible()
    expect(board.locator("[data-signed-in]")).to_have_text("Bea Board")
    board.get_by_role("navigation", name="Menu").get_by_role("link", name="Plans").click()
    expect(board.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    expect(board.get_by_role("link", name="Create a plan")).to_have_count(0)
    member = Membership.objects.get(partnership=partnership, user__email=invitation.email)
    assert member.role == Membership.Role.BOARD
    assert not member.user.is_staff

    # 5. Reword an action and move a milestone to another action (structure pages).
    actions = Action.objects.filter(outcome__priority__plan=plan).order_by("pk")
    source = (
        actions.annotate(count=Count("milestones"))
        .filter(count__gte=2)
        .exclude(milestones=wrong)
        .first()
    )
    target = actions.exclude(pk=source.pk).first()
    moving = source.milestones.order_by("pk").last()
    open_plan(page, TITLE)
    page.get_by_role("link", name="Edit plan structure").click()
    assert_accessible(page, "plan structure")
    page.locator(f'a[href="{source.get_absolute_url()}"]').first.click()
    page.get_by_role("link", name="Edit this action").click()
    page.get_by_label("What will be done").fill("Deliver the youth participation strategy")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Deliver the youth participation strategy").first).to_be_visible()
    assert Action.objects.get(pk=source.pk).text == "Deliver the youth participation strategy"

    page.locator(f'main a[href="{moving.get_absolute_url()}"]').first.click()
    page.get_by_role("link", name="Edit this milestone").click()
    page.get_by_label("Action", exact=True).select_option(str(target.pk))
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
    moving.refresh_from_db()
    assert moving.action_id == target.pk

    # 6. Change a milestone's lead to Priya, then give a leaver's work to her.
    page.get_by_role("link", name="Edit this milestone").click()
    page.get_by_label("Lead", exact=True).select_option(str(priya.pk))
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
    moving.refresh_from_db()
    assert moving.lead_id == priya.pk

    leaver = (
        Person.objects.filter(partnership=partnership)
        .exclude(pk=priya.pk)
        .annotate(count=Count("milestones_led"))
        .filter(count__gte=1)
        .order_by("-count", "pk")
        .first()
    )
    leavers_milestones = set(leaver.milestones_led.values_list("pk", flat=True))
    open_people(page)
    page.get_by_role(
        "link", name=re.compile(r"^Re-assign their work\W+" + re.escape(str(leaver)))
    ).click()
    page.get_by_label("Who takes over?").select_option(str(priya.pk))
    page.get_by_role("button", name="Preview").click()
    give = page.get_by_role("button", name=re.compile(r"^Give \d+ items? to Priya Shah"))
    expect(give).to_be_visible()
    assert_accessible(page, "re-assign preview")
    assert leaver.milestones_led.exists()  # the preview changes nothing
    give.click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    assert not Milestone.objects.filter(lead=leaver).exists()
    assert not leaver.actions_led.exists()
    assert leavers_milestones <= set(
        Milestone.objects.filter(lead=priya).values_list("pk", flat=True)
    )

    # 7. Chase: remind everyone who has not updated, with a preview of the e-mail.
    open_plan(page, TITLE)
    page.get_by_role("link", name="Who has not updated this quarter").click()
    page.get_by_role("button", name="Remind everyone who has not updated").click()
    expect(page.locator("[data-email-preview]")).to_be_visible()
    page.get_by_label("Your message (optional)").fill("Please update before the board meets.")
    page.get_by_role("button", name="Preview the email with your message").click()
    expect(page.locator("[data-email-preview]")).to_contain_text("Please update before the board")
    assert_accessible(page, "reminder preview")
    before = len(mail.outbox)
    page.get_by_role("button", name=re.compile(r"^Send \d+ reminders?")).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Reminders for")
    reminders = [m for m in mail.outbox[before:] if "priya.shah@rotherham.example" in m.to]
    assert len(reminders) == 1
    assert "Please update before the board meets." in reminders[0].body
    assert ReminderRound.objects.filter(plan=plan).count() == 1

    # 8. Close the quarter that has ended (set the quarters up first).
    open_plan(page, TITLE)
    page.get_by_role("link", name="Board packs and quarters").click()
    page.get_by_role("button", name="Set up reporting periods").click()
    page.get_by_role("link", name="Close 2026/27 Q2").click()
    page.get_by_role("button", name="Close 2026/27 Q2").click()
    expect(page.get_by_role("link", name="Reopen 2026/27 Q2")).to_be_visible()
    q2 = ReportingPeriod.objects.get(plan=plan, year=2026, quarter=2)
    assert q2.status == ReportingPeriod.Status.CLOSED and q2.snapshots.exists()

    # 9. Last year's plan: make it (from the home page this time), then archive it.
    page.locator("a.govuk-generic-header__homepage-link").click()  # the header: home
    expect(page.get_by_role("heading", level=2, name="Start a new plan")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Create a plan")).click()
    page.get_by_label("Title").fill(LAST_YEAR)
    fill_date(page, "Start date", date(2025, 4, 1))
    fill_date(page, "End date", date(2026, 3, 31))
    page.get_by_role("button", name="Create the plan").click()
    expect(page.get_by_role("heading", level=1, name=LAST_YEAR)).to_be_visible()
    page.get_by_role("link", name="Archive this plan").click()
    page.get_by_label("Why are you archiving this plan? (optional)").fill("Replaced by 2026-27")
    page.get_by_role("button", name=f"Archive {LAST_YEAR}").click()
    expect(page.get_by_role("heading", level=1, name=LAST_YEAR)).to_be_visible()
    expect(page.get_by_role("link", name="Unarchive this plan")).to_be_visible()
    assert Plan.objects.get(title=LAST_YEAR).archived_at is not None

    # 10. Roll this year's plan forward: preview, confirm, and see next year's plan.
    open_plan(page, TITLE)
    page.get_by_role("link", name="Roll forward into next year's plan").click()
    page.wait_for_url("**/roll-forward/")
    next_title = page.get_by_label("Title").input_value()
    assert next_title and next_title != TITLE
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1, name="Check next year's plan")).to_be_visible()
    page.get_by_role("button", name=f"Create {next_title}").click()
    expect(page.get_by_role("heading", level=1, name=next_title)).to_be_visible()
    expect(page.get_by_text(f"Rolled forward from {TITLE}")).to_be_visible()
    new_plan = Plan.objects.get(title=next_title, partnership=partnership)
    assert new_plan.predecessor_id == plan.pk
    carried = Milestone.objects.filter(action__outcome__priority__plan=new_plan)
    assert carried.exists() and not carried.filter(pk=wrong.pk).exists()
    assert not carried.exclude(status=RAG.NOT_STARTED).exists()
