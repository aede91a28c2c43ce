"""Writes of the reporting app: set up a plan's quarters, close and reopen them.

Closing freezes a ``Snapshot`` of every item; snapshots are only ever created, never
changed. Reopening needs a partnership admin and a reason, which ``ReportingPeriod.history``
(django-simple-history) keeps with who did it and when: that history is the audit trail.
"""

import copy
import hashlib
import json
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from notifications import kinds
from notifications.selectors import pack_final_wanted
from notifications.services import notify
from plans.access import is_partnership_admin
from plans.lifecycle import plan_periods_generate
from plans.models import Membership, Plan, ReportingPeriod
from plans.personal_data import FORMER_LEAD, is_name, redact_text
from reporting.models import BoardMeeting, PackJob, Snapshot, SnapshotRedaction
from reporting.selectors import STATE_SCHEMA_VERSION, period_previous, plan_state, snapshot_latest
from security.events import security_event
from signoff.selectors import signoff_state


def state_digest(data: dict) -> str:
    """SHA-256 of the canonical JSON of a snapshot's data (sorted keys, no spaces)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _require_admin(*, user, period_or_plan) -> None:
    plan = period_or_plan.plan if isinstance(period_or_plan, ReportingPeriod) else period_or_plan
    if not is_partnership_admin(user, plan.partnership_id):
        raise PermissionDenied("Only a partnership admin can do this.")


def periods_generate(*, plan: Plan, days_after_end: int | None = None) -> list[ReportingPeriod]:
    """Create any missing quarter of the plan's span, each with an update deadline; return all.

    The rule lives in ``plans.lifecycle`` so that rolling a plan forward sets its quarters
    up the same way.
    """
    return plan_periods_generate(plan=plan, days_after_end=days_after_end)


def period_deadline_update(
    *, period: ReportingPeriod, user, update_deadline: date
) -> ReportingPeriod:
    """Move a period's update deadline (admins only); it cannot fall before the quarter starts."""
    _require_admin(user=user, period_or_plan=period)
    if update_deadline < period.start_date:
        raise ValidationError(
            {
                "update_deadline": (
                    f"The update deadline must be on or after {period.start_date:%-d %B %Y}, "
                    "the first day of the quarter."
                )
            }
        )
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        period.update_deadline = update_deadline
        period._history_user = user
        period.save(update_fields=["update_deadline"])
    return period


def period_close(*, period: ReportingPeriod, user, now=None, base_url: str = "") -> Snapshot:
    """Close an open period (admins only), freezing a snapshot of every item of its plan.

    Logs ``period_closed`` once the close is committed (the page and the demo loader alike).
    ``base_url``: the site's address; given (the close page gives it), each board member of
    the partnership who asked to hear is told the pack is final (``pack_final_tell``).
    """
    _require_admin(user=user, period_or_plan=period)
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            ReportingPeriod.objects.select_for_update()
            .select_related("plan__partnership")
            .get(pk=period.pk)
        )
        if locked.is_closed:
            raise ValidationError(f"{locked.label} is already closed.")
        data = plan_state(period=locked, as_at=timezone.localdate(now))
        data["taken_at"] = now.isoformat()
        # "What changed" in this quarter's pack is read against the quarter before as it
        # stands now; recording which snapshot that was keeps the pack fixed even if the
        # quarter before is later reopened and closed again.
        data["previous_snapshot_id"] = _previous_snapshot_id(locked)
        # Who signed off, and when, where the partnership signs off its quarters (else no key,
        # so a pack of a partnership without sign-off is as it always was).
        signoff = signoff_state(period=locked)
        if signoff is not None:
            data["signoff"] = signoff
        snapshot = Snapshot.objects.create(
            period=locked,
            data=data,
            digest=state_digest(data),
            schema_version=STATE_SCHEMA_VERSION,
            created_at=now,
            created_by=user,
        )
        locked.status = ReportingPeriod.Status.CLOSED
        locked.closed_at = now
        locked.closed_by = user
        locked._history_user = user
        locked._change_reason = "Closed"
        locked.save(update_fields=["status", "closed_at", "closed_by"])
        if base_url:
            pack_final_tell(period=locked, user=user, base_url=base_url)
    security_event("period_closed", user_id=user.pk, period_id=period.pk)
    period.refresh_from_db()
    return snapshot


def pack_final_tell(*, period: ReportingPeriod, user, base_url: str) -> int:
    """Tell each board member of the period's partnership who opted in that its pack is
    final, with the link to the packs page; in the close's transaction. How many were told."""
    plan = period.plan
    board = get_user_model().objects.filter(
        is_active=True,
        memberships__partnership_id=plan.partnership_id,
        memberships__role=Membership.Role.BOARD,
    )
    recipients = list(pack_final_wanted(users=board).order_by("pk"))
    url = f"{base_url.rstrip('/')}{reverse('reporting:board_pack', kwargs={'pk': plan.pk})}"
    for recipient in recipients:
        context = {
            "name": recipient.get_full_name().strip(),
            "period": period,
            "plan": plan,
            "closed_by": user.get_full_name().strip(),
            "url": url,
        }
        notify(
            user=recipient,
            kind=kinds.PACK_FINAL,
            subject=f"The board pack for {plan.title}, {period.label}, is final",
            body=render_to_string("reporting/pack_final_email.txt", context),
            url=url,
            partnership_id=plan.partnership_id,
        )
    return len(recipients)


def _previous_snapshot_id(period: ReportingPeriod) -> int | None:
    before = period_previous(period=period)
    if before is None or not before.is_closed:
        return None
    snapshot = snapshot_latest(period=before)
    return snapshot.pk if snapshot else None


def period_reopen(*, period: ReportingPeriod, user, reason: str) -> ReportingPeriod:
    """Reopen a closed period (admins only) with a reason; its snapshots are kept unchanged.

    Logs ``period_reopened`` once the reopen is committed.
    """
    _require_admin(user=user, period_or_plan=period)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the period is being reopened."})
    with transaction.atomic():
        locked = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        if not locked.is_closed:
            raise ValidationError(f"{locked.label} is not closed, so it cannot be reopened.")
        locked.status = ReportingPeriod.Status.OPEN
        locked.status_reason = reason
        locked.closed_at = None
        locked.closed_by = None
        locked._history_user = user
        locked._change_reason = f"Reopened: {reason}"[:100]
        locked.save(update_fields=["status", "status_reason", "closed_at", "closed_by"])
    security_event("period_reopened", user_id=user.pk, period_id=period.pk)
    period.refresh_from_db()
    return period


# Keys of a plan state whose whole value is a person's name, and keys of text that may
# mention one ("YOT (Ken Dance)"). Commentary is the writer's own words and is left alone.
_NAME_KEYS = frozenset(
    {
        "update_author",
        "author",
        "author_name",
        "owner",
        "signatory",
        "signed_by",
        "uploaded_by_name",
    }
)
_TEXT_KEYS = frozenset({"lead_text", "file_name"})


def _state_redact(value, *, removal, key: str = ""):
    """A copy of a plan state (or part of it) with ``removal``'s person as "Former lead"."""

    if isinstance(value, dict):
        # A person as the state holds one, or the lead a milestone had when the quarter began
        # (``start_lead``: id and name only; the name may be the plan's own lead text).
        is_person = {"id", "name", "role_title"} <= value.keys() or (
            key == "start_lead" and {"id", "name"} <= value.keys()
        )
        return {
            k: (
                FORMER_LEAD
                if is_person and k == "name" and value["id"] == removal.person_id
                else (
                    redact_text(v, names=removal.names)
                    if is_person and k == "name" and isinstance(v, str)
                    else _state_redact(v, removal=removal, key=k)
                )
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_state_redact(v, removal=removal, key=key) for v in value]
    if isinstance(value, str) and key in _NAME_KEYS and is_name(value, names=removal.names):
        return FORMER_LEAD
    if isinstance(value, str) and key in _TEXT_KEYS:
        return redact_text(value, names=removal.names)
    return value


PACK_CANCELLED_MESSAGE = (
    "This pack was cancelled because a person was removed from the partnership while it was "
    "being produced. Ask for it again: the new pack shows them as 'Former lead'."
)
PACK_WITHDRAWN_MESSAGE = (
    "This pack was withdrawn because a person was removed from the partnership after it was "
    "produced, and it named them. Ask for it again: the new pack shows them as "
    "'Former lead'."
)


def snapshots_redact_person(removal) -> int:
    """Replace a removed person's name in their partnership's snapshots; return how many changed.

    Called by ``plans.services.person_remove`` inside its transaction (registered in
    ``ReportingConfig.ready``). Each rewritten snapshot gets a new digest and a
    ``SnapshotRedaction`` record; board packs of the partnership are cancelled and their files
    deleted, so they are rendered again from the redacted data when asked for.
    """

    changed = []
    snapshots = Snapshot.objects.select_for_update().filter(
        period__plan__partnership_id=removal.partnership_id
    )
    for snapshot in snapshots:
        data = _state_redact(snapshot.data, removal=removal)
        if data == snapshot.data:
            continue
        snapshot.data = data
        snapshot.digest = state_digest(data)
        snapshot.save(update_fields=["data", "digest"])
        SnapshotRedaction.objects.create(
            snapshot=snapshot,
            person_id=removal.person_id,
            redacted_by_id=removal.user_id,
            digest=snapshot.digest,
        )
        changed.append(snapshot.pk)
    # Packs of the partnership were (or are being) rendered with the old name: running and
    # queued ones are cancelled (the worker checks before storing and discards its output),
    # finished ones lose their file. Each job keeps its row, so whoever is watching it reads
    # what happened. The files go only once the removal is committed, so a rollback leaves
    # every pack whole.
    jobs = PackJob.objects.filter(period__plan__partnership_id=removal.partnership_id)
    jobs.filter(status__in=[PackJob.Status.QUEUED, PackJob.Status.RUNNING]).update(
        status=PackJob.Status.CANCELLED,
        stage="Cancelled",
        message=PACK_CANCELLED_MESSAGE,
        finished_at=timezone.now(),
    )
    finished = jobs.exclude(file="")
    files = {(job.file.storage, job.file.name) for job in finished}
    finished.update(
        status=PackJob.Status.CANCELLED,
        stage="Cancelled",
        message=PACK_WITHDRAWN_MESSAGE,
        file="",
        size=0,
        source_digest="",
    )
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    return len(changed)


def _state_remap(state: dict, context) -> dict:
    """A copy of a snapshot's state with the exporting database's ids mapped to this one's.

    An id the export did not include (an item deleted before the plan was exported) becomes
    its negative, so it can never be mistaken for an item of this database.
    """

    def new(kind: str, old):
        if old is None:
            return None
        found = context.new_id(kind, old)
        return found if found is not None else -abs(int(old))

    def person(p: dict | None) -> None:
        if p:
            p["id"] = new("person", p.get("id"))
            p["organisation_id"] = new("organisation", p.get("organisation_id"))

    state = copy.deepcopy(state)
    if isinstance(state.get("partnership"), dict):
        # The snapshot belongs to the partnership imported into, which may have a new name.
        state["partnership"]["id"] = context.plan.partnership_id
        state["partnership"]["name"] = context.plan.partnership.name
    if isinstance(state.get("plan"), dict):
        state["plan"]["id"] = context.plan.pk
    if isinstance(state.get("period"), dict):
        state["period"]["id"] = new("period", state["period"].get("id"))
    if "previous_snapshot_id" in state:
        state["previous_snapshot_id"] = new("snapshot", state["previous_snapshot_id"])
    for priority in state.get("priorities", []):
        priority["id"] = new("priority", priority.get("id"))
        for outcome in priority.get("outcomes", []):
            outcome["id"] = new("outcome", outcome.get("id"))
            for action in outcome.get("actions", []):
                action["id"] = new("action", action.get("id"))
                for lead in action.get("leads") or []:
                    person(lead)
                for milestone in action.get("milestones", []):
                    milestone["id"] = new("milestone", milestone.get("id"))
                    person(milestone.get("lead"))
                    if milestone.get("start_lead"):
                        start_lead = milestone["start_lead"]
                        start_lead["id"] = new("person", start_lead.get("id"))
    for indicator in state.get("indicators") or []:
        if "priority_id" in indicator:
            indicator["priority_id"] = new("priority", indicator["priority_id"])
    return state


class SnapshotDigestMismatch(ValueError):
    """A snapshot in a plan's JSON export was changed after it was exported."""


def periods_json_import(*, data: list[dict], context) -> None:
    """Rebuild a plan's periods and snapshots from its JSON export (inside the plan's import).

    Each snapshot's digest is checked against its data as exported, so a file changed since
    it was exported is refused; the frozen ids are then mapped to this database's and the
    digest recomputed. Called by ``portability.json_import``.
    """

    snapshots = []
    for item in data:
        period = ReportingPeriod.objects.create(
            plan=context.plan,
            year=item["year"],
            quarter=item["quarter"],
            start_date=date.fromisoformat(item["start_date"]),
            end_date=date.fromisoformat(item["end_date"]),
            update_deadline=date.fromisoformat(item["update_deadline"]),
            status=item["status"],
            closed_at=parse_datetime(item["closed_at"]) if item.get("closed_at") else None,
            status_reason=item.get("status_reason", ""),
        )
        context.record("period", item.get("id"), period.pk)
        snapshots += [(period, snapshot) for snapshot in item.get("snapshots", [])]
    # Oldest first, so the snapshot a later one compares with already has its new id.
    snapshots.sort(key=lambda pair: (pair[1]["created_at"], pair[1].get("id") or 0))
    for period, item in snapshots:
        if state_digest(item["data"]) != item["digest"]:
            raise SnapshotDigestMismatch(
                f"The snapshot of {period.label} taken at {item['created_at']} does not match "
                "its digest: the file has been changed since it was exported. Nothing was "
                "imported; import an unedited export."
            )
        data_now = _state_remap(item["data"], context)
        snapshot = Snapshot.objects.create(
            period=period,
            data=data_now,
            digest=state_digest(data_now),
            schema_version=item.get("schema_version", STATE_SCHEMA_VERSION),
            created_at=parse_datetime(item["created_at"]),
        )
        context.record("snapshot", item.get("id"), snapshot.pk)
        for redaction in item.get("redactions", []):
            SnapshotRedaction.objects.create(
                snapshot=snapshot,
                person_id=context.new_id("person", redaction["person_id"]) or 0,
                redacted_at=parse_datetime(redaction["redacted_at"]),
                digest=snapshot.digest,
            )


def board_meeting_set(
    *, period: ReportingPeriod, user, board_name: str, meeting_date: date | None
) -> BoardMeeting:
    """Name the board and the meeting a period's pack is for (admins only), for its cover.

    The period's stored pack files were made with the old cover, so they are let go (made
    again on the next download); the jobs stay as a record of what was produced.
    """
    _require_admin(user=user, period_or_plan=period)
    with transaction.atomic():
        meeting = BoardMeeting.objects.select_for_update().filter(
            period=period
        ).first() or BoardMeeting(period=period)
        meeting.board_name = board_name.strip()[:200]
        meeting.meeting_date = meeting_date
        meeting._history_user = user
        meeting.save()
        stored = PackJob.objects.filter(period=period).exclude(file="")
        names = list(stored.values_list("file", flat=True))
        stored.update(file="")
        transaction.on_commit(lambda: _files_delete(names))
    return meeting


def _files_delete(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)
