"""People and access, run by partnership admins: people, organisations, invitations, roles.

Every write here is one transaction, checks that the acting user is an admin of the
partnership concerned, stays inside that partnership, and leaves a historical record
(django-simple-history) with its author and a reason, which the audit trail shows
(``plans.audit.people_history``). The rules of the security issue hold throughout:

- a partnership admin never links a person to an account that already exists, and never
  sets an account's password or gives it a role: only the account's owner, signed in as it,
  accepts an invitation for it (``invitation_accept``);
- an e-mail correction goes through ``plans.services.person_email_change`` (the account
  follows only where this partnership's own flow made it; outstanding links are voided);
- everything named in a form (an organisation, a person, a membership) must belong to the
  same partnership, checked here and not only by the form's choices.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalChanges
from simple_history.utils import bulk_update_with_history

from plans.access import is_partnership_admin
from plans.models import (
    Action,
    Invitation,
    LeadAccount,
    Membership,
    Milestone,
    Organisation,
    Partnership,
    Person,
)
from plans.services import _unused_username, person_email_change
from security.events import security_event


def _require_admin(user, partnership_id: int, what: str) -> None:
    if not is_partnership_admin(user or AnonymousUser(), partnership_id):
        raise PermissionDenied(f"Only a partnership admin can {what}.")


def _tracked(obj, *, user, reason: str):
    obj._history_user = user
    obj._change_reason = reason
    return obj


# --- People -------------------------------------------------------------------------------


def _check_organisation(organisation: Organisation | None, partnership_id: int) -> None:
    if organisation is not None and organisation.partnership_id != partnership_id:
        raise ValidationError({"organisation": "Choose an organisation of this partnership"})


def _save_person(person: Person) -> None:
    """Save, turning the one-name-per-partnership rule into a sentence on the form."""
    clash = Person.objects.filter(
        partnership_id=person.partnership_id,
        name=person.name,
        role_title=person.role_title,
        removed_at__isnull=True,
    ).exclude(pk=person.pk)
    if clash.exists():
        raise ValidationError(
            {
                "name": f"There is already someone called {person} in this partnership: "
                "give a different name or role title"
            }
        )
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:  # another admin saved the same name a moment before
        raise ValidationError(
            {"name": f"There is already someone called {person} in this partnership"}
        ) from error


def person_create(
    *,
    partnership: Partnership,
    name: str,
    role_title: str = "",
    organisation: Organisation | None = None,
    email: str = "",
    user,
) -> Person:
    """Add a person (a lead) to a partnership. No account is made or linked: a sign-in link
    or an invitation does that later, inside this partnership only."""
    _require_admin(user, partnership.pk, "add people")
    _check_organisation(organisation, partnership.pk)
    person = Person(
        partnership=partnership,
        name=name.strip(),
        role_title=role_title.strip(),
        organisation=organisation,
        email=email.strip(),
    )
    person.full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        _save_person(_tracked(person, user=user, reason="Added"))
    return person


def person_edit(
    *,
    person: Person,
    name: str,
    role_title: str,
    organisation: Organisation | None,
    email: str,
    user,
) -> Person:
    """Change a person's name, role title, organisation and e-mail address.

    The e-mail address goes through ``person_email_change``: an account this partnership's
    own flow made follows it, with its outstanding links voided; any other account keeps its
    owner's address (``person.account_followed`` is False and the page says so).
    """
    _require_admin(user, person.partnership_id, "change a person")
    _check_organisation(organisation, person.partnership_id)
    email = email.strip()
    with transaction.atomic():
        person = Person.objects.select_for_update(of=("self",)).get(pk=person.pk)
        if person.removed_at is not None:
            raise ValidationError({"name": "This person has been removed; add them again instead"})
        before = (person.name, person.role_title, person.organisation_id)
        person.name = name.strip()
        person.role_title = role_title.strip()
        person.organisation = organisation
        person.full_clean(
            exclude=["email", "user"], validate_unique=False, validate_constraints=False
        )
        changed_email = email != person.email
        if (person.name, person.role_title, person.organisation_id) != before:
            _save_person(_tracked(person, user=user, reason="Details changed"))
        person.account_followed = None
        if changed_email:
            followed = person_email_change(person=person, email=email, user=user).account_followed
            person.refresh_from_db()
            person.account_followed = followed
    return person


# --- Organisations ------------------------------------------------------------------------


def _save_organisation(organisation: Organisation) -> None:
    clash = Organisation.objects.filter(
        partnership_id=organisation.partnership_id, name__iexact=organisation.name
    ).exclude(pk=organisation.pk)
    if clash.exists():
        raise ValidationError(
            {"name": f"There is already an organisation called {organisation.name}"}
        )
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as error:
        raise ValidationError(
            {"name": f"There is already an organisation called {organisation.name}"}
        ) from error


def organisation_create(*, partnership: Partnership, name: str, user) -> Organisation:
    _require_admin(user, partnership.pk, "add organisations")
    organisation = Organisation(partnership=partnership, name=name.strip())
    organisation.full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        _save_organisation(_tracked(organisation, user=user, reason="Added"))
    return organisation


def organisation_rename(*, organisation: Organisation, name: str, user) -> Organisation:
    _require_admin(user, organisation.partnership_id, "change organisations")
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        organisation.name = name.strip()
        organisation.full_clean(validate_unique=False, validate_constraints=False)
        _save_organisation(_tracked(organisation, user=user, reason="Renamed"))
    return organisation


def _pointers_to_organisation():
    """Every foreign key to Organisation in any app (people, indicators, packs…), except
    simple-history's own records, which keep what was true at the time."""
    relations = [
        f
        for f in Organisation._meta.get_fields(include_hidden=True)  # related_name="+" too
        if f.auto_created and not f.concrete
    ]
    for relation in relations:
        model = relation.related_model
        if issubclass(model, HistoricalChanges) or not (
            relation.one_to_many or relation.one_to_one  # a foreign key, seen from here
        ):
            continue
        yield model, relation.field.name


@dataclass
class MergePreview:
    source: Organisation
    target: Organisation
    people: list[Person]
    others: list[tuple[str, int]] = field(default_factory=list)  # (what, how many)

    @property
    def total(self) -> int:
        return len(self.people) + sum(count for _, count in self.others)


def organisation_merge_preview(*, source: Organisation, target: Organisation) -> MergePreview:
    """What merging ``source`` into ``target`` would move: its people by name, and how many
    of anything else points at it."""
    people = list(Person.objects.filter(organisation=source).order_by("name", "pk"))
    others = []
    for model, field_name in _pointers_to_organisation():
        if model is Person:
            continue
        count = model._default_manager.filter(**{field_name: source}).count()
        if count:
            others.append((str(model._meta.verbose_name_plural), count))
    return MergePreview(source=source, target=target, people=people, others=others)


def organisation_merge(*, source: Organisation, target: Organisation, user) -> MergePreview:
    """Move everything that points at ``source`` to ``target``, then delete ``source``.

    Each person (and any other tracked item) moved gets a historical record saying so, and
    the deleted organisation's history ends with "Merged into …".
    """
    _require_admin(user, source.partnership_id, "merge organisations")
    if source.partnership_id != target.partnership_id:
        raise ValidationError({"target": "Choose an organisation of the same partnership"})
    if source.pk == target.pk:
        raise ValidationError({"target": "Choose a different organisation to merge into"})
    reason = f"Organisation merged: {source.name} into {target.name}"[:100]
    with transaction.atomic():
        locked = {
            o.pk: o
            for o in Organisation.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
        }
        if len(locked) != 2:
            raise ValidationError({"target": "One of the organisations no longer exists"})
        source, target = locked[source.pk], locked[target.pk]
        preview = organisation_merge_preview(source=source, target=target)
        for model, field_name in _pointers_to_organisation():
            items = list(model._default_manager.filter(**{field_name: source}))
            if not items:
                continue
            for item in items:
                setattr(item, field_name, target)
            if hasattr(model, "history"):
                bulk_update_with_history(
                    items,
                    model,
                    [field_name],
                    default_user=user,
                    default_change_reason=reason,
                )
            else:
                model._default_manager.bulk_update(items, [field_name])
        _tracked(source, user=user, reason=f"Merged into {target.name}"[:100]).delete()
    return preview


# --- Re-assigning a leaver's work ---------------------------------------------------------


@dataclass
class ReassignPreview:
    leaver: Person
    successor: Person | None
    milestones: list[Milestone]
    actions: list[Action]

    @property
    def total(self) -> int:
        return len(self.milestones) + len(self.actions)


def reassign_preview(*, leaver: Person, successor: Person | None = None) -> ReassignPreview:
    """Everything ``leaver`` leads: their milestones and the actions naming them as a lead."""
    milestones = list(
        Milestone.objects.filter(lead=leaver)
        .select_related("action__outcome__priority__plan")
        .order_by("action__outcome__priority__plan__title", "action__sort_key", "sort_key", "pk")
    )
    actions = list(
        Action.objects.filter(leads=leaver)
        .select_related("outcome__priority__plan")
        .order_by("outcome__priority__plan__title", "sort_key", "pk")
    )
    return ReassignPreview(
        leaver=leaver, successor=successor, milestones=milestones, actions=actions
    )


def leaver_reassign(*, leaver: Person, successor: Person, user) -> ReassignPreview:
    """Give every milestone and action ``leaver`` leads to ``successor``, in one transaction.

    Each milestone and action gets a historical record naming the change; a milestone's
    status, dates and version are untouched (its lead is not part of its update history).
    """
    _require_admin(user, leaver.partnership_id, "re-assign a lead's work")
    if successor.partnership_id != leaver.partnership_id:
        raise ValidationError({"successor": "Choose someone in the same partnership"})
    if successor.pk == leaver.pk:
        raise ValidationError({"successor": "Choose someone other than the person leaving"})
    if successor.removed_at is not None:
        raise ValidationError({"successor": "Choose someone who has not been removed"})
    reason = f"Re-assigned from {leaver} to {successor}"[:100]
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk__in=[leaver.pk, successor.pk]).exists()
        preview = reassign_preview(leaver=leaver, successor=successor)
        for milestone in preview.milestones:
            milestone.lead = successor
        if preview.milestones:
            bulk_update_with_history(
                preview.milestones,
                Milestone,
                ["lead"],
                default_user=user,
                default_change_reason=reason,
            )
        for action in preview.actions:
            _tracked(action, user=user, reason=reason)
            # One historical record per action (from the m2m change), with the reason.
            action.leads.remove(leaver)
            action.leads.add(successor)
        security_event(
            "leads_reassigned",
            user_id=getattr(user, "pk", None),
            person_id=leaver.pk,
            successor_id=successor.pk,
            partnership_id=leaver.partnership_id,
        )
    return preview


# --- Members: roles in the partnership ----------------------------------------------------


def _other_admins(membership: Membership) -> int:
    return (
        Membership.objects.select_for_update()
        .filter(partnership_id=membership.partnership_id, role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
        .count()
    )


def _last_admin_error(membership: Membership, *, user, doing: str) -> ValidationError:
    if membership.user_id == getattr(user, "pk", None):
        return ValidationError(
            {
                "role": f"You are the only admin of {membership.partnership}: make someone "
                f"else an admin before you {doing}"
            }
        )
    return ValidationError(
        {
            "role": f"{_member_name(membership)} is the only admin of {membership.partnership}: "
            f"make someone else an admin first"
        }
    )


def _member_name(membership: Membership) -> str:
    account = membership.user
    return account.get_full_name() or account.get_username()


def membership_role_change(*, membership: Membership, role: str, user) -> Membership:
    """Change a member's role. The partnership always keeps at least one admin."""
    _require_admin(user, membership.partnership_id, "change roles")
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Choose a role"})
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user", "partnership")
            .get(pk=membership.pk)
        )
        if membership.role == role:
            return membership
        if membership.role == Membership.Role.ADMIN and not _other_admins(membership):
            raise _last_admin_error(membership, user=user, doing="stop being one")
        before = membership.get_role_display()
        membership.role = role
        _tracked(
            membership,
            user=user,
            reason=f"Role changed from {before} to {membership.get_role_display()}",
        ).save()
        security_event(
            "membership_role_changed",
            user_id=getattr(user, "pk", None),
            member_id=membership.user_id,
            partnership_id=membership.partnership_id,
            role=role,
        )
    return membership


def membership_end(*, membership: Membership, user) -> None:
    """End a member's access to this partnership (their account and other roles stay).

    The last admin cannot be removed. A lead's person record stays, with their milestones:
    re-assign them, or remove the person, separately.
    """
    _require_admin(user, membership.partnership_id, "end a membership")
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user", "partnership")
            .get(pk=membership.pk)
        )
        if membership.role == Membership.Role.ADMIN and not _other_admins(membership):
            raise _last_admin_error(membership, user=user, doing="leave")
        _tracked(membership, user=user, reason="Membership ended").delete()
        security_event(
            "membership_ended",
            user_id=getattr(user, "pk", None),
            member_id=membership.user_id,
            partnership_id=membership.partnership_id,
        )


# --- Invitations --------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(
    *,
    partnership: Partnership,
    email: str,
    name: str = "",
    role: str,
    person: Person | None = None,
    user,
    base_url: str,
) -> Invitation:
    """Invite someone by e-mail to join ``partnership`` in ``role``; the worker sends it.

    The link is made when the e-mail is sent (``invitation_send``), so no working link is
    ever stored or queued. For a lead, ``person`` is the person in the plan they will be.
    """
    from plans import tasks  # tasks imports services; keep the module graph one way

    _require_admin(user, partnership.pk, "invite people")
    email = email.strip()
    if role not in Membership.Role.values:
        raise ValidationError({"role": "Choose what they will do"})
    if person is not None:
        if person.partnership_id != partnership.pk or person.removed_at is not None:
            raise ValidationError({"person": "Choose a person of this partnership"})
        if role != Membership.Role.LEAD:
            raise ValidationError({"person": "Only a lead is linked to a person in the plan"})
        if person.user_id is not None:
            raise ValidationError(
                {"person": f"{person} can sign in already: send them a sign-in link instead"}
            )
    invitation = Invitation(
        partnership=partnership,
        email=email,
        name=name.strip(),
        role=role,
        person=person,
        invited_by=user,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean(exclude=["invited_by", "token_hash"], validate_constraints=False)
    with transaction.atomic():
        _tracked(invitation, user=user, reason="Invited").save()
        tasks.invitation_send.enqueue(invitation_id=invitation.pk, base_url=base_url)
        security_event(
            "invitation_created",
            user_id=getattr(user, "pk", None),
            invitation_id=invitation.pk,
            partnership_id=partnership.pk,
            role=role,
        )
    return invitation


def invitation_resend(*, invitation: Invitation, user, base_url: str) -> Invitation:
    """Send a waiting or expired invitation again: a new link, valid afresh; the old one dies."""
    from plans import tasks

    _require_admin(user, invitation.partnership_id, "send invitations")
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at or invitation.cancelled_at:
            raise ValidationError("This invitation has been accepted or cancelled")
        invitation.token_hash = ""  # nosec B105 - a spent link keeps no hash
        invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
        _tracked(invitation, user=user, reason="Sent again").save()
        tasks.invitation_send.enqueue(invitation_id=invitation.pk, base_url=base_url)
    return invitation


def invitation_send(*, invitation_id: int, base_url: str) -> bool:
    """E-mail an invitation with a fresh one-use link (run by the worker). False when the
    invitation was accepted or cancelled before the worker got to it."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("partnership", "invited_by")
            .filter(pk=invitation_id, accepted_at__isnull=True, cancelled_at__isnull=True)
            .first()
        )
        if invitation is None:
            return False
        invitation.token_hash = _token_hash(token)
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["token_hash", "sent_at"])
    link = f"{base_url.rstrip('/')}{reverse('invitation_accept', args=[token])}"
    inviter = invitation.invited_by
    context = {
        "invitation": invitation,
        "link": link,
        "inviter": (inviter.get_full_name() or inviter.get_username()) if inviter else "",
        "days": settings.INVITATION_VALID_DAYS,
    }
    send_mail(
        subject=f"You are invited to {invitation.partnership.name}'s plans",
        message=render_to_string("plans/invitation_email.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return True


def invitation_cancel(*, invitation: Invitation, user) -> Invitation:
    _require_admin(user, invitation.partnership_id, "cancel invitations")
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise ValidationError("This invitation has been accepted already")
        if invitation.cancelled_at is None:
            invitation.cancelled_at = timezone.now()
            invitation.token_hash = ""  # nosec B105 - a spent link keeps no hash
            _tracked(invitation, user=user, reason="Cancelled").save()
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The waiting invitation a link's token opens, or None (unknown, used, cancelled, expired)."""
    if not token or len(token) > 100:
        return None
    invitation = (
        Invitation.objects.select_related("partnership", "person")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if invitation is None or invitation.state != "waiting":
        return None
    return invitation


def accounts_with_address(email: str):
    """Accounts already using ``email`` (any, active or not): an invitation never makes a
    second account for an address someone has, nor lets anyone but its owner accept for it."""
    return get_user_model()._default_manager.filter(email__iexact=email.strip())


def invitation_refusal(*, invitation: Invitation, user) -> str | None:
    """Why ``user`` (signed in) may not accept, or None when they may."""
    if not user.is_authenticated:
        return None
    if (user.email or "").strip().lower() != invitation.email.strip().lower():
        return (
            f"This invitation is for {invitation.email}, and you are signed in as "
            f"{user.get_username()}. Sign out, then open the link again."
        )
    if user.is_staff or user.is_superuser:
        return (
            "This account is a site operator's account, which an invitation cannot give a "
            "role in a partnership. Ask the site operator."
        )
    return None


def _accepted(invitation: Invitation, *, account) -> Membership:
    """Give ``account`` the invitation's role in its partnership (and only there)."""
    membership = Membership(
        user=account, partnership_id=invitation.partnership_id, role=invitation.role
    )
    _tracked(membership, user=account, reason="Invitation accepted").save()
    person = invitation.person
    if (
        invitation.role == Membership.Role.LEAD
        and person is not None
        and person.removed_at is None
        and person.partnership_id == invitation.partnership_id
        and person.user_id is None
    ):
        person.user = account
        _tracked(person, user=account, reason="Invitation accepted: can sign in").save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = account
    invitation.token_hash = ""  # nosec B105 - a spent link keeps no hash
    _tracked(invitation, user=account, reason="Accepted").save()
    security_event(
        "invitation_accepted",
        user_id=account.pk,
        invitation_id=invitation.pk,
        partnership_id=invitation.partnership_id,
    )
    return membership


def _locked_waiting(invitation: Invitation) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("partnership", "person")
        .get(pk=invitation.pk)
    )
    if invitation.state != "waiting":
        raise ValidationError("This invitation has expired or has been used")
    return invitation


def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """The signed-in owner of the invited address accepts: a role in this partnership only."""
    refusal = invitation_refusal(invitation=invitation, user=user)
    if not user.is_authenticated or refusal:
        raise PermissionDenied(refusal or "Sign in to accept this invitation.")
    with transaction.atomic():
        invitation = _locked_waiting(invitation)
        existing = Membership.objects.filter(
            user=user, partnership_id=invitation.partnership_id
        ).first()
        if existing is not None:
            # A role they have already is kept; an admin changes roles on the members page.
            invitation.accepted_at = timezone.now()
            invitation.accepted_by = user
            invitation.token_hash = ""  # nosec B105 - a spent link keeps no hash
            _tracked(invitation, user=user, reason="Accepted (already a member)").save()
            return existing
        return _accepted(invitation, account=user)


def invitation_accept_new_account(*, invitation: Invitation, name: str, password: str):
    """Accept by making a new account with the invitee's own password; returns the account.

    Refused when any account already uses the address: its owner signs in and accepts
    (``invitation_accept``), so an invitation never sets a password on an existing account.
    """
    User = get_user_model()
    with transaction.atomic():
        invitation = _locked_waiting(invitation)
        if accounts_with_address(invitation.email).exists():
            raise PermissionDenied("An account already uses this address: sign in as it to accept.")
        name = (name or invitation.name or "").strip()
        first, _, last = name.partition(" ")
        account = User(
            username=_unused_username(invitation.email, person_pk=invitation.pk),
            email=invitation.email,
            first_name=first[:150],
            last_name=last[:150],
        )
        password_validation.validate_password(password, account)
        account.set_password(password)
        account.save()
        if invitation.role == Membership.Role.LEAD and invitation.person_id:
            # This partnership made the account, for this lead: it follows their e-mail
            # corrections and is closed when they are removed (plans.services._created_here).
            LeadAccount.objects.get_or_create(
                person_id=invitation.person_id,
                defaults={"user": account, "partnership_id": invitation.partnership_id},
            )
        _accepted(invitation, account=account)
    return account
