"""Generated demo data at any scale: partnerships, leads, plans, RAG histories and indicators.

Deterministic: the same ``seed`` and sizes give the same names, texts, statuses and dates on
every run and every database (nothing depends on today's date). Rows are written with
``bulk_create`` in batches, so 50,000 milestones take seconds, not minutes; simple-history
records are not written for generated rows, and ``NumberedItem.sort_key`` is filled here
because ``bulk_create`` skips ``save()``.

Text is composed from phrases of the partnerships' own vocabulary (safeguarding, youth
justice, early help) at the lengths real plans use; names come from Faker's en_GB locale.
"""

import random
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.text import slugify

from outcomes.models import Indicator, IndicatorValue, Polarity, Unit
from outcomes.periods import PeriodType
from plans.models import (
    RAG,
    Action,
    Membership,
    Milestone,
    MilestoneUpdate,
    Organisation,
    Outcome,
    Partnership,
    Person,
    Plan,
    Priority,
    ReportingPeriod,
)
from plans.numbering import number_sort_key
from plans.periods import FinancialQuarter, quarters_between
from reporting.models import Snapshot

PLACES = [
    "Middlesbrough",
    "Rotherham",
    "Medway",
    "Stockton-on-Tees",
    "Hartlepool",
    "Darlington",
    "Barnsley",
    "Wakefield",
    "Redcar and Cleveland",
    "North Tyneside",
    "Calderdale",
    "Swindon",
]
KINDS = [
    "Children and Young People's Trust",
    "Youth Justice Partnership Board",
    "Community Safety Partnership",
    "Health and Wellbeing Board",
    "Integrated Youth Support Partnership Group",
]
ORGANISATIONS = [
    "{place} Council",
    "Cleveland Police",
    "{place} NHS Foundation Trust",
    "{place} Youth Offending Service",
    "National Probation Service",
    "{place} Schools Forum",
    "{place} Voluntary Development Agency",
    "Fire and Rescue Service",
    "Jobcentre Plus",
]
ROLE_TITLES = [
    "DD Safeguarding",
    "SM Co-ordinator",
    "Strategic Lead",
    "Head of Service",
    "Team Manager",
    "Commissioning Manager",
    "Performance Officer",
    "Designated Nurse",
    "Detective Inspector",
    "YOT Manager",
    "Principal Educational Psychologist",
    "Partnership Officer",
]
THEMES = [
    "Being healthy",
    "Staying safe",
    "Enjoying and achieving",
    "Making a positive contribution",
    "Achieving economic well-being",
    "Prevent youth crime",
    "Teenage pregnancy: under 18 conception rates",
    "Early help and prevention",
    "Emotional health and well-being",
    "Children in care and care leavers",
    "Reducing re-offending",
    "Tackling domestic abuse",
]
VERBS = [
    "Review",
    "Develop",
    "Implement",
    "Agree",
    "Publish",
    "Commission",
    "Evaluate",
    "Train staff in",
    "Audit",
    "Extend",
    "Pilot",
    "Embed",
    "Map",
    "Consult young people on",
    "Revise",
]
OBJECTS = [
    "the multi-agency safeguarding procedures",
    "the early help offer",
    "the teenage pregnancy strategy",
    "the youth crime prevention programme",
    "school attendance protocols",
    "the CAMHS referral pathway",
    "the recruitment of foster carers",
    "the substance misuse service specification",
    "the anti-bullying charter",
    "the transitions protocol for care leavers",
    "the Common Assessment Framework",
    "the sexual health outreach service",
    "thresholds between children in need and children at risk",
    "the quality of written assessments and reports",
    "return interviews for children who go missing",
    "the restorative justice scheme",
    "the parenting support programme",
    "information sharing between agencies",
]
GROUPS = [
    "for looked after children",
    "for young people aged 13 to 19",
    "across all secondary schools",
    "in the three priority wards",
    "with the voluntary and community sector",
    "for children with disabilities",
    "for young carers",
    "with health visitors and school nurses",
    "for first-time entrants to the youth justice system",
    "for families with complex needs",
]
QUALIFIERS = [
    "",
    "in line with the JAR recommendations",
    "so that referrals are answered within 24 hours",
    "and report progress to the board each quarter",
    "using the findings of the annual performance assessment",
    "with a clear lead in each partner agency",
    "and publish the results on the partnership's website",
    "within existing resources",
]
OUTCOME_STARTS = [
    "Children and young people will",
    "Young people will",
    "Families will",
    "Fewer young people will",
    "More children will",
    "Care leavers will",
]
OUTCOME_ENDS = [
    "be safe from harm at home, at school and in the community",
    "achieve a good standard of education and leave school ready for work",
    "have the information they need to make healthy choices",
    "enter the youth justice system for the first time",
    "get help early, before problems become entrenched",
    "be in education, employment or training at 19",
    "experience bullying, and those who do will know where to get help",
    "have a say in the services that affect them",
]
COMMENTARY = [
    "Workshop held with {n} practitioners in {month}; actions agreed and owners named.",
    "Draft circulated to partners for comment; responses due by {date}.",
    "Delayed because the co-ordinator post was vacant until {month}.",
    "Funding agreed by the {org} board for the next two years.",
    "Data for the quarter shows {pct}% of referrals answered within the target time.",
    "Task and finish group met twice this quarter; terms of reference signed off.",
    "Awaiting sign-off from the Local Safeguarding Children Board at its {month} meeting.",
    "Training delivered to {n} staff across {k} agencies; evaluation forms returned by most.",
    "Audit of {n} case files completed; findings reported to the performance group.",
    "Young people's panel consulted; their comments have changed the draft significantly.",
    "Procurement exercise under way; the contract should start in {month}.",
    "No progress this quarter because of winter pressures in the service.",
    "Pilot running in two wards; early results are encouraging but numbers are small.",
    "Completed: the revised procedure is on the partnership website and staff were briefed.",
]
SLIP_REASONS = [
    "Consultation took longer than planned.",
    "The lead officer left and the post was vacant for three months.",
    "Waiting for national guidance, published late.",
    "Agreed by the board to align with the budget cycle.",
    "Data sharing agreement not yet signed by all partners.",
]
INDICATORS = [
    ("NI 19", "Rate of proven re-offending by young offenders", Polarity.LOWER, Unit.RATE),
    (
        "NI 111",
        "First-time entrants to the youth justice system aged 10-17",
        Polarity.LOWER,
        Unit.RATE,
    ),
    ("NI 112", "Under 18 conception rate", Polarity.LOWER, Unit.RATE),
    (
        "NI 117",
        "16 to 18 year olds not in education, employment or training",
        Polarity.LOWER,
        Unit.PERCENTAGE,
    ),
    (
        "NI 62",
        "Stability of placements of looked after children: number of moves",
        Polarity.LOWER,
        Unit.PERCENTAGE,
    ),
    (
        "NI 59",
        "Initial assessments carried out within 7 working days of referral",
        Polarity.HIGHER,
        Unit.PERCENTAGE,
    ),
    (
        "NI 56",
        "Obesity among primary school age children in Year 6",
        Polarity.LOWER,
        Unit.PERCENTAGE,
    ),
    (
        "NI 110",
        "Young people's participation in positive activities",
        Polarity.HIGHER,
        Unit.PERCENTAGE,
    ),
    (
        "NI 45",
        "Young offenders' engagement in suitable education, training and employment",
        Polarity.HIGHER,
        Unit.PERCENTAGE,
    ),
    ("NI 87", "Secondary school persistent absence rate", Polarity.LOWER, Unit.PERCENTAGE),
    (
        "NI 65",
        "Children becoming the subject of a child protection plan for a second time",
        Polarity.LOWER,
        Unit.PERCENTAGE,
    ),
    ("NI 50", "Emotional health of children", Polarity.HIGHER, Unit.PERCENTAGE),
]
COMPARATORS = ["Statistical neighbours", "England"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

# The generated plans run three financial years; updates cover the first ten quarters.
PLAN_START = date(2024, 4, 1)
PLAN_END = date(2027, 3, 31)
HISTORY_QUARTERS = quarters_between(PLAN_START, date(2026, 9, 30))
# Where a RAG goes next quarter (the chain a real plan's statuses roughly follow).
NEXT_STATUS = {
    RAG.NOT_STARTED: ([RAG.NOT_STARTED, RAG.GREEN, RAG.AMBER], [2, 6, 2]),
    RAG.GREEN: ([RAG.GREEN, RAG.AMBER, RAG.COMPLETE], [6, 2, 2]),
    RAG.AMBER: ([RAG.AMBER, RAG.GREEN, RAG.RED, RAG.COMPLETE], [4, 3, 2, 1]),
    RAG.RED: ([RAG.RED, RAG.AMBER, RAG.GREEN], [4, 4, 1]),
}


@dataclass
class DemoCounts:
    """What ``demo_generate`` wrote, by kind of row."""

    partnerships: int = 0
    organisations: int = 0
    people: int = 0
    users: int = 0
    plans: int = 0
    priorities: int = 0
    outcomes: int = 0
    actions: int = 0
    milestones: int = 0
    updates: int = 0
    indicators: int = 0
    indicator_values: int = 0
    usernames: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("usernames")
        return data


def partnership_names(count: int) -> list[tuple[str, str]]:
    """(name, slug) of the generated partnerships, the same for the same count."""
    names = []
    for index in range(count):
        place = PLACES[index % len(PLACES)]
        kind = KINDS[(index // len(PLACES) + index) % len(KINDS)]
        suffix = f" {index // len(PLACES) + 1}" if index >= len(PLACES) else ""
        name = f"{place} {kind}{suffix} (demo)"
        names.append((name, f"demo-{slugify(place)}-{index + 1}"))
    return names


class _Text:
    """Plan-like text of realistic lengths from one seeded random source."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def action(self) -> str:
        r = self.rng
        text = f"{r.choice(VERBS)} {r.choice(OBJECTS)} {r.choice(GROUPS)}"
        qualifier = r.choice(QUALIFIERS)
        return f"{text} {qualifier}".strip() + "."

    def milestone(self) -> str:
        r = self.rng
        text = f"{r.choice(VERBS)} {r.choice(OBJECTS)}"
        if r.random() < 0.6:
            text += f" {r.choice(GROUPS)}"
        if r.random() < 0.3:
            text += f" {r.choice(QUALIFIERS)}".rstrip()
        return text + "."

    def outcome(self) -> str:
        r = self.rng
        return f"{r.choice(OUTCOME_STARTS)} {r.choice(OUTCOME_ENDS)}."

    def commentary(self, *, organisation: str, when: date) -> str:
        r = self.rng
        sentences = []
        for _ in range(r.choice([1, 1, 2, 2, 3, 4])):
            sentences.append(
                r.choice(COMMENTARY).format(
                    n=r.randint(6, 140),
                    k=r.randint(2, 7),
                    pct=r.randint(55, 98),
                    month=MONTHS[(when.month + r.randint(0, 3)) % 12],
                    date=(when + timedelta(days=r.randint(10, 60))).strftime("%-d %B %Y"),
                    org=organisation,
                )
            )
        return " ".join(sentences)


def _letter(index: int) -> str:
    """a, b, … z, aa, ab … as legacy plans letter their milestones."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _due_text(rng: random.Random, due: date) -> str:
    style = rng.random()
    if style < 0.5:
        return due.strftime("%-d/%m/%y")
    if style < 0.85:
        return due.strftime("%B %Y")
    return f"End of {FinancialQuarter.containing(due).label}"


def _moment(rng: random.Random, quarter: FinancialQuarter) -> datetime:
    """A working-hours moment within a quarter (UTC, so the same on every machine)."""
    day = quarter.start + timedelta(days=rng.randint(0, (quarter.end - quarter.start).days))
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=UTC)


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


def demo_generate(
    *,
    milestones: int,
    partnerships: int = 3,
    seed: int = 1,
    password: str | None = None,
    batch_size: int = 2000,
) -> DemoCounts:
    """Write a deterministic demo data set of ``milestones`` milestones over ``partnerships``."""
    if milestones < 1 or partnerships < 1:
        raise ValueError("Generate at least one milestone in at least one partnership.")
    from faker import Faker  # a development dependency; only the demo needs it

    rng = random.Random(seed)  # noqa: S311  # nosec B311 — demo data must repeat, not be secret
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    text = _Text(rng)
    counts = DemoCounts()
    # One hash for every generated account: hashing tens of passwords would dominate the run.
    password_hash = make_password(password) if password else make_password(None)
    with transaction.atomic():
        for (name, slug), share in zip(
            partnership_names(partnerships), _split(milestones, partnerships), strict=True
        ):
            _partnership(
                name=name,
                slug=slug,
                milestones=share,
                rng=rng,
                faker=faker,
                text=text,
                password_hash=password_hash,
                batch_size=batch_size,
                counts=counts,
            )
    return counts


def demo_delete(*, partnerships: int) -> int:
    """Delete generated partnerships (by their demo slugs) and everything in them."""

    slugs = [slug for _, slug in partnership_names(partnerships)]
    with transaction.atomic():
        Snapshot.objects.filter(period__plan__partnership__slug__in=slugs).delete()
        get_user_model().objects.filter(
            memberships__partnership__slug__in=slugs, username__startswith="demo-"
        ).delete()
        deleted, _ = Partnership.objects.filter(slug__in=slugs).delete()
    return deleted


def _partnership(*, name, slug, milestones, rng, faker, text, password_hash, batch_size, counts):
    User = get_user_model()
    place = name.split(" ")[0]
    partnership = Partnership.objects.create(name=name, slug=slug)
    counts.partnerships += 1

    organisations = Organisation.objects.bulk_create(
        [Organisation(partnership=partnership, name=o.format(place=place)) for o in ORGANISATIONS]
    )
    counts.organisations += len(organisations)

    # Leads: about one per 40 milestones (10 to 400), most with an account.
    lead_count = max(10, min(400, milestones // 40))
    people, seen = [], set()
    for index in range(lead_count):
        full_name = f"{faker.first_name()} {faker.last_name()}"
        role = rng.choice(ROLE_TITLES)
        while (full_name, role) in seen:
            full_name = f"{faker.first_name()} {faker.last_name()}"
        seen.add((full_name, role))
        people.append(
            Person(
                partnership=partnership,
                name=full_name,
                role_title=role,
                organisation=organisations[index % len(organisations)],
                email=f"{slugify(full_name)}.{index}@{slug}.example.org",
            )
        )
    users = []
    for index, person in enumerate(people):
        if index % 5 != 4:  # one lead in five never signs in
            first, _, last = person.name.partition(" ")
            users.append(
                User(
                    username=f"{slug}-lead-{index + 1:03d}",
                    first_name=first,
                    last_name=last,
                    email=person.email,
                    password=password_hash,
                )
            )
    staff = [
        User(
            username=f"{slug}-admin", first_name="Plan", last_name="Admin", password=password_hash
        ),
        User(
            username=f"{slug}-board", first_name="Board", last_name="Member", password=password_hash
        ),
    ]
    users = User.objects.bulk_create(users + staff)
    by_username = {u.username: u for u in users}
    for index, person in enumerate(people):
        person.user = by_username.get(f"{slug}-lead-{index + 1:03d}")
    Person.objects.bulk_create(people, batch_size=batch_size)
    Membership.objects.bulk_create(
        [
            Membership(partnership=partnership, user=u, role=Membership.Role.LEAD)
            for u in users[: -len(staff)]
        ]
        + [
            Membership(partnership=partnership, user=by_username[f"{slug}-admin"], role="admin"),
            Membership(partnership=partnership, user=by_username[f"{slug}-board"], role="board"),
        ]
    )
    counts.people += len(people)
    counts.users += len(users)
    counts.usernames.extend(u.username for u in users)
    admin = by_username[f"{slug}-admin"]

    plan = Plan.objects.create(
        partnership=partnership,
        title=f"Delivery Plan {PLAN_START.year}-{PLAN_END.year}",
        start_date=PLAN_START,
        end_date=PLAN_END,
        description=f"The {name}'s three-year delivery plan (generated demo data).",
    )
    counts.plans += 1
    ReportingPeriod.objects.bulk_create(
        [
            ReportingPeriod(
                plan=plan,
                year=q.year,
                quarter=q.quarter,
                start_date=q.start,
                end_date=q.end,
                update_deadline=q.end + timedelta(days=14),
            )
            for q in quarters_between(PLAN_START, PLAN_END)
        ]
    )

    # Shape: 5 priorities (8 from 2,000 milestones), 2–5 milestones per action,
    # about four actions per outcome.
    per_action = []
    remaining = milestones
    while remaining:
        take = min(remaining, rng.choice([2, 3, 3, 4, 5]))
        per_action.append(take)
        remaining -= take
    outcome_count = max(1, round(len(per_action) / 4))
    priority_count = min(outcome_count, 8 if milestones >= 2000 else 5)
    themes = rng.sample(THEMES, priority_count)
    priorities = Priority.objects.bulk_create(
        [
            Priority(
                plan=plan,
                number=str(i + 1),
                sort_key=number_sort_key(str(i + 1)),
                position=i,
                title=themes[i],
            )
            for i in range(priority_count)
        ]
    )
    outcomes = []
    for index, share in enumerate(_split(outcome_count, priority_count)):
        for k in range(share):
            number = f"{index + 1}.{k + 1}"
            outcomes.append(
                Outcome(
                    priority=priorities[index],
                    number=number,
                    sort_key=number_sort_key(number),
                    position=len(outcomes),
                    statement=text.outcome(),
                    success_criteria="\n".join(text.outcome() for _ in range(rng.randint(1, 3))),
                )
            )
    outcomes = Outcome.objects.bulk_create(outcomes, batch_size=batch_size)
    actions = []
    for index, share in enumerate(_split(len(per_action), len(outcomes))):
        for k in range(share):
            number = f"{outcomes[index].number}.{k + 1}"
            actions.append(
                Action(
                    outcome=outcomes[index],
                    number=number,
                    sort_key=number_sort_key(number),
                    position=len(actions),
                    text=text.action(),
                    resources=rng.choice(["", "Within existing resources", "£25,000 LAA grant"]),
                    sources=rng.choice(["JAR", "APA", "CYPP", "LAA", "CYPP/LAA", "JAR / APA"]),
                    timescale=rng.choice(["short", "medium", "long", ""]),
                )
            )
    actions = Action.objects.bulk_create(actions, batch_size=batch_size)
    action_leads = [rng.choice(people) for _ in actions]
    for action, lead in zip(actions, action_leads, strict=True):
        action.lead_text = f"{lead.role_title}: {lead.name}"
    Action.objects.bulk_update(actions, ["lead_text"], batch_size=batch_size)
    Action.leads.through.objects.bulk_create(
        [
            Action.leads.through(action_id=a.pk, person_id=p.pk)
            for a, p in zip(actions, action_leads, strict=True)
        ],
        batch_size=batch_size,
    )
    counts.priorities += len(priorities)
    counts.outcomes += len(outcomes)
    counts.actions += len(actions)

    _milestones(
        actions=actions,
        per_action=per_action,
        action_leads=action_leads,
        people=people,
        admin=admin,
        rng=rng,
        text=text,
        batch_size=batch_size,
        counts=counts,
        plan=plan,
    )
    _indicators(
        plan=plan, priorities=priorities, outcomes=outcomes, people=people, rng=rng, counts=counts
    )


def _milestones(
    *, actions, per_action, action_leads, people, admin, rng, text, batch_size, counts, plan
):
    span = (PLAN_END - PLAN_START).days
    rows, histories = [], []
    for action, share, action_lead in zip(actions, per_action, action_leads, strict=True):
        for k in range(share):
            lead = action_lead if rng.random() < 0.6 else rng.choice(people)
            original = PLAN_START + timedelta(days=rng.randint(60, span))
            milestone = Milestone(
                action=action,
                number=f"{_letter(k)})",
                sort_key=number_sort_key(f"{_letter(k)})"),
                position=k,
                text=text.milestone(),
                lead=lead,
                lead_text=lead.name,
                due_text="Quarterly" if rng.random() < 0.04 else _due_text(rng, original),
                original_due_date=original,
                due_date=original,
            )
            if milestone.due_text == "Quarterly":
                milestone.original_due_date = milestone.due_date = None
            updates = _history(milestone=milestone, rng=rng, text=text, admin=admin)
            rows.append(milestone)
            histories.append(updates)
    Milestone.objects.bulk_create(rows, batch_size=batch_size)
    flat = []
    for milestone, updates in zip(rows, histories, strict=True):
        for update in updates:
            update.milestone = milestone
            flat.append(update)
    # Chronological per milestone, so the highest pk of a milestone's updates is its latest.
    MilestoneUpdate.objects.bulk_create(flat, batch_size=batch_size)
    _latest_update_link(low=rows[0].pk, high=rows[-1].pk)
    counts.milestones += len(rows)
    counts.updates += len(flat)


def _latest_update_link(*, low: int, high: int) -> None:
    """Point each milestone with ids low..high at its latest update, in one statement.

    A correlated subquery per row (the ORM's ``update(latest_update=Subquery(…))``) took 26 s
    for 10,000 milestones on PostgreSQL straight after the bulk insert, before statistics
    exist; joining one grouped aggregate takes well under a second on PostgreSQL and SQLite.
    """
    q = connection.ops.quote_name
    milestones, updates = q(Milestone._meta.db_table), q(MilestoneUpdate._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {milestones} SET latest_update_id = latest.id "  # noqa: S608  # nosec B608 — names from _meta
            f"FROM (SELECT milestone_id, MAX(id) AS id FROM {updates} "
            "WHERE milestone_id BETWEEN %s AND %s GROUP BY milestone_id) AS latest "
            f"WHERE {milestones}.id = latest.milestone_id",
            [low, high],
        )


def _history(
    *, milestone: Milestone, rng: random.Random, text: _Text, admin
) -> list[MilestoneUpdate]:
    """A milestone's quarterly updates; sets its current state to follow the last one."""
    count = rng.choices([0, 1, 2, 3, 4, 5, 6], weights=[1, 2, 3, 3, 3, 2, 1])[0]
    quarters = sorted(rng.sample(HISTORY_QUARTERS, count))
    status = RAG.NOT_STARTED
    due = milestone.due_date
    author = milestone.lead.user if milestone.lead and milestone.lead.user else admin
    organisation = milestone.lead.organisation.name if milestone.lead else "the partnership"
    updates = []
    for position, quarter in enumerate(quarters):
        choices, weights = NEXT_STATUS[status]
        status = rng.choices(choices, weights=weights)[0]
        created_at = _moment(rng, quarter)
        reason = ""
        if due and status in (RAG.AMBER, RAG.RED) and rng.random() < 0.35:
            due = due + timedelta(days=rng.choice([30, 61, 92, 183]))
            reason = rng.choice(SLIP_REASONS)
        completed_on = created_at.date() if status == RAG.COMPLETE else None
        updates.append(
            MilestoneUpdate(
                status=status,
                commentary=text.commentary(organisation=organisation, when=created_at.date()),
                due_date=due,
                due_date_reason=reason,
                completed_on=completed_on,
                author=author,
                author_name=author.get_full_name() or author.username,
                source=MilestoneUpdate.Source.IMPORT
                if position == 0
                else MilestoneUpdate.Source.WEB,
                created_at=created_at,
            )
        )
        if status == RAG.COMPLETE:
            break
    milestone.status = status
    milestone.due_date = due
    milestone.completed_on = updates[-1].completed_on if updates else None
    milestone.version = len(updates)
    return updates


def _indicators(*, plan, priorities, outcomes, people, rng, counts):
    wanted = min(len(INDICATORS), 2 * len(priorities) + 2)
    chosen = rng.sample(INDICATORS, wanted)
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                plan=plan,
                priority=priorities[index % len(priorities)],
                code=code,
                definition=definition,
                polarity=polarity,
                unit=unit,
                rate_per=100000 if unit == Unit.RATE else None,
                decimal_places=1,
                frequency="quarterly",
                owner=rng.choice(people),
                organisation=rng.choice(people).organisation,
                source_note="Local performance management system",
                position=index,
            )
            for index, (code, definition, polarity, unit) in enumerate(chosen)
        ]
    )
    links, values = [], []
    priority_outcomes = {}
    for outcome in outcomes:
        priority_outcomes.setdefault(outcome.priority_id, []).append(outcome)
    for indicator in indicators:
        for outcome in rng.sample(priority_outcomes[indicator.priority_id], 1):
            links.append(
                Indicator.outcomes.through(indicator_id=indicator.pk, outcome_id=outcome.pk)
            )
        scale = 1000 if indicator.unit == Unit.RATE else 40
        base = Decimal(rng.uniform(0.2, 0.8) * scale).quantize(Decimal("0.1"))
        better = -1 if indicator.polarity == Polarity.LOWER else 1

        value = partial(_indicator_value, values, indicator)
        value("baseline", PLAN_START.year - 1, number=base)
        for step, year in enumerate(range(PLAN_START.year, PLAN_END.year)):
            target = base * (1 + better * Decimal("0.04") * (step + 1))
            value("target", year, number=target.quantize(Decimal("0.1")))
            for comparator in COMPARATORS:
                drift = Decimal(rng.uniform(0.85, 1.15))
                value(
                    "comparator",
                    year,
                    comparator=comparator,
                    number=(base * drift).quantize(Decimal("0.1")),
                )
        actual = base
        for quarter in HISTORY_QUARTERS:
            actual = (actual * Decimal(rng.uniform(0.93, 1.07))).quantize(Decimal("0.1"))
            value("actual", quarter.year, quarter.quarter, PeriodType.QUARTER, number=actual)
    Indicator.outcomes.through.objects.bulk_create(links)
    IndicatorValue.objects.bulk_create(values)
    counts.indicators += len(indicators)
    counts.indicator_values += len(values)


def _indicator_value(
    values,
    indicator,
    kind,
    year,
    quarter=None,
    period_type=PeriodType.YEAR,
    comparator="",
    number=None,
):
    values.append(
        IndicatorValue(
            indicator=indicator,
            kind=kind,
            year=year,
            quarter=quarter,
            period_type=period_type,
            comparator=comparator,
            value=number,
            status="value",
            source="import",
        )
    )
