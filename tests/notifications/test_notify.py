"""notify(): recorded in the caller's transaction, sent once after it commits, or kept for the
daily digest; failures kept and tried again; nobody e-mailed twice."""

import smtplib
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from notifications import kinds, services
from notifications.models import Notification, NotificationPreference
from tests import factories

pytestmark = pytest.mark.django_db


def tell(user, *, subject="Milestone a) is now Red: Research report", **kwargs):
    services.notify(
        user=user,
        kind=kwargs.pop("kind", kinds.MILESTONE_RED),
        subject=subject,
        body=kwargs.pop(
            "body", "Ken Dance has marked a milestone Red.\n\nhttps://plans.example/m/1/"
        ),
        url=kwargs.pop("url", "https://plans.example/milestones/1/"),
        **kwargs,
    )


@pytest.fixture
def person(db):
    return factories.UserFactory(username="sam", email="sam@example.org", first_name="Sam")


@pytest.fixture
def digest_person(db):
    user = factories.UserFactory(username="dee", email="dee@example.org", first_name="Dee")
    NotificationPreference.objects.create(user=user, delivery="digest")
    return user


class FailingBackend:
    """A mail backend whose server refuses the connection, as a down SMTP relay does."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPConnectError(421, "Service not available")


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_notify.FailingBackend"


def test_a_notification_in_a_rolled_back_transaction_is_neither_kept_nor_sent(
    person, immediate_tasks, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        tell(person)
        raise RuntimeError("the caller's change failed")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_an_immediate_notification_is_one_email_after_the_task_runs(
    person, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell(person, partnership_id=None)
    assert mail.outbox == []  # nothing before the caller's transaction commits
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@example.org"]
    assert message.subject == "Milestone a) is now Red: Research report"
    assert "Ken Dance has marked a milestone Red." in message.body
    # The footer says where to change what you hear, on the same site as the link.
    assert "https://plans.example/account/notifications/" in message.body
    notification = Notification.objects.get()
    assert notification.status == "sent" and notification.sent_at is not None
    assert notification.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_and_its_worker_send_it():
    """With the production queue (django-tasks' database backend), db_worker sends it: a
    real commit, as the worker runs outside any test transaction."""
    person = factories.UserFactory(username="sam", email="sam@example.org")
    tell(person)  # autocommit: committed at once, so the task is queued at once
    assert mail.outbox == []
    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)
    assert len(mail.outbox) == 1
    assert Notification.objects.get().status == "sent"


def test_a_subject_is_kept_on_one_line(person, immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tell(person, subject="Milestone a)\nis now Red")
    assert mail.outbox[0].subject == "Milestone a) is now Red"


def test_a_person_without_an_email_address_is_skipped_and_that_is_recorded(
    immediate_tasks, django_capture_on_commit_callbacks
):
    user = factories.UserFactory(username="no-mail", email="")
    with django_capture_on_commit_callbacks(execute=True):
        tell(user)
    assert mail.outbox == []
    notification = Notification.objects.get()
    assert notification.status == "skipped"
    assert "No e-mail address" in notification.last_error


def test_an_unknown_kind_is_refused(person):
    with pytest.raises(ValueError):
        tell(person, kind="gossip")
    assert not Notification.objects.exists()


def test_sending_twice_sends_once(person, django_capture_on_commit_callbacks):
    """A second worker (or the sweep) given the same notification finds it sent and skips it."""
    with django_capture_on_commit_callbacks(execute=False):
        tell(person)
    notification = Notification.objects.get()
    assert services.notification_send(notification_id=notification.pk) == "sent"
    assert services.notification_send(notification_id=notification.pk) == ""
    assert services.notifications_due_send(now=timezone.now() + timedelta(days=1)).sent == 0
    assert len(mail.outbox) == 1


class TestFailures:
    def test_a_failed_send_keeps_the_row_and_is_sent_once_when_retried(
        self, person, immediate_tasks, django_capture_on_commit_callbacks, settings
    ):
        settings.EMAIL_BACKEND = "tests.notifications.test_notify.FailingBackend"
        with django_capture_on_commit_callbacks(execute=True):
            tell(person)
        notification = Notification.objects.get()
        assert notification.status == "pending"
        assert notification.attempts == 1
        assert "SMTPConnectError" in notification.last_error
        assert notification.next_attempt_at > timezone.now()

        # Not due yet: the sweep leaves it.
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert services.notifications_due_send().sent == 0
        assert mail.outbox == []

        later = notification.next_attempt_at + timedelta(seconds=1)
        assert services.notifications_due_send(now=later).sent == 1
        assert services.notifications_due_send(now=later + timedelta(hours=1)).sent == 0
        assert len(mail.outbox) == 1
        notification.refresh_from_db()
        assert notification.status == "sent" and notification.attempts == 2

    def test_on_the_database_queue_a_failure_queues_its_own_retry_for_later(
        self, person, smtp_down, django_capture_on_commit_callbacks
    ):
        from django_tasks_db.models import DBTaskResult

        with django_capture_on_commit_callbacks(execute=True):
            tell(person)
        assert DBTaskResult.objects.count() == 1  # the first try, queued on commit
        with django_capture_on_commit_callbacks(execute=True):
            first = DBTaskResult.objects.get()
            services.notification_send(
                notification_id=first.args_kwargs["kwargs"]["notification_id"]
            )
        notification = Notification.objects.get()
        retry = DBTaskResult.objects.exclude(pk=first.pk).get()
        assert retry.task_path == "notifications.tasks.notification_send"
        assert retry.args_kwargs["kwargs"] == {"notification_id": notification.pk}
        assert retry.run_after == notification.next_attempt_at

    def test_retries_wait_longer_each_time_and_stop_at_the_cap(
        self, person, smtp_down, settings, django_capture_on_commit_callbacks
    ):
        settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
        with django_capture_on_commit_callbacks(execute=False):
            tell(person)
        notification = Notification.objects.get()
        now = timezone.now()
        waits = []
        for _ in range(3):
            services.notification_send(notification_id=notification.pk, now=now)
            notification.refresh_from_db()
            if notification.next_attempt_at:
                waits.append(notification.next_attempt_at - now)
                now = notification.next_attempt_at
        assert waits == [timedelta(minutes=5), timedelta(minutes=15)]
        assert notification.status == "failed" and notification.attempts == 3
        assert services.notifications_due_send(now=now + timedelta(days=1)).failed == 0

    def test_a_notification_whose_task_was_lost_is_sent_by_the_sweep(
        self, person, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False):  # never enqueued
            tell(person)
        assert services.notifications_due_send().sent == 0  # its task may still be coming
        call_command("notifications_send", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert mail.outbox == []
        Notification.objects.update(created_at=timezone.now() - timedelta(minutes=11))
        call_command("notifications_send", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert len(mail.outbox) == 1


class TestDigest:
    def test_nothing_is_sent_until_the_digest_then_one_email_with_every_item(
        self, digest_person, immediate_tasks, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            tell(digest_person, subject="Milestone a) is now Red: Research report")
            tell(digest_person, subject="Milestone b) is now Red: Training plan")
            tell(
                digest_person,
                kind=kinds.UPDATE_QUERIED,
                subject="Your update to milestone c) has a question",
                url="https://plans.example/milestones/3/",
            )
        assert mail.outbox == []
        assert Notification.objects.filter(digest=True, status="pending").count() == 3

        call_command("notifications_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["dee@example.org"]
        assert message.subject == "Your daily summary from partnership plans: 3 things to know"
        body = message.body
        assert body.startswith("Dear Dee,")
        # Grouped by kind, what needs the reader first; each item named, with its link.
        assert body.index("Updates queried (1)") < body.index("Milestones gone Red (2)")
        for subject in (
            "Milestone a) is now Red: Research report",
            "Milestone b) is now Red: Training plan",
            "Your update to milestone c) has a question",
        ):
            assert subject in body
        assert "https://plans.example/milestones/3/" in body
        assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}

        call_command("notifications_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert len(mail.outbox) == 1  # run twice: nothing more

    def test_one_email_per_person_and_people_without_an_address_are_skipped(
        self, digest_person, django_capture_on_commit_callbacks
    ):
        other = factories.UserFactory(username="olu", email="olu@example.org")
        no_mail = factories.UserFactory(username="nomail", email="")
        NotificationPreference.objects.create(user=other, delivery="digest")
        NotificationPreference.objects.create(user=no_mail, delivery="digest")
        with django_capture_on_commit_callbacks(execute=True):
            tell(digest_person)
            tell(other)
            tell(other)
            tell(no_mail)
        run = services.digests_send()
        assert (run.sent, run.items) == (2, 3)
        assert sorted(m.to[0] for m in mail.outbox) == ["dee@example.org", "olu@example.org"]
        assert Notification.objects.get(recipient=no_mail).status == "skipped"

    def test_an_immediate_person_is_not_in_the_digest(
        self, person, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False):
            tell(person)
        assert services.digests_send().sent == 0

    def test_a_failed_digest_is_kept_and_sent_once_later(
        self, digest_person, settings, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            tell(digest_person)
            tell(digest_person)
        settings.EMAIL_BACKEND = "tests.notifications.test_notify.FailingBackend"
        assert services.digests_send().failed == 1
        assert set(Notification.objects.values_list("status", "attempts")) == {("pending", 1)}
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        later = timezone.now() + timedelta(minutes=6)
        run = services.notifications_due_send(now=later)  # the sweep tries it again
        assert run.digests == 1
        assert services.digests_send(now=later).sent == 0
        assert len(mail.outbox) == 1 and "2 things" in mail.outbox[0].subject

    @pytest.mark.parametrize("people", [2, 8])
    def test_the_digest_costs_the_same_queries_per_batch_whatever_it_holds(
        self, people, django_assert_num_queries, django_capture_on_commit_callbacks
    ):
        users = []
        for index in range(people):
            user = factories.UserFactory(username=f"digest{index}")
            NotificationPreference.objects.create(user=user, delivery="digest")
            users.append(user)
        with django_capture_on_commit_callbacks(execute=True):
            for user in users:
                for _ in range(people):  # more people, and more items each
                    tell(user)
        # Two batches at either size, each: its recipients, their rows (locked), one update
        # of those sent, and the transaction's savepoint and release (inside the test's own
        # transaction); then one look for more recipients, which finds none.
        with django_assert_num_queries(2 * 5 + 1):
            run = services.digests_send(batch_size=people // 2)
        assert run.sent == people and run.items == people * people


class SlowBackend:
    """A mail backend that takes a moment, so that racing workers overlap; counts sends."""

    sent: list = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        time.sleep(0.2)
        SlowBackend.sent.extend(messages)
        return len(messages)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite has no row locks (select_for_update is a no-op there) and serialises "
    "writers on one file lock; CI runs it on PostgreSQL",
)
def test_racing_workers_on_postgresql_send_a_notification_once(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_notify.SlowBackend"
    SlowBackend.sent = []
    person = factories.UserFactory(username="sam", email="sam@example.org")
    with transaction.atomic():
        tell(person)
        Notification.objects.update(created_at=timezone.now() - timedelta(hours=1))
    pk = Notification.objects.get().pk
    barrier = threading.Barrier(6)
    outcomes = []

    def send(n):
        try:
            barrier.wait()
            if n % 2:
                outcomes.append(services.notification_send(notification_id=pk))
            else:
                outcomes.append(f"sweep:{services.notifications_due_send().sent}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(SlowBackend.sent) == 1
    assert Notification.objects.get().status == "sent"
