"""The plan's JSON export: its structure and people, then the sections of the apps below.

``portability`` sits above ``plans``, ``outcomes`` and ``reporting``, so it calls their
selectors for its sections directly (indicators, their settings, quarters with snapshots).
"""

import json
import shutil
import zipfile
from collections.abc import Callable
from typing import Any, BinaryIO

from django.db.models import OuterRef, Prefetch, Subquery

from evidence import selectors as evidence_selectors
from evidence.models import Attachment
from evidence.services import evidence_storage
from outcomes import selectors as outcomes_selectors
from plans.models import (
    RAG,
    Action,
    Delegation,
    Milestone,
    MilestoneUpdate,
    Organisation,
    Outcome,
    Person,
    Priority,
)
from reporting import selectors as reporting_selectors
from review.models import ReviewMessage
from security.events import security_event
from signoff import selectors as signoff_selectors

# 2: ids, positions, every update, people, organisations and delegations (importable).
EXPORT_VERSION = 2

# Each section is ``build(plan=...)``, a JSON-ready value put under its key.
SECTIONS: dict[str, Callable[..., Any]] = {
    "indicators": outcomes_selectors.indicators_export,
    "indicator_settings": outcomes_selectors.indicator_settings_export,
    "periods": reporting_selectors.periods_export,
    "signoff": signoff_selectors.signoff_export,
}


def _plan_tree(plan):
    """The plan's priorities with everything under them, in a fixed number of queries."""

    # Each update's review and its thread (review.models) come with it: one query more; and
    # its evidence (evidence.models): one more.
    updates = (
        MilestoneUpdate.objects.order_by("created_at", "pk")
        .select_related("review")
        .prefetch_related(
            Prefetch(
                "review__messages",
                queryset=ReviewMessage.objects.select_related("revised_update").order_by(
                    "created_at", "pk"
                ),
            ),
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "pk")),
        )
    )
    # When each milestone was created, from its history, in the same query as the milestone.
    created = Milestone.history.model.objects.filter(id=OuterRef("pk"), history_type="+")
    milestones = (
        Milestone.objects.select_related("lead__organisation", "latest_update", "withdrawn_by")
        .prefetch_related(Prefetch("updates", queryset=updates))
        .annotate(created_at=Subquery(created.order_by("history_date").values("history_date")[:1]))
    )
    actions = Action.objects.select_related("withdrawn_by").prefetch_related(
        "leads__organisation",
        Prefetch("see_also", queryset=Outcome.objects.only("id", "number")),
        Prefetch("milestones", queryset=milestones),
    )
    outcomes = Outcome.objects.select_related("withdrawn_by").prefetch_related(
        Prefetch("actions", queryset=actions)
    )
    return (
        Priority.objects.filter(plan=plan)
        .select_related("withdrawn_by")
        .prefetch_related(Prefetch("outcomes", queryset=outcomes))
    )


def _person(person) -> dict[str, Any] | None:
    """A lead as the export names them; removed people are "Former lead" with no e-mail."""
    if person is None:
        return None
    return {
        "id": person.pk,
        "name": person.name,
        "role_title": person.role_title,
        "organisation": person.organisation.name if person.organisation else None,
        "email": person.email,
        "removed": person.removed_at is not None,
    }


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _datetime(value) -> str | None:
    return value.isoformat() if value else None


def _withdrawal(item) -> dict[str, Any]:
    """Carried so that a plan exported and imported again keeps its withdrawn items withdrawn
    (and out of its counts, packs and chasing); who withdrew it is kept as a name."""
    who = item.withdrawn_by
    return {
        "withdrawn_at": _datetime(item.withdrawn_at),
        "withdrawn_by": (who.get_full_name() or who.get_username()) if who else None,
        "withdrawn_reason": item.withdrawn_reason,
    }


def _update(update) -> dict[str, Any]:
    return {
        "status": update.status,
        "commentary": update.commentary,
        "due_date": _date(update.due_date),
        "due_date_reason": update.due_date_reason,
        "completed_on": _date(update.completed_on),
        "suggested_status": update.suggested_status,
        "status_reason": update.status_reason,
        "no_change": update.no_change,
        # Accounts are not exported: who wrote an update is kept as the name it showed.
        "author_name": update.author_name,
        "source": update.source,
        "created_at": update.created_at.isoformat(),
        # Evidence: each file's metadata (name, size, type, SHA-256, who and when), not its
        # bytes; the "with files" zip (plan_export_zip) carries those.
        "attachments": [evidence_selectors.attachment_export(a) for a in update.attachments.all()],
        "review": _review(getattr(update, "review", None)),
    }


def _review(review) -> dict[str, Any] | None:
    """The coordinator's review of an update and its thread (question, answer, who, when)."""
    if review is None:
        return None
    return {
        "state": review.state,
        "decided_at": review.decided_at.isoformat(),
        "messages": [
            {
                "kind": message.kind,
                "text": message.text,
                "note": message.note,
                # As for updates: the name shown, not the account.
                "author_name": message.author_name,
                "created_at": message.created_at.isoformat(),
                "revised_update_at": _datetime(
                    message.revised_update.created_at if message.revised_update else None
                ),
            }
            for message in review.messages.all()
        ],
    }


def _people(plan) -> dict[str, Any]:
    """The partnership's organisations, people and delegations (three queries)."""

    organisations = Organisation.objects.filter(partnership_id=plan.partnership_id).order_by(
        "name", "pk"
    )
    people = (
        Person.objects.filter(partnership_id=plan.partnership_id)
        .select_related("organisation")
        .order_by("name", "role_title", "pk")
    )
    delegations = Delegation.objects.filter(lead__partnership_id=plan.partnership_id).order_by("pk")
    return {
        "organisations": [{"id": o.pk, "name": o.name} for o in organisations],
        "people": [
            {**_person(p), "removed_at": p.removed_at.isoformat() if p.removed_at else None}
            for p in people
        ],
        "delegations": [
            {"lead_id": d.lead_id, "delegate_id": d.delegate_id, "created_at": _date(d.created_at)}
            for d in delegations
        ],
    }


def _without_emails(value):
    """``value`` with every ``email`` left empty (the key kept, so the format stays one)."""
    if isinstance(value, dict):
        return {k: "" if k == "email" else _without_emails(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_emails(v) for v in value]
    return value


def plan_export(*, plan, with_emails: bool = True) -> dict[str, Any]:
    """The plan's whole hierarchy as JSON-ready data, plus every registered app's section.

    Enough to rebuild the plan (``portability.json_import.plan_json_import``): every item with its
    number and position, leads, dates, and every update with its author's name and time.
    Ids are the exporting database's own; an import maps them to new ones. People's e-mail
    addresses are left empty unless ``with_emails`` (partnership admins and the server's
    command line only).
    """

    priorities = []
    for priority in _plan_tree(plan):
        outcomes = []
        for outcome in priority.outcomes.all():
            actions = []
            for action in outcome.actions.all():
                milestones = []
                for milestone in action.milestones.all():
                    update = milestone.latest_update
                    milestones.append(
                        {
                            "id": milestone.pk,
                            "number": milestone.number,
                            "position": milestone.position,
                            "text": milestone.text,
                            "lead": _person(milestone.lead),
                            "lead_text": milestone.lead_text,
                            "due_text": milestone.due_text,
                            "original_due_date": _date(milestone.original_due_date),
                            "due_date": _date(milestone.due_date),
                            "completed_on": _date(milestone.completed_on),
                            "status": milestone.status,
                            "status_label": RAG(milestone.status).label,
                            "commentary": update.commentary if update else "",
                            "updated_at": update.created_at.isoformat() if update else None,
                            "updated_by": update.author_name if update else None,
                            "created_at": _datetime(milestone.created_at),
                            "updates": [_update(u) for u in milestone.updates.all()],
                            **_withdrawal(milestone),
                        }
                    )
                actions.append(
                    {
                        "id": action.pk,
                        "number": action.number,
                        "position": action.position,
                        "text": action.text,
                        "leads": [_person(person) for person in action.leads.all()],
                        "lead_text": action.lead_text,
                        "resources": action.resources,
                        "sources": action.sources,
                        "timescale": action.timescale,
                        "see_also": [o.number for o in action.see_also.all()],
                        "see_also_ids": [o.pk for o in action.see_also.all()],
                        "milestones": milestones,
                        **_withdrawal(action),
                    }
                )
            outcomes.append(
                {
                    "id": outcome.pk,
                    "number": outcome.number,
                    "position": outcome.position,
                    "statement": outcome.statement,
                    "success_criteria": [
                        line for line in outcome.success_criteria.splitlines() if line.strip()
                    ],
                    "success_criteria_text": outcome.success_criteria,
                    "actions": actions,
                    **_withdrawal(outcome),
                }
            )
        priorities.append(
            {
                "id": priority.pk,
                "number": priority.number,
                "position": priority.position,
                "title": priority.title,
                "outcomes": outcomes,
                **_withdrawal(priority),
            }
        )
    data: dict[str, Any] = {
        "format": "partnership-plan",
        "version": EXPORT_VERSION,
        "partnership": plan.partnership.name,
        "plan": {
            "id": plan.pk,
            "title": plan.title,
            "start_date": _date(plan.start_date),
            "end_date": _date(plan.end_date),
            "description": plan.description,
        },
        **_people(plan),
        "priorities": priorities,
    }
    for key, build in SECTIONS.items():
        data[key] = build(plan=plan)
    return data if with_emails else _without_emails(data)


def plan_export_logged(*, plan, user_id: int | None, with_emails: bool = True) -> dict[str, Any]:
    """``plan_export`` handed out to someone, logged once as ``plan_exported``.

    The download page passes the signed-in user's id; the ``export_plan`` command passes
    none (whoever runs it has the server's command line).
    """
    security_event("plan_exported", user_id=user_id, plan_id=plan.pk, format="json")
    return plan_export(plan=plan, with_emails=with_emails)


def plan_export_zip(*, plan, user_id: int | None, with_emails: bool = True, out: BinaryIO) -> int:
    """The JSON export with the evidence files themselves, as a zip written to ``out``.

    ``plan.json`` is ``plan_export`` (logged once as ``plan_exported``, format ``zip``); each
    file still held is ``files/<id>-<name>``, streamed from the evidence storage a chunk at
    a time. Returns how many files went in.
    """
    security_event("plan_exported", user_id=user_id, plan_id=plan.pk, format="zip")
    data = plan_export(plan=plan, with_emails=with_emails)
    storage = evidence_storage()
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("plan.json", json.dumps(data, indent=2, ensure_ascii=False))
        held = (
            Attachment.objects.live()
            .exclude(stored_name="")
            .filter(update__milestone__action__outcome__priority__plan=plan)
            .order_by("pk")
        )
        for attachment in held:
            safe = attachment.original_name.replace("/", "_").replace("\\", "_")
            with (
                storage.open(attachment.stored_name, "rb") as source,
                archive.open(f"files/{attachment.pk}-{safe}", "w") as target,
            ):
                shutil.copyfileobj(source, target, 64 * 1024)
            count += 1
    return count
