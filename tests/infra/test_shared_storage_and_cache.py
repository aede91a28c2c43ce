"""Issue 18, several machines: what one app server saves, another can read.

Packs and the import journey's pending uploads go through Django's storage API; with
DJANGO_S3_BUCKET set they land in S3-compatible object storage (here a real S3 API on
loopback), not on the disk of whichever server handled the request. With REDIS_URL set the
e-mail form limits count in Redis, so every server shares them without the database table.
"""

import pytest
import redis
from django.core import mail
from django.core.cache.backends import locmem
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from plans.models import Outcome, RequestCount
from reporting.models import PackJob
from tests import factories
from tests.imports.test_import_views import MIDDLESBROUGH
from tests.infra.services import bucket_keys, redis_server, s3_server, s3_storages


@pytest.fixture
def s3(settings):
    with s3_server() as (env, client):
        settings.STORAGES = s3_storages(env)
        yield env["DJANGO_S3_BUCKET"], client


def test_the_settings_switch_to_object_storage_only_when_a_bucket_is_named(monkeypatch):
    import importlib

    import config.settings.base as base

    monkeypatch.delenv("DJANGO_S3_BUCKET", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    local = importlib.reload(base)
    assert local.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")
    assert local.CACHE_IS_SHARED is False

    monkeypatch.setenv("DJANGO_S3_BUCKET", "packs")
    monkeypatch.setenv("DJANGO_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/1")
    shared = importlib.reload(base)
    try:
        assert shared.STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
        assert shared.STORAGES["default"]["OPTIONS"]["bucket_name"] == "packs"
        assert shared.STORAGES["default"]["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"
        assert shared.CACHES["default"]["BACKEND"].endswith("RedisCache")
        assert shared.CACHE_IS_SHARED is True
    finally:
        monkeypatch.delenv("DJANGO_S3_BUCKET")
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(base)


@pytest.mark.django_db
def test_an_import_preview_waits_in_the_bucket_and_is_confirmed_from_it(
    client, admin_user, partnership, s3
):
    bucket, s3_client = s3
    plan = factories.PlanFactory(partnership=partnership, title="Action Plan 2009")
    client.force_login(admin_user)
    response = client.post(
        reverse("imports:import_start"),
        {
            "plan": plan.pk,
            "file": SimpleUploadedFile(MIDDLESBROUGH.name, MIDDLESBROUGH.read_bytes()),
        },
    )
    assert response.status_code == 302
    keys = bucket_keys(s3_client, bucket)
    assert len(keys) == 1 and keys[0].startswith(f"imports/{admin_user.pk}/")
    stored = s3_client.get_object(Bucket=bucket, Key=keys[0])["Body"].read()
    assert stored == MIDDLESBROUGH.read_bytes()

    preview = client.get(response["Location"])
    sheets = [name for name, _ in preview.context["form"].fields["sheets"].choices]
    confirmed = client.post(response["Location"], {"action": "import", "sheets": sheets})

    assert confirmed.status_code == 302
    assert Outcome.objects.filter(priority__plan=plan).count() == 45
    assert bucket_keys(s3_client, bucket) == [], "the confirmed upload stays in the bucket"


@pytest.mark.django_db(transaction=True)
def test_a_pack_the_worker_renders_is_stored_in_the_bucket_and_downloads_from_it(
    client, board_user, partnership, s3
):
    bucket, s3_client = s3
    plan = factories.plan_with_milestones(partnership=partnership, milestones=4)
    period = factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=3)
    client.force_login(board_user)
    client.post(reverse("reporting:pack_job_request", args=[period.pk, "xlsx"]))
    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)

    job = PackJob.objects.get()
    assert job.status == PackJob.Status.DONE
    assert bucket_keys(s3_client, bucket) == [job.file.name]
    in_bucket = s3_client.get_object(Bucket=bucket, Key=job.file.name)["Body"].read()

    download = client.get(reverse("reporting:pack_job_download", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == in_bucket
    assert in_bucket[:2] == b"PK", "an Excel workbook"


def forget_local_state():
    """What a second app server would see: nothing of this process's memory."""
    locmem._caches.clear()
    locmem._expire_info.clear()


@pytest.mark.django_db
def test_with_redis_the_link_limit_is_shared_by_every_server_and_needs_no_table(
    client, partnership, settings, immediate_tasks
):
    membership = factories.MembershipFactory(
        partnership=partnership, role="lead", user__email="ken@yot.example"
    )
    factories.PersonFactory(partnership=partnership, name="Ken Dance", user=membership.user)
    settings.SIGNIN_LINK_LIMIT_PER_ADDRESS = 2
    with redis_server() as url:
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        }
        settings.CACHE_IS_SHARED = True
        for _ in range(3):
            client.post(reverse("signin_link"), {"email": "ken@yot.example"})
            forget_local_state()
        assert len(mail.outbox) == 2, "a third link went out past a limit of 2"
        assert RequestCount.objects.count() == 0, "counted in the database, not in Redis"
        counters = redis.Redis.from_url(url).keys("*limit:*")
        assert len(counters) == 2, "one counter per address and one per client address"


@pytest.mark.django_db
def test_evidence_is_stored_in_the_bucket_and_downloaded_from_it(client, partnership, s3):
    import hashlib

    from evidence.models import Attachment
    from tests.evidence.corpus import pdf

    bucket, s3_client = s3
    lead_user = factories.MembershipFactory(partnership=partnership, role="lead").user
    lead = factories.PersonFactory(partnership=partnership, user=lead_user)
    update = factories.MilestoneUpdateFactory(
        milestone__action__outcome__priority__plan__partnership=partnership,
        milestone__lead=lead,
        author=lead_user,
    )
    client.force_login(lead_user)
    response = client.post(
        reverse("evidence:attachment_add", args=[update.pk]),
        {"file": SimpleUploadedFile("Board minutes.pdf", pdf())},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert bucket_keys(s3_client, bucket) == [attachment.stored_name]
    download = client.get(reverse("evidence:attachment_download", args=[attachment.pk]))
    body = b"".join(download.streaming_content)
    assert body == pdf() and hashlib.sha256(body).hexdigest() == attachment.sha256
