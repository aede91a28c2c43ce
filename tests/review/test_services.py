"""Accept, query, answer, a revised update, two admins at once, an empty query."""

import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from plans import services as plan_services
from plans.models import RAG, Milestone
from review import services
from review.models import Review, ReviewMessage
from tests import factories

# E-mails go through the task queue (notifications.notify); run its tasks as they are queued.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

BASE = "https://plans.example.org/"


def query(update, admin_user, question="Please say what happens next and when.", version=0):
    return services.review_query(
        update=update,
        user=admin_user,
        expected_version=version,
        question=question,
        base_url=BASE,
    )


def test_accept_records_who_and_when(update, admin_user):
    review = services.review_accept(update=update, user=admin_user, expected_version=0)

    assert review.state == Review.State.ACCEPTED
    [message] = review.messages.all()
    assert message.kind == ReviewMessage.Kind.ACCEPTED
    assert message.author == admin_user
    assert message.created_at is not None


def test_query_keeps_the_question_and_emails_the_lead_a_link(
    update, admin_user, lead_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = query(update, admin_user)

    assert review.state == Review.State.QUERIED
    [message] = review.messages.all()
    assert message.text == "Please say what happens next and when."
    assert message.author == admin_user
    [sent] = mail.outbox
    assert sent.to == [lead_user.email]
    assert "Please say what happens next and when." in sent.body
    assert f"{BASE.rstrip('/')}/updates/{update.pk}/answer/" in sent.body


def test_an_empty_query_is_refused_and_nothing_is_recorded(update, admin_user):
    with pytest.raises(ValidationError) as error:
        query(update, admin_user, question="   ")

    assert error.value.message_dict == {"question": [services.EMPTY_QUERY]}
    assert not Review.objects.exists()


def test_only_admins_review(update, lead_user):
    with pytest.raises(PermissionDenied):
        services.review_accept(update=update, user=lead_user, expected_version=0)
    assert not Review.objects.exists()


def test_answer_emails_the_admins_and_waits_for_review(
    update, admin_user, lead_user, django_capture_on_commit_callbacks
):
    review = query(update, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.review_answer(
            update=update,
            user=lead_user,
            expected_version=review.version,
            answer="The panel meets on 3 December; the report goes to the board in January.",
            base_url=BASE,
        )

    review.refresh_from_db()
    assert review.state == Review.State.ANSWERED
    assert answer.note == ""
    assert answer.author == lead_user
    [sent] = mail.outbox
    assert sent.to == [admin_user.email]
    assert "3 December" in sent.body
    assert f"/updates/{update.pk}/review/" in sent.body


def test_once_a_revised_update_answered_no_question_waits(update, admin_user, lead_user):
    review = query(update, admin_user)
    milestone = Milestone.objects.get(pk=update.milestone_id)
    plan_services.milestone_update(
        milestone=milestone,
        user=admin_user,
        expected_version=milestone.version,
        status=RAG.AMBER,
        commentary="Slipping: the panel moved to December.",
        due_date=milestone.due_date,
    )
    review.refresh_from_db()
    # The revised update answered the query: a second answer is refused, as nothing waits.
    assert review.state == Review.State.ANSWERED
    with pytest.raises(ValidationError):
        services.review_answer(
            update=update,
            user=lead_user,
            expected_version=review.version,
            answer="late words",
            base_url=BASE,
        )


def test_a_revised_update_answers_the_query_in_the_thread(
    update, admin_user, lead_user, django_capture_on_commit_callbacks
):
    review = query(update, admin_user)
    milestone = Milestone.objects.get(pk=update.milestone_id)
    with django_capture_on_commit_callbacks(execute=True):
        revised = plan_services.milestone_update(
            milestone=milestone,
            user=lead_user,
            expected_version=milestone.version,
            status=RAG.AMBER,
            commentary="Slipping: the panel moved to December.",
            due_date=milestone.due_date,
        )

    review.refresh_from_db()
    assert review.state == Review.State.ANSWERED
    last = review.messages.order_by("created_at", "pk").last()
    assert last.kind == ReviewMessage.Kind.REVISED
    assert last.revised_update == revised
    assert last.text == "Slipping: the panel moved to December."
    [sent] = mail.outbox
    assert sent.to == [admin_user.email]
    assert f"{BASE.rstrip('/')}/updates/{update.pk}/review/" in sent.body


def test_answer_after_a_later_update_by_someone_else_carries_a_note(update, admin_user, lead_user):
    review = query(update, admin_user)
    # A later update appears without going through the update form (an import, say): the
    # query still waits, and the lead's answer says it came after the revision.
    later = factories.MilestoneUpdateFactory(milestone=update.milestone, status=RAG.AMBER)
    answer = services.review_answer(
        update=update,
        user=lead_user,
        expected_version=review.version,
        answer="Answered anyway.",
        base_url=BASE,
    )

    assert answer.revised_update == later
    assert "revised update" in answer.note
    assert ReviewMessage.objects.filter(kind="answer", text="Answered anyway.").exists()


def test_two_admins_at_once_the_second_gets_a_conflict_and_the_first_stands(
    update, admin_user, partnership
):
    other = factories.MembershipFactory(partnership=partnership, role="admin").user
    services.review_accept(update=update, user=admin_user, expected_version=0)

    with pytest.raises(services.ReviewConflict) as conflict:
        query(update, other, version=0)

    review = Review.objects.get(update=update)
    assert review.state == Review.State.ACCEPTED
    assert conflict.value.review == review
    assert list(review.messages.values_list("kind", flat=True)) == ["accepted"]


def test_a_stale_version_is_refused_after_a_query(update, admin_user, partnership):
    other = factories.MembershipFactory(partnership=partnership, role="admin").user
    first = query(update, admin_user)
    query(update, other, question="And the date?", version=first.version)

    with pytest.raises(services.ReviewConflict):
        services.review_accept(update=update, user=admin_user, expected_version=first.version)
    assert Review.objects.get(update=update).state == Review.State.QUERIED


def test_another_partnerships_lead_cannot_answer(update, admin_user, outsider):
    review = query(update, admin_user)
    with pytest.raises(PermissionDenied):
        services.review_answer(
            update=update, user=outsider, expected_version=review.version, answer="x", base_url=""
        )


def test_removing_a_person_redacts_their_name_in_threads(update, admin_user, milestone):
    review = query(update, admin_user, question="Lena Lead, what happens next?")
    services.review_answer(
        update=update,
        user=milestone.lead.user,
        expected_version=review.version,
        answer="I, Lena Lead, will report in January.",
        base_url="",
    )

    plan_services.person_remove(person=milestone.lead, user=admin_user)

    texts = list(ReviewMessage.objects.values_list("text", "author_name"))
    assert all("Lena Lead" not in text and author != "Lena Lead" for text, author in texts)
    history = ReviewMessage.history.values_list("text", "author_name")
    assert all("Lena Lead" not in text and author != "Lena Lead" for text, author in history)
    assert ("I, Former lead, will report in January.", "Former lead") in texts


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers on one file lock, so this race cannot happen there; "
    "CI runs it on PostgreSQL",
)
def test_admins_deciding_one_update_at_the_same_moment_on_postgresql_make_one_decision(
    update, admin_user
):
    """Eight admins' clicks land together, twice: the first round on an unreviewed update, the
    second on the review it made. Each time one decision is kept and the others are told."""
    second_admin = factories.UserFactory(username="second-admin")
    factories.MembershipFactory(
        user=second_admin,
        partnership=update.milestone.action.outcome.priority.plan.partnership,
        role="admin",
    )

    def race(version: int) -> list[str]:
        barrier = threading.Barrier(8)
        outcomes = []

        def decide(n):
            try:
                barrier.wait()
                user = admin_user if n % 2 else second_admin
                if n % 3:
                    services.review_accept(update=update, user=user, expected_version=version)
                else:
                    query(update, user, question=f"Question {n}", version=version)
                outcomes.append("decided")
            except services.ReviewConflict:
                outcomes.append("conflict")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=decide, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(outcomes)

    assert race(0) == ["conflict"] * 7 + ["decided"]
    assert Review.objects.get(update=update).version == 1
    assert race(1) == ["conflict"] * 7 + ["decided"]
    review = Review.objects.get(update=update)
    assert review.version == 2
    # One message a decision: nothing written by the admins who were told of the conflict.
    assert review.messages.count() == 2
