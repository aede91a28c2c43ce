"""Writes of the coordinator's review: accept, query, the lead's answer, a revised update.

Every decision checks the review's ``version`` the admin loaded (0: not reviewed yet), so two
admins accepting or querying the same update at once cannot overwrite each other: the second
gets ``ReviewConflict`` and nothing of theirs is lost (the view keeps what they typed).
E-mails go through ``_tell`` alone, which calls ``notifications.services.notify``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from notifications.services import notify
from plans.access import is_partnership_admin, may_update_milestone
from plans.formatting import govuk_date
from plans.lifecycle import plan_require_open
from plans.models import Membership, Milestone, MilestoneUpdate
from plans.personal_data import FORMER_LEAD, Removal, is_name, redact_text
from plans.services import author_name_for
from review.models import Review, ReviewMessage, ReviewSettings

EMPTY_QUERY = "Enter your question for the lead"
EMPTY_ANSWER = "Enter your answer to the question"
REVISED_NOTE = (
    "Answered after the lead had saved a revised update on {date}: the answer is about the "
    "update it was asked of."
)


class ReviewConflict(Exception):
    """Someone else accepted or queried the update since the page was loaded."""

    def __init__(self, review: Review | None):
        super().__init__("The review changed since it was loaded.")
        self.review = review


def _update_for_review(update_id: int) -> MilestoneUpdate:
    return MilestoneUpdate.objects.select_related(
        "author", "milestone__lead__user", "milestone__action__outcome__priority__plan"
    ).get(pk=update_id)


def _plan(update: MilestoneUpdate):
    return update.milestone.action.outcome.priority.plan


def _decide(*, update: MilestoneUpdate, expected_version: int, state: str) -> Review:
    """Move the review of ``update`` to ``state`` if it is still at ``expected_version``."""
    if expected_version == 0:
        try:
            with transaction.atomic():
                return Review.objects.create(update=update, state=state, version=1)
        except IntegrityError:
            raise ReviewConflict(Review.objects.filter(update=update).first()) from None
    bumped = Review.objects.filter(update=update, version=expected_version).update(
        version=F("version") + 1
    )
    if not bumped:
        raise ReviewConflict(Review.objects.filter(update=update).first())
    review = Review.objects.get(update=update)
    review.state = state
    review.decided_at = timezone.now()
    review.save()  # save(), not update(): the history records the change of state
    return review


def _require_admin(*, user, update: MilestoneUpdate) -> None:
    if not is_partnership_admin(user, _plan(update).partnership_id):
        raise PermissionDenied("Only partnership admins can review updates.")


def review_accept(*, update: MilestoneUpdate, user, expected_version: int) -> Review:
    """Accept an update: the review is closed, the thread records who and when."""
    update = _update_for_review(update.pk)
    _require_admin(user=user, update=update)
    with transaction.atomic():
        plan_require_open(plan=_plan(update))
        review = _decide(
            update=update, expected_version=expected_version, state=Review.State.ACCEPTED
        )
        ReviewMessage.objects.create(
            review=review,
            kind=ReviewMessage.Kind.ACCEPTED,
            author=user,
            author_name=author_name_for(user=user, partnership_id=_plan(update).partnership_id),
        )
    return review


def review_query(
    *, update: MilestoneUpdate, user, expected_version: int, question: str, base_url: str
) -> Review:
    """Send an update back to its lead with a question; the lead is e-mailed a link."""
    question = question.strip()
    if not question:
        raise ValidationError({"question": EMPTY_QUERY})
    update = _update_for_review(update.pk)
    _require_admin(user=user, update=update)
    plan = _plan(update)
    with transaction.atomic():
        plan_require_open(plan=plan)
        review = _decide(
            update=update, expected_version=expected_version, state=Review.State.QUERIED
        )
        if base_url and review.site_url != base_url:
            Review.objects.filter(pk=review.pk).update(site_url=base_url[:200])
            review.site_url = base_url[:200]
        ReviewMessage.objects.create(
            review=review,
            kind=ReviewMessage.Kind.QUESTION,
            text=question,
            author=user,
            author_name=author_name_for(user=user, partnership_id=plan.partnership_id),
        )
        link = _link(base_url, reverse("review:answer", args=[update.pk]))
        milestone = update.milestone
        for recipient in _leads_of(update, besides=user):
            _tell(
                user=recipient,
                kind="update_queried",
                subject=f"A question about your update to {_milestone_name(milestone)}",
                body=(
                    f"{_author(review)} has a question about your update of "
                    f"{govuk_date(update.created_at)} to {_milestone_name(milestone)} "
                    f"in {plan.title}:\n\n{question}\n\n"
                    f"Answer it, or save a revised update, here:\n{link}\n"
                ),
                url=link,
                partnership_id=plan.partnership_id,
            )
    return review


def review_answer(
    *, update: MilestoneUpdate, user, expected_version: int, answer: str, base_url: str
) -> ReviewMessage:
    """The lead's answer to a query; kept with a note if the update has been revised since."""
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": EMPTY_ANSWER})
    update = _update_for_review(update.pk)
    milestone = update.milestone
    if not may_update_milestone(user=user, milestone=milestone):
        raise PermissionDenied("Only the milestone's lead, their delegates and admins can answer.")
    plan = _plan(update)
    with transaction.atomic():
        plan_require_open(plan=plan)
        current = Review.objects.filter(update=update).first()
        if current is None or current.state != Review.State.QUERIED:
            raise ValidationError({"answer": "This update has no question waiting for an answer"})
        review = _decide(
            update=update, expected_version=expected_version, state=Review.State.ANSWERED
        )
        later = (
            MilestoneUpdate.objects.filter(milestone=milestone)
            .filter(created_at__gt=update.created_at)
            .order_by("-created_at", "-pk")
            .first()
        )
        message = ReviewMessage.objects.create(
            review=review,
            kind=ReviewMessage.Kind.ANSWER,
            text=answer,
            note=REVISED_NOTE.format(date=govuk_date(later.created_at)) if later else "",
            revised_update=later,
            author=user,
            author_name=author_name_for(user=user, partnership_id=plan.partnership_id),
        )
        _tell_admins(update=update, review=review, user=user, base_url=base_url, words=answer)
    return message


def reviews_follow_revision(update: MilestoneUpdate) -> None:
    """A revised update answers the queries waiting on the milestone's earlier updates.

    Registered with ``plans.services.register_update_saved_hook``: runs inside the update's
    transaction, so the thread records the revision with it or not at all.
    """
    waiting = list(
        Review.objects.filter(
            update__milestone_id=update.milestone_id,
            update__created_at__lte=update.created_at,
            state=Review.State.QUERIED,
        )
        .exclude(update=update)
        .select_related("update")
    )
    for review in waiting:
        Review.objects.filter(pk=review.pk).update(version=F("version") + 1)
        review.refresh_from_db(fields=["version"])
        review.state = Review.State.ANSWERED
        review.decided_at = timezone.now()
        review.save()
        ReviewMessage.objects.create(
            review=review,
            kind=ReviewMessage.Kind.REVISED,
            text=update.commentary,
            revised_update=update,
            author=update.author,
            author_name=update.author_name,
        )
        words = update.commentary or "(a revised update with no commentary)"
        _tell_admins(update=review.update, review=review, user=update.author, words=words)


def review_settings_save(*, partnership_id: int, user, pack_flags: bool) -> ReviewSettings:
    """Switch whether the partnership's board packs flag unreviewed and queried updates."""
    if not is_partnership_admin(user, partnership_id):
        raise PermissionDenied("Only partnership admins can change review settings.")
    with transaction.atomic():
        settings, _ = ReviewSettings.objects.get_or_create(partnership_id=partnership_id)
        settings.pack_flags = pack_flags
        settings._history_user = user
        settings.save()
    return settings


# --- Telling people ---------------------------------------------------------------------


def _tell(*, user, kind: str, subject: str, body: str, url: str, partnership_id: int) -> None:
    """The one way the review tells anyone anything (CONTRACTS.md: the notify branch's API)."""
    notify(
        user=user,
        kind=kind,
        subject=subject,
        body=body,
        url=url,
        partnership_id=partnership_id,
    )


def _link(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}{path}" if base_url else path


def _milestone_name(milestone: Milestone) -> str:
    number = f"{milestone.number} " if milestone.number else ""
    text = milestone.text if len(milestone.text) <= 80 else f"{milestone.text[:77]}…"
    return f"milestone {number}‘{text}’"


def _author(review: Review) -> str:
    last = review.messages.order_by("-created_at", "-pk").first()
    return (last.author_name if last else "") or "Your partnership admin"


def _leads_of(update: MilestoneUpdate, *, besides) -> list:
    """Who hears of a query: the milestone's lead (if they sign in) and the update's author."""
    people = []
    lead = update.milestone.lead
    if lead is not None and lead.removed_at is None and lead.user is not None:
        people.append(lead.user)
    if update.author is not None:
        people.append(update.author)
    seen, result = set(), []
    for person in people:
        if person.pk in seen or person.pk == getattr(besides, "pk", None) or not person.is_active:
            continue
        seen.add(person.pk)
        result.append(person)
    return result


def _tell_admins(
    *, update: MilestoneUpdate, review: Review, user, words: str, base_url: str = ""
) -> None:
    """E-mail the partnership's admins (bar whoever answered) that a query was answered."""
    update = _update_for_review(update.pk)
    plan = _plan(update)
    admins = (
        Membership.objects.filter(partnership_id=plan.partnership_id, role=Membership.Role.ADMIN)
        .exclude(user_id=getattr(user, "pk", None))
        .select_related("user")
    )
    link = _link(base_url or review.site_url, reverse("review:thread", args=[update.pk]))
    who = author_name_for(user=user, partnership_id=plan.partnership_id) if user else "The lead"
    for membership in admins:
        if not membership.user.is_active:
            continue
        _tell(
            user=membership.user,
            kind="query_answered",
            subject=f"Your query about {_milestone_name(update.milestone)} has been answered",
            body=(
                f"{who} answered the query about the update of {govuk_date(update.created_at)} "
                f"to {_milestone_name(update.milestone)} in {plan.title}:\n\n{words}\n\n"
                f"Accept the update, or ask again, here:\n{link}\n"
            ),
            url=link,
            partnership_id=plan.partnership_id,
        )


# --- A person who has left ----------------------------------------------------------------


def reviews_redact_person(removal: Removal) -> None:
    """ "Former lead" for a removed person's name in the partnership's threads and their history.

    A ``plans.personal_data`` removal hook: runs inside ``person_remove``'s transaction.
    """
    if not removal.names:
        return
    here = Q(
        review__update__milestone__action__outcome__priority__plan__partnership_id=(
            removal.partnership_id
        )
    )
    mentions = Q()
    for name in removal.names:
        mentions |= Q(text__icontains=name) | Q(note__icontains=name) | Q(author_name__iexact=name)
    review_ids = Review.objects.filter(
        update__milestone__action__outcome__priority__plan__partnership_id=removal.partnership_id
    ).values("pk")
    for model, scope in (
        (ReviewMessage, here),
        (ReviewMessage.history.model, Q(review_id__in=review_ids)),
    ):
        for row in model.objects.filter(scope & mentions):
            author_name = (
                FORMER_LEAD if is_name(row.author_name, names=removal.names) else row.author_name
            )
            model.objects.filter(pk=row.pk).update(
                text=redact_text(row.text, names=removal.names),
                note=redact_text(row.note, names=removal.names),
                author_name=redact_text(author_name, names=removal.names),
            )
