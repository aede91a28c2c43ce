"""Load the demo: two real legacy plans imported through the importer, demo sign-ins, RAG history.

The demo runs in today's time. Each plan is imported from ``fixtures/`` as its file is, then
its dates are moved by whole financial years (``demo.shift.plan_shift``, in the same
transaction) so that today falls in the year its story is told: the file describes that
year's first quarter, and the quarters after it are replayed up to today. Each quarter that
has ended is closed in turn (at its deadline, so its pack stays as it was while later quarters
move on); the quarter today falls in is open, collecting updates with its deadline ahead. The
plans' text is kept as written ("December 2008" beside a shifted date). Each lead is given an
agency and an address on the reserved example domain (``demo.people``).

Safe to run again: a demo plan already there is left as it is (not imported or moved again);
users, roles, agencies, addresses, periods and history are only added when missing. The
passwords are for the local demo only.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo.people import demo_people_complete
from demo.shift import date_shift, moment_shift, plan_shift, years_to_today
from imports.services import plan_dates_infer, plan_file_read, plan_import
from plans.models import (
    RAG,
    Membership,
    Milestone,
    MilestoneUpdate,
    Partnership,
    Person,
    Plan,
)
from plans.periods import FinancialQuarter
from plans.selectors import period_collecting
from plans.services import MilestoneConflict, milestone_update
from reporting.services import period_close, periods_generate

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class DemoPlan:
    partnership: str
    slug: str
    title: str
    file: str
    # When, in the file's own time, the file describes the plan: the end of the first quarter
    # of the demo's year. ``load_demo`` moves it (and every date of the plan) to this year.
    imported_at: datetime
    start: date | None = None
    end: date | None = None

    @property
    def demo_year(self) -> int:
        """The financial year the demo's story is told in (2008 for 2008/09)."""
        return FinancialQuarter.containing(self.imported_at.date()).year


MIDDLESBROUGH = DemoPlan(
    partnership="Middlesbrough Children's Trust",
    slug="middlesbrough",
    title="Action Plan 2009",
    file="middlesbrough-action-plan-2009.xlsx",
    # The file's 2008 deadlines are nearly all Complete and its 2009 ones still to come: it
    # reads as the plan in its 2008/09 year, which is where the demo tells it.
    imported_at=datetime(2008, 6, 30, 12, 0, tzinfo=LONDON),
    start=date(2008, 4, 1),
)
ROTHERHAM = DemoPlan(
    partnership="Rotherham Children and Young People's Board",
    slug="rotherham",
    title="CYPP 2010-13 Positive contribution",
    file="rotherham-cypp-2010-positive-contribution.xlsx",
    imported_at=datetime(2010, 6, 30, 12, 0, tzinfo=LONDON),
    start=date(2010, 4, 1),
    end=date(2013, 3, 31),
)

# (username, password, role per partnership slug, person to link per partnership slug)
DEMO_USERS = [
    ("demo-admin", "demo-admin-only", {"middlesbrough": "admin", "rotherham": "admin"}, {}),
    ("demo-board", "demo-board-only", {"middlesbrough": "board", "rotherham": "board"}, {}),
    (
        "demo-lead-safeguarding",
        "demo-lead-only",
        {"middlesbrough": "lead"},
        {"middlesbrough": "DD Safe-guarding"},
    ),
    ("demo-lead-perry", "demo-lead-only", {"rotherham": "lead"}, {"rotherham": "Simon Perry"}),
]

# A few milestones' quarters after the import: (plan, action number or text start, updates).
# Each update: (quarter end, status, commentary, new due date or None, reason for a later date)
HISTORY = [
    (
        MIDDLESBROUGH,
        "7.5",
        [
            (
                date(2008, 9, 30),
                RAG.AMBER,
                "Recruitment review delayed by the Ofsted inspection; plan now due in September.",
                date(2009, 9, 30),
                "Inspection took the team for six weeks.",
            ),
            (
                date(2008, 12, 31),
                RAG.GREEN,
                "Draft plan agreed by the fostering panel; consultation with carers under way.",
                None,
                "",
            ),
            (
                date(2009, 3, 31),
                RAG.COMPLETE,
                "Recruitment and retention plan approved by the Trust Board in March.",
                None,
                "",
            ),
        ],
    ),
    (
        MIDDLESBROUGH,
        "11.1",
        [
            (
                date(2008, 9, 30),
                RAG.GREEN,
                "Review of preventative services started; mapping complete for two localities.",
                None,
                "",
            ),
            (
                date(2008, 12, 31),
                RAG.AMBER,
                "Locality mapping slipped: CAF co-ordinator post vacant since October.",
                None,
                "",
            ),
            (
                date(2009, 3, 31),
                RAG.RED,
                "Will not be delivered by April without extra "
                "capacity; board asked to agree interim cover.",
                None,
                "",
            ),
        ],
    ),
    (
        MIDDLESBROUGH,
        "14.3",
        [
            (
                date(2008, 9, 30),
                RAG.GREEN,
                "Laming report recommendations mapped against local practice.",
                None,
                "",
            ),
            (
                date(2008, 12, 31),
                RAG.COMPLETE,
                "Implications reported to the Lead Member and the LSCB.",
                None,
                "",
            ),
        ],
    ),
    (
        ROTHERHAM,
        "Develop a strategic plan for CYPS Voice",
        [
            (
                date(2010, 9, 30),
                RAG.GREEN,
                "Voice & Influence task group meeting monthly; draft plan in preparation.",
                None,
                "",
            ),
            (
                date(2010, 12, 31),
                RAG.AMBER,
                "Draft delayed by restructure of the Youth Service; consultation moved to January.",
                None,
                "",
            ),
            (
                date(2011, 3, 31),
                RAG.COMPLETE,
                "CYPS Voice & Influence Plan agreed by the Board.",
                None,
                "",
            ),
        ],
    ),
]


# What leads wrote in the quarter under way (the plans' own history ends with their files).
THIS_QUARTER_COMMENTARY = [
    "Working group met this month; actions agreed and owners named. Next review at the "
    "quarterly board.",
    "On track: the draft is with partners for comment, closing at the end of the month.",
    "Recruitment delayed the start, but the first sessions have run and feedback is good.",
    "Progress as planned. Data for the quarter will be reported to the board.",
]


class Command(BaseCommand):
    help = (
        "Load the demo partnerships, plans (through the importer, dates moved to today's "
        "time), sign-ins, agencies and addresses, and RAG history."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        plans, years = {}, {}
        for demo in (MIDDLESBROUGH, ROTHERHAM):
            plans[demo.slug], years[demo.slug] = self.load_plan(demo, now=now)
        users = self.load_users(plans)
        for demo in (MIDDLESBROUGH, ROTHERHAM):
            completed = demo_people_complete(
                partnership=plans[demo.slug].partnership, slug=demo.slug
            )
            if completed:
                self.stdout.write(
                    f"{demo.partnership}: {completed} leads given an agency and an example.org "
                    "address."
                )
        self.load_history(plans, users, years, now=now)
        self.print_sign_ins()

    def load_plan(self, demo: DemoPlan, *, now: datetime) -> tuple[Plan, int | None]:
        """Import the demo file and move its dates to today's time; a plan already there stays.

        Returns the plan and the years its dates were moved by (None when it was already there).
        """
        partnership, _ = Partnership.objects.get_or_create(
            name=demo.partnership, defaults={"slug": demo.slug}
        )
        plan = Plan.objects.filter(partnership=partnership, title=demo.title).first()
        if plan is not None:
            self.stdout.write(f"{demo.partnership} — {demo.title}: already loaded, left as it is.")
            return plan, None
        data = (FIXTURES / demo.file).read_bytes()
        years = years_to_today(demo_year=demo.demo_year, today=timezone.localdate(now))
        with transaction.atomic():
            start, end = plan_dates_infer(parsed=plan_file_read(data=data, filename=demo.file))
            plan = Plan.objects.create(
                partnership=partnership,
                title=demo.title,
                start_date=demo.start or start,
                end_date=demo.end or end,
            )
            # Imported in the file's own time, then every date moved at once.
            result = plan_import(plan=plan, data=data, filename=demo.file, now=demo.imported_at)
            if not result.ok:
                raise CommandError(f"The demo file {demo.file} was refused: {result.refused}")
            plan = plan_shift(plan=plan, years=years)
        created = result.created
        self.stdout.write(
            f"{demo.partnership} — {demo.title}: {created['outcomes']} outcomes, "
            f"{created['actions']} actions, {created['milestones']} milestones added; "
            f"dates moved {years} years later, so the plan runs "
            f"{plan.start_date:%-d %B %Y} to {plan.end_date:%-d %B %Y}."
        )
        return plan, years

    def load_users(self, plans: dict[str, Plan]) -> dict[str, object]:
        User = get_user_model()
        users = {}
        for username, password, roles, people in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
                user.email = f"{username}@example.org"
                user.save()
            if username == "demo-admin" and not user.is_staff:
                # Staff, not superuser: the Django admin shows it only its partnerships.
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            users[username] = user
            for slug, role in roles.items():
                Membership.objects.get_or_create(
                    user=user, partnership=plans[slug].partnership, defaults={"role": role}
                )
            for slug, name in people.items():
                person = Person.objects.filter(
                    partnership=plans[slug].partnership, name=name
                ).first()
                if person is None:
                    raise CommandError(f"The demo lead '{name}' was not imported.")
                if person.user_id is None:
                    person.user = user
                    person.save(update_fields=["user"])
        return users

    def load_history(self, plans, users, years, *, now: datetime):
        """Replay the demo's quarters after the import in order, closing each one that has ended.

        Each step is moved by the plan's years and saved at its quarter's end; each ended
        quarter is closed at its deadline (or now, if that is still ahead), so the quarter
        today falls in is the one collecting updates, for leads, admins and the board alike.
        Only done for a plan just loaded: one already there keeps the history it has.
        """
        author = users["demo-admin"]
        today = timezone.localdate(now)
        for demo in (MIDDLESBROUGH, ROTHERHAM):
            plan, shift = plans[demo.slug], years[demo.slug]
            if shift is None:
                continue
            periods = periods_generate(plan=plan)
            steps = sorted(
                (date_shift(step[0], years=shift), which, step)
                for plan_demo, which, milestone_steps in HISTORY
                if plan_demo is demo
                for step in milestone_steps
            )
            for period in periods:
                if period.end_date >= today:
                    break
                for quarter_end, which, step in steps:
                    if period.start_date <= quarter_end <= period.end_date:
                        self.replay(plan, which, step, author, shift)
                deadline = datetime.combine(period.update_deadline, time(17), tzinfo=LONDON)
                period_close(period=period, user=author, now=min(deadline, now))
            # The quarter collecting updates now (set up or not yet, as every page tells it).
            collecting = period_collecting(plan=plan, today=today)
            if collecting is not None:
                self.replay_this_quarter(plan, collecting.period, users, now=now)

    def replay_this_quarter(self, plan, period, users, *, now: datetime):
        """Some leads have already updated in the quarter collecting updates, so the demo shows
        a quarter under way: about one in four milestones with a judgement, including two of
        the signed-in lead's, each updated by its lead a few days before now (never before
        the quarter began) with its status and dates as they were."""
        lead_user = users["demo-lead-safeguarding"]
        judged = list(
            Milestone.objects.filter(
                action__outcome__priority__plan=plan,
                status__in=[RAG.RED, RAG.AMBER, RAG.GREEN],
            )
            .select_related("lead__user")
            .order_by("pk")
        )
        own = [m for m in judged if m.lead and m.lead.user_id == lead_user.pk][:2]
        chosen = own + [m for m in judged[::4] if m not in own]
        start = datetime.combine(period.start_date, time(9), tzinfo=LONDON)
        for index, milestone in enumerate(chosen):
            author = milestone.lead.user if milestone.lead and milestone.lead.user else None
            update = milestone_update(
                milestone=milestone,
                user=author or users["demo-admin"],
                expected_version=milestone.version,
                status=milestone.status,
                commentary=THIS_QUARTER_COMMENTARY[index % len(THIS_QUARTER_COMMENTARY)],
                due_date=milestone.due_date,
                due_date_reason="",
                completed_on=None,
                status_reason="Agreed at the quarterly board: the work is continuing.",
            )
            when = max(start, now - timedelta(days=index % 9 + 1, hours=index % 5))
            MilestoneUpdate.objects.filter(pk=update.pk).update(created_at=min(when, now))

    def replay(self, plan, which, step, author, shift):
        quarter_end, status, commentary, new_due, reason = step
        quarter_end = date_shift(quarter_end, years=shift)
        milestones = Milestone.objects.filter(action__outcome__priority__plan=plan)
        if which[0].isdigit():
            milestone = milestones.filter(action__number=which).order_by("position").first()
        else:
            milestone = milestones.filter(action__text__startswith=which).first()
        if milestone is None:
            raise CommandError(f"The demo milestone '{which}' was not imported.")
        when = moment_shift(datetime.combine(step[0], time(16), tzinfo=LONDON), years=shift)
        try:
            update = milestone_update(
                milestone=milestone,
                user=author,
                expected_version=milestone.version,
                status=status,
                commentary=commentary,
                due_date=date_shift(new_due, years=shift) or milestone.due_date,
                due_date_reason=reason,
                completed_on=quarter_end if status == RAG.COMPLETE else None,
                status_reason="Agreed at the quarterly board: the work is continuing.",
            )
        except (ValidationError, MilestoneConflict) as error:
            raise CommandError(f"Demo history for {which} was refused: {error}") from error
        # The demo replays past quarters: date each update at its quarter's end.
        MilestoneUpdate.objects.filter(pk=update.pk).update(created_at=when)

    def print_sign_ins(self):
        rows = [
            ("demo-admin", "demo-admin-only", "admin of both partnerships, also in /admin/"),
            ("demo-board", "demo-board-only", "board member of both partnerships"),
            ("demo-lead-safeguarding", "demo-lead-only", "lead 'DD Safe-guarding', Middlesbrough"),
            ("demo-lead-perry", "demo-lead-only", "lead 'Simon Perry', Rotherham"),
        ]
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS("Demo sign-ins (local demo only — never use these anywhere else):")
        )
        for username, password, what in rows:
            self.stdout.write(f"  {username:<24} password: {password:<18} {what}")
        if settings.MFA_REQUIRED:
            self.stdout.write(
                "demo-admin sets up two-factor sign-in (an authenticator app) at first sign-in."
            )
        else:
            self.stdout.write(
                "Two-factor sign-in for admins is off in this demo (MFA_REQUIRED=false, "
                "config/settings/local.py); run with MFA_REQUIRED=true to try it."
            )
