"""Plan pages. Split by job: pages (reading the plan), updates (leads' updates), imports."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from plans import rag, selectors, structure
from plans.access import is_partnership_admin, may_update_milestone, partnership_ids_for
from plans.filters import MilestoneFilter
from plans.models import Membership
from plans.paging import IdsFirstPaginator


@login_not_required
@cache_control(max_age=3600, public=True)
def rag_css(request):
    """The RAG tags' fills and text colours, from plans/rag.py (as the PDF pack takes them),
    so pages, packs and charts share one set of colours. Fixed text: nothing a user typed."""
    rules = [
        f".govuk-tag.app-rag.{s.tag} {{ background-color: {s.colour}; color: {s.ink}; }}"
        for s in rag.STATUSES.values()
    ]
    return HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the static icon."""
    return redirect(static("favicon.ico"))


class PlanListView(ListView):
    template_name = "plans/plan_list.html"
    context_object_name = "plans"

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        # Admins start new plans from here: import links and (for staff) the admin's add form.
        admin_of = partnership_ids_for(self.request.user, roles=(Membership.Role.ADMIN,))
        return super().get_context_data(is_partnership_admin=bool(admin_of), **kwargs)


class PlanDetailView(DetailView):
    """The plan's RAG roll-ups and its hierarchy, priority → outcome → action → milestone.

    A plan of up to ``PLAN_PAGE_FULL_MAX_MILESTONES`` milestones shows its whole hierarchy, or
    with ``?priority=<id>`` one priority's. A larger plan shows the roll-ups and, with
    ``?priority=<id>``, that priority's outcomes and actions with each action's counts, 50
    actions a page, each linking to its milestones: the page's size never follows the plan's.
    """

    template_name = "plans/plan_detail.html"
    context_object_name = "plan"
    actions_per_page = 50

    def get_queryset(self):
        return selectors.plan_detail(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        selectors.plan_roll_up(plan=plan)
        priorities = list(plan.priorities.all())
        for priority in priorities:
            priority.rag_counts = selectors.rag_counts_of(priority)
        full_max = settings.PLAN_PAGE_FULL_MAX_MILESTONES
        one_at_a_time = plan.milestone_total > full_max
        chosen = self.chosen_priority(priorities)
        shown, actions_page = [], None
        if chosen and one_at_a_time:
            actions = selectors.priority_actions(priority=chosen)
            actions_page = IdsFirstPaginator(
                actions, self.actions_per_page, rows=selectors.action_roll_ups(actions)
            ).get_page(self.request.GET.get("page"))
            for action in actions_page:
                action.rag_counts = selectors.rag_counts_of(action)
            context.update(
                page_obj=actions_page,
                page_range=actions_page.paginator.get_elided_page_range(
                    actions_page.number, on_each_side=2, on_ends=1
                ),
            )
        elif chosen:
            shown = [chosen]
        elif not one_at_a_time:
            shown = priorities
        selectors.plan_hierarchy(priorities=shown)
        context.update(
            priorities=priorities,
            shown_priorities=shown,
            chosen_priority=chosen,
            actions_page=actions_page,
            one_priority_at_a_time=one_at_a_time,
            plan_rag_counts=selectors.rag_counts_of(plan),
            rag_columns=[(s.value, s.label) for s in selectors.RAG_ORDER],
            is_partnership_admin=is_partnership_admin(self.request.user, plan.partnership_id),
        )
        return context

    def chosen_priority(self, priorities):
        """The priority named by ``?priority=<id>``, or None; 404 when it is not this plan's."""
        wanted = self.request.GET.get("priority")
        if not wanted:
            return None
        chosen = next((p for p in priorities if str(p.pk) == wanted), None)
        if chosen is None:
            raise Http404("No such priority in this plan.")
        return chosen


class MilestoneListView(FilterView):
    """Every milestone the user may read: filtered, sorted and paged by the query string."""

    template_name = "plans/milestone_list.html"
    filterset_class = MilestoneFilter
    context_object_name = "milestones"
    paginate_by = 50
    paginator_class = IdsFirstPaginator

    def get_queryset(self):
        self.sort = selectors.milestone_sort_param(self.request.GET.get("sort"))
        self.partnership_ids = partnership_ids_for(self.request.user)
        return selectors.milestone_list(
            user=self.request.user,
            sort=self.sort,
            partnership_ids=self.partnership_ids,
            withdrawn=self.request.GET.get("withdrawn") == "only",
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["partnership_ids"] = self.partnership_ids
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filterset.form
        context.update(
            form=form if self.filterset.is_bound else None,
            filter_form=form,
            sort=self.sort,
            sort_columns=selectors.MILESTONE_SORTS,
            today=self.filterset.today,
            partnership_count=len(self.filterset.partnership_ids),
            # Filtered to one plan, rows need not name it again and again.
            one_plan=getattr(form, "cleaned_data", {}).get("plan"),
            page_range=context["paginator"].get_elided_page_range(
                context["page_obj"].number, on_each_side=2, on_ends=1
            ),
            download_query=self._download_query(),
            filters_applied=any(
                value not in (None, "", []) for value in getattr(form, "cleaned_data", {}).values()
            ),
        )
        return context

    def _download_query(self) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        return query.urlencode()


class StructureContextMixin:
    """Admins' links to change the item, and why a live-looking item is out of the plan."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.object
        plan = structure.plan_of(item)
        admin = is_partnership_admin(self.request.user, plan.partnership_id)
        context.update(
            is_partnership_admin=admin,
            item_kind=structure.kind_of(item),
            withdrawn_parent=structure.withdrawn_ancestor(item),
            may_delete=admin and not structure.delete_blockers(item),
        )
        return context


class OutcomeDetailView(StructureContextMixin, DetailView):
    template_name = "plans/outcome_detail.html"
    context_object_name = "outcome"

    def get_queryset(self):
        return selectors.outcome_detail(user=self.request.user)


class ActionDetailView(StructureContextMixin, DetailView):
    template_name = "plans/action_detail.html"
    context_object_name = "action"

    def get_queryset(self):
        return selectors.action_detail(user=self.request.user)


class MilestoneDetailView(StructureContextMixin, DetailView):
    """One milestone, where it sits in the plan, and every update it has had (newest first)."""

    template_name = "plans/milestone_detail.html"
    context_object_name = "milestone"

    def get_queryset(self):
        return selectors.milestone_detail(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            history=selectors.milestone_history(milestone=self.object),
            # A withdrawn milestone (or one under a withdrawn item) takes no more updates.
            may_update=context["withdrawn_parent"] is None
            and not self.object.is_withdrawn
            and not self.object.action.outcome.priority.plan.is_archived
            and may_update_milestone(user=self.request.user, milestone=self.object),
        )
        return context
