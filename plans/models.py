"""Who does what by when: partnerships, people, plans and their hierarchy, RAG updates.

The hierarchy is Plan → Priority → Outcome → Action → Milestone. A milestone is the unit a
lead updates; every update is a new ``MilestoneUpdate`` row and the milestone's current
state (status, dates, ``latest_update``) follows the latest one. Nothing is overwritten.
"""

import operator
from functools import reduce

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from plans.numbering import number_sort_key
from plans.periods import FinancialQuarter
from plans.rag import RAG, status_constraint  # RAG stays importable from here


class Partnership(models.Model):
    name = models.CharField(
        max_length=200, unique=True, help_text="The board, e.g. 'Middlesbrough Children's Trust'."
    )
    slug = models.SlugField(max_length=80, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's role in one partnership; a user may belong to several with different roles."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Partnership admin"
        LEAD = "lead", "Lead"
        BOARD = "board", "Board member"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        help_text="The account this role belongs to.",
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="memberships",
        help_text="The partnership the role is in.",
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.BOARD)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership"], name="membership_one_role_per_partnership"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["admin", "lead", "board"]), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.partnership}"


class Organisation(models.Model):
    """A partner agency: council, police, NHS trust, probation, schools, voluntary sector."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="organisations",
        help_text="The partnership this agency is a member of.",
    )
    name = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"], name="organisation_unique_in_partnership"
            )
        ]

    def __str__(self):
        return self.name


class Person(models.Model):
    """A named lead: a person, a job title ('DD Safeguarding') or a team. Many never sign in."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="people",
        help_text="The partnership this lead works in.",
    )
    name = models.CharField(max_length=200, help_text="As the plan writes it, e.g. 'Simon Perry'.")
    role_title = models.CharField(
        max_length=200, blank=True, help_text="Role or job title, e.g. 'Strategic Lead'."
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        help_text="The agency the lead works for, where known.",
    )
    email = models.EmailField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        help_text="The sign-in account of this lead, if they have one.",
    )
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when a lead who has left is removed; history is kept."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            # Only among people still in post: everyone removed is called "Former lead".
            models.UniqueConstraint(
                fields=["partnership", "name", "role_title"],
                condition=Q(removed_at__isnull=True),
                name="person_unique_in_partnership",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.role_title})" if self.role_title else self.name


class Delegation(models.Model):
    """A lead names a delegate who may update the milestones the lead leads."""

    lead = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="delegations_given",
        help_text="The lead whose milestones the delegate may update.",
    )
    delegate = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="delegations_received",
        help_text="The person acting for the lead.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lead", "delegate"], name="delegation_unique"),
            models.CheckConstraint(condition=~Q(lead=F("delegate")), name="delegation_not_self"),
        ]

    def __str__(self):
        return f"{self.delegate} for {self.lead}"


class Plan(models.Model):
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="plans",
        help_text="The partnership that owns and answers for this plan.",
    )
    title = models.CharField(max_length=250, help_text="e.g. 'Action Plan 2009'.")
    start_date = models.DateField(help_text="First day the plan covers.")
    end_date = models.DateField(help_text="Last day the plan covers.")
    description = models.TextField(blank=True)
    archived_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set while the plan is archived: read-only, chasing no one; packs still open.",
    )
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The admin who archived the plan.",
    )
    archive_reason = models.TextField(
        blank=True, help_text="Why the plan was last archived or unarchived (history keeps each)."
    )
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        help_text="The plan of last year's plan this one was rolled forward from.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans_owned",
        help_text="The person who answers for this plan: told when a milestone goes Red "
        "(with no owner, the partnership's admins are).",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership__name", "-start_date", "title"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "title"], name="plan_title_unique"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="plan_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("plans:plan_detail", kwargs={"pk": self.pk})

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class ReportingPeriod(models.Model):
    """A quarter of a plan's financial year, open for updates until an admin closes it.

    Closing (``reporting.services.period_close``) freezes a snapshot of every item; the
    snapshot lives in the reporting app. Reopening needs an admin and a reason; both are kept
    in this model's history.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    plan = models.ForeignKey(
        Plan,
        on_delete=models.CASCADE,
        related_name="periods",
        help_text="The plan reported on in this quarter.",
    )
    year = models.PositiveSmallIntegerField(
        help_text="Calendar year the financial year starts in: 2019 for 2019/20."
    )
    quarter = models.PositiveSmallIntegerField(help_text="1 = April–June … 4 = January–March.")
    start_date = models.DateField()
    end_date = models.DateField()
    update_deadline = models.DateField(help_text="Leads update their milestones by this day.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The admin who closed the period.",
    )
    status_reason = models.TextField(
        blank=True, help_text="Why the period was last reopened (required to reopen)."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year", "quarter"], name="period_unique_per_plan"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="period_quarter_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="period_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def financial_quarter(self) -> FinancialQuarter:
        return FinancialQuarter(self.year, self.quarter)

    @property
    def label(self) -> str:
        """As boards say it: "2019/20 Q3"."""
        return self.financial_quarter.label

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


def live_below(path: str) -> Q:
    """Items at the end of ``path`` (e.g. ``"outcomes__actions__milestones"``) that are live:
    neither they nor any item on the way down is withdrawn. For ``Count(path, filter=…)``."""
    parts = path.split("__")
    return reduce(
        operator.and_,
        (
            Q(**{"__".join(parts[: i + 1]) + "__withdrawn_at__isnull": True})
            for i in range(len(parts))
        ),
    )


class PlanItemQuerySet(models.QuerySet):
    """Priorities, outcomes, actions and milestones, with the one rule for withdrawn items.

    ``live()`` is what every page, list, count, pack, reminder and roll-forward reads: items
    neither withdrawn themselves nor under a withdrawn parent. Only an item's own detail
    page, its history and the JSON export (which carries the withdrawal) read past it.
    """

    def live(self):
        return self.filter(live_q(self.model))

    def not_withdrawn(self):
        """Not withdrawn themselves: for children fetched under a parent already read with
        ``live()`` (a prefetch), so the parents' joins are not repeated."""
        return self.filter(withdrawn_at__isnull=True)

    def withdrawn(self):
        """Withdrawn themselves or under a withdrawn parent (the milestone list's filter)."""
        return self.exclude(live_q(self.model))


def live_q(model, prefix: str = "") -> Q:
    """The condition of ``PlanItemQuerySet.live`` for ``model``, optionally through ``prefix``."""
    return reduce(
        operator.and_,
        (Q(**{f"{prefix}{path}withdrawn_at__isnull": True}) for path in model.PARENT_PATHS),
    )


class NumberedItem(models.Model):
    """An item numbered as the plan writes it ("6.3", "a)"), sorted the way people read it.

    ``sort_key`` is derived from ``number`` so that "2.10" sorts after "2.9"; ``position``
    keeps the order of the source where numbers are missing or equal.

    **Withdrawn** is a state of the item, not a RAG value. RAG is the lead's judgement of
    delivery (plans/rag.py) and keeps its meaning in history and in closed quarters; taking
    an item out of the plan is the admin's decision about the plan itself, with its own who,
    when and why (``withdrawn_at``, ``withdrawn_by``, ``withdrawn_reason``), and it applies
    to priorities, outcomes and actions, which have no RAG of their own. A withdrawn item
    hides its children without touching them, so reinstating it brings them back as they
    were. Reads go through ``PlanItemQuerySet.live()`` (``Model.objects.live()``).

    ``version`` is bumped by every structural edit (and, for milestones, every update) and
    checked by it, so two admins editing the same item cannot overwrite each other.
    """

    # The ways up from this item to each of its ancestors ("" = itself); see live_q.
    PARENT_PATHS: tuple[str, ...] = ("",)

    number = models.CharField(
        max_length=30, blank=True, help_text="The item's own number as written, e.g. '6.3'."
    )
    sort_key = models.CharField(max_length=120, blank=True, editable=False, db_index=True)
    position = models.PositiveIntegerField(default=0, help_text="Order in the source plan.")
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When the item was taken out of the plan."
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The admin who withdrew the item.",
    )
    withdrawn_reason = models.TextField(blank=True, help_text="Why the item was withdrawn.")
    version = models.PositiveIntegerField(default=0)

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["sort_key", "position", "pk"]

    def save(self, *args, **kwargs):
        # A derived column, not a business rule: it must follow `number` on every write path
        # (services, importer, admin), so it is kept here rather than trusted to each caller.
        self.sort_key = number_sort_key(self.number)
        super().save(*args, **kwargs)

    @property
    def is_withdrawn(self) -> bool:
        """Withdrawn itself (a withdrawn parent is checked with ``live()``)."""
        return self.withdrawn_at is not None


class Priority(NumberedItem):
    """A heading of the plan: a theme or strategic priority."""

    plan = models.ForeignKey(
        Plan,
        on_delete=models.CASCADE,
        related_name="priorities",
        help_text="The plan this heading belongs to.",
    )
    title = models.CharField(max_length=500)
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        help_text="The priority of last year's plan this one was rolled forward from.",
    )

    history = HistoricalRecords()

    class Meta(NumberedItem.Meta):
        verbose_name_plural = "priorities"

    def __str__(self):
        return f"{self.number} {self.title}".strip()

    def get_absolute_url(self):
        return reverse("plans:priority_detail", kwargs={"pk": self.pk})


class Outcome(NumberedItem):
    """The change sought for people (legacy plans say issue, aspiration or objective)."""

    priority = models.ForeignKey(
        Priority,
        on_delete=models.CASCADE,
        related_name="outcomes",
        help_text="The priority this outcome serves.",
    )
    PARENT_PATHS = ("", "priority__")

    statement = models.TextField()
    success_criteria = models.TextField(blank=True, help_text="How we will know; one per line.")
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        help_text="The outcome of last year's plan this one was rolled forward from.",
    )

    history = HistoricalRecords()

    class Meta(NumberedItem.Meta):
        pass

    def __str__(self):
        return f"{self.number} {self.statement[:80]}".strip()

    def get_absolute_url(self):
        return reverse("plans:outcome_detail", kwargs={"pk": self.pk})


class Action(NumberedItem):
    """What a partner will do to deliver an outcome."""

    class Timescale(models.TextChoices):
        NONE = "", "Not stated"
        SHORT = "short", "Short term"
        MEDIUM = "medium", "Medium term"
        LONG = "long", "Long term"

    PARENT_PATHS = ("", "outcome__", "outcome__priority__")

    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.CASCADE,
        related_name="actions",
        help_text="The outcome this action delivers.",
    )
    text = models.TextField()
    leads = models.ManyToManyField(
        Person, blank=True, related_name="actions_led", help_text="Who leads the action."
    )
    lead_text = models.CharField(
        max_length=500, blank=True, help_text="The lead as the source plan wrote it."
    )
    resources = models.TextField(blank=True)
    sources = models.CharField(
        max_length=200, blank=True, help_text="Inspections or plans that demanded it: JAR, APA…"
    )
    timescale = models.CharField(max_length=10, choices=Timescale.choices, blank=True)
    see_also = models.ManyToManyField(
        Outcome,
        blank=True,
        related_name="referenced_by",
        help_text="Outcomes this action cross-refers to, e.g. '(see 13)'.",
    )
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        help_text="The action of last year's plan this one was rolled forward from.",
    )

    history = HistoricalRecords(m2m_fields=[leads])

    class Meta(NumberedItem.Meta):
        indexes = [
            # Holds every column the milestone list sorts actions by, so a plan-order page of
            # 50,000 milestones sorts actions from the index instead of reading their texts.
            models.Index(
                fields=["outcome", "sort_key", "position", "id"], name="action_plan_order_idx"
            )
        ]

    def __str__(self):
        return f"{self.number} {self.text[:80]}".strip()

    def get_absolute_url(self):
        return reverse("plans:action_detail", kwargs={"pk": self.pk})


class Milestone(NumberedItem):
    """A dated, checkable step of an action: the unit leads update.

    ``status``, ``due_date``, ``completed_on`` and ``latest_update`` are the current state,
    kept in step with the latest ``MilestoneUpdate`` by ``plans.services`` so list pages can
    filter and sort on them without a subquery. ``version`` is bumped by every update and
    checked by it, so two people saving the same milestone cannot overwrite each other.
    """

    PARENT_PATHS = ("", "action__", "action__outcome__", "action__outcome__priority__")

    action = models.ForeignKey(
        Action,
        on_delete=models.CASCADE,
        related_name="milestones",
        help_text="The action this milestone is a step of.",
    )
    text = models.TextField()
    lead = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones_led",
        help_text="Who answers for this milestone.",
    )
    lead_text = models.CharField(
        max_length=500, blank=True, help_text="The lead as the source plan wrote it."
    )
    due_text = models.CharField(
        max_length=200,
        blank=True,
        help_text="The deadline as the plan wrote it, e.g. 'December 2008', 'Quarterly'.",
    )
    original_due_date = models.DateField(
        null=True, blank=True, help_text="The due date first agreed; never moved by updates."
    )
    due_date = models.DateField(
        null=True, blank=True, help_text="The current due date; later than original = slipped."
    )
    completed_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=RAG.choices, default=RAG.NOT_STARTED, db_index=True
    )
    latest_update = models.ForeignKey(
        "MilestoneUpdate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The update the current state follows.",
    )
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        help_text="The milestone of last year's plan this one was rolled forward from.",
    )

    history = HistoricalRecords()

    class Meta(NumberedItem.Meta):
        indexes = [models.Index(fields=["due_date"], name="milestone_due_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(status=RAG.COMPLETE),
                name="milestone_completed_on_only_when_complete",
            ),
            status_constraint(name="milestone_status_valid"),
        ]

    def __str__(self):
        return f"{self.number} {self.text[:80]}".strip()

    def get_absolute_url(self):
        return reverse("plans:milestone_detail", kwargs={"pk": self.pk})

    @property
    def slipped(self) -> bool:
        """True when the current due date is later than the one first agreed."""
        return bool(
            self.due_date and self.original_due_date and self.due_date > self.original_due_date
        )

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return bool(self.due_date and self.due_date < today and self.status != RAG.COMPLETE)


class MilestoneUpdate(models.Model):
    """One RAG/progress update: appended, never edited. Who, when and what."""

    class Source(models.TextChoices):
        WEB = "web", "Update form"
        IMPORT = "import", "Imported"
        ADMIN = "admin", "Admin"

    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.CASCADE,
        related_name="updates",
        help_text="The milestone this update is about.",
    )
    status = models.CharField(max_length=12, choices=RAG.choices)
    commentary = models.TextField(blank=True, help_text="Progress in the lead's words.")
    due_date = models.DateField(null=True, blank=True, help_text="Due date after this update.")
    due_date_reason = models.TextField(
        blank=True, help_text="Why the date moved, when it moved later."
    )
    completed_on = models.DateField(null=True, blank=True)
    suggested_status = models.CharField(
        max_length=12,
        choices=RAG.choices,
        blank=True,
        help_text="What the product suggested from the dates at the time.",
    )
    status_reason = models.TextField(
        blank=True, help_text="Why the lead chose a kinder status than the suggestion."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestone_updates",
        help_text="Who saved the update (empty for imports).",
    )
    author_name = models.CharField(
        max_length=200, blank=True, help_text="Name shown for the author, kept as it was."
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    no_change = models.BooleanField(
        default=False,
        help_text="The lead confirmed nothing has changed since the last update; pages and "
        "packs keep showing the last commentary.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]
        constraints = [
            status_constraint(name="update_status_valid"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(status=RAG.COMPLETE),
                name="update_completed_on_only_when_complete",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()} — {self.milestone} at {self.created_at:%d %b %Y}"


class ReminderRound(models.Model):
    """An admin's "Remind everyone who has not updated" for one plan and period: who, when,
    with what message, to how many. Kept in history, so the plan's audit trail shows it."""

    plan = models.ForeignKey(
        Plan,
        on_delete=models.CASCADE,
        related_name="reminder_rounds",
        help_text="The plan whose leads were chased.",
    )
    year = models.PositiveSmallIntegerField(help_text="Financial year start: 2019 for 2019/20.")
    quarter = models.PositiveSmallIntegerField(help_text="1 = April–June … 4 = January–March.")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The admin who pressed the button.",
    )
    sent_by_name = models.CharField(
        max_length=200, blank=True, help_text="The admin's name as shown, kept as it was."
    )
    requested_at = models.DateTimeField(default=timezone.now)
    message = models.TextField(blank=True, help_text="The admin's own words, above the list.")
    lead_count = models.PositiveIntegerField(
        default=0, help_text="Leads with an e-mail address the round was addressed to."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"Reminders for {FinancialQuarter(self.year, self.quarter).label}"


class ReminderSent(models.Model):
    """A quarter's update reminder e-mailed to a lead.

    The scheduled command (``round`` empty) sends a lead one digest per period, so its reruns
    never repeat one; an admin's reminder round may chase the same lead again, on purpose.
    """

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="reminders_sent",
        help_text="The lead the digest was sent to.",
    )
    year = models.PositiveSmallIntegerField(help_text="Financial year start: 2019 for 2019/20.")
    quarter = models.PositiveSmallIntegerField(help_text="1 = April–June … 4 = January–March.")
    sent_at = models.DateTimeField(default=timezone.now)
    email = models.EmailField(help_text="The address the digest went to.")
    milestone_count = models.PositiveIntegerField(default=0)
    round = models.ForeignKey(
        ReminderRound,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        help_text="The admin's reminder round this was part of; empty for the scheduled one.",
    )

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year", "quarter"],
                condition=Q(round__isnull=True),
                name="reminder_once_per_quarter",
            )
        ]

    def __str__(self):
        return f"{self.person} — {FinancialQuarter(self.year, self.quarter).label}"


class LeadAccount(models.Model):
    """Provenance: this sign-in account was created by a partnership's sign-in-link flow.

    Written only by ``plans.services.lead_user_ensure`` when it creates an account for a lead
    who had none, and by ``plans.people.invitation_accept_new_account`` when a lead's
    invitation makes a new account for the person it names. Only such an account follows its
    lead's e-mail corrections and is closed when its lead is removed, and only by the
    partnership that created it; an account that
    existed before (a council account, staff, the site operator) is never touched by a
    partnership admin's action.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lead_account",
        help_text="The account the sign-in-link flow created.",
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="lead_accounts",
        help_text="The partnership whose sign-in-link flow created the account.",
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_accounts",
        help_text="The lead the account was created for.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person"], name="lead_account_one_per_person")
        ]

    def __str__(self):
        return f"Account {self.user_id} created by {self.partnership} for person {self.person_id}"


class RequestCount(models.Model):
    """One request counted against an hourly limit (sign-in links, password resets).

    Kept in the database so that every web worker and app server shares the counts. ``key``
    is a keyed hash of the limit's subject (an e-mail address or a client address), so the
    table holds no address in clear; rows older than the window are deleted as it goes.
    """

    key = models.CharField(max_length=64, help_text="HMAC-SHA256 of the limit and its subject.")
    at = models.DateTimeField(default=timezone.now, help_text="When the request was counted.")

    class Meta:
        indexes = [
            models.Index(fields=["key", "at"], name="request_count_key_at_idx"),
            models.Index(fields=["at"], name="request_count_at_idx"),
        ]

    def __str__(self):
        return f"{self.key[:8]}… at {self.at:%Y-%m-%d %H:%M}"


class Invitation(models.Model):
    """An e-mailed, one-use invitation to join one partnership as a board member, lead or admin.

    Made by a partnership admin (``plans.people.invitation_create``). The link's token is made
    by the worker when it sends the e-mail and only its SHA-256 is kept here, so neither the
    inviter, the task queue nor the database holds a link that works. Accepting gives a role in
    this partnership only: a new account (the invitee chooses a password), or, where an
    account already uses the address, that account once its owner has signed in as it. An
    invitation never sets a password on, or gives a role to, an account nobody signed in as.
    """

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="invitations",
        help_text="The partnership the invitee joins.",
    )
    email = models.EmailField(help_text="Where the invitation goes.")
    name = models.CharField(max_length=150, blank=True, help_text="The invitee's name.")
    role = models.CharField(max_length=10, choices=Membership.Role.choices)
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        help_text="For a lead: the person in the plan whose milestones they update.",
    )
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["token_hash"],
                condition=~Q(token_hash=""),  # nosec B106 - "no hash", not a password
                name="invitation_token_unique",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["admin", "lead", "board"]), name="invitation_role_valid"
            ),
        ]

    def __str__(self):
        return f"Invitation to {self.email} as {self.get_role_display().lower()}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.cancelled_at:
            return "cancelled"
        if self.expires_at <= timezone.now():
            return "expired"
        return "waiting"

    @property
    def state_label(self) -> str:
        return {
            "accepted": "Accepted",
            "cancelled": "Cancelled",
            "expired": "Expired",
            "waiting": "Waiting",
        }[self.state]
