"""Browser journeys: Debian's Chromium driven by Playwright for Python against live_server.

Skipped with a reason where /usr/bin/chromium is missing, unless REQUIRE_BROWSER=1 (CI), where
a missing browser fails instead. Never run `playwright install`: it downloads another browser.
"""

import json
import os
from pathlib import Path

import pytest

from tests.system_tools import require_or_skip

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


_require_or_skip = require_or_skip


@pytest.fixture(scope="package")
def browser():
    _require_or_skip(
        CHROMIUM.exists(), f"no Chromium at {CHROMIUM} (install Debian's chromium package)"
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev dependency
        _require_or_skip(False, "Playwright for Python is not installed (pip install playwright)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
    # thread with a loop unless told it is safe. Test code here only touches the ORM between
    # browser calls, never concurrently with them. Set only while the browser is open, so the
    # rest of the suite (and subprocesses it starts) keeps Django's protection.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies: one per person)."""
    contexts = []

    def make():
        # The service's Content Security Policy forbids inline script; axe is injected inline,
        # so the test browser bypasses CSP. The pages themselves are not changed by this.
        context = browser.new_context(base_url=live_server.url, bypass_csp=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def assert_accessible():
    """Run axe-core on the page; fail listing any serious or critical violation."""
    _require_or_skip(AXE.exists(), f"axe-core is not installed at {AXE} (run npm install)")

    def check(page, name: str):
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        if bad:
            report = [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [n["target"] for n in v["nodes"]][:5],
                }
                for v in bad
            ]
            print(f"axe violations on {name}:\n{json.dumps(report, indent=2)}")
        assert not bad, f"{name}: {len(bad)} serious or critical accessibility violation(s)"
        return result

    return check


def two_factor_set_up(page, check=None):
    """On the set-up page an admin meets at first sign-in: do what a person does with an
    authenticator app (type the key shown as text into it), give its code, keep the recovery
    codes and go on. ``check(page, name, errors=False)``, if given, is called on each page
    (a wrong code first, so the error page is checked too). Returns the recovery codes."""
    from playwright.sync_api import expect

    from tests.mfa_helpers import totp_code_from_key

    expect(page.get_by_role("heading", level=1, name="Set up two-factor sign-in")).to_be_visible()
    if check:
        check(page, "two-factor set-up")
        page.get_by_label("Code from the app").fill("000000")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_text("The code is not right").first).to_be_visible()
        check(page, "two-factor set-up with a wrong code", errors=True)
        page.wait_for_timeout(1100)  # django-otp makes the next try wait a second
    key = page.locator("#secret-key").inner_text()
    page.get_by_label("Code from the app").fill(totp_code_from_key(key))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1, name="Your recovery codes")).to_be_visible()
    if check:
        check(page, "recovery codes")
    codes = page.locator(".app-recovery-codes code").all_inner_texts()
    with page.expect_navigation():
        page.get_by_role("button", name="I have kept my recovery codes").click()
    return codes
