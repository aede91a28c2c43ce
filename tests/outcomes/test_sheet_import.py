"""The indicator sheet handler against Rotherham's real table and a few made-up ones."""

from decimal import Decimal as D

import pytest

from imports.services import SHEET_HANDLERS
from outcomes.models import Indicator, IndicatorValue
from outcomes.selectors import scorecard
from outcomes.sheet_import import IndicatorSheetHandler
from tests import factories

SHEET = "Performance indicators"

# What the file itself shows in 'On Target' and 'DOT (Yr on Yr)', by code.
FILE_ON_TARGET = {
    "NI 19": "✓", "NI 43": "✓", "NI 45": "✗", "NI 46": "✓", "NI 110": "✗",
    "NI 111 a": "✓", "NI 111 b": "✓", "NI 112": "✗", "NI 113 a": "✓", "NI 114": "✓",
}  # fmt: skip
FILE_DOT = {
    "NI 19": "↑", "NI 43": "↑", "NI 45": "↓", "NI 46": "↑", "NI 110": "↓",
    "NI 111 a": "↑", "NI 111 b": "↑", "NI 112": "↓", "NI 113 a": "↑", "NI 114": "↑",
    "NI 115": "↑",
}  # fmt: skip


@pytest.fixture
def plan(db):
    plan = factories.PlanFactory(title="CYPP 2010")
    factories.PriorityFactory(plan=plan, title="Make a positive contribution", number="PC")
    return plan


@pytest.fixture
def imported(plan, rotherham_rows):
    counts, findings = IndicatorSheetHandler().import_sheet(
        plan=plan, sheet_name=SHEET, rows=rotherham_rows, dry_run=False
    )
    return counts, findings


def test_the_plan_importer_offers_sheets_to_the_indicator_handler():
    assert any(isinstance(h, IndicatorSheetHandler) for h in SHEET_HANDLERS)


def test_claims_the_indicator_table_and_not_plan_sheets(rotherham_rows):
    from tests.outcomes.conftest import FIXTURE, read_sheet_rows

    handler = IndicatorSheetHandler()
    assert handler.claims(sheet_name=SHEET, rows=rotherham_rows)
    for other in ("Aspirations", "Make a positive contribution"):
        assert not handler.claims(sheet_name=other, rows=read_sheet_rows(FIXTURE, other))


def test_imports_every_indicator_with_sub_measures_under_their_parent(plan, imported):
    counts, _ = imported
    codes = list(Indicator.objects.filter(plan=plan).values_list("code", flat=True))
    assert counts["indicators"] == len(codes) == 15
    assert {"NI 19", "NI 111", "NI 111 a", "NI 111 b", "NI 113 a", "NI 113 b", "NI 22"} <= set(
        codes
    )
    ni111 = Indicator.objects.get(plan=plan, code="NI 111")
    assert {s.code for s in ni111.sub_measures.all()} == {"NI 111 a", "NI 111 b"}
    # Sub-measures without their own "Good Perf" take their parent's.
    assert {s.polarity for s in ni111.sub_measures.all()} == {"lower"}
    ni113 = Indicator.objects.get(plan=plan, code="NI 113")
    assert dict(ni113.sub_measures.values_list("code", "polarity")) == {
        "NI 113 a": "higher",
        "NI 113 b": "lower",
    }


def test_reads_values_as_the_file_writes_them(plan, imported):
    ni112 = Indicator.objects.get(plan=plan, code="NI 112")
    assert ni112.unit == "percentage" and ni112.polarity == "lower"
    values = {(v.kind, v.year): v for v in ni112.values.all() if v.kind != "comparator"}
    assert values[("actual", 2008)].value == D("-10.1")
    assert values[("target", 2009)].value == D("-39")
    assert values[("actual", 2009)].value == D("-1.10")
    assert values[("target", 2010)].status == "missing"  # "-" is missing, not zero
    assert values[("target", 2010)].value is None

    rate = Indicator.objects.get(plan=plan, code="NI 111 b")
    assert (rate.unit, rate.rate_per) == ("rate", 100000)
    assert rate.values.get(kind="actual", year=2008).value == D("1406")  # "1,406"

    ni46 = Indicator.objects.get(plan=plan, code="NI 46")
    national = ni46.values.get(kind="comparator", comparator="National")
    assert (national.status, national.value, national.year) == ("not_available", None, 2009)

    ni115 = Indicator.objects.get(plan=plan, code="NI 115")
    assert ni115.values.get(kind="target", year=2009).status == "not_available"


def test_scorecard_shows_the_same_on_target_and_direction_as_the_file(plan, imported):
    rows = {row.code: row for row in scorecard(plan=plan)}
    for code, symbol in FILE_ON_TARGET.items():
        assert rows[code].on_target.symbol == symbol, code
    for code, symbol in FILE_DOT.items():
        assert rows[code].direction.symbol == symbol, code
    # Where the file says N/A or "-", there is nothing to judge: not known.
    assert rows["NI 115"].on_target.code == "not_known"
    assert rows["NI 113 b"].on_target.code == "not_known"


def test_findings_explain_each_cell_where_the_file_disagrees(imported):
    _, findings = imported
    disagreements = [f for f in findings if f.level == "warning"]
    cells = {(f.row, f.column) for f in disagreements}
    # No disagreement on target or direction: the file's ✓/✗/↑/↓ are all right.
    assert not any(c in ("On Target", "DOT (Yr on Yr)") for _, c in cells)
    # NI 19 (row 5) and NI 114 (row 17) are far better than both comparators, yet the file
    # shows ● (similar); rows 7 and 9 are within 5% of a comparator the file calls worse.
    assert cells == {
        (5, "Perf against Stat. Neigh."),
        (5, "Perf against National"),
        (7, "Perf against National"),
        (9, "Perf against Stat. Neigh."),
        (17, "Perf against Stat. Neigh."),
        (17, "Perf against National"),
    }
    ni19 = next(f for f in disagreements if f.row == 5 and f.column == "Perf against National")
    assert ni19.message == (
        "Row 5, 'Perf against National': the file says ● (similar) but 0.28 against national "
        "at 1.00 with good performance LOW is better (more than 5% from it)."
    )
    assert any(f.level == "info" and f.column == "Year to Date" for f in findings)


def test_finding_when_the_file_claims_on_target_wrongly(plan, rotherham_rows):
    rows = [list(r) for r in rotherham_rows]
    rows[6][7] = "✓"  # NI 45: 71.0% against 75.6%, HIGH — the file now says ✓
    _, findings = IndicatorSheetHandler().import_sheet(
        plan=plan, sheet_name=SHEET, rows=rows, dry_run=True
    )
    messages = [f.message for f in findings if f.column == "On Target"]
    assert messages == [
        "Row 7, 'On Target': the file says ✓ but 71.0% against a target of 75.6% with good "
        "performance HIGH is not on target."
    ]


def test_dry_run_writes_nothing_but_counts_and_finds_the_same(plan, rotherham_rows):
    handler = IndicatorSheetHandler()
    dry = handler.import_sheet(plan=plan, sheet_name=SHEET, rows=rotherham_rows, dry_run=True)
    assert not Indicator.objects.exists() and not IndicatorValue.objects.exists()
    real = handler.import_sheet(plan=plan, sheet_name=SHEET, rows=rotherham_rows, dry_run=False)
    assert dry[0] == real[0]
    assert [f.message for f in dry[1]] == [f.message for f in real[1]]
    assert IndicatorValue.objects.count() == real[0]["indicator_values"]


def test_importing_again_updates_rather_than_duplicates(plan, rotherham_rows, imported):
    counts, _ = imported
    IndicatorSheetHandler().import_sheet(
        plan=plan, sheet_name=SHEET, rows=rotherham_rows, dry_run=False
    )
    assert Indicator.objects.filter(plan=plan).count() == counts["indicators"]
    assert IndicatorValue.objects.count() == counts["indicator_values"]


def test_section_row_links_indicators_to_the_matching_priority(plan, imported):
    priority = plan.priorities.get()
    assert set(Indicator.objects.values_list("priority", flat=True)) == {priority.pk}
    assert not Indicator.objects.filter(outcomes__isnull=False).exists()  # table names none


def test_outcome_column_links_indicators_and_reports_unknown_references(plan):
    priority = plan.priorities.get()
    pc4 = factories.OutcomeFactory(priority=priority, number="PC4")
    pc5 = factories.OutcomeFactory(priority=priority, number="PC5")
    rows = [
        ["Ref", "Definition", "Good Perf", "Outcome", "18/19 Actual", "19/20 Target",
         "19/20 Actual"],
        ["NI 19", "Re-offending", "LOW", "PC4, PC5", "0.7", "0.5", "0.6"],
        ["NI 20", "Something", "High", "PC9", "10", "12", "11"],
    ]  # fmt: skip
    handler = IndicatorSheetHandler()
    assert handler.claims(sheet_name="PIs", rows=rows)
    _, findings = handler.import_sheet(plan=plan, sheet_name="PIs", rows=rows, dry_run=False)
    assert set(Indicator.objects.get(code="NI 19").outcomes.all()) == {pc4, pc5}
    assert not Indicator.objects.get(code="NI 20").outcomes.exists()
    assert any("'PC9' is not the number of an outcome" in f.message for f in findings)


def test_unreadable_numbers_are_reported_and_left_out(plan):
    rows = [
        ["Ref", "Definition", "Good Perf", "18/19 Actual", "19/20 Target", "19/20 Actual"],
        ["NI 1", "A thing", "HIGH", "about 5", 6, 7],
    ]
    counts, findings = IndicatorSheetHandler().import_sheet(
        plan=plan, sheet_name="PIs", rows=rows, dry_run=False
    )
    assert counts == {"indicators": 1, "indicator_values": 2}
    assert any(
        f.row == 2 and f.column == "18/19 Actual" and "'about 5' is not a number" in f.message
        for f in findings
    )
