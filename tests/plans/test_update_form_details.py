"""Issue 14, item 7: the update form's details — conditional reveals, a character count, a
due date moved earlier or before the plan, an implausible year, a completion date for the
wrong status, a dateless imported Complete, and the conflict banner first."""

import re
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse

from plans import services
from plans.models import RAG, Milestone, MilestoneUpdate
from tests.plans.update_world import build_world, form_data

TODAY = datetime(2019, 11, 15, 10, 0)


@pytest.fixture(autouse=True)
def fixed_time():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(partnership):
    return build_world(partnership)


def url(world):
    return reverse("plans:milestone_update", args=[world.milestone.pk])


def post(client, world, **overrides):
    client.force_login(world.lead)
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    return client.post(url(world), form_data(milestone, **overrides))


def summary_of(body: str) -> list[tuple[str, str]]:
    summary = body.split("govuk-error-summary__list")[1].split("</ul>")[0]
    return re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary)


class TestConditionalReveals:
    def test_date_completed_is_revealed_under_complete_only(self, client, world):
        client.force_login(world.lead)
        body = client.get(url(world)).content.decode()
        complete = re.search(r'<input[^>]*value="complete"[^>]*>', body, re.S).group(0)
        target = re.search(r'data-aria-controls="([\w-]+)"', complete).group(1)
        reveal = body.split(f'id="{target}"')[1].split("</fieldset>")[0]
        assert 'name="completed_on-day"' in reveal
        # Hidden (by GOV.UK Frontend, with JavaScript) while Complete is not chosen.
        opening = re.search(rf'<div class="([^"]+)"\s+id="{target}"', body).group(1)
        assert "govuk-radios__conditional--hidden" in opening
        assert body.count('name="completed_on-day"') == 1

    def test_without_a_suggestion_no_status_reason_is_asked(self, client, world):
        client.force_login(world.lead)
        body = client.get(url(world)).content.decode()
        assert "status_reason" not in body
        assert body.count("data-aria-controls") == 1  # Complete's date only

    def test_when_the_dates_suggest_red_each_kinder_status_reveals_its_own_why(self, client, world):
        Milestone.objects.filter(pk=world.milestone.pk).update(due_date=date(2019, 10, 31))
        client.force_login(world.lead)
        body = client.get(url(world)).content.decode()
        for status in ("amber", "green", "not_started"):
            radio = re.search(rf'<input[^>]*value="{status}"[^>]*>', body, re.S).group(0)
            assert "data-aria-controls" in radio, status
            assert f'name="status_reason_{status}"' in body
            assert f"Why is {RAG(status).label} right when the dates suggest Red?" in body
        red = re.search(r'<input[^>]*value="red"[^>]*>', body, re.S).group(0)
        assert "data-aria-controls" not in red

    def test_the_chosen_statuss_reason_is_saved(self, client, world):
        Milestone.objects.filter(pk=world.milestone.pk).update(due_date=date(2019, 10, 31))
        response = post(
            client,
            world,
            status="green",
            commentary="Draft is with the printers.",
            **{
                "due_date-day": "31",
                "due_date-month": "10",
                "status_reason_amber": "not this one",
                "status_reason_green": "The report is written; only printing is left.",
            },
        )
        assert response.status_code == 302
        made = MilestoneUpdate.objects.get()
        assert made.status_reason == "The report is written; only printing is left."

    def test_a_missing_reason_is_asked_in_the_chosen_statuss_box(self, client, world):
        Milestone.objects.filter(pk=world.milestone.pk).update(due_date=date(2019, 10, 31))
        body = post(
            client,
            world,
            status="amber",
            commentary="Behind.",
            **{"due_date-day": "31", "due_date-month": "10"},
        ).content.decode()
        anchors = dict(summary_of(body))
        assert "id_status_reason_amber" in anchors
        assert anchors["id_status_reason_amber"].startswith("Enter why you chose Amber")
        # Its reveal is open: the radio is checked, so GOV.UK Frontend shows it.
        opening = re.search(r'<div class="([^"]+)"\s+id="conditional-id_status_1"', body)
        assert "hidden" not in opening.group(1)


class TestCharacterCount:
    def test_the_commentary_has_a_govuk_character_count_of_5000(self, client, world):
        client.force_login(world.lead)
        body = client.get(url(world)).content.decode()
        group = re.search(r'<div class="govuk-form-group govuk-character-count"[^>]*>', body)
        assert 'data-module="govuk-character-count"' in group.group(0)
        assert 'data-maxlength="5000"' in group.group(0)
        assert 'id="id_commentary-info"' in body
        assert "You can enter up to 5,000 characters" in body
        textarea = re.search(r'<textarea[^>]*id="id_commentary"[^>]*>', body, re.S).group(0)
        assert "govuk-js-character-count" in textarea
        assert "id_commentary-info" in textarea  # aria-describedby

    def test_over_the_limit_says_so_in_sentence(self, client, world):
        body = post(client, world, commentary="x" * 5001).content.decode()
        assert ("id_commentary", "Progress commentary must be 5,000 characters or fewer") in (
            summary_of(body)
        )


class TestDueDates:
    def test_a_date_before_the_plan_starts_is_refused(self, client, world):
        body = post(
            client,
            world,
            commentary="Moved.",
            due_date_reason="Typo?",
            **{"due_date-day": "1", "due_date-month": "3", "due_date-year": "2019"},
        ).content.decode()
        assert (
            "due_date-day",
            "The due date must be on or after 1 April 2019, when the plan starts",
        ) in summary_of(body)
        assert not MilestoneUpdate.objects.exists()

    def test_a_date_moved_earlier_asks_why(self, client, world):
        response = post(
            client,
            world,
            commentary="Ahead.",
            **{"due_date-day": "1", "due_date-month": "12", "due_date-year": "2019"},
        )
        assert (
            "id_due_date_reason",
            "Enter why the due date has moved earlier than 31 December 2019, or put the date back",
        ) in summary_of(response.content.decode())
        saved = post(
            client,
            world,
            commentary="Ahead.",
            due_date_reason="The venue came free a month early.",
            **{"due_date-day": "1", "due_date-month": "12", "due_date-year": "2019"},
        )
        assert saved.status_code == 302
        assert MilestoneUpdate.objects.get().due_date_reason.startswith("The venue")

    @pytest.mark.parametrize("year", ["3000", "1066"])
    def test_an_implausible_four_digit_year_gives_the_range(self, client, world, year):
        body = post(client, world, commentary="x", **{"due_date-year": year}).content.decode()
        assert ("due_date-day", "The due date must be between 2018 and 2100") in summary_of(body)
        assert "four-digit" not in body

    def test_a_two_digit_year_still_asks_for_four_digits(self, client, world):
        body = post(client, world, commentary="x", **{"due_date-year": "20"}).content.decode()
        assert (
            "due_date-day",
            "The due date must have a four-digit year, for example 2020",
        ) in summary_of(body)


class TestCompletionDate:
    def test_a_completion_date_typed_for_green_is_refused_and_shown_to_remove(self, client, world):
        body = post(
            client,
            world,
            status="green",
            commentary="Going well.",
            **{"completed_on-day": "1", "completed_on-month": "11", "completed_on-year": "2019"},
        ).content.decode()
        assert ("completed_on-day", "Choose Complete, or remove the date completed") in (
            summary_of(body)
        )
        assert not MilestoneUpdate.objects.exists()
        # Shown outside Complete's reveal, so the lead sees the date and its error.
        radios = body.split('data-module="govuk-radios"')[1].split("</fieldset>")[0]
        assert 'name="completed_on-day"' not in radios
        assert body.count('name="completed_on-day"') == 1 and 'value="1"' in body

    def test_reopening_a_completed_milestone_clears_its_date_without_an_error(self, client, world):
        milestone = Milestone.objects.get(pk=world.milestone.pk)
        services.milestone_update(
            milestone=milestone,
            user=world.lead,
            expected_version=milestone.version,
            status=RAG.COMPLETE,
            commentary="Done.",
            due_date=milestone.due_date,
            completed_on=date(2019, 11, 1),
        )
        # The form still holds the date (hidden under Complete) when Green is chosen.
        response = post(
            client,
            world,
            status="green",
            commentary="Reopened: the board asked for more.",
            **{"completed_on-day": "1", "completed_on-month": "11", "completed_on-year": "2019"},
        )
        assert response.status_code == 302
        assert Milestone.objects.get(pk=world.milestone.pk).completed_on is None

    def test_an_imported_complete_without_a_date_can_take_a_note(self, client, world):
        Milestone.objects.filter(pk=world.milestone.pk).update(
            status=RAG.COMPLETE, completed_on=None
        )
        response = post(client, world, status="complete", commentary="Report published.")
        assert response.status_code == 302
        made = MilestoneUpdate.objects.get()
        assert made.commentary == "Report published." and made.completed_on is None

    def test_completing_now_still_needs_the_date(self, client, world):
        body = post(client, world, status="complete", commentary="Done.").content.decode()
        assert ("completed_on-day", "Enter the date the milestone was completed") in (
            summary_of(body)
        )


def test_the_conflict_banner_comes_before_the_error_summary_and_takes_focus(client, world):
    client.force_login(world.lead)
    stale = form_data(Milestone.objects.get(pk=world.milestone.pk), status="red", commentary="")
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    services.milestone_update(
        milestone=milestone,
        user=world.admin,
        expected_version=milestone.version,
        status=RAG.AMBER,
        commentary="Slipping.",
        due_date=milestone.due_date,
    )
    body = client.post(url(world), stale).content.decode()
    banner = body.index("Someone else updated this milestone")
    summary = body.index("govuk-error-summary")
    assert banner < summary
    assert re.search(r'class="govuk-notification-banner" role="alert" tabindex="-1"', body)
    assert 'data-module="govuk-error-summary" data-disable-auto-focus="true"' in body


def test_the_revealed_date_has_its_own_legend_not_the_radios(client, world):
    client.force_login(world.lead)
    body = client.get(url(world)).content.decode()
    legends = re.findall(r"<legend[^>]*>(.*?)</legend>", body, re.S)
    texts = [re.sub(r"<[^>]+>|\s+", " ", legend).strip() for legend in legends]
    assert texts.count("How is it going?") == 1
    assert "Date completed" in texts
