"""An admin switches sign-off on and nominates; a signatory signs off their organisation's
updates; the admin closes the quarter, warned by name that the chair has not signed.

Runs on the demo data, as a newcomer would see it after `make run`.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from plans.models import Organisation, Person, Plan, ReportingPeriod
from plans.selectors import period_collecting
from signoff.forms import SignatoryForm
from signoff.models import Signoff
from signoff.selectors import user_name
from tests.journeys.conftest import two_factor_set_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIDDLESBROUGH = "Middlesbrough Children's Trust"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    plan = Plan.objects.get(partnership__name=MIDDLESBROUGH)
    lead = Person.objects.get(user__username="demo-lead-safeguarding", partnership=plan.partnership)
    if lead.organisation is None:
        lead.organisation, _ = Organisation.objects.get_or_create(
            partnership=plan.partnership, name="Middlesbrough Council"
        )
        lead.save()
    # The quarter collecting updates, set up as a reporting period (the demo sets it up).
    period = period_collecting(plan=plan).period
    assert period.pk is not None
    users = get_user_model().objects
    board, signatory = (
        users.get(username="demo-board"),
        users.get(username="demo-lead-safeguarding"),
    )
    label = SignatoryForm(partnership_id=plan.partnership_id).fields["signatory"]
    return {
        "plan": plan,
        "organisation": lead.organisation,
        "period": period,
        "chair": user_name(board),
        "chair_option": label.label_from_instance(board),
        "signatory_option": label.label_from_instance(signatory),
    }


def sign_in(page, username, password):
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_admin_switches_sign_off_on_a_signatory_signs_and_the_close_names_the_chair(
    new_page, demo
):
    organisation, period = demo["organisation"], demo["period"]
    admin = new_page()
    sign_in(admin, "demo-admin", "demo-admin-only")
    two_factor_set_up(admin)
    admin.goto(reverse("plans:people"))
    admin.get_by_role("link", name=re.compile("^Sign-off of quarters")).first.click()
    expect(admin.get_by_role("heading", level=1, name="Sign-off of quarters")).to_be_visible()
    admin.get_by_label("Yes").check()
    admin.get_by_label("Chair (optional)").select_option(label=demo["chair_option"])
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Sign-off is switched on")).to_be_visible()
    admin.get_by_role("link", name=f"Nominate the signatory for {organisation.name}").click()
    admin.get_by_label("Signatory").select_option(label=demo["signatory_option"])
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text(f"now signs off {organisation.name}'s updates")).to_be_visible()

    lead = new_page()
    sign_in(lead, "demo-lead-safeguarding", "demo-lead-only")
    lead.goto(reverse("signoff:mine"))
    expect(lead.get_by_text(f"{organisation.name}'s updates")).to_be_visible()
    lead.get_by_role("link", name=f"Sign-off of {period.label}: {demo['plan'].title}").click()
    lead.get_by_role("link", name=organisation.name).click()
    expect(
        lead.get_by_text(f"I have read these updates and sign them off for {organisation.name}.")
    ).to_be_visible()
    lead.get_by_role("button", name=f"Sign off for {organisation.name}").click()
    expect(lead.get_by_text(f"You have signed off {period.label}")).to_be_visible()
    assert Signoff.objects.get(period=period, organisation=organisation).is_signed

    admin.goto(reverse("reporting:period_close", args=[period.pk]))
    warning = admin.locator("[data-missing-signoffs]")
    expect(warning).to_contain_text(f"the chair ({demo['chair']})")
    expect(warning).not_to_contain_text(f"{organisation.name} — signatory")
    admin.get_by_role("button", name=f"Close {period.label}").click()
    expect(admin.get_by_text("Confirm you want to close it without them").first).to_be_visible()
    admin.get_by_label(f"Close {period.label} without the sign-offs named above").check()
    admin.get_by_role("button", name=f"Close {period.label}").click()
    expect(admin.get_by_text(f"{period.label} is closed")).to_be_visible()
    assert ReportingPeriod.objects.get(pk=period.pk).is_closed
