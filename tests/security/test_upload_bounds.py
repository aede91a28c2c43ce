"""Issue 12, finding 5: small uploads that would unpack to minutes of CPU and GBs of memory.

Each file is generated here (bench/uploads.py) and sent through the upload page as an admin
would. Each must be refused with a sentence saying what to do, before a workbook is built,
with nothing stored: no file kept for the preview, no plan rows. Time and memory per file are
measured by ``python -m bench.uploads`` (not here: CI machines vary); see docs/security.md.
"""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bench import uploads as hostile
from plans.models import Organisation, Outcome, Person, Priority
from plans.uploads import UploadRefused, xlsx_bounds_check
from tests import factories

pytestmark = pytest.mark.django_db

CASES = {
    "twenty parts just under 5 MB of dense cells": (
        hostile.dense_parts_workbook,
        "upload.xlsx",
        "This workbook expands to far more data than a plan holds",
    ),
    "200,000 varied cells, zipped like a real sheet": (
        hostile.varied_cells_workbook,
        "upload.xlsx",
        "This workbook holds more than 120,000 cells",
    ),
    "4,800 cells of 32,760 characters": (
        hostile.long_cells_workbook,
        "upload.xlsx",
        "This workbook expands to far more data than a plan holds",
    ),
    "2,400 cells of 32,760 characters (under the unpacked limit)": (
        lambda: hostile.long_cells_workbook(2_400),
        "upload.xlsx",
        "This workbook holds more than 10,000,000 characters of text",
    ),
    "one long shared string used by 4,800 cells": (
        hostile.shared_long_string_workbook,
        "upload.xlsx",
        "This workbook holds more than 10,000,000 characters of text",
    ),
    "a CSV of about 10 MB, five million cells": (
        hostile.many_cells_csv,
        "upload.csv",
        "This file holds more than 120,000 cells",
    ),
}


@pytest.fixture
def plan(partnership):
    return factories.PlanFactory(partnership=partnership, title="Action Plan 2009")


def stored_uploads() -> list[str]:
    try:
        return default_storage.listdir("imports")[0]
    except FileNotFoundError:
        return []


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_hostile_upload_is_refused_with_a_sentence_and_nothing_stored(
    case, client, admin_user, plan, monkeypatch
):
    make, name, sentence = CASES[case]
    data = make()
    assert len(data) <= 10 * 1024 * 1024
    built = []
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: built.append(1))
    before = stored_uploads()
    client.force_login(admin_user)

    response = client.post(
        reverse("imports:import_start"), {"plan": plan.pk, "file": SimpleUploadedFile(name, data)}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1 and errors[0].startswith(sentence), errors
    assert errors[0].endswith(".") and "Error" not in errors[0] and "xml" not in errors[0]
    assert not built, "openpyxl was asked to build the workbook"
    assert stored_uploads() == before
    assert not Priority.objects.filter(plan=plan).exists()
    assert not Outcome.objects.exists() and not Organisation.objects.exists()
    assert not Person.objects.filter(partnership=plan.partnership).exclude(user=admin_user).exists()


def test_every_parts_ratio_is_checked_not_only_parts_over_5_mb():
    # One part of 4 MB of a single repeated cell: under the old 5 MB floor, refused now.
    data = hostile.dense_parts_workbook(parts=1, part_bytes=4 * 1024 * 1024)
    with pytest.raises(UploadRefused, match="expands to far more data"):
        xlsx_bounds_check(data)


def test_a_workbook_in_bounds_passes_the_check():
    xlsx_bounds_check(hostile.varied_cells_workbook(100_000))
    xlsx_bounds_check(hostile.long_cells_workbook(200))
