"""Pack jobs under pressure: a person removed mid-render, per-person limits, parallel drafts.

Issue 12, findings 7 and 12 (the PostgreSQL faults of finding 6 are in test_worker_faults.py).
"""

import pytest
from django.urls import reverse

from plans.services import person_remove
from reporting import jobs, packs, tasks
from reporting.models import PackJob
from tests import factories

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def period(partnership):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=6)
    return factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=3)


@pytest.fixture
def storage_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.mark.django_db
def test_a_person_removed_during_a_render_cancels_the_job_and_its_output_is_never_stored(
    client, admin_user, board_user, partnership, period, settings, storage_dir, monkeypatch
):
    settings.TASKS = IMMEDIATE
    leaving = factories.PersonFactory(partnership=partnership, name="Ken Dance")
    real = packs.render

    def removal_mid_render(pack, fmt):
        content = real(pack, fmt)
        person_remove(person=leaving, user=admin_user)  # the admin removes Ken meanwhile
        return content

    monkeypatch.setattr(packs, "render", removal_mid_render)
    client.force_login(board_user)

    response = client.post(reverse("reporting:pack_job_request", args=[period.pk, "xlsx"]))

    job = PackJob.objects.get()
    assert job.status == PackJob.Status.CANCELLED
    assert stored_files(storage_dir) == []  # no orphan file with the removed name
    page = client.get(response.url)
    assert page.status_code == 200  # not a 404: the watcher is told what happened
    text = page.content.decode().replace("&#x27;", "'")
    assert "cancelled because a person was removed from the partnership" in text
    assert "Ask for the pack again" in text
    assert client.get(reverse("reporting:pack_job_download", args=[job.pk])).status_code == 404

    monkeypatch.setattr(packs, "render", real)
    client.post(reverse("reporting:pack_job_retry", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == PackJob.Status.DONE
    assert len(stored_files(storage_dir)) == 1


@pytest.mark.django_db
def test_queued_packs_are_cancelled_when_a_person_is_removed(
    admin_user, board_user, partnership, period
):
    job = jobs.pack_job_request(period=period, fmt="pdf", user=board_user)  # no worker runs
    leaving = factories.PersonFactory(partnership=partnership)

    person_remove(person=leaving, user=admin_user)

    job.refresh_from_db()
    assert job.status == PackJob.Status.CANCELLED
    assert tasks.pack_job_render.call(job_id=job.pk) == "skipped: not queued"


@pytest.mark.django_db
def test_one_person_can_have_three_packs_waiting_and_identical_requests_share_one(
    client, board_user, admin_user, period
):
    priority = period.plan.priorities.first()
    first = jobs.pack_job_request(period=period, fmt="xlsx", user=board_user)
    for _ in range(5):  # clicking again and again queues nothing more
        assert jobs.pack_job_request(period=period, fmt="xlsx", user=board_user).pk == first.pk
    jobs.pack_job_request(period=period, fmt="pdf", user=board_user)
    jobs.pack_job_request(period=period, fmt="xlsx", user=board_user, priority_id=priority.pk)
    assert PackJob.objects.count() == 3

    with pytest.raises(jobs.PackLimitReached):
        jobs.pack_job_request(period=period, fmt="pdf", user=board_user, priority_id=priority.pk)
    client.force_login(board_user)
    url = reverse("reporting:pack_job_request", args=[period.pk, "pdf"])
    response = client.post(f"{url}?priority={priority.pk}")

    assert response.status_code == 429
    text = response.content.decode()
    assert "You already have 3 board packs waiting or being produced" in text
    assert "govuk-error-summary" in text
    assert PackJob.objects.count() == 3
    # The limit is per person: an admin's pack is not held up by it.
    jobs.pack_job_request(period=period, fmt="pdf", user=admin_user, priority_id=priority.pk)
    assert PackJob.objects.count() == 4


@pytest.mark.django_db
def test_a_draft_asked_for_while_another_request_renders_it_is_not_rendered_twice(
    client, board_user, period, settings, monkeypatch
):
    settings.PACK_INLINE_WAIT = 0.3
    real = packs.render
    renders, nested = [], []
    url = reverse("reporting:pack_download", args=[period.pk, "pdf"])

    def render_with_a_second_request(pack, fmt):
        renders.append(fmt)
        if len(renders) == 1:
            nested.append(client.get(url))  # arrives while this render is under way
        return real(pack, fmt)

    monkeypatch.setattr(packs, "render", render_with_a_second_request)
    client.force_login(board_user)

    first = client.get(url)
    third = client.get(url)

    assert renders == ["pdf"]
    assert first.status_code == 200 and first.content.startswith(b"%PDF-")
    # The second request waited, then was shown the job's progress, not a second render.
    assert nested[0].status_code == 302
    assert nested[0].url == reverse("reporting:pack_job", args=[PackJob.objects.get().pk])
    # Unchanged plan: the third is the stored draft, streamed from storage.
    assert third.streaming
    assert b"".join(third.streaming_content) == first.content


def test_the_task_keeps_the_dotted_path_queued_jobs_were_stored_with():
    # The database queue stores each job's task by this path; a job queued before an upgrade
    # must still be found by the worker after it.
    assert tasks.pack_job_render.module_path == "reporting.tasks.pack_job_render"
