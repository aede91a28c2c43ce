"""Reads of the review: the period's updates for the review page, threads for the pages that
show them, and the flags the board pack shows."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from plans.models import Milestone, MilestoneUpdate, Plan
from plans.selectors import CollectingPeriod, period_collecting
from review.models import Review, ReviewMessage, ReviewSettings

# The order of the review page, each group newest first.
NEW, TO_REVIEW, QUERIED, ACCEPTED = 0, 1, 2, 3
GROUP_LABELS = {
    NEW: "New since the last review",
    TO_REVIEW: "Waiting for review",
    QUERIED: "Queried: waiting for the lead",
    ACCEPTED: "Accepted",
}


@dataclass(frozen=True)
class ReviewPeriod:
    """The plan's period collecting updates and when an admin last reviewed any of them."""

    collecting: CollectingPeriod | None
    last_reviewed_at: datetime | None


def review_period(*, plan: Plan) -> ReviewPeriod:
    """The period the review page is about, and the time of the plan's last review decision."""
    collecting = period_collecting(plan=plan)
    last = None
    if collecting is not None:
        last = ReviewMessage.objects.filter(
            review__update__milestone__action__outcome__priority__plan=plan,
            kind__in=(ReviewMessage.Kind.QUESTION, ReviewMessage.Kind.ACCEPTED),
            created_at__gte=collecting.since,
        ).aggregate(last=Max("created_at"))["last"]
    return ReviewPeriod(collecting=collecting, last_reviewed_at=last)


def review_updates(*, plan: Plan, period: ReviewPeriod) -> QuerySet[MilestoneUpdate]:
    """This period's updates of ``plan`` to review: each live milestone's latest update saved
    since the period started collecting, new since the last review first, then those waiting
    for review, queried, accepted; newest first within each. Joined for the page."""
    if period.collecting is None:
        return MilestoneUpdate.objects.none()
    since = period.collecting.since
    latest = (
        Milestone.objects.live()
        .filter(action__outcome__priority__plan=plan)
        .values("latest_update_id")
    )
    new = Q(created_at__gt=period.last_reviewed_at) if period.last_reviewed_at else Q()
    earlier_queried = Review.objects.filter(
        update__milestone_id=OuterRef("milestone_id"),
        update__created_at__gte=since,
        update__created_at__lt=OuterRef("created_at"),
        messages__kind=ReviewMessage.Kind.QUESTION,
    ).order_by("-update__created_at")
    return (
        MilestoneUpdate.objects.filter(pk__in=latest, created_at__gte=since)
        .select_related(
            "milestone__lead__organisation",
            "milestone__action__outcome__priority",
            "review",
        )
        .prefetch_related(
            Prefetch("review__messages", queryset=ReviewMessage.objects.order_by("created_at"))
        )
        .annotate(
            group=Case(
                When(Q(review__isnull=True) & new, then=Value(NEW)),
                When(
                    Q(review__isnull=True) | Q(review__state=Review.State.ANSWERED),
                    then=Value(TO_REVIEW),
                ),
                When(review__state=Review.State.QUERIED, then=Value(QUERIED)),
                default=Value(ACCEPTED),
                output_field=IntegerField(),
            ),
            earlier_queried_update=Subquery(earlier_queried.values("update_id")[:1]),
        )
        .order_by("group", "-created_at", "-pk")
    )


def scoped_update(*, update_id: int, partnership_ids: list[int]) -> MilestoneUpdate | None:
    """One update of the user's partnerships, joined for the thread and answer pages."""
    return (
        MilestoneUpdate.objects.filter(
            pk=update_id,
            milestone__action__outcome__priority__plan__partnership_id__in=partnership_ids,
        )
        .select_related(
            "author",
            "milestone__lead__organisation",
            "milestone__action__outcome__priority__plan__partnership",
        )
        .prefetch_related("milestone__action__leads")
        .first()
    )


def thread(*, update: MilestoneUpdate) -> tuple[Review | None, list[ReviewMessage]]:
    """The review of an update and its thread, oldest first."""
    review = Review.objects.filter(update=update).first()
    if review is None:
        return None, []
    return review, list(review.messages.select_related("revised_update").order_by("created_at"))


def threads_for_updates(*, update_ids) -> dict[int, Review]:
    """The reviews of these updates, each with its thread prefetched: one query each."""
    reviews = Review.objects.filter(update_id__in=list(update_ids)).prefetch_related(
        Prefetch(
            "messages",
            queryset=ReviewMessage.objects.select_related("revised_update").order_by(
                "created_at", "pk"
            ),
        )
    )
    return {review.update_id: review for review in reviews}


def queried_for_milestones(*, milestone_ids) -> dict[int, int]:
    """For each milestone with a query waiting for its lead: the queried update's id."""
    rows = (
        Review.objects.filter(
            update__milestone_id__in=list(milestone_ids), state=Review.State.QUERIED
        )
        .order_by("update__created_at")
        .values_list("update__milestone_id", "update_id")
    )
    return dict(rows)


def pack_flags_on(*, partnership_id: int) -> bool:
    """Whether the partnership's packs flag updates not yet reviewed or queried."""
    return ReviewSettings.objects.filter(partnership_id=partnership_id, pack_flags=True).exists()


NOT_REVIEWED = "Not yet reviewed"
QUERIED_NO_ANSWER = "Queried, no answer"


def pack_review_state(*, partnership_id: int, latest: dict[int, tuple[int, datetime]], since):
    """For a board pack: each milestone's review of its latest update, or None when the
    partnership has not switched the flags on (then packs stay exactly as before).

    ``latest`` maps a milestone id to its latest update's id and time. Updates saved since
    ``since`` (the period's start) are flagged "Not yet reviewed" or "Queried, no answer";
    each thread travels with its milestone (question, answer, who, when). Two queries.
    """
    if not pack_flags_on(partnership_id=partnership_id):
        return None
    update_ids = [update_id for update_id, _ in latest.values()]
    threads: dict[int, list[dict]] = {}
    states: dict[int, str] = {}
    messages = (
        ReviewMessage.objects.filter(review__update_id__in=update_ids)
        .select_related("review")
        .order_by("created_at", "pk")
    )
    for message in messages:
        update_id = message.review.update_id
        states[update_id] = message.review.state
        threads.setdefault(update_id, []).append(
            {
                "kind": message.kind,
                "label": message.get_kind_display(),
                "text": message.text,
                "note": message.note,
                "author": message.author_name,
                "at": message.created_at.isoformat(),
            }
        )
    result = {}
    for milestone_id, (update_id, created_at) in latest.items():
        state = states.get(update_id)
        flag = ""
        if created_at >= since:
            if state is None or state == Review.State.ANSWERED:
                flag = NOT_REVIEWED
            elif state == Review.State.QUERIED:
                flag = QUERIED_NO_ANSWER
        if flag or update_id in threads:
            result[milestone_id] = {
                "flag": flag,
                "state": state or "",
                "thread": threads.get(update_id, []),
            }
    return result


def waiting_counts(*, collecting: dict[int, CollectingPeriod]) -> dict[int, int]:
    """For each plan id in ``collecting`` (with the period it collects updates for), how many
    of this period's updates wait for an admin's review: not yet reviewed, or answered since
    a query. As the review page counts them (``review_updates``); one query for every plan."""
    if not collecting:
        return {}
    in_period = Q()
    for plan_id, period in collecting.items():
        in_period |= Q(milestone__action__outcome__priority__plan_id=plan_id) & Q(
            created_at__gte=period.since
        )
    latest = (
        Milestone.objects.live()
        .filter(action__outcome__priority__plan_id__in=list(collecting))
        .values("latest_update_id")
    )
    rows = (
        MilestoneUpdate.objects.filter(in_period, pk__in=latest)
        .filter(Q(review__isnull=True) | Q(review__state=Review.State.ANSWERED))
        .values("milestone__action__outcome__priority__plan_id")
        .annotate(waiting=Count("pk"))
        .order_by()
    )
    return {row["milestone__action__outcome__priority__plan_id"]: row["waiting"] for row in rows}


def queried_count(*, milestones: QuerySet[Milestone]) -> int:
    """How many of ``milestones`` have a query waiting for their lead's answer (one query)."""
    return Review.objects.filter(
        update__milestone__in=milestones, state=Review.State.QUERIED
    ).count()
