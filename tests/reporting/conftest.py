"""A constructed quarter-by-quarter scenario for the reporting tests.

2019/20 plan with two priorities. Q2 (July–September) is updated and closed on 10 October;
Q3 (October–December) then sees one milestone go red, one recover to green, one slip with a
reason, one complete, one become overdue, one added and one removed.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from plans.models import Milestone, MilestoneUpdate, Plan, ReportingPeriod
from reporting import services
from tests import factories
from tests.system_tools import pdf_text  # noqa: F401 - shared by the reporting tests

LONDON = ZoneInfo("Europe/London")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def record_update(
    milestone: Milestone,
    *,
    status,
    commentary,
    due_date=None,
    reason="",
    completed_on=None,
    author=None,
) -> MilestoneUpdate:
    """Append an update and move the milestone's current state, as milestone updates do."""
    update = MilestoneUpdate.objects.create(
        milestone=milestone,
        status=status,
        commentary=commentary,
        due_date=due_date or milestone.due_date,
        due_date_reason=reason,
        completed_on=completed_on,
        author=author,
        author_name=author.username if author else "",
    )
    milestone.status = status
    milestone.due_date = update.due_date
    milestone.completed_on = completed_on
    milestone.latest_update = update
    milestone.version += 1
    milestone.save()
    return update


@dataclass
class Scenario:
    plan: Plan
    q2: ReportingPeriod
    q3: ReportingPeriod
    admin: object
    police: object
    council: object
    priorities: list = field(default_factory=list)
    milestones: dict = field(default_factory=dict)


def build_plan(partnership, admin_user) -> Scenario:
    """Structure and Q2 updates (at 15 September 2019)."""
    police = factories.OrganisationFactory(partnership=partnership, name="Cleveland Police")
    council = factories.OrganisationFactory(partnership=partnership, name="Middlesbrough Council")
    inspector = factories.PersonFactory(
        partnership=partnership, name="Ken Dance", role_title="YOT", organisation=police
    )
    officer = factories.PersonFactory(
        partnership=partnership,
        name="Simon Perry",
        role_title="Strategic Lead",
        organisation=council,
    )
    plan = factories.PlanFactory(partnership=partnership, title="Delivery Plan 2019/20")
    safe = factories.PriorityFactory(plan=plan, number="1", title="Staying Safe")
    healthy = factories.PriorityFactory(plan=plan, number="2", title="Being Healthy")
    safe_action = factories.ActionFactory(
        outcome=factories.OutcomeFactory(priority=safe, number="1", statement="Children are safe"),
        number="1.1",
        text="Revise safeguarding procedures",
    )
    healthy_action = factories.ActionFactory(
        outcome=factories.OutcomeFactory(
            priority=healthy, number="2", statement="Fewer teenage pregnancies"
        ),
        number="2.1",
        text="Understand why young women get pregnant",
    )

    def milestone(key, action, lead, text, due):
        m = factories.MilestoneFactory(
            action=action,
            lead=lead,
            number=f"{key})",
            text=text,
            due_text="",
            original_due_date=due,
            due_date=due,
        )
        return m

    ms = {
        "worse": milestone(
            "a", safe_action, inspector, "Procedures agreed by board", date(2020, 3, 31)
        ),
        "better": milestone(
            "b", healthy_action, officer, "Survey of young women", date(2020, 3, 31)
        ),
        "slip": milestone("c", safe_action, inspector, "Youth panel running", date(2019, 12, 31)),
        "done": milestone("d", healthy_action, officer, "Publish the strategy", date(2019, 12, 31)),
        "late": milestone("e", safe_action, inspector, "Train panel members", date(2019, 10, 31)),
        "gone": milestone("g", healthy_action, officer, "Pilot in two schools", date(2020, 3, 31)),
    }
    record_update(ms["worse"], status="green", commentary="On track.", author=admin_user)
    record_update(ms["better"], status="amber", commentary="Survey delayed.", author=admin_user)
    record_update(ms["slip"], status="green", commentary="Panel recruiting.", author=admin_user)
    record_update(ms["done"], status="green", commentary="Drafting.", author=admin_user)
    record_update(ms["late"], status="green", commentary="Booked.", author=admin_user)
    record_update(ms["gone"], status="green", commentary="Schools found.", author=admin_user)
    q2, q3, *_ = services.periods_generate(plan=plan)[1:]
    return Scenario(
        plan=plan,
        q2=q2,
        q3=q3,
        admin=admin_user,
        police=police,
        council=council,
        priorities=[safe, healthy],
        milestones=ms,
    )


def play_q3(s: Scenario) -> None:
    """Q3 updates (20 November 2019)."""
    ms = s.milestones
    record_update(
        ms["worse"],
        status="red",
        commentary="Procedures held up by the inspection; board to decide in January.",
        author=s.admin,
    )
    record_update(ms["better"], status="green", commentary="Survey back on track.", author=s.admin)
    record_update(
        ms["slip"],
        status="amber",
        commentary="Panel short of volunteers.",
        due_date=date(2020, 3, 31),
        reason="Awaiting the funding decision.",
        author=s.admin,
    )
    record_update(
        ms["done"],
        status="complete",
        commentary="Published on the website.",
        completed_on=date(2019, 11, 15),
        author=s.admin,
    )
    ms["new"] = factories.MilestoneFactory(
        action=ms["worse"].action,
        lead=ms["worse"].lead,
        number="f)",
        text="Audit of case files",
        due_text="",
        original_due_date=date(2020, 2, 28),
        due_date=date(2020, 2, 28),
    )
    gone = ms.pop("gone")
    s.milestones["removed_text"] = gone.text
    gone.delete()


@pytest.fixture
def scenario(partnership, admin_user) -> Scenario:
    """Q2 closed, Q3 played out and still open (now: 20 November 2019)."""
    with time_machine.travel(at(2019, 9, 15, 10), tick=False):
        s = build_plan(partnership, admin_user)
    with time_machine.travel(at(2019, 10, 10, 9), tick=False):
        services.period_close(period=s.q2, user=admin_user)
    with time_machine.travel(at(2019, 11, 20, 14), tick=False):
        play_q3(s)
    return s


def pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(BytesIO(data)).pages)


def xlsx_values(data: bytes) -> dict[str, list[tuple]]:
    """Every sheet's cell values, read back with openpyxl."""
    wb = load_workbook(BytesIO(data))
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in wb}
