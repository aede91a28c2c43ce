"""The pack flags "Not yet reviewed" and "Queried, no answer" only where the partnership has
switched them on; a closed quarter's pack keeps the thread (question and answer)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans.models import Milestone
from reporting import services as reporting_services
from reporting.packs import render
from reporting.packs.data import pack_for_period
from review import services
from review.models import ReviewSettings
from tests import factories
from tests.reporting.conftest import pdf_text, xlsx_values

pytestmark = pytest.mark.django_db

QUESTION = "Please say what happens next and when."
ANSWER = "The panel meets on 3 December; the report goes to the board in January."


def reads(phrase: str, text: str) -> bool:
    """``phrase``'s words in ``text`` in order: a wrapped table cell's lines can come out of
    pdftotext with a neighbouring cell's words between them (the factories' text varies)."""
    rest = iter(text.split())
    return all(any(word == seen for seen in rest) for word in phrase.split())


@pytest.fixture
def q3(plan):
    return reporting_services.periods_generate(plan=plan)[2]


def _switch_on(partnership):
    ReviewSettings.objects.create(partnership=partnership, pack_flags=True)


def test_without_the_setting_the_pack_has_no_review(q3, update, admin_user):
    services.review_query(
        update=update, user=admin_user, expected_version=0, question=QUESTION, base_url=""
    )
    pack = pack_for_period(period=q3)

    assert pack["review_flags"] is False
    assert all("review" not in m for m in pack["milestones"])
    text = pdf_text(render(pack, "pdf"))
    assert "Not yet reviewed" not in text and QUESTION not in text
    assert "Review" not in xlsx_values(render(pack, "xlsx"))["Full plan"][1]


def test_switched_on_the_pack_flags_each_update_of_the_period(q3, update, admin_user, partnership):
    _switch_on(partnership)
    services.review_query(
        update=update, user=admin_user, expected_version=0, question=QUESTION, base_url=""
    )
    accepted = (
        Milestone.objects.filter(action__outcome__priority__plan=q3.plan)
        .exclude(pk=update.milestone_id)
        .order_by("pk")
        .first()
        .latest_update
    )
    services.review_accept(update=accepted, user=admin_user, expected_version=0)

    pack = pack_for_period(period=q3)

    flags = {m["id"]: m.get("review", {}).get("flag") for m in pack["milestones"]}
    assert flags[update.milestone_id] == "Queried, no answer"
    assert flags[accepted.milestone_id] == ""
    assert sorted(f for f in flags.values() if f) == ["Not yet reviewed", "Queried, no answer"]
    text = " ".join(pdf_text(render(pack, "pdf")).split())
    assert "Queried, no answer" in text
    assert "Not yet reviewed" in text
    assert reads(QUESTION, text)
    sheet = xlsx_values(render(pack, "xlsx"))["Full plan"]
    assert sheet[1][-1] == "Review"
    assert any(row[-1] and QUESTION in row[-1] for row in sheet[2:])


def test_a_closed_quarters_pack_keeps_the_answer(q3, update, admin_user, lead_user, partnership):
    _switch_on(partnership)
    review = services.review_query(
        update=update, user=admin_user, expected_version=0, question=QUESTION, base_url=""
    )
    review = services.review_answer(
        update=update, user=lead_user, expected_version=review.version, answer=ANSWER, base_url=""
    ).review
    services.review_accept(update=update, user=admin_user, expected_version=review.version)
    reporting_services.period_close(period=q3, user=admin_user)
    q3.refresh_from_db()
    # After the close the thread goes on (a new query): the closed pack is as it was.
    services.review_query(
        update=update,
        user=admin_user,
        expected_version=review.version + 1,
        question="A later question",
        base_url="",
    )

    text = " ".join(pdf_text(render(pack_for_period(period=q3), "pdf")).split())
    assert reads(ANSWER, text)
    assert "A later question" not in text


@pytest.mark.parametrize("switched_on", [False, True])
def test_the_packs_queries_do_not_grow_with_reviews(plan, partnership, admin_user, switched_on):
    if switched_on:
        _switch_on(partnership)
    counts = []
    for size in (2, 20):
        grown = factories.plan_with_milestones(partnership=partnership, milestones=size)
        for m in Milestone.objects.filter(action__outcome__priority__plan=grown)[::2]:
            services.review_query(
                update=m.latest_update,
                user=admin_user,
                expected_version=0,
                question=QUESTION,
                base_url="",
            )
        period = reporting_services.periods_generate(plan=grown)[2]
        with CaptureQueriesContext(connection) as context:
            pack_for_period(period=period)
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
