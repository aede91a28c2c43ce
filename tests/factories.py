"""Factories for every model, in one place (factory_boy, en_GB Faker)."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from plans import models
from plans.periods import FinancialQuarter

factory.Faker._DEFAULT_LOCALE = "en_GB"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = models.Partnership

    name = factory.Sequence(lambda n: f"Children's Trust {n}")
    slug = factory.Sequence(lambda n: f"trust-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = models.Membership

    user = factory.SubFactory(UserFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    role = models.Membership.Role.BOARD


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = models.Organisation

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Agency {n}")


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = models.Person

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Faker("name")
    role_title = factory.Sequence(lambda n: f"Lead Officer {n}")
    organisation = factory.SubFactory(
        OrganisationFactory, partnership=factory.SelfAttribute("..partnership")
    )
    email = factory.Faker("email")


class PlanFactory(DjangoModelFactory):
    class Meta:
        model = models.Plan

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Action Plan {2009 + n}")
    start_date = date(2019, 4, 1)
    end_date = date(2020, 3, 31)


class PriorityFactory(DjangoModelFactory):
    class Meta:
        model = models.Priority

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Priority {n}")


class OutcomeFactory(DjangoModelFactory):
    class Meta:
        model = models.Outcome

    priority = factory.SubFactory(PriorityFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    statement = factory.Faker("sentence", nb_words=12)
    success_criteria = factory.Faker("sentence", nb_words=8)


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = models.Action

    outcome = factory.SubFactory(OutcomeFactory)
    number = factory.Sequence(lambda n: f"1.{n + 1}")
    text = factory.Faker("sentence", nb_words=10)


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = models.Milestone

    action = factory.SubFactory(ActionFactory)
    number = ""
    text = factory.Faker("sentence", nb_words=10)
    lead = factory.SubFactory(
        PersonFactory,
        partnership=factory.SelfAttribute("..action.outcome.priority.plan.partnership"),
    )
    due_text = "December 2019"
    original_due_date = date(2019, 12, 31)
    due_date = factory.SelfAttribute("original_due_date")


class MilestoneUpdateFactory(DjangoModelFactory):
    class Meta:
        model = models.MilestoneUpdate

    milestone = factory.SubFactory(MilestoneFactory)
    status = models.RAG.GREEN
    commentary = factory.Faker("paragraph")
    author = factory.SubFactory(UserFactory)


def plan_with_milestones(*, partnership=None, milestones: int = 5, **plan_kwargs):
    """A plan of two priorities ("2.9", "2.10"), each outcome → action → milestones.

    Milestones are spread over both priorities with statuses cycling through every RAG value,
    each with one update, so pages have something of everything to show.
    """
    plan = PlanFactory(**({"partnership": partnership} if partnership else {}), **plan_kwargs)
    statuses = [
        models.RAG.RED,
        models.RAG.AMBER,
        models.RAG.GREEN,
        models.RAG.COMPLETE,
        models.RAG.NOT_STARTED,
    ]
    actions = []
    for number in ("2.9", "2.10"):
        priority = PriorityFactory(plan=plan, number=number, title=f"Theme {number}")
        outcome = OutcomeFactory(priority=priority, number=number)
        actions.append(ActionFactory(outcome=outcome, number=f"{number}.1"))
    for index in range(milestones):
        status = statuses[index % len(statuses)]
        milestone = MilestoneFactory(
            action=actions[index % 2],
            number=f"{chr(ord('a') + index % 26)})",
            status=status,
            completed_on=date(2019, 12, 1) if status == models.RAG.COMPLETE else None,
        )
        update = MilestoneUpdateFactory(
            milestone=milestone,
            status=status,
            completed_on=milestone.completed_on,
            due_date=milestone.due_date,
        )
        models.Milestone.objects.filter(pk=milestone.pk).update(latest_update=update)
    return plan


class ReportingPeriodFactory(DjangoModelFactory):
    """2019/20 Q3 of a plan by default; dates follow year and quarter."""

    class Meta:
        model = models.ReportingPeriod

    plan = factory.SubFactory(PlanFactory)
    year = 2019
    quarter = 3
    start_date = factory.LazyAttribute(lambda o: FinancialQuarter(o.year, o.quarter).start)
    end_date = factory.LazyAttribute(lambda o: FinancialQuarter(o.year, o.quarter).end)
    update_deadline = factory.LazyAttribute(
        lambda o: FinancialQuarter(o.year, o.quarter).end + timedelta(days=14)
    )


class IndicatorFactory(DjangoModelFactory):
    """An outcomes indicator of a plan; percentage, higher is better, one decimal place."""

    class Meta:
        model = "outcomes.Indicator"

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"NI {n + 1}")
    definition = factory.Faker("sentence", nb_words=8)
    polarity = "higher"
    unit = "percentage"
    decimal_places = 1
    position = factory.Sequence(lambda n: n)


class IndicatorValueFactory(DjangoModelFactory):
    """An actual for the financial year 2019/20 by default."""

    class Meta:
        model = "outcomes.IndicatorValue"

    indicator = factory.SubFactory(IndicatorFactory)
    kind = "actual"
    year = 2019
    quarter = None
    period_type = "year"
    value = Decimal("50")
    status = "value"
    source = "import"
