"""'Download this list': the milestone list's rows as Excel or CSV, with its filters applied,
formula-safe, scoped to the reader's partnerships, in a constant number of queries."""

import csv
from io import BytesIO, StringIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories

pytestmark = pytest.mark.django_db


def url(fmt):
    return reverse("reporting:milestone_list_download", args=[fmt])


@pytest.fixture
def plan(partnership):
    police = factories.OrganisationFactory(partnership=partnership, name="Cleveland Police")
    ann = factories.PersonFactory(partnership=partnership, name="Ann Adams", organisation=police)
    plan = factories.PlanFactory(partnership=partnership, title="Action Plan 2009")
    action = factories.ActionFactory(
        outcome=factories.OutcomeFactory(priority=factories.PriorityFactory(plan=plan))
    )
    red = factories.MilestoneFactory(
        action=action, number="a", text='=HYPERLINK("http://evil")', status="red", lead=ann
    )
    update = factories.MilestoneUpdateFactory(
        milestone=red, status="red", commentary="@SUM(A1) held up by the inspection"
    )
    red.latest_update = update
    red.save()
    factories.MilestoneFactory(action=action, number="b", text="Survey", status="green")
    return plan


def rows_of_csv(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(StringIO(text)))


def test_the_csv_holds_the_filtered_rows_with_formulas_neutralised(client, board_user, plan):
    client.force_login(board_user)
    response = client.get(url("csv"), {"status": "red"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "milestones" in response["Content-Disposition"]
    [row] = rows_of_csv(response)
    assert row["Milestone"] == '\'=HYPERLINK("http://evil")'
    assert row["Latest commentary"] == "'@SUM(A1) held up by the inspection"
    assert (row["Lead"], row["Organisation"], row["RAG"]) == (
        "Ann Adams",
        "Cleveland Police",
        "Red",
    )


def test_the_workbook_holds_text_never_formulas(client, board_user, plan):
    client.force_login(board_user)
    response = client.get(url("xlsx"), {"plan": plan.pk, "sort": "number"})

    sheet = load_workbook(BytesIO(response.content)).active
    assert "Action Plan 2009" in sheet["A1"].value
    header = [c.value for c in sheet[2]]
    milestones = {sheet.cell(row=r, column=header.index("Milestone") + 1) for r in (3, 4)}
    evil = next(c for c in milestones if c.value.startswith("="))
    assert evil.data_type == "s" and evil.quotePrefix
    assert sheet.max_row == 4
    assert response["Content-Disposition"].startswith('attachment; filename="action-plan-2009-')


def test_the_list_page_offers_the_download_with_its_filters_less_the_page(client, board_user, plan):
    client.force_login(board_user)
    page = client.get(reverse("plans:milestone_list"), {"status": "red", "page": "1"})
    html = page.content.decode()
    assert f'href="{url("xlsx")}?status=red"' in html
    assert f'href="{url("csv")}?status=red"' in html


def test_another_partnerships_milestones_are_never_in_the_file(client, outsider, plan):
    client.force_login(outsider)
    assert rows_of_csv(client.get(url("csv"))) == []


def test_another_partnerships_plan_as_a_filter_gives_no_file(client, outsider, plan):
    client.force_login(outsider)
    response = client.get(url("csv"), {"plan": plan.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("plans:milestone_list"))


def test_an_unknown_format_is_not_found(client, board_user):
    client.force_login(board_user)
    assert client.get(url("ods")).status_code == 404


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_download_costs_the_same_queries_at_any_size(
    client, board_user, plan, fmt, django_assert_max_num_queries
):
    client.force_login(board_user)
    with django_assert_max_num_queries(12) as small:
        client.get(url(fmt), {"plan": plan.pk})
    action = plan.priorities.get().outcomes.get().actions.get()
    lead = factories.PersonFactory(
        partnership=plan.partnership,
        organisation=factories.OrganisationFactory(partnership=plan.partnership),
    )
    for n in range(60):
        milestone = factories.MilestoneFactory(action=action, lead=lead, text=f"Step {n}")
        milestone.latest_update = factories.MilestoneUpdateFactory(milestone=milestone)
        milestone.save()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url(fmt), {"plan": plan.pk})
    if fmt == "csv":
        assert len(rows_of_csv(response)) == 62
    else:
        assert load_workbook(BytesIO(response.content)).active.max_row == 2 + 62
