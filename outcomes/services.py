"""Writes for indicators: entering results by form or CSV. Judgements are never written."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from outcomes.csv_values import CsvValueRow
from outcomes.models import Indicator, IndicatorSettings, IndicatorValue
from outcomes.periods import IndicatorPeriod
from plans.lifecycle import plan_require_open
from plans.models import Organisation, Person, Plan
from security.events import security_event


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
    plan_require_open(plan=indicator.plan)  # an archived plan is read-only
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


def indicator_values_upload(*, rows: list[CsvValueRow], user, plan_id: int) -> int:
    """Write every row of a checked CSV upload, all or nothing; returns how many. Logged once
    the rows are committed."""
    plan_require_open(plan=Plan.objects.get(pk=plan_id))  # an archived plan is read-only
    saved = _values_upload_rows(rows=rows, user=user)
    security_event("indicator_values_uploaded", user_id=user.pk, plan_id=plan_id)
    return saved


@transaction.atomic
def _values_upload_rows(*, rows: list[CsvValueRow], user) -> int:
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


def indicators_json_import(*, data: list[dict], context) -> None:
    """Rebuild a plan's indicators and their values from its JSON export (inside its import).

    Called by ``portability.json_import``; ``context`` maps the
    export's outcome, priority and person ids to the new plan's. Judgements are not imported:
    they follow from the values, as everywhere else.
    """

    plan = context.plan
    organisations = {o.name: o for o in Organisation.objects.filter(partnership=plan.partnership)}
    by_code: dict[str, Indicator] = {}
    for item in data:
        owner_id = context.new_id("person", item.get("owner_id"))
        if owner_id is None and item.get("owner"):
            owner = Person.objects.filter(
                partnership=plan.partnership, name=item["owner"], removed_at__isnull=True
            ).first()
            owner_id = owner.pk if owner else None
        organisation = None
        if item.get("organisation"):
            organisation = organisations.get(item["organisation"])
            if organisation is None:
                organisation = Organisation.objects.create(
                    partnership=plan.partnership, name=item["organisation"]
                )
                organisations[organisation.name] = organisation
        indicator = Indicator.objects.create(
            plan=plan,
            code=item["code"],
            definition=item["definition"],
            position=item.get("position", 0),
            parent=by_code.get(item["parent"]) if item.get("parent") else None,
            priority_id=context.new_id("priority", item.get("priority_id")),
            polarity=item["polarity"],
            unit=item["unit"],
            rate_per=item.get("rate_per"),
            decimal_places=item.get("decimal_places", 0),
            frequency=item["frequency"],
            owner_id=owner_id,
            organisation=organisation,
            source_note=item.get("source_note", ""),
            tolerance=Decimal(item["tolerance"]) if item.get("tolerance") is not None else None,
        )
        by_code[indicator.code] = indicator
        context.record("indicator", item.get("id"), indicator.pk)
        outcome_ids = [context.new_id("outcome", old) for old in item.get("outcome_ids", [])]
        if any(outcome_ids):
            indicator.outcomes.set([pk for pk in outcome_ids if pk])
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(
                    indicator=indicator,
                    kind=v["kind"],
                    year=v["year"],
                    quarter=v.get("quarter"),
                    period_type=v["period_type"],
                    comparator=v.get("comparator") or "",
                    value=Decimal(v["value"]) if v.get("value") is not None else None,
                    status=v["status"],
                    note=v.get("note", ""),
                    source=v.get("source", IndicatorValue.Source.IMPORT),
                    entered_at=parse_datetime(v["entered_at"])
                    if v.get("entered_at")
                    else timezone.now(),
                )
                for v in item.get("values", [])
            ]
        )


def indicator_settings_json_import(*, data: dict | None, context) -> None:
    """Set the partnership's comparator threshold from an export, unless it has its own already."""

    if data:
        IndicatorSettings.objects.get_or_create(
            partnership=context.plan.partnership,
            defaults={
                "comparator_threshold_percent": Decimal(data["comparator_threshold_percent"])
            },
        )


INDICATOR_FIELDS = (
    "code",
    "definition",
    "polarity",
    "unit",
    "rate_per",
    "decimal_places",
    "frequency",
    "owner",
    "organisation",
    "tolerance",
    "source_note",
)


def _values_replace(*, indicator: Indicator, kind: str, rows: list, user) -> None:
    """Make the indicator's ``kind`` values exactly ``rows`` (comparator, period, number):
    each new or changed one through ``indicator_value_set``; one no longer listed deleted
    (its history keeps it)."""
    wanted = {}
    for comparator, period, value in rows:
        wanted[(comparator, period.year, period.quarter, period.period_type)] = (period, value)
    existing = {
        (v.comparator, v.year, v.quarter, v.period_type): v
        for v in IndicatorValue.objects.filter(indicator=indicator, kind=kind)
    }
    for key, row in existing.items():
        if key not in wanted:
            row.delete()
    for key, (period, value) in wanted.items():
        row = existing.get(key)
        if row is not None and row.status == IndicatorValue.Status.VALUE and row.value == value:
            continue
        indicator_value_set(
            indicator=indicator,
            kind=kind,
            period=period,
            value=value,
            comparator=key[0],
            user=user,
            source=IndicatorValue.Source.WEB,
        )


@transaction.atomic
def indicator_save(
    *,
    plan,
    user,
    data: dict,
    targets: list,
    comparators: list,
    indicator: Indicator | None = None,
) -> Indicator:
    """Create (``indicator`` None) or edit an indicator of ``plan``, with its targets by year
    and its comparators, in one transaction; history keeps every earlier version.

    ``data`` holds ``INDICATOR_FIELDS`` and ``outcomes``, already validated
    (``outcomes.forms.IndicatorForm``); the judgements follow from them, never stored.
    """
    if indicator is None:
        indicator = Indicator(plan=plan, position=(plan.indicators.count() + 1))
    elif indicator.plan_id != plan.pk:
        raise ValidationError("That indicator belongs to another plan.")
    for name in INDICATOR_FIELDS:
        setattr(indicator, name, data[name])
    if indicator.unit != "rate":
        indicator.rate_per = None
    indicator.full_clean(
        exclude=["plan", "outcomes", "priority", "parent", "owner", "organisation"]
    )
    indicator.save()
    indicator.outcomes.set(data.get("outcomes") or [])
    _values_replace(indicator=indicator, kind=IndicatorValue.Kind.TARGET, rows=targets, user=user)
    _values_replace(
        indicator=indicator, kind=IndicatorValue.Kind.COMPARATOR, rows=comparators, user=user
    )
    security_event("indicator_saved", user_id=getattr(user, "pk", None), indicator_id=indicator.pk)
    return indicator
