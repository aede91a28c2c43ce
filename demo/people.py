"""The demo leads' agencies and e-mail addresses, which the legacy files do not give.

The plans name their leads by job title ("DD Safe-guarding", "STYOS Manager") or by name
("Strategic Lead: Simon Perry"). Where the lead's own words name an agency ("CAMHS",
"Schools", "Inspector", "Connexions") that agency is theirs; otherwise the table below says
which partner a lead works for, from what they lead in the plan; anyone else works for the
council's children's services, which led most of these plans. Addresses are on the reserved
example domain (RFC 2606), so reminders can be sent to the console and nowhere else.
"""

import re

from django.db import transaction
from django.utils.text import slugify

from plans.models import Organisation, Partnership, Person

COUNCIL = "council"
HEALTH = "health"
MENTAL_HEALTH = "mental health"
POLICE = "police"
SCHOOLS = "schools"
YOUTH_OFFENDING = "youth offending"
CONNEXIONS = "connexions"
VOLUNTARY = "voluntary"
SAFEGUARDING_BOARD = "safeguarding board"

# Each partnership's name for each kind of agency.
AGENCIES = {
    "middlesbrough": {
        COUNCIL: "Middlesbrough Council Children's Services",
        HEALTH: "Middlesbrough Primary Care Trust",
        MENTAL_HEALTH: "Tees, Esk and Wear Valleys NHS Trust (CAMHS)",
        POLICE: "Cleveland Police",
        SCHOOLS: "Middlesbrough schools and colleges",
        YOUTH_OFFENDING: "South Tees Youth Offending Service",
        CONNEXIONS: "Connexions Tees Valley",
        VOLUNTARY: "Middlesbrough Voluntary Development Agency",
        SAFEGUARDING_BOARD: "South Tees Local Safeguarding Children Board",
    },
    "rotherham": {
        COUNCIL: "Rotherham Council Children and Young People's Services",
        HEALTH: "NHS Rotherham",
        MENTAL_HEALTH: "Rotherham, Doncaster and South Humber NHS Trust (CAMHS)",
        POLICE: "South Yorkshire Police",
        SCHOOLS: "Rotherham schools and colleges",
        YOUTH_OFFENDING: "Rotherham Youth Offending Services",
        CONNEXIONS: "Connexions Rotherham",
        VOLUNTARY: "Voluntary Action Rotherham",
        SAFEGUARDING_BOARD: "Rotherham Local Safeguarding Children Board",
    },
}

# Agencies the lead's own words name (first match wins).
NAMED = [
    (re.compile(r"\bCAMHS\b"), MENTAL_HEALTH),
    (re.compile(r"\b(Police|Inspector|Sergeant|PCSO)\b", re.I), POLICE),
    (re.compile(r"\b(STYOS|YOS|YOT|Youth Offending)\b", re.I), YOUTH_OFFENDING),
    (re.compile(r"\bConnexions\b", re.I), CONNEXIONS),
    (re.compile(r"\b(Public Health|PCT|NHS|Teenage Pregnancy)\b", re.I), HEALTH),
    (re.compile(r"\b(Schools?|14-19)\b", re.I), SCHOOLS),
    (re.compile(r"\bVoluntary Sector Manager\b", re.I), VOLUNTARY),
    (re.compile(r"\bLSCB\b"), SAFEGUARDING_BOARD),
]

# Leads named by person: the agency of what they lead in the plan.
BY_NAME = {
    "rotherham": {
        "Richard Tweed": POLICE,  # the South Yorkshire Police children and young people strategy
        "Paul Grimwood": YOUTH_OFFENDING,  # the Youth Justice Plan
        "Caroline Rollitt": YOUTH_OFFENDING,  # triage at Rotherham Police Station, PYPPOs
        "Joanna Saunders": HEALTH,  # the sexual health strategy
        "Sarah Whittle": HEALTH,  # the teenage pregnancy strategy
        "Melanie Simmonds": HEALTH,
        "Karen Borthwick": SCHOOLS,  # the Learning Partnership plan, the 14-19 plan
        "Collette Bailey": SCHOOLS,
        "Alan Hazell": SAFEGUARDING_BOARD,  # the LSCB business plan
    },
}


def agency_kind(*, partnership_slug: str, name: str) -> str:
    """The kind of agency a demo lead works for: named in their words, else the table."""
    for pattern, kind in NAMED:
        if pattern.search(name):
            return kind
    return BY_NAME.get(partnership_slug, {}).get(name, COUNCIL)


def demo_email(*, partnership_slug: str, name: str) -> str:
    """A lead's demo address on the reserved example domain: 'dd-safe-guarding@…example.org'."""
    return f"{slugify(name) or 'lead'}@{partnership_slug}.example.org"


def demo_people_complete(*, partnership: Partnership, slug: str) -> int:
    """Give each lead of a demo partnership without them an agency and an address; say how many.

    A lead with a sign-in account gets its address, so the reminder reaches the same person
    who signs in. Each change is saved with its history ("Demo: agency and e-mail").
    """
    changed = 0
    with transaction.atomic():
        organisations = {}
        for person in (
            Person.objects.select_for_update(of=("self",))
            .filter(partnership=partnership, removed_at__isnull=True)
            .select_related("user")
        ):
            fields = []
            if person.organisation_id is None:
                kind = agency_kind(partnership_slug=slug, name=person.name)
                name = AGENCIES[slug][kind]
                if name not in organisations:
                    organisations[name], _ = Organisation.objects.get_or_create(
                        partnership=partnership, name=name
                    )
                person.organisation = organisations[name]
                fields.append("organisation")
            if not person.email:
                person.email = (person.user.email if person.user_id else "") or demo_email(
                    partnership_slug=slug, name=person.name
                )
                fields.append("email")
            if fields:
                person._change_reason = "Demo: agency and e-mail"
                person.save(update_fields=fields)
                changed += 1
    return changed
