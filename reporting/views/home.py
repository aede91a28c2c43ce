"""The partnership home page, where everyone lands after sign-in, and the per-organisation view."""

from django.views.generic import TemplateView

from plans import rag
from plans.access import partnership_ids_for
from plans.models import Membership
from reporting import dashboard, selectors


class HomeView(TemplateView):
    """This quarter per plan: its deadline and progress, the latest closed pack as the main
    action, RAG by priority and over the last quarters, exceptions; a lead's own to-do."""

    template_name = "reporting/home.html"

    def get_context_data(self, **kwargs):
        home = dashboard.home_for(user=self.request.user)
        partnerships = {p.plan.partnership_id: p.plan.partnership for p in home.plans}
        return super().get_context_data(
            home=home,
            only_partnership=next(iter(partnerships.values())) if len(partnerships) == 1 else None,
            rag_columns=[(s.value, s.label) for s in rag.ORDER],
            # Admins start new plans from here too (as from the plan list): the admin site's
            # "View site" comes back to this page.
            is_partnership_admin=bool(
                partnership_ids_for(self.request.user, roles=(Membership.Role.ADMIN,))
            ),
            **kwargs,
        )


class PlanOrganisationsView(TemplateView):
    """What each organisation leads in a plan this quarter: RAG counts and the items."""

    template_name = "reporting/plan_organisations.html"

    def get_context_data(self, **kwargs):
        plan = selectors.plan_get(user=self.request.user, pk=self.kwargs["pk"])
        view = dashboard.organisations_view(plan=plan)
        return super().get_context_data(
            plan=plan,
            rag_columns=[(s.value, s.label) for s in rag.ORDER],
            **view,
            **kwargs,
        )
