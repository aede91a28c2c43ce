"""A missing system tool skips its tests with a reason on a newcomer's machine, fails in CI."""

import pytest

from tests import system_tools


@pytest.fixture
def no_pdftotext(monkeypatch):
    monkeypatch.setattr(system_tools.shutil, "which", lambda name: None)
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)
    monkeypatch.delenv("REQUIRE_TOOLS", raising=False)
    return monkeypatch


def test_without_pdftotext_a_pdf_text_test_is_skipped_saying_what_to_install(no_pdftotext):
    with pytest.raises(pytest.skip.Exception, match=r"apt-get install poppler-utils"):
        system_tools.pdf_text(b"%PDF-1.7")


@pytest.mark.parametrize("variable", ["REQUIRE_BROWSER", "REQUIRE_TOOLS"])
def test_without_pdftotext_ci_fails_instead(no_pdftotext, variable):
    no_pdftotext.setenv(variable, "1")
    with pytest.raises(pytest.fail.Exception, match=rf"{variable}=1 but pdftotext is not"):
        system_tools.pdf_text(b"%PDF-1.7")
