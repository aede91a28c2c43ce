"""Telling higher apps that a plan's data changed, once per transaction, after it commits.

A board pack shows a plan's items, updates, people and indicators; ``reporting`` keeps the
current quarter's packs ready by producing them again after each change. ``plans`` (and
``imports``, ``outcomes``) never import ``reporting``, so a change is recorded here and the
hooks registered from a higher app's ``AppConfig.ready()`` are called once, when the
transaction that made it commits, with every plan it touched.

Two ways in: ``plan_data_changed`` with what is known (plan or partnership ids, or items
whose plan is found only at the commit, so that recording a change costs no query), called
by bulk writes that send no model signals; and the model signals ``reporting`` connects for
single saves and deletes. A transaction rolled back tells nobody.
"""

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction

logger = logging.getLogger(__name__)

_hooks: list[Callable[[set[int]], None]] = []
_local = threading.local()


def register_plan_data_hook(hook: Callable[[set[int]], None]) -> None:
    """Call ``hook(plan_ids)`` after every commit that changed those plans' data (once)."""
    if hook not in _hooks:
        _hooks.append(hook)


@dataclass(eq=False)
class _Changes:
    """What one transaction changed, until it commits."""

    plan_ids: set[int] = field(default_factory=set)
    partnership_ids: set[int] = field(default_factory=set)
    # (model label, path from that model to its plan's id) -> ids of changed rows
    items: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    # The connection's list of commit callbacks this record was queued on: a commit, a
    # rollback or a savepoint's rollback replaces that list, and with it ends the record.
    queue: list | None = None
    told: bool = False

    def plans(self) -> set[int]:
        """Every plan touched: one query per kind of item, one for partnerships."""
        found = set(self.plan_ids)
        for (label, path), ids in self.items.items():
            model = apps.get_model(label)
            found.update(
                model._default_manager.filter(pk__in=ids).values_list(path, flat=True).distinct()
            )
        if self.partnership_ids:
            plan = apps.get_model("plans", "Plan")
            found.update(
                plan.objects.filter(partnership_id__in=self.partnership_ids).values_list(
                    "pk", flat=True
                )
            )
        found.discard(None)
        return found

    def tell(self) -> None:
        """Call the hooks once with every plan changed (queued once per change; runs once)."""
        if self.told:
            return
        self.told = True
        plan_ids = self.plans()
        if not plan_ids:
            return
        for hook in list(_hooks):
            hook(plan_ids)


def _pending(using: str) -> _Changes:
    """This transaction's record of changes (a new one outside a transaction)."""
    changes = _local.__dict__.get("pending")
    connection = connections[using]
    if not connection.in_atomic_block:
        return _Changes()
    if changes is None or changes.told or changes.queue is not connection.run_on_commit:
        changes = _Changes()
        _local.pending = changes
    # Queued with every change rather than once, so that a test's capture of the callbacks
    # queued in its block sees one; only the first to run tells.
    transaction.on_commit(changes.tell, using=using, robust=True)
    changes.queue = connection.run_on_commit
    return changes


def plan_data_changed(
    *,
    plan_ids: Iterable[int] = (),
    partnership_ids: Iterable[int] = (),
    items: Iterable[tuple[str, str, int]] = (),
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Record that these plans' data changed; hooks hear of it once the transaction commits.

    ``items``: ``(model label, path to the plan's id, row id)``, e.g.
    ``("plans.Action", "outcome__priority__plan_id", 12)``, for rows whose plan is looked up
    at the commit. Outside a transaction the hooks are called at once.
    """
    changes = _pending(using)
    changes.plan_ids.update(p for p in plan_ids if p is not None)
    changes.partnership_ids.update(p for p in partnership_ids if p is not None)
    for label, path, pk in items:
        if pk is not None:
            changes.items.setdefault((label, path), set()).add(pk)
    if not connections[using].in_atomic_block:
        try:
            changes.tell()
        except Exception:
            # As robust on_commit callbacks are: a change saved is never undone by a listener.
            logger.exception("A plan data hook failed")
