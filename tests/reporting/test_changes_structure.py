"""What changed lists the plan's own changes (reworded, another lead) and tells the two
"completed" counts apart; each change carries its commentary and links to its milestone."""

import time_machine
from django.urls import reverse

from reporting.packs.data import pack_for_period
from tests.reporting.conftest import at, build_plan, play_q3


def reword_and_relead(s):
    worse, better = s.milestones["worse"], s.milestones["better"]
    worse.text = "Procedures agreed by the board and published"
    worse.save()
    better.lead = s.milestones["worse"].lead  # from Simon Perry to Ken Dance
    better.save()


def test_without_a_closed_quarter_before_rewordings_and_new_leads_come_from_the_history(
    partnership, admin_user
):
    with time_machine.travel(at(2019, 9, 15, 10), tick=False):
        s = build_plan(partnership, admin_user)
    with time_machine.travel(at(2019, 11, 20, 14), tick=False):
        play_q3(s)
        reword_and_relead(s)
    with time_machine.travel(at(2019, 11, 25, 9), tick=False):
        changes = pack_for_period(period=s.q3)["changes"]

    [reworded] = changes["reworded"]
    assert reworded["from_text"] == "Procedures agreed by board"
    assert reworded["text"] == "Procedures agreed by the board and published"
    [moved] = changes["lead_changed"]
    assert moved["text"] == "Survey of young women"
    assert moved["from_lead"] == "Simon Perry"
    assert moved["lead_name"].startswith("Ken Dance")
    assert changes["withdrawn"] == []


def test_against_a_closed_quarter_rewordings_and_new_leads_come_from_its_snapshot(
    partnership, admin_user
):
    with time_machine.travel(at(2019, 9, 15, 10), tick=False):
        s = build_plan(partnership, admin_user)
    from reporting import services

    with time_machine.travel(at(2019, 10, 10, 9), tick=False):
        services.period_close(period=s.q2, user=admin_user)
    with time_machine.travel(at(2019, 11, 20, 14), tick=False):
        play_q3(s)
        reword_and_relead(s)
    with time_machine.travel(at(2019, 11, 25, 9), tick=False):
        changes = pack_for_period(period=s.q3)["changes"]

    assert "Compared with the closed quarter" in changes["basis"]
    assert [r["from_text"] for r in changes["reworded"]] == ["Procedures agreed by board"]
    assert [r["from_lead"] for r in changes["lead_changed"]] == ["Simon Perry"]


def test_a_milestone_moved_to_complete_is_told_apart_from_one_with_a_completion_date(
    client, scenario, board_user
):
    # A second milestone marked Complete this quarter, its completion dated last quarter.
    from datetime import date

    from tests.reporting.conftest import record_update

    with time_machine.travel(at(2019, 11, 21, 9), tick=False):
        record_update(
            scenario.milestones["late"],
            status="complete",
            commentary="Training was done in September; recorded late.",
            completed_on=date(2019, 9, 20),
            author=scenario.admin,
        )
    client.force_login(board_user)
    with time_machine.travel(at(2019, 11, 25, 9), tick=False):
        page = client.get(
            reverse("reporting:period_changes", kwargs={"pk": scenario.q3.pk})
        ).content.decode()

    assert "2 moved to Complete (1 with a completion date this quarter)" in page
    assert "Moved to Complete (2)" in page


def test_each_change_shows_its_commentary_and_reason_and_links_to_its_milestone(
    client, scenario, board_user
):
    client.force_login(board_user)
    with time_machine.travel(at(2019, 11, 25, 9), tick=False):
        page = client.get(
            reverse("reporting:period_changes", kwargs={"pk": scenario.q3.pk})
        ).content.decode()

    worse = scenario.milestones["worse"]
    assert reverse("plans:milestone_detail", kwargs={"pk": worse.pk}) in page
    assert "Procedures held up by the inspection; board to decide in January." in page
    assert "Panel short of volunteers." in page
    assert "Awaiting the funding decision." in page
    assert "Added milestones (1)" in page and "Reworded milestones (0)" in page
