"""RAG: the lead's judgement of delivery, and everything the product says about each status.

One place for the order, rank, label, hint and colours of the five statuses; pages, the
update form, "what changed", the board packs (PDF and Excel) and the database constraints
all read them from here.

Decisions, written down once:

- **Order** (``ORDER``, also the order ``RAG`` declares its members in, so ``RAG.choices``
  follows it): Red, Amber, Green, Complete, Not started — worst first, then done, then the
  items with no judgement yet. Not started sorts **last** everywhere: the counts columns,
  the chart, the milestone list's "Status" sort, the filters, the update form's radios.
- **Rank** (``rank``): only a judgement of delivery has one — Red 0 < Amber 1 < Green 2 <
  Complete 3. Not started has none: it says the work has not begun, not how it is going.
- **What changed** (``move``): a move up the rank is *better*, down it *worse*; any move
  to Complete is *completed*. A move from Not started to Red, Amber or Green is *started*,
  neither better nor worse (the first judgement of an item is news, not an improvement).
  A move back to Not started is *worse*: the plan has lost a judgement the lead had made.
- **Kinder than the dates** (``is_kinder``): the update form asks why when a lead chooses
  a status with a higher rank than the one the dates suggest (Red or Amber), or chooses Not
  started instead of it; Complete never needs that reason (it has its own checks).
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Q


class RAG(models.TextChoices):
    """The lead's judgement of delivery, in the order boards read it (see ``ORDER``)."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    COMPLETE = "complete", "Complete"
    NOT_STARTED = "not_started", "Not started"


@dataclass(frozen=True)
class Status:
    """What the product says about one RAG status."""

    value: str
    label: str
    hint: str  # the update form's hint under the radio
    rank: int | None  # the judgement's rank, worst 0; None for no judgement (Not started)
    colour: str  # fill colour (GOV.UK tag palette), always with the label beside it
    ink: str  # text colour on that fill
    tag: str  # the tag's class on pages; /rag.css fills it with colour and ink


STATUSES: dict[str, Status] = {
    s.value: s
    for s in (
        Status(
            RAG.RED,
            RAG.RED.label,
            "At risk: will not be delivered without help",
            0,
            "#d4351c",
            "#ffffff",
            "app-rag--red",
        ),
        Status(
            RAG.AMBER,
            RAG.AMBER.label,
            "Some slippage or issues, but recoverable",
            1,
            "#f47738",
            "#0b0c0c",
            "app-rag--amber",
        ),
        Status(RAG.GREEN, RAG.GREEN.label, "On track", 2, "#00703c", "#ffffff", "app-rag--green"),
        Status(
            RAG.COMPLETE, RAG.COMPLETE.label, "Done", 3, "#1d70b8", "#ffffff", "app-rag--complete"
        ),
        Status(
            RAG.NOT_STARTED,
            RAG.NOT_STARTED.label,
            "Work has not begun, or is not yet due",
            None,
            "#b1b4b6",
            "#0b0c0c",
            "app-rag--not-started",
        ),
    )
}

ORDER: list[RAG] = list(RAG)
LABELS: dict[str, str] = {value: s.label for value, s in STATUSES.items()}

BETTER, WORSE, STARTED, COMPLETED = "better", "worse", "started", "completed"


def status_for(value: str) -> Status:
    """The properties of ``value``; an unknown value (a hand-edited snapshot) reads as Not
    started, as the packs always showed it."""
    return STATUSES.get(value, STATUSES[RAG.NOT_STARTED])


def label(value: str) -> str:
    """The status's label; an unknown value is shown as it is."""
    return LABELS.get(value, value)


def order_index(value: str) -> int:
    """The status's place in ``ORDER`` (unknown values after every known one)."""
    return ORDER.index(value) if value in STATUSES else len(ORDER)


def move(old: str, new: str) -> str | None:
    """What a change from ``old`` to ``new`` is in "what changed": better, worse, started,
    completed, or None for no change (see the module's docstring)."""
    if old == new:
        return None
    if new == RAG.COMPLETE:
        return COMPLETED
    old_rank, new_rank = status_for(old).rank, status_for(new).rank
    if old_rank is None:
        return STARTED
    if new_rank is None or new_rank < old_rank:
        return WORSE
    return BETTER


def is_kinder(*, status: str, suggested: str) -> bool:
    """True when ``status`` is kinder than the ``suggested`` one (Complete never is)."""
    suggested_rank = STATUSES[suggested].rank if suggested in STATUSES else None
    if status == RAG.COMPLETE or suggested_rank is None or status not in STATUSES:
        return False
    rank = STATUSES[status].rank
    return rank is None or rank > suggested_rank


def status_constraint(*, name: str, field: str = "status") -> models.CheckConstraint:
    """The database check that ``field`` holds one of the RAG values."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": RAG.values}), name=name)
