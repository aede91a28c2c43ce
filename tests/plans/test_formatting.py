"""Issue 14, item 10: dates, times, articles and plurals as the GOV.UK style guide writes
them, the same on pages, in packs and in e-mails."""

import re
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse

from plans import services
from plans.formatting import article, govuk_date, govuk_datetime, govuk_time, plural
from plans.models import RAG, Milestone
from reporting.packs.excel import DATE_FORMAT as EXCEL_DATE_FORMAT
from tests.plans.update_world import build_world, form_data


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (time(8, 33), "8:33am"),
        (time(12, 0), "midday"),
        (time(0, 0), "midnight"),
        (time(17, 0), "5pm"),
        (time(17, 30), "5:30pm"),
        (time(12, 5), "12:05pm"),
        (time(0, 5), "12:05am"),
    ],
)
def test_times_are_on_the_12_hour_clock_without_dots(value, expected):
    assert govuk_time(value) == expected


def test_dates_are_written_in_full_and_datetimes_in_london_time():
    assert govuk_date(date(2009, 6, 30)) == "30 June 2009"
    # 07:33 UTC on 30 June is 8:33am British Summer Time.
    assert govuk_datetime(datetime(2009, 6, 30, 7, 33, tzinfo=UTC)) == "30 June 2009 at 8:33am"
    assert govuk_date(None) == "" and govuk_date("not a date") == ""


def test_articles_and_plurals():
    assert article("Amber") == "an Amber" and article("Red") == "a Red"
    assert article("outcome") == "an outcome" and article("priority") == "a priority"
    assert plural(1, "due date") == "1 due date" and plural(2, "due date") == "2 due dates"
    assert plural(1, "priority", "priorities") == "1 priority"


def test_django_writes_a_bare_date_in_full_too():
    rendered = Template("{{ d }} {{ d|date }}").render(Context({"d": date(2009, 6, 30)}))
    assert rendered == "30 June 2009 30 June 2009"


def test_the_template_filters_write_the_same():
    rendered = Template(
        "{% load govuk_format %}{{ d|govuk_date }}; {{ t|govuk_datetime }}; {{ s|with_article }}"
    ).render(Context({"d": date(2009, 6, 30), "t": datetime(2009, 6, 30, 12, 0), "s": "Amber"}))
    assert rendered == "30 June 2009; 30 June 2009 at midday; an Amber"


def test_excel_packs_show_dates_with_the_months_name():
    assert EXCEL_DATE_FORMAT == "d mmmm yyyy"


@pytest.fixture
def world(partnership):
    with time_machine.travel(datetime(2019, 11, 15, 8, 33), tick=False):
        yield build_world(partnership)


def test_an_amber_without_commentary_reads_an_amber(client, world):
    with time_machine.travel(datetime(2019, 11, 15, 10, 0), tick=False):
        client.force_login(world.lead)
        body = client.post(
            reverse("plans:milestone_update", args=[world.milestone.pk]),
            form_data(world.milestone, status="amber", commentary=""),
        ).content.decode()
    assert "an Amber status needs it" in body and "a Amber" not in body


def test_the_update_history_writes_times_the_govuk_way(client, world):
    milestone = Milestone.objects.get(pk=world.milestone.pk)
    with time_machine.travel(datetime(2019, 11, 15, 8, 33, tzinfo=UTC), tick=False):
        services.milestone_update(
            milestone=milestone,
            user=world.lead,
            expected_version=milestone.version,
            status=RAG.GREEN,
            commentary="Started.",
            due_date=milestone.due_date,
        )
        client.force_login(world.lead)
        body = client.get(reverse("plans:milestone_update", args=[milestone.pk])).content.decode()
    assert "15 November 2019 at 8:33am" in body
    assert not re.search(r"a\.m\.|p\.m\.|\b\d{2}:\d{2}\b", body)
    assert not re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}", body)
