"""Writes of the sign-off app: switch sign-off on, name the chair and the signatories, sign
off a period or withdraw a sign-off, redact a removed person, and load the JSON section.

Signing and withdrawing lock the period's row (as closing it does), so a sign-off cannot
land in a period being closed, and check the version the page showed, so a double click or
a second tab cannot sign (or withdraw) twice. Every change is kept in ``history``.
"""

import operator
from functools import reduce

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from plans.access import is_partnership_admin
from plans.formatting import govuk_datetime
from plans.models import Membership, Organisation, Partnership, ReportingPeriod
from plans.personal_data import FORMER_LEAD
from signoff import selectors
from signoff.models import Signatory, Signoff, SignoffSettings

CHANGED_MESSAGE = (
    "This sign-off has changed since you opened the page. Check it below and try again "
    "if you still need to."
)


def _require_admin(*, user, partnership_id: int) -> None:
    if not is_partnership_admin(user, partnership_id):
        raise PermissionDenied("Only a partnership admin can do this.")


def _require_member(*, account, partnership_id: int, field: str, what: str) -> None:
    if account is not None and not selectors.is_member(
        user_id=account.pk, partnership_id=partnership_id
    ):
        raise ValidationError({field: f"Choose {what} from the partnership's members"})


def signoff_settings_set(
    *, partnership: Partnership, user, enabled: bool, chair=None
) -> SignoffSettings:
    """Switch sign-off of the partnership's quarters on or off and name its chair (admins)."""
    _require_admin(user=user, partnership_id=partnership.pk)
    _require_member(account=chair, partnership_id=partnership.pk, field="chair", what="the chair")
    with transaction.atomic():
        settings = SignoffSettings.objects.select_for_update().filter(
            partnership=partnership
        ).first() or SignoffSettings(partnership=partnership)
        settings.enabled = enabled
        settings.chair = chair
        settings._history_user = user
        settings.save()
    return settings


def signatory_set(*, organisation: Organisation, user, signatory=None) -> Signatory | None:
    """Nominate the member who signs off the organisation's updates, or none (admins)."""
    _require_admin(user=user, partnership_id=organisation.partnership_id)
    _require_member(
        account=signatory,
        partnership_id=organisation.partnership_id,
        field="signatory",
        what="the signatory",
    )
    with transaction.atomic():
        current = Signatory.objects.select_for_update().filter(organisation=organisation).first()
        if signatory is None:
            if current is not None:
                current._history_user = user
                current.delete()
            return None
        current = current or Signatory(organisation=organisation)
        current.user = signatory
        current._history_user = user
        current.save()
    return current


def _lock(*, period: ReportingPeriod, organisation: Organisation | None):
    """The period (locked) and its sign-off row for ``organisation`` (locked, or a new one)."""
    locked = (
        ReportingPeriod.objects.select_for_update()
        .select_related("plan__partnership")
        .get(pk=period.pk)
    )
    row = (
        Signoff.objects.select_for_update().filter(period=locked, organisation=organisation).first()
    )
    return locked, row or Signoff(period=locked, organisation=organisation)


def _whose(organisation: Organisation | None) -> str:
    return f"{organisation.name}'s updates" if organisation else "The whole quarter"


def _may_sign(*, user, period: ReportingPeriod, organisation: Organisation | None) -> bool:
    if organisation is None:
        settings = selectors.settings_get(partnership_id=period.plan.partnership_id)
        return settings is not None and settings.chair_id == user.pk
    return Signatory.objects.filter(organisation=organisation, user=user).exists()


def signoff_sign(
    *, period: ReportingPeriod, organisation: Organisation | None, user, version: int
) -> Signoff:
    """Sign off the period for an organisation (its signatory), or the whole (the chair, once
    every organisation has signed). ``version`` is the one the page showed."""
    partnership_id = period.plan.partnership_id
    if organisation is not None and organisation.partnership_id != partnership_id:
        raise PermissionDenied("That organisation is not part of this partnership.")
    if not selectors.is_enabled(partnership_id=partnership_id):
        raise ValidationError("This partnership does not sign off its quarters.")
    if not _may_sign(user=user, period=period, organisation=organisation):
        if organisation is None:
            raise PermissionDenied("Only the partnership's chair can sign off the whole quarter.")
        raise PermissionDenied(f"You are not the signatory for {organisation.name}.")
    with transaction.atomic():
        locked, row = _lock(period=period, organisation=organisation)
        if locked.is_closed:
            raise ValidationError(f"{locked.label} is closed: it can no longer be signed off.")
        if row.is_signed:
            raise ValidationError(
                f"{_whose(organisation)} for {locked.label} were already signed off by "
                f"{row.signed_by_name} on {govuk_datetime(timezone.localtime(row.signed_at))}."
            )
        if row.version != version:
            raise ValidationError(CHANGED_MESSAGE)
        if organisation is None:
            missing = selectors.period_signoff(period=locked).organisations_missing
            if missing:
                names = ", ".join(m.organisation.name for m in missing)
                raise ValidationError(
                    f"The chair signs off once every organisation has. Not signed off yet: {names}."
                )
        row.signed_by = user
        row.signed_by_name = selectors.user_name(user)
        row.signed_at = timezone.now()
        row.withdrawn_reason = ""
        row.version += 1
        row._history_user = user
        row._change_reason = "Signed off"
        row.save()
    return row


WITHDRAW_REFUSED = "Only the signatory, the chair or a partnership admin can withdraw a sign-off."


def may_withdraw(*, user, period: ReportingPeriod, organisation: Organisation | None) -> bool:
    """The organisation's signatory (the chair, for the whole) or a partnership admin."""
    partnership_id = period.plan.partnership_id
    if organisation is not None and organisation.partnership_id != partnership_id:
        return False
    return is_partnership_admin(user, partnership_id) or _may_sign(
        user=user, period=period, organisation=organisation
    )


def signoff_withdraw(
    *,
    period: ReportingPeriod,
    organisation: Organisation | None,
    user,
    version: int,
    reason: str,
) -> Signoff:
    """Withdraw a sign-off while the period is open: the signatory (or the chair, for the
    whole) or a partnership admin, with a reason the history keeps."""
    if not may_withdraw(user=user, period=period, organisation=organisation):
        raise PermissionDenied(WITHDRAW_REFUSED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the sign-off is being withdrawn"})
    with transaction.atomic():
        locked, row = _lock(period=period, organisation=organisation)
        if locked.is_closed:
            raise ValidationError(
                f"{locked.label} is closed: its sign-offs can no longer be withdrawn."
            )
        if not row.is_signed:
            raise ValidationError(f"{_whose(organisation)} for {locked.label} are not signed off.")
        if row.version != version:
            raise ValidationError(CHANGED_MESSAGE)
        if organisation is not None:
            chair = Signoff.objects.filter(
                period=locked, organisation__isnull=True, signed_at__isnull=False
            ).exists()
            if chair:
                raise ValidationError(
                    "The chair has signed off the whole quarter. The chair's sign-off must be "
                    "withdrawn first."
                )
        row.signed_by = None
        row.signed_by_name = ""
        row.signed_at = None
        row.withdrawn_reason = reason[:2000]
        row.version += 1
        row._history_user = user
        row._change_reason = "Withdrawn"
        row.save()
    return row


def signoffs_redact_person(removal) -> None:
    """A removed person's name leaves the partnership's sign-offs and their history, and an
    account that is no longer a member stops being a signatory or the chair.

    Called by ``plans.services.person_remove`` inside its transaction (registered in
    ``SignoffConfig.ready``), after it has ended the person's membership.
    """
    pid = removal.partnership_id
    names = [Q(signed_by_name__iexact=name) for name in removal.names]
    if names:
        theirs = reduce(operator.or_, names)
        for model in (Signoff, Signoff.history.model):
            model.objects.filter(theirs, period__plan__partnership_id=pid).update(
                signed_by_name=FORMER_LEAD
            )
    members = Membership.objects.filter(partnership_id=pid).values("user_id")
    Signatory.objects.filter(organisation__partnership_id=pid).exclude(user_id__in=members).delete()
    SignoffSettings.objects.filter(partnership_id=pid).exclude(chair_id__in=members).exclude(
        chair__isnull=True
    ).update(chair=None)


def signoff_json_import(*, data: dict, context) -> None:
    """Load the sign-off section of a plan's JSON export (inside the plan's import).

    Settings are taken only where the partnership has none; a nomination is made again where
    a member of the partnership has the exported e-mail address (accounts are not exported).
    Sign-offs keep their names and times; whoever signed has no account link here.
    """
    partnership = context.plan.partnership
    if not SignoffSettings.objects.filter(partnership=partnership).exists():
        chair = _member_by_email(data.get("chair") or {}, partnership)
        SignoffSettings.objects.create(
            partnership=partnership, enabled=bool(data.get("enabled")), chair=chair
        )
    for item in data.get("signatories", []):
        organisation_id = context.new_id("organisation", item.get("organisation_id"))
        account = _member_by_email(item, partnership)
        if organisation_id and account is not None:
            Signatory.objects.get_or_create(
                organisation_id=organisation_id, defaults={"user": account}
            )
    for item in data.get("signoffs", []):
        period_id = context.new_id("period", item.get("period_id"))
        if period_id is None:
            continue
        organisation_id = None
        if item.get("organisation_id") is not None:
            organisation_id = context.new_id("organisation", item["organisation_id"])
            if organisation_id is None:
                continue
        signed_at = parse_datetime(item["signed_at"]) if item.get("signed_at") else None
        Signoff.objects.create(
            period_id=period_id,
            organisation_id=organisation_id,
            signed_by_name=item.get("signed_by_name", "") if signed_at else "",
            signed_at=signed_at,
            withdrawn_reason=item.get("withdrawn_reason", ""),
            version=int(item.get("version", 0)),
        )


def _member_by_email(item: dict, partnership: Partnership):
    email = (item.get("email") or "").strip()
    if not email:
        return None
    return (
        get_user_model()
        .objects.filter(email__iexact=email, memberships__partnership=partnership)
        .order_by("pk")
        .first()
    )
