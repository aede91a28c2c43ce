"""The fidelity scorer counts a fact only when the import kept it as the plan wrote it."""

from tests.imports import fidelity


def test_a_lead_without_the_rank_the_plan_gave_is_not_the_lead():
    assert fidelity.lead_matches(
        "Inspector George Holland", ["Inspector George Holland – Herts Police"]
    )
    assert not fidelity.lead_matches("Inspector George Holland", ["George Holland", ""])


def test_initials_with_an_agency_are_found_in_the_lead_as_written():
    assert fidelity.lead_matches("K.McN", ["CCG (K.McN)"])
    assert not fidelity.lead_matches("K.McN", ["CCG"])


def test_no_lead_in_the_plan_is_met_only_by_no_lead():
    assert fidelity.lead_matches(None, ["", ""])
    assert not fidelity.lead_matches(None, ["Operations Managers (SF), (CD)", ""])


def test_item_numbers_and_quotes_do_not_stop_a_milestone_being_found():
    truth = "Senior officers of the CDRP/LCJG to hold ‘face the people’ sessions"
    assert (
        fidelity.text_similarity(
            truth, "2. Senior officers of the CDRP/LCJG to hold 'face the people' sessions"
        )
        == 1.0
    )
    assert (
        fidelity.text_similarity(truth, "Further engaging with the community") < fidelity.TEXT_MATCH
    )


def test_the_recommendation_is_not_its_action():
    recommendation = (
        "Timeliness of initial assessments (ASSET – Youth Justice Board Assessment Tool)."
    )
    action = "Raise performance from 78% (inspection findings) to 98% completion of ASSET."
    assert fidelity.text_similarity(action, recommendation) < fidelity.TEXT_MATCH


def test_a_heading_is_read_from_the_priority_or_the_outcome():
    assert fidelity.heading_matches(
        "Early Help and Prevention", ["Strategy agreed", "PRIORITY 1a Early Help and Prevention"]
    )
    assert not fidelity.heading_matches(
        "Early Help and Prevention", ["Strategy agreed", "Priority 1a"]
    )
