"""Board pack jobs: queue a pack for the worker, render it, store the file, survive faults.

The services behind the background task (``reporting.tasks.pack_job_render``, whose body is
``pack_job_run``) and the inline render of a small plan's pack. Reads of jobs are in
``reporting.selectors``; the HTTP responses are built by ``reporting.views``.

A closed period's pack is rendered once per snapshot, format and filter and then served from
the stored file; a later close (after a reopen) has a new snapshot and so a new pack. An open
period's pack is live data (DRAFT): it is served from the stored file while the pack's data is
unchanged (``source_digest``, a SHA-256 of the data the pack is laid out from) and rendered
again once anything in it changes.

Faults the worker survives (docs/security.md, issue 12 finding 6): a lost database connection
(the connection is closed and opened again, and the job is queued again once); a worker that
is killed (its job's heartbeat stops, and the job is queued again once or failed with a
sentence, when someone looks at it, asks for the same pack, or a worker checks).
"""

import hashlib
import json
import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from plans.models import ReportingPeriod
from reporting import packs, selectors, tasks
from reporting.models import PackJob

logger = logging.getLogger(__name__)

ACTIVE = (PackJob.Status.QUEUED, PackJob.Status.RUNNING)
REUSABLE = (PackJob.Status.QUEUED, PackJob.Status.RUNNING, PackJob.Status.DONE)
# A job whose worker was lost is queued again automatically until it has been started this
# many times; after that it fails with a sentence and a "Try again" button.
AUTOMATIC_ATTEMPTS = 2
WAITING_STAGE = "Waiting for the background worker"
REQUEUED_STAGE = "Waiting for the background worker again: the last one stopped"
WORKER_LOST_MESSAGE = (
    "The background worker stopped before the board pack was finished, and stopped again "
    "when it was tried a second time. Try again. If it stops again, tell your partnership "
    "admin: the pack may be too large for the worker's memory."
)


class PackLimitReached(ValidationError):
    """The person already has as many packs waiting or being produced as one person may."""


class _Superseded(Exception):
    """The job was cancelled, or handed to another worker, while this one was rendering it."""


def _filters(*, priority_id: int | None, organisation_id: int | None) -> dict:
    return selectors.pack_filters(priority_id=priority_id, organisation_id=organisation_id)


def connections_mend() -> None:
    """Close this thread's database connections that have died, so the next query reconnects.

    A terminated backend or a restarted server leaves Django holding a dead connection: every
    later query raises InterfaceError until it is closed. A connection inside a transaction is
    left to the transaction's owner.
    """
    for conn in connections.all(initialized_only=True):
        if conn.connection is None or conn.in_atomic_block:
            continue
        if not conn.is_usable():
            conn.close()


class _PackDataEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, set | frozenset):
            return sorted(o, key=repr)
        return super().default(o)


def pack_data_digest(data: dict) -> str:
    """SHA-256 of what a pack shows: two packs with the same digest are the same pack."""
    shown = {k: v for k, v in data.items() if k != "produced_at"}
    canonical = json.dumps(shown, sort_keys=True, separators=(",", ":"), cls=_PackDataEncoder)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _limit_check(user) -> None:
    """Refuse a new job to someone who already has PACK_JOBS_PER_PERSON waiting or running."""
    if user is None or not getattr(user, "pk", None):
        return
    limit = settings.PACK_JOBS_PER_PERSON
    active = PackJob.objects.filter(requested_by=user, status__in=ACTIVE).count()
    if active >= limit:
        raise PackLimitReached(
            f"You already have {active} board packs waiting or being produced, and one person "
            f"can have {limit} at a time. Wait for one of them to finish, then ask for this "
            "pack again."
        )


def pack_job_request(
    *,
    period: ReportingPeriod,
    fmt: str,
    user,
    priority_id: int | None = None,
    organisation_id: int | None = None,
) -> PackJob:
    """Queue a pack for the background worker, or return the job already doing (or done) it.

    Identical requests (same period, format and filter) share one job; one person may have
    PACK_JOBS_PER_PERSON jobs waiting or running (PackLimitReached beyond that).
    """
    if fmt not in packs.FORMATS:
        raise ValidationError("Board packs come as PDF or Excel.")
    filters = _filters(priority_id=priority_id, organisation_id=organisation_id)
    # A job stuck with a dead worker is queued again (or failed) before it can be returned.
    pack_jobs_stale_handle()
    with transaction.atomic():
        # One request at a time per period, so two clicks cannot queue the same pack twice.
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        snapshot = selectors.snapshot_latest(period=period) if period.is_closed else None
        existing = PackJob.objects.filter(period=period, fmt=fmt, **filters)
        if snapshot is not None:
            existing = existing.filter(snapshot=snapshot, status__in=REUSABLE)
        else:
            # A finished draft may be out of date; the worker reuses its file if it is not.
            existing = existing.filter(snapshot__isnull=True, status__in=ACTIVE)
        job = existing.order_by("-created_at", "-pk").first()
        if job is not None:
            return job
        _limit_check(user)
        job = PackJob.objects.create(
            period=period,
            snapshot=snapshot,
            fmt=fmt,
            requested_by=user,
            stage=WAITING_STAGE,
            **filters,
        )
        _enqueue(job)
    return job


def pack_job_retry(*, job: PackJob, user=None) -> PackJob:
    """Queue a failed or cancelled job again; return the job to show (an identical one may be
    under way already)."""
    pack_jobs_stale_handle()
    with transaction.atomic():
        job = PackJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in (PackJob.Status.FAILED, PackJob.Status.CANCELLED):
            raise ValidationError("Only a pack that failed or was cancelled can be tried again.")
        same = (
            PackJob.objects.filter(
                period_id=job.period_id,
                snapshot_id=job.snapshot_id,
                fmt=job.fmt,
                priority_id=job.priority_id,
                organisation_id=job.organisation_id,
                status__in=ACTIVE,
            )
            .exclude(pk=job.pk)
            .first()
        )
        if same is not None:
            return same
        _limit_check(user)
        job.status = PackJob.Status.QUEUED
        job.progress = 0
        job.stage = WAITING_STAGE
        job.message = ""
        job.file = ""
        job.started_at = job.finished_at = job.heartbeat_at = None
        if user is not None and getattr(user, "pk", None):
            job.requested_by = user
        job.save(
            update_fields=[
                "status",
                "progress",
                "stage",
                "message",
                "file",
                "started_at",
                "finished_at",
                "heartbeat_at",
                "requested_by",
            ]
        )
        _enqueue(job)
    return job


def _enqueue(job: PackJob) -> None:
    result = tasks.pack_job_render.enqueue(job_id=job.pk)
    # The immediate backend (tests, or TASKS set so) has already run the job by now.
    PackJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def _task_result_abandon(task_id: str) -> None:
    """Mark the database queue's record of a task whose worker died as failed, not running."""
    if not task_id:
        return
    from django_tasks_db.models import DBTaskResult

    try:
        DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
            status="FAILED", finished_at=timezone.now()
        )
    except (ValueError, ValidationError):  # not a database-queue id (the immediate backend's)
        return


def _job_lost(*, job_id: int, stale_before=None) -> bool:
    """Queue a job whose worker was lost again (the first time) or fail it with a sentence.

    With ``stale_before``, only when its last heartbeat is older than that; returns whether
    the job was handled.
    """
    with transaction.atomic():
        job = (
            PackJob.objects.select_for_update()
            .filter(pk=job_id, status=PackJob.Status.RUNNING)
            .first()
        )
        if job is None:
            return False
        alive = job.heartbeat_at or job.started_at or job.created_at
        if stale_before is not None and alive >= stale_before:
            return False
        _task_result_abandon(job.task_id)
        now = timezone.now()
        if job.attempts < AUTOMATIC_ATTEMPTS:
            logger.warning("Board pack job %s lost its worker; queued again", job_id)
            PackJob.objects.filter(pk=job.pk).update(
                status=PackJob.Status.QUEUED,
                progress=0,
                stage=REQUEUED_STAGE,
                started_at=None,
                heartbeat_at=None,
            )
            _enqueue(job)
        else:
            logger.warning("Board pack job %s lost its worker again; failed", job_id)
            PackJob.objects.filter(pk=job.pk).update(
                status=PackJob.Status.FAILED,
                stage="Failed",
                message=WORKER_LOST_MESSAGE,
                finished_at=now,
            )
    return True


def pack_jobs_stale_handle(*, now=None) -> int:
    """Queue again (once) or fail every running job whose heartbeat stopped; return how many.

    Called when someone looks at a job or asks for a pack, and by the worker when it starts
    and every minute or so after (``reporting/management/commands/db_worker.py``).
    """
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.PACK_JOB_STALE_AFTER)
    stale = (
        PackJob.objects.filter(status=PackJob.Status.RUNNING)
        .annotate(alive=Coalesce("heartbeat_at", "started_at", "created_at"))
        .filter(alive__lt=stale_before)
        .values_list("pk", flat=True)
    )
    return sum(_job_lost(job_id=pk, stale_before=stale_before) for pk in list(stale))


class _Heartbeat:
    """Records a running job's heartbeat from a thread while the main thread renders it.

    A long layout is one call into WeasyPrint with no progress between, so the heartbeat
    cannot ride on progress updates alone. The thread has its own database connection.
    """

    def __init__(self, *, job_id: int, attempt: int):
        self.where = {"pk": job_id, "status": PackJob.Status.RUNNING, "attempts": attempt}
        self.every = settings.PACK_JOB_HEARTBEAT_EVERY
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self):
        if self.every > 0:
            self._thread = threading.Thread(target=self._beat, name="pack-heartbeat", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        return False

    def _beat(self) -> None:
        used = False
        try:
            while not self._stop.wait(self.every):
                used = True
                try:
                    PackJob.objects.filter(**self.where).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    logger.warning("Board pack heartbeat lost its database connection")
                    connections_mend()
        finally:
            if used:
                connections.close_all()


def _progress(live: QuerySet, progress: int, stage: str, **fields) -> None:
    """Record progress (and a heartbeat); stop the render if the job is no longer ours."""
    if not live.update(progress=progress, stage=stage, heartbeat_at=timezone.now(), **fields):
        raise _Superseded


def _job_store(
    *,
    job: PackJob,
    attempt: int,
    content: bytes | None,
    filename: str,
    digest: str,
    reuse: PackJob | None = None,
) -> None:
    """Store the rendered file and mark the job done, only if the job is still this worker's.

    A job cancelled meanwhile (a person was removed) or handed to another worker keeps no
    file: the output is discarded, never written.
    """
    saved = ""
    try:
        with transaction.atomic():
            current = (
                PackJob.objects.select_for_update()
                .filter(pk=job.pk, status=PackJob.Status.RUNNING, attempts=attempt)
                .first()
            )
            if current is None:
                raise _Superseded
            if reuse is not None:
                name, size = reuse.file.name, reuse.size
            else:
                job.file.save(filename, ContentFile(content), save=False)
                name = saved = job.file.name
                size = len(content)
            PackJob.objects.filter(pk=job.pk).update(
                status=PackJob.Status.DONE,
                progress=100,
                stage="Ready",
                file=name,
                filename=filename,
                size=size,
                source_digest=digest,
                heartbeat_at=timezone.now(),
                finished_at=timezone.now(),
            )
    except BaseException:
        if saved:
            job.file.storage.delete(saved)
        raise


def _same_pack_done(job: PackJob, digest: str) -> PackJob | None:
    """A finished job of the same pack built from the same data, whose file can be reused."""
    return (
        PackJob.objects.filter(
            period_id=job.period_id,
            snapshot_id=job.snapshot_id,
            fmt=job.fmt,
            priority_id=job.priority_id,
            organisation_id=job.organisation_id,
            status=PackJob.Status.DONE,
            source_digest=digest,
        )
        .exclude(file="")
        .exclude(pk=job.pk)
        .order_by("-finished_at", "-pk")
        .first()
    )


def pack_job_run(*, job_id: int) -> str:
    """Claim a queued job, build the pack's data, render it, store the file, record status.

    The body of the background task ``reporting.tasks.pack_job_render``; returns what
    happened, for the task's result.
    """
    now = timezone.now()
    claimed = PackJob.objects.filter(pk=job_id, status=PackJob.Status.QUEUED).update(
        status=PackJob.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        progress=5,
        stage="Starting",
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "skipped: not queued"
    job = PackJob.objects.select_related("period__plan__partnership").get(pk=job_id)
    attempt = job.attempts
    live = PackJob.objects.filter(pk=job.pk, status=PackJob.Status.RUNNING, attempts=attempt)
    started = time.perf_counter()
    stage = "Starting"
    try:
        with _Heartbeat(job_id=job.pk, attempt=attempt):
            stage = "Reading the plan"
            # The version is read before the data: a change committed in between makes the
            # pack look stale (produced again), never fresh with the change missing.
            version = selectors.plan_data_version(plan_id=job.period.plan_id)
            _progress(live, 10, stage, data_version=version)
            data = packs.pack_for_period(
                period=job.period,
                priority_id=job.priority_id,
                organisation_id=job.organisation_id,
            )
            digest = pack_data_digest(data)
            filename = packs.pack_filename(data, job.fmt)
            reuse = _same_pack_done(job, digest)
            content = None
            if reuse is None:
                stage = "Laying out the pages" if job.fmt == "pdf" else "Writing the workbook"
                _progress(live, 30, stage, source_digest=digest)
                content = packs.render(data, job.fmt)
            stage = "Storing the file"
            _progress(live, 90, stage)
            _job_store(
                job=job,
                attempt=attempt,
                content=content,
                filename=filename,
                digest=digest,
                reuse=reuse,
            )
    except _Superseded:
        logger.info("Board pack job %s was cancelled or taken over; output discarded", job_id)
        return "discarded"
    except (InterfaceError, OperationalError):
        # The database connection was lost (terminated, server restarted): open a new one and
        # queue the job again, since the pack itself did not fail.
        logger.exception("Board pack job %s lost its database connection", job_id)
        connections_mend()
        _job_lost(job_id=job_id)
        return "connection lost"
    except Exception:
        # Any failure of data, layout or storage: the user gets a sentence and a retry
        # button; the details go to the log for whoever runs the service.
        logger.exception("Board pack job %s failed", job_id)
        connections_mend()
        live.update(
            status=PackJob.Status.FAILED,
            stage="Failed",
            message=failure_message(stage),
            finished_at=timezone.now(),
        )
        return "failed"
    logger.info("Board pack job %s done in %.1f s", job_id, time.perf_counter() - started)
    return "done"


def pack_inline(
    *,
    period: ReportingPeriod,
    fmt: str,
    user,
    priority_id: int | None = None,
    organisation_id: int | None = None,
    version: int | None = None,
) -> tuple[PackJob, bytes | None]:
    """A small plan's pack for a request: reused while its data is unchanged, else rendered.

    ``version``: the plan's data version, read before this call (read here otherwise).
    Returns the job and, when this request rendered it, the bytes. Parallel requests for the
    same pack render it once: the others wait up to PACK_INLINE_WAIT seconds for that render,
    then get the job still running (the view shows its progress page).
    """
    filters = _filters(priority_id=priority_id, organisation_id=organisation_id)
    if version is None:  # read before the data, as pack_job_run does
        version = selectors.plan_data_version(plan_id=period.plan_id)
    data = packs.pack_for_period(period=period, **filters)
    digest = pack_data_digest(data)
    filename = packs.pack_filename(data, fmt)
    with transaction.atomic():
        period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
        snapshot = selectors.snapshot_latest(period=period) if period.is_closed else None
        same = PackJob.objects.filter(period=period, snapshot=snapshot, fmt=fmt, **filters)
        # One query finds a finished copy (preferred: "done" sorts before "running") or a
        # render under way in another request.
        found = (
            same.filter(source_digest=digest)
            .filter(Q(status=PackJob.Status.DONE, file__gt="") | Q(status=PackJob.Status.RUNNING))
            .order_by("status", "-finished_at", "-pk")
            .first()
        )
        if found is not None and found.status == PackJob.Status.DONE:
            if found.data_version is None or found.data_version < version:
                # The same data as now, so the file is fresh at this version too.
                PackJob.objects.filter(pk=found.pk).update(data_version=version)
                found.data_version = version
            return found, None
        running = found
        if running is None:
            _limit_check(user)
            now = timezone.now()
            job = PackJob.objects.create(
                period=period,
                snapshot=snapshot,
                fmt=fmt,
                requested_by=user,
                status=PackJob.Status.RUNNING,
                progress=30,
                stage="Laying out the pages" if fmt == "pdf" else "Writing the workbook",
                attempts=1,
                started_at=now,
                heartbeat_at=now,
                source_digest=digest,
                data_version=version,
                **filters,
            )
    if running is not None:
        return _job_wait(running), None
    live = PackJob.objects.filter(pk=job.pk, status=PackJob.Status.RUNNING, attempts=1)
    try:
        with _Heartbeat(job_id=job.pk, attempt=1):
            content = packs.render(data, fmt)
            _job_store(job=job, attempt=1, content=content, filename=filename, digest=digest)
    except _Superseded:
        job.refresh_from_db()  # cancelled meanwhile: the job page says why
        return job, None
    except BaseException:
        live.update(
            status=PackJob.Status.FAILED,
            stage="Failed",
            message=failure_message(job.stage),
            finished_at=timezone.now(),
        )
        raise
    job.status, job.filename = PackJob.Status.DONE, filename
    return job, content


def _job_wait(job: PackJob) -> PackJob:
    """Wait (up to PACK_INLINE_WAIT seconds) for another request's render of the same pack."""
    deadline = time.monotonic() + settings.PACK_INLINE_WAIT
    while time.monotonic() < deadline:
        status = PackJob.objects.filter(pk=job.pk).values_list("status", flat=True).first()
        if status not in ACTIVE:
            break
        time.sleep(0.2)
    job.refresh_from_db()
    return job


def failure_message(stage: str) -> str:
    """What a user reads when a pack fails: where it stopped and what to do (no internals)."""
    where = f" It stopped at this step: {stage.lower()}." if stage else ""
    return (
        f"The board pack could not be produced.{where} Try again. If it fails again, tell "
        "your partnership admin: the details are in the service's log."
    )


def pack_job_current(*, user, pk: int) -> PackJob:
    """One job of the user's partnerships as it stands now (or 404), for its page.

    A job whose worker died is queued again or failed first, so the page never shows a
    render that is no longer happening.
    """
    pack_jobs_stale_handle()
    return selectors.pack_job_get(user=user, pk=pk)
