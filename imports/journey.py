"""The upload journey's state: a pending upload per token, kept in the admin's session.

Upload → preview (as many times as the admin changes a column or a sheet) → confirm. The
file waits in Django's storage (shared storage with several app servers) under the admin's
own folder; the session holds, per token, where it is, the plan, the sheets and the mapping
chosen so far. A few uploads are kept at most, and files never confirmed are deleted after a
day. The views only turn these into pages.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

SESSION_KEY = "plan_imports"
MAX_PENDING = 5
STALE_AFTER = timedelta(days=1)


class UploadGone(Exception):
    """The token is not this session's, or its file has gone: upload the file again."""


@dataclass
class PendingUpload:
    token: str
    entry: dict  # path, filename, plan (id), sheets, chosen, mapping
    data: bytes


def upload_keep(*, session, user, plan, filename: str, data: bytes, sheets, mapping) -> str:
    """Store an uploaded file for its preview; return the token that names it."""
    token = secrets.token_urlsafe(24)
    suffix = Path(filename).suffix.lower()
    path = default_storage.save(f"imports/{user.pk}/{token}{suffix}", ContentFile(data))
    uploads_stale_remove(user=user)
    pending = session.get(SESSION_KEY, {})
    # Keep a few uploads at most; drop the oldest files with their entries.
    while len(pending) >= MAX_PENDING:
        oldest = next(iter(pending))
        default_storage.delete(pending.pop(oldest)["path"])
    pending[token] = {
        "path": path,
        "filename": Path(filename).name,
        "plan": plan.pk,
        "sheets": list(sheets),
        "chosen": None,
        # The roles the admin chose last time for a file with these headings.
        "mapping": mapping,
    }
    session[SESSION_KEY] = pending
    return token


def uploads_stale_remove(*, user) -> None:
    """Uploads never confirmed (the admin walked away) are deleted after a day."""
    folder = f"imports/{user.pk}"
    cutoff = timezone.now() - STALE_AFTER
    try:
        _, files = default_storage.listdir(folder)
        for name in files:
            path = f"{folder}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
    except (FileNotFoundError, NotImplementedError, OSError):
        # No folder yet, or a storage that cannot list or date its files (some remote
        # backends raise NotImplementedError): nothing to tidy, and the upload goes on.
        return


def upload_get(*, session, token: str) -> PendingUpload:
    """The pending upload ``token`` names in this session, with its file's bytes."""
    pending = session.get(SESSION_KEY, {})
    if token not in pending:
        raise UploadGone("This upload has expired or is not yours.")
    entry = pending[token]
    try:
        with default_storage.open(entry["path"], "rb") as stored:
            data = stored.read()
    except (FileNotFoundError, OSError) as error:
        raise UploadGone("This upload has expired. Upload the file again.") from error
    return PendingUpload(token=token, entry=entry, data=data)


def upload_choose(*, session, upload: PendingUpload, mapping: dict, chosen) -> bool:
    """Record the admin's mapping and sheets; True when they are what the preview showed.

    A changed column or sheet means the admin must see that preview before importing.
    """
    unchanged = (mapping, chosen) == (upload.entry["mapping"], upload.entry["chosen"])
    upload.entry["mapping"], upload.entry["chosen"] = mapping, chosen
    session.modified = True
    return unchanged


def upload_finish(*, session, upload: PendingUpload) -> None:
    """The upload was imported: delete its file and forget it."""
    default_storage.delete(upload.entry["path"])
    session.get(SESSION_KEY, {}).pop(upload.token, None)
    session.modified = True
