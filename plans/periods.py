"""Quarters of the UK financial year (Q1 = April–June … Q4 = January–March).

Plain date arithmetic shared by every app: plans uses it for "needs an update this quarter",
reporting for reporting periods and packs, outcomes for indicator periods.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, order=True)
class FinancialQuarter:
    """A quarter of a financial year; ``year`` is the calendar year the financial year starts."""

    year: int
    quarter: int

    def __post_init__(self):
        if self.quarter not in (1, 2, 3, 4):
            raise ValueError(f"A financial quarter is 1 to 4, not {self.quarter}.")

    @classmethod
    def containing(cls, day: date) -> "FinancialQuarter":
        """The financial quarter a day falls in."""
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    @classmethod
    def parse(cls, label: str) -> "FinancialQuarter":
        """Read "2019/20 Q3" (also "Q3 2019/20", "2019-20 q3")."""
        text = label.strip()
        match = re.fullmatch(
            r"(?:(\d{4})\s*[/-]\s*(\d{2,4})\s*[Qq]([1-4]))|(?:[Qq]([1-4])\s*(\d{4})\s*[/-]\s*(\d{2,4}))",
            text,
        )
        if not match:
            raise ValueError(f"'{label}' is not a financial quarter such as '2019/20 Q3'.")
        if match.group(1):
            start, end, quarter = match.group(1), match.group(2), match.group(3)
        else:
            quarter, start, end = match.group(4), match.group(5), match.group(6)
        year = int(start)
        if int(end[-2:]) != (year + 1) % 100:
            raise ValueError(f"'{label}': a financial year runs from one year to the next.")
        return cls(year, int(quarter))

    @property
    def label(self) -> str:
        return f"{self.financial_year_label} Q{self.quarter}"

    @property
    def financial_year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.quarter - 1)
        if month > 12:
            return date(self.year + 1, month - 12, 1)
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        first = self.start
        last_month = first.month + 2
        return date(first.year, last_month, calendar.monthrange(first.year, last_month)[1])

    def next(self) -> "FinancialQuarter":
        return (
            FinancialQuarter(self.year + 1, 1)
            if self.quarter == 4
            else FinancialQuarter(self.year, self.quarter + 1)
        )

    def previous(self) -> "FinancialQuarter":
        return (
            FinancialQuarter(self.year - 1, 4)
            if self.quarter == 1
            else FinancialQuarter(self.year, self.quarter - 1)
        )

    def __str__(self):
        return self.label


def quarters_between(start: date, end: date) -> list[FinancialQuarter]:
    """Every financial quarter that overlaps the days from ``start`` to ``end``."""
    quarters = []
    current = FinancialQuarter.containing(start)
    while current.start <= end:
        quarters.append(current)
        current = current.next()
    return quarters
