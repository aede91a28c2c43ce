"""Forms: parse and check what people typed; the rules themselves live in plans.services."""

from datetime import date

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils import timezone

from plans import rag, services
from plans.models import RAG, Milestone, Person
from security.authentication import accounts_for, own_site_path

DATE_PARTS = ("day", "month", "year")


class GovukDateInput(forms.Widget):
    """GOV.UK date input: three boxes named ``<name>-day``, ``<name>-month`` and ``<name>-year``.

    The one naming scheme of the service's date boxes, as GOV.UK Frontend's ``namePrefix``
    gives. Render with templates/includes/field_date.html.
    """

    def value_from_datadict(self, data, files, name):
        return tuple(str(data.get(f"{name}-{part}") or "").strip() for part in DATE_PARTS)

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}-{part}" not in data for part in DATE_PARTS)


class GovukDateBoundField(BoundField):
    """What includes/field_date.html needs: the three boxes, and which of them are wrong.

    Ids follow GOV.UK Frontend's date input, which derives them from the name: the group is
    ``due_date``, its boxes ``due_date-day`` and so on, its hint ``due_date-hint``.
    """

    @property
    def auto_id(self) -> str:
        return self.html_name if self.form.auto_id else ""

    @property
    def id_for_label(self) -> str:
        # Error summaries link to the first box, as GOV.UK's date input pattern asks.
        return f"{self.auto_id}-day"

    @property
    def error_parts(self) -> frozenset[str]:
        """The boxes to mark as wrong: only the missing ones when the date is incomplete."""
        parts: set[str] = set()
        for error in self.form.errors.as_data().get(self.name, []) if self.form.is_bound else []:
            missing = (error.params or {}).get("missing") if error.code == "incomplete" else None
            parts.update(missing or DATE_PARTS)
        return frozenset(parts)

    @property
    def boxes(self) -> list[dict]:
        """The day, month and year boxes: part, label, width, what to show, whether wrong."""
        wrong = self.error_parts
        return [
            {
                "part": part,
                "label": part.capitalize(),
                "width": 4 if part == "year" else 2,
                "value": value,
                "error": part in wrong,
            }
            for part, value in zip(DATE_PARTS, self.value(), strict=True)
        ]


class GovukDateField(forms.Field):
    """A date typed as GOV.UK day, month and year boxes, with GOV.UK's error messages.

    ``noun`` names the date in messages: "The due date must include a month", "The due date
    must be a real date". The one date parser of the service's forms and filters.
    """

    widget = GovukDateInput
    earliest_year, latest_year = 1990, 2100

    def __init__(self, *, noun: str, **kwargs):
        self.noun = noun
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_bound_field(self, form, field_name):
        return GovukDateBoundField(form, self, field_name)

    def prepare_value(self, value):
        if isinstance(value, date):
            return (str(value.day), str(value.month), str(value.year))
        if isinstance(value, list | tuple) and len(value) == len(DATE_PARTS):
            return tuple(value)
        return ("", "", "")

    def to_python(self, value):
        if isinstance(value, date):
            return value
        if not value or not any(value):
            return None
        subject = self.noun[:1].upper() + self.noun[1:]
        missing = [name for name, part in zip(DATE_PARTS, value, strict=True) if not part]
        if missing:
            raise forms.ValidationError(
                f"{subject} must include a {' and '.join(missing)}",
                code="incomplete",
                params={"missing": missing},
            )
        day, month, year = value
        if not (len(year) == 4 and year.isdigit()):
            raise forms.ValidationError(
                f"{subject} must have a four-digit year, for example 2020", code="invalid"
            )
        try:
            result = date(int(year), int(month), int(day))
        except (TypeError, ValueError):
            raise forms.ValidationError(f"{subject} must be a real date", code="invalid") from None
        if not self.earliest_year <= result.year <= self.latest_year:
            # A four-digit year, but not a plausible one (3000 is a slip for 2000 or 2030).
            raise forms.ValidationError(
                f"{subject} must be between {self.earliest_year} and {self.latest_year}",
                code="out_of_range",
            )
        return result

    def validate(self, value):
        if value is None and self.required:
            raise forms.ValidationError(f"Enter {self.noun}", code="required")


class GovukRadios(forms.RadioSelect):
    """Radios whose items may each have a hint (``hints``: value to text), as GOV.UK's do, and
    a conditional reveal (``conditionals``: value to the name of the field it reveals)."""

    def __init__(self, *args, hints: dict[str, str] | None = None, **kwargs):
        self.hints = hints or {}
        self.conditionals: dict[str, str] = {}
        super().__init__(*args, **kwargs)

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["hint"] = self.hints.get(str(value), "")
        option["conditional"] = self.conditionals.get(str(value), "")
        return option


# What each status means to the lead choosing it, shown under its radio on the update form.
# The hints under the update form's status radios, from the one RAG module.
RAG_HINTS = {value: status.hint for value, status in rag.STATUSES.items()}

# The statuses that can be kinder than a suggestion (which is only ever Red or Amber): each
# has its own "why" box, revealed under its radio when the dates suggest worse.
KINDER_STATUSES = [RAG.AMBER, RAG.GREEN, RAG.NOT_STARTED]


def _reason_field(status: RAG) -> str:
    return f"status_reason_{status}"


class MilestoneUpdateForm(forms.Form):
    """The lead's update. "Date completed" is revealed under Complete, and "why" under each
    status kinder than the dates suggest (GOV.UK conditional reveals; without JavaScript
    they are all shown, and the server reads only the chosen status's)."""

    status = forms.ChoiceField(
        label="Status",
        widget=GovukRadios(hints=RAG_HINTS),
        choices=RAG.choices,  # in the order plans/rag.py decides, Not started last
        error_messages={
            "required": "Select the milestone's status",
            "invalid_choice": "Select the milestone's status",
        },
    )
    commentary = forms.CharField(
        label="Progress commentary",
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        help_text="What has happened since the last update and what happens next. "
        "Needed for Red and Amber and whenever the status changes.",
        error_messages={"max_length": "Progress commentary must be 5,000 characters or fewer"},
    )
    due_date = GovukDateField(noun="the due date", label="Due date")
    due_date_reason = forms.CharField(
        label="Why has the due date moved?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )
    completed_on = GovukDateField(noun="the completion date", label="Date completed")
    status_reason = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)
    no_change = forms.BooleanField(
        label="No change since the last update",
        required=False,
        help_text="Tick this if nothing has moved on: the last commentary stays on show, "
        "marked as confirmed today.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    # The page's order, which the error summary follows: the reveals sit under their radios.
    field_order = [
        "status",
        *(_reason_field(status) for status in KINDER_STATUSES[:2]),
        "completed_on",
        _reason_field(RAG.NOT_STARTED),
        "commentary",
        "no_change",
        "due_date",
        "due_date_reason",
    ]

    def __init__(self, *args, milestone: Milestone, **kwargs):
        self.milestone = milestone
        kwargs["initial"] = {
            "status": milestone.status,
            "due_date": milestone.due_date,
            "completed_on": milestone.completed_on,
            "version": milestone.version,
            **(kwargs.get("initial") or {}),
        }
        self.base_fields = {**self.base_fields, **self._reason_fields()}
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        plan = milestone.action.outcome.priority.plan
        # A plausible year: from the year before the plan starts (or the milestone's own
        # date, for a legacy one before that), to 2100.
        earliest = plan.start_date.year - 1
        if milestone.due_date:
            earliest = min(earliest, milestone.due_date.year)
        self.fields["due_date"].earliest_year = earliest
        if not self.is_bound:
            self._set_conditionals()

    def _reason_fields(self) -> dict[str, forms.Field]:
        suggestion = services.rag_suggest(
            due_date=self.milestone.due_date,
            original_due_date=self.milestone.original_due_date,
            today=timezone.localdate(),
        )
        worse = suggestion.label if suggestion else "a worse status"
        return {
            _reason_field(status): forms.CharField(
                label=f"Why is {status.label} right when the dates suggest {worse}?",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=2000,
                error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
            )
            for status in KINDER_STATUSES
        }

    def full_clean(self):
        super().full_clean()
        self._set_conditionals()

    def _set_conditionals(self):
        """Which radios reveal what: Complete its date (unless the date is wrong for another
        status, when it is shown on its own to be cleared), each kinder status its "why"."""
        conditionals = {}
        if not self.completed_on_stands_alone:
            conditionals[RAG.COMPLETE.value] = "completed_on"
        suggestion = self.suggestion()
        for status in KINDER_STATUSES:
            name = _reason_field(status)
            kinder = bool(
                suggestion and services.is_kinder(status=status, suggested=suggestion.status)
            )
            if kinder or self[name].errors or (self.is_bound and self[name].value()):
                conditionals[status.value] = name
        self.fields["status"].widget.conditionals = conditionals

    @property
    def completed_on_stands_alone(self) -> bool:
        """A completion date typed for a status that is not Complete: shown outside the
        reveal with its error, so the lead can see it and remove it."""
        return bool(
            self.is_bound
            and self.errors.get("completed_on")
            and self.data.get("status") != RAG.COMPLETE
        )

    def clean(self):
        data = super().clean()
        status = data.get("status", "")
        if status in KINDER_STATUSES:
            data["status_reason"] = data.get(_reason_field(status)) or data.get("status_reason", "")
        if self.errors.get("status") or "version" not in data:
            return data
        errors = services.milestone_update_errors(
            milestone=self.milestone,
            status=status,
            commentary=data.get("commentary", ""),
            due_date=data.get("due_date"),
            due_date_reason=data.get("due_date_reason", ""),
            completed_on=data.get("completed_on"),
            status_reason=data.get("status_reason", ""),
            today=timezone.localdate(),
            no_change=data.get("no_change", False),
        )
        for name, message in errors.items():
            if name == "status_reason" and status in KINDER_STATUSES:
                name = _reason_field(status)
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Errors the service raised at save time, on the fields the lead sees."""
        status = self.cleaned_data.get("status", "")
        for name, messages_ in errors.items():
            if name == "status_reason" and status in KINDER_STATUSES:
                name = _reason_field(status)
            self.add_error(name if name in self.fields else None, messages_)

    def suggestion(self):
        """The RAG the dates suggest: from the due date typed when it is a date, else the
        current dates."""
        due = self.milestone.due_date
        if self.is_bound:
            due = getattr(self, "cleaned_data", {}).get("due_date") or due
        return services.rag_suggest(
            due_date=due,
            original_due_date=self.milestone.original_due_date,
            today=timezone.localdate(),
        )


class MilestoneFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses"), *RAG.choices],
    )


class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(
        label="Who should be able to update your milestones?",
        queryset=Person.objects.none(),
        empty_label="Choose a person",
        error_messages={
            "required": "Choose the person who will update your milestones",
            "invalid_choice": "Choose a person from the list",
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = candidates


class SignInLinkRequestForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address your partnership has for you, usually your work email.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    # The page the lead was going to; the e-mailed link opens it (only this site's paths).
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def clean_next(self) -> str:
        return own_site_path(self.cleaned_data.get("next"))


class SendSignInLinkForm(forms.Form):
    person = forms.ModelChoiceField(
        label="Lead",
        queryset=Person.objects.none(),
        empty_label="Choose a lead",
        error_messages={
            "required": "Choose the lead to send a sign-in link to",
            "invalid_choice": "Choose a lead from the list",
        },
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class SignInForm(auth_forms.AuthenticationForm):
    """Password sign-in with a username or an e-mail address; errors name the field.

    An address two accounts share signs neither in (security.authentication): when the
    password is right for one of them, the lead is told to use their username instead.
    """

    error_messages = {
        "invalid_login": "Enter a correct username or email address and password",
        "inactive": "This account has been switched off. Ask your partnership admin",
        "shared_address": "More than one account uses this email address. "
        "Sign in with your username instead",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username, password = self.fields["username"], self.fields["password"]
        username.label = "Username or email address"
        username.help_text = "You can use your username or your email address."
        username.error_messages["required"] = "Enter your username or email address"
        password.error_messages["required"] = "Enter your password"

    def get_invalid_login_error(self):
        typed = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        shared = accounts_for(typed)
        if len(shared) > 1 and any(account.check_password(password) for account in shared):
            return ValidationError(self.error_messages["shared_address"], code="shared_address")
        return super().get_invalid_login_error()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's password reset, whose e-mail greets the person by name, not by username."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        context = {**context, "name": services.greeting_name_for(context["user"])}
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
