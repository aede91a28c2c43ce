"""`manage.py load_demo`: both plans via the importer, sign-ins, RAG history; idempotent."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from plans.models import RAG, Membership, Milestone, MilestoneUpdate, Outcome, Person, Plan


def load():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot():
    return [
        Plan.objects.count(),
        Outcome.objects.count(),
        Milestone.objects.count(),
        MilestoneUpdate.objects.count(),
        Person.objects.count(),
        Membership.objects.count(),
    ]


@pytest.mark.django_db
def test_load_demo_imports_both_plans_creates_sign_ins_and_history_and_can_run_twice(rf):
    output = load()
    first = snapshot()
    assert "Demo sign-ins" in output
    assert "demo-admin" in output and "demo-lead-perry" in output

    middlesbrough = Plan.objects.get(
        title="Action Plan 2009", partnership__name="Middlesbrough Children's Trust"
    )
    rotherham = Plan.objects.get(
        title="CYPP 2010-13 Positive contribution",
        partnership__name="Rotherham Children and Young People's Board",
    )
    assert Outcome.objects.filter(priority__plan=middlesbrough).count() == 45
    assert Outcome.objects.filter(priority__plan=rotherham).count() == 6

    admin = authenticate(rf.get("/"), username="demo-admin", password="demo-admin-only")
    assert admin is not None
    assert set(admin.memberships.values_list("role", flat=True)) == {"admin"}
    assert admin.memberships.count() == 2
    assert Person.objects.get(name="DD Safe-guarding").user.username == "demo-lead-safeguarding"
    assert Person.objects.get(name="Simon Perry").user.username == "demo-lead-perry"

    history = MilestoneUpdate.objects.exclude(source=MilestoneUpdate.Source.IMPORT)
    assert history.count() >= 8
    quarters = {update.created_at.date().isoformat() for update in history}
    assert {"2009-09-30", "2009-12-31", "2010-03-31"} <= quarters
    slipped = Milestone.objects.get(
        action__number="7.5", action__outcome__priority__plan=middlesbrough
    )
    assert slipped.status == RAG.COMPLETE
    assert slipped.latest_update == slipped.updates.latest()
    assert slipped.due_date > slipped.original_due_date

    load()
    assert snapshot() == first


@pytest.mark.django_db
def test_load_demo_closes_past_quarters_so_their_packs_are_frozen():
    call_command("load_demo", stdout=StringIO())
    plan = Plan.objects.get(title="Action Plan 2009")
    closed = [p.label for p in plan.periods.filter(status="closed").order_by("year", "quarter")]
    assert closed == ["2009/10 Q1", "2009/10 Q2", "2009/10 Q3"]
    assert plan.periods.get(year=2009, quarter=4).status == "open"
    # Each closed quarter has its snapshot, taken in order as the history was replayed.
    q3 = plan.periods.get(year=2009, quarter=3)
    assert q3.snapshots.count() == 1
