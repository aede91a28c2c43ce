"""Columns mapped by role and decided by content: the layouts inspection and review plans use."""

import csv
import io

import pytest

from imports.layout import find_layout
from imports.reading import read_file
from imports.services import plan_file_read, plan_import
from plans.models import Action, Milestone, Organisation, Outcome
from tests import factories


@pytest.fixture
def plan(partnership):
    return factories.PlanFactory(partnership=partnership, title="Scrutiny Review 2023/24")


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


RECOMMENDATIONS = [
    ["Ref", "Recommendation", "Action(s)", "Lead", "Lead agency", "Supporting partners",
     "Timescale", "RAG", "Progress", "Notes"],
    ["1", "The partnership should make sure that every child at risk of exploitation has a "
     "multi-agency plan that is reviewed.", "Audit the exploitation plans every quarter",
     "Insp. Jo Bloggs", "Police", "Health; Education", "Q2 2023/24", "G",
     "First audit done.", "Board asked for a report"],
    ["1", "The partnership should make sure that every child at risk of exploitation has a "
     "multi-agency plan that is reviewed.", "Train the front door staff", "Dr Sam Hill",
     "NHS Trust", "", "March 2024", "A", "Half trained.", ""],
    ["", "", "", "", "", "", "", "", "Second paragraph of progress pasted from Word.", ""],
    ["2", "Leaders should improve the quality of supervision across the service.",
     "Introduce a supervision audit tool", "Ann Lee", "Council", "", "2023/24", "R",
     "Delayed by recruitment.", ""],
]  # fmt: skip


def test_recommendations_are_outcomes_and_the_action_column_holds_the_items(plan):
    result = plan_import(plan=plan, data=csv_bytes(RECOMMENDATIONS), filename="review.csv")
    assert result.ok, result.refused
    outcomes = list(Outcome.objects.filter(priority__plan=plan).order_by("pk"))
    assert [o.number for o in outcomes] == ["1", "2"]
    assert outcomes[0].statement.startswith("The partnership should make sure")
    actions = list(Action.objects.filter(outcome__priority__plan=plan).order_by("pk"))
    assert [a.text for a in actions] == [
        "Audit the exploitation plans every quarter",
        "Train the front door staff",
        "Introduce a supervision audit tool",
    ]
    audit = actions[0].milestones.get()
    assert audit.lead.name == "Insp. Jo Bloggs"
    assert audit.lead.organisation.name == "Police"
    assert audit.due_date.isoformat() == "2023-09-30"
    assert "Supporting partners: Health; Education" in actions[0].resources
    assert "Board asked for a report" in audit.latest_update.commentary
    train = actions[1].milestones.get()
    # The paste-split row's paragraph is the training action's progress, not a new item.
    assert "Second paragraph of progress" in train.latest_update.commentary
    assert Milestone.objects.filter(action__outcome__priority__plan=plan).count() == 3
    assert actions[2].milestones.get().due_date.isoformat() == "2024-03-31"
    assert set(Organisation.objects.values_list("name", flat=True)) >= {"Police", "NHS Trust"}


def test_two_columns_for_one_level_are_shared_by_content_and_marked_uncertain():
    rows = [
        ["Action", "Actions"],
        ["Improve the quality of supervision so that every worker has regular reflective "
         "supervision recorded on the file", "Write the supervision policy"],
        ["Improve the quality of supervision so that every worker has regular reflective "
         "supervision recorded on the file", "Audit ten files a month"],
        ["Improve the quality of supervision so that every worker has regular reflective "
         "supervision recorded on the file", "Report to the board"],
    ]  # fmt: skip
    sheet = read_file(data=csv_bytes(rows), filename="plan.csv")[0]
    layout = find_layout(sheet.rows, mapping={})
    assert [(c.label, c.field) for c in layout.columns] == [
        ("Action", "action"),
        ("Actions", "milestone"),
    ]
    assert layout.uncertain


def test_a_deadline_column_of_prose_loses_to_one_of_dates():
    rows = [
        ["Action", "Date", "Deadline", "Lead"],
        ["Open the hub", "Agreed at the board in the spring meeting", "May 2024", "Jo"],
        ["Hire staff", "Depends on funding being in place", "June 2024", "Jo"],
    ]
    sheet = read_file(data=csv_bytes(rows), filename="plan.csv")[0]
    layout = find_layout(sheet.rows, mapping={})
    fields = {c.label: c.field for c in layout.columns}
    assert fields["Deadline"] == "due"
    assert fields["Date"] == "notes"


def test_every_column_not_imported_and_each_of_its_cells_is_named(plan):
    rows = [
        ["Action", "Lead", "By when", "Cost centre"],
        ["Open the hub", "Jo Smith", "May 2024", "CC123"],
    ]
    parsed = plan_file_read(
        data=csv_bytes(rows), filename="plan.csv", mapping={"Cost centre": "ignore"}
    )
    messages = [f.message for f in parsed.findings]
    assert any("'Cost centre'" in m and "not imported" in m for m in messages)
    assert any("row 2" in m and "'CC123'" in m for m in messages)


def test_the_deadline_column_beats_dates_in_the_steps_own_words(plan):
    rows = [
        ["Action", "Milestones", "Timescale", "Lead"],
        ["Reduce re-offending", "Report to the Single Outcome Agreement 2013-14 board",
         "Dec 12", "YOS"],
    ]  # fmt: skip
    result = plan_import(plan=plan, data=csv_bytes(rows), filename="plan.csv")
    assert result.ok, result.refused
    milestone = Milestone.objects.get(action__outcome__priority__plan=plan)
    assert (milestone.due_text, milestone.due_date.isoformat()) == ("Dec 12", "2012-12-31")


def test_importing_the_same_file_again_never_undoes_a_leads_later_update(plan, admin_user):
    from plans.services import milestone_update

    rows = [["Action", "Deadline", "RAG", "Progress"],
            ["Open the hub", "31/05/2099", "Green", "Building found"]]  # fmt: skip
    plan_import(plan=plan, data=csv_bytes(rows), filename="plan.csv")
    hub = Milestone.objects.get(text="Open the hub")
    milestone_update(
        milestone=hub,
        user=admin_user,
        expected_version=hub.version,
        status="amber",
        commentary="Lease delayed",
        due_date=hub.due_date,
    )
    again = plan_import(plan=plan, data=csv_bytes(rows), filename="plan.csv")
    assert again.changes == []
    hub.refresh_from_db()
    assert (hub.status, hub.latest_update.commentary) == ("amber", "Lease delayed")
