"""Real shared services on loopback for the several-servers tests: an S3 API (moto's server
mode, from PyPI), a private Redis server (Debian's redis-server), each on a free port, and the
whole topology of two app servers behind HAProxy (``two_app_servers``), which
tests/infra/test_two_servers.py and the load test through the balancer (bench/balancer.py)
both start."""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

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


ROOT = Path(__file__).resolve().parents[2]

HAPROXY_CONFIG = """
global
    maxconn 256
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend plans
    bind 127.0.0.1:{port}
    option forwardfor
    use_backend only_app1 if {{ req.hdr(x-app) -m str app1 }}
    use_backend only_app2 if {{ req.hdr(x-app) -m str app2 }}
    default_backend apps
backend apps
    balance roundrobin
    http-response set-header X-Served-By %[srv_name]
    server app1 127.0.0.1:{app1}
    server app2 127.0.0.1:{app2}
backend only_app1
    http-response set-header X-Served-By %[srv_name]
    server app1 127.0.0.1:{app1}
backend only_app2
    http-response set-header X-Served-By %[srv_name]
    server app2 127.0.0.1:{app2}
"""


def start_process(stack: ExitStack, args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """Start ``args`` in the repository with its output in ``log``; ``stack`` stops it."""
    out = log.open("wb")
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603

    def stop():
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        out.close()

    stack.callback(stop)
    return process


@dataclass
class Topology:
    url: str  # the balancer's
    env: dict  # what every server and worker was started with
    app_ports: dict  # {"app1": port, "app2": port}
    processes: dict  # name -> Popen, the gunicorn masters and the workers


@contextmanager
def two_app_servers(
    *,
    database_url: str,
    logs: Path,
    settings_module: str = "tests.infra.server_settings",
    extra_env: dict | None = None,
    gunicorn_workers: int = 2,
    gunicorn_args: tuple[str, ...] = (),
):
    """Two gunicorn servers, each with a ``db_worker`` beside it, behind HAProxy, with an S3
    API and Redis, all on loopback, sharing ``database_url`` (PostgreSQL). Yields a Topology.

    HAProxy sends each request round-robin, or to the server named in an ``X-App`` header
    (``app1``, ``app2``), and says which server answered in ``X-Served-By``."""
    haproxy = shutil.which("haproxy")
    require_or_skip(haproxy is not None, "haproxy is not installed (apt-get install haproxy)")
    logs.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        s3_env, _ = stack.enter_context(s3_server())
        redis_url = stack.enter_context(redis_server())
        env = {
            **os.environ,
            **s3_env,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DJANGO_TRUSTED_PROXY_COUNT": "1",
            "PYTHONPATH": str(ROOT),
            **(extra_env or {}),
        }
        python = Path(sys.executable)
        ports = {"app1": free_port(), "app2": free_port()}
        processes = {}
        for name, port in ports.items():
            gunicorn = [str(python.with_name("gunicorn")), "config.wsgi", "-b", f"127.0.0.1:{port}"]
            gunicorn += ["-w", str(gunicorn_workers), *gunicorn_args]
            processes[name] = start_process(stack, gunicorn, env, logs / f"{name}.log")
            worker = [str(python), "manage.py", "db_worker", "--no-reload", "-v0"]
            processes[f"worker-{name}"] = start_process(
                stack, [*worker, "--interval", "0.2"], env, logs / f"worker-{name}.log"
            )
        for port in ports.values():
            wait_for_port(port, timeout=60)
        port = free_port()
        config = logs / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(port=port, **ports))
        processes["haproxy"] = start_process(
            stack, [haproxy, "-f", str(config), "-db"], env, logs / "haproxy.log"
        )
        wait_for_port(port)
        yield Topology(
            url=f"http://127.0.0.1:{port}", env=env, app_ports=ports, processes=processes
        )
