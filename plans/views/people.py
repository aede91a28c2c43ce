"""Partnership admins' list of people, and removing a person who has left (personal data)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from plans import selectors, services
from plans.access import is_partnership_admin, partnership_ids_for
from plans.models import Membership, Person


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
