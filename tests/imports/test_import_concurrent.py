"""Two admins confirming the same import at once: the second is told what really happened."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports import services
from imports.services import plan_import
from plans.models import Organisation, Outcome, Person
from tests import factories

MIDDLESBROUGH = Path(__file__).resolve().parents[2] / "fixtures/middlesbrough-action-plan-2009.xlsx"


@pytest.fixture
def plan(partnership):
    return factories.PlanFactory(partnership=partnership, title="Action Plan 2009")


def test_the_second_of_two_simultaneous_imports_says_someone_else_imported(
    client, admin_user, plan, monkeypatch
):
    client.force_login(admin_user)
    data = MIDDLESBROUGH.read_bytes()
    preview_url = client.post(
        reverse("imports:import_start"),
        {"plan": plan.pk, "file": SimpleUploadedFile(MIDDLESBROUGH.name, data)},
    )["Location"]
    sheets = [name for name, _ in client.get(preview_url).context["form"].fields["sheets"].choices]

    # The other admin's import of the same file lands after this one has read the plan and
    # its people and before it adds them: the moment two confirmations overlap.
    original = services._Writer.add_people
    landed = []

    def other_admin_imports_meanwhile(writer, leads):
        if not landed:
            landed.append(None)  # once: the other import adds people through here too
            landed[0] = plan_import(plan=plan, data=data, filename=MIDDLESBROUGH.name)
        original(writer, leads)

    monkeypatch.setattr(services._Writer, "add_people", other_admin_imports_meanwhile)
    response = client.post(preview_url, {"action": "import", "sheets": sheets})

    assert landed and landed[0].ok and landed[0].created["people"] > 0
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else imported into this plan at the same time" in page
    assert "very long cells" not in page
    # This file's import landed nothing (here the simulated other import shared its
    # transaction, so it is rolled back too).
    assert Outcome.objects.filter(priority__plan=plan).count() == 0
    people = Person.objects.filter(partnership=plan.partnership).exclude(user=admin_user)
    assert not people.exists()
    assert not Organisation.objects.filter(partnership=plan.partnership).exists()
