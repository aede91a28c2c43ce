"""Frozen quarters: a snapshot of every item of a plan, taken when a period is closed.

The reporting periods themselves live in ``plans.models.ReportingPeriod`` (leads' reminders
share their deadlines); this app closes and reopens them and keeps what closing froze.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plans.models import ReportingPeriod


class Snapshot(models.Model):
    """Every item of a plan as it stood when a period was closed. Written once; rewritten only
    to redact a removed person's name (``SnapshotRedaction`` records each rewrite and the new
    digest; docs/personal-data.md).

    A period closed, reopened and closed again has one snapshot per close; the latest is the
    one its board pack is built from, the earlier ones stay as the record of what was closed.
    ``data`` keeps the shape of its ``schema_version``; readers take it through
    ``reporting.schema.snapshot_state``, which upgrades it to the current shape in memory.
    """

    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="snapshots",
        help_text="The reporting period whose close froze this snapshot.",
    )
    data = models.JSONField(
        help_text="Structure, numbers, texts, RAG, commentary, dates, leads and indicators."
    )
    digest = models.CharField(
        max_length=64, help_text="SHA-256 of the canonical JSON of data, to prove it unchanged."
    )
    # The shape ``data`` was written in (reporting.schema.STATE_SCHEMA_VERSION at the close).
    schema_version = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The admin whose close took the snapshot.",
    )

    class Meta:
        ordering = ["period", "-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]

    def __str__(self):
        return f"Snapshot of {self.period.label} at {self.created_at:%d %b %Y %H:%M}"


class PackJob(models.Model):
    """A board pack produced in the background: progress while it runs, the file when done.

    A closed period's pack is rendered once per snapshot, format and filter and then served
    from ``file``; an open period's (DRAFT) pack is served from ``file`` while the data it was
    built from is unchanged (``source_digest``), and rendered again once the plan changes.
    A running job records ``heartbeat_at`` every few seconds: one whose heartbeat stops lost
    its worker, and is queued again once or failed (``reporting.jobs.pack_jobs_stale_handle``).
    Written by ``reporting.jobs``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being produced"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"

    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.CASCADE,
        related_name="pack_jobs",
        help_text="The reporting period the pack reports on.",
    )
    snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pack_jobs",
        help_text="The closed period's snapshot the pack was built from; empty for a draft.",
    )
    fmt = models.CharField("format", max_length=4, choices=Format.choices)
    priority = models.ForeignKey(
        "plans.Priority",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the pack covers one priority only.",
    )
    organisation = models.ForeignKey(
        "plans.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the pack covers one organisation's items only.",
    )
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0 to 100.")
    stage = models.CharField(max_length=100, blank=True, help_text="The step now under way.")
    message = models.TextField(
        blank=True, help_text="Why it failed or was cancelled, in words a user can act on."
    )
    file = models.FileField(upload_to="packs/%Y/%m/", blank=True)
    filename = models.CharField(max_length=120, blank=True, help_text="Name offered on download.")
    size = models.PositiveIntegerField(default=0, help_text="Bytes in the stored file.")
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True, help_text="The background task's id.")
    source_digest = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-256 of the pack's data when rendered: a draft is reused while it matches.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who asked for the pack.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life from the worker rendering it."
    )
    data_version = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="The plan's PlanDataVersion when its data was read: fresh while they match.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["period", "fmt", "status"], name="packjob_period_fmt_status_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed", "cancelled"]),
                name="packjob_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="packjob_progress_at_most_100"
            ),
        ]

    def __str__(self):
        return f"{self.get_fmt_display()} pack for {self.period.label}: {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)


class SnapshotRedaction(models.Model):
    """A snapshot rewritten once because a lead who had left was removed (personal data).

    Snapshots never change, with this one exception: a removed person's name is replaced by
    "Former lead" in every snapshot of their partnership (docs/personal-data.md). Each such
    rewrite is recorded here with the digest the snapshot has from then on.
    """

    snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.CASCADE,
        related_name="redactions",
        help_text="The snapshot whose names were replaced.",
    )
    person_id = models.PositiveIntegerField(help_text="The id of the person removed.")
    redacted_at = models.DateTimeField(default=timezone.now)
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The admin who removed the person.",
    )
    digest = models.CharField(max_length=64, help_text="The snapshot's digest after the rewrite.")

    class Meta:
        ordering = ["snapshot", "redacted_at", "pk"]

    def __str__(self):
        return f"Redaction of {self.snapshot} at {self.redacted_at:%d %b %Y %H:%M}"


class BoardMeeting(models.Model):
    """The board meeting a period's pack goes to, for its cover; both parts optional.

    Kept beside the period rather than in its snapshot: naming the meeting after the close
    changes the pack's cover, never its figures (the stored files are made again).
    """

    period = models.OneToOneField(
        ReportingPeriod,
        on_delete=models.CASCADE,
        related_name="board_meeting",
        help_text="The quarter whose pack goes to this meeting.",
    )
    board_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="The board's name on the cover, e.g. 'Children's Trust Board'.",
    )
    meeting_date = models.DateField(null=True, blank=True, help_text="The day the board meets.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["period"]

    def __str__(self):
        return f"Board meeting for {self.period}"


class PlanDataVersion(models.Model):
    """How many times a plan's data has changed: a draft pack is fresh while it matches.

    Bumped once per committed transaction that changed anything a pack shows (items,
    updates, people, indicators, periods, the board meeting; ``plans.data_changes``), so a
    download can tell a stored draft pack is still current with one indexed read instead of
    reading the whole plan again. Written by ``reporting.freshness``.
    """

    plan = models.OneToOneField(
        "plans.Plan",
        on_delete=models.CASCADE,
        related_name="data_version",
        help_text="The plan whose changes are counted.",
    )
    version = models.PositiveBigIntegerField(default=0, help_text="Changes counted so far.")
    changed_at = models.DateTimeField(default=timezone.now, help_text="When it last changed.")

    class Meta:
        ordering = ["plan"]

    def __str__(self):
        return f"{self.plan} changed {self.version} times"


class PackRefresh(models.Model):
    """A draft pack kept ready: produced again in the background a moment after changes stop.

    One per period, format and filter: the whole-plan packs of the period collecting
    updates, and each priority's or organisation's pack once someone has asked for it
    (``asked_at``). Each change pushes ``due_at`` later (by PACK_REFRESH_DELAY seconds), so a
    burst of updates gives one render after the last. ``task_due_at`` is when the one task
    queued for it wakes; it finds a later ``due_at`` and sleeps again, or asks for the pack.
    Written by ``reporting.freshness``.
    """

    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.CASCADE,
        related_name="pack_refreshes",
        help_text="The open period whose draft pack is kept ready.",
    )
    key = models.CharField(max_length=40, help_text="Format and filter, e.g. 'pdf:p12:o-'.")
    fmt = models.CharField("format", max_length=4, choices=PackJob.Format.choices)
    priority = models.ForeignKey(
        "plans.Priority",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the pack covers one priority only.",
    )
    organisation = models.ForeignKey(
        "plans.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the pack covers one organisation's items only.",
    )
    due_at = models.DateTimeField(
        null=True, blank=True, help_text="When to produce it again; empty while up to date."
    )
    task_due_at = models.DateTimeField(
        null=True, blank=True, help_text="When the background task queued for it runs."
    )
    asked_at = models.DateTimeField(
        null=True, blank=True, help_text="When someone last downloaded this filtered pack."
    )
    job = models.ForeignKey(
        PackJob,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The last job asked for by this refresh.",
    )

    class Meta:
        ordering = ["period", "key"]
        constraints = [
            models.UniqueConstraint(fields=["period", "key"], name="packrefresh_period_key_unique")
        ]

    def __str__(self):
        return f"Keeping the {self.key} pack for {self.period.label} ready"
