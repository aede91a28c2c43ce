"""Board packs off the request path: background jobs, their progress, failures, stored packs."""

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from plans.models import Milestone
from reporting import jobs, packs, selectors, services
from reporting.models import PackJob
from tests import factories
from tests.reporting.conftest import record_update

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def plan(partnership):
    return factories.plan_with_milestones(partnership=partnership, milestones=6)


@pytest.fixture
def period(plan):
    return factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=3)


@pytest.fixture
def closed_period(period, admin_user):
    with time_machine.travel(datetime(2020, 1, 10, 9, tzinfo=LONDON), tick=False):
        services.period_close(period=period, user=admin_user)
    period.refresh_from_db()
    return period


@pytest.fixture
def render_calls(monkeypatch):
    """Counts every render of a pack (PDF or Excel), wherever it is called from."""
    calls = []
    real = packs.render

    def counting(pack, fmt):
        calls.append(fmt)
        return real(pack, fmt)

    monkeypatch.setattr(packs, "render", counting)
    return calls


def run_worker():
    """Run the database queue's worker until the queue is empty, as `db_worker` does."""
    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)


def cell_texts(content: bytes) -> str:
    book = load_workbook(BytesIO(content), read_only=True)
    return " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def sheet_titles(content: bytes) -> list[str]:
    return load_workbook(BytesIO(content), read_only=True).sheetnames


@pytest.mark.django_db(transaction=True)
def test_job_waits_in_the_queue_then_the_worker_runs_it_to_done_and_its_file_downloads(
    client, board_user, period, render_calls
):
    client.force_login(board_user)
    response = client.post(reverse("reporting:pack_job_request", args=[period.pk, "xlsx"]))

    job = PackJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reporting:pack_job", args=[job.pk])
    assert job.status == PackJob.Status.QUEUED
    assert job.task_id
    page = client.get(response.url)
    assert "Waiting to start" in page.content.decode()
    assert "data-app-poll" in page.content.decode()

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.progress, job.stage) == (PackJob.Status.DONE, 100, "Ready")
    assert job.attempts == 1
    assert job.started_at and job.finished_at
    assert render_calls == ["xlsx"]
    page = client.get(reverse("reporting:pack_job", args=[job.pk])).content.decode()
    assert "Your board pack is ready" in page
    assert "data-app-poll" not in page

    download = client.get(reverse("reporting:pack_job_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert download.status_code == 200
    assert download["Content-Type"] == packs.FORMATS["xlsx"][0]
    assert "-2019-20-Q3-DRAFT.xlsx" in download["Content-Disposition"]
    assert len(content) == job.size
    assert len(sheet_titles(content)) >= 4


@pytest.mark.django_db
def test_a_pdf_job_stores_a_pdf(board_user, period, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    job = jobs.pack_job_request(period=period, fmt="pdf", user=board_user)

    job.refresh_from_db()
    assert job.status == PackJob.Status.DONE
    assert job.file.open("rb").read(5) == b"%PDF-"


@pytest.mark.django_db
def test_a_failing_render_marks_the_job_failed_with_a_message_and_a_retry_succeeds(
    client, board_user, period, monkeypatch, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    real = packs.render
    failures = []

    def fails_once(pack, fmt):
        if not failures:
            failures.append(fmt)
            raise MemoryError("out of memory while laying out page 412")
        return real(pack, fmt)

    monkeypatch.setattr(packs, "render", fails_once)
    client.force_login(board_user)
    client.post(reverse("reporting:pack_job_request", args=[period.pk, "xlsx"]))

    job = PackJob.objects.get()
    assert job.status == PackJob.Status.FAILED
    assert job.message.startswith("The board pack could not be produced.")
    assert "writing the workbook" in job.message
    assert "Try again" in job.message
    assert "page 412" not in job.message  # internals go to the log, not to users
    page = client.get(reverse("reporting:pack_job", args=[job.pk])).content.decode()
    assert job.message in page.replace("&#x27;", "'")
    assert "Try again" in page
    assert client.get(reverse("reporting:pack_job_download", args=[job.pk])).status_code == 404

    response = client.post(reverse("reporting:pack_job_retry", args=[job.pk]))

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.message, job.attempts) == (PackJob.Status.DONE, "", 2)
    assert PackJob.objects.count() == 1
    download = client.get(reverse("reporting:pack_job_download", args=[job.pk]))
    assert download.status_code == 200


@pytest.mark.django_db
def test_retry_of_a_job_that_did_not_fail_changes_nothing(client, board_user, period, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    job = jobs.pack_job_request(period=period, fmt="xlsx", user=board_user)
    client.force_login(board_user)

    client.post(reverse("reporting:pack_job_retry", args=[job.pk]))

    job.refresh_from_db()
    assert (job.status, job.attempts) == (PackJob.Status.DONE, 1)


@pytest.mark.django_db
def test_a_closed_periods_second_download_serves_the_stored_file_without_rendering(
    client, board_user, closed_period, render_calls
):
    client.force_login(board_user)
    url = reverse("reporting:pack_download", args=[closed_period.pk, "xlsx"])

    first = client.get(url)
    first_content = first.content if not first.streaming else b"".join(first.streaming_content)
    second = client.get(url)
    second_content = b"".join(second.streaming_content)

    assert render_calls == ["xlsx"]
    assert second_content == first_content
    assert second["Content-Type"] == packs.FORMATS["xlsx"][0]
    assert second["Content-Disposition"].endswith('-2019-20-Q3.xlsx"')
    assert PackJob.objects.filter(period=closed_period, status="done").count() == 1


@pytest.mark.django_db
def test_a_closed_period_pack_asked_for_twice_in_the_background_is_rendered_once(
    board_user, admin_user, closed_period, render_calls, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    first = jobs.pack_job_request(period=closed_period, fmt="xlsx", user=board_user)
    second = jobs.pack_job_request(period=closed_period, fmt="xlsx", user=admin_user)

    assert second.pk == first.pk
    assert render_calls == ["xlsx"]
    assert selectors.pack_stored_get(period=closed_period, fmt="xlsx").pk == first.pk
    # Another format or filter is another pack.
    priority = closed_period.plan.priorities.first()
    jobs.pack_job_request(
        period=closed_period, fmt="xlsx", user=board_user, priority_id=priority.pk
    )
    assert render_calls == ["xlsx", "xlsx"]


@pytest.mark.django_db
def test_reclosing_a_reopened_period_makes_a_new_pack(
    board_user, admin_user, closed_period, render_calls, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    first = jobs.pack_job_request(period=closed_period, fmt="xlsx", user=board_user)
    with time_machine.travel(datetime(2020, 1, 20, 9, tzinfo=LONDON), tick=False):
        services.period_reopen(period=closed_period, user=admin_user, reason="A late update")
        closed_period.refresh_from_db()
        services.period_close(period=closed_period, user=admin_user)
    closed_period.refresh_from_db()

    second = jobs.pack_job_request(period=closed_period, fmt="xlsx", user=board_user)

    assert second.pk != first.pk
    assert render_calls == ["xlsx", "xlsx"]


@pytest.mark.django_db
def test_an_open_periods_draft_is_rendered_again_only_once_the_plan_changes(
    board_user, period, render_calls, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    first = jobs.pack_job_request(period=period, fmt="xlsx", user=board_user)
    second = jobs.pack_job_request(period=period, fmt="xlsx", user=board_user)

    assert render_calls == ["xlsx"]  # the second draft reuses the first one's file
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == PackJob.Status.DONE and second.file.name == first.file.name
    assert selectors.pack_stored_get(period=period, fmt="xlsx") is None

    milestone = Milestone.objects.filter(action__outcome__priority__plan=period.plan).first()
    record_update(milestone, status="red", commentary="Funding withdrawn.")
    third = jobs.pack_job_request(period=period, fmt="xlsx", user=board_user)

    assert render_calls == ["xlsx", "xlsx"]
    third.refresh_from_db()
    assert third.file.name != first.file.name
    assert "Funding withdrawn." in cell_texts(third.file.open("rb").read())


@pytest.mark.django_db
def test_a_large_plan_is_not_rendered_in_the_request(
    client, board_user, period, render_calls, settings
):
    settings.PACK_INLINE_MAX_MILESTONES = 5  # the plan has 6
    client.force_login(board_user)

    response = client.get(reverse("reporting:pack_download", args=[period.pk, "pdf"]))

    assert response.status_code == 200
    assert render_calls == []
    assert (
        reverse("reporting:pack_job_request", args=[period.pk, "pdf"]) in response.content.decode()
    )


@pytest.mark.django_db
def test_another_partnerships_jobs_are_not_found(client, outsider, board_user, period, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    job = jobs.pack_job_request(period=period, fmt="xlsx", user=board_user)
    client.force_login(outsider)

    for name in ("reporting:pack_job", "reporting:pack_job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("reporting:pack_job_retry", args=[job.pk])).status_code == 404
    url = reverse("reporting:pack_job_request", args=[period.pk, "xlsx"])
    assert client.post(url).status_code == 404
    assert PackJob.objects.count() == 1


@pytest.mark.django_db
def test_board_pack_page_lists_the_plans_background_packs(client, board_user, period, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    job = jobs.pack_job_request(period=period, fmt="xlsx", user=board_user)
    client.force_login(board_user)

    page = client.get(reverse("reporting:board_pack", args=[period.plan.pk])).content.decode()

    assert "Packs produced in the background" in page
    assert reverse("reporting:pack_job", args=[job.pk]) in page


@pytest.mark.django_db
def test_a_job_whose_heartbeat_stopped_is_queued_again_once_then_failed_and_can_be_retried(
    client, board_user, period, settings
):
    settings.PACK_JOB_STALE_AFTER = 180
    with time_machine.travel(datetime(2020, 1, 6, 9, tzinfo=LONDON), tick=False):
        job = jobs.pack_job_request(period=period, fmt="xlsx", user=board_user)
        # The database worker claimed it, then was killed mid-render (kill -9).
        PackJob.objects.filter(pk=job.pk).update(
            status="running", started_at=job.created_at, heartbeat_at=job.created_at, attempts=1
        )
    client.force_login(board_user)
    url = reverse("reporting:pack_job", args=[job.pk])

    with time_machine.travel(datetime(2020, 1, 6, 9, 2, tzinfo=LONDON), tick=False):
        assert "Being produced" in client.get(url).content.decode()
    with time_machine.travel(datetime(2020, 1, 6, 9, 4, tzinfo=LONDON), tick=False):
        page = client.get(url).content.decode()
    job.refresh_from_db()
    assert job.status == PackJob.Status.QUEUED
    assert "the last one stopped" in page

    # The second worker is killed too: this time the job fails with a sentence.
    with time_machine.travel(datetime(2020, 1, 6, 9, 5, tzinfo=LONDON), tick=False):
        PackJob.objects.filter(pk=job.pk).update(
            status="running", heartbeat_at=timezone.now(), attempts=2
        )
    with time_machine.travel(datetime(2020, 1, 6, 9, 9, tzinfo=LONDON), tick=False):
        # Asking for the same pack notices it, rather than returning the stuck job.
        again = jobs.pack_job_request(period=period, fmt="xlsx", user=board_user)
        page = client.get(url).content.decode()
    job.refresh_from_db()
    assert job.status == PackJob.Status.FAILED
    assert "worker stopped before the board pack was finished" in job.message
    assert again.pk != job.pk
    assert "Try again" in page

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    PackJob.objects.filter(pk=again.pk).delete()
    with time_machine.travel(datetime(2020, 1, 6, 9, 10, tzinfo=LONDON), tick=False):
        client.post(reverse("reporting:pack_job_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == PackJob.Status.DONE


@pytest.mark.django_db
def test_a_job_no_worker_has_picked_up_says_so_after_two_minutes(client, board_user, period):
    with time_machine.travel(datetime(2020, 1, 6, 9, tzinfo=LONDON), tick=False):
        job = jobs.pack_job_request(period=period, fmt="xlsx", user=board_user)
    client.force_login(board_user)
    url = reverse("reporting:pack_job", args=[job.pk])

    with time_machine.travel(datetime(2020, 1, 6, 9, 1, tzinfo=LONDON), tick=False):
        assert "may not be running" not in client.get(url).content.decode()
    with time_machine.travel(datetime(2020, 1, 6, 9, 3, tzinfo=LONDON), tick=False):
        assert "may not be running" in client.get(url).content.decode()
