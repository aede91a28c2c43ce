"""Closing a quarter that partners sign off: the warning names what is missing, the admin may
close anyway once they confirm, and the snapshot and pack record who signed off, and when."""

from io import BytesIO

import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from plans.models import ReportingPeriod
from reporting import services as reporting_services
from reporting.models import Snapshot
from reporting.packs import render
from reporting.packs.data import pack_for_period
from signoff import services
from signoff.models import SignoffSettings
from tests.reporting.conftest import at
from tests.system_tools import pdf_text


def close_url(world):
    return reverse("reporting:period_close", args=[world.period.pk])


def test_the_close_page_names_the_missing_sign_offs(client, world):
    services.signoff_sign(
        period=world.period, organisation=world.police, user=world.police_signatory, version=0
    )
    client.force_login(world.admin)
    page = client.get(close_url(world)).content.decode()
    assert (
        "Not signed off: Middlesbrough Council — signatory Bob Jones; the chair (Carol Chair)."
        in page
    )
    assert "Cleveland Police" not in page


def test_closing_with_sign_offs_missing_needs_a_confirmation(client, world):
    client.force_login(world.admin)
    response = client.post(close_url(world))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "Confirm you want to close it without them" in page
    assert not ReportingPeriod.objects.get(pk=world.period.pk).is_closed

    response = client.post(close_url(world), {"close_without_signoff": "yes"}, follow=True)

    assert "2019/20 Q3 is closed" in response.content.decode()
    assert ReportingPeriod.objects.get(pk=world.period.pk).is_closed


def test_without_sign_off_switched_on_the_close_page_warns_of_nothing(client, world):
    SignoffSettings.objects.update(enabled=False)
    client.force_login(world.admin)
    assert "Not signed off" not in client.get(close_url(world)).content.decode()
    client.post(close_url(world))
    assert ReportingPeriod.objects.get(pk=world.period.pk).is_closed
    assert "signoff" not in Snapshot.objects.get().data


def _sign_all(world):
    with time_machine.travel(at(2020, 1, 8, 9, 30), tick=False):
        for organisation, user in (
            (world.police, world.police_signatory),
            (world.council, world.council_signatory),
        ):
            services.signoff_sign(
                period=world.period, organisation=organisation, user=user, version=0
            )
    with time_machine.travel(at(2020, 1, 9, 14), tick=False):
        services.signoff_sign(period=world.period, organisation=None, user=world.chair, version=0)


def test_the_snapshot_records_who_signed_off_and_when(client, world):
    _sign_all(world)
    client.force_login(world.admin)
    page = client.get(close_url(world)).content.decode()
    assert "Not signed off" not in page
    with time_machine.travel(at(2020, 1, 10, 9), tick=False):
        client.post(close_url(world))
    data = Snapshot.objects.get(period=world.period).data
    assert data["signoff"] == {
        "organisations": [
            {
                "organisation": "Cleveland Police",
                "signatory": "Alice Smith",
                "signed_by": "Alice Smith",
                "signed_at": "2020-01-08T09:30:00+00:00",
            },
            {
                "organisation": "Middlesbrough Council",
                "signatory": "Bob Jones",
                "signed_by": "Bob Jones",
                "signed_at": "2020-01-08T09:30:00+00:00",
            },
        ],
        "chair": {
            "signatory": "Carol Chair",
            "signed_by": "Carol Chair",
            "signed_at": "2020-01-09T14:00:00+00:00",
        },
    }
    # The snapshot is fixed: a later change of signatory does not move it.
    services.signatory_set(organisation=world.police, user=world.admin, signatory=world.board)
    pack = pack_for_period(period=ReportingPeriod.objects.get(pk=world.period.pk))
    assert pack["signoff"]["organisations"][0]["signatory"] == "Alice Smith"


def test_the_pdf_and_excel_packs_show_the_sign_off(world):
    _sign_all(world)
    reporting_services.period_close(period=world.period, user=world.admin)
    pack = pack_for_period(period=ReportingPeriod.objects.get(pk=world.period.pk))

    text = pdf_text(render(pack, "pdf"))
    assert "Sign-off" in text
    assert "By Alice Smith on 8 January 2020 at 9:30am" in " ".join(text.split())
    assert "The whole quarter (the chair)" in text

    workbook = load_workbook(BytesIO(render(pack, "xlsx")))
    assert "Sign-off" in workbook.sheetnames
    rows = list(workbook["Sign-off"].iter_rows(min_row=3, values_only=True))
    assert rows == [
        ("Cleveland Police", "Alice Smith", "Alice Smith", "8 January 2020 at 9:30am"),
        ("Middlesbrough Council", "Bob Jones", "Bob Jones", "8 January 2020 at 9:30am"),
        ("The whole quarter (the chair)", "Carol Chair", "Carol Chair", "9 January 2020 at 2pm"),
    ]


def test_a_pack_without_sign_off_has_no_sign_off_sheet(world):
    SignoffSettings.objects.update(enabled=False)
    reporting_services.period_close(period=world.period, user=world.admin)
    pack = pack_for_period(period=ReportingPeriod.objects.get(pk=world.period.pk))
    assert pack["signoff"] is None
    assert "Sign-off" not in load_workbook(BytesIO(render(pack, "xlsx"))).sheetnames


def test_removing_a_signatory_redacts_their_name_in_the_closed_snapshot(world):
    from plans import services as plans_services
    from tests import factories

    _sign_all(world)
    reporting_services.period_close(period=world.period, user=world.admin)
    person = factories.PersonFactory(
        partnership=world.partnership, name="Alice Smith", user=world.police_signatory
    )
    plans_services.person_remove(person=person, user=world.admin)
    data = Snapshot.objects.get(period=world.period).data
    assert "Alice Smith" not in str(data["signoff"])
    assert data["signoff"]["organisations"][0]["signed_by"] == "Former lead"
