"""Evidence on an update: attached by a lead or admin, checked, stored whole, served to members."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evidence import services
from evidence.models import Attachment
from plans import services as plans_services
from plans.models import ReportingPeriod
from tests import factories
from tests.evidence.conftest import stored_files
from tests.evidence.corpus import corpus, padded_pdf, pdf

ACCEPTED = [case for case in corpus() if not case.refused]
# Names with a folder in them never reach a view: Django's upload parser keeps only the last
# part of a name. They are refused by the service (for any other caller), tested below.
PATH_NAMES = [case for case in corpus() if case.refused == "folder path"]
REFUSED = [case for case in corpus() if case.refused and case.refused != "folder path"]


def _add_url(update):
    return reverse("evidence:attachment_add", args=[update.pk])


def _post(client, update, name, data):
    return client.post(_add_url(update), {"file": SimpleUploadedFile(name, data)})


def _error_text(response) -> str:
    return " ".join(response.context["form"].errors.get("file", []) or [])


@pytest.mark.parametrize("case", ACCEPTED, ids=[c.name[:40] for c in ACCEPTED])
def test_each_accepted_file_is_stored_whole_and_downloads_byte_for_byte(
    client, update, lead_user, board_user, case
):
    client.force_login(lead_user)
    response = _post(client, update, case.name, case.data)
    assert response.status_code == 302, _error_text(response)
    attachment = Attachment.objects.get()
    assert attachment.sha256 == hashlib.sha256(case.data).hexdigest()
    assert attachment.size == len(case.data)
    assert attachment.uploaded_by == lead_user and attachment.uploaded_by_name == "Simon Perry"
    # The stored name is random: nothing of the user's name reaches the storage.
    stem = case.name.rsplit(".", 1)[0][:20]
    assert stem not in attachment.stored_name and len(stored_files()) == 1
    client.force_login(board_user)
    download = client.get(reverse("evidence:attachment_download", args=[attachment.pk]))
    assert download.status_code == 200 and download.streaming
    body = b"".join(download.streaming_content)
    assert body == case.data
    assert hashlib.sha256(body).hexdigest() == attachment.sha256


@pytest.mark.parametrize("case", REFUSED, ids=[c.name[:40] for c in REFUSED])
def test_each_refused_file_says_why_and_stores_nothing(client, update, lead_user, case):
    client.force_login(lead_user)
    response = _post(client, update, case.name, case.data)
    assert response.status_code == 200
    assert case.refused in _error_text(response)
    assert case.refused in response.content.decode().replace("&#x27;", "'")
    assert "There is a problem" in response.content.decode()
    assert not Attachment.objects.exists() and not Attachment.history.exists()
    assert stored_files() == []


@pytest.mark.parametrize("case", PATH_NAMES, ids=[repr(c.name) for c in PATH_NAMES])
def test_a_name_that_could_reach_outside_a_folder_is_refused_and_nothing_stored(
    update, lead_user, case
):
    from io import BytesIO

    with pytest.raises(ValidationError) as refused:
        services.attachment_add(
            update=update, user=lead_user, name=case.name, file=BytesIO(case.data)
        )
    assert "folder path" in refused.value.message_dict["file"][0]
    assert not Attachment.objects.exists() and stored_files() == []


def test_a_path_in_an_uploaded_name_never_reaches_the_storage(client, update, lead_user):
    client.force_login(lead_user)
    _post(client, update, "../../etc/passwd.pdf", pdf())
    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.pdf"  # Django's parser kept the last part
    assert attachment.stored_name.startswith("evidence/") and ".." not in attachment.stored_name


def test_the_download_is_an_attachment_nobody_caches_or_sniffs(client, update, lead_user):
    client.force_login(lead_user)
    _post(client, update, "Minutes – Café.pdf", pdf())
    attachment = Attachment.objects.get()
    response = client.get(reverse("evidence:attachment_download", args=[attachment.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="Minutes _ Caf_.pdf"; '
        "filename*=UTF-8''Minutes%20%E2%80%93%20Caf%C3%A9.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(pdf()))


def _attached(update, user, name="minutes.pdf", data=None):
    from io import BytesIO

    return services.attachment_add(update=update, user=user, name=name, file=BytesIO(data or pdf()))


def test_another_partnership_gets_404_for_the_file_and_the_pages(
    client, update, lead_user, outsider
):
    attachment = _attached(update, lead_user)
    client.force_login(outsider)
    for url in (
        reverse("evidence:attachment_download", args=[attachment.pk]),
        reverse("evidence:attachment_remove", args=[attachment.pk]),
        _add_url(update),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(_add_url(update), {"file": SimpleUploadedFile("a.pdf", pdf())}).status_code
        == 404
    )
    assert Attachment.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, update, lead_user):
    attachment = _attached(update, lead_user)
    response = client.get(reverse("evidence:attachment_download", args=[attachment.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_board_member_may_download_but_not_attach(client, update, lead_user, board_user):
    _attached(update, lead_user)
    client.force_login(board_user)
    assert client.get(_add_url(update)).status_code == 403
    response = client.post(_add_url(update), {"file": SimpleUploadedFile("b.pdf", pdf())})
    assert response.status_code == 403
    assert Attachment.objects.count() == 1 and len(stored_files()) == 1


def test_a_delegate_may_attach_to_the_leads_milestone(client, partnership, update, lead):
    delegate_user = factories.MembershipFactory(partnership=partnership, role="lead").user
    delegate = factories.PersonFactory(partnership=partnership, name="Ann Lee", user=delegate_user)
    plans_services.delegation_create(lead=lead, delegate=delegate)
    client.force_login(delegate_user)
    assert _post(client, update, "minutes.pdf", pdf()).status_code == 302
    assert Attachment.objects.get().uploaded_by_name == "Ann Lee"


def test_a_lead_of_another_milestone_may_not_attach(partnership, update):
    other_user = factories.MembershipFactory(partnership=partnership, role="lead").user
    factories.PersonFactory(partnership=partnership, user=other_user)
    with pytest.raises(PermissionDenied):
        _attached(update, other_user)
    assert stored_files() == []


def test_an_update_frozen_by_a_closed_quarter_takes_no_more_files(client, plan, update, lead_user):
    ReportingPeriod.objects.create(
        plan=plan,
        year=2019,
        quarter=3,
        start_date=timezone.localdate() - timedelta(days=80),
        end_date=timezone.localdate(),
        update_deadline=timezone.localdate(),
        status=ReportingPeriod.Status.CLOSED,
        closed_at=timezone.now() + timedelta(seconds=1),
    )
    client.force_login(lead_user)
    response = _post(client, update, "minutes.pdf", pdf())
    assert "was closed, so its evidence is part of that quarter's board pack" in _error_text(
        response
    ).replace("&#x27;", "'")
    assert not Attachment.objects.exists() and stored_files() == []


def test_removing_a_file_deletes_it_and_keeps_the_record(
    client, update, lead_user, django_capture_on_commit_callbacks
):
    attachment = _attached(update, lead_user)
    client.force_login(lead_user)
    url = reverse("evidence:attachment_remove", args=[attachment.pk])
    assert "Remove the file" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.removed_at is not None and attachment.removed_by == lead_user
    assert stored_files() == []
    history = list(Attachment.history.filter(id=attachment.pk).order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[-1].removed_by_name == "Simon Perry" and history[-1].history_user == lead_user
    assert (
        client.get(reverse("evidence:attachment_download", args=[attachment.pk])).status_code == 404
    )
    page = client.get(update.milestone.get_absolute_url()).content.decode()
    assert "minutes.pdf" in page and "removed on" in page and "by Simon Perry" in page


def test_only_who_attached_a_file_or_an_admin_may_remove_it(
    partnership, update, lead, lead_user, admin_user
):
    attachment = _attached(update, lead_user)
    other_user = factories.MembershipFactory(partnership=partnership, role="lead").user
    other = factories.PersonFactory(partnership=partnership, user=other_user)
    plans_services.delegation_create(lead=lead, delegate=other)  # may attach, did not attach this
    with pytest.raises(PermissionDenied):
        services.attachment_remove(attachment=attachment, user=other_user)
    services.attachment_remove(attachment=attachment, user=admin_user)
    assert Attachment.objects.get().removed_by == admin_user


def test_the_milestone_page_lists_each_updates_files_with_size_and_link(client, update, lead_user):
    small = _attached(update, lead_user, "minutes.pdf")
    _attached(update, lead_user, "strategy.pdf", padded_pdf(1_300_000))
    client.force_login(lead_user)
    page = client.get(update.milestone.get_absolute_url()).content.decode()
    assert f'href="{reverse("evidence:attachment_download", args=[small.pk])}"' in page
    assert "minutes.pdf" in page and f"({len(pdf())} bytes" in page
    assert "strategy.pdf" in page and "(1.2 MB" in page
    assert f'href="{_add_url(update)}"' in page


@pytest.mark.parametrize("updates", [2, 12])
def test_the_milestone_page_costs_the_same_queries_whatever_the_files(
    client, milestone, lead_user, updates, django_assert_num_queries
):
    for n in range(updates):
        update = factories.MilestoneUpdateFactory(milestone=milestone, author=lead_user)
        for m in range(3):
            _attached(update, lead_user, f"file-{n}-{m}.pdf")
    client.force_login(lead_user)
    url = milestone.get_absolute_url()
    client.get(url)
    with django_assert_num_queries(17):  # 1 of them the reviews of its updates (review app)
        response = client.get(url)
    assert response.content.decode().count("file-") >= updates * 3


def test_removing_a_person_covers_their_name_on_files(
    partnership, update, lead, lead_user, admin_user
):
    attachment = _attached(update, lead_user, "Simon Perry appraisal notes.pdf")
    plans_services.person_remove(person=lead, user=admin_user)
    attachment.refresh_from_db()
    assert attachment.uploaded_by_name == "Former lead"
    assert attachment.original_name == "Former lead appraisal notes.pdf"
    for row in Attachment.history.filter(id=attachment.pk):
        assert "Simon Perry" not in row.original_name + row.uploaded_by_name


def test_the_size_limit_is_a_setting(client, settings, update, lead_user):
    settings.EVIDENCE_MAX_BYTES = 1000
    client.force_login(lead_user)
    response = _post(client, update, "minutes.pdf", padded_pdf(1001))
    assert "each file can be at most 1000 bytes" in _error_text(response)
    assert stored_files() == []
