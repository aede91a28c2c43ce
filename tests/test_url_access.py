"""Access control, proven for every page: who gets what, for every URL pattern the site has.

The URL patterns are read from the resolver, so a page added anywhere appears here by
itself. Each one needs a row in ``ACCESS`` saying what five kinds of visitor get:

- ``anonymous``: not signed in;
- ``board``, ``lead``, ``admin``: a board member, a lead (who leads the milestone and action
  the page is about) and a partnership admin, all of partnership A;
- ``other``: an admin of partnership B, given partnership A's object ids (no IDOR: never 200).

A page without a row fails ``test_every_page_has_an_access_decision`` with its name. Object
ids in the URL are filled from ``world`` (one of every object, all in partnership A); text
in partnership A carries a marker word that must never appear on a page partnership B sees.

Skipped from the table, with the reason: the Django admin (``admin:`` namespace) has its own
tests at the end (its pages are generated per model; they are checked per registered model,
for every object of partnership A); static files are served by WhiteNoise before URL
resolution, so no URL pattern exists for them.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin import site as admin_site
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from plans.models import Delegation, Invitation, Membership, Milestone, ReportingPeriod
from plans.periods import FinancialQuarter
from tests import factories

MARKER = "Zanzibar"  # in partnership A's text; partnership B must never see it

ROLES = ("anonymous", "board", "lead", "admin", "other")

# What a visitor gets back.
OK = 200
REDIRECT = 302  # a redirect somewhere other than the sign-in page
LOGIN = "login"  # redirected to the sign-in page (302 to LOGIN_URL?next=…)
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405  # e.g. GET on a POST-only endpoint


@dataclass(frozen=True)
class Obj:
    """Fill a URL argument from an object of partnership A: ``Obj("plan")`` gives its pk."""

    key: str
    attr: str = "pk"


@dataclass(frozen=True)
class Access:
    """The expected status of a GET (and optionally an empty POST) for each visitor."""

    anonymous: object
    board: object
    lead: object
    admin: object
    other: object
    # URL arguments; several dicts = the page is checked once with each.
    fill: tuple[dict, ...] = ({},)
    post: tuple | None = None  # (anonymous, board, lead, admin, other) for an empty POST
    public: str = ""  # why anonymous visitors may see this page
    why: str = ""

    def expected(self, role: str, method: str = "get"):
        if method == "post":
            return dict(zip(ROLES, self.post, strict=True))[role]
        return getattr(self, role)


def members(*, fill=({},), post=None, why=""):
    """A page of partnership A's data: its members read it; others get 404."""
    return Access(LOGIN, OK, OK, OK, NOT_FOUND, fill=fill, post=post, why=why)


def admins_only(*, fill=({},), post=None, why=""):
    return Access(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND, fill=fill, post=post, why=why)


def signed_in(*, why=""):
    """A page every signed-in user sees, showing only their own partnerships' data."""
    return Access(LOGIN, OK, OK, OK, OK, why=why)


def public(*, why):
    return Access(OK, OK, OK, OK, OK, public=why)


# The plan's structure pages take a kind of item and its id: checked with one of each.
ITEM_FILLS = tuple(
    {"kind": kind, "pk": Obj(kind)} for kind in ("priority", "outcome", "action", "milestone")
)
PARENT_FILLS = tuple(
    {"kind": kind, "pk": Obj(kind)} for kind in ("plan", "priority", "outcome", "action")
)

# The decisions. One row per URL pattern name (namespace:name).
ACCESS: dict[str, Access] = {
    # --- Sign-in, sign-out and passwords (Django's auth views) ---------------------------------
    "home": signed_in(why="the home page: only the signed-in person's own partnerships' plans"),
    "login": public(why="the sign-in page"),
    "favicon": Access(
        REDIRECT,
        REDIRECT,
        REDIRECT,
        REDIRECT,
        REDIRECT,
        public="browsers ask for /favicon.ico on every page, the sign-in page too",
    ),
    "rag_css": public(why="the RAG tags' colours, fixed text from plans/rag.py"),
    "logout": Access(
        LOGIN,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        why="sign-out is POST only (Django 5); anonymous visitors are sent to sign in first",
    ),
    "password_change": signed_in(why="a user changes their own password"),
    "password_change_done": signed_in(),
    "password_reset": public(why="a user who cannot sign in asks for a reset link"),
    "password_reset_done": public(why="says the link has been sent"),
    "password_reset_confirm": Access(
        OK,
        OK,
        OK,
        OK,
        OK,
        fill=({"uidb64": "MQ", "token": "not-a-valid-token"},),
        public="the reset link from the e-mail; a wrong token shows 'invalid link'",
    ),
    "password_reset_complete": public(why="says the password has been reset"),
    # --- E-mailed sign-in links (plans.views.accounts) -----------------------------------------
    "signin_link": public(why="a lead without a password asks for a link by e-mail"),
    "signin_link_sent": public(why="says a link has been sent if the address is known"),
    "signin_link_login": Access(
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        public="where the e-mailed link lands; without a valid token it refuses",
    ),
    # --- Two-factor sign-in (mfa.views); every signed-in visitor here has passed it already ---
    "mfa:verify": Access(
        LOGIN,
        REDIRECT,
        REDIRECT,
        REDIRECT,
        REDIRECT,
        post=(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        why="the code step; a verified admin, or anyone without admin powers, is sent on",
    ),
    "mfa:set_up": Access(
        LOGIN,
        REDIRECT,
        REDIRECT,
        REDIRECT,
        REDIRECT,
        post=(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        why="setting up an app; one who has an app already, or has no admin powers, is sent on",
    ),
    "mfa:recovery_codes": Access(
        LOGIN,
        REDIRECT,
        REDIRECT,
        OK,
        OK,
        post=(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        why="an admin's own recovery codes (shown once; new ones on POST); others are sent on",
    ),
    # --- Notifications (notifications.views): each person's own choice, no partnership's data --
    "notifications:preferences": Access(
        LOGIN,
        OK,
        OK,
        OK,
        OK,
        post=(LOGIN, OK, OK, OK, OK),
        why="a person chooses how they hear; an empty POST shows the error and saves nothing",
    ),
    "plans:people": Access(
        LOGIN,
        FORBIDDEN,
        FORBIDDEN,
        OK,
        OK,
        why="admins only; partnership B's admin sees only B's people (marker checked)",
    ),
    "plans:person_remove": admins_only(
        fill=({"pk": Obj("delegate")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND),
        why="a confirmation page; the POST removes the person (admins of their partnership)",
    ),
    "plans:send_signin_link": Access(
        LOGIN,
        FORBIDDEN,
        FORBIDDEN,
        OK,
        OK,
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
        why="admins only; partnership B's admin sees only B's people (marker checked)",
    ),
    # --- People and access (plans.views.people, plans.views.members; issue 16) ----------------
    "plans:person_add": admins_only(
        fill=({"pk": Obj("partnership")},), post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)
    ),
    "plans:person_edit": admins_only(
        fill=({"pk": Obj("delegate")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        why="an empty POST shows the form's errors",
    ),
    "plans:person_reassign": admins_only(
        fill=({"pk": Obj("person")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        why="GET chooses and previews; an empty POST shows the form's errors",
    ),
    "plans:people_history": admins_only(fill=({"pk": Obj("partnership")},)),
    "plans:organisations": admins_only(fill=({"pk": Obj("partnership")},)),
    "plans:organisation_add": admins_only(
        fill=({"pk": Obj("partnership")},), post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)
    ),
    "plans:organisation_edit": admins_only(
        fill=({"pk": Obj("organisation")},), post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)
    ),
    "plans:organisation_merge": admins_only(
        fill=({"pk": Obj("organisation")},), post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)
    ),
    "plans:members": admins_only(fill=({"pk": Obj("partnership")},)),
    "plans:member_role": admins_only(
        fill=({"pk": Obj("membership")},), post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)
    ),
    "plans:member_end": admins_only(
        fill=({"pk": Obj("membership")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND),
        why="a confirmation page; the POST ends the board member's membership",
    ),
    "plans:invitations": admins_only(fill=({"pk": Obj("partnership")},)),
    "plans:invitation_create": admins_only(
        fill=({"pk": Obj("partnership")},), post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)
    ),
    "plans:invitation_cancel": Access(
        LOGIN,
        FORBIDDEN,
        FORBIDDEN,
        NOT_ALLOWED,
        NOT_FOUND,
        fill=({"pk": Obj("invitation")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND),
        why="POST only, the partnership's admins",
    ),
    "plans:invitation_resend": Access(
        LOGIN,
        FORBIDDEN,
        FORBIDDEN,
        NOT_ALLOWED,
        NOT_FOUND,
        fill=({"pk": Obj("invitation")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND),
        why="POST only, the partnership's admins",
    ),
    "invitation_accept": Access(
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        fill=({"token": "not-a-valid-token"},),
        post=(FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
        public="where an e-mailed invitation lands; without a valid token it refuses",
    ),
    # --- Importing (imports.views) and exporting plans (portability.views) --------------------
    "imports:import_start": Access(
        LOGIN,
        FORBIDDEN,
        FORBIDDEN,
        OK,
        OK,
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
        why="any partnership admin; the plan choices are their own partnerships' only "
        "(marker checked; test_another_partnerships_admin_cannot_import_into_our_plan)",
    ),
    "imports:import_preview": Access(
        LOGIN,
        FORBIDDEN,
        FORBIDDEN,
        NOT_FOUND,
        NOT_FOUND,
        fill=({"token": "not-a-pending-upload"},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND),
        why="a token works only in the session of the admin who uploaded the file",
    ),
    "portability:plan_export_json": members(
        fill=({"pk": Obj("plan")},), why="any member may take the plan's data away"
    ),
    "portability:plan_export_zip": members(
        fill=({"pk": Obj("plan")},), why="the JSON with the evidence files, for any member"
    ),
    # --- Evidence on updates (evidence.views) --------------------------------------------------
    "evidence:attachment_add": Access(
        LOGIN,
        FORBIDDEN,
        OK,
        OK,
        NOT_FOUND,
        fill=({"pk": Obj("update")},),
        post=(LOGIN, FORBIDDEN, OK, OK, NOT_FOUND),
        why="the milestone's leads, delegates and admins attach; an empty POST says 'Select a "
        "file'",
    ),
    "evidence:attachment_download": members(
        fill=({"pk": Obj("attachment")},), why="any member may download the partnership's evidence"
    ),
    "evidence:attachment_remove": Access(
        LOGIN,
        FORBIDDEN,
        OK,
        OK,
        NOT_FOUND,
        fill=({"pk": Obj("attachment")},),
        post=(LOGIN, FORBIDDEN, REDIRECT, REDIRECT, NOT_FOUND),
        why="who attached the file (the lead here) and admins; the record stays",
    ),
    # --- Reading the plan (plans.views.pages) --------------------------------------------------
    "plans:plan_list": signed_in(why="lists only the user's own partnerships' plans"),
    "plans:plan_detail": members(fill=({"pk": Obj("plan")},)),
    "plans:milestone_list": signed_in(why="lists only the user's own partnerships' milestones"),
    "plans:milestone_detail": members(fill=({"pk": Obj("milestone")},)),
    "plans:outcome_detail": members(fill=({"pk": Obj("outcome")},)),
    "plans:action_detail": members(fill=({"pk": Obj("action")},)),
    "plans:priority_detail": members(fill=({"pk": Obj("priority")},)),
    # --- The plan's structure, for partnership admins (plans.views.structure) ----------------
    "plans:plan_structure": admins_only(fill=({"pk": Obj("plan")},)),
    "plans:item_edit": admins_only(
        fill=ITEM_FILLS,
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        why="an empty form is shown again with its errors; nothing is saved",
    ),
    "plans:item_add": admins_only(
        fill=PARENT_FILLS,
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        why="adds under a plan, priority, outcome or action; an empty form shows its errors",
    ),
    "plans:item_withdraw": admins_only(
        fill=ITEM_FILLS,
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        why="a withdrawal needs a reason: an empty POST shows the error, withdraws nothing",
    ),
    "plans:item_reinstate": admins_only(
        fill=ITEM_FILLS,
        post=(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND),
        why="a confirmation page; an empty POST (no version) goes back to it",
    ),
    "plans:item_delete": admins_only(
        fill=ITEM_FILLS,
        post=(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND),
        why="every item here has something recorded, so the POST refuses and goes back",
    ),
    "plans:item_move": Access(
        LOGIN,
        FORBIDDEN,
        FORBIDDEN,
        NOT_ALLOWED,
        NOT_FOUND,
        fill=ITEM_FILLS,
        post=(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND),
        why="POST only (Move up / Move down buttons); back to the parent's page",
    ),
    "plans:item_renumber": admins_only(
        fill=PARENT_FILLS,
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        why="a preview; numbers change only on a POST with a chosen style",
    ),
    # --- Leads' updates (plans.views.updates) --------------------------------------------------
    "plans:my_milestones": signed_in(why="what the signed-in user leads; empty for others"),
    "plans:milestone_update": Access(
        LOGIN,
        FORBIDDEN,
        OK,
        OK,
        NOT_FOUND,
        fill=({"pk": Obj("milestone")},),
        post=(LOGIN, FORBIDDEN, OK, OK, NOT_FOUND),
        why="the milestone's lead and partnership admins; board members may only read",
    ),
    "plans:delegates": Access(
        LOGIN,
        FORBIDDEN,
        OK,
        FORBIDDEN,
        OK,
        post=(LOGIN, FORBIDDEN, OK, FORBIDDEN, OK),
        why="a lead's own delegates (B's user leads in B); people who lead nothing get 403",
    ),
    "plans:delegation_delete": Access(
        LOGIN,
        FORBIDDEN,
        REDIRECT,
        FORBIDDEN,
        REDIRECT,
        fill=({"pk": Obj("delegation")},),
        post=(LOGIN, FORBIDDEN, REDIRECT, FORBIDDEN, NOT_FOUND),
        why="POST only (GET goes back to the delegates page); only the lead's own delegations",
    ),
    "plans:item_history": admins_only(
        fill=(
            {"kind": "milestone", "pk": Obj("milestone")},
            {"kind": "action", "pk": Obj("action")},
            {"kind": "outcome", "pk": Obj("outcome")},
        ),
        why="the audit trail is for partnership admins",
    ),
    "plans:plan_history": admins_only(fill=({"pk": Obj("plan")},)),
    "plans:update_compliance": admins_only(fill=({"pk": Obj("plan")},)),
    # --- A plan's life and chasing (plans.views.lifecycle) -------------------------------------
    "plans:plan_create": Access(
        LOGIN,
        FORBIDDEN,
        FORBIDDEN,
        OK,
        OK,
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK),
        why="any partnership admin, for their own partnerships only; an empty form shows errors",
    ),
    "plans:plan_edit": admins_only(
        fill=({"pk": Obj("plan")},), post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)
    ),
    "plans:plan_archive": admins_only(
        fill=({"pk": Obj("plan")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND),
        why="a confirmation page; the POST archives the plan (the reason is optional)",
    ),
    "plans:plan_unarchive": Access(
        LOGIN,
        FORBIDDEN,
        FORBIDDEN,
        REDIRECT,
        NOT_FOUND,
        fill=({"pk": Obj("plan")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        why="a plan not archived sends the admin to the archive page; an empty POST needs a reason",
    ),
    "plans:plan_roll_forward": admins_only(
        fill=({"pk": Obj("plan")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        why="the form and its preview; an empty POST shows errors and creates nothing",
    ),
    "plans:reminder_round": admins_only(
        fill=({"pk": Obj("plan")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        why="the preview of the reminders; only a POST with step=send sends them",
    ),
    # --- Indicators (outcomes.views) -----------------------------------------------------------
    "outcomes:scorecard": members(fill=({"plan_pk": Obj("plan")},)),
    "outcomes:scorecard_priority": members(
        fill=({"plan_pk": Obj("plan"), "priority_pk": Obj("priority")},)
    ),
    "outcomes:judgements": signed_in(why="explains the judgements; no partnership data"),
    "outcomes:indicator_detail": members(fill=({"pk": Obj("indicator")},)),
    "outcomes:actual_enter": Access(
        LOGIN,
        FORBIDDEN,
        OK,
        OK,
        NOT_FOUND,
        fill=({"pk": Obj("indicator")},),
        post=(LOGIN, FORBIDDEN, OK, OK, NOT_FOUND),
        why="the indicator's owner (our lead), their delegates and partnership admins",
    ),
    "outcomes:indicator_add": admins_only(
        fill=({"plan_pk": Obj("plan")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        why="partnership admins set indicators up; an empty POST shows the form's errors",
    ),
    "outcomes:indicator_edit": admins_only(
        fill=({"pk": Obj("indicator")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        why="partnership admins edit indicators, targets and comparators",
    ),
    "outcomes:values_upload": Access(
        LOGIN,
        FORBIDDEN,
        OK,
        OK,
        NOT_FOUND,
        fill=({"plan_pk": Obj("plan")},),
        post=(LOGIN, FORBIDDEN, OK, OK, NOT_FOUND),
        why="indicator owners (for their own indicators) and partnership admins",
    ),
    # --- Board packs and reporting periods (reporting.views) -----------------------------------
    "reporting:board_pack": members(fill=({"pk": Obj("plan")},)),
    "reporting:pack_download": members(
        fill=({"pk": Obj("period"), "fmt": "pdf"}, {"pk": Obj("period"), "fmt": "xlsx"}),
        why="every member may download the pack",
    ),
    "reporting:period_changes": members(fill=({"pk": Obj("period")},)),
    "reporting:milestone_list_download": Access(
        LOGIN,
        OK,
        OK,
        OK,
        OK,
        fill=({"fmt": "xlsx"}, {"fmt": "csv"}),
        why="the milestone list as a file: each reader gets their own partnerships' rows only",
    ),
    "reporting:plan_organisations": members(
        fill=({"pk": Obj("plan")},), why="what each organisation leads, linked from home"
    ),
    "reporting:pack_job_request": Access(
        LOGIN,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        fill=({"pk": Obj("period"), "fmt": "pdf"},),
        post=(LOGIN, REDIRECT, REDIRECT, REDIRECT, NOT_FOUND),
        why="POST only; any member may ask for a pack to be produced",
    ),
    "reporting:pack_job": members(fill=({"pk": Obj("pack_job")},)),
    "reporting:pack_job_download": members(fill=({"pk": Obj("pack_job")},)),
    "reporting:pack_job_retry": Access(
        LOGIN,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        fill=({"pk": Obj("pack_job")},),
        post=(LOGIN, REDIRECT, REDIRECT, REDIRECT, NOT_FOUND),
        why="POST only; any member may retry a failed pack (a finished one is left alone)",
    ),
    "reporting:periods_generate": Access(
        LOGIN,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        fill=({"pk": Obj("plan")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND),
        why="POST only, partnership admins",
    ),
    "reporting:period_close": admins_only(
        fill=({"pk": Obj("period")},), post=(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND)
    ),
    "reporting:period_reopen": admins_only(
        fill=({"pk": Obj("period")},), post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)
    ),
    "reporting:period_meeting": admins_only(
        fill=({"pk": Obj("period")},), post=(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND)
    ),
    "reporting:period_deadline": admins_only(
        fill=({"pk": Obj("period")},), post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)
    ),
    # --- The coordinator's review (review.views) ----------------------------------------------
    "review:review_list": admins_only(fill=({"pk": Obj("plan")},)),
    "review:thread": Access(
        LOGIN,
        FORBIDDEN,
        OK,
        OK,
        NOT_FOUND,
        fill=({"pk": Obj("update")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND),
        why="the thread: admins and the milestone's lead; only admins accept or query (POST)",
    ),
    "review:answer": Access(
        LOGIN,
        FORBIDDEN,
        OK,
        OK,
        NOT_FOUND,
        fill=({"pk": Obj("update")},),
        post=(LOGIN, FORBIDDEN, OK, OK, NOT_FOUND),
        why="the milestone's lead, their delegates and admins; an empty POST shows the errors",
    ),
    "review:settings": admins_only(
        fill=({"pk": Obj("partnership")},), post=(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND)
    ),
    # --- Sign-off of a quarter (signoff.views; issue 17) -------------------------------------
    "signoff:mine": signed_in(why="what the signed-in member signs off, in their partnerships"),
    "signoff:settings": admins_only(
        fill=({"pk": Obj("partnership")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        why="switching sign-off on and naming the chair; an empty POST shows the errors",
    ),
    "signoff:signatory": admins_only(
        fill=({"pk": Obj("organisation")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND),
        why="nominating an organisation's signatory; an empty POST names no signatory",
    ),
    "signoff:period": members(fill=({"pk": Obj("period")},)),
    "signoff:organisation": members(
        fill=({"pk": Obj("period"), "organisation_pk": Obj("organisation")},),
        why="an organisation's updates for the period, read before signing",
    ),
    "signoff:chair_sign": Access(
        LOGIN,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_FOUND,
        fill=({"pk": Obj("period")},),
        post=(LOGIN, REDIRECT, REDIRECT, REDIRECT, NOT_FOUND),
        why="POST only; the service refuses (with a message) anyone but the chair",
    ),
    "signoff:organisation_sign": Access(
        LOGIN,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_ALLOWED,
        NOT_FOUND,
        fill=({"pk": Obj("period"), "organisation_pk": Obj("organisation")},),
        post=(LOGIN, REDIRECT, REDIRECT, REDIRECT, NOT_FOUND),
        why="POST only; partnership A has sign-off off, so members are told so on the page",
    ),
    "signoff:chair_withdraw": admins_only(
        fill=({"pk": Obj("period")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        why="the chair or an admin; an empty POST shows the form's errors",
    ),
    "signoff:organisation_withdraw": admins_only(
        fill=({"pk": Obj("period"), "organisation_pk": Obj("organisation")},),
        post=(LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
        why="the organisation's signatory or an admin; an empty POST shows the form's errors",
    ),
}

# Patterns not checked here, with the reason a reader should accept.
SKIPPED_NAMESPACES = {
    "admin": "Django admin: its own tests below. Users without is_staff are refused "
    "everywhere; a staff partnership admin of B gets none of A's objects, in the change, "
    "history and delete pages, the lists and the autocomplete searches",
}


# --- Reading the URL patterns -----------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    arguments: tuple[str, ...] = field(default=())


def _walk(patterns, namespace: str | None = None, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = entry.namespace
            if namespace and inner:
                inner = f"{namespace}:{inner}"
            yield from _walk(entry.url_patterns, inner or namespace, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            if entry.callback.__module__ == "django.views.static":
                continue  # static/media serving added in DEBUG, not a page of the product
            name = entry.name or f"<unnamed {prefix}{entry.pattern}>"
            if namespace and entry.name:
                name = f"{namespace}:{entry.name}"
            yield Route(
                name=name,
                route=prefix + str(entry.pattern),
                arguments=tuple(entry.pattern.regex.groupindex),
            )


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


ROUTES = all_routes()


# --- Partnership A's world and its visitors -------------------------------------------------


@pytest.fixture
def world(db):
    """One of every object, all in partnership A, plus users in each role and an outsider."""
    a = factories.PartnershipFactory(name=f"{MARKER} Children's Trust", slug="zanzibar")
    organisation = factories.OrganisationFactory(partnership=a, name=f"{MARKER} Council")
    users = {
        role: factories.MembershipFactory(partnership=a, role=role, user__username=f"{role}-a").user
        for role in ("board", "lead", "admin")
    }
    lead_person = factories.PersonFactory(
        partnership=a,
        organisation=organisation,
        name=f"{MARKER} Lead",
        user=users["lead"],
    )
    delegate_person = factories.PersonFactory(
        partnership=a, organisation=organisation, name=f"{MARKER} Delegate"
    )
    plan = factories.PlanFactory(partnership=a, title=f"{MARKER} Action Plan")
    priority = factories.PriorityFactory(plan=plan, title=f"{MARKER} priority")
    outcome = factories.OutcomeFactory(priority=priority, statement=f"{MARKER} outcome")
    action = factories.ActionFactory(outcome=outcome, text=f"{MARKER} action")
    action.leads.add(lead_person)
    milestone = factories.MilestoneFactory(
        action=action, lead=lead_person, text=f"{MARKER} milestone"
    )
    update = factories.MilestoneUpdateFactory(
        milestone=milestone, commentary=f"{MARKER} progress", author=users["lead"]
    )
    delegation = Delegation.objects.create(lead=lead_person, delegate=delegate_person)
    quarter = FinancialQuarter(2019, 3)
    period = ReportingPeriod.objects.create(
        plan=plan,
        year=2019,
        quarter=3,
        start_date=quarter.start,
        end_date=quarter.end,
        update_deadline=quarter.end,
    )

    invitation = Invitation.objects.create(
        partnership=a,
        email="invitee@zanzibar.example.org",
        name=f"{MARKER} Invitee",
        role="board",
        invited_by=users["admin"],
        expires_at=timezone.now() + timedelta(days=7),
    )

    objects = {
        "partnership": a,
        "membership": Membership.objects.get(user=users["board"], partnership=a),
        "invitation": invitation,
        "organisation": organisation,
        "person": lead_person,
        "delegate": delegate_person,
        "plan": plan,
        "priority": priority,
        "outcome": outcome,
        "action": action,
        "milestone": milestone,
        "update": update,
        "delegation": delegation,
        "period": period,
    }
    objects.update(_other_apps_objects(objects, users))

    # Partnership B: its own admin, with a plan of its own so its pages are not empty.
    b = factories.PartnershipFactory(name="Rotherham Children's Board", slug="rbc")
    # B's user is both admin and a lead there: the strongest outsider.
    outsider = factories.MembershipFactory(partnership=b, role="admin", user__username="b").user
    b_lead = factories.PersonFactory(partnership=b, user=outsider, name="Rotherham Lead")
    factories.MilestoneFactory(action__outcome__priority__plan__partnership=b, lead=b_lead)

    return {"objects": objects, "users": {**users, "other": outsider}}


def _other_apps_objects(objects: dict, users: dict) -> dict:
    """Indicators and background packs of partnership A; looked up by name so this file
    does not depend on the other apps' models being there yet."""
    found = {}
    try:
        job_model = apps.get_model("reporting", "PackJob")
    except LookupError:
        job_model = None
    if job_model is not None:
        job = job_model(
            period=objects["period"],
            fmt="pdf",
            status="done",
            progress=100,
            filename="zanzibar-pack.pdf",
            requested_by=users["admin"],
        )
        job.file.save("zanzibar-pack.pdf", ContentFile(b"%PDF-1.7 " + MARKER.encode()), save=False)
        job.save()
        found["pack_job"] = job
    try:
        review_model = apps.get_model("review", "Review")
    except LookupError:
        review_model = None
    if review_model is not None:
        review = review_model.objects.create(update=objects["update"], state="queried")
        review.messages.create(
            kind="question", text=f"{MARKER} question", author=users["admin"], author_name="A"
        )
        found["review"] = review
    try:
        attachment_model = apps.get_model("evidence", "Attachment")
    except LookupError:
        attachment_model = None
    if attachment_model is not None:
        from io import BytesIO

        from evidence.services import attachment_add
        from tests.evidence.corpus import pdf

        found["attachment"] = attachment_add(
            update=objects["update"],
            user=users["lead"],
            name=f"{MARKER} minutes.pdf",
            file=BytesIO(pdf(f"{MARKER} minutes")),
        )
    try:
        indicator_model = apps.get_model("outcomes", "Indicator")
        value_model = apps.get_model("outcomes", "IndicatorValue")
    except LookupError:
        return found
    indicator = indicator_model.objects.create(
        plan=objects["plan"],
        priority=objects["priority"],
        code="NI 19",
        definition=f"{MARKER} rate of proven re-offending",
        owner=objects["person"],
        organisation=objects["organisation"],
    )
    indicator.outcomes.add(objects["outcome"])
    value = value_model.objects.create(
        indicator=indicator,
        kind="actual",
        year=2019,
        value=12,
        note=f"{MARKER} note",
        entered_by=users["lead"],
    )
    if "pack_job" in found:
        # The stored draft shows the plan's data as it now is, so the download streams it.
        from reporting.selectors import plan_data_version

        found["pack_job"].data_version = plan_data_version(plan_id=objects["plan"].pk)
        found["pack_job"].save(update_fields=["data_version"])
    return {**found, "indicator": indicator, "indicator_value": value}


def _client_for(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _url(route: Route, fill: dict, objects: dict) -> str:
    kwargs = {}
    for argument in route.arguments:
        if argument not in fill:
            pytest.fail(
                f"{route.name} ({route.route}) takes <{argument}>: say how to fill it in "
                "its ACCESS row, e.g. fill=({'pk': Obj('plan')},)"
            )
        value = fill[argument]
        kwargs[argument] = (
            getattr(objects[value.key], value.attr) if isinstance(value, Obj) else value
        )
    return reverse(route.name, kwargs=kwargs)


def _check(response, expected, *, url: str, who: str):
    described = f"{who} {url}"
    if expected == LOGIN:
        assert response.status_code == 302, f"{described}: expected the sign-in page"
        assert response["Location"].startswith(reverse(settings.LOGIN_URL)), described
    elif expected == REDIRECT:
        assert response.status_code == 302, f"{described}: {response.status_code}"
        assert not response["Location"].startswith(reverse(settings.LOGIN_URL)), described
    else:
        assert response.status_code == expected, (
            f"{described}: expected {expected}, got {response.status_code}"
        )


# --- The tests --------------------------------------------------------------------------------


def test_every_page_has_an_access_decision():
    missing = [route.name for route in ROUTES if route.name not in ACCESS]
    assert missing == [], "\n".join(f"new page without an access decision: {n}" for n in missing)


def test_every_access_decision_is_for_a_page_that_exists():
    names = {route.name for route in ROUTES}
    assert sorted(set(ACCESS) - names) == []


def test_no_page_about_an_object_is_planned_to_show_it_to_another_partnership():
    for route in ROUTES:
        decision = ACCESS.get(route.name)
        # A file format ("milestones.csv") names no object: only ids and tokens do.
        about_an_object = [argument for argument in route.arguments if argument != "fmt"]
        if decision and about_an_object and not decision.public:
            assert decision.other != OK, route.name
            if decision.post:
                assert decision.expected("other", "post") in (FORBIDDEN, NOT_FOUND), route.name


def test_only_pages_with_a_stated_reason_are_open_to_anonymous_visitors():
    for name, decision in ACCESS.items():
        if decision.anonymous not in (LOGIN, NOT_ALLOWED):
            assert decision.public, f"{name} is open to anonymous visitors without a reason"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_page_access(route, role, world):
    decision = ACCESS.get(route.name)
    if decision is None:
        pytest.fail(f"new page without an access decision: {route.name}")
    client = _client_for(world, role)
    for fill in decision.fill:
        url = _url(route, fill, world["objects"])
        response = client.get(url)
        _check(response, decision.expected(role), url=url, who=f"GET as {role}:")
        if role == "other" and response.status_code == 200:
            assert MARKER not in response.getvalue().decode(errors="replace"), (
                f"partnership B sees partnership A's data at {url}"
            )
        if decision.post:
            response = client.post(url, {})
            _check(response, decision.expected(role, "post"), url=url, who=f"POST as {role}:")


@pytest.mark.parametrize("role", ("board", "lead", "admin", "other"))
def test_the_django_admin_refuses_every_partnership_role_without_staff_status(role, world):
    """Getting into the Django admin needs is_staff, which only the site operator ticks."""
    response = _client_for(world, role).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_world_fixture_has_one_of_every_plan_object(world):
    """New models need a row in ``world`` so pages about them can be checked too."""
    covered = {type(obj) for obj in world["objects"].values()}
    ours = {
        model
        for app in ("plans", "outcomes", "reporting")
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
    }
    uncovered = {m.__name__ for m in ours - covered} - set(UNCOVERED_MODELS)
    assert uncovered == set(), (
        "add one of each to the world fixture in tests/test_url_access.py (or to "
        "UNCOVERED_MODELS with the reason no page takes its id)"
    )


# Models with no page of their own (so no id in any URL), with the reason.
UNCOVERED_MODELS = {
    "ReminderSent": "a record the reminder command keeps; no page takes its id",
    "IndicatorSettings": "one row of settings per partnership; no page takes its id",
    "Snapshot": "a closed period's frozen copy; pages reach it by the period's id",
    "SnapshotRedaction": "a record kept when a removal rewrites a snapshot; no page shows it",
    "LeadAccount": "which partnership's sign-in-link flow made an account; no page shows it",
    "RequestCount": "hashed counts behind the e-mail form limits; no page shows or takes one",
    "BoardMeeting": "a period's pack cover details; its page takes the period's id",
    "ReminderRound": "an admin's reminder round; its page takes the plan's id",
    "PlanDataVersion": "a count of a plan's changes behind pack freshness; no page shows it",
    "PackRefresh": "when a kept draft pack is due again; pages reach it by the period's id",
}


def test_another_partnerships_admin_cannot_import_into_our_plan(world):
    """The upload form offers only the admin's own plans; A's plan id is refused, not used."""
    plan = world["objects"]["plan"]
    milestones_before = plan_milestone_count(plan)
    upload = SimpleUploadedFile(
        "plan.csv",
        b"Outcome,Action,By when,Who\n1. Intruder outcome,1.1 Intruder action,May 2020,X\n",
        content_type="text/csv",
    )
    response = _client_for(world, "other").post(
        reverse("imports:import_start"), {"plan": plan.pk, "file": upload}
    )
    assert response.status_code == 200  # the form again, with its error
    assert "Select the plan to import into" in response.content.decode()
    assert plan_milestone_count(plan) == milestones_before


def plan_milestone_count(plan) -> int:
    return Milestone.objects.filter(action__outcome__priority__plan=plan).count()


# --- The Django admin, scoped to partnerships for staff partnership admins --------------------


@pytest.fixture
def staff_world(world):
    """Partnership admins of A and of B who are also staff (allowed into the Django admin)."""
    for role in ("admin", "other"):
        user = world["users"][role]
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return world


def _admin_url(obj, view: str) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk])


def _registered_objects(world) -> list:
    return [obj for obj in world["objects"].values() if type(obj) in admin_site._registry]


def test_the_django_admin_gives_another_partnerships_staff_admin_none_of_our_objects(
    staff_world,
):
    ours, theirs = _client_for(staff_world, "admin"), _client_for(staff_world, "other")
    objects = _registered_objects(staff_world)
    assert len(objects) >= 10
    for obj in objects:
        change = _admin_url(obj, "change")
        assert ours.get(change).status_code == 200, f"A's own admin cannot open {change}"
        for view in ("change", "history", "delete"):
            url = _admin_url(obj, view)
            response = theirs.get(url)
            assert response.status_code in (302, 403, 404), f"B's admin got {url}"
            assert MARKER not in response.getvalue().decode(errors="replace"), url
        before = type(obj).objects.filter(pk=obj.pk).values().first()
        theirs.post(_admin_url(obj, "delete"), {"post": "yes"})
        assert type(obj).objects.filter(pk=obj.pk).values().first() == before, f"B changed {obj!r}"


def test_the_django_admin_lists_show_another_partnerships_staff_admin_nothing_of_ours(staff_world):
    ours, theirs = _client_for(staff_world, "admin"), _client_for(staff_world, "other")
    plan_list = reverse("admin:plans_plan_changelist")
    assert MARKER in ours.get(plan_list).getvalue().decode()  # the check can see a leak
    for model in admin_site._registry:
        if model._meta.app_label not in ("plans", "outcomes", "reporting"):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = theirs.get(url)
        assert response.status_code in (200, 302, 403), url
        assert MARKER not in response.getvalue().decode(errors="replace"), f"B sees A at {url}"


def test_the_django_admin_autocomplete_finds_none_of_our_objects_for_another_partnership(
    staff_world,
):
    ours, theirs = _client_for(staff_world, "admin"), _client_for(staff_world, "other")
    searches = [
        {
            "term": MARKER,
            "app_label": model._meta.app_label,
            "model_name": model._meta.model_name,
            "field_name": field,
        }
        for model, model_admin in admin_site._registry.items()
        if model._meta.app_label in ("plans", "outcomes", "reporting")
        for field in model_admin.autocomplete_fields
    ]
    url = reverse("admin:autocomplete")
    found_by_ours = sum(MARKER in ours.get(url, query).getvalue().decode() for query in searches)
    assert found_by_ours > 0  # the searches do reach A's objects for A's admin
    for query in searches:
        response = theirs.get(url, query)
        assert MARKER not in response.getvalue().decode(errors="replace"), query
