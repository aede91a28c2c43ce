"""Scorecard, indicator page and the judgements page: scoped, judged as text and symbol."""

import json
from decimal import Decimal as D

import pytest
from django.urls import reverse

from outcomes.models import IndicatorSettings
from outcomes.selectors import indicator_snapshot, scorecard
from plans.periods import FinancialQuarter
from portability.export import SECTIONS
from tests import factories


@pytest.fixture
def plan(partnership):
    return factories.PlanFactory(partnership=partnership)


def make_indicator(plan, *, code, polarity="higher", actuals=(), targets=(), comparators=()):
    indicator = factories.IndicatorFactory(plan=plan, code=code, polarity=polarity)
    for year, value in actuals:
        factories.IndicatorValueFactory(indicator=indicator, year=year, value=D(value))
    for year, value in targets:
        factories.IndicatorValueFactory(indicator=indicator, kind="target", year=year, value=value)
    for name, year, value in comparators:
        factories.IndicatorValueFactory(
            indicator=indicator, kind="comparator", comparator=name, year=year, value=value
        )
    return indicator


def fill(plan, count):
    for n in range(count):
        make_indicator(
            plan,
            code=f"PI {n}",
            actuals=[(2018, "60"), (2019, "65")],
            targets=[(2019, "70")],
            comparators=[("National", 2019, "64"), ("Statistical neighbours", 2019, "50")],
        )


@pytest.mark.parametrize("count", [3, 30])
def test_scorecard_query_count_does_not_grow(count, plan, django_assert_max_num_queries):
    fill(plan, count)
    with django_assert_max_num_queries(4):
        rows = scorecard(plan=plan)
    assert len(rows) == count


@pytest.mark.parametrize("count", [3, 30])
def test_scorecard_page_query_count_does_not_grow(
    count, client, admin_user, plan, django_assert_max_num_queries
):
    fill(plan, count)
    client.force_login(admin_user)
    url = reverse("outcomes:scorecard", kwargs={"plan_pk": plan.pk})
    # 1 of them the two-factor check (mfa.middleware), 1 the header's signed-in line, 1 whether
    # to offer "Add an indicator", 1 whether the user may upload results (offered only then).
    with django_assert_max_num_queries(17):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("app-scorecard__indicator") == count


def test_scorecard_page_shows_judgements_as_text_and_symbol(client, board_user, plan):
    make_indicator(
        plan, code="NI 45", actuals=[(2008, "72.6"), (2009, "71.0")], targets=[(2009, "75.6")]
    )
    client.force_login(board_user)
    response = client.get(reverse("outcomes:scorecard", kwargs={"plan_pk": plan.pk}))
    html = response.content.decode()
    assert (
        'Not on target\n  <span class="app-judgement__symbol" aria-hidden="true">✗</span>' in html
    )
    assert 'Worsening\n  <span class="app-judgement__symbol" aria-hidden="true">↓</span>' in html
    assert "71.0%" in html and "75.6%" in html
    assert reverse("outcomes:judgements") in html
    # A key says what the symbols mean, so arrows are not mistaken for "higher".
    assert "Key to the judgements" in html and "up is always better" in html


def test_scorecard_as_at_a_quarter_ignores_later_results(plan):
    make_indicator(
        plan,
        code="NI 1",
        actuals=[(2018, "60"), (2019, "65")],
        targets=[(2018, "55"), (2019, "70")],
    )
    [latest] = scorecard(plan=plan)
    [then] = scorecard(plan=plan, quarter=FinancialQuarter(2018, 4))
    [before_any] = scorecard(plan=plan, quarter=FinancialQuarter(2018, 3))
    assert (latest.latest_period_label, latest.on_target.code) == ("2019/20", "not_on_target")
    assert (then.latest_period_label, then.on_target.code) == ("2018/19", "on_target")
    assert before_any.on_target.code == "not_known"


def test_scorecard_per_priority_shows_only_that_priority(client, admin_user, plan):
    first = factories.PriorityFactory(plan=plan)
    second = factories.PriorityFactory(plan=plan)
    outcome = factories.OutcomeFactory(priority=second)
    make_indicator(plan, code="IN FIRST").__class__.objects.filter(code="IN FIRST").update(
        priority=first
    )
    linked = make_indicator(plan, code="IN SECOND")
    linked.outcomes.add(outcome)
    assert [r.code for r in scorecard(plan=plan, priority=second)] == ["IN SECOND"]
    client.force_login(admin_user)
    url = reverse(
        "outcomes:scorecard_priority", kwargs={"plan_pk": plan.pk, "priority_pk": first.pk}
    )
    html = client.get(url).content.decode()
    assert "IN FIRST" in html and "IN SECOND" not in html


def test_partnership_threshold_changes_comparator_judgement(plan, partnership):
    make_indicator(
        plan, code="NI 1", actuals=[(2019, "71.0")], comparators=[("National", 2019, "73.1")]
    )
    assert scorecard(plan=plan)[0].comparators[0].judgement.code == "similar"
    IndicatorSettings.objects.create(partnership=partnership, comparator_threshold_percent=0)
    cell = scorecard(plan=plan)[0].comparators[0]
    assert (cell.name, cell.value_display, cell.judgement.code) == ("National", "73.1%", "worse")


def test_other_partnerships_get_404(client, outsider, plan):
    indicator = make_indicator(plan, code="NI 1", actuals=[(2019, "5")])
    client.force_login(outsider)
    for url in (
        reverse("outcomes:scorecard", kwargs={"plan_pk": plan.pk}),
        reverse("outcomes:indicator_detail", kwargs={"pk": indicator.pk}),
        reverse("outcomes:actual_enter", kwargs={"pk": indicator.pk}),
        reverse("outcomes:values_upload", kwargs={"plan_pk": plan.pk}),
    ):
        assert client.get(url).status_code == 404, url


def test_anonymous_users_are_sent_to_sign_in(client, plan):
    response = client.get(reverse("outcomes:scorecard", kwargs={"plan_pk": plan.pk}))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_indicator_page_has_chart_and_data_table(client, board_user, plan):
    indicator = make_indicator(
        plan,
        code="NI 45",
        actuals=[(2008, "72.6"), (2009, "71.0")],
        targets=[(2009, "75.6")],
        comparators=[("National", 2009, "73.1")],
    )
    client.force_login(board_user)
    html = client.get(indicator.get_absolute_url()).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert "<caption" in html and "2008/09" in html and "73.1%" in html
    assert "Enter a result" not in html  # a board member cannot enter results


def test_judgements_page_states_the_rules_and_the_partnerships_threshold(
    client, board_user, partnership
):
    IndicatorSettings.objects.create(partnership=partnership, comparator_threshold_percent=3)
    client.force_login(board_user)
    html = client.get(reverse("outcomes:judgements")).content.decode()
    assert "How judgements are worked out" in html
    assert "within 3%" in html
    assert "equals the target" in html


def test_snapshot_and_export_are_json_serialisable(plan):
    parent = make_indicator(plan, code="NI 111", polarity="lower")
    child = make_indicator(
        plan, code="NI 111 a", polarity="lower", actuals=[(2008, "374"), (2009, "212")],
        targets=[(2009, "385")], comparators=[("National", 2009, "300")],
    )  # fmt: skip
    child.parent = parent
    child.save()
    snapshot = indicator_snapshot(plan=plan, quarter=FinancialQuarter(2019, 4))
    json.dumps(snapshot)
    assert [row["code"] for row in snapshot] == ["NI 111", "NI 111 a"]
    assert snapshot[1]["on_target"]["code"] == "on_target"
    assert snapshot[1]["parent"] == "NI 111"

    exported = SECTIONS["indicators"](plan=plan)
    json.dumps(exported)
    sub = next(i for i in exported if i["code"] == "NI 111 a")
    assert sub["latest"] == {
        "period": "2009/10",
        "on_target": "on_target",
        "direction": "improving",
        "comparators": {"National": "better"},
    }
    assert [j["period"] for j in sub["judgements_by_period"]] == ["2008/09", "2009/10"]
    assert {"kind": "actual", "value": "212.000000", "period": "2009/10"}.items() <= next(
        v for v in sub["values"] if v["kind"] == "actual" and v["year"] == 2009
    ).items()


def test_snapshot_names_each_rows_priority_without_extra_queries(
    plan, django_assert_max_num_queries
):
    priority = factories.PriorityFactory(plan=plan)
    outcome = factories.OutcomeFactory(priority=priority)
    by_outcome = make_indicator(plan, code="BY OUTCOME", actuals=[(2019, "5")])
    by_outcome.outcomes.add(outcome)
    own = make_indicator(plan, code="OWN", actuals=[(2019, "5")])
    own.priority = priority
    own.save()
    make_indicator(plan, code="NONE", actuals=[(2019, "5")])
    with django_assert_max_num_queries(4):
        snapshot = indicator_snapshot(plan=plan, quarter=FinancialQuarter(2019, 4))
    assert {r["code"]: r["priority_id"] for r in snapshot} == {
        "BY OUTCOME": priority.pk,
        "OWN": priority.pk,
        "NONE": None,
    }
