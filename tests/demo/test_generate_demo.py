"""generate_demo: the demo data set at any size, the same for the same seed."""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from demo.data import demo_delete, demo_generate
from outcomes.models import Indicator, IndicatorValue
from plans.models import RAG, Milestone, MilestoneUpdate, Partnership, Person, Plan


def content_digest() -> str:
    """Everything a reader would see of the generated data, without ids or hashes."""
    rows = []
    for m in Milestone.objects.select_related(
        "action__outcome__priority__plan__partnership", "lead__organisation", "latest_update"
    ).order_by("action__outcome__priority__plan__partnership__slug", "action__number", "number"):
        rows.append(
            (
                m.action.outcome.priority.plan.partnership.name,
                m.action.outcome.priority.title,
                m.action.outcome.statement,
                m.action.number,
                m.action.text,
                m.number,
                m.text,
                m.lead.name,
                m.lead.organisation.name,
                m.due_text,
                str(m.original_due_date),
                str(m.due_date),
                m.status,
                m.latest_update.commentary if m.latest_update else "",
                str(m.latest_update.created_at) if m.latest_update else "",
            )
        )
    rows.extend(
        IndicatorValue.objects.order_by(
            "indicator__plan__partnership__slug", "indicator__code", "kind", "year", "quarter"
        ).values_list("indicator__code", "kind", "year", "quarter", "comparator", "value")
    )
    # Sorted as text: the ordering above ties where two actions share a number (in different
    # outcomes), and the database may return ties in any order.
    return hashlib.sha256(repr(sorted(rows, key=repr)).encode()).hexdigest()


@pytest.mark.django_db
def test_generates_the_asked_number_of_milestones_across_partnerships():
    counts = demo_generate(milestones=120, partnerships=2, seed=7)

    assert Milestone.objects.count() == counts.milestones == 120
    assert Partnership.objects.count() == 2
    assert Plan.objects.count() == 2
    assert MilestoneUpdate.objects.count() == counts.updates > 120
    assert Indicator.objects.count() == counts.indicators > 0
    assert IndicatorValue.objects.count() == counts.indicator_values > 0
    # Leads in every partnership, from several organisations, most of them with accounts.
    for partnership in Partnership.objects.all():
        people = Person.objects.filter(partnership=partnership)
        assert people.values("organisation").distinct().count() > 3
        assert people.filter(user__isnull=False).count() > people.count() / 2
    # Several milestones per action, and every RAG value present.
    per_action = Milestone.objects.values("action").distinct().count()
    assert per_action < 120 / 1.5
    assert set(Milestone.objects.values_list("status", flat=True)) == set(RAG.values)


@pytest.mark.django_db
def test_each_milestone_follows_its_latest_update_and_some_dates_slipped():
    demo_generate(milestones=150, partnerships=1, seed=3)

    updated = Milestone.objects.filter(latest_update__isnull=False).select_related("latest_update")
    assert updated.count() > 100
    for milestone in updated:
        latest = milestone.updates.order_by("-created_at", "-pk").first()
        assert milestone.latest_update == latest
        assert milestone.status == latest.status
        assert milestone.due_date == latest.due_date
        assert milestone.version == milestone.updates.count()
    for milestone in Milestone.objects.filter(latest_update__isnull=True):
        assert milestone.status == RAG.NOT_STARTED
    slipped = [m for m in updated if m.slipped]
    assert slipped
    assert MilestoneUpdate.objects.exclude(due_date_reason="").exists()
    # Histories span several quarters.
    months = {
        d.strftime("%Y-%m") for d in MilestoneUpdate.objects.values_list("created_at", flat=True)
    }
    assert len(months) > 12


@pytest.mark.django_db
def test_same_seed_gives_the_same_data_and_another_seed_does_not():
    demo_generate(milestones=80, partnerships=2, seed=11)
    first = content_digest()
    demo_delete(partnerships=2)
    assert Milestone.objects.count() == 0

    demo_generate(milestones=80, partnerships=2, seed=11)
    assert content_digest() == first

    demo_delete(partnerships=2)
    demo_generate(milestones=80, partnerships=2, seed=12)
    assert content_digest() != first


@pytest.mark.django_db
def test_command_refuses_to_overwrite_without_replace_and_replaces_with_it():
    call_command("generate_demo", milestones=30, partnerships=1, seed=1)
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_demo", milestones=30, partnerships=1, seed=1)

    call_command("generate_demo", milestones=40, partnerships=1, seed=1, replace=True)
    assert Milestone.objects.count() == 40
    assert Partnership.objects.count() == 1


@pytest.mark.django_db
def test_generated_leads_can_sign_in_only_when_a_password_is_given():
    demo_generate(milestones=20, partnerships=1, seed=1)
    person = Person.objects.filter(user__isnull=False).select_related("user").first()
    assert not person.user.has_usable_password()

    demo_delete(partnerships=1)
    demo_generate(milestones=20, partnerships=1, seed=1, password="a-demo-password-1")
    person = Person.objects.filter(user__isnull=False).select_related("user").first()
    assert person.user.check_password("a-demo-password-1")
