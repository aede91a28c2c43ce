"""Issue 12, findings 1 and 2: a partnership admin's action links and grants only inside
that partnership, and never touches an account that existed before it.

Both attacks are made through HTTP as partnership B's staff admin would make them: the
Django admin to add a person, then "Send a sign-in link" and "Remove" in the product.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from plans.models import LeadAccount, Membership, Milestone, MilestoneUpdate, Person
from tests import factories

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "correct horse battery staple"


@pytest.fixture
def alpha():
    """Partnership A: a plan whose milestone is led by Alice, who has no account yet."""
    partnership = factories.PartnershipFactory(name="Alpha Children's Trust", slug="alpha")
    plan = factories.plan_with_milestones(partnership=partnership, milestones=2)
    milestone = Milestone.objects.filter(action__outcome__priority__plan=plan).first()
    alice = milestone.lead
    Person.objects.filter(pk=alice.pk).update(
        name="Alice Alpha", email="alice.alpha@alpha.example.org", user=None
    )
    return plan, milestone, Person.objects.get(pk=alice.pk)


@pytest.fixture
def bravo_admin():
    """Partnership B's admin, staff so they can use the Django admin; not a superuser."""
    partnership = factories.PartnershipFactory(name="Bravo Safeguarding Board", slug="bravo")
    factories.OrganisationFactory(partnership=partnership, name="Bravo Council")
    return factories.MembershipFactory(
        partnership=partnership,
        role="admin",
        user__username="bravo-admin",
        user__email="bravo-admin@bravo.example.org",
        user__is_staff=True,
    ).user


def _admin_adds_person(client, admin, *, name, email, user=None):
    """B's admin adds a person to B in the Django admin, as the browser posts the form."""
    partnership = admin.memberships.get().partnership
    data = {
        "partnership": partnership.pk,
        "name": name,
        "role_title": "Lead officer",
        "organisation": partnership.organisations.get().pk,
        "email": email,
        "removed_at_0": "",
        "removed_at_1": "",
    }
    if user is not None:
        data["user"] = user.pk
    response = client.post(reverse("admin:plans_person_add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    return Person.objects.get(partnership=partnership, name=name)


def _update_form(milestone):
    return {
        "version": str(milestone.version),
        "status": "complete",
        "commentary": "Done, says the lead.",
        "due_date-day": str(milestone.due_date.day),
        "due_date-month": str(milestone.due_date.month),
        "due_date-year": str(milestone.due_date.year),
        "due_date_reason": "",
        "completed_on-day": "1",
        "completed_on-month": "12",
        "completed_on-year": "2019",
        "status_reason": "",
    }


def test_bravo_admin_cannot_become_a_lead_of_alpha_by_sending_a_sign_in_link(
    client, alpha, bravo_admin
):
    plan, milestone, alice = alpha
    client.force_login(bravo_admin)
    # The attack: a person in B with A's lead's address, linked to B's admin's own account.
    bogus = _admin_adds_person(
        client, bravo_admin, name="Alice Alpha", email=alice.email.upper(), user=bravo_admin
    )
    sent = client.post(reverse("plans:send_signin_link"), {"person": bogus.pk}, follow=True)
    assert sent.status_code == 200

    assert client.get(reverse("plans:plan_detail", args=[plan.pk])).status_code == 404
    attempt = client.post(
        reverse("plans:milestone_update", args=[milestone.pk]), _update_form(milestone)
    )
    assert attempt.status_code in (403, 404)
    assert not MilestoneUpdate.objects.filter(milestone=milestone, author=bravo_admin).exists()
    assert Milestone.objects.get(pk=milestone.pk).status != "complete"
    assert not Membership.objects.filter(user=bravo_admin, partnership=plan.partnership).exists()
    alice.refresh_from_db()
    assert alice.user is None, "A's lead must not be linked by B's action"
    bogus.refresh_from_db()
    assert bogus.user != bravo_admin, "a partnership admin never sets Person.user"


def test_the_person_form_offers_no_account_choice_to_a_partnership_admin(client, bravo_admin):
    client.force_login(bravo_admin)
    page = client.get(reverse("admin:plans_person_add")).content.decode()
    assert 'name="user"' not in page


def test_bravo_admin_cannot_disable_the_operators_superuser_account(client, bravo_admin):
    operator = User.objects.create_superuser(
        username="operator", email="operator@council.example.org", password=PASSWORD
    )
    client.force_login(bravo_admin)
    person = _admin_adds_person(
        client, bravo_admin, name="Olive Operator", email="Operator@council.example.org"
    )
    client.post(reverse("plans:send_signin_link"), {"person": person.pk})
    removed = client.post(reverse("plans:person_remove", args=[person.pk]))
    assert removed.status_code == 302

    operator.refresh_from_db()
    assert operator.is_active and operator.username == "operator"
    assert operator.email == "operator@council.example.org"
    assert operator.check_password(PASSWORD)
    assert not operator.memberships.exists()
    assert Person.objects.get(pk=person.pk).user != operator
    client.logout()
    signed_in = client.post(reverse("login"), {"username": "operator", "password": PASSWORD})
    assert signed_in.status_code == 302 and client.session["_auth_user_id"] == str(operator.pk)


def test_removing_a_person_closes_only_the_account_their_partnerships_link_made(
    client, bravo_admin
):
    client.force_login(bravo_admin)
    person = _admin_adds_person(
        client, bravo_admin, name="Nina Nurse", email="nina@nhs.example.org"
    )
    client.post(reverse("plans:send_signin_link"), {"person": person.pk})
    person.refresh_from_db()
    made = person.user
    assert LeadAccount.objects.get(user=made).partnership_id == person.partnership_id

    client.post(reverse("plans:person_remove", args=[person.pk]))

    made.refresh_from_db()
    assert not made.is_active and made.username == f"former-lead-{made.pk}"


def test_an_existing_account_with_the_same_address_is_not_linked_or_given_a_role(
    client, bravo_admin
):
    council = factories.UserFactory(username="council-jo", email="jo@council.example.org")
    client.force_login(bravo_admin)
    person = _admin_adds_person(
        client, bravo_admin, name="Jo Council", email="jo@council.example.org"
    )
    client.post(reverse("plans:send_signin_link"), {"person": person.pk})
    person.refresh_from_db()
    assert person.user is not None and person.user != council
    assert not council.memberships.exists()
    assert mail.outbox[-1].to == ["jo@council.example.org"]


def test_a_visitor_asking_for_a_link_does_not_join_two_partnerships_leads(client, alpha):
    plan, milestone, alice = alpha
    other = factories.PartnershipFactory(name="Bravo Safeguarding Board", slug="bravo")
    namesake = factories.PersonFactory(partnership=other, name="Alice Alpha", email=alice.email)

    client.post(reverse("signin_link"), {"email": alice.email})

    alice.refresh_from_db()
    namesake.refresh_from_db()
    accounts = {alice.user_id, namesake.user_id} - {None}
    for account in accounts:
        assert Membership.objects.filter(user_id=account).count() <= 1
    if alice.user_id and namesake.user_id:
        assert alice.user_id != namesake.user_id
    # Whoever asked gets links only to the address typed.
    assert {tuple(m.to) for m in mail.outbox} <= {(alice.email,)}
    assert all(re.search(r"/accounts/link/\?sesame=", m.body) for m in mail.outbox)


def test_the_migration_records_only_accounts_the_old_flow_plainly_made():
    """Existing data: provenance is backfilled for flow-made accounts and nothing else."""
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("plans.migrations.0005_lead_account_provenance")._backfill
    partnership = factories.PartnershipFactory()
    other = factories.PartnershipFactory()

    def lead(username, email, **extra):
        account = User.objects.create_user(username=username, email=email, **extra)
        person = factories.PersonFactory(partnership=partnership, email=email, user=account)
        factories.MembershipFactory(user=account, partnership=partnership, role="lead")
        return account, person

    made, made_person = lead("pat@probation.example.org", "pat@probation.example.org")
    hashed, _ = lead("sam@police.example.org#999999", "sam@police.example.org")
    with_password, _ = lead("kim@nhs.example.org", "kim@nhs.example.org", password=PASSWORD)
    staff, _ = lead("lee@council.example.org", "lee@council.example.org", is_staff=True)
    council, _ = lead("council-jo", "jo@council.example.org")
    elsewhere, _ = lead("al@school.example.org", "al@school.example.org")
    factories.MembershipFactory(user=elsewhere, partnership=other, role="board")
    LeadAccount.objects.all().delete()

    backfill(apps, None)

    recorded = set(LeadAccount.objects.values_list("user_id", flat=True))
    assert made.pk in recorded
    assert LeadAccount.objects.get(user=made).person == made_person
    assert recorded.isdisjoint({with_password.pk, staff.pk, council.pk, elsewhere.pk})
    assert hashed.pk not in recorded  # "#999999" is not this person's id
