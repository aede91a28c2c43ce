"""The coordinator's review of a period's updates: accept, or query and the lead's answer."""

from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Review and query of updates"

    def ready(self):
        # plans never imports review: it offers hooks for what review must follow.
        from django.db.models import Q

        from plans.audit import HistorySource, register_history_source
        from plans.personal_data import register_person_removal_hook
        from plans.services import register_update_saved_hook
        from review.models import Review, ReviewMessage
        from review.services import reviews_follow_revision, reviews_redact_person

        register_person_removal_hook(reviews_redact_person)
        register_update_saved_hook(reviews_follow_revision)

        def for_plan(plan):
            reviews = Review.objects.filter(
                update__milestone__action__outcome__priority__plan=plan
            ).values("pk")
            return Q(review_id__in=reviews)

        def for_milestone(milestone):
            reviews = Review.objects.filter(update__milestone=milestone).values("pk")
            return Q(review_id__in=reviews)

        register_history_source(
            HistorySource(
                kind="review",
                model=ReviewMessage,
                columns=("text", "author_name"),
                for_plan=for_plan,
                for_milestone=for_milestone,
                label="Reviews of updates (queries, answers, acceptances)",
            )
        )
