"""The pack's indicator parts, through outcomes.selectors.indicator_snapshot."""

from decimal import Decimal

import pytest
import time_machine

from reporting import services
from reporting.indicators import normalise_indicator
from reporting.packs import build_pack
from reporting.packs.data import pack_for_period
from tests import factories
from tests.reporting.conftest import at, build_plan, pdf_text


@pytest.fixture
def with_indicator(partnership, admin_user):
    """NI 19 under "Staying Safe": 40 then 50 (higher is better) when Q2 closes."""
    with time_machine.travel(at(2019, 9, 15, 10), tick=False):
        s = build_plan(partnership, admin_user)
        indicator = factories.IndicatorFactory(
            plan=s.plan, priority=s.priorities[0], code="NI 19", definition="Youth re-offending"
        )
        factories.IndicatorValueFactory(indicator=indicator, year=2017, value=Decimal("40"))
        latest = factories.IndicatorValueFactory(
            indicator=indicator, year=2018, value=Decimal("50")
        )
        factories.IndicatorValueFactory(
            indicator=indicator, kind="target", year=2018, value=Decimal("45")
        )
    with time_machine.travel(at(2019, 10, 10, 9), tick=False):
        services.period_close(period=s.q2, user=admin_user)
    s.latest_value = latest
    return s


def test_the_scorecard_is_frozen_with_the_quarter(with_indicator):
    s = with_indicator
    q2 = pack_for_period(period=s.q2)
    [row] = q2["indicators"]
    assert row["code"] == "NI 19"
    assert "On target" in row["on_target"]
    assert "Improving" in row["direction"]

    s.latest_value.value = Decimal("30")
    s.latest_value.save()

    [again] = pack_for_period(period=s.q2)["indicators"]
    assert again == row
    text = pdf_text(build_pack(period_id=s.q2.pk, fmt="pdf"))
    assert "Youth re-offending" in text


def test_an_indicator_whose_direction_turned_is_a_change_of_the_quarter(with_indicator):
    s = with_indicator
    s.latest_value.value = Decimal("30")
    s.latest_value.save()

    changes = pack_for_period(period=s.q3)["changes"]

    [turned] = changes["indicators"]
    assert turned["code"] == "NI 19"
    assert "Improving" in turned["from_direction"]
    assert "Improving" not in turned["direction"]


def test_a_priority_pack_keeps_only_that_prioritys_indicators(with_indicator):
    s = with_indicator
    assert len(pack_for_period(period=s.q2, priority_id=s.priorities[0].pk)["indicators"]) == 1
    assert pack_for_period(period=s.q2, priority_id=s.priorities[1].pk)["indicators"] == []


def test_outcomes_rows_are_read_as_text_and_symbol():
    row = normalise_indicator(
        {
            "code": "NI 112",
            "definition": "Under-18 conceptions",
            "polarity": "lower",
            "unit_label": "rate per 1,000",
            "period": "2018/19",
            "actual": "41.2",
            "target": "39.0",
            "on_target": {"code": "not_on_target", "text": "Not on target", "symbol": "✗"},
            "direction": {"code": "improving", "text": "Improving", "symbol": "↑"},
            "comparators": [
                {"name": "England", "value": "18.2", "judgement": {"text": "Worse", "symbol": "✗"}}
            ],
        },
        polarity_labels={"lower": "Lower is better"},
    )

    assert row["polarity_label"] == "Lower is better"
    assert row["on_target"] == "✗ Not on target"
    assert row["direction"] == "↑ Improving"
    assert row["comparators"] == ["England: 18.2 (✗ Worse)"]
    assert (row["actual_display"], row["latest_period_label"]) == ("41.2", "2018/19")
