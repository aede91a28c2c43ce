"""Chasing from the chase page: "Remind everyone who has not updated", previewed, then sent.

The admin's round is recorded (``ReminderRound``, kept in history for the audit trail) in
the request, and its e-mails go out from the task queue's worker (``plans.tasks``) through
the same ``plans.services.reminders_send`` the scheduled command uses, which records each
e-mail sent (``ReminderSent``) against the round.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from plans import tasks
from plans.access import is_partnership_admin
from plans.lifecycle import plan_require_open
from plans.models import Plan, ReminderRound
from plans.reminders import LeadDigest, Unreachable, reminder_digests
from plans.selectors import period_collecting
from plans.services import author_name_for, reminder_email

MESSAGE_MAX = 2000


@dataclass
class RoundPreview:
    """Who an admin's round would e-mail, who it cannot reach, and the e-mail as one lead
    would get it."""

    digests: list[LeadDigest]
    unreachable: list[Unreachable]
    subject: str = ""
    body: str = ""

    @property
    def milestone_count(self) -> int:
        return sum(len(d.milestones) for d in self.digests)


def reminder_round_preview(*, plan: Plan, base_url: str, message: str = "") -> RoundPreview:
    """The round as it would go now: recipients, unreachable leads, and a sample e-mail."""
    digests, unreachable = reminder_digests(plan=plan)
    preview = RoundPreview(digests=digests, unreachable=unreachable)
    if digests:
        preview.subject, preview.body = reminder_email(
            digest=digests[0], base_url=base_url, message=message
        )
    return preview


def reminder_round_request(*, plan: Plan, user, message: str, base_url: str) -> ReminderRound:
    """Record an admin's reminder round for the plan's period and queue its e-mails.

    Refused for an archived or ended plan (it chases no one), when nobody with an e-mail
    address is left to chase, and for a message over ``MESSAGE_MAX`` characters.
    """
    if not is_partnership_admin(user, plan.partnership_id):
        raise PermissionDenied("Only a partnership admin can do this.")
    message = message.strip()
    if len(message) > MESSAGE_MAX:
        raise ValidationError(
            {"message": f"The message must be {MESSAGE_MAX:,} characters or fewer"}
        )
    with transaction.atomic():
        current = Plan.objects.select_for_update().get(pk=plan.pk)
        plan_require_open(plan=current)
        collecting = period_collecting(plan=current)
        if collecting is None:
            raise ValidationError("This plan has ended and is not collecting updates.")
        digests, unreachable = reminder_digests(plan=current)
        if not digests:
            raise ValidationError(
                "Nobody can be reminded by email: the leads who have not updated have no "
                "email address."
                if unreachable
                else "Nobody to remind: every lead has updated this quarter."
            )
        reminder_round = ReminderRound.objects.create(
            plan=current,
            year=collecting.period.year,
            quarter=collecting.period.quarter,
            sent_by=user,
            sent_by_name=author_name_for(user=user, partnership_id=current.partnership_id),
            message=message,
            lead_count=len(digests),
        )
        transaction.on_commit(
            lambda: tasks.reminder_round_send.enqueue(round_id=reminder_round.pk, base_url=base_url)
        )
    return reminder_round
