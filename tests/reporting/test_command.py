import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.reporting.conftest import pdf_text


def run(s, tmp_path, fmt, *extra):
    output = tmp_path / f"pack.{fmt}"
    call_command(
        "board_pack",
        "--partnership",
        s.plan.partnership.name,
        "--plan",
        s.plan.title,
        "--period",
        "2019/20 Q2",
        "--format",
        fmt,
        "--output",
        str(output),
        *extra,
    )
    return output


def test_the_command_writes_a_closed_quarters_pdf(scenario, tmp_path):
    text = pdf_text(run(scenario, tmp_path, "pdf").read_bytes())

    assert "Reporting period 2019/20 Q2" in text
    assert "Closed quarter" in text
    assert "DRAFT" not in text


def test_the_command_filters_by_priority_number_and_organisation(scenario, tmp_path):
    output = run(
        scenario, tmp_path, "xlsx", "--priority", "2", "--organisation", "Middlesbrough Council"
    )
    rows = list(load_workbook(output)["Full plan"].iter_rows(min_row=3, values_only=True))

    assert {r[0] for r in rows} == {"2 Being Healthy"}
    assert {r[5] for r in rows} == {"Middlesbrough Council"}


def test_the_command_says_what_is_wrong_with_an_unknown_period(scenario, tmp_path):
    with pytest.raises(CommandError, match="no reporting period 2021/22 Q1"):
        call_command(
            "board_pack",
            "--partnership",
            scenario.plan.partnership.name,
            "--plan",
            scenario.plan.title,
            "--period",
            "2021/22 Q1",
            "--format",
            "pdf",
            "--output",
            str(tmp_path / "x.pdf"),
        )
