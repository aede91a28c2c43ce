from decimal import Decimal as D

import pytest

from outcomes.formatting import format_value, parse_value
from outcomes.periods import IndicatorPeriod, PeriodType


@pytest.mark.parametrize(
    ("raw", "status", "value", "is_percentage"),
    [
        ("9.7%", "value", D("9.7"), True),
        ("1,406", "value", D("1406"), False),
        ("-39%", "value", D("-39"), True),
        ("-1.10%", "value", D("-1.10"), True),
        (0.69, "value", D("0.69"), False),
        (1425, "value", D("1425"), False),
        ("N/A", "not_available", None, False),
        ("n/a", "not_available", None, False),
        ("-", "missing", None, False),
        (None, "missing", None, False),
        ("  ", "missing", None, False),
        ("\u22125.0", "value", D("-5.0"), False),
    ],
)
def test_parse_value_reads_cells_as_plans_write_them(raw, status, value, is_percentage):
    parsed = parse_value(raw)
    assert (parsed.status, parsed.value, parsed.is_percentage) == (status, value, is_percentage)


@pytest.mark.parametrize("raw", ["abc", "12..3", "1,2,3", "%", "✓", True])
def test_parse_value_refuses_what_is_not_a_number(raw):
    with pytest.raises(ValueError, match="not a number"):
        parse_value(raw)


def test_format_value():
    assert format_value(D("9.7"), unit="percentage", decimal_places=1) == "9.7%"
    assert format_value(D("1406"), unit="count", decimal_places=0) == "1,406"
    assert format_value(D("-0.001"), unit="percentage", decimal_places=2) == "0.00%"
    assert format_value(None, unit="count", decimal_places=0) == "Not reported"
    assert format_value(None, unit="count", decimal_places=0, status="not_available") == "N/A"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019/20", IndicatorPeriod(2019)),
        ("09/10", IndicatorPeriod(2009)),
        ("2019/20 Q3", IndicatorPeriod(2019, 3, PeriodType.QUARTER)),
        ("2019-2020 q1", IndicatorPeriod(2019, 1, PeriodType.QUARTER)),
        ("2019/20 Q3 YTD", IndicatorPeriod(2019, 3, PeriodType.YEAR_TO_DATE)),
        ("2019/20 Q3 year to date", IndicatorPeriod(2019, 3, PeriodType.YEAR_TO_DATE)),
    ],
)
def test_period_parse(text, expected):
    assert IndicatorPeriod.parse(text) == expected


@pytest.mark.parametrize("text", ["2019/21", "Q3", "2019/20 Q5", "2019/20 YTD", "soon"])
def test_period_parse_refuses_with_a_sentence(text):
    with pytest.raises(ValueError, match="'"):
        IndicatorPeriod.parse(text)


def test_period_order_and_neighbours():
    q4 = IndicatorPeriod(2019, 4, PeriodType.QUARTER)
    year = IndicatorPeriod(2019)
    assert q4.sort_key < year.sort_key < IndicatorPeriod(2020, 1, PeriodType.QUARTER).sort_key
    assert IndicatorPeriod(2019, 1, PeriodType.QUARTER).previous() == IndicatorPeriod(
        2018, 4, PeriodType.QUARTER
    )
    assert q4.same_period_last_year() == IndicatorPeriod(2018, 4, PeriodType.QUARTER)
    assert year.previous() == IndicatorPeriod(2018)
    assert q4.label == "2019/20 Q4" and year.label == "2019/20"
