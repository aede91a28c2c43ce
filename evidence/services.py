"""Writes: attach a file to an update, remove one, and cover a removed person's name."""

import operator
import secrets
from functools import reduce

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from evidence.filetypes import AttachmentRefused, file_check
from evidence.models import Attachment
from plans.access import is_partnership_admin, may_update_milestone
from plans.models import Milestone, MilestoneUpdate, Person, ReportingPeriod
from plans.personal_data import FORMER_LEAD, Removal, redact_text
from plans.services import author_name_for
from security.events import security_event

STORAGE_ALIAS = "evidence"


def evidence_storage():
    """The storage evidence is kept in (settings.STORAGES["evidence"]: disk or the bucket)."""
    return storages[STORAGE_ALIAS]


def _update_with_plan(update: MilestoneUpdate) -> MilestoneUpdate:
    return (
        MilestoneUpdate.objects.select_related(
            "milestone__lead", "milestone__action__outcome__priority__plan"
        )
        .prefetch_related("milestone__action__leads")
        .get(pk=update.pk)
    )


def update_frozen_by(update: MilestoneUpdate) -> ReportingPeriod | None:
    """The closed quarter whose snapshot froze this update, if any (its files then stay)."""
    return (
        ReportingPeriod.objects.filter(
            plan_id=update.milestone.action.outcome.priority.plan_id,
            status=ReportingPeriod.Status.CLOSED,
            closed_at__gte=update.created_at,
        )
        .order_by("closed_at")
        .first()
    )


def evidence_change_refusal(*, update: MilestoneUpdate) -> str:
    """Why files on this update cannot change now ("" when they can): archived plan,
    withdrawn milestone, or a quarter closed since the update was saved."""
    plan = update.milestone.action.outcome.priority.plan
    if plan.archived_at is not None:
        return "This milestone's plan is archived, so it is read-only: its evidence cannot change."
    if not Milestone.objects.live().filter(pk=update.milestone_id).exists():
        return (
            "This milestone has been withdrawn from the plan, so its evidence cannot change. "
            "A partnership admin can reinstate it from its page."
        )
    frozen = update_frozen_by(update)
    if frozen is not None:
        return (
            f"This update was saved before {frozen.label} was closed, so its evidence is part "
            "of that quarter's board pack and cannot change. Attach the file to a new update "
            "instead."
        )
    return ""


def attachment_add(*, update: MilestoneUpdate, user, name: str, file, size=None) -> Attachment:
    """Check a file and attach it to an update: stored whole under a random name, or refused.

    The milestone's leads, their delegates and partnership admins may attach, while the
    update is not frozen by a closed quarter. A refusal (``ValidationError`` with a sentence
    under ``file``) stores nothing: the file is checked before it is stored, and the stored
    copy is deleted again if the row cannot be saved.
    """
    update = _update_with_plan(update)
    if not may_update_milestone(user=user, milestone=update.milestone):
        raise PermissionDenied(
            "Only the milestone's lead, the action's leads, their delegates and partnership "
            "admins can attach evidence to its updates."
        )
    refusal = evidence_change_refusal(update=update)
    if refusal:
        raise ValidationError({"file": refusal})
    try:
        checked = file_check(name=name, file=file, size=size)
    except AttachmentRefused as error:
        security_event("attachment_refused", user_id=getattr(user, "pk", None), update_id=update.pk)
        raise ValidationError({"file": str(error)}) from None
    storage = evidence_storage()
    file.seek(0)
    stored_name = storage.save(f"evidence/{secrets.token_hex(16)}", File(file))
    partnership_id = update.milestone.action.outcome.priority.plan.partnership_id
    try:
        with transaction.atomic():
            attachment = Attachment(
                update=update,
                original_name=checked.display_name,
                stored_name=stored_name,
                size=checked.size,
                content_type=checked.content_type,
                sha256=checked.sha256,
                uploaded_by=user,
                uploaded_by_name=author_name_for(user=user, partnership_id=partnership_id),
            )
            attachment._history_user = user
            attachment.save()
    except BaseException:
        storage.delete(stored_name)
        raise
    security_event(
        "attachment_added",
        user_id=getattr(user, "pk", None),
        attachment_id=attachment.pk,
        update_id=update.pk,
        size=checked.size,
    )
    return attachment


def may_remove(*, user, attachment: Attachment) -> bool:
    """The person who attached it (while they may still update the milestone), or an admin."""
    milestone = attachment.update.milestone
    partnership_id = milestone.action.outcome.priority.plan.partnership_id
    if is_partnership_admin(user, partnership_id):
        return True
    return (
        attachment.uploaded_by_id is not None
        and attachment.uploaded_by_id == user.pk
        and may_update_milestone(user=user, milestone=milestone)
    )


def attachment_remove(*, attachment: Attachment, user) -> Attachment:
    """Remove an attached file: the stored copy is deleted, the row says who and when.

    The row and its history stay, so the update's history still shows that a file was
    attached and who removed it (nothing is silently lost). Refused once a closed quarter
    has frozen the update.
    """
    attachment = Attachment.objects.select_related(
        "update__milestone__lead", "update__milestone__action__outcome__priority__plan"
    ).get(pk=attachment.pk)
    if not may_remove(user=user, attachment=attachment):
        raise PermissionDenied(
            "Only the person who attached the file and partnership admins can remove it."
        )
    if attachment.is_removed:
        raise ValidationError("This file has already been removed.")
    refusal = evidence_change_refusal(update=attachment.update)
    if refusal:
        raise ValidationError(refusal)
    partnership_id = attachment.update.milestone.action.outcome.priority.plan.partnership_id
    stored_name = attachment.stored_name
    with transaction.atomic():
        attachment.removed_at = timezone.now()
        attachment.removed_by = user
        attachment.removed_by_name = author_name_for(user=user, partnership_id=partnership_id)
        attachment._history_user = user
        attachment._change_reason = "Removed"
        attachment.save()
        if stored_name:
            # The file goes only once the removal is committed: a rollback keeps it whole.
            storage = evidence_storage()
            transaction.on_commit(lambda: storage.delete(stored_name))
    security_event(
        "attachment_removed", user_id=getattr(user, "pk", None), attachment_id=attachment.pk
    )
    return attachment


def attachments_redact_person(removal: Removal) -> None:
    """Cover a removed person on the files of their partnership: "Former lead" for who
    attached or removed a file, and for their name inside a file's name ("Ken Dance CV.pdf"
    becomes "Former lead CV.pdf"), in the rows and their history.

    Called by ``plans.services.person_remove`` inside its transaction (registered in
    ``EvidenceConfig.ready``).
    """
    names = removal.names
    here = Q(
        update__milestone__action__outcome__priority__plan__partnership_id=removal.partnership_id
    )
    user_id = Person.objects.filter(pk=removal.person_id).values_list("user_id", flat=True).first()
    ids = list(Attachment.objects.filter(here).values_list("pk", flat=True))
    if not ids:
        return
    history = Attachment.history.model.objects.filter(id__in=ids)
    for model in (Attachment.objects.filter(pk__in=ids), history):
        by_name = [Q(uploaded_by_name__iexact=name) for name in names]
        removed_by = [Q(removed_by_name__iexact=name) for name in names]
        if user_id:
            by_name.append(Q(uploaded_by_id=user_id))
            removed_by.append(Q(removed_by_id=user_id))
        if by_name:
            model.filter(reduce(operator.or_, by_name)).update(uploaded_by_name=FORMER_LEAD)
            model.filter(reduce(operator.or_, removed_by)).update(removed_by_name=FORMER_LEAD)
        if names:
            mentions = reduce(operator.or_, [Q(original_name__icontains=n) for n in names])
            for pk, text in model.filter(mentions).values_list("pk", "original_name"):
                redacted = redact_text(text, names=names)
                if redacted != text:
                    model.model.objects.filter(pk=pk).update(original_name=redacted[:200])
