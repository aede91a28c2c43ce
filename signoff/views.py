"""Sign-off pages: admins switch sign-off on and nominate; signatories and the chair sign.

Every page is scoped to the user's partnerships (another partnership's is not found, 404);
the settings and nomination pages are for partnership admins (403 for other members);
signing and withdrawing are POSTs checked by the services.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from plans.access import AdminOnlyMixin, is_partnership_admin, partnership_ids_for
from plans.models import Partnership
from plans.people_forms import apply_errors
from plans.views.people import ServiceFormView
from signoff import selectors, services
from signoff.forms import SignatoryForm, SignForm, SignoffSettingsForm, WithdrawForm


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Admins: switch on, the chair, the signatories ---------------------------------------------


class SettingsView(AdminOnlyMixin, ServiceFormView):
    """Switch sign-off on or off and name the chair; the organisations and their signatories."""

    template_name = "signoff/settings.html"
    form_class = SignoffSettingsForm
    admin_only_message = "Only partnership admins can change how quarters are signed off."

    def dispatch(self, request, *args, **kwargs):
        self.partnership = get_object_or_404(
            Partnership.objects.filter(pk__in=partnership_ids_for(request.user)),
            pk=kwargs["pk"],
        )
        self.require_admin(self.partnership.pk)
        self.settings = selectors.settings_get(partnership_id=self.partnership.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "partnership_id": self.partnership.pk}

    def get_initial(self):
        if self.settings is None:
            return {}
        return {
            "enabled": "yes" if self.settings.enabled else "no",
            "chair": self.settings.chair_id,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            partnership=self.partnership,
            settings=self.settings,
            organisations=selectors.organisations_with_signatory(
                partnership_id=self.partnership.pk
            ),
            periods=selectors.open_periods(partnership_id=self.partnership.pk),
            **kwargs,
        )

    def perform(self, form):
        settings = services.signoff_settings_set(
            partnership=self.partnership,
            user=self.request.user,
            enabled=form.cleaned_data["enabled"],
            chair=form.cleaned_data["chair"],
        )
        messages.success(
            self.request,
            "Sign-off is switched on: closing a quarter names any sign-off missing."
            if settings.enabled
            else "Sign-off is switched off: quarters are closed without it.",
        )
        return redirect("signoff:settings", self.partnership.pk)


class SignatoryView(AdminOnlyMixin, ServiceFormView):
    """Nominate the member who signs off one organisation's updates."""

    template_name = "signoff/signatory_form.html"
    form_class = SignatoryForm
    admin_only_message = "Only partnership admins can nominate signatories."

    def dispatch(self, request, *args, **kwargs):
        self.organisation = selectors.organisation_for_member(user=request.user, pk=kwargs["pk"])
        self.partnership = self.organisation.partnership
        self.require_admin(self.partnership.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "partnership_id": self.partnership.pk}

    def get_initial(self):
        current = selectors.signatory_get(organisation=self.organisation)
        return {"signatory": current.user_id} if current else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            partnership=self.partnership, organisation=self.organisation, **kwargs
        )

    def perform(self, form):
        signatory = form.cleaned_data["signatory"]
        services.signatory_set(
            organisation=self.organisation, user=self.request.user, signatory=signatory
        )
        if signatory is None:
            text = f"{self.organisation.name} has no signatory now."
        else:
            text = (
                f"{selectors.user_name(signatory)} now signs off {self.organisation.name}'s "
                "updates."
            )
        messages.success(self.request, text)
        return redirect("signoff:settings", self.partnership.pk)


# --- Members: a period's sign-off ---------------------------------------------------------------


class _PeriodMixin:
    """Loads the period (404 outside the user's partnerships) and where its sign-off stands."""

    def dispatch(self, request, *args, **kwargs):
        self.period = selectors.period_for_member(user=request.user, pk=kwargs["pk"])
        self.partnership = self.period.plan.partnership
        return super().dispatch(request, *args, **kwargs)

    def page_url(self) -> str:
        return reverse("signoff:period", kwargs={"pk": self.period.pk})

    def base_context(self) -> dict:
        state = selectors.period_signoff(period=self.period)
        user = self.request.user
        return {
            "period": self.period,
            "plan": self.period.plan,
            "partnership": self.partnership,
            "state": state,
            "is_admin": is_partnership_admin(user, self.partnership.pk),
            "is_chair": state.chair is not None and state.chair.pk == user.pk,
        }


class PeriodSignoffView(_PeriodMixin, TemplateView):
    """Where a period's sign-off stands: each organisation, its signatory, who signed, when."""

    template_name = "signoff/period.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.base_context())
        return context


class OrganisationSignoffView(_PeriodMixin, TemplateView):
    """One organisation's milestones and their updates for the period, and its sign-off."""

    template_name = "signoff/organisation.html"

    def dispatch(self, request, *args, **kwargs):
        self.organisation = selectors.organisation_for_member(
            user=request.user, pk=kwargs["organisation_pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.organisation.partnership_id != self.partnership.pk:
            raise Http404("That organisation is not part of this partnership.")
        context.update(self.base_context())
        row = context["state"].row_for(self.organisation.pk)
        context.update(
            organisation=self.organisation,
            row=row,
            version=row.version if row else 0,
            is_signatory=bool(
                row and row.signatory is not None and row.signatory.pk == self.request.user.pk
            ),
            milestones=list(
                selectors.organisation_milestones(
                    period=self.period, organisation=self.organisation
                )
            ),
        )
        return context


class SignView(_PeriodMixin, View):
    """Sign off for an organisation (``organisation_pk``) or, without one, as the chair."""

    def post(self, request, *args, **kwargs):
        organisation = None
        if "organisation_pk" in kwargs:
            organisation = selectors.organisation_for_member(
                user=request.user, pk=kwargs["organisation_pk"]
            )
        form = SignForm(request.POST)
        version = form.cleaned_data["version"] if form.is_valid() else -1
        try:
            services.signoff_sign(
                period=self.period, organisation=organisation, user=request.user, version=version
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            whose = organisation.name if organisation else "the whole partnership"
            messages.success(request, f"You have signed off {self.period.label} for {whose}.")
        return redirect(self.page_url())


class WithdrawView(_PeriodMixin, FormView):
    """Withdraw a sign-off while the period is open, with a reason."""

    template_name = "signoff/withdraw.html"
    form_class = WithdrawForm

    def dispatch(self, request, *args, **kwargs):
        self.organisation = None
        if "organisation_pk" in kwargs:
            self.organisation = selectors.organisation_for_member(
                user=request.user, pk=kwargs["organisation_pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.check_may_withdraw()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.check_may_withdraw()
        return super().post(request, *args, **kwargs)

    def check_may_withdraw(self) -> None:
        # After the period is known (another partnership's: 404), before any form is shown.
        if not services.may_withdraw(
            user=self.request.user, period=self.period, organisation=self.organisation
        ):
            if self.organisation and self.organisation.partnership_id != self.partnership.pk:
                raise Http404("That organisation is not part of this partnership.")
            raise PermissionDenied(services.WITHDRAW_REFUSED)

    def get_initial(self):
        state = selectors.period_signoff(period=self.period)
        if self.organisation is None:
            return {"version": state.chair_version}
        row = state.row_for(self.organisation.pk)
        return {"version": row.version if row else 0}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.base_context(), organisation=self.organisation)
        return context

    def form_valid(self, form):
        try:
            services.signoff_withdraw(
                period=self.period,
                organisation=self.organisation,
                user=self.request.user,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied:
            raise
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                apply_errors(form, error)
                return self.form_invalid(form)
            messages.error(self.request, _error_text(error))
            return redirect(self.page_url())
        messages.success(self.request, "The sign-off has been withdrawn. The history keeps it.")
        return redirect(self.page_url())


class MySignoffsView(TemplateView):
    """What the signed-in member signs off: their organisations, the chair's, open quarters."""

    template_name = "signoff/mine.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            nominations=selectors.nominations_for(user=self.request.user), **kwargs
        )
