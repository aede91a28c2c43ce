"""Issue 14: the reason for a moved date goes with the update that moved it, and a
"no change" update keeps the last real commentary, into the pack and the snapshot."""

from datetime import date

import time_machine
from django.urls import reverse

from plans import services as plan_services
from plans.models import Milestone
from reporting import services
from reporting.packs import build_pack
from reporting.packs.data import pack_for_period
from reporting.selectors import snapshot_latest
from tests.reporting.conftest import at, pdf_text, xlsx_values

REASON = "The training course was cancelled by the provider."


def slip_after_quarter_end(scenario):
    """On 5 January 2020, after Q3 ended and before its deadline, a date moves with a reason."""
    late = Milestone.objects.get(pk=scenario.milestones["late"].pk)
    with time_machine.travel(at(2020, 1, 5, 10), tick=False):
        plan_services.milestone_update(
            milestone=late,
            user=scenario.admin,
            expected_version=late.version,
            status="amber",
            commentary="New course booked.",
            due_date=date(2020, 2, 28),
            due_date_reason=REASON,
        )
    return late


def test_a_reason_typed_between_quarter_end_and_deadline_is_in_the_closed_pack(client, scenario):
    late = slip_after_quarter_end(scenario)
    with time_machine.travel(at(2020, 1, 10, 9), tick=False):
        services.period_close(period=scenario.q3, user=scenario.admin)

    snapshot = snapshot_latest(period=scenario.q3)
    frozen = [
        m
        for p in snapshot.data["priorities"]
        for o in p["outcomes"]
        for a in o["actions"]
        for m in a["milestones"]
        if m["id"] == late.pk
    ]
    assert frozen[0]["due_date_reason"] == REASON

    pack = pack_for_period(period=scenario.q3)
    [slipped] = [m for m in pack["changes"]["slipped"] if m["id"] == late.pk]
    assert slipped["due_date_reason"] == REASON

    changes = xlsx_values(build_pack(period_id=scenario.q3.pk, fmt="xlsx"))["Changes"]
    header = next(row for row in changes if row and "Reason given" in row)
    reasons = [row[header.index("Reason given")] for row in changes if row and row[0]]
    assert REASON in reasons

    client.force_login(scenario.admin)
    page = client.get(reverse("reporting:period_changes", kwargs={"pk": scenario.q3.pk}))
    assert REASON in page.content.decode()


def test_a_no_change_update_keeps_the_commentary_in_the_pack_and_says_when(scenario):
    worse = Milestone.objects.get(pk=scenario.milestones["worse"].pk)
    with time_machine.travel(at(2019, 12, 2, 10), tick=False):
        plan_services.milestone_update(
            milestone=worse,
            user=scenario.admin,
            expected_version=worse.version,
            status=worse.status,
            due_date=worse.due_date,
            no_change=True,
        )
    with time_machine.travel(at(2020, 1, 20, 9), tick=False):
        services.period_close(period=scenario.q3, user=scenario.admin)
        text = " ".join(pdf_text(build_pack(period_id=scenario.q3.pk, fmt="pdf")).split())
        sheets = xlsx_values(build_pack(period_id=scenario.q3.pk, fmt="xlsx"))
    assert "Procedures held up by the inspection" in text
    assert "No change, confirmed on 2 December 2019" in text
    cells = [str(c) for rows in sheets.values() for row in rows for c in row if c]
    assert any(
        "Procedures held up by the inspection" in c
        and "No change, confirmed on 2 December 2019" in c
        for c in cells
    )
