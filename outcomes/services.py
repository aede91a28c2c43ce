"""Writes for indicators: entering results by form or CSV. Judgements are never written."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from outcomes.csv_values import CsvValueRow
from outcomes.models import Indicator, IndicatorValue
from outcomes.periods import IndicatorPeriod


@transaction.atomic
def indicator_value_set(
    *,
    indicator: Indicator,
    kind: str,
    period: IndicatorPeriod,
    value: Decimal | None,
    status: str = IndicatorValue.Status.VALUE,
    comparator: str = "",
    note: str = "",
    user=None,
    source: str = IndicatorValue.Source.WEB,
) -> IndicatorValue:
    """Record (or correct) one value of an indicator for a period; history keeps the old one."""
    if status == IndicatorValue.Status.VALUE and value is None:
        raise ValidationError("Enter a number, or say it is not available.")
    if status != IndicatorValue.Status.VALUE:
        value = None
    if (kind == IndicatorValue.Kind.COMPARATOR) != bool(comparator):
        raise ValidationError("Name the comparator for comparator values, and only for those.")
    row, _created = IndicatorValue.objects.update_or_create(
        indicator=indicator,
        kind=kind,
        year=period.year,
        quarter=period.quarter,
        period_type=period.period_type,
        comparator=comparator,
        defaults={
            "value": value,
            "status": status,
            "note": note,
            "source": source,
            "entered_by": user if user is not None and user.is_authenticated else None,
            "entered_at": timezone.now(),
        },
    )
    return row


def indicator_actual_enter(
    *,
    indicator: Indicator,
    period: IndicatorPeriod,
    value: Decimal | None,
    status: str,
    note: str = "",
    user,
) -> IndicatorValue:
    """An owner or admin enters the actual result of a period from the entry form."""
    return indicator_value_set(
        indicator=indicator,
        kind=IndicatorValue.Kind.ACTUAL,
        period=period,
        value=value,
        status=status,
        note=note,
        user=user,
        source=IndicatorValue.Source.WEB,
    )


@transaction.atomic
def indicator_values_upload(*, rows: list[CsvValueRow], user) -> int:
    """Write every row of a checked CSV upload, all or nothing; returns how many."""
    for row in rows:
        indicator_value_set(
            indicator=row.indicator,
            kind=row.kind,
            period=row.period,
            value=row.value,
            status=row.status,
            comparator=row.comparator,
            note=row.note,
            user=user,
            source=IndicatorValue.Source.CSV,
        )
    return len(rows)
