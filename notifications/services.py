"""Writes of the notifications app: record an event for a person, send it, send the digests.

``notify`` is the one way in (see /work/notes/CONTRACTS.md): it records a ``Notification`` in
the caller's transaction, and only once that transaction commits does anything go out — the
worker sends an immediate one (``notifications.tasks.notification_send``), a digest one waits
for ``digests_send``. Sending locks the row (``select_for_update(skip_locked=True)``) and marks
it sent in the same transaction as the successful send, so two workers never send it twice.
A failed send keeps the row with its attempts and last error and is tried again with a
growing wait (``NOTIFICATIONS_RETRY_MINUTES``, tripled each time) until
``NOTIFICATIONS_MAX_ATTEMPTS``; ``notifications_due_send`` (the ``notifications_send``
command, every few minutes) makes those tries and picks up any whose task was lost.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notifications.kinds import DIGEST_ORDER, Kind
from notifications.models import Notification, NotificationPreference

logger = logging.getLogger("notifications")

NO_ADDRESS = "No e-mail address on this account, so nothing was sent."
INACTIVE = "This account is switched off, so nothing was sent."


def _one_line(text: str) -> str:
    """A subject on one line: e-mail headers may not carry line breaks."""
    return " ".join((text or "").split())[:255]


def _unreachable(user) -> str:
    """Why ``user`` cannot be e-mailed ("" when they can)."""
    if not user.is_active:
        return INACTIVE
    if not (user.email or "").strip():
        return NO_ADDRESS
    return ""


def _retry_at(*, attempts: int, now: datetime) -> datetime:
    """When to try again after ``attempts`` failures: 5, 15, 45 minutes… (the setting × 3ⁿ)."""
    first = settings.NOTIFICATIONS_RETRY_MINUTES
    return now + timedelta(minutes=first * 3 ** max(attempts - 1, 0))


def _preferences_link(url: str) -> str:
    """The settings page's full address on the site ``url`` is on ("" without a site)."""
    parts = urlsplit(url or "")
    if not (parts.scheme and parts.netloc):
        return ""
    return f"{parts.scheme}://{parts.netloc}{reverse('notifications:preferences')}"


def notify(
    *,
    user,
    kind: str,
    subject: str,
    body: str,
    url: str = "",
    partnership_id: int | None = None,
) -> None:
    """Record that ``user`` is to hear of an event; send it (or keep it for their digest) once
    the caller's transaction commits. A person with no e-mail address is recorded as skipped."""
    if kind not in Kind.values:
        raise ValueError(f"Unknown kind of notification: {kind!r}")
    reason = _unreachable(user)
    delivery = (
        NotificationPreference.objects.filter(user=user).values_list("delivery", flat=True).first()
    )
    notification = Notification.objects.create(
        recipient=user,
        kind=kind,
        subject=_one_line(subject),
        body=body,
        url=url,
        partnership_id=partnership_id,
        digest=delivery == NotificationPreference.Delivery.DIGEST,
        status=Notification.Status.SKIPPED if reason else Notification.Status.PENDING,
        last_error=reason,
    )
    if not reason and not notification.digest:
        transaction.on_commit(lambda: _enqueue(notification.pk))


def _enqueue(notification_id: int, *, run_after: datetime | None = None) -> None:
    from notifications.tasks import notification_send  # the task module imports this one

    task = notification_send
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # this queue cannot wait: notifications_send makes the retry
        task = task.using(run_after=run_after)
    task.enqueue(notification_id=notification_id)


def _message(*, notification: Notification) -> EmailMessage:
    body = notification.body.rstrip()
    link = _preferences_link(notification.url)
    if link:
        body += f"\n\n--\nTo choose what you hear of, and whether in one e-mail a day: {link}\n"
    return EmailMessage(
        subject=notification.subject, body=body, to=[notification.recipient.email.strip()]
    )


def _failed(notification: Notification, *, error: Exception, now: datetime) -> None:
    """Record a failed attempt on ``notification`` (already counted), and when to try again."""
    notification.last_error = f"{type(error).__name__}: {error}"[:2000]
    if notification.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        notification.status = Notification.Status.FAILED
        notification.next_attempt_at = None
    else:
        notification.next_attempt_at = _retry_at(attempts=notification.attempts, now=now)
    logger.warning(
        "notification %s not sent (attempt %s): %s",
        notification.pk,
        notification.attempts,
        notification.last_error,
    )


def notification_send(*, notification_id: int, now: datetime | None = None) -> str:
    """Send one immediate notification if it is still waiting; what happened, as its status.

    The row is locked while the e-mail is handed to the mail backend and marked sent in the
    same transaction, so a second worker skips it. Returns "sent", "skipped", "failed" (tried
    again later, or given up) or "" when there was nothing to do (sent already, being sent by
    another worker, or a digest one).
    """
    now = now or timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, status=Notification.Status.PENDING, digest=False)
            .first()
        )
        if notification is None:
            return ""
        reason = _unreachable(notification.recipient)
        if reason:
            notification.status = Notification.Status.SKIPPED
            notification.last_error = reason
            notification.save(update_fields=["status", "last_error"])
            return "skipped"
        notification.attempts += 1
        try:
            _message(notification=notification).send()
        except Exception as error:  # any failure of the mail backend keeps the row for a retry
            _failed(notification, error=error, now=now)
            notification.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            if notification.next_attempt_at:
                retry_at, pk = notification.next_attempt_at, notification.pk
                transaction.on_commit(lambda: _enqueue(pk, run_after=retry_at))
            return "failed"
        notification.status = Notification.Status.SENT
        notification.sent_at = now
        notification.next_attempt_at = None
        notification.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at"])
    return "sent"


def _due(now: datetime) -> Q:
    """Waiting rows whose next try is due, or (never tried) whose task looks lost."""
    lost_before = now - timedelta(minutes=settings.NOTIFICATIONS_LOST_AFTER_MINUTES)
    return Q(next_attempt_at__lte=now) | Q(
        next_attempt_at__isnull=True, attempts=0, created_at__lte=lost_before
    )


@dataclass
class SendRun:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    digests: int = 0

    def count(self, outcome: str) -> None:
        if outcome in ("sent", "failed", "skipped"):
            setattr(self, outcome, getattr(self, outcome) + 1)


def notifications_due_send(*, now: datetime | None = None) -> SendRun:
    """Try again every waiting immediate notification that is due (after a failure, or whose
    task was lost), and every digest whose last attempt failed; what happened."""
    now = now or timezone.now()
    run = SendRun()
    immediate = Notification.objects.filter(
        _due(now), status=Notification.Status.PENDING, digest=False
    ).order_by("pk")
    for pk in immediate.values_list("pk", flat=True).iterator():
        run.count(notification_send(notification_id=pk, now=now))
    digests = digests_send(now=now, retries_only=True)
    run.digests, run.failed = digests.sent, run.failed + digests.failed
    run.skipped += digests.skipped
    return run


@dataclass
class DigestRun:
    sent: int = 0  # e-mails, one per person
    items: int = 0  # notifications they carried
    failed: int = 0
    skipped: int = 0
    recipients: list = field(default_factory=list)


def digest_email(*, user, notifications: list[Notification]) -> EmailMessage:
    """One person's digest: everything waiting for them, grouped by kind, each item named."""
    order = {kind: index for index, kind in enumerate(DIGEST_ORDER)}
    ordered = sorted(notifications, key=lambda n: (order.get(n.kind, 99), n.created_at, n.pk))
    groups = [
        (Kind(kind).label, list(items)) for kind, items in groupby(ordered, key=lambda n: n.kind)
    ]
    count = len(notifications)
    link = next((_preferences_link(n.url) for n in notifications if n.url), "")
    body = render_to_string(
        "notifications/digest_email.txt",
        {"name": user.get_full_name().strip(), "groups": groups, "count": count, "link": link},
    )
    things = "1 thing" if count == 1 else f"{count} things"
    return EmailMessage(
        subject=f"Your daily summary from partnership plans: {things} to know",
        body=body,
        to=[user.email.strip()],
    )


def digests_send(
    *, now: datetime | None = None, retries_only: bool = False, batch_size: int | None = None
) -> DigestRun:
    """Send each person one e-mail with all their waiting digest notifications (grouped by
    kind); mark them sent. Running it again sends nothing new.

    People are taken in batches (``NOTIFICATIONS_DIGEST_BATCH``); each batch costs the same
    few queries however many notifications it holds: its recipients, their rows (locked,
    skipping any another run holds), one update for those sent, one for those skipped and
    one for failures. ``retries_only``: only people whose last digest failed and is due again
    (``notifications_send`` does this between the daily runs).
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.NOTIFICATIONS_DIGEST_BATCH
    waiting = Notification.objects.filter(
        status=Notification.Status.PENDING,
        digest=True,
        attempts__lt=settings.NOTIFICATIONS_MAX_ATTEMPTS,
    )
    if retries_only:
        waiting = waiting.filter(attempts__gt=0, next_attempt_at__lte=now)
    run = DigestRun()
    after = 0
    while True:
        recipient_ids = list(
            waiting.filter(recipient_id__gt=after)
            .order_by("recipient_id")
            .values_list("recipient_id", flat=True)
            .distinct()[:batch_size]
        )
        if not recipient_ids:
            return run
        after = recipient_ids[-1]
        _digest_batch(waiting.filter(recipient_id__in=recipient_ids), now=now, run=run)


def _digest_batch(rows, *, now: datetime, run: DigestRun) -> None:
    with transaction.atomic():
        locked = list(
            rows.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .order_by("recipient_id", "created_at", "pk")
        )
        sent, skipped, failed = [], {}, []
        for _recipient_id, items in groupby(locked, key=lambda n: n.recipient_id):
            items = list(items)
            user = items[0].recipient
            reason = _unreachable(user)
            if reason:
                skipped.setdefault(reason, []).extend(n.pk for n in items)
                run.skipped += len(items)
                continue
            try:
                digest_email(user=user, notifications=items).send()
            except Exception as error:  # any failure of the mail backend: kept, tried again
                for notification in items:
                    notification.attempts += 1
                    _failed(notification, error=error, now=now)
                failed.extend(items)
                run.failed += 1
                continue
            sent.extend(n.pk for n in items)
            run.sent += 1
            run.items += len(items)
            run.recipients.append(user.pk)
        if sent:
            Notification.objects.filter(pk__in=sent).update(
                status=Notification.Status.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                next_attempt_at=None,
            )
        for reason, pks in skipped.items():
            Notification.objects.filter(pk__in=pks).update(
                status=Notification.Status.SKIPPED, last_error=reason
            )
        if failed:
            Notification.objects.bulk_update(
                failed, ["attempts", "last_error", "status", "next_attempt_at"]
            )


def notifications_redact(*, partnership_id: int, redact: Callable[[str], str]) -> int:
    """Rewrite the subject and text of a partnership's notifications with ``redact`` (a
    removed person's name becomes "Former lead"); how many changed. Called by plans."""
    changed = 0
    rows = Notification.objects.filter(partnership_id=partnership_id).values_list(
        "pk", "subject", "body"
    )
    for pk, subject, body in rows.iterator():
        new_subject, new_body = redact(subject)[:255], redact(body)
        if (new_subject, new_body) != (subject, body):
            Notification.objects.filter(pk=pk).update(subject=new_subject, body=new_body)
            changed += 1
    return changed


def preference_set(*, user, delivery: str, pack_final: bool | None = None):
    """Save how ``user`` hears: "immediate" or "digest"; and, when given, the packs opt-in.

    Notifications already waiting for a digest stay in it; the choice applies from now on.
    """
    if delivery not in NotificationPreference.Delivery.values:
        raise ValueError(f"Unknown delivery: {delivery!r}")
    defaults = {"delivery": delivery}
    if pack_final is not None:
        defaults["pack_final"] = pack_final
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.update_or_create(
            user=user, defaults=defaults
        )
    return preference
