"""Reads for indicator pages, packs and exports: scoped, joined, judged.

Every function here costs a constant number of queries whatever the number of indicators
or values: values are prefetched and judged in Python by ``outcomes.assessment``.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from outcomes.assessment import Assessment, assess, display
from outcomes.judgements import Judgement
from outcomes.models import Indicator, IndicatorSettings, IndicatorValue
from outcomes.periods import IndicatorPeriod
from plans.access import partnership_ids_for
from plans.models import Outcome, Plan, Priority
from plans.periods import FinancialQuarter

DEFAULT_COMPARATOR_THRESHOLD = Decimal("5")


class ComparatorCell(NamedTuple):
    """One comparator on a scorecard row: (name, value_display, judgement)."""

    name: str
    value_display: str
    judgement: Judgement


@dataclass
class ScorecardRow:
    """One indicator on a scorecard, with its latest numbers and judgements as text+symbol.

    ``on_target``, ``direction`` (against the same period last year) and each comparator's
    judgement are ``outcomes.judgements.Judgement`` values: ``.code``, ``.text``,
    ``.symbol`` and ``.tone``. A parent indicator with sub-measures has ``depth`` 0 and its
    sub-measures ``depth`` 1, straight after it.
    """

    indicator: Indicator
    code: str
    definition: str
    depth: int
    polarity_label: str
    unit: str
    latest_period_label: str
    actual_display: str
    target_display: str
    last_year_display: str
    on_target: Judgement
    direction: Judgement
    direction_previous: Judgement
    comparators: list[ComparatorCell] = field(default_factory=list)
    assessment: Assessment | None = None
    has_sub_measures: bool = False


def comparator_threshold(*, partnership_id: int) -> Decimal:
    """The partnership's 'similar to a comparator' threshold in percent (default 5)."""
    found = (
        IndicatorSettings.objects.filter(partnership_id=partnership_id)
        .values_list("comparator_threshold_percent", flat=True)
        .first()
    )
    return DEFAULT_COMPARATOR_THRESHOLD if found is None else found


def plan_for_user(*, user, pk: int) -> Plan:
    """A plan of one of the user's partnerships, or 404."""
    return get_object_or_404(
        Plan.objects.filter(partnership_id__in=partnership_ids_for(user)).select_related(
            "partnership"
        ),
        pk=pk,
    )


def priority_for_plan(*, plan: Plan, pk: int) -> Priority:
    """A priority of ``plan``, or 404."""
    return get_object_or_404(Priority.objects.filter(plan=plan), pk=pk)


def indicators_for_plan(*, plan: Plan, priority: Priority | None = None) -> QuerySet[Indicator]:
    """The plan's indicators (optionally those under one priority) with values prefetched."""
    queryset = (
        Indicator.objects.filter(plan=plan)
        .select_related("owner", "organisation", "parent")
        .prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("pk")),
            Prefetch("outcomes", queryset=plan_outcomes_queryset()),
        )
    )
    if priority is not None:
        queryset = queryset.filter(
            Q(priority=priority)
            | Q(outcomes__priority=priority)
            | Q(parent__priority=priority)
            | Q(parent__outcomes__priority=priority)
        ).distinct()
    return queryset


def plan_outcomes_queryset() -> QuerySet[Outcome]:
    """Outcomes with their priority, for listing what an indicator measures."""
    return Outcome.objects.select_related("priority")


def _tree_order(indicators: list[Indicator]) -> list[tuple[Indicator, int]]:
    """Parents in source order, each followed by its sub-measures."""
    by_pk = {i.pk: i for i in indicators}

    def key(indicator):
        root = by_pk.get(indicator.parent_id) if indicator.parent_id else None
        if root is None:
            return (indicator.position, indicator.pk, 0, 0, 0)
        return (root.position, root.pk, 1, indicator.position, indicator.pk)

    ordered = sorted(indicators, key=key)
    return [(i, 1 if i.parent_id and i.parent_id in by_pk else 0) for i in ordered]


def _row(
    indicator: Indicator, depth: int, assessment: Assessment, has_sub_measures: bool = False
) -> ScorecardRow:
    return ScorecardRow(
        indicator=indicator,
        code=indicator.code,
        definition=indicator.definition,
        depth=depth,
        polarity_label=indicator.get_polarity_display(),
        unit=indicator.unit_label,
        latest_period_label=assessment.period.label if assessment.period else "No results yet",
        actual_display=display(indicator, assessment.actual),
        target_display=display(indicator, assessment.target),
        last_year_display=display(indicator, assessment.last_year_actual),
        on_target=assessment.on_target,
        direction=assessment.direction,
        direction_previous=assessment.direction_previous,
        comparators=[
            ComparatorCell(c.name, c.value_display, c.judgement) for c in assessment.comparators
        ],
        assessment=assessment,
        has_sub_measures=has_sub_measures,
    )


def scorecard(
    *, plan: Plan, priority: Priority | None = None, quarter: FinancialQuarter | None = None
) -> list[ScorecardRow]:
    """The plan's indicators (or one priority's) judged at their latest results.

    With ``quarter`` (a ``plans.periods.FinancialQuarter``) only values for periods ending
    by that quarter's end count, so a past quarter's scorecard can be produced again; None
    means the latest data. Costs a constant number of queries.
    """
    threshold = comparator_threshold(partnership_id=plan.partnership_id)
    as_of = quarter.end if quarter is not None else None
    indicators = list(indicators_for_plan(plan=plan, priority=priority))
    parents = {i.parent_id for i in indicators if i.parent_id}
    rows = []
    for indicator, depth in _tree_order(indicators):
        assessment = assess(
            indicator, indicator.values.all(), threshold_percent=threshold, as_of=as_of
        )
        rows.append(_row(indicator, depth, assessment, indicator.pk in parents))
    return rows


def row_as_dict(row: ScorecardRow) -> dict:
    """A scorecard row as plain JSON-serialisable data."""
    a = row.assessment
    return {
        "code": row.code,
        "definition": row.definition,
        "parent": row.indicator.parent.code if row.indicator.parent_id else None,
        "depth": row.depth,
        "priority_id": reporting_priority_id(row.indicator),
        "polarity": row.indicator.polarity,
        "polarity_label": row.polarity_label,
        "unit": row.indicator.unit,
        "unit_label": row.unit,
        "period": a.period.label if a and a.period else None,
        "latest_period_label": row.latest_period_label,
        "actual": row.actual_display,
        "target": row.target_display,
        "last_year": row.last_year_display,
        "on_target": row.on_target.as_dict(),
        "direction": row.direction.as_dict(),
        "direction_previous": row.direction_previous.as_dict(),
        "comparators": [
            {"name": c.name, "value": c.value_display, "judgement": c.judgement.as_dict()}
            for c in row.comparators
        ],
    }


def reporting_priority_id(indicator: Indicator) -> int | None:
    """The priority an indicator is reported under: its own, its parent's, or its first
    outcome's. Uses only what ``indicators_for_plan`` already loaded."""
    if indicator.priority_id:
        return indicator.priority_id
    if indicator.parent_id and indicator.parent.priority_id:
        return indicator.parent.priority_id
    outcomes = list(indicator.outcomes.all())
    return outcomes[0].priority_id if outcomes else None


def indicator_snapshot(*, plan: Plan, quarter: FinancialQuarter) -> list[dict]:
    """The plan's scorecard as at ``quarter``, as JSON-serialisable dicts for freezing."""
    return [row_as_dict(row) for row in scorecard(plan=plan, quarter=quarter)]


def indicator_for_user(*, user, pk: int) -> Indicator:
    """An indicator of one of the user's partnerships with its values, or 404."""
    queryset = (
        Indicator.objects.filter(plan__partnership_id__in=partnership_ids_for(user))
        .select_related("plan__partnership", "owner__user", "organisation", "parent", "priority")
        .prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("pk")),
            Prefetch("outcomes", queryset=plan_outcomes_queryset()),
            "sub_measures",
        )
    )
    return get_object_or_404(queryset, pk=pk)


def value_table(indicator: Indicator) -> tuple[list[str], list[dict]]:
    """The indicator's values as a table: one row per period, one column per series."""
    columns = ["Baseline", "Target", "Actual"]
    comparator_names: list[str] = []
    by_period: dict[IndicatorPeriod, dict] = {}
    for row in indicator.values.all():
        name = row.comparator if row.kind == "comparator" else row.get_kind_display()
        if row.kind == "comparator" and name not in comparator_names:
            comparator_names.append(name)
        by_period.setdefault(row.period, {})[name] = display(indicator, row)
    used = [c for c in columns if any(c in cells for cells in by_period.values())]
    header = used + comparator_names
    table = [
        {"period": period, "cells": [cells.get(name, "") for name in header]}
        for period, cells in sorted(by_period.items(), key=lambda item: item[0].sort_key)
    ]
    return header, table


def indicators_export(*, plan: Plan) -> list[dict]:
    """Every indicator of the plan with its values by period and the computed judgements."""
    threshold = comparator_threshold(partnership_id=plan.partnership_id)
    result = []
    for indicator, _depth in _tree_order(list(indicators_for_plan(plan=plan))):
        values = list(indicator.values.all())
        latest = assess(indicator, values, threshold_percent=threshold)
        actual_periods = sorted(
            {v.period for v in values if v.kind == "actual"}, key=lambda p: p.sort_key
        )
        judged = []
        for period in actual_periods:
            a = assess(indicator, values, threshold_percent=threshold, period=period)
            judged.append(
                {
                    "period": period.label,
                    "on_target": a.on_target.code,
                    "direction_vs_same_period_last_year": a.direction.code,
                    "direction_vs_previous_period": a.direction_previous.code,
                    "comparators": {c.name: c.judgement.code for c in a.comparators},
                }
            )
        result.append(
            {
                "id": indicator.pk,
                "code": indicator.code,
                "definition": indicator.definition,
                "position": indicator.position,
                "parent": indicator.parent.code if indicator.parent_id else None,
                "priority_id": indicator.priority_id,
                "outcomes": [o.number for o in indicator.outcomes.all()],
                "outcome_ids": [o.pk for o in indicator.outcomes.all()],
                "owner_id": indicator.owner_id,
                "polarity": indicator.polarity,
                "unit": indicator.unit,
                "rate_per": indicator.rate_per,
                "decimal_places": indicator.decimal_places,
                "frequency": indicator.frequency,
                "owner": indicator.owner.name if indicator.owner_id else None,
                "organisation": indicator.organisation.name if indicator.organisation_id else None,
                "source_note": indicator.source_note,
                "tolerance": str(indicator.tolerance) if indicator.tolerance is not None else None,
                "values": [
                    {
                        "kind": v.kind,
                        "comparator": v.comparator or None,
                        "period": v.period.label,
                        "year": v.year,
                        "quarter": v.quarter,
                        "period_type": v.period_type,
                        "value": str(v.value) if v.value is not None else None,
                        "status": v.status,
                        "note": v.note,
                        "source": v.source,
                        "entered_at": v.entered_at.isoformat(),
                    }
                    for v in sorted(values, key=lambda v: (v.period.sort_key, v.kind, v.pk))
                ],
                "latest": {
                    "period": latest.period.label if latest.period else None,
                    "on_target": latest.on_target.code,
                    "direction": latest.direction.code,
                    "comparators": {c.name: c.judgement.code for c in latest.comparators},
                },
                "judgements_by_period": judged,
            }
        )
    return result


def indicator_settings_export(*, plan: Plan) -> dict | None:
    """The partnership's indicator rules (the comparator threshold), or None if never set."""
    settings_row = IndicatorSettings.objects.filter(partnership_id=plan.partnership_id).first()
    if settings_row is None:
        return None
    return {"comparator_threshold_percent": str(settings_row.comparator_threshold_percent)}
