"""`manage.py load_demo`: both plans via the importer, in today's time; sign-ins, agencies,
addresses and RAG history; idempotent."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command

from plans.models import (
    RAG,
    Membership,
    Milestone,
    MilestoneUpdate,
    Organisation,
    Outcome,
    Person,
    Plan,
)
from plans.selectors import period_collecting
from reporting.packs.data import pack_for_period

LONDON = ZoneInfo("Europe/London")
# A day inside 2026/27 Q3: the demo tells Middlesbrough's 2008/09 and Rotherham's 2010/11 here.
DECEMBER = datetime(2026, 12, 1, 9, tzinfo=LONDON)


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
        list(Plan.objects.values_list("start_date", "end_date")),
    ]


def demo_plans():
    middlesbrough = Plan.objects.get(
        title="Action Plan 2009", partnership__name="Middlesbrough Children's Trust"
    )
    rotherham = Plan.objects.get(
        title="CYPP 2010-13 Positive contribution",
        partnership__name="Rotherham Children and Young People's Board",
    )
    return middlesbrough, rotherham


@pytest.mark.django_db
def test_load_demo_imports_both_plans_creates_sign_ins_and_history_and_can_run_twice(rf):
    with time_machine.travel(DECEMBER, tick=False):
        output = load()
    first = snapshot()
    assert "Demo sign-ins" in output
    assert "demo-admin" in output and "demo-lead-perry" in output
    assert "dates moved 18 years later" in output

    middlesbrough, rotherham = demo_plans()
    assert Outcome.objects.filter(priority__plan=middlesbrough).count() == 45
    assert Outcome.objects.filter(priority__plan=rotherham).count() == 6

    admin = authenticate(rf.get("/"), username="demo-admin", password="demo-admin-only")
    assert admin is not None
    assert set(admin.memberships.values_list("role", flat=True)) == {"admin"}
    assert admin.memberships.count() == 2
    assert Person.objects.get(name="DD Safe-guarding").user.username == "demo-lead-safeguarding"
    assert Person.objects.get(name="Simon Perry").user.username == "demo-lead-perry"

    # Replayed up to the last closed quarter (2026/27 Q2), dated at its end; since then, a
    # few leads have updated in the quarter under way (2026/27 Q3), before today.
    history = MilestoneUpdate.objects.exclude(source=MilestoneUpdate.Source.IMPORT)
    days = {u.created_at.astimezone(LONDON).date() for u in history}
    assert date(2026, 9, 30) in days
    assert all(d == date(2026, 9, 30) or date(2026, 10, 1) <= d < DECEMBER.date() for d in days)
    slipped = Milestone.objects.get(
        action__number="7.5", action__outcome__priority__plan=middlesbrough
    )
    assert slipped.status == RAG.AMBER
    assert slipped.latest_update == slipped.updates.latest()
    assert (slipped.original_due_date, slipped.due_date) == (date(2027, 4, 30), date(2027, 9, 30))
    moved = slipped.updates.filter(due_date=date(2027, 9, 30)).earliest("created_at")
    assert moved.due_date_reason == "Inspection took the team for six weeks."

    with time_machine.travel(datetime(2027, 2, 1, 9, tzinfo=LONDON), tick=False):
        again = load()
    assert "already loaded, left as it is" in again
    assert snapshot() == first


@pytest.mark.django_db
def test_the_demo_plans_run_in_todays_time_with_their_words_as_written():
    with time_machine.travel(DECEMBER, tick=False):
        load()
    middlesbrough, rotherham = demo_plans()
    assert (middlesbrough.start_date, middlesbrough.end_date) == (
        date(2026, 4, 1),
        date(2029, 3, 31),
    )
    assert (rotherham.start_date, rotherham.end_date) == (date(2026, 4, 1), date(2029, 3, 31))
    # "December 2008" as the file wrote it, beside its date in the demo's time.
    december = Milestone.objects.filter(
        action__outcome__priority__plan=middlesbrough, due_text="December 2008"
    )
    assert december.exists()
    assert set(december.values_list("due_date", flat=True)) == {date(2026, 12, 31)}
    # A few overdue, not a wall (104 of 172 before the dates moved).
    today = date(2026, 12, 1)
    overdue = [m for m in Milestone.objects.all() if m.is_overdue(today)]
    assert 0 < len(overdue) <= 10, len(overdue)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("today", "closed", "collecting", "deadline"),
    [
        # Inside a quarter: the quarters before it are closed, it collects.
        (datetime(2026, 12, 1, 9), ["2026/27 Q1", "2026/27 Q2"], "2026/27 Q3", date(2027, 1, 14)),
        # Between a quarter's end and its deadline: it has ended, so it is closed and the
        # quarter today falls in collects.
        (datetime(2026, 7, 5, 9), ["2026/27 Q1"], "2026/27 Q2", date(2026, 10, 14)),
        # In Q1 the demo's year has ended: all four quarters are closed.
        (
            datetime(2027, 5, 10, 9),
            ["2026/27 Q1", "2026/27 Q2", "2026/27 Q3", "2026/27 Q4"],
            "2027/28 Q1",
            date(2027, 7, 14),
        ),
    ],
)
def test_the_quarter_today_falls_in_collects_updates_and_those_before_it_are_closed(
    today, closed, collecting, deadline
):
    with time_machine.travel(today.replace(tzinfo=LONDON), tick=False):
        load()
        for plan in demo_plans():
            labels = [p.label for p in plan.periods.filter(status="closed")]
            assert labels[-len(closed) :] == closed, plan
            assert not plan.periods.filter(status="open", end_date__lt=today.date()).exists()
            period = period_collecting(plan=plan)
            assert (period.label, period.deadline, period.late) == (collecting, deadline, False)
            # Every closed quarter has its snapshot, taken at its deadline or since.
            for quarter in plan.periods.filter(status="closed"):
                assert quarter.snapshots.count() == 1
                assert quarter.closed_at.date() <= quarter.update_deadline
    # Nothing saved after the moment the demo was loaded.
    moment = today.replace(tzinfo=LONDON)
    assert not MilestoneUpdate.objects.filter(created_at__gt=moment).exists()


@pytest.mark.django_db
def test_each_lead_has_an_agency_named_by_the_plan_and_an_example_address(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(DECEMBER, tick=False):
        load()
        leads = Person.objects.select_related("organisation")
        assert leads.count() == 54
        assert not leads.filter(organisation=None).exists()
        assert not leads.filter(email="").exists()
        assert all(p.email.split("@")[1].endswith("example.org") for p in leads)
        agency = {p.name: p.organisation.name for p in leads}
        assert agency["CAMHS"] == "Tees, Esk and Wear Valleys NHS Trust (CAMHS)"
        assert agency["STYOS Manager"] == "South Tees Youth Offending Service"
        assert agency["Inspector Gwyn Thomas"] == "South Yorkshire Police"
        assert agency["Director of Public Health"] == "Middlesbrough Primary Care Trust"
        assert agency["Paul Grimwood"] == "Rotherham Youth Offending Services"  # from the table
        assert agency["DD Safe-guarding"] == "Middlesbrough Council Children's Services"
        # Per-agency packs have something in them: the youth offending service's three.
        middlesbrough, _ = demo_plans()
        q2 = middlesbrough.periods.get(year=2026, quarter=2)
        yos = Organisation.objects.get(name="South Tees Youth Offending Service")
        assert pack_for_period(period=q2, organisation_id=yos.pk)["total"] == 3
        # A lead who signs in is reminded at the address they sign in with.
        safeguarding = Person.objects.get(name="DD Safe-guarding")
        assert safeguarding.email == safeguarding.user.email

        out = StringIO()
        call_command("send_update_reminders", stdout=out)
    assert "0 unreachable" in out.getvalue()
    assert len(mail.outbox) >= 10
    recipients = {address for message in mail.outbox for address in message.to}
    assert "demo-lead-safeguarding@example.org" in recipients
    assert all("14 January 2027" in message.body for message in mail.outbox)


@pytest.mark.django_db
def test_the_quarter_under_way_has_some_updates_already_including_two_of_the_signed_in_lead():
    with time_machine.travel(DECEMBER, tick=False):
        load()
        for plan in demo_plans():
            period = period_collecting(plan=plan).period
            this_quarter = MilestoneUpdate.objects.filter(
                milestone__action__outcome__priority__plan=plan,
                created_at__date__gte=period.start_date,
            )
            updated = set(this_quarter.values_list("milestone", flat=True))
            total = Milestone.objects.filter(action__outcome__priority__plan=plan).count()
            assert 0 < len(updated) < total / 2, plan
            assert all(u.commentary for u in this_quarter), "every update says something"
            assert not this_quarter.filter(created_at__gt=DECEMBER).exists()
        own = MilestoneUpdate.objects.filter(
            milestone__lead__user__username="demo-lead-safeguarding",
            created_at__date__gte=date(2026, 10, 1),
        )
        assert own.values("milestone").distinct().count() == 2, own
