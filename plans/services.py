"""Writes to the plan: leads' milestone updates, delegations, sign-in links and reminders.

The importer keeps its own services in ``imports.services``.
"""

import logging
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import reduce
from urllib.parse import urlencode

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from sesame.utils import get_query_string

from notifications import kinds
from notifications.services import notifications_redact, notify
from plans import rag
from plans.access import is_partnership_admin
from plans.formatting import article, govuk_date
from plans.lifecycle import plan_require_open
from plans.models import (
    RAG,
    Action,
    Delegation,
    Invitation,
    LeadAccount,
    Membership,
    Milestone,
    MilestoneUpdate,
    Person,
    Plan,
    Priority,
    ReminderRound,
    ReminderSent,
)
from plans.models import Outcome as PlanOutcome
from plans.personal_data import FORMER_LEAD, Removal, person_removal_hooks, redact_text
from plans.reminders import reminder_digests
from security.authentication import own_site_path
from security.events import security_event

logger = logging.getLogger("plans")


@dataclass(frozen=True)
class Suggestion:
    status: str
    reason: str

    @property
    def label(self) -> str:
        return RAG(self.status).label


def rag_suggest(*, due_date: date | None, original_due_date: date | None, today: date):
    """The RAG the dates point to, with why; None when the dates say nothing."""
    if due_date and due_date < today:
        return Suggestion(RAG.RED, f"the due date, {govuk_date(due_date)}, has passed")
    if due_date and original_due_date and due_date > original_due_date:
        return Suggestion(
            RAG.AMBER,
            f"the due date has moved from {govuk_date(original_due_date)} "
            f"to {govuk_date(due_date)}",
        )
    return None


def is_kinder(*, status: str, suggested: str) -> bool:
    """True when ``status`` is kinder than the dates suggest (the rule is in plans/rag.py)."""
    return rag.is_kinder(status=status, suggested=suggested)


def milestone_update_errors(
    *,
    milestone: Milestone,
    status: str,
    commentary: str,
    due_date: date | None,
    due_date_reason: str,
    completed_on: date | None,
    status_reason: str,
    today: date,
    no_change: bool = False,
) -> dict[str, str]:
    """The update's rule breaches, by field, as sentences saying what to do.

    Every update says something: a save that changes nothing is refused unless the lead
    ticks "No change since the last update", which changes nothing but confirms it.
    """
    errors: dict[str, str] = {}
    if status not in RAG.values:
        errors["status"] = "Select the milestone's status"
        return errors
    label = RAG(status).label
    if status != RAG.COMPLETE:
        if completed_on and completed_on != milestone.completed_on:
            # Typed for another status: say so rather than drop it without a word.
            errors["completed_on"] = "Choose Complete, or remove the date completed"
        completed_on = None  # reopening a completed milestone clears its date
    changed = (
        status != milestone.status
        or due_date != milestone.due_date
        or completed_on != milestone.completed_on
        or bool(commentary.strip())
    )
    if no_change:
        if changed and not errors:
            errors["no_change"] = (
                "Untick 'No change since the last update', or undo your changes to the "
                "status, commentary or dates"
            )
        return errors
    if not changed and not errors:
        errors["commentary"] = (
            "Enter what has happened since the last update, or tick "
            "'No change since the last update'"
        )
        return errors
    if not commentary.strip():
        if status in (RAG.RED, RAG.AMBER):
            errors["commentary"] = f"Enter progress commentary: {article(label)} status needs it"
        elif status != milestone.status:
            errors["commentary"] = (
                "Enter progress commentary saying why the status has changed from "
                f"{milestone.get_status_display()} to {label}"
            )
    plan = milestone.action.outcome.priority.plan
    if milestone.due_date and not due_date:
        errors["due_date"] = "Enter the due date; change it if the milestone will be late"
    elif due_date and due_date != milestone.due_date and due_date < plan.start_date:
        errors["due_date"] = (
            f"The due date must be on or after {govuk_date(plan.start_date)}, when the plan starts"
        )
    if due_date and milestone.due_date and not due_date_reason.strip():
        if due_date > milestone.due_date:
            errors["due_date_reason"] = (
                f"Enter why the due date has moved later than {govuk_date(milestone.due_date)}"
            )
        elif due_date < milestone.due_date and "due_date" not in errors:
            # Earlier is rare and often a slip of the keyboard: the lead confirms it by
            # saying why, and the reason goes to the board with the new date.
            errors["due_date_reason"] = (
                f"Enter why the due date has moved earlier than "
                f"{govuk_date(milestone.due_date)}, or put the date back"
            )
    if status == RAG.COMPLETE:
        # An item imported as Complete with no date can still take a note; a date is only
        # asked for when the lead completes it now, or would remove the one it has.
        dateless_already = milestone.status == RAG.COMPLETE and not milestone.completed_on
        if not completed_on and not dateless_already:
            errors["completed_on"] = "Enter the date the milestone was completed"
        elif completed_on and completed_on > today:
            errors["completed_on"] = "The completion date must be today or in the past"
    suggestion = rag_suggest(
        due_date=due_date, original_due_date=milestone.original_due_date, today=today
    )
    kinder = bool(suggestion and is_kinder(status=status, suggested=suggestion.status))
    if kinder and not status_reason.strip():
        errors["status_reason"] = (
            f"Enter why you chose {label} when the dates suggest {suggestion.label} "
            f"({suggestion.reason})"
        )
    return errors


class MilestoneConflict(Exception):
    """Someone else updated the milestone since the form was loaded; nothing was saved."""

    def __init__(self, milestone: Milestone):
        super().__init__(f"Milestone {milestone.pk} changed since it was loaded.")
        self.milestone = milestone


def author_name_for(*, user, partnership_id: int) -> str:
    """The name shown beside an update: the user's lead record, else their account name."""
    person = (
        Person.objects.filter(user=user, partnership_id=partnership_id).only("name").first()
        if user
        else None
    )
    if person:
        return person.name
    return (user.get_full_name() or user.get_username()) if user else ""


# Apps above plans that follow a milestone's updates (review: a revised update answers a
# query) register here from their AppConfig.ready(); plans never imports them.
_update_saved_hooks: list[Callable[[MilestoneUpdate], None]] = []


def register_update_saved_hook(hook: Callable[[MilestoneUpdate], None]) -> None:
    """Call ``hook(update)`` inside every ``milestone_update`` transaction (once per hook)."""
    if hook not in _update_saved_hooks:
        _update_saved_hooks.append(hook)


def milestone_update(
    *,
    milestone: Milestone,
    user,
    expected_version: int,
    status: str,
    commentary: str = "",
    due_date: date | None = None,
    due_date_reason: str = "",
    completed_on: date | None = None,
    status_reason: str = "",
    source: str = MilestoneUpdate.Source.WEB,
    no_change: bool = False,
    base_url: str = "",
) -> MilestoneUpdate:
    """Append an update to a milestone and move its current state, refusing stale versions.

    ``no_change``: the lead confirms nothing has changed; recorded as a no-change update
    (no commentary of its own) so the milestone counts as updated and keeps its last
    commentary. A save that changes nothing without it is refused.

    ``base_url``: the site's address, for the links of notifications. Given (the update
    form gives it), an update that makes the milestone Red when it was not tells the plan's
    owner (``milestone_red_tell``); imports never do, nor callers without a site (the demo
    loader replaying history).
    """
    today = timezone.localdate()
    with transaction.atomic():
        bumped = Milestone.objects.filter(pk=milestone.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if not bumped:
            raise MilestoneConflict(Milestone.objects.get(pk=milestone.pk))
        # The version matched, so the row is in the state the lead saw; read it fresh anyway
        # so the rules and the history compare against the database, not a stale instance.
        current = Milestone.objects.select_related("action__outcome__priority__plan").get(
            pk=milestone.pk
        )
        plan_require_open(plan=current.action.outcome.priority.plan)
        errors = milestone_update_errors(
            milestone=current,
            status=status,
            commentary=commentary,
            due_date=due_date,
            due_date_reason=due_date_reason,
            completed_on=completed_on,
            status_reason=status_reason,
            today=today,
            no_change=no_change,
        )
        if errors:
            raise ValidationError(errors)
        if status != RAG.COMPLETE:
            completed_on = None
        if not (due_date and current.due_date and due_date != current.due_date):
            due_date_reason = ""
        suggestion = rag_suggest(
            due_date=due_date, original_due_date=current.original_due_date, today=today
        )
        if not (suggestion and is_kinder(status=status, suggested=suggestion.status)):
            status_reason = ""
        update = MilestoneUpdate.objects.create(
            milestone=current,
            status=status,
            commentary=commentary.strip(),
            due_date=due_date,
            due_date_reason=due_date_reason.strip(),
            completed_on=completed_on,
            suggested_status=suggestion.status if suggestion else "",
            status_reason=status_reason.strip(),
            author=user,
            author_name=author_name_for(
                user=user, partnership_id=current.action.outcome.priority.plan.partnership_id
            ),
            source=source,
            no_change=no_change,
        )
        went_red = status == RAG.RED and current.status != RAG.RED
        current.status = status
        current.due_date = due_date
        current.completed_on = completed_on
        current.latest_update = update
        if current.original_due_date is None and current.due_date is None:
            current.original_due_date = due_date  # the first date ever agreed
        # save() rather than update() so django-simple-history records before → after.
        current.save()
        for hook in _update_saved_hooks:
            hook(update)
        if went_red and base_url and source != MilestoneUpdate.Source.IMPORT:
            milestone_red_tell(milestone=current, update=update, base_url=base_url)
    milestone.refresh_from_db()
    return update


def milestone_red_recipients(*, plan: Plan, author) -> list:
    """Who hears that a milestone of ``plan`` went Red: its owner, or (no owner, or one no
    longer a member) the partnership's admins; never the person who made it Red."""
    User = get_user_model()
    members = User.objects.filter(is_active=True, memberships__partnership_id=plan.partnership_id)
    recipients = list(members.filter(pk=plan.owner_id)) if plan.owner_id else []
    if not recipients:
        recipients = list(members.filter(memberships__role=Membership.Role.ADMIN).order_by("pk"))
    return [user for user in recipients if author is None or user.pk != author.pk]


def milestone_red_tell(*, milestone: Milestone, update: MilestoneUpdate, base_url: str) -> int:
    """Tell the plan's owner (else its admins) that ``update`` made ``milestone`` Red; in the
    update's transaction, so a refused update tells no one. How many were told."""
    plan = milestone.action.outcome.priority.plan
    recipients = milestone_red_recipients(plan=plan, author=update.author)
    if not recipients:
        return 0
    url = f"{base_url.rstrip('/')}{milestone.get_absolute_url()}"
    number = f"{milestone.number} " if milestone.number else ""
    lead = (
        Person.objects.filter(pk=milestone.lead_id).values_list("name", flat=True).first()
        if milestone.lead_id
        else ""
    )
    for user in recipients:
        context = {
            "name": greeting_name_for(user),
            "milestone": milestone,
            "number": number,
            "plan": plan,
            "update": update,
            "lead": lead or milestone.lead_text,
            "due": govuk_date(milestone.due_date) or milestone.due_text,
            "url": url,
            "owner": user.pk == plan.owner_id,
        }
        notify(
            user=user,
            kind=kinds.MILESTONE_RED,
            subject=f"Milestone {number}is now Red: {Truncator(milestone.text).chars(80)}",
            body=render_to_string("plans/milestone_red_email.txt", context),
            url=url,
            partnership_id=plan.partnership_id,
        )
    return len(recipients)


def delegation_create(*, lead: Person, delegate: Person) -> Delegation:
    """Let ``delegate`` update what ``lead`` leads (same partnership, not themselves)."""
    if delegate.partnership_id != lead.partnership_id:
        raise ValidationError({"delegate": "Choose someone in the same partnership"})
    if delegate.pk == lead.pk:
        raise ValidationError({"delegate": "Choose someone other than yourself"})
    try:
        with transaction.atomic():
            return Delegation.objects.create(lead=lead, delegate=delegate)
    except IntegrityError:
        raise ValidationError({"delegate": f"{delegate} is already your delegate"}) from None


def delegation_delete(*, delegation: Delegation) -> None:
    """Stop a delegate acting for a lead (history keeps that they once did)."""
    with transaction.atomic():
        delegation.delete()


def _removed_names(person: Person) -> tuple[str, ...]:
    """The words that identify a lead: name, e-mail, and (if their partnership's sign-in-link
    flow made it) their account's name and address. Another account's names are its owner's,
    not this lead record's."""
    names = [person.name, person.email]
    user = person.user
    if user is not None and _created_here(user, person=person):
        names += [user.get_full_name(), user.email]
    # Very short strings ("Jo", "MW") would redact ordinary words in other people's text.
    return tuple(n.strip() for n in names if n and len(n.strip()) >= 3)


def _lead_texts_redact(*, partnership_id: int, names: tuple[str, ...]) -> None:
    """Replace ``names`` in leads as the source plan wrote them ("YOT (Ken Dance)").

    Both in the items and in their history, including items since deleted (their historical
    rows are found through the partnership's plans' history, as the audit pages find them).
    """

    history = {m: m.history.model.objects for m in (Plan, Priority, PlanOutcome, Action)}
    plan_ids = history[Plan].filter(partnership_id=partnership_id).values("id")
    priority_ids = history[Priority].filter(plan_id__in=plan_ids).values("id")
    outcome_ids = history[PlanOutcome].filter(priority_id__in=priority_ids).values("id")
    action_ids = history[Action].filter(outcome_id__in=outcome_ids).values("id")
    mentions = reduce(operator.or_, [Q(lead_text__icontains=name) for name in names])
    # Live items only where they are now in this partnership: an item a superuser moved to
    # another partnership is that partnership's, even if it was once this one's.
    here = "outcome__priority__plan__partnership_id"
    querysets = [
        Action.objects.filter(id__in=action_ids, **{here: partnership_id}),
        history[Action].filter(id__in=action_ids),
        Milestone.objects.filter(action_id__in=action_ids, **{f"action__{here}": partnership_id}),
        Milestone.history.model.objects.filter(action_id__in=action_ids),
    ]
    for queryset in querysets:
        for pk, text in queryset.filter(mentions).values_list("pk", "lead_text"):
            redacted = redact_text(text, names=names)
            if redacted != text:
                queryset.model.objects.filter(pk=pk).update(lead_text=redacted)


def _admin_log_targets(*, person: Person, account) -> list[tuple[type, list]]:
    """The admin-log objects that are about this person, in their partnership only.

    The person; delegations they gave or received (found through history, since removal
    deletes them); the memberships of their account in this partnership; and the account
    itself only when this partnership made it. Never another partnership's objects, whatever
    their text says.
    """

    delegations = Delegation.history.model.objects.filter(
        Q(lead_id=person.pk) | Q(delegate_id=person.pk)
    ).values_list("id", flat=True)
    targets = [(Person, [person.pk]), (Delegation, list(set(delegations)))]
    if account is not None:
        memberships = Membership.history.model.objects.filter(
            user_id=account.pk, partnership_id=person.partnership_id
        ).values_list("id", flat=True)
        targets.append((Membership, list(set(memberships))))
        if _created_here(account, person=person):
            targets.append((get_user_model(), [account.pk]))
    return targets


def _admin_log_redact(*, targets: list[tuple[type, list]], names: tuple[str, ...]) -> None:
    """Replace ``names`` in the Django admin's log entries about ``targets`` (model, ids).

    The log is site-wide, so the entries are chosen by content type and object id, never by
    searching every entry's text (which rewrote other partnerships' entries).
    """

    about = [
        Q(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(i) for i in ids],
        )
        for model, ids in targets
        if ids
    ]
    if not about or not names:
        return
    entries = LogEntry.objects.filter(reduce(operator.or_, about))
    for pk, label, message in entries.values_list("pk", "object_repr", "change_message"):
        LogEntry.objects.filter(pk=pk).update(
            object_repr=redact_text(label, names=names)[:200],
            change_message=redact_text(message, names=names),
        )


def person_remove(*, person: Person, user) -> Person:
    """Remove a lead who has left: "Former lead" everywhere, access ended, history kept."""

    if not is_partnership_admin(user or AnonymousUser(), person.partnership_id):
        raise PermissionDenied("Only a partnership admin can remove a person.")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.removed_at is not None:
            raise ValidationError("This person has already been removed.")
        if person.user_id is not None and person.user_id == getattr(user, "pk", None):
            raise ValidationError(
                "You cannot remove yourself. Ask another admin of the partnership to do it."
            )
        partnership_id = person.partnership_id
        names = _removed_names(person)
        theirs = [Q(author_name__iexact=name) for name in names]
        if person.user_id:
            theirs.append(Q(author_id=person.user_id))
        if theirs:
            MilestoneUpdate.objects.filter(
                reduce(operator.or_, theirs),
                milestone__action__outcome__priority__plan__partnership_id=partnership_id,
            ).update(author_name=FORMER_LEAD)
            # An admin's name on the reminder rounds they sent, in the rows and their history.
            plans_here = Plan.objects.filter(partnership_id=partnership_id).values("pk")
            sent_by = [Q(sent_by_name__iexact=name) for name in names]
            if person.user_id:
                sent_by.append(Q(sent_by_id=person.user_id))
            for model in (ReminderRound, ReminderRound.history.model):
                model.objects.filter(reduce(operator.or_, sent_by), plan_id__in=plans_here).update(
                    sent_by_name=FORMER_LEAD
                )
        account = person.user
        closes = account is not None and _created_here(account, person=person)
        log_targets = _admin_log_targets(person=person, account=account)
        if names:
            _lead_texts_redact(partnership_id=partnership_id, names=names)

        person.name = FORMER_LEAD
        person.email = ""
        person.removed_at = timezone.now()
        if account is not None and not closes:
            # Not this partnership's account to close: only the link from this record goes.
            person.user = None
        person._history_user = user
        person._change_reason = "Removed: has left"
        person.save()
        # The audit trail keeps that they were removed, not who they were.
        Person.history.model.objects.filter(id=person.pk).update(name=FORMER_LEAD, email="")
        ReminderSent.objects.filter(person=person).update(email="")
        # Invitations for them keep no address or name, and one still waiting dies.
        Invitation.objects.filter(person=person).update(  # nosec B106 - a spent link: no hash
            email="", name="", token_hash=""
        )
        Invitation.objects.filter(
            person=person, accepted_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=timezone.now())
        Invitation.history.model.objects.filter(person_id=person.pk).update(email="", name="")
        Delegation.objects.filter(Q(lead=person) | Q(delegate=person)).delete()

        if account is not None:
            Membership.objects.filter(user=account, partnership_id=partnership_id).delete()
            if closes and not Membership.objects.filter(user=account).exists():
                # Made by this partnership's sign-in-link flow for this lead and used nowhere
                # else: it can never sign in again, and nothing shown (the audit trail's
                # "who") names them. Any other account (staff, the operator, a council
                # account) is never closed by a partnership admin.
                account.is_active = False
                account.username = f"former-lead-{account.pk}"
                account.first_name = FORMER_LEAD
                account.last_name = ""
                account.email = ""
                account.set_unusable_password()
                account.save()
        if names:
            _admin_log_redact(targets=log_targets, names=names)
            # Notifications kept (and any still waiting to go) name them too.
            notifications_redact(
                partnership_id=partnership_id,
                redact=lambda text: redact_text(text, names=names),
            )

        removal = Removal(
            person_id=person.pk,
            partnership_id=partnership_id,
            names=names,
            user_id=getattr(user, "pk", None),
        )
        for hook in person_removal_hooks():
            hook(removal)
        security_event(
            "person_removed",
            user_id=removal.user_id,
            person_id=person.pk,
            partnership_id=partnership_id,
        )
    return person


def _created_here(account, *, person: Person) -> bool:
    """True when ``account`` is the one this person's partnership's sign-in-link flow made.

    Only such an account may follow the lead's e-mail corrections or be closed when the lead
    is removed: never staff, a superuser, or an account with a role or a lead record in any
    other partnership (that would be a write outside the partnership acting).
    """
    if account is None or account.is_staff or account.is_superuser:
        return False
    provenance = LeadAccount.objects.filter(user=account).first()
    if provenance is None or provenance.partnership_id != person.partnership_id:
        return False
    if provenance.person_id not in (None, person.pk):
        return False
    elsewhere = Membership.objects.filter(user=account).exclude(
        partnership_id=person.partnership_id
    )
    others = Person.objects.filter(user=account).exclude(partnership_id=person.partnership_id)
    return not elsewhere.exists() and not others.exists()


def _unused_username(email: str, *, person_pk: int) -> str:
    User = get_user_model()
    username = email.lower()[:150]
    if User.objects.filter(username=username).exists():
        username = f"{email.lower()[:130]}#{person_pk}"
    return username


def lead_user_ensure(*, person: Person):
    """The sign-in account of one lead, creating one (role lead, no password) if they have none.

    Everything stays inside the lead's own partnership: no other person is linked, and no
    account that already exists is taken over because it has the same e-mail address (a
    council account, staff, the site operator). The account created is recorded as this
    partnership's (``LeadAccount``). A lead role is given only to that account, and only in
    this partnership; an account a superuser linked keeps whatever roles it has.
    """
    if not person.email:
        raise ValidationError({"email": f"{person} has no e-mail address; add one first"})
    User = get_user_model()
    with transaction.atomic():
        person = (
            Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
        )
        if person.removed_at is not None:
            raise ValidationError(
                {"person": "This person has been removed; nobody was sent a link"}
            )
        user = person.user
        if user is not None:
            if not user.is_active:
                raise ValidationError(
                    {"person": f"The account of {person} is closed; ask the site operator"}
                )
            if _created_here(user, person=person):
                Membership.objects.get_or_create(
                    user=user,
                    partnership_id=person.partnership_id,
                    defaults={"role": Membership.Role.LEAD},
                )
            return user
        user = User(
            username=_unused_username(person.email, person_pk=person.pk),
            email=person.email,
            first_name=person.name[:150],
        )
        user.set_unusable_password()
        user.save()
        LeadAccount.objects.create(user=user, partnership_id=person.partnership_id, person=person)
        person.user = user
        person.save(update_fields=["user"])
        Membership.objects.get_or_create(
            user=user,
            partnership_id=person.partnership_id,
            defaults={"role": Membership.Role.LEAD},
        )
    return user


def person_email_change(*, person: Person, email: str, user) -> Person:
    """Correct a lead's e-mail address; their sign-in account follows if this partnership made it.

    The account's address changes only for an account this partnership's sign-in-link flow
    created for this lead (``_created_here``); with ``SESAME_INVALIDATE_ON_EMAIL_CHANGE`` that
    voids every sign-in link sent to the old address. Any other account (staff, the site
    operator, a council account a superuser linked, one shared with another partnership) is
    left as it is: its owner's address is theirs. ``person.account_followed`` says which.
    """

    acting = user or AnonymousUser()
    if not (acting.is_active and acting.is_superuser) and not is_partnership_admin(
        acting, person.partnership_id
    ):
        raise PermissionDenied("Only a partnership admin can change a person's e-mail address.")
    email = (email or "").strip()
    with transaction.atomic():
        person = (
            Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
        )
        if person.removed_at is not None:
            raise ValidationError({"email": "This person has been removed; add them again instead"})
        old = person.email
        person.email = email
        person.full_clean(validate_unique=False, validate_constraints=False)
        person._history_user = user
        person._change_reason = "E-mail address corrected"
        person.save()
        account = person.user
        followed = _created_here(account, person=person)
        if followed and account.email != email:
            if old and account.username.lower() in {old.lower(), f"{old.lower()}#{person.pk}"}:
                account.username = _unused_username(
                    email or f"lead-{person.pk}", person_pk=person.pk
                )
            account.email = email
            # A new address voids outstanding links (SESAME_INVALIDATE_ON_EMAIL_CHANGE).
            account.save()
        person.account_followed = followed
    return person


def greeting_name_for(user) -> str:
    """The name an e-mail greets ``user`` by: their lead record's, else the account's full
    name; "" when neither is known (never the username, which reads like a code)."""
    person = (
        Person.objects.filter(user=user, removed_at__isnull=True)
        .order_by("pk")
        .only("name")
        .first()
    )
    return person.name if person else user.get_full_name().strip()


def signin_link(*, user, base_url: str, next_path: str = "") -> str:
    """A one-use, time-limited link that signs ``user`` in (django-sesame), then opens
    ``next_path`` when it is a path on this site (anything else is dropped)."""
    link = f"{base_url.rstrip('/')}{reverse('signin_link_login')}{get_query_string(user)}"
    next_path = own_site_path(next_path)
    return f"{link}&{urlencode({'next': next_path})}" if next_path else link


def signin_link_send(*, user, base_url: str, next_path: str = "") -> None:
    """E-mail ``user`` a sign-in link, at the account's own address (which follows its lead's)."""
    if not user.email:
        raise ValidationError({"person": "This account has no e-mail address; add one first"})
    context = {
        "name": greeting_name_for(user),
        "link": signin_link(user=user, base_url=base_url, next_path=next_path),
    }
    send_mail(
        subject="Your sign-in link for partnership plans",
        message=render_to_string("registration/signin_link_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def lead_signin_link_send(*, person: Person, sender, base_url: str):
    """An admin e-mails a lead a sign-in link (making the lead's account if need be); logged.

    Returns the lead's account.
    """
    user = lead_user_ensure(person=person)
    signin_link_send(user=user, base_url=base_url)
    security_event("signin_link_sent", user_id=sender.pk, person_id=person.pk)
    return user


def signin_link_request(*, email: str, base_url: str, next_path: str = "") -> int:
    """Send a sign-in link to each account with ``email``, and to each lead with it.

        A lead with no account gets one of their own, in their own partnership only
        (``lead_user_ensure``): a visitor typing an address never joins two partnerships' lead
        records into one account, nor hands an existing account a role. Every link goes to the
        account's own address, which is the one typed, and opens ``next_path`` (a path on this
    site) after signing in. Returns how many links were sent; callers
        must not tell the visitor (no enumeration).
    """
    email = email.strip()
    if not email:
        return 0
    User = get_user_model()
    users = {user.pk: user for user in User.objects.filter(email__iexact=email, is_active=True)}
    people = Person.objects.filter(
        email__iexact=email, removed_at__isnull=True, user__isnull=True
    ).order_by("pk")
    for person in people:
        user = lead_user_ensure(person=person)
        users.setdefault(user.pk, user)
    for user in users.values():
        signin_link_send(user=user, base_url=base_url, next_path=next_path)
    return len(users)


@dataclass
class ReminderRun:
    sent: list
    skipped: int
    failed: list
    unreachable: list


def reminder_email(*, digest, base_url: str, message: str = "") -> tuple[str, str]:
    """The reminder e-mail's subject and text for one lead's digest (and the admin's words)."""
    context = {"digest": digest, "base_url": base_url.rstrip("/"), "message": message.strip()}
    return (
        f"Please update your milestones for {' and '.join(digest.labels)}",
        render_to_string("plans/my_milestones_reminder_email.txt", context),
    )


def reminders_send(
    *, today: date | None = None, base_url: str, reminder_round: ReminderRound | None = None
) -> ReminderRun:
    """E-mail each lead one digest of what needs their update; record it; retry failures later.

    Each plan is chased for its own period collecting updates. The scheduled command (no
    ``reminder_round``) sends at most once per lead and period; an admin's reminder round
    chases everyone in its plan who has not updated, with the admin's message, and records
    each e-mail against the round. Leads with no e-mail address are returned as unreachable.
    """

    plan = reminder_round.plan if reminder_round is not None else None
    digests, unreachable = reminder_digests(today=today, plan=plan)
    already = set()
    if reminder_round is None:
        already = {
            (person_id, year, quarter)
            for person_id, year, quarter in ReminderSent.objects.filter(
                person_id__in=[d.person.pk for d in digests]
            ).values_list("person_id", "year", "quarter")
        }
    run = ReminderRun(sent=[], skipped=0, failed=[], unreachable=unreachable)
    message = reminder_round.message if reminder_round is not None else ""
    for digest in digests:
        sent_for = {key[1:] for key in already if key[0] == digest.person.pk}
        digest = digest.without(sent_for)
        if not digest.milestones:
            run.skipped += 1
            continue
        subject, body = reminder_email(digest=digest, base_url=base_url, message=message)
        try:
            send_mail(
                subject=subject,
                message=body,
                from_email=None,
                recipient_list=[digest.person.email],
            )
        except Exception as error:  # SMTP, DNS, refused connection: report, retry next run
            # The error's text can hold the address, so only its class is logged.
            logger.warning(
                "Reminder to person %s failed: %s", digest.person.pk, type(error).__name__
            )
            run.failed.append((digest.person, error))
            continue
        for collecting in {c.key: c for c in digest.collecting.values()}.values():
            ReminderSent.objects.create(
                person=digest.person,
                year=collecting.period.year,
                quarter=collecting.period.quarter,
                email=digest.person.email,
                round=reminder_round,
                milestone_count=sum(
                    1
                    for m in digest.milestones
                    if digest.collecting[m.action.outcome.priority.plan_id].key == collecting.key
                ),
            )
        run.sent.append(digest)
    return run
