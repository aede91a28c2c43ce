"""Which numbers a judgement uses: the latest result, its target, last year's, comparators."""

from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from outcomes.assessment import assess
from outcomes.models import Indicator
from tests import factories
from tests.outcomes.conftest import FIXTURE


def value(indicator, kind="actual", year=2019, quarter=None, period_type="year", v="50", **kw):
    return factories.IndicatorValueFactory(
        indicator=indicator, kind=kind, year=year, quarter=quarter, period_type=period_type,
        value=None if v is None else D(v), **kw,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("unit", "period_type", "quarter", "expected"),
    [
        ("percentage", "quarter", 2, "on_target"),  # falls back on the year's target
        ("count", "quarter", 2, "not_known"),  # a count's quarter is not the year's target
        ("count", "ytd", 2, "not_known"),
        ("count", "ytd", 4, "on_target"),  # the year to date at Q4 is the year
    ],
)
def test_quarter_judged_against_the_years_target_only_when_it_makes_sense(
    db, unit, period_type, quarter, expected
):
    indicator = factories.IndicatorFactory(unit=unit)
    value(indicator, kind="target", v="40")
    value(indicator, quarter=quarter, period_type=period_type, v="45")
    assert assess(indicator, indicator.values.all(), threshold_percent=D(5)).on_target.code == (
        expected
    )


def test_missing_latest_result_does_not_hide_the_last_reported_one(db):
    indicator = factories.IndicatorFactory()
    value(indicator, year=2018, v="60")
    value(indicator, year=2019, v=None, status="missing")
    a = assess(indicator, indicator.values.all(), threshold_percent=D(5))
    assert a.period.label == "2018/19"


def test_not_available_latest_result_is_judged_not_known(db):
    indicator = factories.IndicatorFactory()
    value(indicator, year=2018, v="60")
    value(indicator, kind="target", v="70")
    value(indicator, year=2019, v=None, status="not_available")
    a = assess(indicator, indicator.values.all(), threshold_percent=D(5))
    assert (a.period.label, a.on_target.code, a.direction.code) == (
        "2019/20",
        "not_known",
        "not_known",
    )


def test_neither_polarity_gets_no_judgements(db):
    indicator = factories.IndicatorFactory(polarity="neither")
    value(indicator, year=2018, v="60")
    value(indicator, v="70")
    value(indicator, kind="target", v="65")
    value(indicator, kind="comparator", comparator="National", v="50")
    a = assess(indicator, indicator.values.all(), threshold_percent=D(5))
    codes = {a.on_target.code, a.direction.code, a.comparators[0].judgement.code}
    assert codes == {"not_judged"}


def test_comparator_uses_latest_figure_at_or_before_the_result(db):
    indicator = factories.IndicatorFactory()
    value(indicator, v="70")
    value(indicator, kind="comparator", comparator="National", year=2017, v="50")
    value(indicator, kind="comparator", comparator="National", year=2018, v="69")
    value(indicator, kind="comparator", comparator="National", year=2020, v="99")
    [national] = assess(indicator, indicator.values.all(), threshold_percent=D(5)).comparators
    assert (national.period.label, national.judgement.code) == ("2018/19", "similar")


def test_import_indicators_command_imports_and_reports(db):
    plan = factories.PlanFactory()
    out = StringIO()
    call_command("import_indicators", str(FIXTURE), plan=plan.pk, dry_run=True, stdout=out)
    assert "15 indicators" in out.getvalue() and "dry run" in out.getvalue()
    assert not Indicator.objects.exists()
    call_command("import_indicators", str(FIXTURE), plan=plan.pk, stdout=StringIO())
    assert Indicator.objects.filter(plan=plan).count() == 15
    with pytest.raises(CommandError, match="no plan with id"):
        call_command("import_indicators", str(FIXTURE), plan=plan.pk + 100)
