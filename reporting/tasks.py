"""Board packs off the request path: a background task renders, records progress, stores the file.

Why django-tasks with its database backend (django-tasks-db) rather than Celery + Redis: it is
the backport of the task API built into Django 6.0, so the code moves to ``django.tasks``
unchanged on upgrade; its queue is a table in the database the product already has, so a
newcomer on SQLite and production on PostgreSQL run the same code with no broker to install,
secure and monitor; and enqueueing a job is part of the same transaction that records it, so
a job can never be queued for a row that was rolled back. One pack every few minutes per
partnership does not need a broker's throughput. A worker runs beside the web server:
``python manage.py db_worker``.

A closed period's pack is rendered once per snapshot, format and filter and then served from
the stored file; a later close (after a reopen) has a new snapshot and so a new pack. An open
period's pack is live data (DRAFT) and is rendered for each request.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils import timezone
from django_tasks import task

from plans.models import Milestone, Plan, ReportingPeriod
from reporting import packs, selectors
from reporting.models import PackJob

logger = logging.getLogger(__name__)

ACTIVE = (PackJob.Status.QUEUED, PackJob.Status.RUNNING)
# A job still "running" after this long lost its worker (stopped, or killed for memory).
RUNNING_TOO_LONG = timedelta(minutes=30)
# A job still waiting after this long suggests no worker is running at all.
WAITING_TOO_LONG = timedelta(minutes=2)
REUSABLE = (PackJob.Status.QUEUED, PackJob.Status.RUNNING, PackJob.Status.DONE)


def _filters(*, priority_id: int | None, organisation_id: int | None) -> dict:
    return {"priority_id": priority_id, "organisation_id": organisation_id}


def pack_needs_background(*, plan_id: int) -> bool:
    """True when the plan is too big to render a pack inside a web request."""
    limit = settings.PACK_INLINE_MAX_MILESTONES
    # Counting stops at the limit: a 50,000-milestone plan costs no more to check than a small one.
    found = Milestone.objects.filter(action__outcome__priority__plan_id=plan_id)[: limit + 1]
    return found.count() > limit


def pack_stored_get(
    *,
    period: ReportingPeriod,
    fmt: str,
    priority_id: int | None = None,
    organisation_id: int | None = None,
) -> PackJob | None:
    """The stored pack of a closed period for this format and filter, if produced already."""
    if not period.is_closed:
        return None
    snapshot = selectors.snapshot_latest(period=period)
    if snapshot is None:
        return None
    return (
        PackJob.objects.filter(
            period=period,
            snapshot=snapshot,
            fmt=fmt,
            status=PackJob.Status.DONE,
            **_filters(priority_id=priority_id, organisation_id=organisation_id),
        )
        .exclude(file="")
        .order_by("-finished_at", "-pk")
        .first()
    )


def pack_job_request(
    *,
    period: ReportingPeriod,
    fmt: str,
    user,
    priority_id: int | None = None,
    organisation_id: int | None = None,
) -> PackJob:
    """Queue a pack for the background worker, or return the job already doing (or done) it."""
    if fmt not in packs.FORMATS:
        raise ValidationError("Board packs come as PDF or Excel.")
    filters = _filters(priority_id=priority_id, organisation_id=organisation_id)
    with transaction.atomic():
        # One request at a time per period, so two clicks cannot queue the same pack twice.
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        snapshot = selectors.snapshot_latest(period=period) if period.is_closed else None
        existing = PackJob.objects.filter(period=period, fmt=fmt, **filters)
        if snapshot is not None:
            existing = existing.filter(snapshot=snapshot, status__in=REUSABLE)
        else:
            existing = existing.filter(snapshot__isnull=True, status__in=ACTIVE)
        job = existing.order_by("-created_at", "-pk").first()
        if job is not None:
            return job
        job = PackJob.objects.create(
            period=period,
            snapshot=snapshot,
            fmt=fmt,
            requested_by=user,
            stage="Waiting for the background worker",
            **filters,
        )
        _enqueue(job)
    return job


def pack_job_retry(*, job: PackJob) -> PackJob:
    """Queue a failed job again."""
    with transaction.atomic():
        job = PackJob.objects.select_for_update().get(pk=job.pk)
        if job.status != PackJob.Status.FAILED:
            raise ValidationError("Only a pack that failed can be tried again.")
        job.status = PackJob.Status.QUEUED
        job.progress = 0
        job.stage = "Waiting for the background worker"
        job.message = ""
        job.started_at = job.finished_at = None
        job.save(
            update_fields=["status", "progress", "stage", "message", "started_at", "finished_at"]
        )
        _enqueue(job)
    return job


def _enqueue(job: PackJob) -> None:
    result = pack_job_render.enqueue(job_id=job.pk)
    # The immediate backend (tests, or TASKS set so) has already run the job by now.
    PackJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def _progress(job: PackJob, progress: int, stage: str) -> None:
    job.progress, job.stage = progress, stage
    PackJob.objects.filter(pk=job.pk).update(progress=progress, stage=stage)


@task()
def pack_job_render(*, job_id: int) -> str:
    """The background task: build the pack's data, render it, store the file, record status."""
    claimed = PackJob.objects.filter(pk=job_id, status=PackJob.Status.QUEUED).update(
        status=PackJob.Status.RUNNING,
        started_at=timezone.now(),
        progress=5,
        stage="Starting",
    )
    if not claimed:
        return "skipped: not queued"
    job = PackJob.objects.select_related("period__plan__partnership").get(pk=job_id)
    PackJob.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
    started = time.perf_counter()
    try:
        _progress(job, 10, "Reading the plan")
        data = packs.pack_for_period(
            period=job.period,
            priority_id=job.priority_id,
            organisation_id=job.organisation_id,
        )
        _progress(job, 30, "Laying out the pages" if job.fmt == "pdf" else "Writing the workbook")
        content = packs.render(data, job.fmt)
        _progress(job, 90, "Storing the file")
        filename = packs.pack_filename(data, job.fmt)
        job.file.save(filename, ContentFile(content), save=False)
        PackJob.objects.filter(pk=job.pk).update(
            status=PackJob.Status.DONE,
            progress=100,
            stage="Ready",
            file=job.file.name,
            filename=filename,
            size=len(content),
            finished_at=timezone.now(),
        )
    except Exception:
        # Any failure of data, layout or storage: the user gets a sentence and a retry
        # button; the details go to the log for whoever runs the service.
        logger.exception("Board pack job %s failed", job_id)
        PackJob.objects.filter(pk=job.pk).update(
            status=PackJob.Status.FAILED,
            stage="Failed",
            message=failure_message(job.stage),
            finished_at=timezone.now(),
        )
        return "failed"
    logger.info("Board pack job %s done in %.1f s", job_id, time.perf_counter() - started)
    return "done"


def failure_message(stage: str) -> str:
    """What a user reads when a pack fails: where it stopped and what to do (no internals)."""
    where = f" It stopped at this step: {stage.lower()}." if stage else ""
    return (
        f"The board pack could not be produced.{where} Try again. If it fails again, tell "
        "your partnership admin: the details are in the service's log."
    )


def pack_jobs_recent(*, plan: Plan, limit: int = 10) -> QuerySet[PackJob]:
    """The plan's latest background packs, newest first, for the board pack page."""
    return (
        PackJob.objects.filter(period__plan=plan)
        .select_related("period", "priority", "organisation")
        .order_by("-created_at", "-pk")[:limit]
    )


def pack_job_get(*, user, pk: int) -> PackJob:
    """One job of a plan of the user's partnerships, or 404 (through the period's scope)."""
    job = PackJob.objects.filter(pk=pk).only("pk", "period_id").first()
    if job is None:
        raise Http404("No such board pack.")
    period = selectors.period_get(user=user, pk=job.period_id)
    pack_jobs_expire()
    job = PackJob.objects.select_related("priority", "organisation").get(pk=pk)
    job.period = period
    job.waiting_too_long = (
        job.status == PackJob.Status.QUEUED and timezone.now() - job.created_at > WAITING_TOO_LONG
    )
    return job


def pack_jobs_expire(*, now=None) -> int:
    """Mark jobs whose worker vanished mid-render as failed, so they can be tried again."""
    now = now or timezone.now()
    return PackJob.objects.filter(
        status=PackJob.Status.RUNNING, started_at__lt=now - RUNNING_TOO_LONG
    ).update(
        status=PackJob.Status.FAILED,
        stage="Failed",
        message=(
            "The background worker stopped before the board pack was finished. Try again. If "
            "it stops again, tell your partnership admin: the pack may be too large for the "
            "worker's memory."
        ),
        finished_at=now,
    )


def pack_file_response(job: PackJob) -> FileResponse:
    """The stored file as a download: streamed from storage, never rendered again."""
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename or job.file.name.rsplit("/", 1)[-1],
        content_type=packs.FORMATS[job.fmt][0],
    )
    response["Cache-Control"] = "private, no-store"
    return response


def pack_store_rendered(
    *,
    period: ReportingPeriod,
    fmt: str,
    content: bytes,
    filename: str,
    user,
    priority_id: int | None = None,
    organisation_id: int | None = None,
) -> PackJob | None:
    """Keep a closed period's pack rendered inside a request, so it is never rendered again."""
    if not period.is_closed:
        return None
    snapshot = selectors.snapshot_latest(period=period)
    if snapshot is None:
        return None
    now = timezone.now()
    job = PackJob(
        period=period,
        snapshot=snapshot,
        fmt=fmt,
        requested_by=user,
        status=PackJob.Status.DONE,
        progress=100,
        stage="Ready",
        filename=filename,
        size=len(content),
        attempts=1,
        started_at=now,
        finished_at=now,
        **_filters(priority_id=priority_id, organisation_id=organisation_id),
    )
    job.file.save(filename, ContentFile(content), save=False)
    job.save()
    return job
