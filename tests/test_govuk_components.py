"""The shared form includes (templates/includes/) against GOV.UK Frontend's own markup.

Each component's ``fixtures.json`` in the govuk-frontend package holds the HTML its macros
give. The includes must give the same elements, classes and attributes, in the same order;
only the values of ids, names and text (which are the service's own) may differ.
"""

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.template.loader import render_to_string

from plans.forms import GovukDateField, GovukRadios

COMPONENTS = (
    Path(__file__).resolve().parents[1] / "node_modules" / "govuk-frontend" / "dist" / "govuk"
) / "components"
# Attributes whose presence depends on what was typed or chosen, not on the markup.
STATEFUL = {"value", "checked"}


class _Shape(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs} - STATEFUL
        classes = dict(attrs).get("class") or ""
        self.tags.append((tag, frozenset(classes.split()), frozenset(names)))


def shape(html: str) -> list:
    parser = _Shape()
    parser.feed(html)
    return parser.tags


def fixture(component: str, name: str) -> str:
    path = COMPONENTS / component / "fixtures.json"
    if not path.exists():
        pytest.skip(f"govuk-frontend is not installed at {COMPONENTS} (run npm install)")
    fixtures = json.loads(path.read_text())["fixtures"]
    return next(f["html"] for f in fixtures if f["name"] == name)


class ExampleForm(forms.Form):
    reason = forms.CharField(label="Why?", widget=forms.Textarea)
    name = forms.CharField(label="Name")
    code = forms.CharField(label="Code", help_text="It is on your letter.", required=False)
    how = forms.ChoiceField(
        label="How do you want to sign in?",
        choices=[("gateway", "Gateway"), ("verify", "Verify")],
        widget=GovukRadios(hints={"gateway": "You have a user ID.", "verify": "You have one."}),
    )
    dob = GovukDateField(noun="your date of birth", label="Date of birth", required=True)


@pytest.fixture
def bound():
    form = ExampleForm(data={"reason": "", "name": "", "dob-month": "3", "dob-year": "1980"})
    form.is_valid()
    return form


def test_the_error_summary_is_govuks(bound):
    html = render_to_string("includes/error_summary.html", {"form": bound})
    expected = shape(fixture("error-summary", "default"))
    got = shape(html)
    # The fixture lists two errors; the form has more (one <li><a> pair each).
    assert got[:5] == expected[:5] and set(got[5:]) == set(expected[5:])


@pytest.mark.parametrize(
    ("template", "field", "component", "name", "extra"),
    [
        ("field_input", "name", "input", "with error message", {}),
        ("field_input", "code", "input", "with hint text", {}),
        ("field_textarea", "reason", "textarea", "with error message", {}),
        (
            "field_radios",
            "how",
            "radios",
            "with hints on items",
            {"heading": "h1", "legend_class": "govuk-fieldset__legend--l"},
        ),
        ("field_date", "dob", "date-input", "with error on day input", {"hint": "For example"}),
    ],
)
def test_each_field_include_gives_govuks_markup(bound, template, field, component, name, extra):
    if field == "how":
        bound = ExampleForm()  # the fixture shows radios with no error
    html = render_to_string(f"includes/{template}.html", {"field": bound[field], **extra})
    assert shape(html) == shape(fixture(component, name))
