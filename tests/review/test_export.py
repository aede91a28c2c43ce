"""The thread travels in the JSON export and comes back on import, with its history."""

import json

import pytest

from plans import services as plan_services
from plans.models import RAG, Milestone
from portability.export import plan_export
from portability.json_import import plan_json_import
from review import services
from review.models import Review, ReviewMessage

pytestmark = pytest.mark.django_db


def _reviews(data) -> list:
    return [
        (m["number"], u["commentary"], u["review"])
        for p in data["priorities"]
        for o in p["outcomes"]
        for a in o["actions"]
        for m in a["milestones"]
        for u in m["updates"]
    ]


def test_the_thread_round_trips_through_the_json_export(plan, update, admin_user, lead_user):
    review = services.review_query(
        update=update,
        user=admin_user,
        expected_version=0,
        question="Please say what happens next and when.",
        base_url="",
    )
    milestone = Milestone.objects.get(pk=update.milestone_id)
    revised = plan_services.milestone_update(
        milestone=milestone,
        user=lead_user,
        expected_version=milestone.version,
        status=RAG.AMBER,
        commentary="The panel moved to December.",
        due_date=milestone.due_date,
    )
    review.refresh_from_db()
    services.review_accept(update=update, user=admin_user, expected_version=review.version)
    services.review_accept(update=revised, user=admin_user, expected_version=0)

    first = json.loads(json.dumps(plan_export(plan=plan)))
    exported = [r for _, _, r in _reviews(first) if r]
    assert len(exported) == 2
    thread = next(r for r in exported if r["messages"][0]["kind"] == "question")
    assert [m["kind"] for m in thread["messages"]] == ["question", "revised", "accepted"]
    assert thread["messages"][0]["text"] == "Please say what happens next and when."
    assert thread["messages"][1]["revised_update_at"] == revised.created_at.isoformat()
    assert thread["state"] == "accepted"

    copy = plan_json_import(data=first, partnership_name="Restored Trust")
    second = plan_export(plan=copy)

    assert _reviews(second) == _reviews(first)
    copied = ReviewMessage.objects.get(
        kind="revised", review__update__milestone__action__outcome__priority__plan=copy
    )
    assert copied.revised_update.commentary == "The panel moved to December."
    # Imported threads keep history, so the new plan's audit trail shows them too.
    assert ReviewMessage.history.filter(review_id=copied.review_id).count() == 3
    copied_reviews = Review.objects.filter(update__milestone__action__outcome__priority__plan=copy)
    assert copied_reviews.count() == 2
