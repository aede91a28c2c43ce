"""Pages of the review: the period's updates for admins, one update's thread (accept or query),
the lead's answer, and the partnership's review settings. Thin: services do the writing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from plans.access import (
    AdminOnlyMixin,
    is_partnership_admin,
    may_update_milestone,
    partnership_ids_for,
)
from plans.models import Partnership, Plan
from review import selectors, services
from review.forms import AcceptForm, AnswerForm, QueryForm, ReviewFilter, ReviewSettingsForm
from review.models import Review, ReviewSettings

CONFLICT = (
    "Someone else reviewed this update while you were reading it. Their decision is shown "
    "below; check it before you decide again. Your question has been kept."
)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


class ReviewListView(AdminOnlyMixin, TemplateView):
    """This period's updates of one plan, to accept or query; filters by priority,
    organisation and RAG. Admins only; another partnership's plan is not found."""

    template_name = "review/review_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = get_object_or_404(
            Plan.objects.filter(
                partnership_id__in=partnership_ids_for(self.request.user)
            ).select_related("partnership"),
            pk=kwargs["pk"],
        )
        self.require_admin(plan.partnership_id)
        period = selectors.review_period(plan=plan)
        updates = selectors.review_updates(plan=plan, period=period)
        filters = ReviewFilter(self.request.GET or None, queryset=updates, plan=plan)
        page = Paginator(filters.qs, self.paginate_by).get_page(self.request.GET.get("page"))
        rows = [
            {
                "update": update,
                "group": selectors.GROUP_LABELS[update.group],
                "review": getattr(update, "review", None),
                "thread": list(update.review.messages.all()) if hasattr(update, "review") else [],
            }
            for update in page.object_list
        ]
        context.update(
            plan=plan,
            period=period,
            filter_form=filters.form,
            filters_applied=any(self.request.GET.get(name) for name in filters.filters),
            rows=rows,
            page_obj=page,
            paginator=page.paginator,
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        )
        return context


class _UpdateMixin:
    """The update in the address, or 404 when it is not in the user's partnerships."""

    def load_update(self):
        update = selectors.scoped_update(
            update_id=self.kwargs["pk"], partnership_ids=partnership_ids_for(self.request.user)
        )
        if update is None:
            raise Http404
        self.update = update
        self.milestone = update.milestone
        self.plan = update.milestone.action.outcome.priority.plan
        self.is_admin = is_partnership_admin(self.request.user, self.plan.partnership_id)
        self.review, self.thread = selectors.thread(update=update)

    def update_context(self, **extra):
        return {
            "update": self.update,
            "milestone": self.milestone,
            "plan": self.plan,
            "review": self.review,
            "thread": self.thread,
            "is_admin": self.is_admin,
            "version": self.review.version if self.review else 0,
            **extra,
        }


class ThreadView(_UpdateMixin, TemplateView):
    """One update and its thread; an admin accepts it or queries it here (a POST each)."""

    template_name = "review/thread.html"

    def dispatch(self, request, *args, **kwargs):
        self.load_update()
        if not (self.is_admin or may_update_milestone(user=request.user, milestone=self.milestone)):
            raise PermissionDenied(
                "Only partnership admins, and the milestone's lead and their delegates, can see "
                "the review of this update."
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.review.version if self.review else 0
        context.update(
            self.update_context(
                query_form=kwargs.get("query_form") or QueryForm(initial={"version": version}),
                conflict=kwargs.get("conflict", False),
            )
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.is_admin:
            raise PermissionDenied("Only partnership admins can accept or query an update.")
        action = request.POST.get("action")
        form = (QueryForm if action == "query" else AcceptForm)(request.POST)
        if not form.is_valid():
            if action != "query":  # only a hand-made POST lacks the version
                messages.error(request, "Reload the page and choose again.")
                return redirect(request.path)
            return self.render_to_response(self.get_context_data(query_form=form))
        try:
            if action == "query":
                services.review_query(
                    update=self.update,
                    user=request.user,
                    expected_version=form.cleaned_data["version"],
                    question=form.cleaned_data["question"],
                    base_url=_base_url(request),
                )
                messages.success(request, "Your query has been sent to the lead.")
            else:
                services.review_accept(
                    update=self.update,
                    user=request.user,
                    expected_version=form.cleaned_data["version"],
                )
                messages.success(request, f"You accepted the update to {self._name()}.")
        except services.ReviewConflict:
            self.review, self.thread = selectors.thread(update=self.update)
            data = request.POST.copy()
            data["version"] = str(self.review.version if self.review else 0)
            kept = QueryForm(data) if action == "query" else None
            if kept is not None:
                kept.is_valid()
            return self.render_to_response(self.get_context_data(query_form=kept, conflict=True))
        except ValidationError as error:
            if isinstance(form, QueryForm) and hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                return self.render_to_response(self.get_context_data(query_form=form))
            messages.error(request, " ".join(error.messages))
            return redirect(request.path)
        if request.POST.get("from") == "list":
            return redirect(reverse("review:review_list", args=[self.plan.pk]))
        return redirect(request.path)

    def _name(self) -> str:
        number = f"{self.milestone.number} " if self.milestone.number else ""
        return f"milestone {number}‘{self.milestone.text}’"


class AnswerView(_UpdateMixin, FormView):
    """The lead answers a query about their update (or saves a revised update instead)."""

    template_name = "review/answer.html"
    form_class = AnswerForm

    def dispatch(self, request, *args, **kwargs):
        self.load_update()
        if not may_update_milestone(user=request.user, milestone=self.milestone):
            raise PermissionDenied(
                "Only the milestone's lead, their delegates and partnership admins can answer "
                "a query about its update."
            )
        self.conflict = False
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"version": self.review.version if self.review else 0}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            self.update_context(
                waiting=self.review is not None and self.review.state == Review.State.QUERIED,
                revised=self.milestone.latest_update_id != self.update.pk,
                conflict=self.conflict,
            )
        )
        return context

    def form_valid(self, form):
        try:
            services.review_answer(
                update=self.update,
                user=self.request.user,
                expected_version=form.cleaned_data["version"],
                answer=form.cleaned_data["answer"],
                base_url=_base_url(self.request),
            )
        except services.ReviewConflict:
            self.review, self.thread = selectors.thread(update=self.update)
            self.conflict = True
            data = self.request.POST.copy()
            data["version"] = str(self.review.version if self.review else 0)
            return self.form_invalid(AnswerForm(data))
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, "Your answer has been sent to the partnership's admins.")
        return redirect(reverse("plans:my_milestones"))


class ReviewSettingsView(AdminOnlyMixin, FormView):
    """A partnership's review settings: whether board packs flag unreviewed updates."""

    template_name = "review/settings.html"
    form_class = ReviewSettingsForm

    def dispatch(self, request, *args, **kwargs):
        self.partnership = get_object_or_404(
            Partnership.objects.filter(pk__in=partnership_ids_for(request.user)), pk=kwargs["pk"]
        )
        self.require_admin(self.partnership.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        settings = ReviewSettings.objects.filter(partnership=self.partnership).first()
        return {"pack_flags": bool(settings and settings.pack_flags)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            partnership=self.partnership,
            plans=Plan.objects.filter(partnership=self.partnership, archived_at__isnull=True),
        )
        return context

    def form_valid(self, form):
        services.review_settings_save(
            partnership_id=self.partnership.pk,
            user=self.request.user,
            pack_flags=form.cleaned_data["pack_flags"],
        )
        messages.success(self.request, "Your review settings have been saved.")
        return redirect(self.request.path)
