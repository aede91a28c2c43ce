"""Writes to the plan's structure: add, edit, move, reorder, renumber, withdraw, delete.

For partnership admins, from the product's own pages (plans/views/structure.py). Every
write here is one transaction, recorded by django-simple-history with who did it and a
reason ("Withdrawn: imported twice"), so the plan's audit trail (plans/audit.py) shows it.

Rules:

- **Withdraw, not delete**, once anything is recorded. An item is withdrawn with a reason
  (``withdrawn_at``/``withdrawn_by``/``withdrawn_reason``; see ``NumberedItem``) and can be
  reinstated. Reads leave withdrawn items and their children out through
  ``Model.objects.live()``. Hard delete (``item_delete``) is only for an item with nothing
  recorded: see ``delete_blockers``.
- **Two admins cannot overwrite each other**: every write names the ``version`` the admin
  saw and bumps it; a stale version raises ``StructureConflict``.
- **Within one plan**: an item moves only under a parent of the same plan.
- **The plan's own numbering** is never changed silently: adding or moving an item leaves
  every other item's number alone; ``Move up``/``Move down`` swaps the places of the two
  items the admin named (their numbers and positions, so the order on every page changes);
  ``renumber`` renumbers one parent's children on request, after a preview.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Model
from django.http import Http404
from django.utils import timezone

from plans.lifecycle import plan_require_open
from plans.models import (
    Action,
    Milestone,
    MilestoneUpdate,
    NumberedItem,
    Outcome,
    Person,
    Plan,
    Priority,
    ReportingPeriod,
)

KINDS: dict[str, type[NumberedItem]] = {
    "priority": Priority,
    "outcome": Outcome,
    "action": Action,
    "milestone": Milestone,
}
# Each kind's parent: the field that holds it and the child kind under each parent kind.
PARENT_FIELD = {
    "priority": "plan",
    "outcome": "priority",
    "action": "outcome",
    "milestone": "action",
}
CHILD_KIND = {"plan": "priority", "priority": "outcome", "outcome": "action", "action": "milestone"}
CHILDREN = {
    "plan": "priorities",
    "priority": "outcomes",
    "outcome": "actions",
    "action": "milestones",
}
# From an item of each kind up to its plan.
PLAN_PATH = {
    "priority": "plan",
    "outcome": "priority__plan",
    "action": "outcome__priority__plan",
    "milestone": "action__outcome__priority__plan",
}


class StructureConflict(Exception):
    """Someone else changed the item since the admin opened the page."""

    def __init__(self, current):
        super().__init__("The item was changed by someone else.")
        self.current = current


def kind_of(item) -> str:
    return next(kind for kind, model in KINDS.items() if isinstance(item, model))


def plan_of(item) -> Plan:
    """The item's plan (or the plan itself), through its already-joined parents."""
    if isinstance(item, Plan):
        return item
    for part in PLAN_PATH[kind_of(item)].split("__"):
        item = getattr(item, part)
    return item


def parent_of(item):
    return getattr(item, PARENT_FIELD[kind_of(item)])


def children_of(parent):
    """The parent's children (live or not), in plan order."""
    kind = "plan" if isinstance(parent, Plan) else kind_of(parent)
    return getattr(parent, CHILDREN[kind]).order_by(*NumberedItem._meta.ordering)


def short_label(item) -> str:
    """The item's number, or the start of its words where it has none (for change reasons)."""
    if item.number:
        return item.number
    text = str(item)
    return text if len(text) <= 30 else f"{text[:29]}…"


def withdrawn_ancestor(item):
    """The nearest withdrawn parent, grandparent… of ``item`` (already joined), or None."""
    kind = kind_of(item)
    while kind != "priority":
        item = parent_of(item)
        kind = kind_of(item)
        if item.withdrawn_at is not None:
            return item
    return None


def _record(item, *, user, reason: str) -> None:
    item._history_user = user
    item._change_reason = reason[:100]
    item.save()


def _bump(item, version: int):
    """Check the admin saw the current version, bump it, and return the item read fresh."""
    model = type(item)
    if not model.objects.filter(pk=item.pk, version=version).update(version=F("version") + 1):
        raise StructureConflict(model.objects.get(pk=item.pk))
    return model.objects.get(pk=item.pk)


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the item is being withdrawn"})
    return reason


# --- Withdraw, reinstate, delete --------------------------------------------------------


def item_withdraw(*, item, user, reason: str, version: int):
    """Take the item (and so everything under it) out of the plan, with a reason."""
    reason = _reason_required(reason)
    plan_require_open(plan=plan_of(item))
    with transaction.atomic():
        current = _bump(item, version)
        if current.withdrawn_at is not None:
            raise ValidationError("This item has already been withdrawn")
        current.withdrawn_at = timezone.now()
        current.withdrawn_by = user
        current.withdrawn_reason = reason
        _record(current, user=user, reason=f"Withdrawn: {reason}")
    return current


def item_reinstate(*, item, user, version: int):
    """Bring a withdrawn item back into the plan, with its children as they were."""
    plan_require_open(plan=plan_of(item))
    with transaction.atomic():
        current = _bump(item, version)
        if current.withdrawn_at is None:
            raise ValidationError("This item is not withdrawn")
        current.withdrawn_at = None
        current.withdrawn_by = None
        current.withdrawn_reason = ""
        _record(current, user=user, reason="Reinstated")
    return current


def delete_blockers(item) -> list[str]:
    """Why the item may not be hard-deleted; empty when nothing has been recorded on it.

    Nothing recorded means: no items under it, no progress updates, no change in its history
    since it was created, and no quarter of its plan closed (so frozen in a snapshot) since
    it was created. Anything else is withdrawn instead, so nothing is ever lost.
    """
    blockers = []
    kind = kind_of(item)
    if kind != "milestone" and children_of(item).exists():
        blockers.append(f"it has {CHILDREN[kind]} under it")
    if kind == "milestone" and MilestoneUpdate.objects.filter(milestone=item).exists():
        blockers.append("it has progress updates")
    records = list(type(item).history.filter(id=item.pk).order_by("history_date"))
    if len(records) > 1:
        blockers.append("it has been changed since it was created")
    created = records[0].history_date if records else None
    closes = ReportingPeriod.history.filter(
        plan_id=plan_of(item).pk, status=ReportingPeriod.Status.CLOSED
    )
    if created is not None:
        closes = closes.filter(history_date__gte=created)
    if closes.exists():
        blockers.append("it is in a closed quarter's board pack")
    return blockers


def item_delete(*, item, user) -> None:
    """Delete an item that has nothing recorded on it (``delete_blockers``), or refuse."""
    plan_require_open(plan=plan_of(item))
    with transaction.atomic():
        current = type(item).objects.select_for_update().get(pk=item.pk)
        blockers = delete_blockers(current)
        if blockers:
            raise ValidationError(
                "This item cannot be deleted because " + " and ".join(blockers) + ". Withdraw it."
            )
        current._history_user = user
        current._change_reason = "Deleted: nothing had been recorded"
        current.delete()


# --- Add and edit -------------------------------------------------------------------------


def _check_same_plan(*, item_or_plan, parent) -> None:
    """Refuse (404) a parent from another plan: ids of other plans are not found here."""
    if plan_of(parent).pk != plan_of(item_or_plan).pk:
        raise Http404("No such item in this plan.")


def _check_people(*, plan: Plan, people) -> None:
    for person in people:
        if person is not None and (
            person.partnership_id != plan.partnership_id or person.removed_at is not None
        ):
            raise Http404("No such person in this partnership.")


def next_number(parent) -> str:
    """A suggestion for a new child's number: the parent's scheme, one after the last child.

    Only a suggestion shown in the form; the admin may type anything.
    """
    kind = "plan" if isinstance(parent, Plan) else kind_of(parent)
    count = children_of(parent).count() + 1
    if kind == "action":
        return f"{chr(ord('a') + count - 1)})" if count <= 26 else str(count)
    prefix = getattr(parent, "number", "")
    if kind == "outcome" and prefix:
        return f"{prefix}.{count}"
    return str(count)


@dataclass
class ItemFields:
    """What an admin may set on an item of each kind (the rest is kept by updates)."""

    values: dict
    leads: list[Person] | None = None  # an action's leads


def item_create(*, parent, user, fields: ItemFields):
    """Add an item under ``parent`` (a plan, priority, outcome or action), last among its
    siblings. No other item is renumbered."""
    kind = CHILD_KIND["plan" if isinstance(parent, Plan) else kind_of(parent)]
    model = KINDS[kind]
    plan = plan_of(parent)
    plan_require_open(plan=plan)
    _check_people(plan=plan, people=list(fields.leads or []) + [fields.values.get("lead")])
    with transaction.atomic():
        last = children_of(parent).aggregate(last=Max("position"))["last"] or 0
        item = model(**{PARENT_FIELD[kind]: parent}, position=last + 1, **fields.values)
        if kind == "milestone" and item.due_date and not item.original_due_date:
            item.original_due_date = item.due_date
        item.full_clean(exclude=[PARENT_FIELD[kind]])
        item._history_user = user
        item._change_reason = "Added"
        item.save()
        if fields.leads is not None:
            item.leads.set(fields.leads)
    return item


def item_edit(*, item, user, version: int, fields: ItemFields, parent=None):
    """Reword, re-lead or move (``parent``: another parent in the same plan) an item."""
    kind = kind_of(item)
    plan = plan_of(item)
    plan_require_open(plan=plan)
    if parent is not None:
        _check_same_plan(item_or_plan=item, parent=parent)
    _check_people(plan=plan, people=list(fields.leads or []) + [fields.values.get("lead")])
    with transaction.atomic():
        current = _bump(item, version)
        reasons = []
        for name, value in fields.values.items():
            if getattr(current, name) != value:
                setattr(current, name, value)
                reasons.append(current._meta.get_field(name).verbose_name)
        old_parent = parent_of(current)
        if parent is not None and parent.pk != old_parent.pk:
            setattr(current, PARENT_FIELD[kind], parent)
            last = children_of(parent).aggregate(last=Max("position"))["last"] or 0
            current.position = last + 1
            reasons.insert(0, f"moved from {short_label(old_parent)} to {short_label(parent)}")
        current.full_clean(exclude=[PARENT_FIELD[kind]])
        if fields.leads is not None:
            before = set(current.leads.values_list("pk", flat=True))
            if before != {p.pk for p in fields.leads}:
                current.leads.set(fields.leads)
                reasons.append("leads")
        _record(
            current,
            user=user,
            reason=("Edited: " + ", ".join(map(str, reasons))) if reasons else "Edited",
        )
    return current


# --- Order and numbering ------------------------------------------------------------------


def item_move(*, item, user, direction: str) -> tuple | None:
    """Swap the item with the live sibling above (``up``) or below (``down``) it.

    The two items swap their numbers and positions, so the order changes on every page and
    pack, and nothing else is renumbered. Returns the two items, or None at either end.
    """
    if direction not in ("up", "down"):
        raise ValidationError("Choose up or down")
    plan_require_open(plan=plan_of(item))
    with transaction.atomic():
        siblings = list(
            children_of(parent_of(item)).filter(withdrawn_at__isnull=True).select_for_update()
        )
        index = next((i for i, s in enumerate(siblings) if s.pk == item.pk), None)
        if index is None:
            raise ValidationError("A withdrawn item has no place in the order")
        other_index = index - 1 if direction == "up" else index + 1
        if not 0 <= other_index < len(siblings):
            return None
        mine, other = siblings[index], siblings[other_index]
        mine.number, other.number = other.number, mine.number
        if mine.position == other.position:
            # Equal positions cannot order two items with the same number: spread them.
            for i, sibling in enumerate(siblings, 1):
                if sibling.pk not in (mine.pk, other.pk):
                    type(sibling).objects.filter(pk=sibling.pk).update(position=i)
                sibling.position = i
        mine.position, other.position = other.position, mine.position
        for moved, partner in ((mine, other), (other, mine)):
            moved.version += 1
            _record(moved, user=user, reason=f"Swapped places with {short_label(partner)}")
    return mine, other


RENUMBER_STYLES = {
    "dotted": "The parent's number, a full stop and 1, 2, 3 … (for example 1.1, 1.2)",
    "numbers": "1, 2, 3 …",
    "letters": "a), b), c) …",
}


def _number_for(style: str, *, parent, index: int) -> str:
    if style == "letters":
        letters = ""
        n = index
        while n:
            n, r = divmod(n - 1, 26)
            letters = chr(ord("a") + r) + letters
        return f"{letters})"
    prefix = getattr(parent, "number", "").rstrip(".")
    if style == "dotted" and prefix:
        return f"{prefix}.{index}"
    return str(index)


@dataclass(frozen=True)
class Renumbering:
    item: NumberedItem
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def renumber_preview(*, parent, style: str) -> list[Renumbering]:
    """The new numbers of the parent's live children in their current order."""
    if style not in RENUMBER_STYLES:
        raise ValidationError({"style": "Choose how to number the items"})
    children = children_of(parent).filter(withdrawn_at__isnull=True)
    return [
        Renumbering(
            item=child, before=child.number, after=_number_for(style, parent=parent, index=i)
        )
        for i, child in enumerate(children, 1)
    ]


def renumber(*, parent, user, style: str) -> int:
    """Renumber the parent's live children as previewed; returns how many numbers changed.

    Positions follow the new order, so two items that had the same number keep their places.
    """
    changed = 0
    plan_require_open(plan=plan_of(parent))
    with transaction.atomic():
        for position, row in enumerate(renumber_preview(parent=parent, style=style), 1):
            item = type(row.item).objects.select_for_update().get(pk=row.item.pk)
            if item.number == row.after and item.position == position:
                continue
            changed += item.number != row.after
            item.number = row.after
            item.position = position
            item.version += 1
            _record(item, user=user, reason=f"Renumbered from {row.before or '(none)'}")
    return changed


def model_for(kind: str) -> type[Model]:
    try:
        return KINDS[kind]
    except KeyError:
        raise Http404("No such kind of item.") from None
