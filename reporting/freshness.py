"""Draft packs kept ready: produced again in the background after changes, served when fresh.

When a plan's data changes (``plans.data_changes`` tells us once per committed transaction),
its ``PlanDataVersion`` goes up by one and the draft packs of the period collecting updates
are due again PACK_REFRESH_DELAY seconds later: the whole-plan PDF and Excel packs, and each
priority's or organisation's pack once someone has asked for it. Every change in a burst
pushes the time later, so a burst of updates gives one render after the last.

A stored draft pack is **fresh** while the plan's version is the one it was read at (and it
was produced on the day the pack is judged as at), so a download checks freshness with one
small read instead of reading the whole plan again. A stale pack is offered with the time it
was made while the new one is produced. A closed quarter's pack comes from its snapshot and
is never produced again (``reporting.downloads``).

The render itself is ``reporting.jobs`` (``pack_job_request`` and the task that runs it): a
refresh only decides when to ask for it. Two workers never render one job: a job is claimed
by one atomic update, and a refresh row is read under a row lock.
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from plans.formatting import govuk_date, govuk_time
from plans.models import Plan, ReportingPeriod
from plans.selectors import periods_collecting
from reporting import jobs, selectors, tasks
from reporting.models import PackJob, PackRefresh, PlanDataVersion

logger = logging.getLogger(__name__)

FORMATS = ("pdf", "xlsx")
# How long a render takes when no render of this pack has finished yet (a guess to show).
FIRST_RENDER_GUESS = 30


def refresh_key(*, fmt: str, priority_id: int | None, organisation_id: int | None) -> str:
    """The key of a pack's PackRefresh within its period: format and filter."""
    return f"{fmt}:p{priority_id or '-'}:o{organisation_id or '-'}"


# --- Reads --------------------------------------------------------------------------------


def _as_at(period: ReportingPeriod, when: datetime):
    """The day a pack made at ``when`` judges overdue as at (the period's end, once over)."""
    return min(timezone.localdate(when), period.end_date)


def pack_is_fresh(*, job: PackJob, period: ReportingPeriod, version: int, now=None) -> bool:
    """True when a stored draft pack shows the plan's data as it is now."""
    if job.data_version is None or job.data_version != version:
        return False
    made = job.started_at or job.created_at
    return _as_at(period, made) == _as_at(period, now or timezone.now())


def made_when(value: datetime, *, now=None) -> str:
    """``2:02pm today``, ``9am yesterday``, ``4:15pm on 28 November 2026``."""
    today = timezone.localdate(now or timezone.now())
    day = timezone.localdate(value)
    if day == today:
        return f"{govuk_time(value)} today"
    if day == today - timedelta(days=1):
        return f"{govuk_time(value)} yesterday"
    return f"{govuk_time(value)} on {govuk_date(value)}"


@dataclass(frozen=True)
class PackState:
    """Where one draft pack stands: fresh, or being updated with the previous version offered."""

    fmt: str
    fresh: PackJob | None = None  # the stored file shows the data as it is now
    previous: PackJob | None = None  # the latest stored file, while a newer one is made
    job: PackJob | None = None  # the job producing the update, once it exists
    seconds: int = 0  # about how long until the update is ready
    progress: int = 0  # percent done of the update
    stage: str = ""

    @property
    def updating(self) -> bool:
        return self.fresh is None and self.previous is not None

    @property
    def ready_in(self) -> str:
        """``about 40 seconds``, ``about 3 minutes``."""
        if self.seconds < 90:
            seconds = max(5, int(math.ceil(self.seconds / 5.0)) * 5)
            return f"about {seconds} seconds"
        return f"about {round(self.seconds / 60)} minutes"

    @property
    def previous_when(self) -> str:
        return made_when(self.previous.finished_at) if self.previous else ""

    @property
    def fresh_when(self) -> str:
        return made_when(self.fresh.finished_at) if self.fresh else ""


def _draft_jobs(period: ReportingPeriod, fmt: str, filters: dict):
    return PackJob.objects.filter(period=period, snapshot__isnull=True, fmt=fmt, **filters)


def pack_latest_stored(*, period: ReportingPeriod, fmt: str, filters: dict) -> PackJob | None:
    """The latest finished draft pack with a file for this format and filter: one query."""
    return (
        _draft_jobs(period, fmt, filters)
        .filter(status=PackJob.Status.DONE)
        .exclude(file="")
        .order_by("-finished_at", "-pk")
        .first()
    )


def _render_seconds(job: PackJob | None) -> float:
    if job is None or job.started_at is None or job.finished_at is None:
        return FIRST_RENDER_GUESS
    return max((job.finished_at - job.started_at).total_seconds(), 1.0)


def pack_state(
    *,
    period: ReportingPeriod,
    fmt: str,
    filters: dict,
    version: int | None = None,
    latest: PackJob | None = None,
    now=None,
) -> PackState:
    """One draft pack's state for its download link (at most four queries).

    The estimate is the last render's duration, less what the update has done already, plus
    the wait for changes to stop when the update has not started.
    """
    now = now or timezone.now()
    if version is None:
        version = selectors.plan_data_version(plan_id=period.plan_id)
    if latest is None:
        latest = pack_latest_stored(period=period, fmt=fmt, filters=filters)
    if latest is None:
        return PackState(fmt=fmt)
    if pack_is_fresh(job=latest, period=period, version=version, now=now):
        return PackState(fmt=fmt, fresh=latest)
    took = _render_seconds(latest)
    active = (
        _draft_jobs(period, fmt, filters)
        .filter(status__in=jobs.ACTIVE)
        .order_by("-created_at", "-pk")
        .first()
    )
    due = (
        PackRefresh.objects.filter(period=period, key=refresh_key(fmt=fmt, **filters))
        .values_list("due_at", flat=True)
        .first()
    )
    wait = max((due - now).total_seconds(), 0.0) if due else 0.0
    if active is not None and active.status == PackJob.Status.RUNNING and active.started_at:
        left = max(took - (now - active.started_at).total_seconds(), 2.0)
        seconds = left + (wait + took if wait else 0.0)
    else:
        seconds = wait + took
    return PackState(
        fmt=fmt,
        previous=latest,
        job=active,
        seconds=int(math.ceil(seconds)),
        progress=active.progress if active is not None else 0,
        stage=(active.stage if active is not None else "Waiting for changes to stop"),
    )


def pack_states(*, period: ReportingPeriod, filters: dict) -> dict[str, PackState]:
    """Both formats' states for the board pack page (a constant number of queries)."""
    version = selectors.plan_data_version(plan_id=period.plan_id)
    return {
        fmt: pack_state(period=period, fmt=fmt, filters=filters, version=version) for fmt in FORMATS
    }


# --- Writes -------------------------------------------------------------------------------


def plan_versions_bump(plan_ids: set[int]) -> None:
    """Count one change for each plan and make its current quarter's draft packs due again.

    The hook ``plans.data_changes`` calls after each commit that changed the plans' data.
    """
    # A plan deleted in the transaction that changed it (a partnership removed with its plans)
    # has nothing left to count: only plans still there are bumped.
    plans = list(Plan.objects.filter(pk__in=plan_ids).select_related("partnership"))
    ids = sorted(plan.pk for plan in plans)
    if not ids:
        return
    now = timezone.now()
    with transaction.atomic():
        PlanDataVersion.objects.bulk_create(
            [PlanDataVersion(plan_id=pk, version=0, changed_at=now) for pk in ids],
            ignore_conflicts=True,
        )
        PlanDataVersion.objects.filter(plan_id__in=ids).update(
            version=F("version") + 1, changed_at=now
        )
    for collecting in periods_collecting(plans=plans).values():
        if collecting is None or collecting.period.pk is None:
            continue
        pack_refreshes_due(period=collecting.period, now=now)


def pack_refreshes_due(*, period: ReportingPeriod, now=None, delay: float | None = None) -> int:
    """Make the period's kept packs due again after ``delay`` (PACK_REFRESH_DELAY) seconds.

    Kept packs: the whole-plan PDF and Excel, and every filtered pack asked for in the
    period. Returns how many.
    """
    now = now or timezone.now()
    delay = settings.PACK_REFRESH_DELAY if delay is None else delay
    due = now + timedelta(seconds=delay)
    wanted = {
        refresh_key(fmt=fmt, priority_id=None, organisation_id=None): (fmt, None, None)
        for fmt in FORMATS
    }
    for row in PackRefresh.objects.filter(period=period).values(
        "key", "fmt", "priority_id", "organisation_id"
    ):
        wanted[row["key"]] = (row["fmt"], row["priority_id"], row["organisation_id"])
    for key, (fmt, priority_id, organisation_id) in wanted.items():
        _refresh_push(
            period=period,
            key=key,
            fmt=fmt,
            priority_id=priority_id,
            organisation_id=organisation_id,
            due=due,
        )
    return len(wanted)


def _refresh_row(*, period, key, fmt, priority_id, organisation_id) -> PackRefresh:
    """The period's refresh row for ``key``, locked for this transaction (made if new)."""
    row = PackRefresh.objects.select_for_update().filter(period=period, key=key).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return PackRefresh.objects.create(
                period=period,
                key=key,
                fmt=fmt,
                priority_id=priority_id,
                organisation_id=organisation_id,
            )
    except IntegrityError:  # made by another request meanwhile
        return PackRefresh.objects.select_for_update().get(period=period, key=key)


def _refresh_push(*, period, key, fmt, priority_id, organisation_id, due, asked=None) -> None:
    """Set the pack's refresh due at ``due`` and make sure one task will wake for it."""
    with transaction.atomic():
        row = _refresh_row(
            period=period,
            key=key,
            fmt=fmt,
            priority_id=priority_id,
            organisation_id=organisation_id,
        )
        fields = []
        if due is not None:
            row.due_at = max(row.due_at, due) if row.due_at else due
            fields.append("due_at")
        if asked is not None:
            row.asked_at = asked
            fields.append("asked_at")
        # A task that should have woken long ago was lost (its queue record cleared, say):
        # queue another rather than wait for it for ever.
        lost = row.task_due_at is not None and row.task_due_at < timezone.now() - timedelta(
            seconds=settings.PACK_JOB_STALE_AFTER
        )
        enqueue = due is not None and (row.task_due_at is None or lost)
        if enqueue:
            row.task_due_at = row.due_at
            fields.append("task_due_at")
        row.save(update_fields=fields)
        if enqueue:
            _enqueue(row)


def _can_defer() -> bool:
    return tasks.pack_refresh_run.get_backend().supports_defer


def _enqueue(row: PackRefresh) -> None:
    task = tasks.pack_refresh_run
    if _can_defer() and row.task_due_at and row.task_due_at > timezone.now():
        task = task.using(run_after=row.task_due_at)
    task.enqueue(refresh_id=row.pk)


def pack_asked(
    *,
    period: ReportingPeriod,
    fmt: str,
    filters: dict,
    stale: PackJob | None = None,
    now=None,
) -> None:
    """Someone asked for this draft pack: remember a filtered one, and update a stale one.

    A filtered pack of the period collecting updates is kept ready from then on. A stale
    pack with no update waiting or under way is made due at once.
    """
    now = now or timezone.now()
    filtered = any(filters.values())
    if not filtered and stale is None:
        return
    active = stale is not None and (
        _draft_jobs(period, fmt, filters).filter(status__in=jobs.ACTIVE).exists()
    )
    due = now if stale is not None and not active else None
    key = refresh_key(fmt=fmt, **filters)
    # Remembered only: cheap once known, so the download stays quick.
    remembered = PackRefresh.objects.filter(period=period, key=key, asked_at__isnull=False)
    if due is None and filtered and remembered.exists():
        return
    _refresh_push(
        period=period,
        key=key,
        fmt=fmt,
        due=due,
        asked=now if filtered else None,
        **filters,
    )


def pack_refresh_run(*, refresh_id: int, now=None) -> str:
    """Produce a kept pack again once its changes have stopped; the body of the task.

    Wakes at ``task_due_at``; a change since pushed ``due_at`` later, so it sleeps again
    until then. A render already under way with older data is let finish first.
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            PackRefresh.objects.select_for_update()
            .select_related("period__plan")
            .filter(pk=refresh_id)
            .first()
        )
        if row is None:
            return "gone"
        if row.due_at is None:
            row.task_due_at = None
            row.save(update_fields=["task_due_at"])
            return "up to date"
        if row.due_at > now and _can_defer():
            row.task_due_at = row.due_at
            row.save(update_fields=["task_due_at"])
            _enqueue(row)
            return "later"
        period = row.period
        if period.is_closed:
            # Closed since the change: its pack comes from the snapshot, made when first asked.
            row.due_at = row.task_due_at = None
            row.save(update_fields=["due_at", "task_due_at"])
            return "closed"
        filters = {"priority_id": row.priority_id, "organisation_id": row.organisation_id}
        running = (
            _draft_jobs(period, row.fmt, filters)
            .filter(status__in=jobs.ACTIVE)
            .order_by("-created_at", "-pk")
            .first()
        )
        if running is not None and running.status == PackJob.Status.QUEUED:
            # It reads the plan when it starts, so it will include these changes.
            row.due_at = row.task_due_at = None
            row.job = running
            row.save(update_fields=["due_at", "task_due_at", "job"])
            return "queued already"
        version = selectors.plan_data_version(plan_id=period.plan_id)
        if running is not None and (running.data_version or version) < version:
            # Rendering older data: come back when it should be done, then make the new one.
            took = _render_seconds(pack_latest_stored(period=period, fmt=row.fmt, filters=filters))
            row.due_at = row.task_due_at = now + timedelta(seconds=max(took, 5.0))
            row.save(update_fields=["due_at", "task_due_at"])
            _enqueue(row)
            return "after the render under way"
        row.due_at = row.task_due_at = None
        row.save(update_fields=["due_at", "task_due_at"])
    if running is not None:
        return "under way"
    drafts_prune(period=period, fmt=row.fmt, filters=filters)
    job = jobs.pack_job_request(period=period, fmt=row.fmt, user=None, **filters)
    PackRefresh.objects.filter(pk=refresh_id).update(job=job)
    return "asked"


# Finished drafts of one pack kept in storage: the latest (offered while the next is made)
# and the one before, for someone who opened its page a moment ago.
DRAFTS_KEPT = 2


def drafts_prune(*, period: ReportingPeriod, fmt: str, filters: dict) -> int:
    """Delete the files of a draft pack's older versions, made by refreshes; return how many.

    Only drafts nobody asked for themselves (``requested_by`` empty), older than the latest
    (which, with the one about to be made, keeps DRAFTS_KEPT); a file another job reuses
    (same data) is kept.
    """
    done = _draft_jobs(period, fmt, filters).filter(status=PackJob.Status.DONE).exclude(file="")
    # Called before the next version is asked for, which will be the other one kept.
    newest = done.order_by("-finished_at", "-pk").values_list("pk", flat=True)
    kept = list(newest[: DRAFTS_KEPT - 1])
    old = list(done.filter(requested_by__isnull=True).exclude(pk__in=kept))
    if not old:
        return 0
    in_use = set(
        PackJob.objects.filter(file__in=[job.file.name for job in old])
        .exclude(pk__in=[job.pk for job in old])
        .values_list("file", flat=True)
    )
    PackJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    for name in {job.file.name for job in old} - in_use:
        transaction.on_commit(lambda name=name: _file_delete(name))
    return len(old)


def _file_delete(name: str) -> None:
    try:
        PackJob._meta.get_field("file").storage.delete(name)
    except OSError:
        logger.warning("Could not delete the old draft pack %s", name)


# --- Which changes count ------------------------------------------------------------------

# What a pack shows, and how a saved or deleted row finds its plan at the commit: by its
# plan's id, its partnership's (people and organisations appear in every plan's pack), or
# (parent model, path from the parent to its plan, parent id). The parent rather than the
# row itself, so that a deleted row still finds its plan.
_UPDATE_PLAN = "milestone__action__outcome__priority__plan_id"

_WATCHED = {
    "plans.Plan": lambda o: {"plan_ids": [o.pk]},
    "plans.Partnership": lambda o: {"partnership_ids": [o.pk]},
    "plans.Organisation": lambda o: {"partnership_ids": [o.partnership_id]},
    "plans.Person": lambda o: {"partnership_ids": [o.partnership_id]},
    "plans.ReportingPeriod": lambda o: {"plan_ids": [o.plan_id]},
    "plans.Priority": lambda o: {"plan_ids": [o.plan_id]},
    "plans.Outcome": lambda o: {"items": [("plans.Priority", "plan_id", o.priority_id)]},
    "plans.Action": lambda o: {"items": [("plans.Outcome", "priority__plan_id", o.outcome_id)]},
    "plans.Milestone": lambda o: {
        "items": [("plans.Action", "outcome__priority__plan_id", o.action_id)]
    },
    "plans.MilestoneUpdate": lambda o: {
        "items": [("plans.Milestone", "action__outcome__priority__plan_id", o.milestone_id)]
    },
    "outcomes.IndicatorSettings": lambda o: {"partnership_ids": [o.partnership_id]},
    "outcomes.Indicator": lambda o: {"plan_ids": [o.plan_id]},
    "outcomes.IndicatorValue": lambda o: {
        "items": [("outcomes.Indicator", "plan_id", o.indicator_id)]
    },
    "reporting.BoardMeeting": lambda o: {
        "items": [("plans.ReportingPeriod", "plan_id", o.period_id)]
    },
    # What packs show of the conversation around an update (issue 17): the review's flags and
    # thread, the evidence listed, and (in a closed quarter's snapshot) who signed off.
    "review.Review": lambda o: {"items": [("plans.MilestoneUpdate", _UPDATE_PLAN, o.update_id)]},
    "review.ReviewMessage": lambda o: {
        "items": [("review.Review", f"update__{_UPDATE_PLAN}", o.review_id)]
    },
    "review.ReviewSettings": lambda o: {"partnership_ids": [o.partnership_id]},
    "evidence.Attachment": lambda o: {
        "items": [("plans.MilestoneUpdate", _UPDATE_PLAN, o.update_id)]
    },
    "signoff.SignoffSettings": lambda o: {"partnership_ids": [o.partnership_id]},
    "signoff.Signoff": lambda o: {"items": [("plans.ReportingPeriod", "plan_id", o.period_id)]},
}


def _changed(sender, instance, **kwargs):
    from plans.data_changes import plan_data_changed

    found = _WATCHED.get(sender._meta.label)
    if found is not None:
        plan_data_changed(**found(instance), using=kwargs.get("using") or "default")


def _leads_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        _changed(type(instance), instance, using=kwargs.get("using"))


def changes_watch() -> None:
    """Connect the model signals that tell ``plans.data_changes`` of single saves, deletes
    and changes of lead; bulk writes tell it themselves. Called from ``ReportingConfig``."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for label in _WATCHED:
        model = apps.get_model(label)
        post_save.connect(_changed, sender=model, dispatch_uid=f"pack-fresh-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pack-fresh-delete-{label}")
    action = apps.get_model("plans.Action")
    for through in (action.leads.through, action.see_also.through):
        m2m_changed.connect(_leads_changed, sender=through, dispatch_uid=f"pack-fresh-{through}")
