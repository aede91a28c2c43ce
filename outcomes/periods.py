"""Periods an indicator value can be for: a financial year, a quarter, or a year to date.

Labels follow the boards' own: "2019/20", "2019/20 Q3", "2019/20 Q3 year to date".
"""

import re
from dataclasses import dataclass
from datetime import date

from django.db import models

from plans.periods import FinancialQuarter


class PeriodType(models.TextChoices):
    YEAR = "year", "Financial year"
    QUARTER = "quarter", "Quarter"
    YEAR_TO_DATE = "ytd", "Year to date"


# Within one end date, a whole year is the fullest figure, then year to date, then a quarter.
_TYPE_RANK = {PeriodType.QUARTER: 0, PeriodType.YEAR_TO_DATE: 1, PeriodType.YEAR: 2}

_PERIOD_RE = re.compile(
    r"(?P<start>\d{4}|\d{2})\s*[/-]\s*(?P<end>\d{2,4})"
    r"(?:\s*Q(?P<quarter>[1-4]))?"
    r"(?:\s*(?P<ytd>YTD|year\s+to\s+date))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class IndicatorPeriod:
    """A financial year (``quarter`` None), one quarter of it, or the year to a quarter's end."""

    year: int
    quarter: int | None = None
    period_type: str = PeriodType.YEAR

    def __post_init__(self):
        if self.period_type == PeriodType.YEAR and self.quarter is not None:
            raise ValueError("A financial year has no quarter.")
        if self.period_type != PeriodType.YEAR and self.quarter not in (1, 2, 3, 4):
            raise ValueError("A quarter or year to date needs a quarter from 1 to 4.")

    @classmethod
    def parse(cls, text: str) -> "IndicatorPeriod":
        """Read "2019/20", "09/10", "2019/20 Q3" or "2019/20 Q3 YTD" ("year to date")."""
        match = _PERIOD_RE.fullmatch(str(text).strip())
        if not match:
            raise ValueError(
                f"'{text}' is not a period we recognise: write a financial year such as "
                "'2019/20', a quarter such as '2019/20 Q3' or a year to date such as "
                "'2019/20 Q3 YTD'."
            )
        start = int(match["start"])
        if len(match["start"]) == 2:
            start += 2000 if start < 70 else 1900
        if int(match["end"][-2:]) != (start + 1) % 100:
            raise ValueError(f"'{text}': a financial year runs from one year to the next.")
        quarter = int(match["quarter"]) if match["quarter"] else None
        if match["ytd"]:
            if quarter is None:
                raise ValueError(f"'{text}': say which quarter the year to date runs to.")
            return cls(start, quarter, PeriodType.YEAR_TO_DATE)
        if quarter is None:
            return cls(start)
        return cls(start, quarter, PeriodType.QUARTER)

    @classmethod
    def of_quarter(cls, quarter: FinancialQuarter) -> "IndicatorPeriod":
        return cls(quarter.year, quarter.quarter, PeriodType.QUARTER)

    @property
    def financial_year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def label(self) -> str:
        if self.period_type == PeriodType.YEAR:
            return self.financial_year_label
        if self.period_type == PeriodType.YEAR_TO_DATE:
            return f"{self.financial_year_label} Q{self.quarter} year to date"
        return f"{self.financial_year_label} Q{self.quarter}"

    @property
    def short_label(self) -> str:
        """For chart axes: "19/20", "19/20 Q3", "19/20 Q3 YTD"."""
        base = f"{self.year % 100:02d}/{(self.year + 1) % 100:02d}"
        if self.period_type == PeriodType.YEAR:
            return base
        suffix = " YTD" if self.period_type == PeriodType.YEAR_TO_DATE else ""
        return f"{base} Q{self.quarter}{suffix}"

    @property
    def end(self) -> date:
        """The last day the period covers."""
        return FinancialQuarter(self.year, self.quarter or 4).end

    @property
    def sort_key(self) -> tuple:
        return (self.end, _TYPE_RANK[PeriodType(self.period_type)])

    def same_period_last_year(self) -> "IndicatorPeriod":
        return IndicatorPeriod(self.year - 1, self.quarter, self.period_type)

    def previous(self) -> "IndicatorPeriod":
        """The period before, of the same type: last year, last quarter, or the YTD before."""
        if self.period_type == PeriodType.YEAR:
            return IndicatorPeriod(self.year - 1)
        before = FinancialQuarter(self.year, self.quarter).previous()
        return IndicatorPeriod(before.year, before.quarter, self.period_type)

    def annual(self) -> "IndicatorPeriod":
        """The financial year this period falls in."""
        return IndicatorPeriod(self.year)

    def __str__(self):
        return self.label
