"""People and organisations, run by partnership admins: the People hub, adding and editing
people and organisations, merging organisations, re-assigning a leaver's work, and removing a
person who has left (personal data). The rules are in plans.people; these views only turn
them into pages.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from plans import audit, selectors, services
from plans import people as people_services
from plans.access import AdminOnlyMixin, is_partnership_admin, partnership_ids_for
from plans.models import Membership, Organisation, Partnership, Person
from plans.people_forms import (
    OrganisationForm,
    OrganisationMergeForm,
    PersonForm,
    ReassignForm,
    apply_errors,
)


class PeopleListView(TemplateView):
    """The people of the partnerships the user is an admin of, with who can sign in."""

    template_name = "plans/people_list.html"

    def dispatch(self, request, *args, **kwargs):
        self.admin_of = partnership_ids_for(request.user, roles=(Membership.Role.ADMIN,))
        if not self.admin_of:
            raise PermissionDenied("Only partnership admins can manage people.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        people = list(selectors.people_for_admin(partnership_ids=self.admin_of))
        context["people"] = people
        context["partnerships"] = list(Partnership.objects.filter(pk__in=self.admin_of))
        context["several_partnerships"] = len(self.admin_of) > 1
        context["removed_count"] = sum(1 for p in people if p.removed_at)
        return context


class PersonRemoveView(TemplateView):
    """Confirm, then remove a person who has left: their name goes, their updates stay."""

    template_name = "plans/person_remove.html"

    def dispatch(self, request, *args, **kwargs):
        # Another partnership's people are not found; members who are not admins are refused.
        self.person = get_object_or_404(
            Person.objects.filter(
                partnership_id__in=partnership_ids_for(request.user), removed_at__isnull=True
            ).select_related("organisation", "partnership"),
            pk=kwargs["pk"],
        )
        if not is_partnership_admin(request.user, self.person.partnership_id):
            raise PermissionDenied("Only partnership admins can remove people.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.person
        context["person"] = person
        context["milestones_led"] = person.milestones_led.count()
        context["actions_led"] = person.actions_led.count()
        context["updates_written"] = (
            person.user.milestone_updates.filter(
                milestone__action__outcome__priority__plan__partnership_id=person.partnership_id
            ).count()
            if person.user_id
            else 0
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            services.person_remove(person=self.person, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("plans:people")
        messages.success(
            request,
            "The person has been removed. Their milestones and updates are kept and now show "
            "“Former lead”.",
        )
        return redirect("plans:people")


# --- Shared --------------------------------------------------------------------------------


class PartnershipAdminMixin(AdminOnlyMixin):
    """A page about one partnership in the address: another's is not found (404), a member
    who is not its admin is refused (403)."""

    admin_only_message = "Only partnership admins can manage people and access."

    def dispatch(self, request, *args, **kwargs):
        self.partnership = get_object_or_404(
            Partnership.objects.filter(pk__in=partnership_ids_for(request.user)),
            pk=kwargs["pk"],
        )
        self.require_admin(self.partnership.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(partnership=self.partnership, **kwargs)


class ScopedObjectMixin(AdminOnlyMixin):
    """A page about one object (``scoped_queryset`` of the user's partnerships, by pk)."""

    admin_only_message = "Only partnership admins can manage people and access."

    def scoped_queryset(self):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        self.object = get_object_or_404(self.scoped_queryset(), pk=kwargs["pk"])
        self.partnership = self.object.partnership
        self.require_admin(self.partnership.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(partnership=self.partnership, **kwargs)


class ServiceFormView(FormView):
    """A form whose valid data goes to a service: its ValidationError comes back as form
    errors (GOV.UK error summary), and nothing is saved."""

    def form_valid(self, form):
        try:
            return self.perform(form)
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)

    def perform(self, form):
        raise NotImplementedError


def _people_url(partnership) -> str:
    return f"{reverse('plans:people')}#partnership-{partnership.pk}"


# --- People ---------------------------------------------------------------------------------


class PersonAddView(PartnershipAdminMixin, ServiceFormView):
    template_name = "plans/person_form.html"
    form_class = PersonForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "partnership_id": self.partnership.pk}

    def perform(self, form):
        person = people_services.person_create(
            partnership=self.partnership, user=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, f"{person} has been added.")
        return redirect(_people_url(self.partnership))


class PersonEditView(ScopedObjectMixin, ServiceFormView):
    template_name = "plans/person_form.html"
    form_class = PersonForm

    def scoped_queryset(self):
        return Person.objects.filter(
            partnership_id__in=partnership_ids_for(self.request.user), removed_at__isnull=True
        ).select_related("partnership", "organisation", "user")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "partnership_id": self.partnership.pk}

    def get_initial(self):
        person = self.object
        return {
            "name": person.name,
            "role_title": person.role_title,
            "organisation": person.organisation_id,
            "email": person.email,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.object, **kwargs)

    def perform(self, form):
        person = people_services.person_edit(
            person=self.object, user=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, f"{person}'s details have been saved.")
        if person.account_followed is False:
            messages.warning(
                self.request,
                f"{person}'s sign-in account was not made by this partnership, so its e-mail "
                "address was not changed: sign-in links still go to the account's own "
                "address. Ask the site operator if that address is wrong.",
            )
        return redirect(_people_url(self.partnership))


class ReassignView(ScopedObjectMixin, ServiceFormView):
    """Choose who takes over a leaver's milestones and actions, see them all, then confirm."""

    template_name = "plans/person_reassign.html"
    form_class = ReassignForm

    def scoped_queryset(self):
        return Person.objects.filter(
            partnership_id__in=partnership_ids_for(self.request.user)
        ).select_related("partnership", "organisation")

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "leaver": self.object}
        if self.request.method == "GET" and "successor" in self.request.GET:
            kwargs["data"] = self.request.GET  # the preview: a GET, so nothing changes
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(person=self.object, **kwargs)
        form = context["form"]
        successor = (
            form.cleaned_data.get("successor") if form.is_bound and form.is_valid() else None
        )
        context["preview"] = people_services.reassign_preview(
            leaver=self.object, successor=successor
        )
        context["confirming"] = successor is not None and self.request.method == "GET"
        return context

    def perform(self, form):
        successor = form.cleaned_data["successor"]
        done = people_services.leaver_reassign(
            leaver=self.object, successor=successor, user=self.request.user
        )
        messages.success(
            self.request,
            f"{len(done.milestones)} milestone{'s' if len(done.milestones) != 1 else ''} and "
            f"{len(done.actions)} action{'s' if len(done.actions) != 1 else ''} of "
            f"{self.object} now have {successor} as their lead.",
        )
        return redirect(_people_url(self.partnership))


# --- Organisations ----------------------------------------------------------------------------


class OrganisationListView(PartnershipAdminMixin, TemplateView):
    template_name = "plans/organisation_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organisations"] = list(
            Organisation.objects.filter(partnership=self.partnership)
            .annotate(people_count=Count("people"))
            .order_by("name", "pk")
        )
        return context


class OrganisationAddView(PartnershipAdminMixin, ServiceFormView):
    template_name = "plans/organisation_form.html"
    form_class = OrganisationForm

    def perform(self, form):
        organisation = people_services.organisation_create(
            partnership=self.partnership, name=form.cleaned_data["name"], user=self.request.user
        )
        messages.success(self.request, f"{organisation} has been added.")
        return redirect("plans:organisations", self.partnership.pk)


class OrganisationEditView(ScopedObjectMixin, ServiceFormView):
    template_name = "plans/organisation_form.html"
    form_class = OrganisationForm

    def scoped_queryset(self):
        return Organisation.objects.filter(
            partnership_id__in=partnership_ids_for(self.request.user)
        ).select_related("partnership")

    def get_initial(self):
        return {"name": self.object.name}

    def get_context_data(self, **kwargs):
        return super().get_context_data(organisation=self.object, **kwargs)

    def perform(self, form):
        organisation = people_services.organisation_rename(
            organisation=self.object, name=form.cleaned_data["name"], user=self.request.user
        )
        messages.success(self.request, f"The organisation is now called {organisation}.")
        return redirect("plans:organisations", self.partnership.pk)


class OrganisationMergeView(ScopedObjectMixin, ServiceFormView):
    """Choose the organisation to merge into, see what moves, then confirm."""

    template_name = "plans/organisation_merge.html"
    form_class = OrganisationMergeForm

    def scoped_queryset(self):
        return Organisation.objects.filter(
            partnership_id__in=partnership_ids_for(self.request.user)
        ).select_related("partnership")

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "source": self.object}
        if self.request.method == "GET" and "target" in self.request.GET:
            kwargs["data"] = self.request.GET
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(organisation=self.object, **kwargs)
        form = context["form"]
        target = form.cleaned_data.get("target") if form.is_bound and form.is_valid() else None
        context["preview"] = (
            people_services.organisation_merge_preview(source=self.object, target=target)
            if target
            else None
        )
        context["confirming"] = target is not None and self.request.method == "GET"
        return context

    def perform(self, form):
        target = form.cleaned_data["target"]
        done = people_services.organisation_merge(
            source=self.object, target=target, user=self.request.user
        )
        messages.success(
            self.request,
            f"{done.source.name} has been merged into {target}: {len(done.people)} "
            f"{'person' if len(done.people) == 1 else 'people'} moved.",
        )
        return redirect("plans:organisations", self.partnership.pk)


# --- The audit trail of people and access ----------------------------------------------------


class PeopleHistoryView(PartnershipAdminMixin, TemplateView):
    template_name = "plans/history_people.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        value = self.request.GET.get("page", "1")
        page = int(value) if value.isdigit() and 0 < int(value) < 10_000 else 1
        changes = audit.people_history(partnership_id=self.partnership.pk, page=page)
        context.update(changes=changes.changes, page=changes)
        return context
