"""The import journey in the browser: upload → preview (dry run) → confirm. Admins only."""

from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import Action, Milestone, Outcome
from tests import factories

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
MIDDLESBROUGH = FIXTURES / "middlesbrough-action-plan-2009.xlsx"
ROTHERHAM = FIXTURES / "rotherham-cypp-2010-positive-contribution.xlsx"


@pytest.fixture
def plan(partnership):
    return factories.PlanFactory(partnership=partnership, title="Action Plan 2009")


def upload(client, plan, path=MIDDLESBROUGH, content=None, name=None):
    data = content if content is not None else path.read_bytes()
    return client.post(
        reverse("imports:import_start"),
        {"plan": plan.pk, "file": SimpleUploadedFile(name or path.name, data)},
    )


def test_admin_uploads_previews_then_confirms_and_the_plan_is_imported(client, admin_user, plan):
    client.force_login(admin_user)
    response = upload(client, plan)
    assert response.status_code == 302
    preview_url = response["Location"]

    preview = client.get(preview_url)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Check the import" in page
    assert "Staying Safe" in page
    assert "Sheet &#x27;Contents&#x27;" in page or "Sheet 'Contents'" in page
    assert Outcome.objects.count() == 0  # the preview wrote nothing

    sheets = [name for name, _ in preview.context["form"].fields["sheets"].choices]
    confirmed = client.post(preview_url, {"action": "import", "sheets": sheets})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == plan.get_absolute_url()
    assert Outcome.objects.filter(priority__plan=plan).count() == 45
    # The stored upload is gone once imported.
    assert client.get(preview_url).status_code == 404


def test_preview_survives_between_requests_and_counts_what_will_be_created(
    client, admin_user, plan
):
    client.force_login(admin_user)
    preview_url = upload(client, plan, ROTHERHAM)["Location"]
    first = client.get(preview_url)
    second = client.get(preview_url)
    counts = {label: new for label, new, _ in second.context["counts"]}
    assert counts["Outcomes"] == 6
    assert first.context["counts"] == second.context["counts"]
    other_sheets = {report.name: report.outcome for report in second.context["skipped"]}
    assert other_sheets["Aspirations"] == "skipped"
    assert other_sheets["Performance indicators"] in {"skipped", "handler"}
    assert "Performance indicators</strong>:" in second.content.decode()


def test_an_unreadable_file_is_refused_on_the_upload_page_with_a_sentence(client, admin_user, plan):
    client.force_login(admin_user)
    response = upload(client, plan, content=b"not a workbook", name="plan.xlsx")
    assert response.status_code == 200
    assert "not a readable Excel workbook" in response.content.decode()
    assert response.context["form"].errors["file"]


def test_a_file_of_another_type_is_refused(client, admin_user, plan):
    client.force_login(admin_user)
    response = upload(client, plan, content=b"%PDF-1.4", name="plan.pdf")
    assert "must be an Excel workbook (.xlsx or .xls)" in response.content.decode()


def test_an_uncertain_mapping_must_be_confirmed_before_anything_is_saved(client, admin_user, plan):
    client.force_login(admin_user)
    csv = b"Action,Target date or notes,Responsible person\nDo it,May 2019,Jo\n"
    preview_url = upload(client, plan, content=csv, name="plan.csv")["Location"]
    preview = client.get(preview_url)
    assert preview.context["form"].uncertain
    refused = client.post(preview_url, {"action": "import", "sheets": ["plan"]})
    assert refused.status_code == 200
    assert "tick the box to confirm" in refused.content.decode()
    assert not Milestone.objects.exists()

    changed = client.post(
        preview_url,
        {"action": "preview", "sheets": ["plan"], "column_target_date_or_notes": "due"},
    )
    assert changed.status_code == 302
    confirmed = client.post(
        preview_url,
        {
            "action": "import",
            "sheets": ["plan"],
            "column_target_date_or_notes": "due",
            "column_responsible_person": "lead",
            "mapping_confirmed": "on",
        },
    )
    assert confirmed.status_code == 302, confirmed.content.decode()[:2000]
    milestone = Milestone.objects.get()
    assert milestone.due_text == "May 2019"
    assert milestone.lead.name == "Jo"


def test_choosing_sheets_imports_only_those(client, admin_user, plan):
    client.force_login(admin_user)
    preview_url = upload(client, plan)["Location"]
    client.post(preview_url, {"action": "preview", "sheets": ["Being Healthy"]})
    client.post(preview_url, {"action": "import", "sheets": ["Being Healthy"]})
    assert set(Action.objects.values_list("outcome__priority__title", flat=True)) == {
        "Being Healthy"
    }


@pytest.mark.parametrize("role", ["board", "lead"])
def test_non_admins_are_refused(client, partnership, plan, role):
    user = factories.MembershipFactory(partnership=partnership, role=role).user
    client.force_login(user)
    assert client.get(reverse("imports:import_start")).status_code == 403
    assert upload(client, plan).status_code == 403


def test_an_admin_of_another_partnership_cannot_import_into_this_plan(client, outsider, plan):
    client.force_login(outsider)
    response = upload(client, plan)
    assert response.status_code == 200
    assert "Select the plan to import into" in response.content.decode()
    assert not Outcome.objects.exists()


def test_another_users_upload_token_is_not_found(client, admin_user, outsider, plan):
    client.force_login(admin_user)
    preview_url = upload(client, plan)["Location"]
    client.force_login(outsider)
    assert client.get(preview_url).status_code == 404
    assert client.post(preview_url, {"action": "import"}).status_code == 404
    assert not Outcome.objects.exists()


def test_an_admin_demoted_after_uploading_cannot_confirm(client, admin_user, plan):
    client.force_login(admin_user)
    preview_url = upload(client, plan)["Location"]
    factories.MembershipFactory(user=admin_user, role="admin")  # stays admin somewhere else
    admin_user.memberships.filter(partnership=plan.partnership).update(role="board")
    assert client.post(preview_url, {"action": "import"}).status_code == 403
    assert not Outcome.objects.exists()


def test_uploads_never_confirmed_are_deleted_after_a_day(client, admin_user, plan):
    from django.core.files.storage import default_storage

    client.force_login(admin_user)
    folder = f"imports/{admin_user.pk}"

    def files():
        try:
            return set(default_storage.listdir(folder)[1])
        except FileNotFoundError:
            return set()

    before = files()
    with time_machine.travel("2026-01-05 09:00 +0000", tick=False):
        upload(client, plan, ROTHERHAM)
    old = files() - before
    assert len(old) == 1
    with time_machine.travel("2026-01-07 09:00 +0000", tick=False):
        client.force_login(admin_user)  # a new sign-in: sessions idle out long before a day
        upload(client, plan, ROTHERHAM)
    assert not old & files()
    assert len(files() - before) == 1


def test_the_mapping_is_remembered_for_the_next_file_with_the_same_headings(
    client, admin_user, plan
):
    client.force_login(admin_user)
    first = b"Action,Target date or notes,Responsible person\nDo it,May 2019,Jo\n"
    preview_url = upload(client, plan, content=first, name="plan.csv")["Location"]
    client.post(
        preview_url,
        {"action": "preview", "sheets": ["plan"], "column_target_date_or_notes": "notes"},
    )
    imported = client.post(
        preview_url,
        {
            "action": "import",
            "sheets": ["plan"],
            "column_target_date_or_notes": "notes",
            "mapping_confirmed": "on",
        },
    )
    assert imported.status_code == 302
    # Next quarter's file: same headings, one more row.
    second = first + b"Do more,June 2019,Ann\n"
    preview = client.get(upload(client, plan, content=second, name="plan-q2.csv")["Location"])
    form = preview.context["form"]
    assert not form.uncertain
    assert {c.label: c.field for c in form.columns}["Target date or notes"] == "notes"
    rows = preview.context["first_rows"]
    assert [(r["milestone"], r["lead"], r["due"]) for r in rows] == [
        ("Do it", "Jo", ""),
        ("Do more", "Ann", ""),
    ]
    assert "The first rows as they will land" in preview.content.decode()


def test_reimporting_an_updated_spreadsheet_adds_updates_and_reports_missing_items(
    client, admin_user, plan
):
    client.force_login(admin_user)
    first = (
        b"Action,Deadline,Lead,RAG,Progress\n"
        b"Open the hub,31/05/2019,Jo Smith,Green,Building found\n"
        b"Hire two staff,30/06/2019,Ann Lee,Green,Adverts out\n"
    )
    preview_url = upload(client, plan, content=first, name="plan.csv")["Location"]
    assert client.post(preview_url, {"action": "import", "sheets": ["plan"]}).status_code == 302
    # Next quarter: the hub slipped to Amber with a reason; the staff row has gone.
    second = (
        b"Action,Deadline,Lead,RAG,Progress\n"
        b"Open the hub,31/05/2019,Jo Smith,Amber,Lease delayed by the landlord\n"
    )
    preview_url = upload(client, plan, content=second, name="plan-q2.csv")["Location"]
    preview = client.get(preview_url)
    assert preview.context["changes"] == ["'Open the hub': status Green → Amber, new commentary"]
    page = preview.content.decode()
    assert "Changes to milestones already in the plan" in page
    assert any(
        "'Hire two staff' is in the plan but not in this file" in finding.message
        for finding in preview.context["findings"]
    )
    imported = client.post(preview_url, {"action": "import", "sheets": ["plan-q2"]})
    assert imported.status_code == 302
    hub = Milestone.objects.get(text="Open the hub")
    assert hub.status == "amber"
    assert hub.latest_update.commentary == "Lease delayed by the landlord"
    assert hub.updates.count() == 2
    assert Milestone.objects.filter(text="Hire two staff").exists()  # never deleted


def test_a_reimported_red_without_commentary_is_not_applied_and_says_why(client, admin_user, plan):
    client.force_login(admin_user)
    first = b"Action,Deadline,RAG,Progress\nOpen the hub,31/05/2019,Green,Building found\n"
    preview_url = upload(client, plan, content=first, name="plan.csv")["Location"]
    client.post(preview_url, {"action": "import", "sheets": ["plan"]})
    second = b"Action,Deadline,RAG,Progress\nOpen the hub,31/05/2019,Red,\n"
    preview = client.get(upload(client, plan, content=second, name="plan.csv")["Location"])
    assert preview.context["changes"] == []
    assert any(
        "not applied: Enter progress commentary: a Red status needs it" in finding.message
        for finding in preview.context["findings"]
    )
