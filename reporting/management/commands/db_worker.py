"""``manage.py db_worker``: django-tasks-db's worker, made to survive a lost database connection.

This command takes the place of django-tasks-db's own (``reporting`` comes before
``django_tasks_db`` in INSTALLED_APPS), with the same options, and adds:

- when the database connection is lost (the backend terminated, the server restarted), the
  dead connection is closed and the worker carries on with a new one, instead of exiting with
  the InterfaceError that recording the task's result raised;
- a watch thread that, when the worker starts and every PACK_JOB_STALE_AFTER / 2 seconds,
  queues again (once) or fails the board pack jobs whose worker was killed
  (``reporting.jobs.pack_jobs_stale_handle``).
"""

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections
from django_tasks_db.management.commands import db_worker

from reporting.jobs import connections_mend, pack_jobs_stale_handle

logger = logging.getLogger("django_tasks_db")

# After a lost connection, wait this long before trying the database again.
RECONNECT_PAUSE = 1.0


class Worker(db_worker.Worker):
    """The database queue's worker, which reconnects when its connection is lost."""

    def run_task(self, db_task_result) -> None:
        try:
            super().run_task(db_task_result)
        except DatabaseError as error:
            # Recording the task's result failed on a dead connection: record it on a new one.
            logger.warning("Task id=%s: database connection lost; reconnecting", db_task_result.id)
            connections_mend()
            try:
                db_task_result.set_failed(error)
            except DatabaseError:
                logger.exception("Task id=%s: its result could not be recorded", db_task_result.id)
                connections_mend()

    def run(self) -> None:
        while True:
            try:
                return super().run()
            except DatabaseError:
                if not self.running:
                    raise
                logger.exception("The worker lost its database connection; reconnecting")
                connections_mend()
                self.startup_delay = False
                time.sleep(RECONNECT_PAUSE)


def _watch(stop: threading.Event) -> None:
    """Hand back or fail jobs whose worker died: now, then every PACK_JOB_STALE_AFTER / 2 s."""
    every = max(settings.PACK_JOB_STALE_AFTER / 2, 1.0)
    try:
        while True:
            try:
                handled = pack_jobs_stale_handle()
                if handled:
                    logger.warning("Board pack jobs whose worker stopped: %d handled", handled)
            except DatabaseError:
                logger.exception("Checking for stopped board pack jobs failed; will try again")
                connections_mend()
            if stop.wait(every):
                return
    finally:
        connections.close_all()


class Command(db_worker.Command):
    help = (
        "Run the database background worker (board packs); it reconnects when its database "
        "connection is lost and hands back jobs whose worker was killed."
    )

    def handle(self, *args, **options):
        stop = threading.Event()
        watcher = None
        if options.get("batch"):
            # A batch run (cron, tests) checks once, before it starts, in its own thread.
            pack_jobs_stale_handle()
        else:
            watcher = threading.Thread(target=_watch, args=(stop,), name="pack-watch", daemon=True)
            watcher.start()
        # The library's handle() builds its Worker by name from its own module: lend it ours.
        original = db_worker.Worker
        db_worker.Worker = Worker
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
            stop.set()
            if watcher is not None:
                watcher.join(timeout=5)
