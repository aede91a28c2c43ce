"""Leads' updates: My milestones, the update form, delegates, the audit trail and chasing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView

from plans import audit, reminders, services
from plans.access import (
    AdminOnlyMixin,
    is_partnership_admin,
    may_update_milestone,
    partnership_ids_for,
)
from plans.audit_forms import AuditFilterForm
from plans.forms import DelegationForm, MilestoneFilterForm, MilestoneUpdateForm
from plans.models import (
    RAG,
    Action,
    Delegation,
    Membership,
    Milestone,
    MilestoneUpdate,
    Outcome,
    Person,
    Plan,
)

_MILESTONE_PARTNERSHIP = "action__outcome__priority__plan__partnership_id__in"

# The milestone just saved, marked on the next My milestones page the lead sees.
SAVED_MILESTONE_KEY = "plans_saved_milestone"


class MyMilestonesView(TemplateView):
    """A lead's home page: what they lead or stand in for, grouped by what needs doing.

    Paged 50 at a time through the groups in order (overdue first); each group's count covers
    every page, so the lead sees how much needs an update this quarter from page 1.
    """

    template_name = "plans/my_milestones.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filter_form = MilestoneFilterForm(self.request.GET or None)
        status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
        work = reminders.my_milestones(
            user=self.request.user, status=status, page=self.request.GET.get("page", 1)
        )
        context.update(
            work=work,
            saved_pk=self.request.session.pop(SAVED_MILESTONE_KEY, None),
            groups=work.as_list(),
            page_obj=work.page,
            page_range=work.page.paginator.get_elided_page_range(
                work.page.number, on_each_side=2, on_ends=1
            ),
            filter_form=filter_form,
            status=status,
            status_label=RAG(status).label if status else "",
            rag_choices=RAG.choices,
            is_lead=Person.objects.filter(user=self.request.user).exists(),
            admin_plans=Plan.objects.filter(
                partnership_id__in=partnership_ids_for(
                    self.request.user, roles=(Membership.Role.ADMIN,)
                )
            ).select_related("partnership"),
        )
        return context


def scoped_milestone(*, user, pk: int) -> Milestone:
    """The milestone with its plan and lead, or 404 when it is not in the user's partnerships."""
    return get_object_or_404(
        Milestone.objects.filter(**{_MILESTONE_PARTNERSHIP: partnership_ids_for(user)})
        .select_related(
            "lead", "lead__organisation", "action__outcome__priority__plan__partnership"
        )
        .prefetch_related("action__leads"),
        pk=pk,
    )


class MilestoneUpdateView(FormView):
    """The update form: RAG, commentary, dates; refuses anyone who may not update (403)."""

    template_name = "plans/milestone_update.html"
    form_class = MilestoneUpdateForm

    def dispatch(self, request, *args, **kwargs):
        self.milestone = scoped_milestone(user=request.user, pk=kwargs["pk"])
        if not Milestone.objects.live().filter(pk=self.milestone.pk).exists():
            raise PermissionDenied(
                "This milestone has been withdrawn from the plan, so it takes no more updates. "
                "A partnership admin can reinstate it from its page."
            )
        if not may_update_milestone(user=request.user, milestone=self.milestone):
            raise PermissionDenied(
                "Only the milestone's lead, the action's leads, their delegates and "
                "partnership admins can update this milestone."
            )
        if self.milestone.action.outcome.priority.plan.archived_at is not None:
            raise PermissionDenied(
                "This milestone's plan is archived, so it is read-only: nobody can update it."
            )
        self.conflict_updates = None
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["milestone"] = self.milestone
        return kwargs

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        posted_version = request.POST.get("version", "")
        if posted_version != str(self.milestone.version):
            return self.conflict(form, loaded_version=posted_version)
        if not form.is_valid():
            return self.form_invalid(form)
        data = form.cleaned_data
        try:
            services.milestone_update(
                milestone=self.milestone,
                user=request.user,
                expected_version=data["version"],
                status=data["status"],
                commentary=data["commentary"],
                due_date=data["due_date"],
                due_date_reason=data["due_date_reason"],
                completed_on=data["completed_on"],
                status_reason=data["status_reason"],
                source=MilestoneUpdate.Source.WEB,
                no_change=data["no_change"],
                base_url=request.build_absolute_uri("/"),
            )
        except services.MilestoneConflict:
            self.milestone = scoped_milestone(user=request.user, pk=self.milestone.pk)
            return self.conflict(self.get_form(), loaded_version=posted_version)
        except ValidationError as error:
            form.add_service_errors(error.message_dict)
            return self.form_invalid(form)
        number = f"{self.milestone.number} " if self.milestone.number else ""
        messages.success(
            request, f"Your update to milestone {number}‘{self.milestone.text}’ has been saved."
        )
        # Back to the top of the page, where the success banner takes focus; the saved row
        # is marked rather than scrolled to, so the confirmation is never out of view.
        request.session[SAVED_MILESTONE_KEY] = self.milestone.pk
        return redirect(self.my_milestones_url())

    def my_milestones_url(self) -> str:
        """The page of My milestones the lead came from (``?next=``), else its first page."""
        mine = reverse("plans:my_milestones")
        wanted = self.request.GET.get("next", "")
        if wanted.startswith(f"{mine}?") and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={self.request.get_host()}
        ):
            return wanted
        return mine

    def conflict(self, form, *, loaded_version: str):
        """Show what someone else saved meanwhile, keep this lead's input, let them re-apply."""
        data = form.data.copy()
        data["version"] = str(self.milestone.version)
        form = self.form_class(data=data, milestone=self.milestone)
        try:
            since = int(loaded_version)
        except ValueError:
            since = 0
        update_ids = (
            Milestone.history.filter(id=self.milestone.pk, version__gt=since)
            .exclude(latest_update__isnull=True)
            .values("latest_update_id")
        )
        self.conflict_updates = list(
            MilestoneUpdate.objects.filter(pk__in=update_ids).select_related("author")
        )
        if not self.conflict_updates and self.milestone.latest_update_id:
            self.conflict_updates = [self.milestone.latest_update]
        return self.render_to_response(self.get_context_data(form=form, conflict=True))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        milestone = self.milestone
        context.update(
            milestone=milestone,
            plan=milestone.action.outcome.priority.plan,
            suggestion=context["form"].suggestion(),
            updates=list(milestone.updates.select_related("author")[:20]),
            conflict_updates=self.conflict_updates,
            my_milestones_url=self.my_milestones_url(),
            is_admin=is_partnership_admin(
                self.request.user, milestone.action.outcome.priority.plan.partnership_id
            ),
        )
        return context


class DelegatesView(FormView):
    """A lead names the people who may update their milestones for them."""

    template_name = "plans/delegates.html"
    form_class = DelegationForm

    def dispatch(self, request, *args, **kwargs):
        self.leads = list(
            Person.objects.filter(
                user=request.user,
                removed_at__isnull=True,
                partnership_id__in=partnership_ids_for(
                    request.user, roles=(Membership.Role.LEAD, Membership.Role.ADMIN)
                ),
            ).select_related("partnership")
        )
        if not self.leads:
            raise PermissionDenied("Only leads can name delegates.")
        return super().dispatch(request, *args, **kwargs)

    def candidates(self):
        return (
            Person.objects.filter(
                partnership_id__in=[lead.partnership_id for lead in self.leads],
                removed_at__isnull=True,
            )
            .exclude(pk__in=[lead.pk for lead in self.leads])
            .select_related("organisation")
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["candidates"] = self.candidates()
        return kwargs

    def form_valid(self, form):
        delegate = form.cleaned_data["delegate"]
        lead = next(p for p in self.leads if p.partnership_id == delegate.partnership_id)
        try:
            services.delegation_create(lead=lead, delegate=delegate)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field, errors)
            return self.form_invalid(form)
        messages.success(self.request, f"{delegate} can now update your milestones.")
        return redirect("plans:delegates")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["delegations"] = Delegation.objects.filter(lead__in=self.leads).select_related(
            "delegate", "delegate__organisation"
        )
        return context


class DelegationDeleteView(DelegatesView):
    def post(self, request, *args, **kwargs):
        delegation = get_object_or_404(Delegation, pk=kwargs["pk"], lead__in=self.leads)
        services.delegation_delete(delegation=delegation)
        messages.success(request, f"{delegation.delegate} can no longer update your milestones.")
        return redirect("plans:delegates")

    def get(self, request, *args, **kwargs):
        return redirect("plans:delegates")


def _page(request) -> int:
    value = request.GET.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 10_000 else 1


class HistoryContextMixin:
    def history_context(self, page: audit.ChangePage):
        return {"changes": page.changes, "page": page}


class ItemHistoryView(AdminOnlyMixin, HistoryContextMixin, TemplateView):
    """Who changed one milestone, action or outcome, when, before → after."""

    template_name = "plans/history_item.html"
    models = {
        "milestone": (Milestone, "action__outcome__priority__plan"),
        "action": (Action, "outcome__priority__plan"),
        "outcome": (Outcome, "priority__plan"),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if kwargs["kind"] not in self.models:
            raise Http404
        model, plan_path = self.models[kwargs["kind"]]
        item = get_object_or_404(
            model.objects.filter(
                **{f"{plan_path}__partnership_id__in": partnership_ids_for(self.request.user)}
            ).select_related(f"{plan_path}__partnership"),
            pk=kwargs["pk"],
        )
        plan = item
        for step in plan_path.split("__"):
            plan = getattr(plan, step)
        self.require_admin(plan.partnership_id)
        context.update(
            item=item,
            kind=kwargs["kind"],
            plan=plan,
            **self.history_context(audit.item_history(item=item, page=_page(self.request))),
        )
        return context


class PlanHistoryView(AdminOnlyMixin, HistoryContextMixin, TemplateView):
    """Every change to a plan and what is in it, newest first."""

    template_name = "plans/history_plan.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = get_object_or_404(
            Plan.objects.filter(
                partnership_id__in=partnership_ids_for(self.request.user)
            ).select_related("partnership"),
            pk=kwargs["pk"],
        )
        self.require_admin(plan.partnership_id)
        people = [
            (m.user_id, m.user.get_full_name() or m.user.get_username())
            for m in Membership.objects.filter(partnership_id=plan.partnership_id)
            .select_related("user")
            .order_by("user__first_name", "user__last_name", "user__username")
        ]
        form = AuditFilterForm(self.request.GET or None, people=people)
        filters = form.filters()
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            plan=plan,
            form=form if form.is_bound else None,
            filter_form=form,
            filters=filters,
            query=query.urlencode(),
            **self.history_context(
                audit.plan_history(plan=plan, page=_page(self.request), filters=filters)
            ),
        )
        return context


class UpdateComplianceView(AdminOnlyMixin, TemplateView):
    """Who has not updated this quarter: counts by organisation and by lead, for one plan."""

    template_name = "plans/update_compliance.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = get_object_or_404(
            Plan.objects.filter(
                partnership_id__in=partnership_ids_for(self.request.user)
            ).select_related("partnership", "archived_by"),
            pk=kwargs["pk"],
        )
        self.require_admin(plan.partnership_id)
        compliance = reminders.update_compliance(plan=plan)
        record = reminders.chase_record(plan=plan, collecting=compliance["collecting"])
        for row in compliance["by_lead"]:
            row["reminded"] = record.reminded.get(row["lead_id"])
        context.update(plan=plan, last_round=record.last_round, **compliance)
        return context
