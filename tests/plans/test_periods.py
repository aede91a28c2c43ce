from datetime import date

import pytest

from plans.periods import FinancialQuarter, quarters_between


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2019, 4, 1), "2019/20 Q1"),
        (date(2019, 6, 30), "2019/20 Q1"),
        (date(2019, 12, 31), "2019/20 Q3"),
        (date(2020, 1, 1), "2019/20 Q4"),
        (date(2020, 3, 31), "2019/20 Q4"),
    ],
)
def test_a_day_falls_in_its_financial_quarter(day, label):
    assert FinancialQuarter.containing(day).label == label


def test_q4_runs_january_to_march_of_the_following_calendar_year():
    q4 = FinancialQuarter.parse("2019/20 Q4")
    assert (q4.start, q4.end) == (date(2020, 1, 1), date(2020, 3, 31))


def test_parse_accepts_quarter_first():
    assert FinancialQuarter.parse("Q3 2019/20") == FinancialQuarter(2019, 3)


def test_parse_refuses_a_year_that_does_not_follow_on():
    with pytest.raises(ValueError, match="one year to the next"):
        FinancialQuarter.parse("2019/21 Q1")


def test_a_plan_year_spans_four_quarters():
    labels = [q.label for q in quarters_between(date(2019, 4, 1), date(2020, 3, 31))]
    assert labels == ["2019/20 Q1", "2019/20 Q2", "2019/20 Q3", "2019/20 Q4"]
