"""A plan's life, for partnership admins: create, edit, archive, unarchive, roll forward;
and chasing from the chase page. Thin views: the rules are in ``plans.lifecycle`` and
``plans.chasing``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView

from plans import chasing, lifecycle
from plans.access import AdminOnlyMixin, partnership_ids_for
from plans.lifecycle_forms import ArchiveForm, PlanForm, ReminderRoundForm, UnarchiveForm
from plans.models import Membership, Partnership, Plan
from plans.selectors import period_collecting, plan_owner_choices
from plans.views.accounts import _base_url


def _errors_to_form(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: by field where it names one, else on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)


class PlanAdminMixin(AdminOnlyMixin):
    """A page about one plan, for its partnership's admins (another partnership's: 404)."""

    refuse_archived = False

    def dispatch(self, request, *args, **kwargs):
        self.plan = get_object_or_404(
            Plan.objects.filter(
                partnership_id__in=partnership_ids_for(request.user)
            ).select_related("partnership", "archived_by"),
            pk=kwargs["pk"],
        )
        self.require_admin(self.plan.partnership_id)
        if self.refuse_archived and self.plan.is_archived:
            raise PermissionDenied(lifecycle.ARCHIVED_SENTENCE)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=self.plan, **kwargs)


class PlanCreateView(AdminOnlyMixin, FormView):
    """Start a new, empty plan; then import a spreadsheet into it or add its structure."""

    template_name = "plans/plan_form.html"
    form_class = PlanForm
    admin_of_any_partnership = True
    admin_only_message = "Only partnership admins can create plans."

    def partnerships(self):
        admin_of = partnership_ids_for(self.request.user, roles=(Membership.Role.ADMIN,))
        return list(Partnership.objects.filter(pk__in=admin_of).order_by("name"))

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "partnerships": self.partnerships()}

    def form_valid(self, form):
        data = form.cleaned_data
        partnerships = {p.pk: p for p in self.partnerships()}
        partnership = partnerships.get(data["partnership"]) if "partnership" in data else None
        partnership = partnership or form.only_partnership
        try:
            plan = lifecycle.plan_create(
                partnership=partnership,
                user=self.request.user,
                title=data["title"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                description=data.get("description", ""),
            )
        except ValidationError as error:
            _errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"‘{plan.title}’ has been created. Import a spreadsheet into it, or add its "
            "priorities, outcomes, actions and milestones.",
        )
        return redirect(plan.get_absolute_url())

    def get_context_data(self, **kwargs):
        return super().get_context_data(creating=True, **kwargs)


class PlanEditView(PlanAdminMixin, FormView):
    template_name = "plans/plan_form.html"
    form_class = PlanForm
    refuse_archived = True

    def get_initial(self):
        plan = self.plan
        return {
            "title": plan.title,
            "start_date": plan.start_date,
            "end_date": plan.end_date,
            "description": plan.description,
            "owner": plan.owner_id,
        }

    def get_form_kwargs(self):
        owners = plan_owner_choices(partnership_id=self.plan.partnership_id)
        return {**super().get_form_kwargs(), "owners": owners}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            lifecycle.plan_edit(
                plan=self.plan,
                user=self.request.user,
                title=data["title"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                description=data["description"],
                owner_id=data["owner"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The plan's title and dates have been saved.")
        return redirect(self.plan.get_absolute_url())


class PlanArchiveView(PlanAdminMixin, FormView):
    template_name = "plans/plan_archive.html"
    form_class = ArchiveForm

    def get(self, request, *args, **kwargs):
        if self.plan.is_archived:
            return redirect("plans:plan_unarchive", pk=self.plan.pk)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            lifecycle.plan_archive(
                plan=self.plan, user=self.request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"‘{self.plan.title}’ has been archived. It is read-only and chases no one; its "
            "board packs can still be downloaded.",
        )
        return redirect(self.plan.get_absolute_url())


class PlanUnarchiveView(PlanAdminMixin, FormView):
    template_name = "plans/plan_unarchive.html"
    form_class = UnarchiveForm

    def get(self, request, *args, **kwargs):
        if not self.plan.is_archived:
            return redirect("plans:plan_archive", pk=self.plan.pk)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            lifecycle.plan_unarchive(
                plan=self.plan, user=self.request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"‘{self.plan.title}’ is in use again.")
        return redirect(self.plan.get_absolute_url())


class PlanRollForwardView(PlanAdminMixin, FormView):
    """Next year's plan from this one's unfinished items: the form, a preview, then confirm."""

    template_name = "plans/plan_roll_forward.html"
    form_class = PlanForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "with_description": False}

    def get_initial(self):
        return {
            "title": lifecycle.next_year_title(self.plan.title),
            "start_date": lifecycle.a_year_later(self.plan.start_date),
            "end_date": lifecycle.a_year_later(self.plan.end_date),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        errors = lifecycle.plan_fields_errors(
            partnership_id=self.plan.partnership_id,
            title=data["title"],
            start_date=data["start_date"],
            end_date=data["end_date"],
        )
        if errors:
            _errors_to_form(form, ValidationError(errors))
            return self.form_invalid(form)
        if self.request.POST.get("step") != "confirm":
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    confirming=True,
                    preview=lifecycle.plan_roll_forward_preview(plan=self.plan),
                )
            )
        try:
            new_plan, preview = lifecycle.plan_roll_forward(
                plan=self.plan,
                user=self.request.user,
                title=data["title"],
                start_date=data["start_date"],
                end_date=data["end_date"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"‘{new_plan.title}’ has been made from ‘{self.plan.title}’: "
            f"{preview.milestones_copied} unfinished milestone"
            f"{'' if preview.milestones_copied == 1 else 's'} carried forward, each starting "
            "as Not started. Its quarters are set up.",
        )
        return redirect(new_plan.get_absolute_url())

    def get_context_data(self, **kwargs):
        if "preview" not in kwargs:
            kwargs["preview"] = lifecycle.plan_roll_forward_preview(plan=self.plan)
        return super().get_context_data(**kwargs)


class ReminderRoundView(PlanAdminMixin, FormView):
    """ "Remind everyone who has not updated": who it goes to, the e-mail, then send."""

    template_name = "plans/reminder_round.html"
    form_class = ReminderRoundForm
    refuse_archived = True

    def form_valid(self, form):
        message = form.cleaned_data["message"]
        if self.request.POST.get("step") != "send":
            return self.render_to_response(self.get_context_data(form=form, previewed=True))
        try:
            reminder_round = chasing.reminder_round_request(
                plan=self.plan,
                user=self.request.user,
                message=message,
                base_url=_base_url(self.request),
            )
        except ValidationError as error:
            _errors_to_form(form, error)
            return self.form_invalid(form)
        count = reminder_round.lead_count
        label = lifecycle.period_label(reminder_round.year, reminder_round.quarter)
        messages.success(
            self.request,
            f"Reminders for {label} are being sent to {count} lead{'' if count == 1 else 's'}.",
        )
        return redirect("plans:update_compliance", pk=self.plan.pk)

    def get_context_data(self, **kwargs):
        form = kwargs.get("form") or self.get_form()
        message = form.data.get("message", "") if form.is_bound else ""
        kwargs.update(
            collecting=period_collecting(plan=self.plan),
            preview=chasing.reminder_round_preview(
                plan=self.plan, base_url=_base_url(self.request), message=message
            ),
        )
        return super().get_context_data(**kwargs)
