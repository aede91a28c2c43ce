"""Rebuild a plan from its JSON export (``portability.export.plan_export``): your data leaves.

The plan's own items are rebuilt here; the other apps' sections (``indicators`` from
outcomes, ``periods`` with their snapshots from reporting) are loaded by those apps' own
services, called from ``SECTIONS``. Everything lands in one transaction or not at all.

Ids in the file are the exporting database's; each loader records the new id of every old
one in ``ImportContext.ids`` so later sections (and the snapshots' frozen ids) can be mapped.
User accounts are not exported: authors come back as the names their updates showed, and
people sign in again by asking for a link (their e-mail addresses are kept).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from evidence.models import Attachment
from outcomes import services as outcomes_services
from plans.models import (
    Action,
    Delegation,
    Milestone,
    MilestoneUpdate,
    Organisation,
    Outcome,
    Partnership,
    Person,
    Plan,
    Priority,
)
from portability.export import EXPORT_VERSION
from reporting import services as reporting_services
from reporting.services import SnapshotDigestMismatch
from review.models import Review, ReviewMessage
from security.events import security_event
from signoff import services as signoff_services


class PlanJsonImportError(Exception):
    """The file cannot be imported; the message says why and what to do. Nothing was saved."""


@dataclass
class ImportContext:
    """What a section loader needs: the new plan and the old → new id of everything so far."""

    plan: Plan
    ids: dict[str, dict[int, int]] = field(default_factory=dict)

    def record(self, kind: str, old_id: int | None, new_id: int) -> None:
        if old_id is not None:
            self.ids.setdefault(kind, {})[int(old_id)] = new_id

    def new_id(self, kind: str, old_id: int | None) -> int | None:
        """The new id for an old one, or None when the file did not include that item."""
        if old_id is None:
            return None
        return self.ids.get(kind, {}).get(int(old_id))


# Each section is loaded with ``load(data=..., context=...)`` after the plan, in this order.
SECTIONS: dict[str, Callable[..., None]] = {
    "indicators": outcomes_services.indicators_json_import,
    "indicator_settings": outcomes_services.indicator_settings_json_import,
    "periods": reporting_services.periods_json_import,
    "signoff": signoff_services.signoff_json_import,  # after periods: it maps their ids
}


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _partnership(name: str) -> Partnership:
    partnership = Partnership.objects.filter(name=name).first()
    if partnership is not None:
        return partnership
    base = slugify(name)[:70] or "partnership"
    slug, n = base, 1
    while Partnership.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Partnership.objects.create(name=name, slug=slug)


def _people(data: dict, context: ImportContext, partnership: Partnership) -> None:
    for item in data.get("organisations", []):
        organisation, _ = Organisation.objects.get_or_create(
            partnership=partnership, name=item["name"]
        )
        context.record("organisation", item.get("id"), organisation.pk)
    organisations = {o.name: o for o in partnership.organisations.all()}
    for item in data.get("people", []):
        _person_get(item, context, partnership, organisations)
    for item in data.get("delegations", []):
        lead = context.new_id("person", item["lead_id"])
        delegate = context.new_id("person", item["delegate_id"])
        if lead and delegate and lead != delegate:
            delegation, _ = Delegation.objects.get_or_create(lead_id=lead, delegate_id=delegate)
            if item.get("created_at"):
                Delegation.objects.filter(pk=delegation.pk).update(
                    created_at=_datetime(item["created_at"])
                )


def _person_get(
    item: dict | None, context: ImportContext, partnership: Partnership, organisations: dict
) -> Person | None:
    """The person a lead dict names: already imported, in post with that name, or new."""
    if item is None:
        return None
    known = context.new_id("person", item.get("id"))
    if known:
        return Person.objects.get(pk=known)
    organisation = None
    if item.get("organisation"):
        organisation = organisations.get(item["organisation"])
        if organisation is None:
            organisation = Organisation.objects.create(
                partnership=partnership, name=item["organisation"]
            )
            organisations[organisation.name] = organisation
    removed = bool(item.get("removed"))
    person = None
    if not removed:
        person = Person.objects.filter(
            partnership=partnership,
            name=item["name"],
            role_title=item.get("role_title", ""),
            removed_at__isnull=True,
        ).first()
    if person is None:
        removed_at = _datetime(item.get("removed_at")) if removed else None
        if removed and removed_at is None:
            removed_at = timezone.now()
        person = Person.objects.create(
            partnership=partnership,
            name=item["name"],
            role_title=item.get("role_title", ""),
            organisation=organisation,
            email=item.get("email", "") or "",
            removed_at=removed_at,
        )
    context.record("person", item.get("id"), person.pk)
    return person


def _withdrawal(item: dict) -> dict:
    """An item withdrawn in the export stays withdrawn, with its time and reason (the admin who
    withdrew it is an account of the exporting site, so only the reason says who and why)."""
    if not item.get("withdrawn_at"):
        return {}
    reason = item.get("withdrawn_reason", "") or ""
    if item.get("withdrawn_by"):
        reason = f"{reason} (withdrawn by {item['withdrawn_by']})".strip()
    return {"withdrawn_at": _datetime(item["withdrawn_at"]), "withdrawn_reason": reason}


def _milestone(item: dict, action: Action, context: ImportContext, person_for) -> None:
    milestone = Milestone(
        action=action,
        number=item.get("number", ""),
        position=item.get("position", 0),
        text=item["text"],
        lead=person_for(item.get("lead")),
        lead_text=item.get("lead_text", ""),
        due_text=item.get("due_text", ""),
        original_due_date=_date(item.get("original_due_date")),
        due_date=_date(item.get("due_date")),
        completed_on=_date(item.get("completed_on")),
        status=item["status"],
        **_withdrawal(item),
    )
    milestone.save()
    context.record("milestone", item.get("id"), milestone.pk)
    if item.get("created_at"):
        # When it was first created, as the audit trail and "new this quarter" read it.
        Milestone.history.model.objects.filter(id=milestone.pk, history_type="+").update(
            history_date=_datetime(item["created_at"])
        )
    updates = MilestoneUpdate.objects.bulk_create(
        [
            MilestoneUpdate(
                milestone=milestone,
                status=u["status"],
                commentary=u.get("commentary", ""),
                due_date=_date(u.get("due_date")),
                due_date_reason=u.get("due_date_reason", ""),
                completed_on=_date(u.get("completed_on")),
                suggested_status=u.get("suggested_status", ""),
                status_reason=u.get("status_reason", ""),
                no_change=bool(u.get("no_change", False)),
                author_name=u.get("author_name", ""),
                source=u.get("source", MilestoneUpdate.Source.IMPORT),
                created_at=_datetime(u["created_at"]),
            )
            for u in item.get("updates", [])
        ]
    )
    _reviews(item.get("updates", []), updates)
    attachments = [
        Attachment(
            update=update,
            original_name=a["name"],
            # The files themselves are not in the JSON: the rows say what was attached.
            stored_name="",
            size=a["size"],
            content_type=a.get("content_type", ""),
            sha256=a.get("sha256", ""),
            uploaded_by_name=a.get("uploaded_by_name", ""),
            created_at=_datetime(a["created_at"]),
            removed_at=_datetime(a.get("removed_at")),
            removed_by_name=a.get("removed_by_name", "") or "",
        )
        for update, u in zip(updates, item.get("updates", []), strict=True)
        for a in u.get("attachments", [])
    ]
    if attachments:
        bulk_create_with_history(attachments, Attachment)
    if updates:
        latest = max(updates, key=lambda u: (u.created_at, u.pk))
        # update() rather than save(): the milestone's state is as exported, not a new change.
        Milestone.objects.filter(pk=milestone.pk).update(latest_update=latest, version=len(updates))


def _reviews(exported: list[dict], updates: list[MilestoneUpdate]) -> None:
    """Each update's review and thread as exported (exports before the review carry none)."""
    by_time = {u.created_at: u for u in updates}
    reviews, messages = [], []
    for data, update in zip(exported, updates, strict=True):
        review_data = data.get("review")
        if not review_data:
            continue
        review = Review(
            update=update,
            state=review_data["state"],
            decided_at=_datetime(review_data["decided_at"]),
        )
        reviews.append(review)
        for m in review_data.get("messages", []):
            messages.append(
                (
                    review,
                    ReviewMessage(
                        kind=m["kind"],
                        text=m.get("text", ""),
                        note=m.get("note", ""),
                        author_name=m.get("author_name", ""),
                        created_at=_datetime(m["created_at"]),
                        revised_update=by_time.get(_datetime(m.get("revised_update_at"))),
                    ),
                )
            )
    if not reviews:
        return
    # With history, so the audit trail shows the imported threads; two queries each, at any size.
    bulk_create_with_history(reviews, Review)
    for review, message in messages:
        message.review = review
    bulk_create_with_history([message for _, message in messages], ReviewMessage)


def _check(data: Any) -> None:
    if not isinstance(data, dict) or data.get("format") != "partnership-plan":
        raise PlanJsonImportError(
            "This is not a plan export: choose a file made by 'Download this plan as JSON' or "
            "by the export_plan command."
        )
    if data.get("version") != EXPORT_VERSION:
        raise PlanJsonImportError(
            f"This export is version {data.get('version')!r}; only version {EXPORT_VERSION} "
            "holds everything needed to rebuild a plan. Export the plan again and import that."
        )


def plan_json_import(*, data: dict, partnership_name: str | None = None) -> Plan:
    """Rebuild an exported plan (and its registered sections) in one transaction; return it."""
    _check(data)
    try:
        with transaction.atomic():
            return _import(data, partnership_name=partnership_name)
    except PlanJsonImportError:
        raise
    except SnapshotDigestMismatch as error:
        raise PlanJsonImportError(str(error)) from error
    except IntegrityError as error:
        raise PlanJsonImportError(
            f"The file contradicts itself or this database ({error.__class__.__name__}); "
            "nothing was imported. Check it is an unedited export."
        ) from error
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise PlanJsonImportError(
            f"The file is not a complete plan export ({error.__class__.__name__}: {error}); "
            "nothing was imported. Export the plan again and import that file."
        ) from error


def _import(data: dict, *, partnership_name: str | None) -> Plan:
    partnership = _partnership(partnership_name or data["partnership"])
    title = data["plan"]["title"]
    if Plan.objects.filter(partnership=partnership, title=title).exists():
        raise PlanJsonImportError(
            f"{partnership.name} already has a plan called '{title}'. Import into another "
            "partnership (--partnership NAME) or rename the existing plan first."
        )
    plan = Plan.objects.create(
        partnership=partnership,
        title=title,
        start_date=_date(data["plan"]["start_date"]),
        end_date=_date(data["plan"]["end_date"]),
        description=data["plan"].get("description", ""),
    )
    context = ImportContext(plan=plan)
    context.record("plan", data["plan"].get("id"), plan.pk)
    _people(data, context, partnership)
    organisations = {o.name: o for o in partnership.organisations.all()}

    def person_for(item):
        return _person_get(item, context, partnership, organisations)

    see_also: list[tuple[Action, list[int]]] = []
    for p in data["priorities"]:
        priority = Priority.objects.create(
            plan=plan,
            number=p.get("number", ""),
            position=p.get("position", 0),
            title=p["title"],
            **_withdrawal(p),
        )
        context.record("priority", p.get("id"), priority.pk)
        for o in p["outcomes"]:
            criteria = o.get("success_criteria_text")
            if criteria is None:
                criteria = "\n".join(o.get("success_criteria", []))
            outcome = Outcome.objects.create(
                priority=priority,
                number=o.get("number", ""),
                position=o.get("position", 0),
                statement=o["statement"],
                success_criteria=criteria,
                **_withdrawal(o),
            )
            context.record("outcome", o.get("id"), outcome.pk)
            for a in o["actions"]:
                action = Action.objects.create(
                    outcome=outcome,
                    number=a.get("number", ""),
                    position=a.get("position", 0),
                    text=a["text"],
                    lead_text=a.get("lead_text", ""),
                    resources=a.get("resources", ""),
                    sources=a.get("sources", ""),
                    timescale=a.get("timescale", ""),
                    **_withdrawal(a),
                )
                context.record("action", a.get("id"), action.pk)
                leads = [person_for(lead) for lead in a.get("leads", [])]
                if leads:
                    action.leads.set(leads)
                see_also.append((action, a.get("see_also_ids", [])))
                for m in a["milestones"]:
                    _milestone(m, action, context, person_for)
    for action, old_ids in see_also:
        targets = [context.new_id("outcome", old) for old in old_ids]
        if any(targets):
            action.see_also.set([t for t in targets if t])

    for key, load in SECTIONS.items():
        if key in data:
            load(data=data[key], context=context)
    security_event(
        "plan_json_imported",
        plan_id=plan.pk,
        partnership_id=partnership.pk,
        milestones=len(context.ids.get("milestone", {})),
    )
    return plan
