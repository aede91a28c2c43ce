from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from django.utils.text import slugify
from openpyxl import load_workbook

from plans.models import ReportingPeriod
from reporting.models import Snapshot
from tests import factories
from tests.reporting.conftest import at, pdf_text


def board_pack_url(s):
    return reverse("reporting:board_pack", kwargs={"pk": s.plan.pk})


def download_url(period, fmt):
    return reverse("reporting:pack_download", kwargs={"pk": period.pk, "fmt": fmt})


def test_a_board_member_sees_the_periods_and_no_admin_actions(client, scenario, board_user):
    client.force_login(board_user)
    page = client.get(board_pack_url(scenario)).content.decode()

    assert "2019/20 Q2" in page and "2019/20 Q3" in page
    assert "Closed" in page and "Open" in page
    assert download_url(scenario.q3, "pdf") in page
    assert reverse("reporting:period_close", kwargs={"pk": scenario.q3.pk}) not in page
    assert reverse("reporting:period_reopen", kwargs={"pk": scenario.q2.pk}) not in page


def test_an_admin_sees_close_and_reopen(client, scenario):
    client.force_login(scenario.admin)
    page = client.get(board_pack_url(scenario)).content.decode()

    assert reverse("reporting:period_close", kwargs={"pk": scenario.q3.pk}) in page
    assert reverse("reporting:period_reopen", kwargs={"pk": scenario.q2.pk}) in page


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("pdf", "application/pdf"), ("xlsx", "spreadsheetml")]
)
def test_a_board_member_downloads_a_closed_quarters_pack(
    client, scenario, board_user, fmt, content_type
):
    client.force_login(board_user)
    response = client.get(download_url(scenario.q2, fmt))

    assert response.status_code == 200
    assert content_type in response["Content-Type"]
    stem = f"{slugify(scenario.plan.partnership.name)}-{slugify(scenario.plan.title)}"
    assert response["Content-Disposition"] == f'attachment; filename="{stem}-2019-20-Q2.{fmt}"'


def test_an_open_quarters_download_is_marked_draft(client, scenario, board_user):
    client.force_login(board_user)
    response = client.get(download_url(scenario.q3, "pdf"))

    assert "DRAFT" in response["Content-Disposition"]
    assert "DRAFT: live data" in pdf_text(response.content)


def test_a_filtered_download_covers_one_organisation(client, scenario, board_user):
    client.force_login(board_user)
    response = client.get(download_url(scenario.q3, "xlsx"), {"organisation": scenario.council.pk})
    wb = load_workbook(BytesIO(response.content))

    organisations = {r[5] for r in wb["Full plan"].iter_rows(min_row=3, values_only=True)}
    assert organisations == {"Middlesbrough Council"}


def test_a_filter_naming_another_plans_priority_is_not_found(client, scenario, board_user):
    other = factories.PriorityFactory()
    client.force_login(board_user)

    response = client.get(download_url(scenario.q3, "pdf"), {"priority": other.pk})

    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["board_pack", "pack_download", "period_changes", "period_close", "period_reopen"]
)
def test_another_partnership_gets_not_found(client, scenario, outsider, name):
    client.force_login(outsider)
    if name == "board_pack":
        url = board_pack_url(scenario)
    elif name == "pack_download":
        url = download_url(scenario.q2, "pdf")
    else:
        url = reverse(f"reporting:{name}", kwargs={"pk": scenario.q2.pk})

    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code in (404, 405)
    scenario.q2.refresh_from_db()
    assert scenario.q2.is_closed


@pytest.mark.parametrize("role", ["board", "lead"])
def test_only_admins_may_close_or_reopen(client, scenario, role):
    user = factories.MembershipFactory(partnership=scenario.plan.partnership, role=role).user
    client.force_login(user)

    close = reverse("reporting:period_close", kwargs={"pk": scenario.q3.pk})
    reopen = reverse("reporting:period_reopen", kwargs={"pk": scenario.q2.pk})
    assert client.get(close).status_code == 403
    assert client.post(close).status_code == 403
    assert client.post(reopen, {"reason": "Because"}).status_code == 403
    assert not Snapshot.objects.filter(period=scenario.q3).exists()
    assert ReportingPeriod.objects.get(pk=scenario.q2.pk).is_closed


def test_an_admin_closes_after_confirming(client, scenario):
    client.force_login(scenario.admin)
    url = reverse("reporting:period_close", kwargs={"pk": scenario.q3.pk})

    confirm = client.get(url)
    assert "Are you sure you want to close 2019/20 Q3?" in confirm.content.decode()
    with time_machine.travel(at(2020, 1, 10, 9), tick=False):
        response = client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == board_pack_url(scenario)
    assert "2019/20 Q3 is closed" in response.content.decode()
    assert Snapshot.objects.filter(period=scenario.q3).count() == 1


def test_reopening_without_a_reason_shows_the_error_and_keeps_the_period_closed(client, scenario):
    client.force_login(scenario.admin)
    url = reverse("reporting:period_reopen", kwargs={"pk": scenario.q2.pk})

    response = client.post(url, {"reason": "  "})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "Enter why the period is being reopened" in page
    assert ReportingPeriod.objects.get(pk=scenario.q2.pk).is_closed


def test_an_admin_reopens_with_a_reason(client, scenario):
    client.force_login(scenario.admin)
    url = reverse("reporting:period_reopen", kwargs={"pk": scenario.q2.pk})

    client.post(url, {"reason": "Police figures were late."})

    period = ReportingPeriod.objects.get(pk=scenario.q2.pk)
    assert not period.is_closed
    assert period.status_reason == "Police figures were late."


def test_an_admin_moves_a_deadline_and_a_bad_date_says_what_to_do(client, scenario):
    client.force_login(scenario.admin)
    url = reverse("reporting:period_deadline", kwargs={"pk": scenario.q3.pk})

    bad = client.post(url, {"deadline-day": "31", "deadline-month": "2", "deadline-year": "2020"})
    assert 'href="#deadline-day">The update deadline must be a real date' in bad.content.decode()
    assert 'value="31"' in bad.content.decode()
    client.post(url, {"deadline-day": "21", "deadline-month": "1", "deadline-year": "2020"})

    assert (
        ReportingPeriod.objects.get(pk=scenario.q3.pk).update_deadline.isoformat() == "2020-01-21"
    )


def test_an_admin_sets_up_a_plans_periods(client, partnership, admin_user):
    plan = factories.PlanFactory(partnership=partnership)
    client.force_login(admin_user)

    client.post(reverse("reporting:periods_generate", kwargs={"pk": plan.pk}))

    assert plan.periods.count() == 4


def test_the_changes_page_lists_what_changed(client, scenario, board_user):
    client.force_login(board_user)
    page = client.get(
        reverse("reporting:period_changes", kwargs={"pk": scenario.q3.pk})
    ).content.decode()

    assert "Compared with the closed quarter 2019/20 Q2." in page
    assert "Worse RAG (2)" in page
    assert "Awaiting the funding decision." in page
    assert "Pilot in two schools" in page


def grow(plan, n):
    priority = factories.PriorityFactory(plan=plan)
    action = factories.ActionFactory(outcome=factories.OutcomeFactory(priority=priority))
    factories.MilestoneFactory.create_batch(n, action=action)


def test_the_board_pack_page_costs_the_same_queries_with_more_periods(
    client, partnership, board_user, django_assert_max_num_queries
):
    from reporting import services

    short = factories.PlanFactory(partnership=partnership)
    long = factories.PlanFactory(
        partnership=partnership, start_date=at(2019, 4, 1).date(), end_date=at(2022, 3, 31).date()
    )
    services.periods_generate(plan=short)
    services.periods_generate(plan=long)
    client.force_login(board_user)

    # 1 of them the two-factor check (mfa.middleware).
    with django_assert_max_num_queries(14) as small:  # 1: the header's signed-in line
        client.get(reverse("reporting:board_pack", kwargs={"pk": short.pk}))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("reporting:board_pack", kwargs={"pk": long.pk}))


def test_pack_downloads_run_outside_any_request_transaction(scenario):
    from django.urls import resolve

    view = resolve(download_url(scenario.q3, "pdf")).func

    assert "default" in view._non_atomic_requests


def test_an_excel_download_costs_the_same_queries_at_two_plan_sizes(
    client, partnership, board_user, django_assert_max_num_queries
):
    from reporting import services

    small = factories.PlanFactory(partnership=partnership)
    big = factories.PlanFactory(partnership=partnership)
    grow(small, 2)
    grow(big, 30)
    small_q3 = services.periods_generate(plan=small)[2]
    big_q3 = services.periods_generate(plan=big)[2]
    client.force_login(board_user)

    # 22 for the pack's data (1 of them whether the partnership flags reviews, review app; 1 the
    # evidence on updates); the rest read the plan's data version and look for a stored copy of
    # this draft, and record the render (a job row, so parallel requests render it once). None
    # grows with the plan.
    with django_assert_max_num_queries(34) as few:
        assert client.get(download_url(small_q3, "xlsx")).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(download_url(big_q3, "xlsx")).status_code == 200
