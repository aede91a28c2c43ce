"""Run ``manage.py db_worker`` with each pack render held for PACK_TEST_RENDER_SLEEP seconds.

A test harness, started as a subprocess by tests/reporting/test_worker_faults.py: the hold
gives a test time to terminate the worker's database connection, or kill the worker, while a
render is under way. Everything else is the real command against the real test database.
"""

import os
import sys
import time

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

from django.core.management import call_command  # noqa: E402

from reporting import packs  # noqa: E402

real_render = packs.render


def held_render(pack, fmt):
    time.sleep(float(os.environ.get("PACK_TEST_RENDER_SLEEP", "0")))
    return real_render(pack, fmt)


packs.render = held_render
call_command("db_worker", interval=0.2, no_startup_delay=True, reload=False, verbosity=1)
