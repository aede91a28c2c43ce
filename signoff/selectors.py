"""Reads of the sign-off app: who signs for whom, what a period's sign-off stands at, what is
missing before the close (``missing_signoffs``, called by reporting), and the snapshot and
export sections. Each runs a fixed number of queries, whatever the number of organisations.
"""

from dataclasses import dataclass, field
from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from plans.access import partnership_ids_for
from plans.models import (
    Membership,
    Milestone,
    MilestoneUpdate,
    Organisation,
    Partnership,
    Plan,
    ReportingPeriod,
)
from signoff.models import Signatory, Signoff, SignoffSettings

CHAIR = "the chair"


def user_name(user) -> str:
    """A member's name as pages and packs show it: full name, else the username."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def settings_get(*, partnership_id: int) -> SignoffSettings | None:
    """The partnership's sign-off settings with its chair, or None if never set (switched off)."""
    return (
        SignoffSettings.objects.filter(partnership_id=partnership_id)
        .select_related("chair")
        .first()
    )


def is_enabled(*, partnership_id: int) -> bool:
    """True when the partnership has switched sign-off of its quarters on."""
    return SignoffSettings.objects.filter(partnership_id=partnership_id, enabled=True).exists()


def members_for_select(*, partnership_id: int) -> QuerySet:
    """The partnership's members (their accounts), by name, for choosing a chair or signatory."""
    return (
        get_user_model()
        .objects.filter(memberships__partnership_id=partnership_id)
        .order_by("first_name", "last_name", "username")
    )


def signatory_get(*, organisation: Organisation) -> Signatory | None:
    """The organisation's nomination, with its account, or None."""
    return Signatory.objects.filter(organisation=organisation).select_related("user").first()


def organisations_with_signatory(*, partnership_id: int) -> list[Organisation]:
    """The partnership's organisations, each with ``signatory`` (or None) and its account."""
    organisations = list(
        Organisation.objects.filter(partnership_id=partnership_id).order_by("name", "pk")
    )
    signatories = {
        s.organisation_id: s
        for s in Signatory.objects.filter(
            organisation__partnership_id=partnership_id
        ).select_related("user")
    }
    for organisation in organisations:
        organisation.signatory_row = signatories.get(organisation.pk)
    return organisations


def period_for_member(*, user, pk: int) -> ReportingPeriod:
    """One reporting period of a plan of the user's partnerships, or 404."""
    return get_object_or_404(
        ReportingPeriod.objects.filter(
            plan__partnership_id__in=partnership_ids_for(user)
        ).select_related("plan__partnership"),
        pk=pk,
    )


def organisation_for_member(*, user, pk: int) -> Organisation:
    """One organisation of the user's partnerships, or 404."""
    return get_object_or_404(
        Organisation.objects.filter(partnership_id__in=partnership_ids_for(user)).select_related(
            "partnership"
        ),
        pk=pk,
    )


@dataclass
class OrganisationSignoff:
    """Where one organisation's sign-off of a period stands."""

    organisation: Organisation
    milestone_count: int
    signatory: object | None  # the account nominated, or None
    signoff: Signoff | None  # the row (signed or withdrawn), or None if never signed

    @property
    def signatory_name(self) -> str:
        return user_name(self.signatory)

    @property
    def is_signed(self) -> bool:
        return self.signoff is not None and self.signoff.is_signed

    @property
    def version(self) -> int:
        return self.signoff.version if self.signoff else 0


@dataclass
class PeriodSignoff:
    """A period's sign-off: each organisation leading milestones in the plan, and the chair."""

    period: ReportingPeriod
    enabled: bool
    chair: object | None
    chair_signoff: Signoff | None
    organisations: list[OrganisationSignoff] = field(default_factory=list)

    @property
    def chair_name(self) -> str:
        return user_name(self.chair)

    @property
    def chair_signed(self) -> bool:
        return self.chair_signoff is not None and self.chair_signoff.is_signed

    @property
    def chair_version(self) -> int:
        return self.chair_signoff.version if self.chair_signoff else 0

    @property
    def organisations_missing(self) -> list[OrganisationSignoff]:
        return [row for row in self.organisations if not row.is_signed]

    @property
    def ready_for_chair(self) -> bool:
        """Every organisation has signed off: the chair may sign off the whole."""
        return not self.organisations_missing

    def row_for(self, organisation_id: int) -> OrganisationSignoff | None:
        return next((r for r in self.organisations if r.organisation.pk == organisation_id), None)


def period_signoff(*, period: ReportingPeriod) -> PeriodSignoff:
    """Where ``period``'s sign-off stands (four queries, whatever the number of organisations).

    The organisations asked to sign off are those whose people lead live milestones of the
    period's plan, and any that has already signed for the period.
    """
    partnership_id = period.plan.partnership_id
    settings = settings_get(partnership_id=partnership_id)
    signoffs = list(
        Signoff.objects.filter(period=period).select_related("signed_by").order_by("pk")
    )
    by_organisation = {s.organisation_id: s for s in signoffs if s.organisation_id}
    live = Milestone.objects.live().filter(action__outcome__priority__plan_id=period.plan_id)
    organisations = list(
        Organisation.objects.filter(partnership_id=partnership_id)
        .annotate(
            milestone_count=Count(
                "people__milestones_led",
                filter=Q(people__milestones_led__in=live.values("pk")),
                distinct=True,
            )
        )
        .filter(Q(milestone_count__gt=0) | Q(pk__in=list(by_organisation)))
        .order_by("name", "pk")
    )
    signatories = {
        s.organisation_id: s.user
        for s in Signatory.objects.filter(
            organisation__partnership_id=partnership_id
        ).select_related("user")
    }
    return PeriodSignoff(
        period=period,
        enabled=bool(settings and settings.enabled),
        chair=settings.chair if settings else None,
        chair_signoff=next((s for s in signoffs if s.organisation_id is None), None),
        organisations=[
            OrganisationSignoff(
                organisation=o,
                milestone_count=o.milestone_count,
                signatory=signatories.get(o.pk),
                signoff=by_organisation.get(o.pk),
            )
            for o in organisations
        ],
    )


@dataclass(frozen=True)
class MissingSignoff:
    """A sign-off the period does not have yet, in words for the close page."""

    organisation: str  # "" for the chair
    signatory: str  # the name of who should sign, "" when nobody is nominated

    @property
    def text(self) -> str:
        if not self.organisation:
            return f"{CHAIR} ({self.signatory})" if self.signatory else f"{CHAIR} (no chair named)"
        if self.signatory:
            return f"{self.organisation} — signatory {self.signatory}"
        return f"{self.organisation} — no signatory nominated"


def missing_signoffs(period: ReportingPeriod) -> list[MissingSignoff]:
    """The sign-offs ``period`` lacks (organisations first, then the chair); empty when the
    partnership has not switched sign-off on. Reporting's close page names them."""
    if not is_enabled(partnership_id=period.plan.partnership_id):
        return []
    state = period_signoff(period=period)
    missing = [
        MissingSignoff(organisation=row.organisation.name, signatory=row.signatory_name)
        for row in state.organisations_missing
    ]
    if not state.chair_signed:
        missing.append(MissingSignoff(organisation="", signatory=state.chair_name))
    return missing


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def signoff_state(*, period: ReportingPeriod) -> dict | None:
    """The period's sign-off as JSON-ready data for its snapshot, or None when switched off.

    Names only (no ids), so an imported snapshot needs no remapping; the keys ``signatory``
    and ``signed_by`` hold whole names, which reporting's redaction of a removed person knows.
    """
    if not is_enabled(partnership_id=period.plan.partnership_id):
        return None
    state = period_signoff(period=period)

    def signed(signoff: Signoff | None) -> dict:
        if signoff is None or not signoff.is_signed:
            return {"signed_by": "", "signed_at": None}
        return {"signed_by": signoff.signed_by_name, "signed_at": _iso(signoff.signed_at)}

    return {
        "organisations": [
            {
                "organisation": row.organisation.name,
                "signatory": row.signatory_name,
                **signed(row.signoff),
            }
            for row in state.organisations
        ],
        "chair": {"signatory": state.chair_name, **signed(state.chair_signoff)},
    }


def organisation_milestones(
    *, period: ReportingPeriod, organisation: Organisation
) -> QuerySet[Milestone]:
    """The plan's live milestones led by the organisation's people, each with its latest
    update and ``updated_this_quarter`` (saved since the quarter began, or since the quarter
    before closed), in plan order: what the signatory reads before signing off."""
    since = timezone.make_aware(datetime.combine(period.start_date, time.min))
    before = period.financial_quarter.previous()
    closed_at = (
        ReportingPeriod.objects.filter(
            plan_id=period.plan_id, year=before.year, quarter=before.quarter
        )
        .values_list("closed_at", flat=True)
        .first()
    )
    if closed_at and closed_at > since:
        since = closed_at
    return (
        Milestone.objects.live()
        .filter(action__outcome__priority__plan_id=period.plan_id, lead__organisation=organisation)
        .select_related("lead", "latest_update", "action__outcome__priority")
        .annotate(
            updated_this_quarter=Exists(
                MilestoneUpdate.objects.filter(milestone=OuterRef("pk"), created_at__gte=since)
            )
        )
        .order_by(
            "action__outcome__priority__sort_key",
            "action__outcome__sort_key",
            "action__sort_key",
            "sort_key",
            "pk",
        )
    )


@dataclass
class Nomination:
    """A partnership in which the user signs off something, with its open periods."""

    partnership: Partnership
    organisations: list[Organisation]
    chair: bool
    periods: list[ReportingPeriod]


def nominations_for(*, user) -> list[Nomination]:
    """Where ``user`` signs off (as an organisation's signatory or the chair), in partnerships
    that have sign-off switched on, with each one's open periods (four queries)."""
    ids = partnership_ids_for(user)
    enabled = {
        s.partnership_id: s
        for s in SignoffSettings.objects.filter(partnership_id__in=ids, enabled=True)
    }
    organisations: dict[int, list[Organisation]] = {}
    for signatory in Signatory.objects.filter(
        user=user, organisation__partnership_id__in=list(enabled)
    ).select_related("organisation"):
        organisation = signatory.organisation
        organisations.setdefault(organisation.partnership_id, []).append(organisation)
    wanted = [pid for pid, s in enabled.items() if pid in organisations or s.chair_id == user.pk]
    partnerships = {p.pk: p for p in Partnership.objects.filter(pk__in=wanted)}
    periods: dict[int, list[ReportingPeriod]] = {}
    for period in (
        ReportingPeriod.objects.filter(
            plan__partnership_id__in=wanted,
            plan__archived_at__isnull=True,
            status=ReportingPeriod.Status.OPEN,
            start_date__lte=timezone.localdate(),
        )
        .select_related("plan")
        .order_by("plan__title", "year", "quarter")
    ):
        periods.setdefault(period.plan.partnership_id, []).append(period)
    return [
        Nomination(
            partnership=partnerships[pid],
            organisations=sorted(organisations.get(pid, []), key=lambda o: o.name),
            chair=enabled[pid].chair_id == user.pk,
            periods=periods.get(pid, []),
        )
        for pid in sorted(wanted, key=lambda pid: partnerships[pid].name)
    ]


def open_periods(*, partnership_id: int) -> list[ReportingPeriod]:
    """The partnership's open periods that have begun, of plans not archived (one query)."""
    return list(
        ReportingPeriod.objects.filter(
            plan__partnership_id=partnership_id,
            plan__archived_at__isnull=True,
            status=ReportingPeriod.Status.OPEN,
            start_date__lte=timezone.localdate(),
        )
        .select_related("plan")
        .order_by("plan__title", "year", "quarter")
    )


def is_member(*, user_id: int, partnership_id: int) -> bool:
    return Membership.objects.filter(user_id=user_id, partnership_id=partnership_id).exists()


def signoff_export(*, plan: Plan) -> dict:
    """The partnership's sign-off settings and nominations, and the plan's sign-offs, for the
    plan's JSON export (three queries). Accounts are not exported: people come as names and
    e-mail addresses, as the export's people do."""
    settings = settings_get(partnership_id=plan.partnership_id)
    nominations = Signatory.objects.filter(
        organisation__partnership_id=plan.partnership_id
    ).select_related("user", "organisation")
    signoffs = Signoff.objects.filter(period__plan=plan).order_by(
        "period__year", "period__quarter", "organisation__name", "pk"
    )
    return {
        "enabled": bool(settings and settings.enabled),
        "chair": _account(settings.chair if settings else None),
        "signatories": [
            {"organisation_id": n.organisation_id, **_account(n.user)}
            for n in sorted(nominations, key=lambda n: (n.organisation.name, n.pk))
        ],
        "signoffs": [
            {
                "period_id": s.period_id,
                "organisation_id": s.organisation_id,
                "signed_by_name": s.signed_by_name,
                "signed_at": _iso(s.signed_at),
                "withdrawn_reason": s.withdrawn_reason,
                "version": s.version,
            }
            for s in signoffs
        ],
    }


def _account(user) -> dict:
    if user is None:
        return {"name": "", "email": ""}
    return {"name": user_name(user), "email": user.email}


def signs_off_in(*, user) -> Exists:
    """For a ``Membership`` queryset: whether ``user`` signs off in that membership's
    partnership (its chair, or an organisation's signatory) with sign-off switched on. An
    ``Exists`` to annotate onto a query the page already makes, so it costs no query."""
    return Exists(
        SignoffSettings.objects.filter(
            partnership_id=OuterRef("partnership_id"), enabled=True
        ).filter(Q(chair_id=user.pk) | Q(partnership__organisations__signatory__user_id=user.pk))
    )
