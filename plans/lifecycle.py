"""A plan's life: created, its title and dates edited, archived (and back), rolled forward.

Every write here is a service: keyword-only, in one transaction, checked against the
partnership admin's role, and recorded by django-simple-history with who did it, so the
plan's audit trail (``plans.audit.plan_history``) shows it.

An archived plan is read-only (``plan_require_open``: no updates, no structure edits, no
imports) and chases no one (``plans.selectors.period_collecting`` gives it no period); its
packs stay downloadable. Rolling a plan forward makes next year's plan from this one's
unfinished items, each linked to its predecessor, RAG starting afresh as Not started.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from plans.access import is_partnership_admin
from plans.models import (
    RAG,
    Action,
    Milestone,
    Outcome,
    Partnership,
    Plan,
    Priority,
    ReportingPeriod,
)
from plans.numbering import number_sort_key
from plans.periods import FinancialQuarter, quarters_between
from plans.selectors import deadline_days, plan_owner_choices

# ``plan_edit``'s owner_id when the form does not touch the owner.
UNCHANGED = object()

ARCHIVED_SENTENCE = "This plan is archived, so it cannot be changed. Unarchive it first."


def _require_admin(*, user, partnership_id: int) -> None:
    if not is_partnership_admin(user, partnership_id):
        raise PermissionDenied("Only a partnership admin can do this.")


def plan_require_open(*, plan: Plan) -> None:
    """Refuse any change to an archived plan's content (updates, structure, imports)."""
    if plan.archived_at is not None:
        raise ValidationError(ARCHIVED_SENTENCE, code="archived")


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


# --- Creating and editing a plan --------------------------------------------------------


def plan_fields_errors(
    *,
    partnership_id: int,
    title: str,
    start_date: date | None,
    end_date: date | None,
    plan: Plan | None = None,
) -> dict[str, str]:
    """What is wrong with a plan's title and dates, by field, as sentences saying what to do.

    Editing (``plan`` given) also refuses dates that would leave out quarters already set up
    (closed ones above all): their packs and snapshots belong to the plan's span.
    """
    errors: dict[str, str] = {}
    title = title.strip()
    if not title:
        errors["title"] = "Enter the plan's title"
    else:
        clash = Plan.objects.filter(partnership_id=partnership_id, title__iexact=title)
        if plan is not None:
            clash = clash.exclude(pk=plan.pk)
        if clash.exists():
            errors["title"] = "Your partnership already has a plan with this title: choose another"
    if start_date is None:
        errors["start_date"] = "Enter the date the plan starts"
    if end_date is None:
        errors["end_date"] = "Enter the date the plan ends"
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = f"The end date must be on or after the start date, {_day(start_date)}"
    if plan is not None and start_date and end_date and "end_date" not in errors:
        kept = {(q.year, q.quarter) for q in quarters_between(start_date, end_date)}
        left_out = [
            p for p in plan.periods.order_by("year", "quarter") if (p.year, p.quarter) not in kept
        ]
        if left_out:
            closed = [p for p in left_out if p.is_closed]
            first, last = left_out[0], left_out[-1]
            which = first.label if first == last else f"{first.label} to {last.label}"
            sentence = (
                f"These dates leave out {which}, already set up"
                + (f" ({len(closed)} closed, with board packs)" if closed else "")
                + ": "
            )
            earliest = min(p.start_date for p in plan.periods.all())
            latest = max(p.end_date for p in plan.periods.all())
            if any(p.start_date < start_date for p in left_out):
                errors["start_date"] = sentence + f"start the plan on or before {_day(earliest)}"
            if any(p.end_date > end_date for p in left_out) or "start_date" not in errors:
                errors["end_date"] = sentence + f"end the plan on or after {_day(latest)}"
    return errors


def plan_create(
    *,
    partnership: Partnership,
    user,
    title: str,
    start_date: date,
    end_date: date,
    description: str = "",
) -> Plan:
    """A partnership admin starts a new, empty plan (import a spreadsheet into it next); they
    are its owner until someone else is named."""
    _require_admin(user=user, partnership_id=partnership.pk)
    with transaction.atomic():
        errors = plan_fields_errors(
            partnership_id=partnership.pk, title=title, start_date=start_date, end_date=end_date
        )
        if errors:
            raise ValidationError(errors)
        try:
            with transaction.atomic():
                return Plan.objects.create(
                    partnership=partnership,
                    title=title.strip(),
                    start_date=start_date,
                    end_date=end_date,
                    description=description.strip(),
                    owner=user,
                )
        except IntegrityError:  # another admin took the title a moment ago
            raise ValidationError(
                {"title": "Your partnership already has a plan with this title: choose another"}
            ) from None


def plan_edit(
    *,
    plan: Plan,
    user,
    title: str,
    start_date: date,
    end_date: date,
    description: str = "",
    owner_id: int | None | object = UNCHANGED,
) -> Plan:
    """Change a plan's title, dates, description or owner; refused while archived.

    ``owner_id``: the account of a member of the plan's partnership, or None for no owner
    (the partnership's admins then hear what the owner would); left out, the owner stays.
    """
    _require_admin(user=user, partnership_id=plan.partnership_id)
    with transaction.atomic():
        current = Plan.objects.select_for_update().get(pk=plan.pk)
        plan_require_open(plan=current)
        errors = plan_fields_errors(
            partnership_id=current.partnership_id,
            title=title,
            start_date=start_date,
            end_date=end_date,
            plan=current,
        )
        owners = plan_owner_choices(partnership_id=current.partnership_id)
        if owner_id not in (UNCHANGED, None) and not owners.filter(pk=owner_id).exists():
            errors["owner"] = "Select a member of the partnership as the plan's owner"
        if errors:
            raise ValidationError(errors)
        if owner_id is not UNCHANGED:
            current.owner_id = owner_id
        current.title = title.strip()
        current.start_date = start_date
        current.end_date = end_date
        current.description = description.strip()
        current.save()
    return current


# --- Archiving --------------------------------------------------------------------------


def plan_archive(*, plan: Plan, user, reason: str = "") -> Plan:
    """Archive a plan: read-only, chasing no one, its packs still there to download."""
    _require_admin(user=user, partnership_id=plan.partnership_id)
    with transaction.atomic():
        current = Plan.objects.select_for_update().get(pk=plan.pk)
        if current.archived_at is not None:
            raise ValidationError("This plan is already archived.", code="archived")
        current.archived_at = timezone.now()
        current.archived_by = user
        current.archive_reason = reason.strip()
        current.save()
    return current


def plan_unarchive(*, plan: Plan, user, reason: str) -> Plan:
    """Bring an archived plan back into use; the reason is kept in its history."""
    _require_admin(user=user, partnership_id=plan.partnership_id)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the plan is being unarchived"})
    with transaction.atomic():
        current = Plan.objects.select_for_update().get(pk=plan.pk)
        if current.archived_at is None:
            raise ValidationError("This plan is not archived.", code="not_archived")
        current.archived_at = None
        current.archived_by = None
        current.archive_reason = reason.strip()
        current.save()
    return current


# --- Quarters ---------------------------------------------------------------------------


def plan_periods_generate(*, plan: Plan, days_after_end: int | None = None) -> list:
    """Create any missing quarter of the plan's span, each with an update deadline; return all.

    The one rule for setting up quarters: the board pack page's "set up quarters"
    (``reporting.services.periods_generate``) and rolling forward both use it.
    """
    days = deadline_days() if days_after_end is None else days_after_end
    with transaction.atomic():
        existing = {
            (p.year, p.quarter): p
            for p in ReportingPeriod.objects.select_for_update().filter(plan=plan)
        }
        for quarter in quarters_between(plan.start_date, plan.end_date):
            if (quarter.year, quarter.quarter) in existing:
                continue
            existing[(quarter.year, quarter.quarter)] = ReportingPeriod.objects.create(
                plan=plan,
                year=quarter.year,
                quarter=quarter.quarter,
                start_date=quarter.start,
                end_date=quarter.end,
                update_deadline=quarter.end + timedelta(days=days),
            )
    return [existing[key] for key in sorted(existing)]


# --- Rolling forward --------------------------------------------------------------------


def _not_withdrawn(queryset: QuerySet) -> QuerySet:
    """The one place rolling forward leaves withdrawn items behind: applied to priorities,
    outcomes, actions and milestones alike, it keeps only live ones (``.live()``: neither the
    item nor anything above it withdrawn, ``plans.models``)."""
    return queryset.live()


def _unfinished(milestones: QuerySet[Milestone]) -> QuerySet[Milestone]:
    """Milestones still to do: the ones that roll forward (complete ones stay behind)."""
    return _not_withdrawn(milestones).exclude(status=RAG.COMPLETE)


@dataclass
class LevelCount:
    label: str
    copied: int
    left_behind: int


@dataclass
class RollForwardPreview:
    """What rolling ``plan`` forward would copy: the ids at each level, and the counts."""

    plan: Plan
    priority_ids: list[int] = field(default_factory=list)
    outcome_ids: list[int] = field(default_factory=list)
    action_ids: list[int] = field(default_factory=list)
    milestone_ids: list[int] = field(default_factory=list)
    levels: list[LevelCount] = field(default_factory=list)
    completed_left: int = 0

    @property
    def milestones_copied(self) -> int:
        return len(self.milestone_ids)


@dataclass(frozen=True)
class RolledForward:
    """What a roll-forward made, for the apps above plans that copy their own items too:
    ``priorities`` and ``outcomes`` map each copied item's id to its copy's."""

    source: Plan
    new_plan: Plan
    user: object
    reason: str
    priorities: dict[int, int]
    outcomes: dict[int, int]


@dataclass(frozen=True)
class RollForwardHook:
    """An app's part in rolling a plan forward (indicators, in outcomes): the row it adds to
    the preview's counts, and the copy it makes in the roll-forward's transaction."""

    preview: Callable[[Plan], LevelCount]
    copy: Callable[[RolledForward], None]


_roll_forward_hooks: list[RollForwardHook] = []


def register_roll_forward_hook(hook: RollForwardHook) -> None:
    """plans never imports the apps above it: they register from ``AppConfig.ready()``."""
    if hook not in _roll_forward_hooks:
        _roll_forward_hooks.append(hook)


def plan_roll_forward_preview(*, plan: Plan) -> RollForwardPreview:
    """Which items roll forward: unfinished milestones, and the items above them.

    A milestone rolls forward unless it is complete (or withdrawn). An action, outcome or
    priority rolls forward when something under it does, or when it has no milestones at
    all (a heading still to be filled in); one whose milestones are all finished stays
    behind. Ten queries whatever the plan's size, and one for each registered hook (indicators).
    """
    alive_priorities = set(
        _not_withdrawn(Priority.objects.filter(plan=plan)).values_list("pk", flat=True)
    )
    total_priorities = Priority.objects.filter(plan=plan).count()
    outcomes = _not_withdrawn(Outcome.objects.filter(priority__plan=plan))
    priority_of = dict(outcomes.values_list("pk", "priority_id"))
    total_outcomes = Outcome.objects.filter(priority__plan=plan).count()
    actions = _not_withdrawn(Action.objects.filter(outcome__priority__plan=plan))
    outcome_of = dict(actions.values_list("pk", "outcome_id"))
    total_actions = Action.objects.filter(outcome__priority__plan=plan).count()
    everything = Milestone.objects.filter(action__outcome__priority__plan=plan)
    # Every milestone, finished or not, with where it sits: "has none at all" counts them all.
    rows = list(
        everything.values_list(
            "pk", "status", "action_id", "action__outcome_id", "action__outcome__priority_id"
        )
    )
    unfinished = set(_unfinished(everything).values_list("pk", flat=True))

    # Alive: not withdrawn, nor under something withdrawn.
    alive_outcomes = {o for o, p in priority_of.items() if p in alive_priorities}
    alive_actions = {a for a, o in outcome_of.items() if o in alive_outcomes}
    with_milestones = {"action": set(), "outcome": set(), "priority": set()}
    copied = []
    for pk, _status, action_id, outcome_id, priority_id in rows:
        with_milestones["action"].add(action_id)
        with_milestones["outcome"].add(outcome_id)
        with_milestones["priority"].add(priority_id)
        if pk in unfinished and action_id in alive_actions:
            copied.append(pk)
    copied_set = set(copied)
    under_copied = {action_id for pk, _s, action_id, _o, _p in rows if pk in copied_set}
    kept_actions = {
        a for a in alive_actions if a in under_copied or a not in with_milestones["action"]
    }
    under_kept = {outcome_of[a] for a in kept_actions}
    kept_outcomes = {
        o for o in alive_outcomes if o in under_kept or o not in with_milestones["outcome"]
    }
    under_kept = {priority_of[o] for o in kept_outcomes}
    kept_priorities = {
        p for p in alive_priorities if p in under_kept or p not in with_milestones["priority"]
    }
    preview = RollForwardPreview(
        plan=plan,
        priority_ids=sorted(kept_priorities),
        outcome_ids=sorted(kept_outcomes),
        action_ids=sorted(kept_actions),
        milestone_ids=sorted(copied),
        completed_left=sum(1 for row in rows if row[1] == RAG.COMPLETE),
    )
    preview.levels = [
        LevelCount("Priorities", len(kept_priorities), total_priorities - len(kept_priorities)),
        LevelCount("Outcomes", len(kept_outcomes), total_outcomes - len(kept_outcomes)),
        LevelCount("Actions", len(kept_actions), total_actions - len(kept_actions)),
        LevelCount("Milestones", len(copied), len(rows) - len(copied)),
        *(hook.preview(plan) for hook in _roll_forward_hooks),
    ]
    return preview


def next_year_title(title: str) -> str:
    """The title with each year moved on one: "Action Plan 2009" → "Action Plan 2010",
    "Delivery Plan 2019/20" → "Delivery Plan 2020/21"; otherwise "… (next year)"."""

    def bump(match: re.Match) -> str:
        year = int(match.group(1)) + 1
        if match.group(2):
            width = len(match.group(3))
            return f"{year}{match.group(2)}{(int(match.group(3)) + 1) % 10**width:0{width}d}"
        return str(year)

    moved, count = re.subn(r"\b((?:19|20)\d\d)(?:([/-])(\d{2,4}))?\b", bump, title)
    return moved if count else f"{title} (next year)"


def a_year_later(day: date) -> date:
    """The same day next year (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def plan_roll_forward(
    *, plan: Plan, user, title: str, start_date: date, end_date: date
) -> tuple[Plan, RollForwardPreview]:
    """Make next year's plan from ``plan``'s unfinished items, in one transaction.

    Each copied priority, outcome, action and milestone keeps its number, text and leads and
    links back to its predecessor; each milestone keeps its current due date (as the date
    first agreed in the new plan) and starts afresh as Not started, with no updates. The new
    plan's quarters are set up as "set up quarters" does. The old plan is not changed.
    """
    _require_admin(user=user, partnership_id=plan.partnership_id)
    with transaction.atomic():
        source = Plan.objects.select_for_update().get(pk=plan.pk)
        errors = plan_fields_errors(
            partnership_id=source.partnership_id,
            title=title,
            start_date=start_date,
            end_date=end_date,
        )
        if errors:
            raise ValidationError(errors)
        preview = plan_roll_forward_preview(plan=source)
        new_plan = Plan.objects.create(
            partnership_id=source.partnership_id,
            title=title.strip(),
            start_date=start_date,
            end_date=end_date,
            description=source.description,
            predecessor=source,
            owner_id=source.owner_id,
        )
        reason = f"Rolled forward from {source.title}"[:100]

        def create(model, objs):
            for obj in objs:
                obj.sort_key = number_sort_key(obj.number)  # save() is skipped by bulk create
            created = bulk_create_with_history(
                objs, model, default_user=user, default_change_reason=reason
            )
            return {obj.predecessor_id: obj for obj in created}

        new_priorities = create(
            Priority,
            [
                Priority(
                    plan=new_plan,
                    number=p.number,
                    position=p.position,
                    title=p.title,
                    predecessor=p,
                )
                for p in Priority.objects.filter(pk__in=preview.priority_ids)
            ],
        )
        new_outcomes = create(
            Outcome,
            [
                Outcome(
                    priority=new_priorities[o.priority_id],
                    number=o.number,
                    position=o.position,
                    statement=o.statement,
                    success_criteria=o.success_criteria,
                    predecessor=o,
                )
                for o in Outcome.objects.filter(pk__in=preview.outcome_ids)
            ],
        )
        new_actions = create(
            Action,
            [
                Action(
                    outcome=new_outcomes[a.outcome_id],
                    number=a.number,
                    position=a.position,
                    text=a.text,
                    lead_text=a.lead_text,
                    resources=a.resources,
                    sources=a.sources,
                    timescale=a.timescale,
                    predecessor=a,
                )
                for a in Action.objects.filter(pk__in=preview.action_ids)
            ],
        )
        leads = Action.leads.through
        leads.objects.bulk_create(
            leads(action_id=new_actions[action_id].pk, person_id=person_id)
            for action_id, person_id in leads.objects.filter(
                action_id__in=preview.action_ids
            ).values_list("action_id", "person_id")
        )
        see_also = Action.see_also.through
        see_also.objects.bulk_create(
            see_also(action_id=new_actions[action_id].pk, outcome_id=new_outcomes[outcome_id].pk)
            for action_id, outcome_id in see_also.objects.filter(
                action_id__in=preview.action_ids, outcome_id__in=preview.outcome_ids
            ).values_list("action_id", "outcome_id")
        )
        create(
            Milestone,
            [
                Milestone(
                    action=new_actions[m.action_id],
                    number=m.number,
                    position=m.position,
                    text=m.text,
                    lead_id=m.lead_id,
                    lead_text=m.lead_text,
                    due_text=m.due_text,
                    original_due_date=m.due_date,
                    due_date=m.due_date,
                    status=RAG.NOT_STARTED,
                    predecessor=m,
                )
                for m in Milestone.objects.filter(pk__in=preview.milestone_ids)
            ],
        )
        rolled = RolledForward(
            source=source,
            new_plan=new_plan,
            user=user,
            reason=reason,
            priorities={old: new.pk for old, new in new_priorities.items()},
            outcomes={old: new.pk for old, new in new_outcomes.items()},
        )
        for hook in _roll_forward_hooks:
            hook.copy(rolled)
        plan_periods_generate(plan=new_plan)
    return new_plan, preview


def period_label(year: int, quarter: int) -> str:
    return FinancialQuarter(year, quarter).label
