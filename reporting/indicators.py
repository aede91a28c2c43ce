"""The seam to the outcomes app: indicator rows for the scorecard and for snapshots.

``outcomes.selectors.indicator_snapshot(plan=, quarter=)`` returns JSON-serialisable dicts
shaped like its ``ScorecardRow``. Everything the pack needs from an indicator passes through
``normalise_indicator`` here, so a snapshot taken today and the live scorecard read the same
way, and a change of shape in outcomes is absorbed in one place.
"""

from typing import Any

from outcomes.models import Indicator, Polarity
from outcomes.selectors import indicator_snapshot
from plans.models import Plan
from plans.periods import FinancialQuarter


def _text(value: Any) -> str:
    """Symbols-with-text values may arrive as strings, (text, symbol) pairs or small dicts."""
    if value is None:
        return ""
    if isinstance(value, dict):
        parts = [value.get("symbol", ""), value.get("text", value.get("label", ""))]
        return " ".join(str(p) for p in parts if p).strip()
    if isinstance(value, list | tuple):
        return " ".join(str(p) for p in value if p).strip()
    return str(value)


def _comparator(value: Any) -> str:
    if isinstance(value, dict) and "name" in value:
        judgement = _text(value.get("judgement"))
        text = f"{value['name']}: {_text(value.get('value'))}"
        return f"{text} ({judgement})" if judgement else text
    return _text(value)


def _first(row: dict, *keys: str) -> Any:
    for key in keys:
        if row.get(key) not in (None, ""):
            return row[key]
    return None


def normalise_indicator(row: dict, *, polarity_labels: dict | None = None) -> dict:
    """One indicator as plain strings under the keys the packs read.

    Accepts both the ``ScorecardRow`` names (``actual_display``…) and the shorter names of
    ``outcomes.selectors.row_as_dict`` (``actual``, ``period``, ``unit_label``…).
    """
    comparators = row.get("comparators") or []
    if not isinstance(comparators, list | tuple):
        comparators = [comparators]
    polarity = _first(row, "polarity_label") or (polarity_labels or {}).get(
        row.get("polarity"), row.get("polarity")
    )
    return {
        "code": _text(row.get("code")),
        "definition": _text(row.get("definition")),
        "polarity_label": _text(polarity),
        "unit": _text(_first(row, "unit_label", "unit")),
        "latest_period_label": _text(_first(row, "latest_period_label", "period")),
        "actual_display": _text(_first(row, "actual_display", "actual")),
        "target_display": _text(_first(row, "target_display", "target")),
        "on_target": _text(row.get("on_target")),
        "direction": _text(row.get("direction")),
        "comparators": [_comparator(c) for c in comparators],
        "priority_id": row.get("priority_id"),
    }


def indicator_rows(*, plan: Plan, quarter: FinancialQuarter) -> list[dict]:
    """The plan's indicators as at ``quarter``, normalised (empty for a plan with none)."""
    rows = indicator_snapshot(plan=plan, quarter=quarter)
    if not rows:
        return []
    # The snapshot rows do not name their priority; the pack's priority filter needs it.
    priorities = dict(Indicator.objects.filter(plan=plan).values_list("code", "priority_id"))
    labels = dict(Polarity.choices)
    normalised = []
    for row in rows:
        indicator = normalise_indicator(row, polarity_labels=labels)
        if indicator["priority_id"] is None:
            indicator["priority_id"] = priorities.get(row.get("code"))
        normalised.append(indicator)
    return normalised
