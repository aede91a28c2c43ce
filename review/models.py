"""The coordinator's review of a MilestoneUpdate: accepted, or queried and the lead's answer.

A ``Review`` is the current state of one update's review (queried, answered, accepted) with a
``version`` checked by every decision, so two admins accepting or querying the same update at
once cannot overwrite each other. Its ``ReviewMessage`` rows are the thread: each question,
answer, revised update and acceptance, with who and when; appended, never edited (bar the
redaction of a person who has left). Both keep history, so the plan's audit trail shows them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plans.models import MilestoneUpdate, Partnership


class Review(models.Model):
    """The review of one update: where it stands now. The thread is in ``messages``."""

    class State(models.TextChoices):
        QUERIED = "queried", "Queried"
        ANSWERED = "answered", "Answered"
        ACCEPTED = "accepted", "Accepted"

    update = models.OneToOneField(
        MilestoneUpdate,
        on_delete=models.CASCADE,
        related_name="review",
        help_text="The lead's update under review.",
    )
    state = models.CharField(max_length=10, choices=State.choices)
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped by every decision and checked by it (0 = not reviewed)."
    )
    decided_at = models.DateTimeField(
        default=timezone.now, help_text="When the state last changed."
    )
    site_url = models.CharField(
        max_length=200,
        blank=True,
        help_text="The site's address the query was sent from: the answer's e-mail links to it "
        "when a revised update, saved where no address is at hand, answers the query.",
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queried", "answered", "accepted"]),
                name="review_state_valid",
            )
        ]

    def __str__(self):
        return f"{self.get_state_display()} (update {self.update_id})"

    @property
    def waiting_for_lead(self) -> bool:
        return self.state == self.State.QUERIED


class ReviewMessage(models.Model):
    """One entry in a review's thread: a question, an answer, a revised update or acceptance."""

    class Kind(models.TextChoices):
        QUESTION = "question", "Query"
        ANSWER = "answer", "Answer"
        REVISED = "revised", "Revised update"
        ACCEPTED = "accepted", "Accepted"

    review = models.ForeignKey(
        Review,
        on_delete=models.CASCADE,
        related_name="messages",
        help_text="The review this entry belongs to.",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(blank=True, help_text="The question or the answer, as written.")
    note = models.TextField(
        blank=True,
        help_text="Added by the product, e.g. that the update had been revised since.",
    )
    revised_update = models.ForeignKey(
        MilestoneUpdate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The later update that answered the query, or that the answer came after.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who asked, answered or accepted.",
    )
    author_name = models.CharField(
        max_length=200, blank=True, help_text="The name shown for the author, kept as it was."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    # The revised update is named in the text it brings; the audit trail would otherwise
    # label it with str(update), which reads its milestone: a query per row.
    history = HistoricalRecords(excluded_fields=["revised_update"])

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "query or answer"
        verbose_name_plural = "queries and answers"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["question", "answer", "revised", "accepted"]),
                name="review_message_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind="question") | ~Q(text=""),
                name="review_question_not_empty",
            ),
        ]

    def __str__(self):
        # Own columns only: the audit trail labels a record with it, a query per row otherwise.
        return f"{self.get_kind_display()} by {self.author_name or 'someone'}"


class ReviewSettings(models.Model):
    """A partnership's choices about review, switched by an admin."""

    partnership = models.OneToOneField(
        Partnership,
        on_delete=models.CASCADE,
        related_name="review_settings",
        help_text="The partnership these choices are for.",
    )
    pack_flags = models.BooleanField(
        default=False,
        help_text="Board packs flag updates 'Not yet reviewed' and 'Queried, no answer'.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "review settings"
        verbose_name_plural = "review settings"

    def __str__(self):
        return f"Review settings {self.partnership_id}"
