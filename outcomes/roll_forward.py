"""Next year's plan keeps this year's indicators: the same measures, with their results and
targets so far, so its scorecard still shows the trend (plans.lifecycle's roll-forward hook).

Each indicator is copied with its definition, polarity, unit, owner and organisation; its
priority and outcomes become their copies in next year's plan (or none, where that item
stayed behind); sub-indicators stay under their parent's copy. Every copy has a history row
with the roll-forward's user and reason, as the plan's own items do.
"""

from simple_history.utils import bulk_create_with_history

from outcomes.models import Indicator, IndicatorValue
from outcomes.services import INDICATOR_FIELDS
from plans.lifecycle import LevelCount, RolledForward

# What an admin edits on an indicator, and its place in the table: as columns (owner_id…).
_COPIED_FIELDS = tuple(
    Indicator._meta.get_field(name).attname for name in (*INDICATOR_FIELDS, "position")
)
_VALUE_FIELDS = (
    "kind",
    "year",
    "quarter",
    "period_type",
    "comparator",
    "value",
    "status",
    "note",
    "source",
    "entered_by_id",
    "entered_at",
)


def indicators_preview(plan) -> LevelCount:
    """The preview's row: every indicator goes forward (one query)."""
    return LevelCount("Indicators", Indicator.objects.filter(plan=plan).count(), 0)


def indicators_copy(rolled: RolledForward) -> None:
    """Copy ``rolled.source``'s indicators and their values into ``rolled.new_plan``."""
    marks = {"default_user": rolled.user, "default_change_reason": rolled.reason}
    indicators = list(Indicator.objects.filter(plan=rolled.source).order_by("position", "pk"))
    if not indicators:
        return
    outcome_links = Indicator.outcomes.through.objects.filter(
        indicator__plan=rolled.source, outcome_id__in=rolled.outcomes
    ).values_list("indicator_id", "outcome_id")

    # Parents before their sub-indicators: a wave for each level of the tree.
    copy_of: dict[int, int] = {}
    waiting = indicators
    while waiting:
        wave = [i for i in waiting if i.parent_id is None or i.parent_id in copy_of]
        if not wave:  # a cycle cannot be saved, but never loop on one
            wave = waiting
        made = bulk_create_with_history(
            [
                Indicator(
                    plan=rolled.new_plan,
                    priority_id=rolled.priorities.get(i.priority_id),
                    parent_id=copy_of.get(i.parent_id),
                    **{name: getattr(i, name) for name in _COPIED_FIELDS},
                )
                for i in wave
            ],
            Indicator,
            **marks,
        )
        copy_of.update({old.pk: new.pk for old, new in zip(wave, made, strict=True)})
        waiting = [i for i in waiting if i.pk not in copy_of]

    Indicator.outcomes.through.objects.bulk_create(
        Indicator.outcomes.through(
            indicator_id=copy_of[indicator_id], outcome_id=rolled.outcomes[outcome_id]
        )
        for indicator_id, outcome_id in outcome_links
    )
    values = IndicatorValue.objects.filter(indicator__plan=rolled.source).order_by("pk")
    bulk_create_with_history(
        [
            IndicatorValue(
                indicator_id=copy_of[v.indicator_id],
                **{name: getattr(v, name) for name in _VALUE_FIELDS},
            )
            for v in values.iterator(chunk_size=2000)
        ],
        IndicatorValue,
        batch_size=1000,
        **marks,
    )
