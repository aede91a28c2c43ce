"""The background task that renders a board pack; the work itself is in ``reporting.jobs``.

Why django-tasks with its database backend (django-tasks-db) rather than Celery + Redis: it is
the backport of the task API built into Django 6.0, so the code moves to ``django.tasks``
unchanged on upgrade; its queue is a table in the database the product already has, so a
newcomer on SQLite and production on PostgreSQL run the same code with no broker to install,
secure and monitor; and enqueueing a job is part of the same transaction that records it, so
a job can never be queued for a row that was rolled back. One pack every few minutes per
partnership does not need a broker's throughput. A worker runs beside the web server:
``python manage.py db_worker``.

The queue stores each task by its dotted path (``reporting.tasks.pack_job_render``), so a job
queued before an upgrade is still found by the worker after it: the task stays here.
"""

from django_tasks import task

from reporting import freshness, jobs


@task()
def pack_job_render(*, job_id: int) -> str:
    """The background task: build the pack's data, render it, store the file, record status."""
    return jobs.pack_job_run(job_id=job_id)


@task()
def pack_refresh_run(*, refresh_id: int) -> str:
    """The background task that produces a kept draft pack again once changes have stopped."""
    return freshness.pack_refresh_run(refresh_id=refresh_id)
