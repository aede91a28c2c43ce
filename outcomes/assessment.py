"""Which numbers a judgement is made from: the latest actual, its target, last year's, comparators.

No queries: ``assess`` takes an indicator and the values already loaded for it (selectors
prefetch them), so a scorecard of any length costs the same number of queries.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from outcomes import judgements
from outcomes.formatting import format_value
from outcomes.judgements import Judgement
from outcomes.periods import IndicatorPeriod, PeriodType

ACTUAL = "actual"
TARGET = "target"
BASELINE = "baseline"
COMPARATOR = "comparator"
VALUE = "value"


@dataclass
class ComparatorResult:
    name: str
    value: Decimal | None
    value_display: str
    period: IndicatorPeriod | None
    judgement: Judgement


@dataclass
class Assessment:
    """The judgements about an indicator at its latest reported period (up to ``as_of``)."""

    period: IndicatorPeriod | None
    actual: object | None  # IndicatorValue
    target: object | None
    baseline: object | None
    last_year_actual: object | None
    previous_actual: object | None
    on_target: Judgement
    direction: Judgement  # against the same period last year
    direction_previous: Judgement  # against the period before
    comparators: list[ComparatorResult] = field(default_factory=list)


def _number(row) -> Decimal | None:
    return row.value if row is not None and row.status == VALUE else None


def display(indicator, row) -> str:
    """A value row as shown on pages: "9.7%", "N/A" or "Not reported"."""
    if row is None:
        return "Not reported"
    return format_value(
        row.value, unit=indicator.unit, decimal_places=indicator.decimal_places, status=row.status
    )


def target_for(indicator, targets: dict, period: IndicatorPeriod):
    """The target set for ``period``; a quarter falls back on its year's target when the
    unit does not add up over the year (percentages, rates, ratios), and so does the year to
    date at the fourth quarter for any unit."""
    exact = targets.get(period)
    if exact is not None or period.period_type == PeriodType.YEAR:
        return exact
    year_end = period.period_type == PeriodType.YEAR_TO_DATE and period.quarter == 4
    if indicator.unit != "count" or year_end:
        return targets.get(period.annual())
    return None


def assess(
    indicator,
    values,
    *,
    threshold_percent: Decimal,
    as_of: date | None = None,
    period: IndicatorPeriod | None = None,
) -> Assessment:
    """Judge ``indicator`` at ``period`` (default: its latest actual up to ``as_of``)."""
    rows = [v for v in values if as_of is None or v.period.end <= as_of]
    actuals: dict[IndicatorPeriod, object] = {}
    targets: dict[IndicatorPeriod, object] = {}
    baselines = []
    comparators: dict[str, list] = {}
    for row in rows:
        if row.kind == ACTUAL:
            actuals[row.period] = row
        elif row.kind == TARGET:
            targets[row.period] = row
        elif row.kind == BASELINE:
            baselines.append(row)
        elif row.kind == COMPARATOR:
            comparators.setdefault(row.comparator, []).append(row)

    if period is None:
        reported = [p for p, row in actuals.items() if row.status != "missing"] or list(actuals)
        period = max(reported, key=lambda p: p.sort_key) if reported else None
    actual = actuals.get(period) if period else None
    target = target_for(indicator, targets, period) if period else None
    last_year = actuals.get(period.same_period_last_year()) if period else None
    previous = actuals.get(period.previous()) if period else None
    baseline = max(baselines, key=lambda r: r.period.sort_key) if baselines else None

    polarity, places = indicator.polarity, indicator.decimal_places
    assessment = Assessment(
        period=period,
        actual=actual,
        target=target,
        baseline=baseline,
        last_year_actual=last_year,
        previous_actual=previous,
        on_target=judgements.on_target(
            actual=_number(actual),
            target=_number(target),
            polarity=polarity,
            tolerance=indicator.tolerance,
            decimal_places=places,
        ),
        direction=judgements.direction(
            current=_number(actual),
            earlier=_number(last_year),
            polarity=polarity,
            decimal_places=places,
        ),
        direction_previous=judgements.direction(
            current=_number(actual),
            earlier=_number(previous),
            polarity=polarity,
            decimal_places=places,
        ),
    )
    # Comparators in the order they were first recorded (the source table's order).
    for name in sorted(comparators, key=lambda n: min(r.pk or 0 for r in comparators[n])):
        candidates = [
            r for r in comparators[name] if period is None or r.period.sort_key <= period.sort_key
        ]
        row = max(candidates, key=lambda r: r.period.sort_key) if candidates else None
        assessment.comparators.append(
            ComparatorResult(
                name=name,
                value=_number(row),
                value_display=display(indicator, row),
                period=row.period if row else None,
                judgement=judgements.against_comparator(
                    actual=_number(actual),
                    comparator=_number(row),
                    polarity=polarity,
                    threshold_percent=threshold_percent,
                    decimal_places=places,
                ),
            )
        )
    return assessment
