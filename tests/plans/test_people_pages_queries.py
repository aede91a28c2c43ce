"""The people-and-access list pages cost the same number of queries at two sizes (issue 16).

Exact counts, measured: each includes sign-in's session and user reads, the two-factor check,
the membership lookups of the access check, the partnership in the address, the session save
and the header's signed-in line (see test_pages_queries.py); what the page itself reads is in
the comment.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from plans import people as people_services
from plans.models import Invitation
from tests import factories

pytestmark = pytest.mark.django_db

ORGANISATIONS = 12  # the organisations, their people counted in the same query
MEMBERS = 13  # the members with their accounts, then the people they are here
INVITATIONS = 12  # the invitations with who sent and who accepted them
PEOPLE_HISTORY = 21  # 2 per history source (4), then one per related model named


def _fill(partnership, admin_user, size):
    for n in range(size):
        organisation = factories.OrganisationFactory(partnership=partnership)
        person = factories.PersonFactory(partnership=partnership, organisation=organisation)
        member = factories.MembershipFactory(partnership=partnership, role="lead").user
        person.user = member
        person.save()
        invitation = Invitation.objects.create(
            partnership=partnership,
            email=f"invitee{n}@example.org",
            role="board",
            invited_by=admin_user,
            expires_at=timezone.now() + timedelta(days=7),
        )
        if n % 2:
            invitation.accepted_by = member
            invitation.accepted_at = timezone.now()
            invitation.save()
        people_services.organisation_rename(
            organisation=organisation, name=f"Renamed agency {n}", user=admin_user
        )


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize(
    ("name", "queries", "rows"),
    [
        ("plans:organisations", ORGANISATIONS, "organisations"),
        ("plans:members", MEMBERS, "members"),
        ("plans:invitations", INVITATIONS, "invitations"),
        ("plans:people_history", PEOPLE_HISTORY, "changes"),
    ],
)
def test_people_and_access_lists_do_not_grow_with_their_rows(
    client, partnership, admin_user, size, name, queries, rows, django_assert_num_queries
):
    _fill(partnership, admin_user, size)
    client.force_login(admin_user)
    with django_assert_num_queries(queries):
        response = client.get(reverse(name, args=[partnership.pk]))
    assert response.status_code == 200
    assert len(response.context[rows]) >= size
