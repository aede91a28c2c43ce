"""Both real legacy plans import into the hierarchy an admin would accept without hand-fixing.

The expected values below are the fixture's own cells (columns 'Action', 'By when', 'Who',
'Progress'), one per numbered action, read straight from the workbook; where one cell holds
several numbered actions ("21.3 … 21.4 …") each action gets its share of the row.
"""

from datetime import date
from pathlib import Path

import pytest

from imports import services as import_services
from imports.services import plan_import
from plans.models import RAG, Action, Milestone, MilestoneUpdate, Outcome, Person, Priority
from tests import factories

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
MIDDLESBROUGH = FIXTURES / "middlesbrough-action-plan-2009.xlsx"
ROTHERHAM = FIXTURES / "rotherham-cypp-2010-positive-contribution.xlsx"

MIDDLESBROUGH_THEMES = [
    "Being Healthy",
    "Staying Safe",
    "Enjoying and Achieving",
    "Making A Positive Contribution",
    "Achieving Economic Wellbeing",
    "Service Management",
]

# (action number, 'By when' as written, 'Who' as written, 'Progress' as written)
MIDDLESBROUGH_ACTIONS = [
    ("1.1", "December 2008", "SM Co-ordinator", "Complete"),
    ("1.2", "October 2008", "", "Complete"),
    ("1.3", "December 2008", "", "Complete"),
    ("1.4", "Quarterly", "", "Ongoing"),
    ("2.1", "April 2009", "CAMHS and Service Manager, Specialist Services", "On track"),
    ("2.2", "March 2009", "CAMHS", "Complete"),
    ("3.1", "April 2010", "Director of Public Health", "On track"),
    ("3.2", "April 2010", "Healthy Schools Co-ordinator", "On track"),
    ("3.3", "March 2009", "Director of Public Health", "Complete"),
    ("4.1", "March 2010", "Teenage Pregnancy Co-ordinator", "On track"),
    ("5.1", "April 2010", "Director of Public Health", "On track"),
    ("6.1", "July 2008", "Executive Director", "Complete"),
    ("6.2", "July 2008", "Voluntary Sector Manager", "Complete"),
    ("6.3", "December 2008", "Voluntary Sector Manager", "Complete"),
    ("6.4", "September 2008", "School Adviser", "Complete"),
    ("6.5", "September 2008", "School Adviser", "Complete"),
    ("6.6", "June 2009", "Executive Director", "On track"),
    ("7.1", "September 2008", "JW", "Complete"),
    ("7.2", "October 2008", "JW", "Complete"),
    ("7.3", "March 2009", "JW", "On track"),
    ("7.4", "September 2008", "JW", "Complete"),
    ("7.5", "April 2009", "DD Safe-guarding", "On track"),
    ("8.1", "April 2008", "DD Safe-guarding", "Complete"),
    ("8.2", "September 2008", "DD Safe-guarding", "Complete"),
    ("8.3", "August 2008", "Team Managers", "Ongoing"),
    ("8.4", "August 2008", "Team Managers Group", "Ongoing"),
    ("8.5", "Quarterly", "DD Safe-guarding", "Ongoing"),
    ("9.1", "July 2008", "DD Safe-guarding/ LSCB Manager", "Complete"),
    ("9.2", "September 2008", "DD Safe-guarding/ LSCB Manager", "Complete"),
    ("10.1", "March 2008", "DD Safe-guarding", "Complete"),
    ("10.2", "June 2008", "DD Safe-guarding", "Ongoing"),
    ("10.3", "August 2008", "DD Safe-guarding", "Complete"),
    ("10.4", "September 2008", "DD Safe-guarding", "Ongoing"),
    ("11.1", "April 2010", "DD Safe-guarding", "In progress"),
    ("12.1", "March 2009", "Locality Team Managers", "On track"),
    ("12.2", "", "Senior Practitioner, Adoption", ""),
    ("12.3", "", "Senior Practitioner, Adoption", ""),
    ("13.1", "April 2010", "DD Safe-guarding", "In progress"),
    ("14.1", "January 2009", "Executive Director", "Ongoing"),
    ("14.2", "March 2009", "Executive Director", "Ongoing"),
    ("14.3", "April 2009", "Executive Director", "On track"),
    ("15.1", "April 2009", "SM Co-ordinator", "On track"),
    ("15.2", "June 2009", "SM Co-ordinator", "On track"),
    ("15.3", "October 2009", "SM Co-ordinator", "On track"),
    ("15.4", "July 2009", "SM Co-ordinator", "Ongoing"),
    ("16.1", "September 2008", "CLA Manager", "Complete"),
    ("18.1", "August 2009", "DD Achievement", "On track"),
    ("18.2", "Sept 2009", "", ""),
    ("18.3", "Sept 2009 onwards", "", ""),
    ("19.1", "August 2009", "DD Achievement", "On track"),
    ("19.2", "December 2009", "", ""),
    ("20.1", "September 2008", "DD Achievement", "Complete"),
    ("20.2", "October 2008", "DD Achievement", "Complete"),
    ("20.3", "October 2008", "DD Achievement", "Complete"),
    ("20.4", "December 2008", "DD Achievement", "Complete"),
    ("20.5", "March 2009 onwards", "DD Achievement", "Complete"),
    ("21.1", "September 2008", "DD Achievement", "Complete"),
    ("21.2", "December 2008", "DD Achievement", "Complete"),
    ("21.3", "October 2008", "DD Achievement", "Complete"),
    ("21.4", "October 2008", "DD Achievement", "Complete"),
    ("22.1", "Ongoing", "DD Achievement", "Ongoing"),
    ("22.2", "August 2009", "", "On track"),
    ("22.3", "From Sept 2009", "", "On track"),
    ("22.4", "December 2009", "", "On track"),
    ("23.1", "August 2008", "DD Achievement", "Complete"),
    ("23.2", "August 2009", "DD Achievement", "On track"),
    ("24.1", "December 2009", "DD Achievement", "On track"),
    ("24.2", "April 2010", "", ""),
    ("25.1", "September 2008", "DD Achievement", "Complete"),
    ("25.2", "Summer 2008", "DD Achievement", "Complete"),
    ("26.1", "September 2009", "DD Achievement", "On track"),
    ("26.2", "September 2009", "", "On track"),
    ("26.3", "September 2009", "", "On track"),
    ("27.1", "Stage 1 October 2008", "DD Achievement", "On track"),
    ("27.2", "July 2008", "DD Achievement", "Complete"),
    ("27.3", "March 2009", "SEIP", "On track"),
    ("27.4", "September 2009", "14-19 Partnership", "On track"),
    (
        "28.1",
        "Pilot completed by September 2009",
        "Manager, Communications and Engagement",
        "On track",
    ),
    ("28.2", "April 2008 December 2008 September 2009", "BSF Team", "On track"),
    ("28.3", "January 2009", "Manager, Communications & Engagement", "Complete"),
    ("29.1", "April 2009", "Manager, Communications & Engagement", "On track"),
    ("29.2", "April 2009", "Manager, Communications & Engagement", "On track"),
    ("29.3", "December 2008", "Manager, Communications & Engagement", "Complete"),
    ("29.4", "November 2009", "Manager, Communications & Engagement", "On track"),
    ("30.1", "February 2009", "SM Co-ordinator", "Complete"),
    ("30.2", "June 2009", "SM Co-ordinator", "On track"),
    ("31.1", "March 2009", "Voluntary Sector Liaison Manager", "On track"),
    ("31.2", "April 2009", "Youth Service Manager", "On track"),
    ("31.3", "April 2009", "Youth Service Manager", "On track"),
    ("32.1", "Annually", "STYOS Manager", "Ongoing"),
    ("32.2", "Annually", "STYOS Manager", "Ongoing"),
    ("32.3", "April 2009", "STYOS Manager", "Ongoing"),
    ("33.1", "September 2008", "14-19 Partnership", "Complete"),
    ("33.2", "September 2008", "14-19 Partnership", "Complete"),
    ("33.3", "Summer 2008", "Connexions Manager and Schools", "Complete"),
    ("33.4", "September 2008 onwards", "14-19 Partnership", "Complete"),
    ("34.1", "July 2008", "DD Achievement", "Complete"),
    ("34.2", "March 2009", "Connexions Manager", "Ongoing"),
    ("35.1", "September 2008", "DD Achievement", "Complete"),
    ("36.1", "See 33", "14-19 Partnership", "Ongoing"),
    ("37.1", "April 2010", "14-19 Partnership", "Ongoing"),
    ("37.2", "April 2010", "14-19 Partnership", "Ongoing"),
    ("37.3", "April 2010", "14-19 Partnership", "Ongoing"),
    ("38.1", "September 2009", "Commissioning & Development Officer", "On track"),
    ("39.1", "April 2010", "Trust Manager", "On track"),
    ("40.1", "February 2008", "Trust Manager", "Complete"),
    ("40.2", "February 2008", "Trust Manager", "Complete"),
    ("41.1", "", "", ""),
    ("42.1", "May 2008", "SMT", "Complete"),
    ("42.2", "January 2009", "Strategic Accountant", "Complete"),
    ("42.3", "December 2008", "Trust Manager", "Complete"),
    ("42.4", "September 2009", "Perf. Manager", "Ongoing"),
    ("43.1", "March 2009", "Director", "On track"),
    ("44.1", "September 2008", "Trust Manager", "Complete"),
    ("44.2", "June 2009", "Trust Manager", "On track"),
    ("44.3", "June 2009", "Trust Manager", "On track"),
    ("44.4", "June 2009", "Workforce Development Officer", "In progress"),
    ("44.5", "September 2009", "Workforce Development Officer", "In progress"),
    ("44.6", "June 2009", "Commissioning Manager & Trust Manager", "In progress"),
    ("44.7", "June 2009", "Commissioning Manager", "In progress"),
    ("44.8", "June 2009", "Commissioning Manager", "In progress"),
    ("44.9", "March 2010", "JCG & Trust Board", ""),
    (
        "45.1",
        "April 2009",
        "Commissioned from CAMHS and Service Manager, Specialist Services",
        "On track",
    ),
]

PROGRESS_STATUS = {
    "Complete": RAG.COMPLETE,
    "On track": RAG.GREEN,
    # Under way, but no one judged it on track: a RAG is the lead's judgement, so none.
    "In progress": RAG.NOT_STARTED,
    "Ongoing": RAG.NOT_STARTED,
    "": RAG.NOT_STARTED,
}


@pytest.fixture
def plan(partnership):
    return factories.PlanFactory(partnership=partnership, title="Action Plan 2009")


def run(plan, path, **kwargs):
    return plan_import(plan=plan, data=path.read_bytes(), filename=path.name, **kwargs)


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Priority, Outcome, Action, Milestone, MilestoneUpdate, Person)
    }


@pytest.fixture
def middlesbrough(plan):
    result = run(plan, MIDDLESBROUGH)
    assert result.ok, result.refused
    return result


def test_middlesbrough_has_45_numbered_issues_across_its_six_theme_sheets(plan, middlesbrough):
    priorities = list(Priority.objects.filter(plan=plan).order_by("position"))
    assert [p.title for p in priorities] == MIDDLESBROUGH_THEMES
    numbers = list(
        Outcome.objects.filter(priority__plan=plan)
        .order_by("position")
        .values_list("number", flat=True)
    )
    assert numbers == [str(n) for n in range(1, 46)]
    assert Outcome.objects.get(number="16").statement == "Reduce bullying."
    assert Outcome.objects.get(number="16").priority.title == "Staying Safe"


def test_middlesbrough_every_action_keeps_its_lead_deadline_and_progress(plan, middlesbrough):
    actions = {
        a.number: a
        for a in Action.objects.filter(outcome__priority__plan=plan).prefetch_related(
            "milestones__latest_update"
        )
    }
    assert len(MIDDLESBROUGH_ACTIONS) == len([n for n in actions if n])
    lead_above = {}
    for number, due_text, lead_text, progress in MIDDLESBROUGH_ACTIONS:
        action = actions[number]
        first = sorted(action.milestones.all(), key=lambda m: m.position)[0]
        # A blank 'Who' is "as above" within the same issue (Word's merged cells, lost).
        issue = number.split(".")[0]
        expected_lead = lead_text or lead_above.get(issue, "")
        lead_above[issue] = expected_lead
        assert action.lead_text == expected_lead, number
        assert first.due_text == due_text, number
        assert first.status == PROGRESS_STATUS[progress], number
        if progress:
            assert first.latest_update.commentary == progress, number
            assert first.latest_update.source == MilestoneUpdate.Source.IMPORT
            assert first.latest_update.author_name == f"Imported from {MIDDLESBROUGH.name}"
        else:
            assert first.latest_update is None, number


def test_every_imported_action_has_at_least_one_milestone(plan, middlesbrough):
    assert not Action.objects.filter(milestones__isnull=True).exists()
    undecided = Action.objects.get(outcome__number="17")
    assert undecided.text == "To be determined"
    assert undecided.milestones.get().text == "To be determined"


def test_single_step_rows_become_one_milestone_with_the_action_text(plan, middlesbrough):
    action = Action.objects.get(number="6.3")
    milestone = action.milestones.get()
    assert milestone.text == action.text
    assert milestone.lead.name == "Voluntary Sector Manager"
    assert milestone.due_date == milestone.original_due_date == date(2008, 12, 31)


def test_loose_deadlines_keep_their_text_and_give_a_date_only_where_one_follows(
    plan, middlesbrough
):
    def first(number):
        return Action.objects.get(number=number).milestones.order_by("position").first()

    assert (first("1.4").due_text, first("1.4").due_date) == ("Quarterly", None)
    assert (first("36.1").due_text, first("36.1").due_date) == ("See 33", None)
    assert first("18.3").due_date == date(2009, 9, 30)  # "Sept 2009 onwards"
    assert first("22.3").due_date == date(2009, 9, 30)  # "From Sept 2009"
    assert first("25.2").due_date == date(2008, 8, 31)  # "Summer 2008"
    stages = list(Action.objects.get(number="27.1").milestones.order_by("position"))
    assert [(m.due_text, m.due_date, m.status) for m in stages] == [
        ("Stage 1 October 2008", date(2008, 10, 31), RAG.GREEN),
        ("Stage 2 August 2009", date(2009, 8, 31), RAG.COMPLETE),
    ]


def test_bulleted_steps_in_an_action_cell_become_its_milestones(plan, middlesbrough):
    action = Action.objects.get(number="3.1")
    assert action.text == "Implement Healthy Town initiative:"
    assert list(action.milestones.order_by("position").values_list("text", flat=True)) == [
        "Urban Farming",
        "Play recreation and physical environment",
        "Schools and workplace active travel",
        "Junior health trainers",
    ]
    assert set(action.milestones.values_list("due_text", flat=True)) == {"April 2010"}


def test_cross_references_link_actions_to_the_outcomes_they_name(plan, middlesbrough):
    assert list(Action.objects.get(number="11.1").see_also.values_list("number", flat=True)) == [
        "13"
    ]
    assert sorted(
        Action.objects.get(number="37.1").see_also.values_list("number", flat=True), key=int
    ) == ["26", "27", "36"]


def test_merged_cells_apply_to_every_row_they_span(plan, middlesbrough):
    outcome = Outcome.objects.get(number="7")
    assert outcome.success_criteria.splitlines()[0] == "Payment system agreed and implemented"
    assert len(outcome.success_criteria.splitlines()) == 7
    assert Action.objects.get(number="7.5").resources == "Existing resources"
    assert Action.objects.get(number="6.1").sources == "JAR"
    assert Action.objects.get(number="6.1").timescale == Action.Timescale.SHORT
    assert Action.objects.get(number="19.1").sources == "JAR, APA, CYPP"


def test_the_same_lead_written_twice_is_one_person(plan, middlesbrough):
    person = Person.objects.get(partnership=plan.partnership, name="DD Safe-guarding")
    assert person.actions_led.count() > 5
    assert Person.objects.filter(name__iexact="dd achievement").count() == 1
    nine_one = Action.objects.get(number="9.1")
    assert sorted(nine_one.leads.values_list("name", flat=True)) == [
        "DD Safe-guarding",
        "LSCB Manager",
    ]


def test_existing_people_of_the_partnership_are_matched_not_duplicated(plan):
    existing = factories.PersonFactory(
        partnership=plan.partnership, name="dd  SAFEGUARDING", role_title=""
    )
    run(plan, MIDDLESBROUGH)
    assert Action.objects.get(number="7.5").leads.get() == existing
    assert not Person.objects.filter(name="DD Safe-guarding").exists()


def test_the_contents_sheet_is_skipped_with_a_finding(plan, middlesbrough):
    messages = [f.message for f in middlesbrough.findings]
    assert any("Sheet 'Contents'" in m and "skipped" in m for m in messages)


def test_importing_the_same_file_again_changes_nothing(plan, middlesbrough):
    before = table_counts()
    again = run(plan, MIDDLESBROUGH)
    assert again.ok
    assert again.changed_nothing
    assert again.matched["actions"] == middlesbrough.created["actions"]
    assert table_counts() == before


def test_a_dry_run_writes_nothing_but_counts_what_would_be_created(plan):
    before = table_counts()
    dry = run(plan, MIDDLESBROUGH, dry_run=True)
    assert dry.ok
    assert table_counts() == before
    real = run(plan, MIDDLESBROUGH)
    assert dry.created == real.created
    assert real.created["outcomes"] == 45


def test_rotherham_sheet_is_the_priority_and_each_aspiration_an_outcome(plan):
    result = run(plan, ROTHERHAM)
    assert result.ok, result.refused
    priority = Priority.objects.get(plan=plan)
    assert priority.title == "Make a positive contribution"
    assert list(priority.outcomes.order_by("position").values_list("number", flat=True)) == [
        f"PC{n}" for n in range(1, 7)
    ]
    assert priority.outcomes.get(number="PC5").statement == (
        "The rate of teenage pregnancy in Rotherham is reduced."
    )
    youth_justice = Action.objects.get(text="Youth Justice Plan")
    assert youth_justice.sources == "Existing plans and strategies"
    assert youth_justice.milestones.count() == 5
    assert set(youth_justice.milestones.values_list("due_date", flat=True)) == {date(2011, 3, 31)}
    triage = Action.objects.get(text__startswith="Continue the triage system")
    assert triage.sources == "Additional partnership actions"


def test_rotherham_milestone_lines_give_their_own_dates_or_the_year_column_end(plan):
    run(plan, ROTHERHAM)
    parenting = Action.objects.get(text__startswith="Parenting Strategy")
    dates = list(parenting.milestones.order_by("position").values_list("due_text", "due_date"))
    assert dates == [
        ("August 2010", date(2010, 8, 31)),
        ("April 2011", date(2011, 4, 30)),
        ("March 2011", date(2011, 3, 31)),
        ("2010/11", date(2011, 3, 31)),
    ]
    forum = Action.objects.get(text__startswith="The Rotherham Parent Carers Forum")
    assert list(forum.milestones.order_by("position").values_list("due_date", flat=True)) == [
        date(2011, 3, 31),
        date(2012, 3, 31),
    ]
    lac = Action.objects.get(text__startswith="Complete the 6 month action plan")
    assert lac.milestones.get().due_date == date(2010, 12, 31)


def test_rotherham_leads_are_people_with_their_roles(plan):
    run(plan, ROTHERHAM)
    simon = Person.objects.get(name="Simon Perry")
    assert simon.role_title == "Strategic Lead"
    action = Action.objects.get(text__startswith="Develop a strategic plan for CYPS")
    assert sorted(action.leads.values_list("name", "role_title")) == [
        ("Chris Brodhurst Brown", "Lead Officer"),
        ("Simon Perry", "Strategic Lead"),
    ]
    assert action.milestones.get().lead == simon
    # Ranks stay in the name as the plan writes it; one person, however often named.
    assert Person.objects.filter(name__endswith="Gwyn Thomas").count() == 1


def test_rotherham_indicator_sheet_is_skipped_with_the_reason_when_nobody_claims_it(
    plan, monkeypatch
):
    monkeypatch.setattr(import_services, "SHEET_HANDLERS", ())
    result = run(plan, ROTHERHAM)
    skipped = {r.name: r.reason for r in result.parsed.reports if r.outcome == "skipped"}
    assert "performance indicators" in skipped["Performance indicators"]
    assert "Aspirations" in skipped


class FakeIndicatorHandler:
    name = "test indicator table"

    def __init__(self):
        self.calls = []

    def claims(self, *, sheet_name, rows):
        return any("NI 19" in str(value) for row in rows for value in row)

    def import_sheet(self, *, plan, sheet_name, rows, dry_run, history=None):
        self.calls.append((sheet_name, dry_run))
        return {"indicators": 9}, []


def test_a_sheet_handler_gets_the_indicator_sheet_inside_the_import(plan, monkeypatch):
    handler = FakeIndicatorHandler()
    monkeypatch.setattr(import_services, "SHEET_HANDLERS", (handler,))
    dry = run(plan, ROTHERHAM, dry_run=True)
    real = run(plan, ROTHERHAM)
    assert handler.calls == [("Performance indicators", True), ("Performance indicators", False)]
    assert real.created["indicators"] == dry.created["indicators"] == 9
    reports = {r.name: r.outcome for r in real.parsed.reports}
    assert reports["Performance indicators"] == "handler"


def test_a_blank_lead_is_carried_down_from_the_action_above_in_the_same_issue(plan, middlesbrough):
    action = Action.objects.get(outcome__priority__plan=plan, number="1.2")
    assert action.lead_text == "SM Co-ordinator"
    assert [person.name for person in action.leads.all()] == ["SM Co-ordinator"]
    assert any(
        "row 6, 'Who': blank; took 'SM Co-ordinator' from row 5 above" in finding.message
        for finding in middlesbrough.findings
    )
    # The first action of an issue never borrows from the issue before it.
    assert Action.objects.get(outcome__priority__plan=plan, number="41.1").lead_text == ""
