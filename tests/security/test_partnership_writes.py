"""Issue 12, findings 3, 8, 11 and parts of 13 and 16: what a partnership admin's action
writes, and where.

- correcting a lead's e-mail address redirects sign-in links and voids those already sent;
- removing a person rewrites only their own partnership's admin-log entries about them;
- the Django admin's history "Revert" cannot bypass append-only updates or quarter closes;
- a NUL in an admin list's query string is a 400, not a 500;
- the plan's JSON export gives e-mail addresses to partnership admins only.
"""

import json
import re

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse

from plans import services
from plans.models import RAG, Milestone, MilestoneUpdate, Organisation, Person, ReportingPeriod
from tests import factories

pytestmark = pytest.mark.django_db

User = get_user_model()


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/link/\?sesame=\S+", message.body).group(0)


def staff_admin(partnership, username):
    return factories.MembershipFactory(
        partnership=partnership, role="admin", user__username=username, user__is_staff=True
    ).user


def person_form(person, **changes):
    data = {
        "partnership": person.partnership_id,
        "name": person.name,
        "role_title": person.role_title,
        "organisation": person.organisation_id or "",
        "email": person.email,
        "removed_at_0": "",
        "removed_at_1": "",
    }
    data.update(changes)
    return data


def form_values(page) -> dict:
    """The values of the admin form on ``page``, as the browser would post them back."""
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        value = getattr(value, "pk", value)
        if hasattr(field, "widget") and field.widget.__class__.__name__ == "SplitDateTimeWidget":
            continue
        data[form.add_prefix(name)] = value
    return data


# --- Finding 3: an e-mail correction reaches the account and voids old links -----------------


@pytest.fixture
def mistyped(partnership):
    """A lead whose address was mistyped, already sent a link to it by their admin."""
    admin = staff_admin(partnership, "trust-admin")
    person = factories.PersonFactory(
        partnership=partnership, name="Nina Nurse", email="nina@nhs.exmaple.org"
    )
    return admin, person


def test_correcting_an_address_redirects_links_and_voids_the_old_ones(
    client, mistyped, immediate_tasks
):
    admin, person = mistyped
    client.force_login(admin)
    client.post(reverse("plans:send_signin_link"), {"person": person.pk})
    old_link = link_in(mail.outbox[-1])
    assert mail.outbox[-1].to == ["nina@nhs.exmaple.org"]

    saved = client.post(
        reverse("admin:plans_person_change", args=[person.pk]),
        person_form(person, email="nina@nhs.example.org"),
    )
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    account = Person.objects.get(pk=person.pk).user
    assert account.email == "nina@nhs.example.org"

    client.post(reverse("plans:send_signin_link"), {"person": person.pk})
    assert mail.outbox[-1].to == ["nina@nhs.example.org"]
    client.logout()
    assert client.get(old_link).status_code == 403, "a link sent to the mistyped address works"

    sent = len(mail.outbox)
    client.post(reverse("signin_link"), {"email": "nina@nhs.exmaple.org"})
    assert len(mail.outbox) == sent, "the mistyped address still gets links"
    client.post(reverse("signin_link"), {"email": "nina@nhs.example.org"})
    assert mail.outbox[-1].to == ["nina@nhs.example.org"]
    assert len(mail.outbox) == sent + 1
    # The corrected address's link opens the landing page, and its button signs in.
    landing = client.get(link_in(mail.outbox[-1]))
    token = re.search(r'name="sesame" value="([^"]+)"', landing.content.decode()).group(1)
    assert client.post(reverse("signin_link_login"), {"sesame": token}).status_code == 302


def test_an_address_change_never_rewrites_a_staff_or_existing_account(client, partnership):
    admin = staff_admin(partnership, "trust-admin")
    council = factories.UserFactory(
        username="council-jo", email="jo@council.example.org", is_staff=True
    )
    person = factories.PersonFactory(
        partnership=partnership, email="jo@council.example.org", user=council
    )
    client.force_login(admin)
    saved = client.post(
        reverse("admin:plans_person_change", args=[person.pk]),
        person_form(person, email="attacker@evil.example.org"),
        follow=True,
    )
    assert "its e-mail address was not changed" in saved.content.decode()
    council.refresh_from_db()
    assert council.email == "jo@council.example.org"
    assert Person.objects.get(pk=person.pk).email == "attacker@evil.example.org"


def test_an_account_shared_with_another_partnership_keeps_its_address(partnership, outsider):
    """A's admin must not readdress (and so take over) an account that leads elsewhere too."""
    person = factories.PersonFactory(partnership=partnership, email="sam@police.example.org")
    admin = staff_admin(partnership, "trust-admin")
    account = services.lead_user_ensure(person=person)
    other = outsider.memberships.get().partnership
    factories.MembershipFactory(user=account, partnership=other, role="lead")

    changed = services.person_email_change(
        person=person, email="attacker@evil.example.org", user=admin
    )

    account.refresh_from_db()
    assert account.email == "sam@police.example.org" and not changed.account_followed


def test_only_a_partnership_admin_may_change_an_address(partnership, outsider):
    person = factories.PersonFactory(partnership=partnership)
    with pytest.raises(services.PermissionDenied):
        services.person_email_change(person=person, email="x@example.org", user=outsider)


# --- Finding 8: the admin log is redacted only for that partnership's person -----------------


def log(obj, text, *, user):
    return LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=text,
        action_flag=ADDITION,
        change_message=f'[{{"added": {{}}}}] {text}',
    )


def test_removing_a_person_leaves_other_partnerships_admin_log_alone(client, partnership, outsider):
    bravo = outsider.memberships.get().partnership
    alpha_council = Organisation.objects.create(
        partnership=partnership, name="Middlesbrough Borough Council"
    )
    bravo_club = Organisation.objects.create(partnership=bravo, name="Middlesbrough Youth Club")
    lead = factories.PersonFactory(partnership=bravo, name="Middlesbrough", role_title="Lead")
    operator = User.objects.create_superuser(username="operator", email="op@example.org")
    alpha_entry = log(alpha_council, "Middlesbrough Borough Council", user=operator)
    bravo_org_entry = log(bravo_club, "Middlesbrough Youth Club", user=operator)
    bravo_person_entry = log(lead, "Middlesbrough (Lead)", user=operator)

    client.force_login(outsider)
    assert client.post(reverse("plans:person_remove", args=[lead.pk])).status_code == 302

    for entry in (alpha_entry, bravo_org_entry):
        entry.refresh_from_db()
        assert entry.object_repr.startswith("Middlesbrough "), "another object's log was rewritten"
        assert "Former lead" not in entry.change_message
    bravo_person_entry.refresh_from_db()
    assert bravo_person_entry.object_repr == "Former lead (Lead)"
    assert "Middlesbrough" not in bravo_person_entry.change_message


# --- Finding 11: no history revert where state follows an append-only log -------------------


@pytest.fixture
def completed(partnership):
    """A milestone updated to amber (version 1), then complete (version 2), by its admin."""
    admin = staff_admin(partnership, "trust-admin")
    plan = factories.plan_with_milestones(partnership=partnership, milestones=1)
    milestone = Milestone.objects.get(action__outcome__priority__plan=plan)
    Milestone.objects.filter(pk=milestone.pk).update(status=RAG.NOT_STARTED, completed_on=None)
    milestone.refresh_from_db()
    services.milestone_update(
        milestone=milestone,
        user=admin,
        expected_version=0,
        status=RAG.AMBER,
        commentary="Slipping.",
        due_date=milestone.due_date,
        status_reason="Recoverable: the last session is booked.",
    )
    services.milestone_update(
        milestone=milestone,
        user=admin,
        expected_version=1,
        status=RAG.COMPLETE,
        commentary="Done.",
        due_date=milestone.due_date,
        completed_on=milestone.due_date,
    )
    return admin, Milestone.objects.get(pk=milestone.pk)


@pytest.mark.parametrize("who", ["partnership admin", "superuser"])
def test_reverting_a_milestone_from_its_history_is_refused(client, completed, who):
    admin, milestone = completed
    user = admin if who == "partnership admin" else User.objects.create_superuser("op", "o@x.org")
    amber = milestone.history.filter(status=RAG.AMBER).earliest("history_date")
    url = reverse("admin:plans_milestone_simple_history", args=[milestone.pk, amber.history_id])
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode(), "a Revert button is offered"
    updates = MilestoneUpdate.objects.count()

    reverted = client.post(url, form_values(page))

    assert reverted.status_code == 403
    milestone.refresh_from_db()
    assert (milestone.status, milestone.version) == (RAG.COMPLETE, 2)
    assert MilestoneUpdate.objects.count() == updates


def test_reverting_a_closed_quarter_to_open_is_refused(client, partnership):
    admin = staff_admin(partnership, "trust-admin")
    plan = factories.PlanFactory(partnership=partnership)
    period = factories.ReportingPeriodFactory(plan=plan)
    ReportingPeriod.objects.filter(pk=period.pk).update(status="closed")
    period.refresh_from_db()
    period.save()  # a history row for the closed state
    opened = period.history.filter(status="open").earliest("history_date")
    url = reverse("admin:plans_reportingperiod_simple_history", args=[period.pk, opened.history_id])
    client.force_login(admin)
    reverted = client.post(
        url,
        {
            "plan": plan.pk,
            "year": period.year,
            "quarter": period.quarter,
            "start_date": period.start_date,
            "end_date": period.end_date,
            "update_deadline": period.update_deadline,
        },
    )
    assert reverted.status_code == 403
    assert ReportingPeriod.objects.get(pk=period.pk).status == "closed"


# --- Finding 16 (part): a NUL in an admin list filter ---------------------------------------


@pytest.mark.parametrize(
    "query", ["status=%00", "q=%00", "status__exact=red%00", "action__outcome__priority__plan=1%00"]
)
def test_a_nul_in_an_admin_list_query_is_a_400_not_a_500(client, partnership, query):
    client.raise_request_exception = False
    client.force_login(staff_admin(partnership, "trust-admin"))
    response = client.get(f"{reverse('admin:plans_milestone_changelist')}?{query}")
    assert response.status_code == 400


# --- Finding 13 (part): e-mail addresses in the JSON export ---------------------------------


@pytest.mark.parametrize("role", ["board", "lead", "admin"])
def test_only_partnership_admins_get_email_addresses_in_the_json_export(client, partnership, role):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=2)
    emails = list(Person.objects.filter(partnership=partnership).values_list("email", flat=True))
    member = factories.MembershipFactory(partnership=partnership, role=role).user
    client.force_login(member)
    response = client.get(reverse("portability:plan_export_json", args=[plan.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    found = [email for email in emails if email in body]
    if role == "admin":
        assert found == emails
    else:
        assert found == [], f"a {role} was given {found}"
        people = json.loads(body)["people"]
        assert people and all(not p.get("email") for p in people)
