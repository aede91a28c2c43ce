"""Admins' actions on reporting periods: set up, close, reopen, move the deadline.

Every action is a POST checked on the server (403 for anyone but a partnership admin);
the GET pages are the GOV.UK confirmation and reason forms.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from plans.access import is_partnership_admin
from reporting import selectors, services
from reporting.forms import BoardMeetingForm, PeriodDeadlineForm, PeriodReopenForm
from signoff.selectors import missing_signoffs


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


class AdminPeriodMixin:
    """Loads the period (404 outside the user's partnerships) and refuses non-admins (403)."""

    def dispatch(self, request, *args, **kwargs):
        self.period = selectors.period_get(user=request.user, pk=kwargs["pk"])
        if not is_partnership_admin(request.user, self.period.plan.partnership_id):
            raise PermissionDenied("Only a partnership admin can do this.")
        return super().dispatch(request, *args, **kwargs)

    def board_pack_url(self) -> str:
        return reverse("reporting:board_pack", kwargs={"pk": self.period.plan_id})

    def get_context_data(self, **kwargs):
        return super().get_context_data(period=self.period, plan=self.period.plan, **kwargs)


class PeriodCloseView(AdminPeriodMixin, TemplateView):
    """Confirm the close; where the partnership signs off its quarters, name the sign-offs
    missing and close only once the admin has ticked that they want to close anyway."""

    template_name = "reporting/period_close.html"

    def get_context_data(self, **kwargs):
        missing = [] if self.period.is_closed else missing_signoffs(self.period)
        return super().get_context_data(missing_signoffs=missing, **kwargs)

    def post(self, request, *args, **kwargs):
        if (
            not self.period.is_closed
            and request.POST.get("close_without_signoff") != "yes"
            and missing_signoffs(self.period)
        ):
            return self.render_to_response(
                self.get_context_data(confirm_error="Confirm you want to close it without them")
            )
        try:
            services.period_close(
                period=self.period, user=request.user, base_url=request.build_absolute_uri("/")
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request, f"{self.period.label} is closed. Its board pack is now fixed."
            )
        return redirect(self.board_pack_url())


class PeriodReopenView(AdminPeriodMixin, FormView):
    template_name = "reporting/period_reopen.html"
    form_class = PeriodReopenForm

    def form_valid(self, form):
        try:
            services.period_reopen(
                period=self.period, user=self.request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                return self.form_invalid(form)
            messages.error(self.request, _error_text(error))
        else:
            messages.success(
                self.request,
                f"{self.period.label} is open again. Its earlier snapshot is kept; "
                "closing it again takes a new one.",
            )
        return redirect(self.board_pack_url())


class PeriodDeadlineView(AdminPeriodMixin, FormView):
    template_name = "reporting/period_deadline.html"
    form_class = PeriodDeadlineForm

    def get_initial(self):
        return {"deadline": self.period.update_deadline}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "period": self.period}

    def form_valid(self, form):
        try:
            services.period_deadline_update(
                period=self.period,
                user=self.request.user,
                update_deadline=form.cleaned_data["deadline"],
            )
        except ValidationError as error:
            form.add_error("deadline", _error_text(error))
            return self.form_invalid(form)
        messages.success(self.request, f"The update deadline for {self.period.label} is changed.")
        return redirect(self.board_pack_url())


class BoardMeetingView(AdminPeriodMixin, FormView):
    """Name the board and the meeting date the period's pack goes to (its cover says so)."""

    template_name = "reporting/period_meeting.html"
    form_class = BoardMeetingForm

    def get_initial(self):
        meeting = selectors.board_meeting_get(period=self.period)
        if meeting is None:
            return {}
        return {"board_name": meeting.board_name, "meeting_date": meeting.meeting_date}

    def form_valid(self, form):
        services.board_meeting_set(
            period=self.period,
            user=self.request.user,
            board_name=form.cleaned_data["board_name"],
            meeting_date=form.cleaned_data["meeting_date"],
        )
        messages.success(
            self.request, f"The board meeting for {self.period.label}'s pack is saved."
        )
        return redirect(self.board_pack_url())


class PeriodsGenerateView(View):
    """Create the plan's missing quarters (admins only, POST)."""

    def post(self, request, pk: int):
        plan = selectors.plan_get(user=request.user, pk=pk)
        if not is_partnership_admin(request.user, plan.partnership_id):
            raise PermissionDenied("Only a partnership admin can do this.")
        periods = services.periods_generate(plan=plan)
        messages.success(request, f"The plan has {len(periods)} reporting periods.")
        return redirect("reporting:board_pack", pk=plan.pk)
