"""A plan's life in the product: created, edited, archived and back, rolled forward."""

from datetime import date, datetime
from html import unescape

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from plans import lifecycle, reminders
from plans.models import Milestone, Plan, ReportingPeriod
from plans.selectors import period_collecting
from plans.services import milestone_update
from tests import factories
from tests.plans.update_world import build_world

TODAY = datetime(2019, 11, 15, 10, 0)  # 2019/20 Q3


@pytest.fixture(autouse=True)
def fixed_time():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(partnership):
    return build_world(partnership)


@pytest.fixture
def admin(client, world):
    client.force_login(world.admin)
    return client


def dates(prefix: str, day: date) -> dict:
    return {f"{prefix}-day": day.day, f"{prefix}-month": day.month, f"{prefix}-year": day.year}


def plan_form(title="Delivery Plan 2020/21", start=date(2020, 4, 1), end=date(2021, 3, 31)):
    return {"title": title, **dates("start_date", start), **dates("end_date", end)}


# --- Creating and editing ------------------------------------------------------------------


def test_an_admin_creates_a_plan_and_is_offered_the_import_into_it(admin, world):
    listing = admin.get(reverse("plans:plan_list")).content.decode()
    assert f'href="{reverse("plans:plan_create")}"' in listing
    assert "Create a plan" in listing

    response = admin.post(
        reverse("plans:plan_create"), {**plan_form(), "description": "Year two"}, follow=True
    )

    plan = Plan.objects.get(title="Delivery Plan 2020/21")
    assert (plan.partnership, plan.start_date, plan.end_date) == (
        world.partnership,
        date(2020, 4, 1),
        date(2021, 3, 31),
    )
    html = response.content.decode()
    assert "‘Delivery Plan 2020/21’ has been created" in html
    import_url = f"{reverse('imports:import_start')}?plan={plan.pk}"
    assert f'href="{import_url}"' in html
    # The import journey starts with this plan chosen.
    start = admin.get(import_url)
    assert start.context["form"]["plan"].value() == str(plan.pk)
    history = admin.get(reverse("plans:plan_history", args=[plan.pk])).content.decode()
    assert "Created" in history and "Delivery Plan 2020/21" in history


def test_a_new_admin_is_sent_to_create_a_plan_from_home_and_import_not_the_django_admin(
    admin, world
):
    """Home and the import page send a partnership admin (staff or not) to "Create a plan",
    never to /admin/ nor to "ask your service's support team"."""
    create = f'href="{reverse("plans:plan_create")}"'
    for staff in (False, True):
        world.admin.is_staff = staff
        world.admin.save(update_fields=["is_staff"])
        for page in (reverse("home"), reverse("imports:import_start")):
            html = admin.get(page).content.decode()
            assert create in html, (page, staff)
            assert 'href="/admin/' not in html, (page, staff)
            assert "support team" not in html


def test_creating_a_plan_with_bad_input_shows_govuk_errors_and_creates_nothing(admin, world):
    before = Plan.objects.count()
    blank = admin.post(reverse("plans:plan_create"), {})
    assert blank.status_code == 200
    html = unescape(blank.content.decode())
    assert "There is a problem" in html
    assert "Enter the plan's title" in html and "Enter the start date" in html

    backwards = admin.post(
        reverse("plans:plan_create"), plan_form(start=date(2021, 4, 1), end=date(2021, 3, 31))
    )
    assert "The end date must be on or after the start date, 1 April 2021" in unescape(
        backwards.content.decode()
    )
    taken = admin.post(reverse("plans:plan_create"), plan_form(title="action plan 2019"))
    assert "already has a plan with this title" in taken.content.decode()
    assert Plan.objects.count() == before


def test_leads_and_board_members_cannot_create_plans(client, world):
    for user in (world.lead, world.board):
        client.force_login(user)
        assert client.post(reverse("plans:plan_create"), plan_form()).status_code == 403
    assert not Plan.objects.filter(title="Delivery Plan 2020/21").exists()


def test_editing_dates_that_would_leave_out_a_closed_quarter_is_refused(admin, world):
    lifecycle.plan_periods_generate(plan=world.plan)
    ReportingPeriod.objects.filter(plan=world.plan, quarter=1).update(status="closed")

    response = admin.post(
        reverse("plans:plan_edit", args=[world.plan.pk]),
        plan_form(title="Action Plan 2019", start=date(2019, 7, 1), end=date(2020, 3, 31)),
    )

    assert response.status_code == 200
    assert (
        "These dates leave out 2019/20 Q1, already set up (1 closed, with board packs): start "
        "the plan on or before 1 April 2019"
    ) in response.content.decode()
    world.plan.refresh_from_db()
    assert world.plan.start_date == date(2019, 4, 1)


def test_an_admin_renames_a_plan_and_the_audit_trail_shows_it(admin, world):
    response = admin.post(
        reverse("plans:plan_edit", args=[world.plan.pk]),
        plan_form(title="Action Plan 2019/20", start=date(2019, 4, 1), end=date(2020, 6, 30)),
    )
    assert response.status_code == 302
    world.plan.refresh_from_db()
    assert (world.plan.title, world.plan.end_date) == ("Action Plan 2019/20", date(2020, 6, 30))
    history = admin.get(reverse("plans:plan_history", args=[world.plan.pk])).content.decode()
    assert "Action Plan 2019/20" in history and "30 June 2020" in history


# --- Archiving -----------------------------------------------------------------------------


def test_an_archived_plan_is_read_only_chases_no_one_and_keeps_its_packs(admin, world):
    assert period_collecting(plan=world.plan) is not None
    response = admin.post(
        reverse("plans:plan_archive", args=[world.plan.pk]), {"reason": "Replaced by 2020/21"}
    )
    assert response.status_code == 302
    world.plan.refresh_from_db()
    assert world.plan.is_archived

    page = admin.get(reverse("plans:plan_detail", args=[world.plan.pk])).content.decode()
    assert "it is read-only and chases no one" in unescape(page)
    assert reverse("plans:plan_unarchive", args=[world.plan.pk]) in page
    # No chasing: no period collecting, no digest, the chase page says so and offers no button.
    assert period_collecting(plan=world.plan) is None
    digests, unreachable = reminders.reminder_digests()
    assert digests == [] and unreachable == []
    chase = admin.get(reverse("plans:update_compliance", args=[world.plan.pk])).content.decode()
    assert "This plan is archived and is not collecting updates" in chase
    assert reverse("plans:reminder_round", args=[world.plan.pk]) not in chase
    # No updates, by the form or the service.
    client = Client()
    client.force_login(world.lead)
    update_url = reverse("plans:milestone_update", args=[world.milestone.pk])
    assert client.get(update_url).status_code == 403
    with pytest.raises(ValidationError, match="archived"):
        milestone_update(
            milestone=world.milestone,
            user=world.lead,
            expected_version=world.milestone.version,
            status="red",
            commentary="Stuck",
            due_date=world.milestone.due_date,
        )
    assert world.milestone.updates.count() == 0
    detail = client.get(reverse("plans:milestone_detail", args=[world.milestone.pk]))
    assert "Update this milestone" not in detail.content.decode()
    # No imports: the plan is not offered, and the service refuses it.
    start = admin.get(reverse("imports:import_start"))
    assert world.plan not in start.context["form"].fields["plan"].queryset
    # Packs are still there to download.
    period = lifecycle.plan_periods_generate(plan=world.plan)[0]
    client.force_login(world.board)
    pack = client.get(reverse("reporting:pack_download", args=[period.pk, "xlsx"]))
    assert pack.status_code == 200


def test_unarchiving_needs_a_reason_and_both_are_kept_in_history(admin, world):
    admin.post(reverse("plans:plan_archive", args=[world.plan.pk]), {"reason": "Old"})
    url = reverse("plans:plan_unarchive", args=[world.plan.pk])

    refused = admin.post(url, {"reason": "  "})
    assert "Enter why the plan is being unarchived" in refused.content.decode()
    world.plan.refresh_from_db()
    assert world.plan.is_archived

    admin.post(url, {"reason": "Archived by mistake"})
    world.plan.refresh_from_db()
    assert not world.plan.is_archived
    assert period_collecting(plan=world.plan) is not None
    history = admin.get(reverse("plans:plan_history", args=[world.plan.pk])).content.decode()
    assert "Archived by mistake" in history and "Old" in history


# --- Rolling forward -----------------------------------------------------------------------


@pytest.fixture
def last_year(world):
    """The world's plan with one complete milestone beside an unfinished one, an action whose
    milestones are all complete, and an action with no milestones yet."""
    done_here = factories.MilestoneFactory(
        action=world.action,
        number="b)",
        text="Finished research",
        status="complete",
        completed_on=date(2019, 9, 1),
    )
    outcome = world.action.outcome
    finished = factories.ActionFactory(outcome=outcome, number="6.4", text="All done")
    factories.MilestoneFactory(
        action=finished, status="complete", completed_on=date(2019, 8, 1), text="Done"
    )
    empty = factories.ActionFactory(outcome=outcome, number="6.5", text="To be planned")
    finished_priority = factories.PriorityFactory(plan=world.plan, number="9", title="Closed")
    factories.MilestoneFactory(
        action__outcome__priority=finished_priority,
        status="complete",
        completed_on=date(2019, 8, 1),
    )
    return {"done": done_here, "finished": finished, "empty": empty}


def test_the_roll_forward_preview_counts_what_is_copied_and_left_behind(admin, world, last_year):
    url = reverse("plans:plan_roll_forward", args=[world.plan.pk])
    form = admin.get(url)
    assert form.context["form"].initial["title"] == "Action Plan 2020"
    assert form.context["form"].initial["start_date"] == date(2020, 4, 1)

    preview = admin.post(url, {**plan_form(title="Action Plan 2020"), "step": "preview"})

    levels = {
        level.label: (level.copied, level.left_behind)
        for level in preview.context["preview"].levels
    }
    assert levels == {
        "Priorities": (1, 1),
        "Outcomes": (1, 1),
        "Actions": (2, 2),
        "Milestones": (1, 3),
        "Indicators": (0, 0),  # every indicator goes forward (tests/outcomes/test_roll_forward)
    }
    assert "Check next year's plan" in preview.content.decode()
    assert not Plan.objects.filter(title="Action Plan 2020").exists()


def test_rolling_forward_copies_unfinished_items_fresh_and_linked_back(admin, world, last_year):
    world.milestone.due_date = date(2020, 1, 31)
    world.milestone.status = "amber"
    world.milestone.save()
    factories.MilestoneUpdateFactory(milestone=world.milestone, status="amber")
    url = reverse("plans:plan_roll_forward", args=[world.plan.pk])

    response = admin.post(url, {**plan_form(title="Action Plan 2020"), "step": "confirm"})

    new_plan = Plan.objects.get(title="Action Plan 2020")
    assert response.status_code == 302 and response["Location"] == new_plan.get_absolute_url()
    assert new_plan.predecessor == world.plan
    copied = Milestone.objects.get(action__outcome__priority__plan=new_plan)
    assert copied.predecessor == world.milestone
    assert (copied.text, copied.lead, copied.status) == (
        world.milestone.text,
        world.lead_person,
        "not_started",
    )
    assert (copied.due_date, copied.original_due_date) == (date(2020, 1, 31), date(2020, 1, 31))
    assert copied.updates.count() == 0
    assert list(copied.action.leads.all()) == list(world.action.leads.all())
    actions = set(new_plan.priorities.get().outcomes.get().actions.values_list("text", flat=True))
    assert actions == {world.action.text, "To be planned"}  # "All done" stays behind
    assert new_plan.priorities.count() == 1  # the finished priority stays behind
    assert new_plan.periods.count() == 4  # quarters set up as "set up quarters" does
    # The old plan is untouched.
    world.milestone.refresh_from_db()
    assert world.milestone.status == "amber"
    # The new item's page links to last year's and its history.
    page = admin.get(reverse("plans:milestone_detail", args=[copied.pk])).content.decode()
    assert "Carried forward from Action Plan 2019" in page
    assert reverse("plans:milestone_detail", args=[world.milestone.pk]) in page
    history = admin.get(reverse("plans:plan_history", args=[new_plan.pk])).content.decode()
    assert "Rolled forward from Action Plan 2019" in history


def test_rolling_forward_onto_a_title_in_use_creates_nothing(admin, world, last_year):
    factories.PlanFactory(partnership=world.partnership, title="Action Plan 2020")
    before = (Plan.objects.count(), Milestone.objects.count())
    response = admin.post(
        reverse("plans:plan_roll_forward", args=[world.plan.pk]),
        {**plan_form(title="Action Plan 2020"), "step": "confirm"},
    )
    assert "already has a plan with this title" in response.content.decode()
    assert (Plan.objects.count(), Milestone.objects.count()) == before


def test_a_failure_midway_leaves_nothing_half_done(world, last_year, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(lifecycle, "plan_periods_generate", broken)
    before = (Plan.objects.count(), Milestone.objects.count())
    with pytest.raises(RuntimeError):
        lifecycle.plan_roll_forward(
            plan=world.plan,
            user=world.admin,
            title="Action Plan 2020",
            start_date=date(2020, 4, 1),
            end_date=date(2021, 3, 31),
        )
    assert (Plan.objects.count(), Milestone.objects.count()) == before


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Action Plan 2009", "Action Plan 2010"),
        ("Delivery Plan 2019/20", "Delivery Plan 2020/21"),
        ("Children's plan", "Children's plan (next year)"),
    ],
)
def test_next_years_title(title, expected):
    assert lifecycle.next_year_title(title) == expected


@pytest.mark.parametrize("size", [3, 30])
def test_roll_forward_page_costs_the_same_whatever_the_plan_size(
    admin, world, size, django_assert_num_queries
):
    for n in range(size):
        action = factories.ActionFactory(outcome__priority__plan=world.plan, number=str(n))
        action.leads.add(world.lead_person)
        factories.MilestoneFactory(action=action, lead=world.lead_person)
    url = reverse("plans:plan_roll_forward", args=[world.plan.pk])
    # Exact at both sizes: the preview reads each level once (ids only), whatever the size.
    # 1 of them the header's signed-in line, 1 the indicators' count (outcomes' hook).
    with django_assert_num_queries(21):
        response = admin.post(url, {**plan_form(title="Action Plan 2020"), "step": "preview"})
    assert response.context["preview"].milestones_copied == size + 1


def test_an_archived_plans_indicators_take_no_new_results(admin, world):
    indicator = factories.IndicatorFactory(plan=world.plan)
    lifecycle.plan_archive(plan=world.plan, user=world.admin)
    assert admin.get(reverse("outcomes:actual_enter", args=[indicator.pk])).status_code == 403
    upload = reverse("outcomes:values_upload", args=[world.plan.pk])
    assert admin.post(upload, {"csv_text": "x"}).status_code == 403
    assert not indicator.values.exists()


@pytest.mark.parametrize("plans", [2, 20])
def test_the_plan_list_costs_the_same_whatever_the_number_of_plans(
    admin, world, plans, django_assert_num_queries
):
    for n in range(plans):
        plan = factories.PlanFactory(partnership=world.partnership, title=f"Plan {n}")
        if n % 2:
            lifecycle.plan_archive(plan=plan, user=world.admin)
    # Exact (1 of them the two-factor check): a ceiling would hide a lost join.
    with django_assert_num_queries(10):  # 1 of them the header's signed-in line
        response = admin.get(reverse("plans:plan_list"))
    assert response.content.decode().count('govuk-tag--grey">Archived') == plans // 2


def test_a_leads_milestones_in_an_archived_plan_are_not_asked_for(client, world):
    lifecycle.plan_archive(plan=world.plan, user=world.admin)
    client.force_login(world.lead)
    response = client.get(reverse("plans:my_milestones"))
    groups = {key: milestones for key, _label, milestones in response.context["groups"]}
    assert groups["ended"] == [world.milestone]
    assert groups["needs_update"] == [] and groups["overdue"] == []
