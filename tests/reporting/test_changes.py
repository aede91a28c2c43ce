import time_machine

from reporting.changes import period_changes
from reporting.packs.data import pack_for_period
from reporting.selectors import plan_state
from tests import factories
from tests.reporting.conftest import at, build_plan, play_q3


def texts(rows):
    return sorted(r["text"] for r in rows)


def test_without_a_closed_quarter_before_changes_come_from_each_milestones_history(
    partnership, admin_user
):
    with time_machine.travel(at(2019, 9, 15, 10), tick=False):
        s = build_plan(partnership, admin_user)
    with time_machine.travel(at(2019, 11, 20, 14), tick=False):
        play_q3(s)
    with time_machine.travel(at(2019, 11, 25, 9), tick=False):
        changes = pack_for_period(period=s.q3)["changes"]

    assert "was not closed" in changes["basis"]
    assert texts(changes["worse"]) == ["Procedures agreed by board", "Youth panel running"]
    assert texts(changes["better"]) == ["Survey of young women"]
    assert texts(changes["completed"]) == ["Publish the strategy"]
    assert texts(changes["new"]) == ["Audit of case files"]
    [slip] = changes["slipped"]
    assert slip["due_date_reason"] == "Awaiting the funding decision."
    assert slip["from_due"].isoformat() == "2019-12-31"
    assert changes["removed"] == []


def test_against_a_closed_quarter_new_and_removed_items_are_found(scenario):
    changes = pack_for_period(period=scenario.q3)["changes"]

    assert texts(changes["new"]) == ["Audit of case files"]
    assert texts(changes["removed"]) == ["Pilot in two schools"]
    assert texts(changes["worse"]) == ["Procedures agreed by board", "Youth panel running"]
    assert [m["from_label"] for m in changes["worse"]] == ["Green", "Green"]


def test_indicators_whose_direction_of_travel_changed_are_listed(scenario):
    with time_machine.travel(at(2019, 11, 25, 9), tick=False):
        current = plan_state(period=scenario.q3)
    previous = {**current, "indicators": []}
    current["indicators"] = [
        {"code": "NI 19", "definition": "Re-offending", "direction": "↓ Worsening"},
        {"code": "NI 112", "definition": "Under-18 conceptions", "direction": "↑ Improving"},
    ]
    previous["indicators"] = [
        {"code": "NI 19", "definition": "Re-offending", "direction": "↑ Improving"},
        {"code": "NI 112", "definition": "Under-18 conceptions", "direction": "↑ Improving"},
    ]

    changes = period_changes(current=current, previous=previous)

    assert [(i["code"], i["from_direction"], i["direction"]) for i in changes["indicators"]] == [
        ("NI 19", "↑ Improving", "↓ Worsening")
    ]


def test_a_milestone_with_no_update_before_the_quarter_only_counts_if_completed(
    partnership, admin_user
):
    with time_machine.travel(at(2019, 9, 15, 10), tick=False):
        s = build_plan(partnership, admin_user)
        fresh = factories.MilestoneFactory(action=s.milestones["worse"].action, text="Fresh")
    with time_machine.travel(at(2019, 11, 25, 9), tick=False):
        changes = pack_for_period(period=s.q3)["changes"]

    assert "Fresh" not in texts(changes["new"] + changes["worse"] + changes["better"])
    assert fresh.pk
