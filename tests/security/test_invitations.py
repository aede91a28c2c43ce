"""Invitations (issue 16) attacked as the security issue's penetration tester would: from
another partnership, at accounts that already exist, with used, expired and guessed links.

An invitation's link gives a role in the inviting partnership only. It never sets a password
on an account that exists, nor gives such an account a role unless its owner, signed in as
it, presses Accept; staff and superuser accounts are never given a role by invitation.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from plans import people as people_services
from plans.models import Invitation, LeadAccount, Membership, Person
from tests import factories

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "a long enough passphrase"


@pytest.fixture
def bravo(db):
    partnership = factories.PartnershipFactory(name="Bravo Safeguarding Board", slug="bravo")
    admin = factories.MembershipFactory(
        partnership=partnership, role="admin", user__username="bravo-admin"
    ).user
    return partnership, admin


def _invite(client, partnership, **data):
    response = client.post(reverse("plans:invitation_create", args=[partnership.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Invitation.objects.filter(partnership=partnership).first()


def _link(message) -> str:
    return re.search(r"http://testserver(/accounts/invitation/[^/\s]+/)", message.body).group(1)


def test_an_invited_board_member_sets_a_password_and_joins_this_partnership_only(
    client, partnership, admin_user, immediate_tasks
):
    client.force_login(admin_user)
    invitation = _invite(client, partnership, email="new.member@example.org", role="board")
    assert invitation.invited_by == admin_user and invitation.accepted_at is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.member@example.org"]
    link = _link(mail.outbox[0])
    assert link.split("/")[-2] not in str(Invitation.objects.values_list().get())  # hash only

    visitor = client.__class__()
    landing = visitor.get(link)
    assert landing.status_code == 200 and "Choose a password" in landing.content.decode()
    assert Invitation.objects.get().accepted_at is None  # opening it (mail scanners) spends nothing
    response = visitor.post(
        link, {"name": "Nia Member", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    account = User.objects.get(email="new.member@example.org")
    assert account.check_password(PASSWORD) and account.get_full_name() == "Nia Member"
    assert list(account.memberships.values_list("partnership_id", "role")) == [
        (partnership.pk, "board")
    ]
    assert visitor.get(reverse("plans:plan_list")).status_code == 200  # signed in
    invitation.refresh_from_db()
    assert invitation.accepted_by == account and invitation.accepted_at is not None

    # One use: the same link again, by anyone, is refused and makes nothing.
    again = client.__class__().post(
        link, {"name": "Twice", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert again.status_code == 403
    assert User.objects.filter(email="new.member@example.org").count() == 1


def test_an_expired_cancelled_or_guessed_link_is_refused(
    client, partnership, admin_user, immediate_tasks
):
    client.force_login(admin_user)
    _invite(client, partnership, email="late@example.org", role="lead")
    link = _link(mail.outbox[-1])
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert client.__class__().get(link).status_code == 403
    assert client.__class__().get(link[:-5] + "xxxx/").status_code == 403
    invitation = Invitation.objects.get()
    client.post(reverse("plans:invitation_cancel", args=[invitation.pk]))
    response = client.__class__().post(
        link, {"name": "Late", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="late@example.org").exists()


def test_sending_again_voids_the_old_link(client, partnership, admin_user, immediate_tasks):
    client.force_login(admin_user)
    invitation = _invite(client, partnership, email="again@example.org", role="board")
    first = _link(mail.outbox[-1])
    client.post(reverse("plans:invitation_resend", args=[invitation.pk]))
    second = _link(mail.outbox[-1])
    assert first != second
    assert client.__class__().get(first).status_code == 403
    assert client.__class__().get(second).status_code == 200


def test_bravos_admin_cannot_take_over_an_existing_account_by_inviting_its_address(
    client, partnership, bravo, immediate_tasks
):
    """B's admin invites the address of A's lead, who has an account. Whoever holds the link
    (say B's admin, reading a shared mailbox) gets no password form, and a POST sets nothing."""
    victim = factories.MembershipFactory(
        partnership=partnership,
        role="lead",
        user__username="alpha-lead",
        user__email="alpha.lead@alpha.example.org",
    ).user
    old_password_hash = victim.password
    b, b_admin = bravo
    client.force_login(b_admin)
    _invite(client, b, email="ALPHA.LEAD@alpha.example.org", role="admin")
    link = _link(mail.outbox[-1])

    anonymous = client.__class__()
    landing = anonymous.get(link).content.decode()
    assert "An account already uses" in landing and "Choose a password" not in landing
    response = anonymous.post(link, {"name": "Me", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 403
    victim.refresh_from_db()
    assert victim.password == old_password_hash
    assert not Membership.objects.filter(user=victim, partnership=b).exists()
    assert User.objects.filter(email__iexact="alpha.lead@alpha.example.org").count() == 1

    # Signed in as someone else (B's own admin), the invitation cannot be accepted either.
    page = client.get(link)
    assert "This invitation is for" in page.content.decode()
    assert client.post(link).status_code == 403
    assert not Membership.objects.filter(user=victim, partnership=b).exists()
    assert Membership.objects.get(user=b_admin, partnership=b).role == "admin"


def test_the_owner_of_an_existing_account_accepts_by_signing_in_as_it(
    client, partnership, bravo, immediate_tasks
):
    b, b_admin = bravo
    owner = factories.MembershipFactory(
        partnership=partnership, role="lead", user__email="shared.lead@example.org"
    ).user
    client.force_login(b_admin)
    _invite(client, b, email="shared.lead@example.org", role="board")
    link = _link(mail.outbox[-1])
    them = client.__class__()
    them.force_login(owner)
    assert "Accept the invitation" in them.get(link).content.decode()
    assert them.post(link).status_code == 302
    assert dict(owner.memberships.values_list("partnership_id", "role")) == {
        partnership.pk: "lead",  # their role in A is untouched
        b.pk: "board",
    }


def test_a_staff_or_operator_account_is_never_given_a_role_by_invitation(
    client, partnership, admin_user, immediate_tasks
):
    operator = User.objects.create_superuser("operator", "operator@example.org", PASSWORD)
    client.force_login(admin_user)
    _invite(client, partnership, email="operator@example.org", role="admin")
    link = _link(mail.outbox[-1])
    assert (
        client.__class__()
        .post(link, {"name": "x", "password1": PASSWORD, "password2": PASSWORD})
        .status_code
        == 403
    )
    as_operator = client.__class__()
    as_operator.force_login(operator)
    assert "site operator" in as_operator.get(link).content.decode()
    assert as_operator.post(link).status_code == 403
    assert not Membership.objects.filter(user=operator).exists()
    operator.refresh_from_db()
    assert operator.check_password(PASSWORD) and operator.is_active


def test_inviting_a_lead_links_only_the_chosen_person_of_this_partnership(
    client, partnership, bravo, immediate_tasks
):
    """Alpha has a lead with the same address and no account; B's invitation of that address
    makes a new account in B and links none of A's people (no linking by e-mail address)."""
    alpha_lead = factories.PersonFactory(partnership=partnership, email="dual@example.org")
    b, b_admin = bravo
    b_person = factories.PersonFactory(partnership=b, email="dual@example.org", name="B Lead")
    client.force_login(b_admin)
    _invite(client, b, email="dual@example.org", role="lead", person=b_person.pk)
    link = _link(mail.outbox[-1])
    response = client.__class__().post(
        link, {"name": "B Lead", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    account = User.objects.get(email="dual@example.org")
    assert Person.objects.get(pk=b_person.pk).user == account
    assert Person.objects.get(pk=alpha_lead.pk).user is None
    assert not Membership.objects.filter(user=account, partnership=partnership).exists()
    assert LeadAccount.objects.get(user=account).partnership == b


def test_bravos_admin_cannot_invite_into_alpha_or_as_one_of_alphas_people(
    client, partnership, bravo, admin_user
):
    b, b_admin = bravo
    alpha_person = factories.PersonFactory(partnership=partnership, user=None)
    client.force_login(b_admin)
    url = reverse("plans:invitation_create", args=[partnership.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "x@evil.example", "role": "admin"}).status_code == 404
    response = client.post(
        reverse("plans:invitation_create", args=[b.pk]),
        {"email": "x@evil.example", "role": "lead", "person": alpha_person.pk},
    )
    assert response.status_code == 200
    assert "Choose a person from the list" in response.content.decode()
    with pytest.raises(Exception, match="Choose a person of this partnership"):
        people_services.invitation_create(
            partnership=b,
            email="x@evil.example",
            role="lead",
            person=alpha_person,
            user=b_admin,
            base_url="http://testserver/",
        )
    assert not Invitation.objects.exists()
    # And A's invitations cannot be cancelled or resent from B.
    ours = people_services.invitation_create(
        partnership=partnership,
        email="y@example.org",
        role="board",
        user=admin_user,
        base_url="http://testserver/",
    )
    assert client.post(reverse("plans:invitation_cancel", args=[ours.pk])).status_code == 404
    assert Invitation.objects.get(pk=ours.pk).cancelled_at is None


def test_an_invitation_form_with_mistakes_says_so_and_sends_nothing(
    client, partnership, admin_user, immediate_tasks
):
    client.force_login(admin_user)
    response = client.post(
        reverse("plans:invitation_create", args=[partnership.pk]), {"email": "nope"}
    )
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Enter an email address like name@example.org" in body
    assert "Choose what they will do" in body
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_weak_or_mismatched_password_is_a_form_error_and_makes_no_account(
    client, partnership, admin_user, immediate_tasks
):
    client.force_login(admin_user)
    _invite(client, partnership, email="weak@example.org", role="board")
    link = _link(mail.outbox[-1])
    visitor = client.__class__()
    body = visitor.post(
        link, {"name": "W", "password1": "password", "password2": "password"}
    ).content.decode()
    assert "govuk-error-summary" in body and "too common" in body
    body = visitor.post(
        link, {"name": "W", "password1": PASSWORD, "password2": PASSWORD + "x"}
    ).content.decode()
    assert "The two passwords are not the same" in body
    assert not User.objects.filter(email="weak@example.org").exists()
    assert Invitation.objects.get().accepted_at is None
