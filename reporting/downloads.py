"""What a request for a board pack gets: the stored file, a background job, or an inline render.

``pack_download_decide`` is the use case behind the pack download link; the view turns its
answer into a response. ``pack_export`` is the same pack for the ``board_pack`` command. Both
record the security event, once, where the pack is handed out.
"""

import enum
from dataclasses import dataclass

from plans.models import ReportingPeriod
from reporting import freshness, jobs, packs, selectors
from reporting.models import PackJob
from security.events import security_event


class PackDownloadKind(enum.Enum):
    STORED = "stored"  # a finished file: stream it from storage
    BACKGROUND = "background"  # too big for a request: offer to produce it in the background
    INLINE = "inline"  # rendered (or reused) for this request: ``content`` holds the bytes
    PENDING = "pending"  # another request is rendering it, or it was cancelled: its job page
    UPDATING = "updating"  # a draft changed since its stored file: the new one is on its way
    REFUSED = "refused"  # the person has as many packs under way as they may: ``error``


@dataclass(frozen=True)
class PackDownload:
    """The decision for one pack request, and what the response needs to carry it out."""

    kind: PackDownloadKind
    job: PackJob | None = None
    content: bytes | None = None
    filename: str = ""
    error: str = ""
    state: freshness.PackState | None = None  # UPDATING: the previous file and the estimate


def pack_download_decide(
    *,
    period: ReportingPeriod,
    fmt: str,
    user,
    priority_id: int | None = None,
    organisation_id: int | None = None,
    record: bool = True,
) -> PackDownload:
    """Decide how to hand out one period's pack: stored, in the background, or rendered now.

    A closed quarter's pack is rendered once and then served from storage. An open
    quarter's draft is served from storage while it is fresh (the plan's data version is the
    one it was read at: two small reads, whatever the plan's size); once the plan has changed
    the previous file is offered while the new one is produced in the background. Only a
    draft never produced before is rendered inline, and never for a plan over
    PACK_INLINE_MAX_MILESTONES. Logs ``board_pack_downloaded`` (not with ``record=False``:
    the "being updated" page checking again, which hands out no file itself).
    """
    filters = selectors.pack_filters(priority_id=priority_id, organisation_id=organisation_id)
    if record:
        security_event("board_pack_downloaded", user_id=user.pk, period_id=period.pk, format=fmt)
    version = None
    if period.is_closed:
        stored = selectors.pack_stored_get(period=period, fmt=fmt, **filters)
        if stored is not None:
            return PackDownload(kind=PackDownloadKind.STORED, job=stored)
    else:
        version = selectors.plan_data_version(plan_id=period.plan_id)
        latest = freshness.pack_latest_stored(period=period, fmt=fmt, filters=filters)
        if latest is not None and freshness.pack_is_fresh(
            job=latest, period=period, version=version
        ):
            freshness.pack_asked(period=period, fmt=fmt, filters=filters)
            return PackDownload(kind=PackDownloadKind.STORED, job=latest)
        freshness.pack_asked(period=period, fmt=fmt, filters=filters, stale=latest)
        if latest is not None:
            state = freshness.pack_state(period=period, fmt=fmt, filters=filters)
            if state.fresh is not None:  # produced at once (no background worker in use)
                return PackDownload(kind=PackDownloadKind.STORED, job=state.fresh)
            return PackDownload(kind=PackDownloadKind.UPDATING, job=latest, state=state)
    if selectors.pack_needs_background(plan_id=period.plan_id):
        return PackDownload(kind=PackDownloadKind.BACKGROUND)
    try:
        job, content = jobs.pack_inline(
            period=period, fmt=fmt, user=user, version=version, **filters
        )
    except jobs.PackLimitReached as error:
        return PackDownload(kind=PackDownloadKind.REFUSED, error=error.messages[0])
    if job.status != PackJob.Status.DONE:
        return PackDownload(kind=PackDownloadKind.PENDING, job=job)
    if content is None:
        with job.file.open("rb") as stored_file:
            content = stored_file.read()
    return PackDownload(
        kind=PackDownloadKind.INLINE, job=job, content=content, filename=job.filename
    )


def pack_job_download(*, job: PackJob, user) -> PackJob | None:
    """A background job's finished file for a download (None while it is not ready); logged."""
    if job.status != PackJob.Status.DONE or not job.file:
        return None
    security_event("board_pack_downloaded", user_id=user.pk, pack_job_id=job.pk)
    return job


def pack_export(
    *,
    period: ReportingPeriod,
    fmt: str,
    user_id: int | None = None,
    priority_id: int | None = None,
    organisation_id: int | None = None,
) -> tuple[dict, bytes]:
    """One period's pack rendered outside a request (the ``board_pack`` command); logged.

    Returns the pack's data and the file's bytes.
    """
    pack = packs.pack_for_period(
        period=period, priority_id=priority_id, organisation_id=organisation_id
    )
    content = packs.render(pack, fmt)
    security_event("board_pack_exported", user_id=user_id, period_id=period.pk, format=fmt)
    return pack, content
