"""Evidence travels: board packs (PDF and Excel) list it, snapshots freeze it, exports carry it."""

import hashlib
import io
import json
import re
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evidence import services
from evidence.models import Attachment
from plans import services as plans_services
from portability.export import plan_export, plan_export_zip
from portability.json_import import plan_json_import
from reporting import selectors as reporting_selectors
from reporting import services as reporting_services
from reporting.models import Snapshot
from reporting.packs.data import pack_for_period
from reporting.packs.excel import render_xlsx
from tests import factories
from tests.evidence.corpus import docx, padded_pdf, pdf
from tests.reporting.conftest import xlsx_values


def _attach(update, user, name, data):
    return services.attachment_add(update=update, user=user, name=name, file=io.BytesIO(data))


@pytest.fixture
def period(plan):
    return factories.ReportingPeriodFactory(plan=plan)


def test_the_excel_pack_lists_each_milestones_files_with_names_and_sizes(period, update, lead_user):
    _attach(update, lead_user, "board-minutes.pdf", pdf())
    _attach(update, lead_user, "strategy.pdf", padded_pdf(1_300_000))
    sheets = xlsx_values(render_xlsx(pack_for_period(period=period)))
    rows = sheets["Evidence"][2:]
    assert [(r[3], r[4], r[5]) for r in rows] == [
        ("board-minutes.pdf", f"{len(pdf())} bytes", "Simon Perry"),
        ("strategy.pdf", "1.2 MB", "Simon Perry"),
    ]
    assert rows[0][1].endswith("Train 40 staff in safeguarding")


def test_a_pack_without_evidence_has_no_evidence_sheet_and_no_key(period, update):
    pack = pack_for_period(period=period)
    assert "Evidence" not in xlsx_values(render_xlsx(pack))
    assert all("attachments" not in m for m in pack["milestones"])


def test_the_pdf_pack_lists_the_files_under_the_milestone(period, update, lead_user):
    from reporting.packs.pdf import render_pdf
    from tests.system_tools import pdf_text

    _attach(update, lead_user, "board-minutes.pdf", pdf())
    text = re.sub(r"\s+", " ", pdf_text(render_pdf(pack_for_period(period=period))))
    assert f"Evidence: board-minutes.pdf ({len(pdf())} bytes)" in text


def test_removed_files_leave_the_pack(period, update, lead_user):
    attachment = _attach(update, lead_user, "board-minutes.pdf", pdf())
    services.attachment_remove(attachment=attachment, user=lead_user)
    assert all("attachments" not in m for m in pack_for_period(period=period)["milestones"])


@pytest.mark.parametrize("milestones", [2, 10])
def test_the_pack_state_costs_the_same_queries_whatever_the_files(
    plan, period, lead, lead_user, milestones, django_assert_num_queries
):
    for n in range(milestones):
        milestone = factories.MilestoneFactory(action__outcome__priority__plan=plan, lead=lead)
        update = factories.MilestoneUpdateFactory(milestone=milestone, author=lead_user)
        for m in range(2):
            _attach(update, lead_user, f"file-{n}-{m}.pdf", pdf())
    with django_assert_num_queries(9):  # 1 of them: does the partnership flag reviews?
        state = reporting_selectors.plan_state(period=period)
    files = [
        a
        for p in state["priorities"]
        for o in p["outcomes"]
        for ac in o["actions"]
        for m in ac["milestones"]
        for a in m.get("attachments", [])
    ]
    assert len(files) == milestones * 2


def test_a_closed_quarter_freezes_its_files_and_a_removal_covers_the_name(
    plan, period, update, lead, lead_user, admin_user
):
    _attach(update, lead_user, "Simon Perry appraisal.pdf", pdf())
    reporting_services.period_close(period=period, user=admin_user)
    frozen = pack_for_period(period=period)
    (row,) = [m for m in frozen["milestones"] if m.get("attachments")]
    assert row["attachments"][0]["file_name"] == "Simon Perry appraisal.pdf"
    plans_services.person_remove(person=lead, user=admin_user)
    data = json.dumps(Snapshot.objects.get(period=period).data)
    assert "Simon Perry" not in data and "Former lead appraisal.pdf" in data


def test_the_json_export_carries_the_metadata_and_comes_back(plan, update, lead_user, admin_user):
    kept = _attach(update, lead_user, "board-minutes.pdf", pdf())
    gone = _attach(update, lead_user, "draft.docx", docx())
    services.attachment_remove(attachment=gone, user=admin_user)
    data = json.loads(json.dumps(plan_export(plan=plan)))
    exported = [
        a
        for p in data["priorities"]
        for o in p["outcomes"]
        for ac in o["actions"]
        for m in ac["milestones"]
        for u in m["updates"]
        for a in u["attachments"]
    ]
    assert [(a["name"], a["size"], a["sha256"], a["removed_at"] is None) for a in exported] == [
        ("board-minutes.pdf", kept.size, kept.sha256, True),
        ("draft.docx", gone.size, gone.sha256, False),
    ]
    assert exported[0]["content_type"] == "application/pdf"
    assert exported[0]["uploaded_by_name"] == "Simon Perry"
    copy = plan_json_import(data=data, partnership_name="Restored Trust")
    again = Attachment.objects.filter(
        update__milestone__action__outcome__priority__plan=copy
    ).order_by("created_at", "pk")
    assert [(a.original_name, a.sha256, a.is_held) for a in again] == [
        ("board-minutes.pdf", kept.sha256, False),  # the metadata; the bytes are in the zip
        ("draft.docx", gone.sha256, False),
    ]
    assert Attachment.history.filter(id__in=[a.pk for a in again]).count() == 2


def test_the_zip_holds_the_json_and_every_file_byte_for_byte(
    client, plan, update, lead_user, board_user
):
    kept = _attach(update, lead_user, "board-minutes.pdf", pdf())
    word = _attach(update, lead_user, "strategy.docx", docx())
    client.force_login(board_user)
    response = client.get(reverse("portability:plan_export_zip", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == [
        f"files/{kept.pk}-board-minutes.pdf",
        f"files/{word.pk}-strategy.docx",
        "plan.json",
    ]
    assert archive.read(f"files/{kept.pk}-board-minutes.pdf") == pdf()
    assert hashlib.sha256(archive.read(f"files/{word.pk}-strategy.docx")).hexdigest() == word.sha256
    data = json.loads(archive.read("plan.json"))
    assert data["format"] == "partnership-plan"
    # Board members' exports carry no e-mail addresses, as the JSON download.
    assert all(p["email"] == "" for p in data["people"])


def test_another_partnership_gets_404_for_the_zip(client, plan, outsider):
    client.force_login(outsider)
    assert client.get(reverse("portability:plan_export_zip", args=[plan.pk])).status_code == 404


def test_the_zip_export_costs_the_same_queries_whatever_the_files(plan, lead, lead_user):
    counts = []
    for size in (1, 6):
        for n in range(size):
            milestone = factories.MilestoneFactory(action__outcome__priority__plan=plan, lead=lead)
            update = factories.MilestoneUpdateFactory(milestone=milestone, author=lead_user)
            _attach(update, lead_user, f"f{size}-{n}.pdf", pdf())
        with CaptureQueriesContext(connection) as queries:
            plan_export_zip(plan=plan, user_id=None, out=io.BytesIO())
        counts.append(len(queries))
    assert counts[0] == counts[1]
