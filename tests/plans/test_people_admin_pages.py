"""Issue 16, people and access: partnership admins add and edit people and organisations,
merge organisations, re-assign a leaver's work and change members' roles in the product's
own pages; every write keeps its history and shows in the audit trail."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from outcomes.models import Indicator
from plans import people as people_services
from plans import services
from plans.audit import people_history
from plans.models import Action, LeadAccount, Membership, Milestone, Organisation, Person
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _errors(response) -> str:
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body, "no GOV.UK error summary"
    assert response.context["form"].errors
    return body


# --- People ---------------------------------------------------------------------------------


def test_an_admin_adds_a_person_with_an_organisation_and_it_shows_in_the_audit_trail(
    admin_client, partnership, admin_user
):
    council = factories.OrganisationFactory(partnership=partnership, name="Middlesbrough Council")
    response = admin_client.post(
        reverse("plans:person_add", args=[partnership.pk]),
        {
            "name": "Jo Bloggs",
            "role_title": "Head of Service",
            "organisation": council.pk,
            "email": "jo.bloggs@example.org",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(name="Jo Bloggs")
    assert (person.organisation, person.email, person.user) == (
        council,
        "jo.bloggs@example.org",
        None,  # no account is made or linked by adding a person
    )
    people_page = admin_client.get(reverse("plans:people")).content.decode()
    assert "Jo Bloggs" in people_page and "jo.bloggs@example.org" in people_page
    change = people_history(partnership_id=partnership.pk).changes[0]
    assert (change.kind, change.item_label, change.reason) == (
        "Created",
        "Jo Bloggs (Head of Service)",
        "Added",
    )
    assert change.who == admin_user.username


def test_adding_a_person_twice_or_with_a_bad_address_is_a_gov_uk_error_and_saves_nothing(
    admin_client, partnership
):
    factories.PersonFactory(partnership=partnership, name="Jo Bloggs", role_title="")
    url = reverse("plans:person_add", args=[partnership.pk])
    body = _errors(admin_client.post(url, {"name": "Jo Bloggs", "role_title": ""}))
    assert "There is already someone called Jo Bloggs" in body
    body = _errors(admin_client.post(url, {"name": "Sam", "email": "not an address"}))
    assert "Enter an email address like name@example.org" in body
    body = _errors(admin_client.post(url, {"name": ""}))
    assert "Enter the person&#x27;s name" in body
    assert Person.objects.filter(partnership=partnership).count() == 1


def test_an_organisation_of_another_partnership_cannot_be_given_to_a_person(
    admin_client, partnership, admin_user
):
    theirs = factories.OrganisationFactory(name="Rotherham Council")
    body = _errors(
        admin_client.post(
            reverse("plans:person_add", args=[partnership.pk]),
            {"name": "Jo", "organisation": theirs.pk},
        )
    )
    assert "Choose an organisation from the list" in body
    with pytest.raises(ValidationError):
        people_services.person_create(
            partnership=partnership, name="Jo", organisation=theirs, user=admin_user
        )
    assert not Person.objects.filter(name="Jo").exists()


def test_correcting_an_email_moves_the_flow_made_account_and_voids_old_links(
    admin_client, partnership, admin_user
):
    person = factories.PersonFactory(partnership=partnership, email="typo@exmaple.org")
    account = services.lead_user_ensure(person=person)
    old_link = services.signin_link(user=account, base_url="http://testserver/")
    response = admin_client.post(
        reverse("plans:person_edit", args=[person.pk]),
        {"name": person.name, "role_title": person.role_title, "email": "right@example.org"},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.email == "right@example.org"
    landing = admin_client.get(old_link.replace("http://testserver", ""))
    assert landing.status_code == 403  # the link to the mistyped address no longer works


def test_correcting_an_email_never_changes_an_account_this_partnership_did_not_make(
    admin_client, partnership
):
    operator = get_user_model().objects.create_superuser(
        "operator", "operator@example.org", "x-pass-word-1"
    )
    person = factories.PersonFactory(partnership=partnership, email="operator@example.org")
    Person.objects.filter(pk=person.pk).update(user=operator)  # as a superuser once linked it
    response = admin_client.post(
        reverse("plans:person_edit", args=[person.pk]),
        {"name": person.name, "role_title": person.role_title, "email": "attacker@example.org"},
        follow=True,
    )
    operator.refresh_from_db()
    assert operator.email == "operator@example.org"
    assert "was not made by this partnership" in response.content.decode()
    assert Person.objects.get(pk=person.pk).email == "attacker@example.org"


def test_another_partnerships_person_cannot_be_edited(client, partnership, outsider):
    person = factories.PersonFactory(partnership=partnership, name="Ken Dance")
    client.force_login(outsider)
    url = reverse("plans:person_edit", args=[person.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Taken", "email": "x@evil.example"}).status_code == 404
    assert Person.objects.get(pk=person.pk).name == "Ken Dance"


def test_send_sign_in_link_for_a_lead_without_an_address_explains_and_links_to_adding_one(
    admin_client, partnership
):
    factories.PersonFactory(partnership=partnership, email="has@example.org")
    nobody = factories.PersonFactory(
        partnership=partnership, name="Noemail Lead", role_title="", email=""
    )
    body = admin_client.get(
        reverse("plans:send_signin_link") + f"?person={nobody.pk}"
    ).content.decode()
    assert "Noemail Lead has no e-mail address, so a sign-in link cannot be sent" in body
    assert reverse("plans:person_edit", args=[nobody.pk]) in body


# --- Organisations ----------------------------------------------------------------------------


def test_merging_organisations_previews_then_moves_people_and_indicators_with_history(
    admin_client, partnership, admin_user
):
    keep = factories.OrganisationFactory(partnership=partnership, name="Middlesbrough Council")
    dupe = factories.OrganisationFactory(partnership=partnership, name="Middlesbrough BC")
    movers = [
        factories.PersonFactory(partnership=partnership, organisation=dupe, name=name)
        for name in ("Ann Able", "Bob Baker")
    ]
    plan = factories.PlanFactory(partnership=partnership)
    indicator = Indicator.objects.create(plan=plan, code="NI 1", definition="x", organisation=dupe)
    url = reverse("plans:organisation_merge", args=[dupe.pk])

    preview = admin_client.get(url, {"target": keep.pk}).content.decode()
    assert "2 people" in preview and movers[0].name in preview and "1 indicators" in preview
    assert Organisation.objects.filter(pk=dupe.pk).exists()  # the preview changed nothing

    assert admin_client.post(url, {"target": keep.pk}).status_code == 302
    assert not Organisation.objects.filter(pk=dupe.pk).exists()
    assert set(Person.objects.filter(organisation=keep)) == set(movers)
    indicator.refresh_from_db()
    assert indicator.organisation == keep
    record = movers[0].history.latest()
    assert record.history_change_reason.startswith("Organisation merged: Middlesbrough BC")
    assert record.history_user == admin_user
    kinds = {(c.item_type, c.kind) for c in people_history(partnership_id=partnership.pk).changes}
    assert ("Organisation", "Deleted") in kinds


def test_an_organisation_cannot_be_merged_into_another_partnerships(
    admin_client, partnership, admin_user
):
    ours = factories.OrganisationFactory(partnership=partnership)
    theirs = factories.OrganisationFactory(name="Rotherham Council")
    url = reverse("plans:organisation_merge", args=[ours.pk])
    body = _errors(admin_client.post(url, {"target": theirs.pk}))
    assert "Choose an organisation from the list" in body
    with pytest.raises(ValidationError):
        people_services.organisation_merge(source=ours, target=theirs, user=admin_user)
    assert Organisation.objects.filter(pk__in=[ours.pk, theirs.pk]).count() == 2


def test_organisations_are_added_and_renamed_with_duplicate_names_refused(
    admin_client, partnership
):
    factories.OrganisationFactory(partnership=partnership, name="Cleveland Police")
    url = reverse("plans:organisation_add", args=[partnership.pk])
    body = _errors(admin_client.post(url, {"name": "cleveland police"}))
    assert "There is already an organisation called cleveland police" in body
    assert admin_client.post(url, {"name": "NHS Tees Valley"}).status_code == 302
    nhs = Organisation.objects.get(name="NHS Tees Valley")
    edit = reverse("plans:organisation_edit", args=[nhs.pk])
    assert admin_client.post(edit, {"name": "NHS Tees Valley ICB"}).status_code == 302
    nhs.refresh_from_db()
    assert nhs.name == "NHS Tees Valley ICB"
    assert nhs.history.latest().history_change_reason == "Renamed"


# --- Re-assigning a leaver ----------------------------------------------------------------------


def test_a_leavers_milestones_and_actions_go_to_their_successor_in_one_step(
    admin_client, partnership, admin_user
):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=3)
    leaver = factories.PersonFactory(partnership=partnership, name="Lee Leaver")
    successor = factories.PersonFactory(partnership=partnership, name="Sue Successor")
    Milestone.objects.filter(action__outcome__priority__plan=plan).update(lead=leaver)
    action = Action.objects.filter(outcome__priority__plan=plan).first()
    action.leads.add(leaver)
    versions = dict(Milestone.objects.values_list("pk", "version"))
    url = reverse("plans:person_reassign", args=[leaver.pk])

    preview = admin_client.get(url, {"successor": successor.pk})
    body = preview.content.decode()
    assert "Give 4 items to Sue Successor" in body
    assert "Milestones (3)" in body and "Actions (1)" in body
    assert Milestone.objects.filter(lead=leaver).count() == 3  # nothing moved yet

    assert admin_client.post(url, {"successor": successor.pk}).status_code == 302
    assert Milestone.objects.filter(lead=successor).count() == 3
    assert list(action.leads.all()) == [successor]
    assert dict(Milestone.objects.values_list("pk", "version")) == versions
    for milestone in Milestone.objects.all():
        record = milestone.history.latest()
        assert record.history_change_reason == (
            f"Re-assigned from Lee Leaver ({leaver.role_title}) to "
            f"Sue Successor ({successor.role_title})"
        )
        assert record.history_user == admin_user
    assert action.history.latest().history_change_reason.startswith("Re-assigned from Lee")
    # Shown in the plan's audit trail, the action too (a reason, though no column changed).
    plan_trail = admin_client.get(reverse("plans:plan_history", args=[plan.pk])).content.decode()
    assert plan_trail.count("Re-assigned from Lee Leaver") >= 4


def test_a_leavers_work_cannot_go_to_another_partnerships_person(
    admin_client, partnership, admin_user
):
    leaver = factories.PersonFactory(partnership=partnership)
    factories.MilestoneFactory(
        action__outcome__priority__plan__partnership=partnership, lead=leaver
    )
    stranger = factories.PersonFactory(name="Rotherham Lead")
    url = reverse("plans:person_reassign", args=[leaver.pk])
    _errors(admin_client.post(url, {"successor": stranger.pk}))
    with pytest.raises(ValidationError):
        people_services.leaver_reassign(leaver=leaver, successor=stranger, user=admin_user)
    assert Milestone.objects.get().lead == leaver


# --- Members and roles ----------------------------------------------------------------------------


def test_the_last_admin_cannot_be_demoted_or_removed(admin_client, partnership, admin_user):
    mine = Membership.objects.get(user=admin_user, partnership=partnership)
    body = _errors(
        admin_client.post(reverse("plans:member_role", args=[mine.pk]), {"role": "board"})
    )
    assert "You are the only admin of" in body
    response = admin_client.post(reverse("plans:member_end", args=[mine.pk]), follow=True)
    assert "You are the only admin of" in response.content.decode()
    mine.refresh_from_db()
    assert mine.role == "admin"


def test_an_admin_steps_down_once_another_admin_exists_and_roles_show_in_the_trail(
    admin_client, partnership, admin_user, board_user
):
    board = Membership.objects.get(user=board_user, partnership=partnership)
    url = reverse("plans:member_role", args=[board.pk])
    assert admin_client.post(url, {"role": "admin"}).status_code == 302
    mine = Membership.objects.get(user=admin_user, partnership=partnership)
    response = admin_client.post(reverse("plans:member_role", args=[mine.pk]), {"role": "lead"})
    assert response.status_code == 302 and response["Location"] == reverse("plans:plan_list")
    mine.refresh_from_db()
    assert mine.role == "lead"
    reasons = [c.reason for c in people_history(partnership_id=partnership.pk).changes]
    assert "Role changed from Partnership admin to Lead" in reasons
    assert "Role changed from Board member to Partnership admin" in reasons


def test_ending_a_membership_keeps_the_account_and_its_other_partnerships(
    admin_client, partnership, board_user
):
    elsewhere = factories.MembershipFactory(user=board_user, role="lead")
    board = Membership.objects.get(user=board_user, partnership=partnership)
    assert admin_client.post(reverse("plans:member_end", args=[board.pk])).status_code == 302
    assert not Membership.objects.filter(pk=board.pk).exists()
    assert Membership.objects.filter(pk=elsewhere.pk).exists()
    board_user.refresh_from_db()
    assert board_user.is_active
    assert any(
        c.reason == "Membership ended" and c.kind == "Deleted"
        for c in people_history(partnership_id=partnership.pk).changes
    )


def test_another_partnerships_admin_cannot_change_our_roles(client, partnership, outsider):
    board = factories.MembershipFactory(partnership=partnership, role="board")
    client.force_login(outsider)
    assert (
        client.post(reverse("plans:member_role", args=[board.pk]), {"role": "admin"}).status_code
        == 404
    )
    assert client.post(reverse("plans:member_end", args=[board.pk])).status_code == 404
    board.refresh_from_db()
    assert board.role == "board"


def test_a_removed_flow_account_made_by_invitation_is_recorded_as_this_partnerships(
    partnership, admin_user
):
    """Only an invitation that names a lead records provenance (it follows their e-mail)."""
    person = factories.PersonFactory(partnership=partnership, email="ken@example.org")
    invitation = people_services.invitation_create(
        partnership=partnership,
        email="ken@example.org",
        role="lead",
        person=person,
        user=admin_user,
        base_url="http://testserver/",
    )
    account = people_services.invitation_accept_new_account(
        invitation=invitation, name="Ken Dance", password="a long enough passphrase"
    )
    assert LeadAccount.objects.get(user=account).person == person
    assert Person.objects.get(pk=person.pk).user == account


def test_an_email_only_correction_is_one_change_in_the_trail(admin_client, partnership):
    person = factories.PersonFactory(partnership=partnership, email="")
    before = person.history.count()
    admin_client.post(
        reverse("plans:person_edit", args=[person.pk]),
        {
            "name": person.name,
            "role_title": person.role_title,
            "organisation": person.organisation_id,
            "email": "found@example.org",
        },
    )
    assert person.history.count() == before + 1
    change = people_history(partnership_id=partnership.pk).changes[0]
    assert change.reason == "E-mail address corrected"
    assert [(c.label, c.after) for c in change.changes] == [("Email", "found@example.org")]


def test_removing_a_person_clears_their_invitations_address_and_voids_a_waiting_one(
    partnership, admin_user
):
    person = factories.PersonFactory(partnership=partnership, email="ken@example.org")
    invitation = people_services.invitation_create(
        partnership=partnership,
        email="ken@example.org",
        name="Ken Dance",
        role="lead",
        person=person,
        user=admin_user,
        base_url="http://testserver/",
    )
    services.person_remove(person=person, user=admin_user)
    invitation.refresh_from_db()
    assert (invitation.email, invitation.name, invitation.state) == ("", "", "cancelled")
    assert not invitation.history.filter(email="ken@example.org").exists()
