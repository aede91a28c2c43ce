"""The importer's cell parsers: dates, RAG words and colours, leads, and split cells.

Examples pin the rules; hypothesis checks the properties that must hold for any input.
"""

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imports.dates import find_dates, parse_due
from imports.leads import LeadRef, parse_leads, person_key, split_repeated
from imports.splitting import see_also, split_items, split_number
from imports.status import (
    split_status_words,
    status_from_colour,
    status_from_words,
)
from plans.models import RAG

MONTH_NAMES = list(calendar.month_name)[1:]
MONTH_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"]


# Dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8/09/10", date(2010, 9, 8)),
        ("08/09/2010", date(2010, 9, 8)),
        ("December 2008", date(2008, 12, 31)),
        ("Sept 2009", date(2009, 9, 30)),
        ("Sept 2009 onwards", date(2009, 9, 30)),
        ("From Sept 2009", date(2009, 9, 30)),
        ("Stage 2 August 2009", date(2009, 8, 31)),
        ("Pilot completed by September 2009", date(2009, 9, 30)),
        ("Summer 2019", date(2019, 8, 31)),
        ("Winter 2019", date(2020, 2, 29)),
        ("Spring term 2010", date(2010, 3, 31)),
        ("Q3 2019/20", date(2019, 12, 31)),
        ("2019/20 Q4", date(2020, 3, 31)),
        ("2010/11", date(2011, 3, 31)),
        ("31st March 2010", date(2010, 3, 31)),
        ("February 2012", date(2012, 2, 29)),
    ],
)
def test_deadlines_give_the_date_a_uk_reader_would(text, expected):
    due = parse_due(text)
    assert due.day == expected
    assert due.text == text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Quarterly", "recurring"),
        ("Annually", "recurring"),
        ("Ongoing", "recurring"),
        ("On-going", "recurring"),
        ("To be determined", "recurring"),
        ("See 33", "reference"),
        ("(see 11)", "reference"),
        ("Sumer 2019", "unrecognised"),
        ("", "empty"),
    ],
)
def test_recurring_open_ended_and_cross_referring_deadlines_give_no_date(text, kind):
    due = parse_due(text)
    assert due.day is None
    assert due.kind == kind


def test_several_dates_in_one_cell_use_the_last_and_say_so():
    due = parse_due("April 2008 December 2008 September 2009")
    assert due.dates == [date(2008, 4, 30), date(2008, 12, 31), date(2009, 9, 30)]
    assert due.day == date(2009, 9, 30)
    assert "3 dates" in due.note


def test_a_date_inside_a_milestone_line_is_found():
    assert find_dates("Engagement of parents in the task group (August 2010)") == [
        ("August 2010", date(2010, 8, 31))
    ]
    assert find_dates("Maintain and scrutinise through NI 54") == []


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)))
def test_any_day_first_date_reads_back_as_itself(day):
    assert parse_due(f"{day.day}/{day.month:02d}/{day.year}").day == day
    assert parse_due(f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}").day == day


@given(
    st.integers(min_value=1990, max_value=2060),
    st.integers(min_value=1, max_value=12),
    st.booleans(),
    st.sampled_from(["", "by ", "From ", "End of "]),
    st.sampled_from(["", " onwards"]),
)
def test_month_and_year_is_always_the_last_day_of_that_month(year, month, short, prefix, suffix):
    word = MONTH_SHORT[month - 1] if short else MONTH_NAMES[month - 1]
    due = parse_due(f"{prefix}{word} {year}{suffix}")
    assert due.day == date(year, month, calendar.monthrange(year, month)[1])


@given(st.integers(min_value=1990, max_value=2060), st.integers(min_value=1, max_value=4))
def test_financial_quarters_end_on_the_quarter_end(year, quarter):
    due = parse_due(f"Q{quarter} {year}/{(year + 1) % 100:02d}")
    assert due.day.month == {1: 6, 2: 9, 3: 12, 4: 3}[quarter]
    assert due.day.year == (year + 1 if quarter == 4 else year)


@given(st.text(max_size=60))
def test_any_text_is_kept_and_never_crashes_the_date_reader(text):
    due = parse_due(text)
    assert due.text == " ".join(text.split())
    assert due.kind in {"empty", "date", "recurring", "reference", "unrecognised"}
    assert (due.day is not None) == (due.kind == "date")


# Status -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Complete", RAG.COMPLETE),
        ("Completed", RAG.COMPLETE),
        ("On track", RAG.GREEN),
        # Under way, not judged on track: no RAG (DESIGN.md: a RAG is the lead's judgement).
        ("In progress", None),
        ("Ongoing", None),
        ("Progressing but delayed", RAG.AMBER),
        ("1\nGreen", RAG.GREEN),
        ("Actions completed and built into the Business Plan.", RAG.COMPLETE),
        ("At risk", RAG.RED),
        ("Delayed", RAG.AMBER),
        ("Issues", RAG.AMBER),
        ("Red", RAG.RED),
        ("Amber", RAG.AMBER),
        ("Green", RAG.GREEN),
        ("G", RAG.GREEN),
        ("Not started", RAG.NOT_STARTED),
        ("Not yet due", RAG.NOT_STARTED),
        ("Complete – report went to the board in May", RAG.COMPLETE),
        ("not yet complete because the funding was late", RAG.AMBER),
        ("A report went to the board", None),
        ("Report to follow", None),
    ],
)
def test_status_words(text, expected):
    assert status_from_words(text) == expected


@pytest.mark.parametrize(
    ("colour", "expected"),
    [
        ("FFFF0000", RAG.RED),
        ("FFC00000", RAG.RED),
        ("FFFFC000", RAG.AMBER),
        ("FFFFFF00", RAG.AMBER),
        ("FF00B050", RAG.GREEN),
        ("FF92D050", RAG.GREEN),
        ("FF0070C0", RAG.COMPLETE),
        ("00D9D9D9", None),
        ("FFFFFFFF", None),
        ("theme:4", None),
    ],
)
def test_fill_colours_read_as_rag_by_hue(colour, expected):
    assert status_from_colour(colour) == expected


@given(
    st.sampled_from(["Complete", "On track", "At risk", "Delayed", "Red", "amber", "GREEN"]),
    st.sampled_from(["", " ", ".", " - ", "\n"]),
    st.booleans(),
)
def test_status_words_ignore_case_spacing_and_punctuation(word, tail, upper):
    text = (word.upper() if upper else word) + tail
    assert status_from_words(text) == status_from_words(word) is not None


@given(st.text(max_size=80))
def test_status_reader_returns_a_rag_or_nothing_for_any_text(text):
    assert status_from_words(text) in {None, *RAG.values}


@given(st.sampled_from(["Complete", "On track", "Delayed", "At risk"]), st.integers(2, 5))
def test_one_status_per_item_splits_in_order(word, count):
    assert split_status_words(" ".join([word] * count), count) == [word] * count


@given(st.from_regex(r"[0-9A-Fa-f]{8}", fullmatch=True))
def test_any_colour_reads_as_a_rag_or_nothing(colour):
    assert status_from_colour(colour) in {None, *RAG.values}


# Leads ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Strategic Lead: Simon Perry\nLead Officer: Chris Brodhurst Brown",
            [
                LeadRef("Simon Perry", "Strategic Lead"),
                LeadRef("Chris Brodhurst Brown", "Lead Officer"),
            ],
        ),
        (
            "Strategic Lead: Dorothy Smith / Lead Officer: Karen Borthwick",
            [
                LeadRef("Dorothy Smith", "Strategic Lead"),
                LeadRef("Karen Borthwick", "Lead Officer"),
            ],
        ),
        ("YOT (Ken Dance)", [LeadRef("Ken Dance", "", "YOT")]),
        ("JCG & Trust Board", [LeadRef("JCG"), LeadRef("Trust Board")]),
        ("DD Safe-guarding/ LSCB Manager", [LeadRef("DD Safe-guarding"), LeadRef("LSCB Manager")]),
        ("Manager, Communications & Engagement", [LeadRef("Manager, Communications & Engagement")]),
        ("Commissioning & Development Officer", [LeadRef("Commissioning & Development Officer")]),
        ("JW", [LeadRef("JW")]),
        ("SM Co-ordinator", [LeadRef("SM Co-ordinator")]),
        ("Lead Officer: Inspector Gwyn Thomas", [LeadRef("Inspector Gwyn Thomas", "Lead Officer")]),
        ("Insp. Jo Bloggs", [LeadRef("Insp. Jo Bloggs")]),
        ("Sgt Ann Lee", [LeadRef("Sgt Ann Lee")]),
        ("Jo Smith, YJS", [LeadRef("Jo Smith", "", "YJS")]),
        ("Jo Smith – Head of Early Help", [LeadRef("Jo Smith", "Head of Early Help")]),
        (
            "Joint Chairs of the Board – Ann Lee and Bob Hill",
            [
                LeadRef("Ann Lee", "Joint Chairs of the Board"),
                LeadRef("Bob Hill", "Joint Chairs of the Board"),
            ],
        ),
        ("Jo Smith (JS)", [LeadRef("Jo Smith")]),
        ("DD Achievement\nDD Achievement", [LeadRef("DD Achievement")]),
        ("", []),
    ],
)
def test_lead_cells(text, expected):
    assert parse_leads(text) == expected


NAMES = st.from_regex(r"[A-Z][a-z]{2,8} [A-Z][a-z]{2,10}", fullmatch=True)


@given(
    st.lists(NAMES, min_size=1, max_size=4, unique_by=person_key),
    st.sampled_from([" & ", "/", " and ", "\n"]),
)
def test_joined_names_split_back_into_each_person_in_order(names, joiner):
    assert [lead.name for lead in parse_leads(joiner.join(names))] == names


@given(NAMES, st.sampled_from(["Strategic Lead", "Lead Officer", "Responsible Officer"]))
def test_a_role_label_becomes_the_role_title(name, role):
    assert parse_leads(f"{role}: {name}") == [LeadRef(name, role)]


@given(NAMES, st.sampled_from(["upper", "lower", "spaces"]))
def test_person_key_ignores_case_and_spacing(name, variant):
    other = {"upper": name.upper(), "lower": name.lower(), "spaces": name.replace(" ", "  ")}
    assert person_key(other[variant]) == person_key(name)


@given(st.text(max_size=80))
def test_the_lead_reader_never_crashes_and_never_invents_empty_names(text):
    assert all(lead.name.strip() for lead in parse_leads(text))


@given(NAMES, st.integers(2, 4))
def test_a_lead_written_once_per_item_pairs_with_each(name, count):
    assert split_repeated(" ".join([name] * count), count) == [name] * count


# Splitting --------------------------------------------------------------------------------
def test_lettered_steps_split_into_milestones_after_the_preamble():
    preamble, items = split_items(
        "Understand: a) why young women get pregnant b) what works c) next steps"
    )
    assert preamble == "Understand:"
    assert [(i.number, i.text) for i in items] == [
        ("a)", "why young women get pregnant"),
        ("b)", "what works"),
        ("c)", "next steps"),
    ]


def test_numbered_items_in_one_cell_split_by_their_numbers():
    _, items = split_items("21.3 Agree an improved data system. 21.4 Agree with heads and SIPs")
    assert [(i.number, i.text) for i in items] == [
        ("21.3", "Agree an improved data system."),
        ("21.4", "Agree with heads and SIPs"),
    ]


def test_a_single_step_is_one_item():
    assert split_items("Revise the key worker system") == (
        "",
        [split_items("Revise the key worker system")[1][0]],
    )
    assert len(split_items("Revise the key worker system")[1]) == 1


def test_cross_references_and_leading_numbers():
    assert see_also("Improve outcomes (see 26, 27 and 36)") == ["26", "27", "36"]
    assert split_number("6.3 Revise procedures") == ("6.3", "Revise procedures")
    assert split_number("1. Evaluate outcomes") == ("1", "Evaluate outcomes")
    assert split_number("100 pieces of curriculum") == ("", "100 pieces of curriculum")


STEP = st.from_regex(r"[A-Z][a-z]{2,10}( [a-z]{2,10}){0,4}", fullmatch=True)


@given(st.lists(STEP, min_size=2, max_size=8), st.sampled_from(["• ", "- ", "* ", "– "]))
def test_bullet_lines_split_into_one_item_each_in_order(steps, bullet):
    text = "Deliver the plan:\n" + "\n".join(bullet + step for step in steps)
    preamble, items = split_items(text)
    assert preamble == "Deliver the plan:"
    assert [item.text for item in items] == steps


@given(st.lists(STEP, min_size=2, max_size=8))
def test_lettered_items_split_into_one_each_in_order(steps):
    text = " ".join(f"{chr(97 + i)}) {step}" for i, step in enumerate(steps))
    _, items = split_items(text)
    assert [item.text for item in items] == steps
    assert [item.number for item in items] == [f"{chr(97 + i)})" for i in range(len(steps))]


@given(st.integers(1, 60), st.lists(STEP, min_size=2, max_size=6))
def test_numbered_items_split_into_one_each_with_their_numbers(major, steps):
    text = " ".join(f"{major}.{i + 1} {step}" for i, step in enumerate(steps))
    _, items = split_items(text)
    assert [(item.number, item.text) for item in items] == [
        (f"{major}.{i + 1}", step) for i, step in enumerate(steps)
    ]


@given(st.text(max_size=200))
def test_splitting_never_loses_a_cell_or_crashes(text):
    preamble, items = split_items(text)
    if text.strip():
        assert items
    assert all(isinstance(item.text, str) for item in items)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q2 2023/24", date(2023, 9, 30)),
        ("2023/24", date(2024, 3, 31)),
        ("Sept 23", date(2023, 9, 30)),
        ("By end of Mar 26", date(2026, 3, 31)),
        ("Autumn term 2024", date(2024, 12, 31)),
        ("Commencing March 2025 and ongoing", None),
        ("Annually in April", None),
        ("TBC", None),
    ],
)
def test_deadlines_councils_write_keep_their_text(text, expected):
    due = parse_due(text)
    assert (due.day, due.text) == (expected, text)
