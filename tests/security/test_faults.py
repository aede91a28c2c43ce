"""Faults lose nothing (issue 8, item 5): the database is unchanged or wholly changed.

The database connection is cut in the middle of a plan import, a quarter close and a
milestone update, two ways: a patched step raises the error a dropped connection raises
(runs on every database), and on PostgreSQL the step really terminates its own backend
with ``pg_terminate_backend(pg_backend_pid())`` inside the transaction. Every table of the
plans, outcomes and reporting apps (history included) is counted before and after, and the
rows the operation touches are read back: nothing may be half-written. Then the same
operation is run again and must land whole.

Also: a mail server failing for one lead, and a background pack failing while storing its
file (the render failure and the vanished worker are in tests/reporting and tests/plans).
"""

import contextlib
import smtplib
from datetime import date, datetime
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.core.files.storage import Storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse

from imports import services as import_services
from imports.services import plan_import
from plans import services as plan_services
from plans.models import Milestone, MilestoneUpdate, ReminderSent, ReportingPeriod
from reporting import services as reporting_services
from reporting.models import PackJob, Snapshot
from tests import factories
from tests.security.corpus import csv_bytes
from tests.security.test_hostile_files import INTERNALS

pytestmark = pytest.mark.django_db(transaction=True)

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_terminate_backend is PostgreSQL's; the patched faults cover this database",
)
TODAY = datetime(2019, 11, 15, 10, 0)  # 2019/20 Q3
CUTS = ["raise OperationalError", "raise InterfaceError", "pg_terminate_backend"]


def every_count() -> dict[str, int]:
    connection.close()  # a terminated backend leaves a dead connection; start afresh
    return {
        model._meta.label: model.objects.count()
        for label in ("plans", "outcomes", "reporting")
        for model in apps.get_app_config(label).get_models()
    }


@pytest.fixture
def fixed_time():
    with time_machine.travel(TODAY, tick=False):
        yield


def cut(how: str):
    """Cut the database connection the way ``how`` says, from inside the running step."""
    if how == "raise OperationalError":
        raise OperationalError("server closed the connection unexpectedly")
    if how == "raise InterfaceError":
        raise InterfaceError("connection already closed")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        TERMINATED.append(cursor.fetchone()[0])
        # The backend dies before answering; the service's own next query finds out.
        with contextlib.suppress(OperationalError):
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")


TERMINATED: list[int] = []


@pytest.fixture(autouse=True)
def forget_terminated():
    TERMINATED.clear()


def assert_really_cut(how: str):
    """On PostgreSQL, the backend the operation ran on is gone, so the cut was real."""
    if how != "pg_terminate_backend":
        return
    assert len(TERMINATED) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [TERMINATED[0]])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != TERMINATED[0]


def cuts():
    return [
        pytest.param(how, marks=ON_POSTGRESQL) if how == "pg_terminate_backend" else how
        for how in CUTS
    ]


# --- (a) a plan import -----------------------------------------------------------------------

PLAN_ROWS = [
    [f"{o}. Outcome {o}", f"{o}.{a} Action {a}", "March 2020", f"Officer {a}", "On track"]
    for o in range(1, 4)
    for a in range(1, 6)
]


@pytest.mark.parametrize("how", cuts())
def test_a_connection_cut_during_an_import_leaves_the_database_unchanged(how, monkeypatch):
    plan = factories.PlanFactory(title="Delivery Plan 2019/20")
    data = csv_bytes(PLAN_ROWS)
    real = import_services.bulk_create_with_history
    calls = []

    def cut_at_the_milestones(objects, model, *args, **kwargs):
        calls.append(model.__name__)
        if model is Milestone:  # priorities, outcomes, actions and people are written by now
            cut(how)
        return real(objects, model, *args, **kwargs)

    monkeypatch.setattr(import_services, "bulk_create_with_history", cut_at_the_milestones)
    before = every_count()

    result = plan_import(plan=plan, data=data, filename="plan.csv")

    assert calls == ["Priority", "Outcome", "Action", "Person", "Milestone"]
    assert every_count() == before
    assert_really_cut(how)
    assert not result.ok  # a refusal the upload page can show, not a server error
    assert "nothing was imported" in result.refused
    assert not INTERNALS.search(result.refused), result.refused

    monkeypatch.setattr(import_services, "bulk_create_with_history", real)
    again = plan_import(plan=plan, data=data, filename="plan.csv")
    assert again.ok
    assert Milestone.objects.filter(action__outcome__priority__plan=plan).count() == 15
    assert MilestoneUpdate.objects.count() == 15


def test_a_connection_cut_while_confirming_an_import_in_the_browser_shows_a_sentence(
    client, monkeypatch
):
    membership = factories.MembershipFactory(role="admin")
    plan = factories.PlanFactory(partnership=membership.partnership)
    client.force_login(membership.user)
    upload = client.post(
        reverse("imports:import_start"),
        {"plan": plan.pk, "file": SimpleUploadedFile("plan.csv", csv_bytes(PLAN_ROWS))},
    )
    preview_url = upload["Location"]
    real = import_services.bulk_create_with_history

    def cut_at_the_milestones(objects, model, *args, **kwargs):
        if model is Milestone:
            cut("raise InterfaceError")
        return real(objects, model, *args, **kwargs)

    monkeypatch.setattr(import_services, "bulk_create_with_history", cut_at_the_milestones)
    before = every_count()

    page = client.post(preview_url, {"action": "import", "sheets": ["plan"]})

    assert page.status_code == 200
    assert "could not be saved, so nothing was imported" in page.content.decode()
    assert not INTERNALS.search(page.context["result"].refused)
    assert every_count() == before
    monkeypatch.setattr(import_services, "bulk_create_with_history", real)
    assert client.post(preview_url, {"action": "import", "sheets": ["plan"]}).status_code == 302
    assert Milestone.objects.filter(action__outcome__priority__plan=plan).count() == 15


# --- (b) a quarter close ---------------------------------------------------------------------


@pytest.mark.parametrize("how", cuts())
def test_a_connection_cut_during_a_quarter_close_leaves_the_quarter_open_and_no_snapshot(
    how, monkeypatch
):
    membership = factories.MembershipFactory(role="admin")
    admin = membership.user
    plan = factories.plan_with_milestones(partnership=membership.partnership, milestones=4)
    period = factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=3)
    real_save = ReportingPeriod.save

    def cut_after_the_snapshot(self, *args, **kwargs):
        if "status" in (kwargs.get("update_fields") or ()):
            assert Snapshot.objects.filter(period_id=self.pk).exists()  # written by now
            cut(how)
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(ReportingPeriod, "save", cut_after_the_snapshot)
    before = every_count()

    with (
        time_machine.travel(datetime(2020, 1, 10, 9), tick=False),
        pytest.raises((OperationalError, InterfaceError)),
    ):
        reporting_services.period_close(period=period, user=admin)

    assert every_count() == before
    assert_really_cut(how)
    period.refresh_from_db()
    assert (period.status, period.closed_at, period.closed_by) == (
        ReportingPeriod.Status.OPEN,
        None,
        None,
    )
    assert not Snapshot.objects.exists()

    monkeypatch.setattr(ReportingPeriod, "save", real_save)
    with time_machine.travel(datetime(2020, 1, 10, 9), tick=False):
        snapshot = reporting_services.period_close(period=period, user=admin)
    period.refresh_from_db()
    assert period.status == ReportingPeriod.Status.CLOSED
    assert Snapshot.objects.get() == snapshot


# --- (c) a milestone update ------------------------------------------------------------------


def milestone_state(milestone: Milestone):
    fresh = Milestone.objects.get(pk=milestone.pk)
    return (
        fresh.version,
        fresh.status,
        fresh.due_date,
        fresh.latest_update_id,
        MilestoneUpdate.objects.filter(milestone=fresh).count(),
    )


@pytest.mark.parametrize("where", ["after the version bump", "after the update row"])
@pytest.mark.parametrize("how", cuts())
def test_a_connection_cut_during_a_milestone_update_leaves_it_as_it_was(
    how, where, monkeypatch, fixed_time
):
    membership = factories.MembershipFactory(role="lead")
    milestone = factories.MilestoneFactory(
        action__outcome__priority__plan__partnership=membership.partnership,
        status="amber",
        due_date=date(2019, 12, 31),
        original_due_date=date(2019, 12, 31),
    )
    plan_services.milestone_update(
        milestone=milestone,
        user=membership.user,
        expected_version=milestone.version,
        status="amber",
        commentary="Research brief agreed with the CCG.",
        due_date=date(2019, 12, 31),
    )
    milestone.refresh_from_db()
    before, state = every_count(), milestone_state(milestone)

    if where == "after the version bump":
        real_step, owner, name = plan_services.author_name_for, plan_services, "author_name_for"

        def faulty(*args, **kwargs):
            bumped = Milestone.objects.get(pk=milestone.pk).version
            assert bumped == state[0] + 1  # the version is bumped, no update row yet
            cut(how)
            return real_step(*args, **kwargs)
    else:
        real_step, owner, name = Milestone.save, Milestone, "save"

        def faulty(self, *args, **kwargs):
            assert MilestoneUpdate.objects.filter(milestone_id=self.pk).count() == state[4] + 1
            cut(how)
            return real_step(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, faulty)
    update = {
        "user": membership.user,
        "expected_version": milestone.version,
        "status": "green",
        "commentary": "Report drafted; on track for December.",
        "due_date": date(2019, 12, 31),
    }
    with pytest.raises((OperationalError, InterfaceError)):
        plan_services.milestone_update(milestone=milestone, **update)

    assert every_count() == before
    assert_really_cut(how)
    assert milestone_state(milestone) == state

    # The lead saves again with the version they saw: it lands whole, not as a conflict.
    monkeypatch.setattr(owner, name, real_step)
    saved = plan_services.milestone_update(milestone=milestone, **update)
    version, status, _, latest, updates = milestone_state(milestone)
    assert (version, status, latest, updates) == (state[0] + 1, "green", saved.pk, state[4] + 1)


# --- A failing mail server -------------------------------------------------------------------


def send_reminders():
    out, err = StringIO(), StringIO()
    call_command(
        "send_update_reminders", base_url="https://plans.example.org", stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


@pytest.fixture
def three_leads():
    plan = factories.PlanFactory(title="Action Plan 2019")
    action = factories.ActionFactory(outcome__priority__plan=plan)
    leads = []
    for name in ("Ann Able", "Bob Baker", "Cath Cole"):
        person = factories.PersonFactory(
            partnership=plan.partnership, name=name, email=f"{name.split()[0].lower()}@example.org"
        )
        factories.MilestoneFactory(action=action, lead=person, due_date=date(2019, 12, 31))
        leads.append(person)
    return leads


def test_a_mail_server_failing_for_one_lead_is_reported_and_only_that_reminder_is_resent(
    three_leads, fixed_time, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages

    def failing_for_bob(self, messages):
        if any(m.to == ["bob@example.org"] for m in messages):
            raise smtplib.SMTPException("451 4.3.0 Temporary server error")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", failing_for_bob)
    with pytest.raises(CommandError, match="1 reminder\\(s\\) could not be sent"):
        send_reminders()
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "cath@example.org"]
    assert sorted(ReminderSent.objects.values_list("email", flat=True)) == [
        "ann@example.org",
        "cath@example.org",
    ]

    with pytest.raises(CommandError):  # the mail server still failing for Bob only
        send_reminders()
    assert len(mail.outbox) == 2, "Ann and Cath were mailed twice"

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    out, err = send_reminders()
    assert [m.to[0] for m in mail.outbox[2:]] == ["bob@example.org"]
    assert "1 sent, 2 already sent this quarter, 0 failed, 0 unreachable" in out
    assert err == ""

    out, _ = send_reminders()
    assert len(mail.outbox) == 3
    assert "0 sent, 3 already sent this quarter, 0 failed, 0 unreachable" in out
    assert ReminderSent.objects.count() == 3


def test_a_mail_server_that_is_down_fails_every_reminder_and_the_next_run_sends_each_once(
    three_leads, fixed_time, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages

    def down(self, messages):
        raise smtplib.SMTPConnectError(421, b"Service not available")

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    with pytest.raises(CommandError, match="3 reminder"):
        send_reminders()
    assert mail.outbox == [] and not ReminderSent.objects.exists()

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    send_reminders()
    send_reminders()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ann@example.org",
        "bob@example.org",
        "cath@example.org",
    ]


# --- A background pack failing while storing its file ----------------------------------------


def test_a_pack_failing_to_store_its_file_is_marked_failed_and_the_worker_retries_it(
    client, monkeypatch, settings
):
    membership = factories.MembershipFactory(role="board")
    plan = factories.plan_with_milestones(partnership=membership.partnership, milestones=3)
    period = factories.ReportingPeriodFactory(plan=plan, year=2019, quarter=3)
    client.force_login(membership.user)
    real_save = Storage.save
    failures = []

    def disk_full(self, name, content, *args, **kwargs):
        if not failures:
            failures.append(name)
            raise OSError(28, "No space left on device")
        return real_save(self, name, content, *args, **kwargs)

    monkeypatch.setattr(Storage, "save", disk_full)
    client.post(reverse("reporting:pack_job_request", args=[period.pk, "xlsx"]))
    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)

    job = PackJob.objects.get()
    assert (job.status, job.stage, job.file.name or "") == (PackJob.Status.FAILED, "Failed", "")
    assert "storing the file" in job.message and "Try again" in job.message
    assert "No space" not in job.message
    page = client.get(reverse("reporting:pack_job", args=[job.pk])).content.decode()
    assert "Try again" in page
    assert client.get(reverse("reporting:pack_job_download", args=[job.pk])).status_code == 404

    client.post(reverse("reporting:pack_job_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == PackJob.Status.QUEUED
    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.message) == (PackJob.Status.DONE, 2, "")
    assert PackJob.objects.count() == 1
    download = client.get(reverse("reporting:pack_job_download", args=[job.pk]))
    assert download.status_code == 200
    assert len(b"".join(download.streaming_content)) == job.size
