"""The audit trail read back: who changed what, when, before → after (django-simple-history).

Each change is a historical record compared with the record before it of the same item. The
previous record is found with a window function (LAG over the item's history) and fetched in
one more query, so a page costs a fixed number of queries however long the history is.
"""

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Model, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Lag
from django.utils import timezone

from plans.formatting import govuk_date, govuk_datetime
from plans.models import (
    Action,
    Invitation,
    Membership,
    Milestone,
    Organisation,
    Outcome,
    Person,
    Plan,
    Priority,
    ReminderRound,
    ReportingPeriod,
)

PAGE_SIZE = 50

# Derived or bookkeeping columns that say nothing to a reader of the audit trail.
_HIDDEN = {"id", "sort_key", "position", "version", "latest_update"}

_TYPE_LABELS = {"+": "Created", "~": "Changed", "-": "Deleted"}

# The importer (imports.services) records each item it creates with this reason, one user
# and one time per import, so an import's hundreds of "Created" rows read as one entry.
IMPORT_REASON_PREFIX = "Imported from "

# Item kinds a reader filters by, and the text columns an item's number and words are in.
ITEM_KINDS = {
    "plan": (Plan, ("title",)),
    "priority": (Priority, ("number", "title")),
    "outcome": (Outcome, ("number", "statement")),
    "action": (Action, ("number", "text")),
    "milestone": (Milestone, ("number", "text")),
    "period": (ReportingPeriod, ()),
    "reminder": (ReminderRound, ("message",)),
}
IMPORTED_MODELS = (Priority, Outcome, Action, Milestone)


@dataclass(frozen=True)
class HistorySource:
    """Another app's tracked model that belongs to a plan's story (the review of updates).

    plans never imports those apps: they register a source from ``AppConfig.ready()``.
    ``for_plan(plan)`` and ``for_milestone(milestone)`` give the filter on the model's
    historical records; ``columns`` are its text columns, for the trail's search.
    """

    kind: str
    model: type[Model]
    columns: tuple[str, ...]
    for_plan: Callable[[Plan], Q]
    for_milestone: Callable[[Milestone], Q] | None = None
    label: str = ""  # the "Kind of item" filter's choice for it, e.g. "Reviews of updates"
    # How one of its historical records is named in the trail, from the record and the names
    # of the items its foreign keys point at (fetched once a page); else its number and text.
    item_label: Callable[[Model, dict], str] | None = None
    # Items the importer creates: one import's are part of its "Imported N items" entry.
    imported: bool = False
    # Columns the trail leaves out for this model (e.g. what its ``item_label`` already says).
    hidden: tuple[str, ...] = ()


_extra_sources: list[HistorySource] = []


def extra_item_choices() -> list[tuple[str, str]]:
    """The registered sources' choices for the trail's "Kind of item" filter."""
    return [(s.kind, s.label or s.kind.capitalize()) for s in _extra_sources]


def register_history_source(source: HistorySource) -> None:
    """Add ``source`` to every plan's audit trail (and its milestones' history), once."""
    if all(s.kind != source.kind for s in _extra_sources):
        _extra_sources.append(source)
        ITEM_KINDS[source.kind] = (source.model, source.columns)


CHANGE_KINDS = {"created": "+", "changed": "~", "deleted": "-", "status": "~"}


@dataclass(frozen=True)
class AuditFilters:
    """What a reader narrowed the trail to; every part optional. ``who`` is a user id or
    "system" (imports and commands); ``change`` a key of ``CHANGE_KINDS`` ("status": a
    milestone's RAG status changed); ``imported_at`` one import's time (its entry expanded).
    """

    who: int | str | None = None
    item: str = ""
    q: str = ""
    change: str = ""
    date_from: date | None = None
    date_to: date | None = None
    imported_at: datetime | None = None

    @property
    def any(self) -> bool:
        return any(
            (
                self.who,
                self.item,
                self.q,
                self.change,
                self.date_from,
                self.date_to,
                self.imported_at,
            )
        )

    def condition(self, model: type[Model]) -> Q | None:
        """The filter on ``model``'s historical records, or None when it has no such rows."""
        if self.item and ITEM_KINDS[self.item][0] is not model:
            return None
        if self.change == "status" and model is not Milestone:
            return None
        condition = Q()
        if self.who == "system":
            condition &= Q(history_user__isnull=True)
        elif self.who:
            condition &= Q(history_user_id=self.who)
        if self.change:
            condition &= Q(history_type=CHANGE_KINDS[self.change])
        zone = timezone.get_current_timezone()
        if self.date_from:
            condition &= Q(history_date__gte=datetime.combine(self.date_from, time(), zone))
        if self.date_to:
            end = datetime.combine(self.date_to + timedelta(days=1), time(), zone)
            condition &= Q(history_date__lt=end)
        if self.imported_at:
            condition &= Q(history_date=self.imported_at)
        if self.q:
            columns = ITEM_KINDS[_kind_of(model)][1]
            if not columns:
                return None
            for word in self.q.split()[:10]:
                either = Q()
                for column in columns:
                    either |= Q(**{f"{column}__icontains": word})
                condition &= either
        return condition


def _is_imported(model: type[Model]) -> bool:
    return model in IMPORTED_MODELS or any(s.model is model for s in _extra_sources if s.imported)


def _kind_of(model: type[Model]) -> str:
    return next(kind for kind, (m, _) in ITEM_KINDS.items() if m is model)


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
    kept = {f.name for f in model.history.model._meta.concrete_fields}  # excluded_fields go
    hidden = _HIDDEN.union(*(s.hidden for s in _extra_sources if s.model is model))
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in hidden and not f.name.startswith("history_") and f.name in kept
    ]


def _display(field, value, names: dict) -> str:
    if value is None or value == "":
        return "(blank)"
    if field.is_relation:
        return names.get((field.related_model, value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 12.500000 → 12.5
    if hasattr(value, "hour"):
        return govuk_datetime(value)
    if hasattr(value, "strftime"):
        return govuk_date(value)
    return str(value)


def _records(
    history: QuerySet, *, limit: int, status_changes: bool = False, filtered: bool = False
) -> list:
    """The newest ``limit`` records, each with ``prev_history_id``.

    A window (LAG) sees only the rows the query keeps, so when ``filtered`` the record before
    is looked up among all of the item's records instead (a correlated subquery), else a
    change found by date or person would be diffed against nothing. ``status_changes``: only
    records whose ``status`` differs from the record before.
    """
    if filtered or status_changes:
        earlier = (
            history.model.objects.filter(id=OuterRef("id"))
            .filter(
                Q(history_date__lt=OuterRef("history_date"))
                | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
            )
            .order_by("-history_date", "-history_id")
        )
        records = history.annotate(prev_history_id=Subquery(earlier.values("history_id")[:1]))
        if status_changes:
            records = (
                records.annotate(prev_status=Subquery(earlier.values("status")[:1]))
                .filter(prev_status__isnull=False)
                .exclude(prev_status=F("status"))
            )
    else:
        records = history.annotate(
            prev_history_id=Window(
                Lag("history_id"),
                partition_by=[F("id")],
                order_by=[F("history_date").asc(), F("history_id").asc()],
            )
        )
    records = records.select_related("history_user")
    return list(records.order_by("-history_date", "-history_id")[:limit])


@dataclass
class ImportGroup:
    """One import's created items, shown as one entry: "Imported 412 items from plan.xlsx"."""

    when: datetime
    who_id: int | None
    reason: str
    who: str = ""
    counts: dict[str, int] = dataclass_field(default_factory=dict)
    kind: str = "Imported"
    is_import: bool = True

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def filename(self) -> str:
        return self.reason.removeprefix(IMPORT_REASON_PREFIX)

    @property
    def key(self) -> str:
        return self.when.isoformat()


@dataclass
class ChangePage:
    changes: list  # Change, or ImportGroup for one import's created items
    number: int
    has_next: bool


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "System"


def changes_for(
    sources: list[tuple[type[Model], Q]],
    *,
    page: int = 1,
    filters: AuditFilters | None = None,
    group_imports: bool = False,
) -> ChangePage:
    """One page of the newest changes across several models' histories, each diffed.

    ``sources`` pairs a tracked model with a filter on its historical records; ``filters``
    narrows them. With ``group_imports`` the items an import created are one entry per import
    (``ImportGroup``) instead of a row each. Costs two queries per source (three when
    grouping) plus one per related model named in the changes, whatever the page.
    """
    filters = filters or AuditFilters()
    page = max(page, 1)
    limit = page * PAGE_SIZE + 1
    found = []
    groups: dict[tuple, ImportGroup] = {}
    imported = Q(history_type="+", history_change_reason__startswith=IMPORT_REASON_PREFIX)
    for model, condition in sources:
        narrowed = filters.condition(model)
        if narrowed is None:
            continue
        history_model = model.history.model
        history = history_model.objects.filter(condition & narrowed)
        if group_imports and _is_imported(model):
            rows = (
                history.filter(imported)
                .values("history_date", "history_change_reason", "history_user_id")
                .annotate(n=Count("history_id"))
                .order_by("-history_date")[:limit]
            )
            for row in rows:
                key = (row["history_date"], row["history_change_reason"], row["history_user_id"])
                group = groups.setdefault(
                    key,
                    ImportGroup(
                        when=row["history_date"],
                        who_id=row["history_user_id"],
                        reason=row["history_change_reason"],
                    ),
                )
                label = str(model._meta.verbose_name_plural)
                group.counts[label] = group.counts.get(label, 0) + row["n"]
            history = history.exclude(imported)
        records = _records(
            history,
            limit=limit,
            status_changes=filters.change == "status",
            filtered=filters.any,
        )
        prev_ids = [r.prev_history_id for r in records if r.prev_history_id]
        previous = {p.history_id: p for p in history_model.objects.filter(history_id__in=prev_ids)}
        for record in records:
            found.append((model, record, previous.get(record.prev_history_id)))
    entries = [(r.history_date, r.history_id, (model, r, prev)) for model, r, prev in found]
    entries += [(g.when, 0, g) for g in groups.values()]
    entries.sort(key=lambda t: (t[0], t[1]), reverse=True)
    has_next = len(entries) > page * PAGE_SIZE
    entries = entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    found = [e[2] for e in entries if not isinstance(e[2], ImportGroup)]
    page_groups = [e[2] for e in entries if isinstance(e[2], ImportGroup)]
    _name_importers(page_groups)

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

    result: list = []
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
        reason = record.history_change_reason or ""
        if (
            record.history_type == "~"
            and not changes
            and (not reason or reason.startswith(IMPORT_REASON_PREFIX))
        ):
            # A save that changed nothing a reader would see, nor said why; or an import's
            # (linking an item it created to others: its "Imported" entry says it all).
            continue
        result.append(
            Change(
                when=record.history_date,
                who=_who(record.history_user),
                kind=_TYPE_LABELS.get(record.history_type, record.history_type),
                item_label=_item_label(record, names),
                item_type=model._meta.verbose_name.capitalize(),
                changes=changes,
                reason=record.history_change_reason or "",
            )
        )
    result.extend(page_groups)
    result.sort(key=lambda c: c.when, reverse=True)
    return ChangePage(changes=result, number=page, has_next=has_next)


def _name_importers(groups: list[ImportGroup]) -> None:
    """Who ran each import: one query for the page's groups."""
    ids = {g.who_id for g in groups if g.who_id}
    users = get_user_model()._default_manager.in_bulk(ids) if ids else {}
    for group in groups:
        group.who = _who(users.get(group.who_id))


def _item_label(record, names: dict) -> str:
    for source in _extra_sources:
        if source.item_label and isinstance(record, source.model.history.model):
            return source.item_label(record, names)
    if isinstance(record, Membership.history.model):
        # str(Membership) reads its account and partnership: one query each, per row.
        account = names.get((get_user_model(), record.user_id), f"#{record.user_id}")
        role = dict(Membership.Role.choices).get(record.role, record.role)
        return f"{account} — {role}"
    number = getattr(record, "number", "")
    text = (
        getattr(record, "text", None)
        or getattr(record, "statement", None)
        or getattr(record, "title", None)
        or ""
    )
    if not number and not text:
        # e.g. a reporting period: "2019/20 Q3". Built from the record's own columns:
        # simple-history's ``record.instance`` reads any excluded field back from the
        # table, a query per row (an invitation's token hash).
        model = record.instance_type
        columns = {
            f.attname: getattr(record, f.attname)
            for f in model._meta.concrete_fields
            if hasattr(record, f.attname)
        }
        return str(model(**columns))
    label = f"{number} {text}".strip()
    return label if len(label) <= 90 else f"{label[:87]}…"


def item_history(*, item: Model, page: int = 1) -> ChangePage:
    """Changes to one milestone, action or outcome, newest first."""
    sources = [(type(item), Q(id=item.pk))]
    if isinstance(item, Milestone):
        sources += [(s.model, s.for_milestone(item)) for s in _extra_sources if s.for_milestone]
    return changes_for(sources, page=page)


def plan_history(*, plan: Plan, page: int = 1, filters: AuditFilters | None = None) -> ChangePage:
    """Changes to a plan and everything in it, including items since deleted, newest first.

    Each import's created items are one entry, unless the reader picked that import
    (``filters.imported_at``), a kind of change or a search, when they are listed one by one.
    """
    filters = filters or AuditFilters()
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
            # Other apps' records of the plan's updates (review queries and answers).
            *((s.model, s.for_plan(plan)) for s in _extra_sources),
        ],
        page=page,
        filters=filters,
        group_imports=not (filters.imported_at or filters.change or filters.q),
    )


def people_history(*, partnership_id: int, page: int = 1) -> ChangePage:
    """Changes to a partnership's people, organisations, members and invitations, newest first:
    people added and edited, organisations merged, roles changed, invitations sent and
    accepted (plans.people)."""
    return changes_for(
        [
            (Person, Q(partnership_id=partnership_id)),
            (Organisation, Q(partnership_id=partnership_id)),
            (Membership, Q(partnership_id=partnership_id)),
            (Invitation, Q(partnership_id=partnership_id)),
        ],
        page=page,
    )
