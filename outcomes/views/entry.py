"""Entering results: one period's actual by form, or many values from a CSV."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView

from outcomes import selectors, services
from outcomes.csv_values import check_values_csv, decode
from outcomes.formatting import format_value
from outcomes.forms import ActualForm, ValuesUploadForm
from outcomes.permissions import enterable_indicator_ids, may_enter_values


class ActualEnterView(FormView):
    """An owner or partnership admin enters the actual result of a period (others: 403)."""

    form_class = ActualForm
    template_name = "outcomes/actual_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.indicator = selectors.indicator_for_user(user=request.user, pk=kwargs["pk"])
        if not may_enter_values(user=request.user, indicator=self.indicator):
            raise PermissionDenied("Only the indicator's owner or a partnership admin can do this.")
        if self.indicator.plan.archived_at is not None:
            raise PermissionDenied("This indicator's plan is archived, so it is read-only.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "indicator": self.indicator}

    def get_initial(self):
        period = self.request.GET.get("period", "")
        return {"period": period} if period else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(indicator=self.indicator, **kwargs)

    def form_valid(self, form):
        value = services.indicator_actual_enter(
            indicator=self.indicator,
            period=form.cleaned_data["period"],
            value=form.cleaned_data["number"],
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            user=self.request.user,
        )
        shown = format_value(
            value.value,
            unit=self.indicator.unit,
            decimal_places=self.indicator.decimal_places,
            status=value.status,
        )
        messages.success(
            self.request, f"{self.indicator.code}: {value.period.label} actual saved as {shown}."
        )
        return redirect(self.indicator.get_absolute_url())


class ValuesUploadView(FormView):
    """Upload a CSV of values; every error is listed by line and nothing is saved until
    the whole file is right and the user confirms the preview."""

    form_class = ValuesUploadForm
    template_name = "outcomes/values_upload.html"

    def dispatch(self, request, *args, **kwargs):
        self.plan = selectors.plan_for_user(user=request.user, pk=kwargs["plan_pk"])
        self.allowed_ids = enterable_indicator_ids(user=request.user, plan=self.plan)
        if self.allowed_ids is not None and not self.allowed_ids:
            raise PermissionDenied("Only indicator owners and partnership admins can do this.")
        if self.plan.archived_at is not None:
            raise PermissionDenied("This plan is archived, so it is read-only.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=self.plan, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data.get("file")
        text = decode(upload.read()) if upload else form.cleaned_data["csv_text"]
        rows, errors = check_values_csv(text=text, plan=self.plan, allowed_ids=self.allowed_ids)
        if errors:
            return self.render_to_response(
                self.get_context_data(form=ValuesUploadForm(), csv_errors=errors)
            )
        if not (form.cleaned_data.get("confirm") and not upload):
            confirm_form = ValuesUploadForm(initial={"csv_text": text, "confirm": True})
            return self.render_to_response(self.get_context_data(form=confirm_form, preview=rows))
        saved = services.indicator_values_upload(
            rows=rows, user=self.request.user, plan_id=self.plan.pk
        )
        messages.success(self.request, f"{saved} values saved from the CSV file.")
        return redirect(reverse("outcomes:scorecard", kwargs={"plan_pk": self.plan.pk}))
