"""The audit trail read back: who changed what, when, before → after (django-simple-history).

Each change is a historical record compared with the record before it of the same item. The
previous record is found with a window function (LAG over the item's history) and fetched in
one more query, so a page costs a fixed number of queries however long the history is.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Model, Q, QuerySet, Window
from django.db.models.functions import Lag

from plans.models import (
    Action,
    Milestone,
    Outcome,
    Plan,
    Priority,
    ReminderRound,
    ReportingPeriod,
)

PAGE_SIZE = 50

# Derived or bookkeeping columns that say nothing to a reader of the audit trail.
_HIDDEN = {"id", "sort_key", "position", "version", "latest_update"}

_TYPE_LABELS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class Change:
    when: datetime
    who: str
    kind: str
    item_label: str
    item_type: str
    changes: list[FieldChange]
    reason: str


def _fields(model: type[Model]):
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in _HIDDEN and not f.name.startswith("history_")
    ]


def _display(field, value, names: dict) -> str:
    if value is None or value == "":
        return "(blank)"
    if field.is_relation:
        return names.get((field.related_model, value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "hour"):
        return value.strftime("%-d %B %Y %H:%M")
    if hasattr(value, "strftime"):
        return value.strftime("%-d %B %Y")
    return str(value)


def _records(history: QuerySet, *, limit: int) -> list:
    """The newest ``limit`` records, each with ``prev_history_id``."""
    records = history.annotate(
        prev_history_id=Window(
            Lag("history_id"),
            partition_by=[F("id")],
            order_by=[F("history_date").asc(), F("history_id").asc()],
        )
    ).select_related("history_user")
    return list(records.order_by("-history_date", "-history_id")[:limit])


@dataclass
class ChangePage:
    changes: list[Change]
    number: int
    has_next: bool


def changes_for(sources: list[tuple[type[Model], Q]], *, page: int = 1) -> ChangePage:
    """One page of the newest changes across several models' histories, each diffed.

    ``sources`` pairs a tracked model with a filter on its historical records. Costs two
    queries per source plus one per related model named in the changes, whatever the page.
    """
    page = max(page, 1)
    limit = page * PAGE_SIZE + 1
    found = []
    for model, condition in sources:
        history_model = model.history.model
        records = _records(history_model.objects.filter(condition), limit=limit)
        prev_ids = [r.prev_history_id for r in records if r.prev_history_id]
        previous = {p.history_id: p for p in history_model.objects.filter(history_id__in=prev_ids)}
        for record in records:
            found.append((model, record, previous.get(record.prev_history_id)))
    found.sort(key=lambda t: (t[1].history_date, t[1].history_id), reverse=True)
    has_next = len(found) > page * PAGE_SIZE
    found = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]

    # Names for foreign keys (leads, organisations…): one query per related model.
    wanted: dict[type[Model], set] = {}
    for model, record, prev in found:
        for field in _fields(model):
            if field.is_relation:
                for rec in (record, prev):
                    value = getattr(rec, field.attname, None) if rec else None
                    if value is not None:
                        wanted.setdefault(field.related_model, set()).add(value)
    names = {}
    for related, ids in wanted.items():
        for obj in related._default_manager.filter(pk__in=ids):
            names[(related, obj.pk)] = str(obj)

    result = []
    for model, record, prev in found:
        changes = []
        for field in _fields(model):
            after = getattr(record, field.attname)
            before_value = getattr(prev, field.attname) if prev else None
            if prev is not None and after == before_value:
                continue
            if prev is None and record.history_type == "+" and after in (None, ""):
                continue
            changes.append(
                FieldChange(
                    label=str(field.verbose_name).capitalize(),
                    before=_display(field, before_value, names) if prev else "",
                    after=_display(field, after, names),
                )
            )
        if record.history_type == "~" and not changes:
            continue  # a save that changed nothing a reader would see
        user = record.history_user
        result.append(
            Change(
                when=record.history_date,
                who=(user.get_full_name() or user.get_username()) if user else "System",
                kind=_TYPE_LABELS.get(record.history_type, record.history_type),
                item_label=_item_label(record),
                item_type=model._meta.verbose_name.capitalize(),
                changes=changes,
                reason=record.history_change_reason or "",
            )
        )
    return ChangePage(changes=result, number=page, has_next=has_next)


def _item_label(record) -> str:
    number = getattr(record, "number", "")
    text = (
        getattr(record, "text", None)
        or getattr(record, "statement", None)
        or getattr(record, "title", None)
        or ""
    )
    if not number and not text:
        return str(record.instance)  # e.g. a reporting period: "2019/20 Q3"
    label = f"{number} {text}".strip()
    return label if len(label) <= 90 else f"{label[:87]}…"


def item_history(*, item: Model, page: int = 1) -> ChangePage:
    """Changes to one milestone, action or outcome, newest first."""
    return changes_for([(type(item), Q(id=item.pk))], page=page)


def plan_history(*, plan: Plan, page: int = 1) -> ChangePage:
    """Changes to a plan and everything in it, including items since deleted, newest first."""
    history = {m: m.history.model.objects for m in (Priority, Outcome, Action)}
    priority_ids = history[Priority].filter(plan_id=plan.pk).values("id")
    outcome_ids = history[Outcome].filter(priority_id__in=priority_ids).values("id")
    action_ids = history[Action].filter(outcome_id__in=outcome_ids).values("id")
    return changes_for(
        [
            (Plan, Q(id=plan.pk)),
            (Priority, Q(id__in=priority_ids)),
            (Outcome, Q(id__in=outcome_ids)),
            (Action, Q(id__in=action_ids)),
            (Milestone, Q(action_id__in=action_ids)),
            # Quarters closed and reopened (with the admin's reason) belong to the plan's story.
            (ReportingPeriod, Q(plan_id=plan.pk)),
            # Admins' reminder rounds from the chase page: who chased, when, with what message.
            (ReminderRound, Q(plan_id=plan.pk)),
        ],
        page=page,
    )
