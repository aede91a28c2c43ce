"""The plan's JSON export carries the sign-off settings, nominations and sign-offs, and an
import rebuilds them (nominations where a member has the exported address)."""

import json

from portability.export import plan_export
from portability.json_import import plan_json_import
from signoff import services
from signoff.models import Signatory, Signoff, SignoffSettings
from tests import factories


def test_the_export_and_import_carry_settings_nominations_and_sign_offs(world):
    services.signoff_sign(
        period=world.period, organisation=world.police, user=world.police_signatory, version=0
    )
    services.signoff_sign(
        period=world.period, organisation=world.council, user=world.council_signatory, version=0
    )
    services.signoff_withdraw(
        period=world.period,
        organisation=world.council,
        user=world.admin,
        version=1,
        reason="Revised update",
    )
    data = json.loads(json.dumps(plan_export(plan=world.plan)))
    section = data["signoff"]
    assert section["enabled"] is True
    assert section["chair"] == {"name": "Carol Chair", "email": world.chair.email}
    assert [s["name"] for s in section["signatories"]] == ["Alice Smith", "Bob Jones"]
    assert [(s["signed_by_name"], s["withdrawn_reason"]) for s in section["signoffs"]] == [
        ("Alice Smith", ""),
        ("", "Revised update"),
    ]

    # Into a new partnership where Alice is a member (by e-mail address) and Bob is not.
    new = factories.PartnershipFactory(name="Copy Trust")
    factories.MembershipFactory(
        partnership=new, user__username="alice-again", user__email=world.police_signatory.email
    )
    copy = plan_json_import(data=data, partnership_name="Copy Trust")

    assert SignoffSettings.objects.get(partnership=new).enabled
    assert [
        (s.organisation.name, s.user.username)
        for s in Signatory.objects.filter(organisation__partnership=new)
    ] == [("Cleveland Police", "alice-again")]
    rows = Signoff.objects.filter(period__plan=copy).order_by("organisation__name")
    assert [(r.organisation.name, r.signed_by_name, r.is_signed) for r in rows] == [
        ("Cleveland Police", "Alice Smith", True),
        ("Middlesbrough Council", "", False),
    ]


def test_without_emails_the_export_names_no_address(world):
    data = plan_export(plan=world.plan, with_emails=False)
    assert data["signoff"]["chair"]["email"] == ""
    assert all(s["email"] == "" for s in data["signoff"]["signatories"])
