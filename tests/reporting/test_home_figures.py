"""The home page's figures, counted by the database, are the draft pack's figures.

``selectors.home_figures`` counts in SQL what ``pack_data(plan_state(...))`` counts in Python
(the home page's time must not grow with the plan); these tests build varied plans (withdrawn
items at every level, overdue, completed, slipped, not started, several priorities, every
kind of lead, commentary and none) and compare the two, figure by figure.
"""

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from plans import rag
from plans.models import Action, Milestone, Outcome, Priority
from reporting import selectors
from reporting.dashboard import EXCEPTIONS_SHOWN, figures_from_pack
from reporting.packs.data import pack_data
from tests import factories

STATUSES = list(rag.RAG)
NUMBERS = ["", "1", "2", "2.9", "2.10", "a)", "b)", "10"]


def pack_figures(period, as_at):
    state = selectors.plan_state(period=period, as_at=as_at)
    return figures_from_pack(pack_data(state=state, previous=None))


def varied_plan(seed: int):
    """A plan of random shape and content, the same for the same seed."""
    rnd = random.Random(seed)
    plan = factories.PlanFactory()
    partnership = plan.partnership
    people = [factories.PersonFactory(partnership=partnership) for _ in range(3)]
    people.append(
        factories.PersonFactory(partnership=partnership, role_title="", organisation=None)
    )
    withdrawn = []
    for _ in range(rnd.randint(1, 4)):
        priority = factories.PriorityFactory(
            plan=plan, number=rnd.choice(NUMBERS), position=rnd.randint(0, 3)
        )
        if rnd.random() < 0.15:
            withdrawn.append(priority)
        for _ in range(rnd.randint(1, 3)):
            outcome = factories.OutcomeFactory(
                priority=priority, number=rnd.choice(NUMBERS), position=rnd.randint(0, 3)
            )
            if rnd.random() < 0.1:
                withdrawn.append(outcome)
            for _ in range(rnd.randint(1, 3)):
                action = factories.ActionFactory(
                    outcome=outcome,
                    number=rnd.choice(NUMBERS),
                    position=rnd.randint(0, 3),
                    lead_text=rnd.choice(["", "", "Community Safety Team"]),
                )
                action.leads.set(rnd.sample(people, rnd.randint(0, 2)))
                if rnd.random() < 0.1:
                    withdrawn.append(action)
                for _ in range(rnd.randint(0, 7)):
                    original = date(2019, 10, 1) + timedelta(days=rnd.randint(-60, 120))
                    due = rnd.choice([original, original + timedelta(days=rnd.randint(1, 60))])
                    status = rnd.choice(STATUSES)
                    milestone = factories.MilestoneFactory(
                        action=action,
                        number=rnd.choice(NUMBERS),
                        position=rnd.randint(0, 3),
                        status=status,
                        lead=rnd.choice([None, *people]),
                        lead_text=rnd.choice(["", "", "Youth Offending Service"]),
                        original_due_date=rnd.choice([None, original]),
                        due_date=rnd.choice([None, due, due]),
                        completed_on=date(2019, 11, 1) if status == rag.RAG.COMPLETE else None,
                    )
                    for commentary in rnd.sample(
                        ["Going well.", "Held up.", ""], rnd.randint(0, 3)
                    ):
                        factories.MilestoneUpdateFactory(
                            milestone=milestone, status=status, commentary=commentary
                        )
                    if rnd.random() < 0.1:
                        withdrawn.append(milestone)
    for item in withdrawn:
        type(item).objects.filter(pk=item.pk).update(withdrawn_at=timezone.now())
    return plan


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("as_at", [date(2019, 11, 25), date(2020, 2, 1)])
def test_the_databases_home_figures_are_the_draft_packs(db, seed, as_at):
    plan = varied_plan(seed)
    period = factories.ReportingPeriodFactory(plan=plan)

    expected = pack_figures(period, as_at)
    figures = selectors.home_figures(period=period, exceptions=EXCEPTIONS_SHOWN, as_at=as_at)

    assert figures == expected
    # The data really was varied: something of everything the rules tell apart.
    assert figures["totals"] and len(figures["summary"]) == len(
        Priority.objects.live().filter(plan=plan)
    )


def test_the_seeds_cover_every_rule(db):
    """Across the seeds: withdrawn items at every level, overdue, slipped, every status, and
    more red and amber milestones than the page shows, all counted alike."""
    seen = {"overdue": 0, "slipped": 0, "more_exceptions_than_shown": 0, "statuses": set()}
    for seed in range(8):
        plan = varied_plan(seed)
        period = factories.ReportingPeriodFactory(plan=plan)
        figures = selectors.home_figures(
            period=period, exceptions=EXCEPTIONS_SHOWN, as_at=date(2019, 11, 25)
        )
        seen["overdue"] += figures["overdue"]
        seen["slipped"] += figures["slipped"]
        seen["more_exceptions_than_shown"] += figures["exceptions_total"] > EXCEPTIONS_SHOWN
        seen["statuses"] |= {s for s, n in zip(rag.ORDER, figures["totals"], strict=True) if n}
    assert seen["overdue"] and seen["slipped"] and seen["more_exceptions_than_shown"]
    assert seen["statuses"] == set(rag.ORDER)
    for model in (Priority, Outcome, Action, Milestone):
        assert model.objects.filter(withdrawn_at__isnull=False).exists(), model


def test_withdrawn_items_leave_the_home_figures(db):
    plan = factories.plan_with_milestones(milestones=10)
    period = factories.ReportingPeriodFactory(plan=plan)
    as_at = date(2019, 11, 25)
    before = selectors.home_figures(period=period, exceptions=EXCEPTIONS_SHOWN, as_at=as_at)
    red = Milestone.objects.filter(action__outcome__priority__plan=plan, status="red").first()
    Action.objects.filter(pk=red.action_id).update(withdrawn_at=timezone.now())

    after = selectors.home_figures(period=period, exceptions=EXCEPTIONS_SHOWN, as_at=as_at)

    assert after == pack_figures(period, as_at)
    assert sum(after["totals"]) == sum(before["totals"]) - 5  # the action's five milestones
    assert after["exceptions_total"] == before["exceptions_total"] - 2
