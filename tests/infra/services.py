"""Real shared services on loopback for the several-servers tests: an S3 API (moto's server
mode, from PyPI) and a private Redis server (Debian's redis-server), each on a free port."""

import shutil
import socket
import subprocess
import time
import uuid
from contextlib import contextmanager

from tests.system_tools import require_or_skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout} s")


@contextmanager
def s3_server():
    """An S3-compatible API on loopback with one empty private bucket; yields the settings
    the app reads (``DJANGO_S3_*``) and a boto3 client to look inside the bucket."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        env = {
            "DJANGO_S3_BUCKET": f"plans-{uuid.uuid4().hex[:12]}",
            "DJANGO_S3_ENDPOINT_URL": endpoint,
            "DJANGO_S3_REGION": "eu-west-2",
            "DJANGO_S3_ACCESS_KEY_ID": "test-key",
            "DJANGO_S3_SECRET_ACCESS_KEY": "test-secret",
        }
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=env["DJANGO_S3_REGION"],
            aws_access_key_id=env["DJANGO_S3_ACCESS_KEY_ID"],
            aws_secret_access_key=env["DJANGO_S3_SECRET_ACCESS_KEY"],
        )
        client.create_bucket(
            Bucket=env["DJANGO_S3_BUCKET"],
            CreateBucketConfiguration={"LocationConstraint": env["DJANGO_S3_REGION"]},
        )
        yield env, client
    finally:
        server.stop()


def s3_storages(env: dict) -> dict:
    """STORAGES as config/settings/base.py builds them from ``env``."""
    storages = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env["DJANGO_S3_BUCKET"],
                "endpoint_url": env["DJANGO_S3_ENDPOINT_URL"],
                "region_name": env["DJANGO_S3_REGION"],
                "access_key": env["DJANGO_S3_ACCESS_KEY_ID"],
                "secret_key": env["DJANGO_S3_SECRET_ACCESS_KEY"],
                "default_acl": None,
                "file_overwrite": False,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    storages["evidence"] = storages["default"]  # as base.py: evidence in the same bucket
    return storages


def bucket_keys(client, bucket: str) -> list[str]:
    listing = client.list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


@contextmanager
def redis_server():
    """A private, memory-only Redis on a free port; yields its URL."""
    binary = shutil.which("redis-server")
    require_or_skip(
        binary is not None,
        "redis-server is not installed (apt-get install redis-server); this test needs a "
        "shared cache",
    )
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed system binary on loopback
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
