"""System programs some tests need (poppler's pdftotext, Debian's chromium).

Where one is missing, its tests are skipped with a reason saying what to install, so a
newcomer's `make test` passes on a fresh machine; with REQUIRE_BROWSER=1 or REQUIRE_TOOLS=1
(CI sets both, in .ci/run) a missing tool fails those tests instead.
"""

import os
import shutil
import subprocess

import pytest


def required() -> bool:
    """True where a missing tool must fail the run (CI), not skip its tests."""
    return "1" in (os.environ.get("REQUIRE_BROWSER"), os.environ.get("REQUIRE_TOOLS"))


def require_or_skip(ok: bool, reason: str) -> None:
    """Skip the test with ``reason`` unless ``ok``; fail instead where tools are required."""
    if ok:
        return
    if required():
        browser = os.environ.get("REQUIRE_BROWSER") == "1"
        variable = "REQUIRE_BROWSER" if browser else "REQUIRE_TOOLS"
        pytest.fail(f"{variable}=1 but {reason}")
    pytest.skip(reason)


def pdftotext() -> str:
    """The path of poppler's pdftotext; skips (or fails, in CI) the test where it is missing."""
    path = shutil.which("pdftotext")
    require_or_skip(
        path is not None,
        "pdftotext is not installed (apt-get install poppler-utils); this test reads a PDF's text",
    )
    return path


def pdf_text(data: bytes) -> str:
    """The PDF's text as pdftotext (poppler) extracts it, in reading layout."""
    result = subprocess.run(  # noqa: S603 - a fixed poppler binary reading our own PDF
        [pdftotext(), "-layout", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")
