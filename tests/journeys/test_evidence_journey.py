"""A lead attaches the minutes to their update in a browser, and a board member downloads them."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from evidence.models import Attachment
from plans.models import Membership
from tests import factories
from tests.evidence.corpus import ooxml, pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def sign_in(page, username):
    page.goto(reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_lead_attaches_minutes_and_a_board_member_downloads_them(
    new_page, transactional_db, assert_accessible
):
    partnership = factories.PartnershipFactory(name="Medway Youth Justice Board", slug="medway")
    lead_user = factories.UserFactory(username="ken")
    factories.MembershipFactory(user=lead_user, partnership=partnership, role=Membership.Role.LEAD)
    ken = factories.PersonFactory(partnership=partnership, name="Ken Dance", user=lead_user)
    board_user = factories.UserFactory(username="board")
    factories.MembershipFactory(user=board_user, partnership=partnership, role="board")
    milestone = factories.MilestoneFactory(
        action__outcome__priority__plan__partnership=partnership,
        lead=ken,
        text="Research why young women get pregnant",
    )
    factories.MilestoneUpdateFactory(milestone=milestone, author=lead_user, author_name="Ken Dance")

    page = new_page()
    sign_in(page, "ken")
    page.goto(milestone.get_absolute_url())
    page.get_by_role("link", name="Attach a file").click()
    assert_accessible(page, "attach evidence")

    # A macro-enabled workbook renamed .xlsx: refused with a sentence, nothing kept.
    page.get_by_label("Choose a file").set_input_files(
        {"name": "figures.xlsx", "mimeType": "application/octet-stream", "buffer": ooxml("xlsm")}
    )
    page.get_by_role("button", name="Attach the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("This file contains macros")
    assert page.title().startswith("Error: ")
    assert_accessible(page, "attach evidence, refused")
    assert not Attachment.objects.exists()

    page.get_by_label("Choose a file").set_input_files(
        {"name": "Board minutes March 2020.pdf", "mimeType": "application/pdf", "buffer": pdf()}
    )
    page.get_by_role("button", name="Attach the file").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "‘Board minutes March 2020.pdf’"
    )
    expect(page.locator("main")).to_contain_text(
        f"Board minutes March 2020.pdf ({len(pdf())} bytes)"
    )
    assert_accessible(page, "milestone page with evidence")

    reader = new_page()
    sign_in(reader, "board")
    reader.goto(milestone.get_absolute_url())
    expect(reader.get_by_role("link", name="Attach a file")).to_have_count(0)
    with reader.expect_download() as download:
        reader.get_by_role("link", name="Board minutes March 2020.pdf").click()
    assert download.value.suggested_filename == "Board minutes March 2020.pdf"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == pdf()
    assert reverse("evidence:attachment_download", args=[Attachment.objects.get().pk]) in (
        download.value.url
    )
