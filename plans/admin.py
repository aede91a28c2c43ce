"""Django admin for staff: the plan hierarchy with inlines, search and filters.

Edits made here are recorded with their author by django-simple-history (the admin's history
page shows them). RAG updates are append-only: the admin shows them but cannot add, change
or delete them; a milestone's current status, due date and completion follow its updates
(``plans.services``), so they are read-only here once the milestone exists.

Every screen is scoped by ``plans.admin_scoping``: a superuser sees everything; a staff user
who is a partnership admin (``Membership`` role "admin") sees, chooses and saves only their
partnerships' objects, and cannot create or delete a partnership. Partnership admins need no
staff status: everything they do has a page in the product (People, the plan's pages).

Only a superuser (the site operator) hard-deletes here, and nobody deletes a person (their
removal redacts their name) or reverts an old version (``admin_scoping``): the product's
services keep those rules and their history.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from plans.admin_scoping import PartnershipScopedInline, PartnershipScopedModelAdmin
from plans.models import (
    Action,
    Delegation,
    Membership,
    Milestone,
    MilestoneUpdate,
    Organisation,
    Outcome,
    Partnership,
    Person,
    Plan,
    Priority,
    ReportingPeriod,
)
from plans.services import person_email_change


class NoRevertHistoryAdmin(SimpleHistoryAdmin):
    """History to read, never to revert: the model's state follows an append-only log.

    A milestone's status and dates follow its ``MilestoneUpdate`` rows, a quarter's open or
    closed state follows its close (with a snapshot) and reopen (with a reason), and a
    person's removal follows ``person_remove``. Reverting an old version would set that state
    with no update, snapshot or reason (issue 12, finding 11), so the history pages show old
    versions and refuse to save them, for superusers too. Change these through the service.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(
                "Old versions cannot be restored here: change it through the service."
            )
        return super().history_form_view(request, object_id, version_id, extra_context)


# --- Inlines ------------------------------------------------------------------------------


class MembershipInline(PartnershipScopedInline, admin.TabularInline):
    partnership_lookup = "partnership"
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class OrganisationInline(PartnershipScopedInline, admin.TabularInline):
    partnership_lookup = "partnership"
    model = Organisation
    extra = 0


class PriorityInline(PartnershipScopedInline, admin.TabularInline):
    partnership_lookup = "plan__partnership"
    model = Priority
    extra = 0
    fields = ["number", "title", "position"]
    show_change_link = True


class ReportingPeriodInline(PartnershipScopedInline, admin.TabularInline):
    partnership_lookup = "plan__partnership"
    model = ReportingPeriod
    extra = 0
    fields = ["year", "quarter", "start_date", "end_date", "update_deadline", "status"]
    readonly_fields = ["status"]
    show_change_link = True


class OutcomeInline(PartnershipScopedInline, admin.StackedInline):
    partnership_lookup = "priority__plan__partnership"
    model = Outcome
    extra = 0
    fields = ["number", "statement", "success_criteria", "position"]
    show_change_link = True


class ActionInline(PartnershipScopedInline, admin.StackedInline):
    partnership_lookup = "outcome__priority__plan__partnership"
    model = Action
    extra = 0
    fields = ["number", "text", "lead_text", "sources", "timescale", "position"]
    show_change_link = True


class MilestoneInline(PartnershipScopedInline, admin.TabularInline):
    partnership_lookup = "action__outcome__priority__plan__partnership"
    model = Milestone
    extra = 0
    fields = [
        "number",
        "text",
        "lead",
        "lead_text",
        "due_text",
        "original_due_date",
        "due_date",
        "status",
    ]
    readonly_fields = ["status"]
    autocomplete_fields = ["lead"]
    show_change_link = True


class MilestoneUpdateInline(PartnershipScopedInline, admin.TabularInline):
    """The milestone's history, newest first; read-only because updates are never edited."""

    partnership_lookup = "milestone__action__outcome__priority__plan__partnership"
    model = MilestoneUpdate
    extra = 0
    fields = ["created_at", "status", "commentary", "due_date", "due_date_reason", "author"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Partnerships and people --------------------------------------------------------------


@admin.register(Partnership)
class PartnershipAdmin(PartnershipScopedModelAdmin, SimpleHistoryAdmin):
    partnership_lookup = "pk"
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganisationInline, MembershipInline]

    def has_add_permission(self, request):
        """Setting up a partnership is the site operator's job."""
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Membership)
class MembershipAdmin(PartnershipScopedModelAdmin, SimpleHistoryAdmin):
    partnership_lookup = "partnership"
    list_display = ["user", "partnership", "role"]
    list_filter = ["role", "partnership"]
    search_fields = ["user__username", "user__email", "user__last_name", "partnership__name"]
    list_select_related = ["user", "partnership"]
    autocomplete_fields = ["user", "partnership"]


@admin.register(Organisation)
class OrganisationAdmin(PartnershipScopedModelAdmin, SimpleHistoryAdmin):
    partnership_lookup = "partnership"
    list_display = ["name", "partnership"]
    list_filter = ["partnership"]
    search_fields = ["name"]
    list_select_related = ["partnership"]


@admin.register(Person)
class PersonAdmin(PartnershipScopedModelAdmin, NoRevertHistoryAdmin):
    partnership_lookup = "partnership"
    list_display = ["name", "role_title", "organisation", "partnership", "user", "removed_at"]
    list_filter = ["partnership", "organisation", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "role_title", "email", "organisation__name"]
    list_select_related = ["partnership", "organisation", "user"]
    autocomplete_fields = ["organisation", "user"]

    def has_delete_permission(self, request, obj=None):
        """Nobody deletes a person here, the operator included: removing one goes through
        the People page (plans.services.person_remove), which replaces their name everywhere
        with "Former lead" and keeps their milestones and updates."""
        return False

    def get_exclude(self, request, obj=None):
        # Only the sign-in-link flow links a lead to an account, inside their partnership
        # (issue 12, finding 1); a superuser may still link an existing account by hand.
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser:
            exclude.append("user")
        return exclude

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser and obj is not None:
            fields.append("user")
        return fields

    def save_model(self, request, obj, form, change):
        """An e-mail correction goes through ``person_email_change``: the account this
        partnership made follows it and outstanding sign-in links are voided."""

        if not (change and "email" in form.changed_data):
            return super().save_model(request, obj, form, change)
        email = obj.email
        obj.email = form.initial.get("email", "")
        super().save_model(request, obj, form, change)
        person = person_email_change(person=obj, email=email, user=request.user)
        obj.email = person.email
        if person.user_id and not person.account_followed:
            messages.warning(
                request,
                f"{person}'s sign-in account was not made by this partnership, so its e-mail "
                "address was not changed. Sign-in links still go to the account's own address; "
                "ask the site operator if that address is wrong.",
            )


@admin.register(Delegation)
class DelegationAdmin(PartnershipScopedModelAdmin, SimpleHistoryAdmin):
    partnership_lookup = "lead__partnership"
    list_display = ["lead", "delegate", "created_at"]
    search_fields = ["lead__name", "delegate__name"]
    list_filter = ["lead__partnership"]
    list_select_related = ["lead", "delegate"]
    autocomplete_fields = ["lead", "delegate"]


# --- The plan hierarchy -------------------------------------------------------------------


@admin.register(Plan)
class PlanAdmin(PartnershipScopedModelAdmin, SimpleHistoryAdmin):
    partnership_lookup = "partnership"
    list_display = ["title", "partnership", "start_date", "end_date"]
    list_filter = ["partnership"]
    search_fields = ["title", "description"]
    list_select_related = ["partnership"]
    date_hierarchy = "start_date"
    inlines = [PriorityInline, ReportingPeriodInline]
    # Archiving and rolling forward go through the product's pages (plans.lifecycle).
    readonly_fields = ["archived_at", "archived_by", "archive_reason", "predecessor"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(PartnershipScopedModelAdmin, NoRevertHistoryAdmin):
    """Closing and reopening go through the reporting app, which freezes the snapshot."""

    partnership_lookup = "plan__partnership"
    list_display = ["__str__", "plan", "update_deadline", "status", "closed_at"]
    list_filter = ["status", "plan__partnership", "year"]
    search_fields = ["plan__title"]
    list_select_related = ["plan"]
    readonly_fields = ["status", "closed_at", "closed_by", "status_reason"]


@admin.register(Priority)
class PriorityAdmin(PartnershipScopedModelAdmin, SimpleHistoryAdmin):
    partnership_lookup = "plan__partnership"
    list_display = ["number", "title", "plan"]
    list_display_links = ["number", "title"]
    list_filter = ["plan__partnership", "plan"]
    search_fields = ["number", "title", "plan__title"]
    list_select_related = ["plan"]
    autocomplete_fields = ["plan"]
    inlines = [OutcomeInline]
    readonly_fields = ["predecessor"]  # set by rolling forward only


@admin.register(Outcome)
class OutcomeAdmin(PartnershipScopedModelAdmin, SimpleHistoryAdmin):
    partnership_lookup = "priority__plan__partnership"
    list_display = ["number", "short_statement", "priority_number", "plan"]
    list_display_links = ["number", "short_statement"]
    list_filter = ["priority__plan__partnership", "priority__plan"]
    search_fields = ["number", "statement", "success_criteria"]
    list_select_related = ["priority__plan"]
    autocomplete_fields = ["priority"]
    inlines = [ActionInline]
    readonly_fields = ["predecessor"]  # set by rolling forward only

    @admin.display(description="Statement")
    def short_statement(self, obj):
        return obj.statement[:100]

    @admin.display(description="Priority", ordering="priority__sort_key")
    def priority_number(self, obj):
        return obj.priority.number

    @admin.display(description="Plan", ordering="priority__plan__title")
    def plan(self, obj):
        return obj.priority.plan


@admin.register(Action)
class ActionAdmin(PartnershipScopedModelAdmin, SimpleHistoryAdmin):
    partnership_lookup = "outcome__priority__plan__partnership"
    list_display = ["number", "short_text", "outcome_number", "plan", "lead_text", "sources"]
    list_display_links = ["number", "short_text"]
    list_filter = ["outcome__priority__plan__partnership", "outcome__priority__plan", "timescale"]
    search_fields = ["number", "text", "lead_text", "sources", "leads__name"]
    list_select_related = ["outcome__priority__plan"]
    autocomplete_fields = ["outcome", "leads", "see_also"]
    inlines = [MilestoneInline]
    readonly_fields = ["predecessor"]  # set by rolling forward only

    @admin.display(description="Text")
    def short_text(self, obj):
        return obj.text[:100]

    @admin.display(description="Outcome", ordering="outcome__sort_key")
    def outcome_number(self, obj):
        return obj.outcome.number

    @admin.display(description="Plan", ordering="outcome__priority__plan__title")
    def plan(self, obj):
        return obj.outcome.priority.plan


@admin.register(Milestone)
class MilestoneAdmin(PartnershipScopedModelAdmin, NoRevertHistoryAdmin):
    partnership_lookup = "action__outcome__priority__plan__partnership"
    list_display = [
        "reference",
        "short_text",
        "plan",
        "priority_number",
        "outcome_number",
        "lead",
        "due_date",
        "status",
    ]
    list_display_links = ["reference", "short_text"]
    list_filter = [
        "status",
        "action__outcome__priority__plan__partnership",
        "action__outcome__priority__plan",
        ("due_date", admin.DateFieldListFilter),
    ]
    search_fields = ["number", "text", "lead_text", "due_text", "lead__name", "action__number"]
    list_select_related = ["action__outcome__priority__plan", "lead"]
    autocomplete_fields = ["action", "lead"]
    inlines = [MilestoneUpdateInline]
    # The current state follows the latest update; change it with an update, not here.
    state_fields = ["status", "due_date", "completed_on", "latest_update", "version"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["status", "completed_on", "latest_update", "version", "predecessor"]
        return [*self.state_fields, "predecessor"]

    @admin.display(description="Number", ordering="action__sort_key")
    def reference(self, obj):
        return f"{obj.action.number} {obj.number}".strip()

    @admin.display(description="Text")
    def short_text(self, obj):
        return obj.text[:100]

    @admin.display(description="Priority", ordering="action__outcome__priority__sort_key")
    def priority_number(self, obj):
        return obj.action.outcome.priority.number

    @admin.display(description="Outcome", ordering="action__outcome__sort_key")
    def outcome_number(self, obj):
        return obj.action.outcome.number

    @admin.display(description="Plan", ordering="action__outcome__priority__plan__title")
    def plan(self, obj):
        return obj.action.outcome.priority.plan


@admin.register(MilestoneUpdate)
class MilestoneUpdateAdmin(PartnershipScopedModelAdmin, admin.ModelAdmin):
    """Append-only: updates are read here, never added, changed or deleted."""

    partnership_lookup = "milestone__action__outcome__priority__plan__partnership"
    list_display = ["milestone", "status", "created_at", "author", "source"]
    list_filter = ["status", "source", "milestone__action__outcome__priority__plan"]
    search_fields = ["commentary", "milestone__text", "author__username", "author_name"]
    list_select_related = ["milestone", "author"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
