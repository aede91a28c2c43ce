from django.shortcuts import redirect
from django.views.generic import ListView

from plans import selectors
from plans.models import Person


def home(request):
    """Leads land on what they lead; everyone else on their partnerships' plans."""
    if Person.objects.filter(user=request.user).exists():
        return redirect("plans:my_milestones")
    return redirect("plans:plan_list")


class PlanListView(ListView):
    template_name = "plans/plan_list.html"
    context_object_name = "plans"

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user)
