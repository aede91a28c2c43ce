"""Sign-in link and password reset: time per request for a known and an unknown address,
and what the limits let through behind one TLS proxy. Not a test; figures for docs/security.md.

    .venv/bin/python bench/signin_timing.py [--runs 30] [--smtp-delay-ms 40]

Uses the test settings on a throwaway SQLite database, real SMTP to a local sink (so sending
costs what a mail server on the same network costs), and the Django test client; prints
medians in milliseconds and the proxy figures.
"""

import argparse
import os
import socketserver
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = Path(tempfile.mkdtemp()) / "timing.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
# BENCH_DATABASE_URL: an empty PostgreSQL database instead (it is migrated, not dropped).
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{DB}")
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"


class SmtpSink(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept a message and throw it away (counted in ``received``)."""

    received = 0
    delay = 0.0  # seconds the "mail server" takes to accept a message (--smtp-delay-ms)

    def handle(self):
        self.wfile.write(b"220 sink\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go\r\n")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                SmtpSink.received += 1
                time.sleep(SmtpSink.delay)
                self.wfile.write(b"250 ok\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            elif verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 sink\r\n")
            else:
                self.wfile.write(b"250 ok\r\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--smtp-delay-ms", type=float, default=0)
    args = parser.parse_args()
    SmtpSink.delay = args.smtp_delay_ms / 1000

    sink = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpSink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = sink.server_address
    settings.EMAIL_USE_TLS = False
    for name in dir(settings):
        if name.endswith(("_LIMIT_PER_ADDRESS", "_LIMIT_PER_IP")):
            setattr(settings, name, 10**6)

    from django.contrib.auth import get_user_model

    from plans.models import Partnership, Person

    partnership = Partnership.objects.create(name="Timing", slug="timing")
    user = get_user_model().objects.create_user("known", "known@example.org", "x" * 20)
    Person.objects.create(partnership=partnership, name="Known", email=user.email, user=user)
    client = Client()
    for form in ("signin_link", "password_reset"):
        # A second unknown address is the control: its difference from the first is noise.
        times = {"known@example.org": [], "unknown@example.org": [], "unknown2@example.org": []}
        for run in range(args.runs):
            # Rotate which goes first, so that none always follows another.
            order = sorted(times.items())
            for email, found in order[run % 3 :] + order[: run % 3]:
                started = time.perf_counter()
                response = client.post(reverse(form), {"email": email})
                found.append((time.perf_counter() - started) * 1000)
                if response.status_code != 302:
                    raise SystemExit(f"{form} answered {response.status_code}")
        known, unknown, control = (statistics.median(t) for t in times.values())
        print(
            f"{form}: known {known:.1f} ms, unknown {unknown:.1f} ms, second unknown "
            f"{control:.1f} ms (median of {args.runs})"
        )

    # Behind one proxy: every request has REMOTE_ADDR = the proxy.
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SIGNIN_LINK_LIMIT_PER_IP = 20
    settings.SIGNIN_LINK_LIMIT_PER_ADDRESS = 10**6
    from django.core.cache import cache

    cache.clear()
    try:
        from plans.models import RequestCount
    except ImportError:  # before the counts moved to the database
        RequestCount = object

    if hasattr(RequestCount, "objects"):
        RequestCount.objects.all().delete()

    def link(xff):
        client.post(
            reverse("signin_link"),
            {"email": "known@example.org"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=xff,
        )

    from django_tasks_db.models import DBTaskResult

    def sent():
        # Mail sent inside the request (before the queue) plus mail queued for the worker.
        return SmtpSink.received + DBTaskResult.objects.count()

    base = sent()
    for _ in range(25):
        link("81.2.69.160")
    one = sent() - base
    base = sent()
    for _ in range(5):
        link("81.2.69.161")
    other = sent() - base
    base = sent()
    for n in range(10):
        link(f"1.2.3.{n}, 81.2.69.160")
    spoofed = sent() - base
    print(
        f"proxy in front, link limit 20/IP: client A 25 requests -> {one} accepted; "
        f"client B 5 -> {other}; A with 10 spoofed left-most XFF entries -> {spoofed}"
    )


if __name__ == "__main__":
    main()
