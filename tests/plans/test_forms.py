"""The one GOV.UK date field: what each way of getting a date wrong says."""

from datetime import date

import pytest
from django import forms

from plans.forms import GovukDateField


class DueForm(forms.Form):
    due = GovukDateField(noun="the due date", label="Due date", required=True)


def errors_for(day, month, year):
    form = DueForm(data={"due-day": day, "due-month": month, "due-year": year})
    assert not form.is_valid()
    return form.errors["due"], form["due"]


@pytest.mark.parametrize(
    ("parts", "message", "marked"),
    [
        (("", "", ""), "Enter the due date", {"day", "month", "year"}),
        (("31", "", "2020"), "The due date must include a month", {"month"}),
        (("", "", "2020"), "The due date must include a day and month", {"day", "month"}),
        (("31", "2", "2020"), "The due date must be a real date", {"day", "month", "year"}),
        (("x", "2", "2020"), "The due date must be a real date", {"day", "month", "year"}),
        (("1", "2", "20"), "The due date must have a four-digit year, for example 2020", None),
    ],
)
def test_each_mistake_has_govuks_message_and_marks_the_boxes_to_correct(parts, message, marked):
    errors, bound = errors_for(*parts)
    assert errors == [message]
    assert bound.error_parts == frozenset(marked or {"day", "month", "year"})


def test_a_real_date_is_read_and_shown_back_in_its_boxes():
    form = DueForm(data={"due-day": " 7 ", "due-month": "03", "due-year": "2020"})
    assert form.is_valid() and form.cleaned_data["due"] == date(2020, 3, 7)
    unbound = DueForm(initial={"due": date(2020, 3, 7)})
    assert [box["value"] for box in unbound["due"].boxes] == ["7", "3", "2020"]
    assert unbound["due"].id_for_label == "due-day"
