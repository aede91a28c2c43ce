"""Entering results: who may, the form's errors, and the CSV upload (all or nothing)."""

import logging
from decimal import Decimal as D

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outcomes.models import IndicatorValue
from tests import factories


@pytest.fixture
def plan(partnership):
    return factories.PlanFactory(partnership=partnership)


@pytest.fixture
def owner_user(partnership):
    return factories.MembershipFactory(
        partnership=partnership, role="lead", user__username="owner"
    ).user


@pytest.fixture
def indicator(plan, owner_user, partnership):
    owner = factories.PersonFactory(partnership=partnership, user=owner_user)
    indicator = factories.IndicatorFactory(
        plan=plan, code="NI 45", owner=owner, frequency="quarterly"
    )
    for year, quarter, value in [(2018, 1, "60.0"), (2018, 2, "75.0"), (2019, 1, "65.0")]:
        factories.IndicatorValueFactory(
            indicator=indicator, year=year, quarter=quarter, period_type="quarter", value=D(value)
        )
    factories.IndicatorValueFactory(indicator=indicator, kind="target", year=2019, value=D("70"))
    return indicator


def enter_url(indicator):
    return reverse("outcomes:actual_enter", kwargs={"pk": indicator.pk})


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("admin", 200), ("delegate", 200), ("other_lead", 403), ("board", 403)],
)
def test_who_may_enter_a_result(who, expected, client, partnership, indicator, admin_user):
    users = {"owner": indicator.owner.user, "admin": admin_user}
    if who in ("delegate", "other_lead", "board"):
        role = "board" if who == "board" else "lead"
        user = factories.MembershipFactory(partnership=partnership, role=role).user
        person = factories.PersonFactory(partnership=partnership, user=user)
        if who == "delegate":
            factories.models.Delegation.objects.create(lead=indicator.owner, delegate=person)
        users[who] = user
    client.force_login(users[who])
    assert client.get(enter_url(indicator)).status_code == expected
    response = client.post(enter_url(indicator), {"period": "2019/20 Q2", "status": "value",
                                                  "value": "72"})  # fmt: skip
    assert response.status_code == (302 if expected == 200 else 403)
    saved = IndicatorValue.objects.filter(indicator=indicator, year=2019, quarter=2).exists()
    assert saved is (expected == 200)


def test_a_board_member_named_as_owner_may_not_enter_results_as_for_milestones(
    client, partnership, indicator
):
    """One rule with milestones (plans.access.acting_lead_ids): only leads act for owners."""
    membership = indicator.owner.user.memberships.get(partnership=partnership)
    membership.role = "board"
    membership.save()
    client.force_login(indicator.owner.user)
    assert client.get(enter_url(indicator)).status_code == 403
    assert "Enter a result" not in client.get(indicator.get_absolute_url()).content.decode()


@time_machine.travel("2019-10-15 10:00 +01:00")
def test_owner_adds_next_quarter_and_judgements_and_chart_move(client, indicator):
    client.force_login(indicator.owner.user)
    page = client.get(indicator.get_absolute_url()).content.decode()
    # 2019/20 Q1: 65.0% against the year's target of 70.0% — not on target; up on 60.0%.
    assert "2019/20 Q1" in page
    assert (
        'Not on target\n  <span class="app-judgement__symbol" aria-hidden="true">✗</span>' in page
        and 'Improving\n  <span class="app-judgement__symbol" aria-hidden="true">↑</span>' in page
    )
    assert "19/20 Q2" not in page

    response = client.post(
        enter_url(indicator),
        {"period": "2019/20 Q2", "status": "value", "value": "72.0%", "note": "New provider."},
    )
    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=indicator, year=2019, quarter=2)
    assert (value.value, value.source, value.entered_by) == (D("72.0"), "web", indicator.owner.user)

    page = client.get(response["Location"]).content.decode()
    assert "saved as 72.0%" in page
    # Now 2019/20 Q2: 72.0% beats the target of 70.0% but is down on 75.0% a year before.
    assert "Latest result: 2019/20 Q2" in page
    assert (
        'On target\n  <span class="app-judgement__symbol" aria-hidden="true">✓</span>' in page
        and 'Worsening\n  <span class="app-judgement__symbol" aria-hidden="true">↓</span>' in page
    )
    assert "19/20 Q2</text>" in page  # the chart has a point for the new quarter
    assert "2019/20 Q2 72.0%" in page  # and says so in its description


def test_entering_a_period_again_corrects_it_and_keeps_history(client, indicator):
    client.force_login(indicator.owner.user)
    for figure in ("72", "73"):
        client.post(enter_url(indicator), {"period": "2019/20 Q2", "status": "value",
                                           "value": figure})  # fmt: skip
    value = IndicatorValue.objects.get(indicator=indicator, year=2019, quarter=2)
    assert value.value == D("73")
    assert [h.value for h in value.history.order_by("history_date")] == [D("72"), D("73")]


def test_not_available_is_recorded_without_a_number(client, indicator):
    client.force_login(indicator.owner.user)
    client.post(enter_url(indicator), {"period": "2019/20 Q2", "status": "not_available",
                                       "value": ""})  # fmt: skip
    value = IndicatorValue.objects.get(indicator=indicator, year=2019, quarter=2)
    assert (value.status, value.value) == ("not_available", None)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"period": "", "status": "value", "value": "5"}, "period", "Enter the period"),
        ({"period": "Q2", "status": "value", "value": "5"}, "period", "is not a period"),
        ({"period": "2019/20 Q2", "status": "value", "value": ""}, "value", "Enter the result"),
        ({"period": "2019/20 Q2", "status": "value", "value": "lots"}, "value", "as a number"),
        ({"period": "2019/20 Q2", "status": "value", "value": "N/A"}, "value", "not available"),
    ],
)
def test_form_errors_say_what_to_do_and_keep_what_was_typed(
    client, indicator, data, field, message
):
    client.force_login(indicator.owner.user)
    response = client.post(enter_url(indicator), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html and "There is a problem" in html
    assert message in str(response.context["form"].errors[field])
    if data["value"]:
        assert f'value="{data["value"]}"' in html
    assert not IndicatorValue.objects.filter(indicator=indicator, quarter=2, year=2019).exists()


def upload(client, plan, text, **extra):
    url = reverse("outcomes:values_upload", kwargs={"plan_pk": plan.pk})
    data = {"file": SimpleUploadedFile("values.csv", text.encode(), "text/csv"), **extra}
    return client.post(url, data)


def test_csv_upload_with_errors_lists_them_by_line_and_saves_nothing(
    client, admin_user, plan, indicator
):
    client.force_login(admin_user)
    text = (
        "code,period,value\n"
        "NI 45,2019/20 Q2,72%\n"
        "NI 99,2019/20 Q2,5\n"
        "NI 45,2019/20 Q9,5\n"
        "NI 45,2019/20 Q3,loads\n"
    )
    response = upload(client, plan, text)
    html = response.content.decode()
    assert "Nothing was saved" in html
    errors = {e.line: e.message for e in response.context["csv_errors"]}
    assert set(errors) == {3, 4, 5}
    assert "'NI 99' is not the code of an indicator in this plan" in errors[3]
    assert "not a period we recognise" in errors[4]
    assert "'loads' is not a number" in errors[5]
    assert not IndicatorValue.objects.filter(year=2019, quarter__in=[2, 3]).exists()


def test_csv_upload_previews_then_saves_all_on_confirm(client, admin_user, plan, indicator, caplog):
    caplog.set_level(logging.INFO, logger="security")
    client.force_login(admin_user)
    text = (
        "\ufeffcode,period,value,kind,comparator\n"
        "NI 45,2019/20 Q2,72%,,\n"
        "ni 45,2019/20 Q2,N/A,comparator,National\n"
        "NI 45,2020/21,75,target,\n"
    )
    preview = upload(client, plan, text)
    assert [r.line for r in preview.context["preview"]] == [2, 3, 4]
    assert not IndicatorValue.objects.filter(year=2019, quarter=2).exists()

    url = reverse("outcomes:values_upload", kwargs={"plan_pk": plan.pk})
    done = client.post(url, {"csv_text": preview.context["form"].initial["csv_text"],
                             "confirm": "True"})  # fmt: skip
    assert done.status_code == 302
    assert IndicatorValue.objects.get(kind="actual", year=2019, quarter=2).value == D("72")
    national = IndicatorValue.objects.get(kind="comparator", comparator="National")
    assert national.status == "not_available"
    assert IndicatorValue.objects.get(kind="target", year=2020).source == "csv"
    uploaded = [
        r.security_fields
        for r in caplog.records
        if getattr(r, "security_event", "") == "indicator_values_uploaded"
    ]
    assert uploaded == [
        {"event": "indicator_values_uploaded", "user_id": admin_user.pk, "plan_id": plan.pk}
    ]


def test_csv_upload_refuses_rows_for_indicators_the_lead_does_not_own(
    client, partnership, plan, indicator
):
    other = factories.IndicatorFactory(plan=plan, code="NI 46")
    client.force_login(indicator.owner.user)
    response = upload(client, plan, "code,period,value\nNI 45,2019/20 Q2,1\nNI 46,2019/20 Q2,1\n")
    [error] = response.context["csv_errors"]
    assert error.line == 3 and "You cannot enter results for NI 46" in error.message
    assert not IndicatorValue.objects.filter(
        indicator__in=[indicator, other], year=2019, quarter=2
    ).exists()


def test_csv_upload_is_forbidden_to_members_who_own_nothing(client, board_user, plan, indicator):
    client.force_login(board_user)
    url = reverse("outcomes:values_upload", kwargs={"plan_pk": plan.pk})
    assert client.get(url).status_code == 403


def test_csv_without_the_needed_columns_says_which(client, admin_user, plan, indicator):
    client.force_login(admin_user)
    response = upload(client, plan, "indicator,when,value\nNI 45,2019/20 Q2,1\n")
    [error] = response.context["csv_errors"]
    assert "does not have code, period" in error.message


def test_csv_cell_over_the_csv_modules_limit_is_refused_with_a_sentence(
    client, admin_user, plan, indicator
):
    client.force_login(admin_user)
    text = "code,period,value,note\nNI 45,2019/20 Q2,72%," + "x" * 140_000 + "\n"
    response = upload(client, plan, text)
    assert response.status_code == 200
    messages = [e.message for e in response.context["csv_errors"]]
    assert messages == [
        "Line 2 has a cell of 140,000 characters; a cell may hold at most 10,000. Shorten it "
        "(or close a quotation mark left open before it) and upload the file again."
    ]
    assert "Nothing was saved" in response.content.decode()
    assert not IndicatorValue.objects.filter(year=2019, quarter=2).exists()


def test_csv_value_too_large_for_the_column_is_refused_with_a_sentence(
    client, admin_user, plan, indicator
):
    client.force_login(admin_user)
    text = "code,period,value\nNI 45,2019/20 Q2," + "9" * 400 + "\nNI 45,2019/20 Q3,1.1234567\n"
    response = upload(client, plan, text)
    assert response.status_code == 200
    errors = {e.line: e.message for e in response.context["csv_errors"]}
    assert errors[2] == (
        "The value has 400 digits before the decimal point; a value may have at most 12 "
        "(under a million million)."
    )
    assert errors[3] == "The value has 7 decimal places; give at most 6."
    assert not IndicatorValue.objects.filter(year=2019, quarter__in=[2, 3]).exists()


def test_entry_form_value_too_large_for_the_column_is_refused_with_a_sentence(
    client, admin_user, indicator
):
    client.force_login(admin_user)
    response = client.post(
        enter_url(indicator), {"period": "2019/20 Q2", "status": "value", "value": "9" * 400}
    )
    assert response.status_code == 200
    assert "a value may have at most 12" in response.content.decode()
    assert not IndicatorValue.objects.filter(year=2019, quarter=2).exists()
