"""Pack files say what they hold: partnership, plan, quarter and subset in the file name and
the PDF's title; the snapshot's digest in the document properties, not on the cover."""

from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from plans.models import Partnership
from reporting import jobs, services
from reporting.packs import build_pack, pack_filename
from reporting.packs.data import pack_for_period
from tests.reporting.conftest import at, pdf_text


@pytest.fixture
def closed_q3(scenario):
    Partnership.objects.filter(pk=scenario.plan.partnership_id).update(
        name="Middlesbrough Children's Trust"
    )
    scenario.plan.title = "Action Plan 2009"
    scenario.plan.save()
    with time_machine.travel(at(2020, 1, 10, 9), tick=False):
        services.period_close(period=scenario.q3, user=scenario.admin)
    scenario.q3.refresh_from_db()
    return scenario


def test_whole_plan_and_priority_packs_have_different_names_that_say_what_they_hold(closed_q3):
    period = closed_q3.q3
    priority = closed_q3.priorities[0]
    whole = pack_for_period(period=period)
    subset = pack_for_period(period=period, priority_id=priority.pk)
    slug = priority.title.lower().replace(" ", "-")

    assert pack_filename(whole, "pdf") == (
        "middlesbrough-childrens-trust-action-plan-2009-2019-20-Q3.pdf"
    )
    assert pack_filename(subset, "pdf") == (
        f"middlesbrough-childrens-trust-action-plan-2009-2019-20-Q3-{slug}.pdf"
    )
    police = pack_for_period(period=period, organisation_id=closed_q3.police.pk)
    assert pack_filename(police, "xlsx").endswith("-2019-20-Q3-cleveland-police.xlsx")


def test_an_open_quarters_file_name_is_marked_draft(scenario):
    assert pack_filename(pack_for_period(period=scenario.q3), "pdf").endswith(
        "-2019-20-Q3-DRAFT.pdf"
    )


def test_the_download_and_the_background_job_use_the_same_name(
    client, closed_q3, board_user, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    priority = closed_q3.priorities[0]
    client.force_login(board_user)
    url = reverse("reporting:pack_download", kwargs={"pk": closed_q3.q3.pk, "fmt": "xlsx"})
    response = client.get(url, {"priority": priority.pk})
    expected = pack_filename(pack_for_period(period=closed_q3.q3, priority_id=priority.pk), "xlsx")
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'

    job = jobs.pack_job_request(
        period=closed_q3.q3, fmt="xlsx", user=board_user, priority_id=closed_q3.priorities[-1].pk
    )
    job.refresh_from_db()
    assert job.filename.startswith("middlesbrough-childrens-trust-action-plan-2009-2019-20-Q3-")
    assert job.filename != expected


def test_the_pdf_title_names_the_subset_and_the_digest_is_a_property_not_on_the_cover(closed_q3):
    priority = closed_q3.priorities[0]
    with time_machine.travel(at(2020, 1, 11, 9), tick=False):
        pdf = build_pack(period_id=closed_q3.q3.pk, fmt="pdf", priority_id=priority.pk)
    digest = closed_q3.q3.snapshots.get().digest
    meta = PdfReader(BytesIO(pdf)).metadata

    assert meta.title.startswith("Board pack 2019/20 Q3: Action Plan 2009, Priority ")
    assert priority.title in meta.title
    assert meta["/snapshotsha256"] == digest
    assert digest in meta["/Keywords"]
    assert digest[:12] not in pdf_text(pdf)


def test_the_workbook_properties_carry_the_digest_and_the_subset(closed_q3):
    priority = closed_q3.priorities[0]
    workbook = load_workbook(
        BytesIO(build_pack(period_id=closed_q3.q3.pk, fmt="xlsx", priority_id=priority.pk))
    )
    assert priority.title in workbook.properties.title
    assert closed_q3.q3.snapshots.get().digest in workbook.properties.keywords


def test_the_cover_names_the_board_and_meeting_an_admin_set_and_stored_files_are_remade(
    client, closed_q3, board_user
):
    download = reverse("reporting:pack_download", kwargs={"pk": closed_q3.q3.pk, "fmt": "pdf"})
    meeting_url = reverse("reporting:period_meeting", kwargs={"pk": closed_q3.q3.pk})
    with time_machine.travel(at(2020, 1, 11, 9), tick=False):
        client.force_login(board_user)
        assert "For the meeting of" not in pdf_text(body(client.get(download)))
        assert client.get(meeting_url).status_code == 403

        client.force_login(closed_q3.admin)
        response = client.post(
            meeting_url,
            {
                "board_name": "Children's Trust Board",
                "meeting_date-day": "27",
                "meeting_date-month": "1",
                "meeting_date-year": "2020",
            },
        )
        assert response.status_code == 302
        text = pdf_text(body(client.get(download)))
    assert "For the meeting of Children's Trust Board on Monday 27 January 2020" in text
    assert closed_q3.q3.board_meeting.history.get().history_user == closed_q3.admin


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_meeting_date_that_is_not_a_date_is_an_error(client, closed_q3):
    client.force_login(closed_q3.admin)
    response = client.post(
        reverse("reporting:period_meeting", kwargs={"pk": closed_q3.q3.pk}),
        {"meeting_date-day": "31", "meeting_date-month": "2", "meeting_date-year": "2020"},
    )
    assert response.status_code == 200
    assert "<title>Error: " in response.content.decode()
