"""The background worker's faults on PostgreSQL: a terminated connection, a killed worker.

Each test runs the real ``manage.py db_worker`` as a subprocess against the test database
(tests/reporting/slow_worker.py holds each render a few seconds so the fault lands mid-render).
Issue 12, finding 6; the figures are in docs/security.md.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reporting import jobs
from reporting.models import PackJob
from tests import factories

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL (pg_terminate_backend, a worker in another process); CI runs it",
    ),
    pytest.mark.django_db(transaction=True),
]

HARNESS = Path(__file__).with_name("slow_worker.py")
ROOT = HARNESS.parents[2]


@pytest.fixture
def period(partnership):
    plan = factories.plan_with_milestones(partnership=partnership, milestones=6)
    return factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=3)


@pytest.fixture
def workers(tmp_path):
    """Start db_worker subprocesses on the test database; all are stopped at the end."""
    started = []
    db = connection.settings_dict

    def start(*, render_sleep: float, stale_after: float = 180) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "PACK_TEST_RENDER_SLEEP": str(render_sleep),
            "PACK_JOB_HEARTBEAT_EVERY": "0.5",
            "PACK_JOB_STALE_AFTER": str(stale_after),
        }
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(  # noqa: S603 (our own harness, fixed arguments)
            [sys.executable, str(HARNESS)], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}")


def job_state(job: PackJob) -> PackJob:
    job.refresh_from_db()
    return job


def rendering(job: PackJob) -> bool:
    job = job_state(job)
    return job.status == PackJob.Status.RUNNING and job.progress == 30


def terminate_other_backends() -> int:
    """pg_terminate_backend on every connection to the test database but the test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_the_worker_survives_its_connection_being_terminated_mid_render_and_idle(
    board_user, admin_user, period, workers
):
    # The render is held long enough that a loaded machine still terminates it mid-render.
    worker = workers(render_sleep=8)
    job = jobs.pack_job_request(period=period, fmt="xlsx", user=board_user)
    wait_for(lambda: rendering(job), timeout=30, what="the worker to start rendering")

    terminated = terminate_other_backends()
    at = time.monotonic()

    assert terminated >= 1
    # The render finishes, the lost connection is noticed, and the job is queued again once
    # and done on a new connection by the same worker.
    wait_for(lambda: job_state(job).status == "done", timeout=60, what="the job to be done")
    recovered = time.monotonic() - at
    assert job.attempts == 2
    assert worker.poll() is None, "the worker exited"

    # A later pack still runs.
    later = jobs.pack_job_request(period=period, fmt="pdf", user=admin_user)
    wait_for(lambda: job_state(later).status == "done", timeout=60, what="a later job")

    # The connection is terminated, again and again, while the worker polls for work (with
    # DATABASE_CONN_MAX_AGE=0 it holds one only while it looks): it reconnects each time.
    # It polls about once a second; on a loaded machine a poll can take longer, so keep
    # trying (up to 20 s) until a few terminations have landed.
    hits = 0
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and hits < 3:
        hits += terminate_other_backends()
        time.sleep(0.03)
    assert hits >= 1
    assert worker.poll() is None, "the worker exited"
    third = jobs.pack_job_request(
        period=period,
        fmt="xlsx",
        user=admin_user,
        priority_id=period.plan.priorities.first().pk,
    )
    wait_for(lambda: job_state(third).status == "done", timeout=30, what="a job after idling")
    assert worker.poll() is None
    print(
        f"\nterminated mid-render: job done {recovered:.1f} s later (render held 8 s); "
        f"{hits} terminations while idle survived"
    )


def test_a_killed_workers_job_is_queued_again_then_failed_and_a_retry_works(
    board_user, period, workers
):
    job = jobs.pack_job_request(period=period, fmt="xlsx", user=board_user)
    first = workers(render_sleep=30, stale_after=3)
    wait_for(lambda: rendering(job), timeout=30, what="the first worker to render")

    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed = time.monotonic()
    assert job_state(job).status == PackJob.Status.RUNNING  # stuck, as the finding saw

    # A new worker notices the silent heartbeat and takes the job again (its second start).
    second = workers(render_sleep=30, stale_after=3)
    wait_for(lambda: rendering(job) and job.attempts == 2, timeout=30, what="the job queued again")
    requeued = time.monotonic() - killed
    os.kill(second.pid, signal.SIGKILL)
    second.wait(timeout=10)
    killed = time.monotonic()

    # Killed twice: the next worker fails it with a sentence.
    third = workers(render_sleep=0, stale_after=3)
    wait_for(lambda: job_state(job).status == "failed", timeout=30, what="the job to fail")
    failed = time.monotonic() - killed
    assert "worker stopped before the board pack was finished" in job.message

    # "Try again" works on it, and asking for the same pack no longer returns a stuck job.
    retried = jobs.pack_job_retry(job=job, user=board_user)
    assert retried.pk == job.pk
    wait_for(lambda: job_state(job).status == "done", timeout=30, what="the retry to finish")
    assert third.poll() is None
    print(f"\nkill -9: queued again after {requeued:.1f} s, failed after {failed:.1f} s")


def test_four_parallel_requests_for_the_same_draft_render_it_once(
    board_user, admin_user, period, monkeypatch
):
    import threading

    from reporting import packs

    renders = []
    real = packs.render

    def counting(pack, fmt):
        renders.append(fmt)
        time.sleep(1)  # long enough for every request to arrive while the first renders
        return real(pack, fmt)

    monkeypatch.setattr(packs, "render", counting)
    results, errors = [], []

    def ask(user):
        try:
            job, _ = jobs.pack_inline(period=period, fmt="pdf", user=user)
            results.append(job.status)
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connection.close()

    users = [board_user, admin_user, board_user, admin_user]
    threads = [threading.Thread(target=ask, args=(user,)) for user in users]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    took = time.monotonic() - started

    assert errors == []
    assert results == ["done"] * 4
    assert renders == ["pdf"]
    assert PackJob.objects.filter(period=period, fmt="pdf").count() == 1
    print(f"\n4 parallel draft PDFs: 1 render, {took:.1f} s")
