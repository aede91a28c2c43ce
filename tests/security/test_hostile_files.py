"""Hostile uploads (issue 8, item 3): refused with a sentence, or imported whole; never a 500.

The one hostile-file suite: ``tests/test_hostile_files.py`` was merged into it (issue 13,
item 8), its cases into ``corpus.legacy_corpus``, its formula and network checks below.

Every file of ``tests/security/corpus.py`` goes three ways: ``plan_import`` as a dry run,
``plan_import`` for real, and the browser journey (upload, preview, confirm) as a
partnership admin. The three must agree. A refusal is a sentence with no traceback, no
exception class name and no markup, and leaves every table of the plans and outcomes apps
(history tables included) exactly as it was; an import changes the plan by exactly the
counts it reports. Each call and each request is timed, and the dry run's Python
allocations are traced (tracemalloc); the few files too big to trace quickly are bounded
by the process's peak resident memory instead. These are safety bounds, not benchmarks.
"""

import re
import resource
import select
import socket
import time
import tracemalloc
from dataclasses import dataclass

import defusedxml
import openpyxl.xml
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.services import plan_import
from plans.models import Action, Milestone, MilestoneUpdate, Organisation, Outcome, Person, Priority
from tests import factories
from tests.security.corpus import (
    EITHER,
    IMPORT,
    REFUSE,
    ROWS,
    SHEET,
    Hostile,
    inline_row,
    legacy_xlsx_bytes,
    legacy_xlsx_with,
    plan_sheet_rows,
    sheet_xml,
    the_corpus,
    with_entity_in,
)

SECONDS = 30  # per call or request (dry run, import, upload, preview, confirm), loaded 2 cores
TRACED_PEAK_MB = 150  # Python allocations during a dry run (tracemalloc)
RSS_CEILING_MB = 1500  # the whole test process's peak resident memory, for untraced files

CREATED = {
    "priorities": Priority,
    "outcomes": Outcome,
    "actions": Action,
    "milestones": Milestone,
    "updates": MilestoneUpdate,
    "people": Person,
    "organisations": Organisation,
}
# Words that would mean a stack trace or a library's internals reached the admin.
INTERNALS = re.compile(
    r"Traceback|File \"|line \d+, in|\b\w+(Error|Exception)\b|\bzipfile\b|\bopenpyxl\b|"
    r"\bdefusedxml\b|\blxml\b|<[a-z/!?]|field limit|line contains"
)
CORPUS = the_corpus()


def every_model():
    return [
        model
        for label in ("plans", "outcomes")
        for model in apps.get_app_config(label).get_models()
    ]


def counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in every_model()}


def created_counts(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {
        key: after[model._meta.label] - before[model._meta.label] for key, model in CREATED.items()
    }


def stored_texts() -> list[str]:
    texts = []
    for model, fields in (
        (Priority, ["title"]),
        (Outcome, ["statement", "success_criteria"]),
        (Action, ["text", "lead_text", "resources"]),
        (Milestone, ["text", "lead_text", "due_text"]),
        (MilestoneUpdate, ["commentary", "author_name"]),
        (Person, ["name", "role_title"]),
        (Organisation, ["name"]),
    ):
        for row in model.objects.values_list(*fields):
            texts.extend(value for value in row if value)
    return texts


def assert_a_sentence(message: str, case: Hostile):
    assert message.strip(), f"{case.name}: a refusal must say why"
    assert message.rstrip().endswith("."), f"{case.name}: not a sentence: {message}"
    assert len(message) < 400, f"{case.name}: too long to read: {message}"
    leak = INTERNALS.search(message)
    assert not leak, f"{case.name}: refusal shows internals ({leak.group()}): {message}"


@dataclass
class Pass:
    seconds: float
    peak_mb: float | None  # traced Python allocations, when traced


def timed(function, *, trace: bool) -> tuple[object, Pass]:
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        value = function()
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 1_048_576 if trace else None
        if trace:
            tracemalloc.stop()
    return value, Pass(seconds, peak)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


@pytest.fixture
def world(db):
    """One admin of two partnerships: plan A for plan_import, plan B for the browser."""
    membership = factories.MembershipFactory(role="admin", user__username="hostile-admin")
    other = factories.PartnershipFactory(name="Browser Partnership", slug="browser")
    factories.MembershipFactory(partnership=other, user=membership.user, role="admin")
    return {
        "admin": membership.user,
        "plan": factories.PlanFactory(partnership=membership.partnership, title="Service Plan"),
        "browser_plan": factories.PlanFactory(partnership=other, title="Browser Plan"),
    }


def test_xml_parsing_is_protected_by_defusedxml():
    assert defusedxml.__version__
    assert openpyxl.xml.DEFUSEDXML is True, "openpyxl is not using defusedxml"


def test_the_corpus_has_at_least_fifty_distinctly_named_files():
    assert len(CORPUS) >= 50
    assert len({case.name for case in CORPUS}) == len(CORPUS)
    must = {case.expect for case in CORPUS}
    assert {REFUSE, IMPORT, EITHER} <= must


def test_the_bombs_are_small_files_that_expand_hugely():
    bombs = [case for case in CORPUS if case.name.startswith("zip bomb")]
    assert bombs
    for case in bombs:
        assert len(case.data) < 1_000_000, f"{case.name} should be a small upload"


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_hostile_file_is_refused_with_a_sentence_or_imported_whole(
    case, world, client, hostile_tally
):
    data = case.data
    plan = world["plan"]
    hostile_tally.start(case)

    # 1. Dry run: never writes, whatever the file.
    before = counts()
    dry, dry_pass = timed(
        lambda: plan_import(plan=plan, data=data, filename=case.filename, dry_run=True),
        trace=not case.heavy,
    )
    assert counts() == before, f"{case.name}: the dry run wrote to the database"

    # 2. The real import: refused and unchanged, or whole and exactly as counted. (A heavy
    #    file's real import is the browser journey's, below, to keep the suite quick.)
    if case.heavy:
        real, real_pass = dry, Pass(0.0, None)
        after = before
    else:
        real, real_pass = timed(
            lambda: plan_import(plan=plan, data=data, filename=case.filename), trace=False
        )
        after = counts()
    assert real.ok == dry.ok, f"{case.name}: the dry run and the import disagree"
    if case.expect == REFUSE:
        assert not real.ok, f"{case.name} must be refused"
    if case.expect == IMPORT:
        assert real.ok, f"{case.name} must be imported, was refused: {real.refused}"
    created = {key: real.created.get(key, 0) for key in CREATED}
    if real.ok and not case.heavy:
        assert created_counts(before, after) == created, f"{case.name}: counts differ"
        assert created == {key: dry.created.get(key, 0) for key in CREATED}, (
            f"{case.name}: the preview's counts are not the import's"
        )
    if real.ok:
        assert created["milestones"] + created["actions"] > 0, "imported, but nothing landed"
        texts = stored_texts()
        for expected in case.must_store:
            assert any(expected in text for text in texts), f"{case.name}: {expected!r} lost"
        if case.check:
            problem = case.check(texts)
            assert problem is None, f"{case.name}: {problem}"
    else:
        assert after == before, f"{case.name}: refused, but the database changed"
        assert_a_sentence(real.refused, case)
        texts = []
    said = " ".join([real.refused, *(f.message for f in real.findings)])
    for secret in case.forbidden:
        assert not any(secret in text for text in texts), f"{case.name}: stored {secret!r}"
        assert secret not in said, f"{case.name}: showed {secret!r}"

    # 3. The browser journey as a partnership admin, into an empty plan of another
    #    partnership: the same decision, the same counts, never a 500.
    client.force_login(world["admin"])
    browser_plan = world["browser_plan"]
    before = counts()

    def upload():
        return client.post(
            reverse("imports:import_start"),
            {"plan": browser_plan.pk, "file": SimpleUploadedFile(case.filename, data)},
        )

    pages = [timed(upload, trace=False)]  # each request of the journey is timed on its own
    if pages[0][0].status_code == 302:
        preview_url = pages[0][0]["Location"]
        pages.append(timed(lambda: client.get(preview_url), trace=False))
        form = pages[1][0].context["form"]
        sheets = [name for name, _ in form.fields["sheets"].choices]
        confirm = {"action": "import", "sheets": sheets, "mapping_confirmed": "on"}
        pages.append(timed(lambda: client.post(preview_url, confirm), trace=False))
    pages, requests = [page for page, _ in pages], [measured for _, measured in pages]
    browser_pass = Pass(max(measured.seconds for measured in requests), None)
    after = counts()
    statuses = [page.status_code for page in pages]
    assert 500 not in statuses, f"{case.name}: server error"
    html = "".join(page.content.decode("utf-8", "replace") for page in pages)
    assert "Traceback" not in html
    for secret in case.forbidden:
        assert secret not in html, f"{case.name}: the page showed {secret!r}"
    if real.ok and not case.page_refuses:
        assert statuses == [302, 200, 302], f"{case.name}: browser journey {statuses}"
        assert pages[-1]["Location"] == browser_plan.get_absolute_url()
        assert created_counts(before, after) == created, f"{case.name}: browser counts differ"
    else:
        assert statuses == [200], f"{case.name}: refused by the service, browser got {statuses}"
        errors = pages[0].context["form"].errors.get("file", [])
        assert errors, f"{case.name}: the upload page shows no reason"
        for error in errors:
            assert_a_sentence(error if error.endswith(".") else error + ".", case)
        assert "govuk-error-summary" in html
        assert after == before, f"{case.name}: refused in the browser, but the database changed"

    # Bounds: time for each call and request, memory for the dry run (or the process).
    for name, measured in (("dry run", dry_pass), ("import", real_pass), ("request", browser_pass)):
        assert measured.seconds < SECONDS, f"{case.name}: {name} took {measured.seconds:.1f} s"
    if dry_pass.peak_mb is not None:
        assert dry_pass.peak_mb < TRACED_PEAK_MB, f"{case.name}: {dry_pass.peak_mb:.0f} MB"
    rss = peak_rss_mb()
    assert rss < RSS_CEILING_MB, f"{case.name}: the process reached {rss:.0f} MB"
    hostile_tally.finish(
        case,
        "imported" if real.ok else "refused",
        seconds=max(dry_pass.seconds, real_pass.seconds, browser_pass.seconds),
        peak_mb=dry_pass.peak_mb,
        rss_mb=rss,
    )


def test_an_imported_formula_is_never_stored_as_a_formula(world):
    case = next(c for c in CORPUS if c.name == "DDE, HYPERLINK and NOW formulas in workbook cells")
    result = plan_import(plan=world["plan"], data=case.data, filename=case.filename)
    assert result.ok
    texts = list(Action.objects.values_list("text", flat=True)) + list(
        Milestone.objects.values_list("text", flat=True)
    )
    assert not [text for text in texts if text.startswith("=")]
    assert any("formula" in finding.message for finding in result.findings)


@pytest.fixture
def listener():
    """A TCP port on loopback that records whether anything connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def _connected(server) -> bool:
    readable, _, _ = select.select([server], [], [], 0.3)
    return bool(readable)


def test_no_part_of_a_workbook_makes_the_server_fetch_a_url(world, listener):
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    files = [
        with_entity_in(
            "[Content_Types].xml", prolog=f'<!DOCTYPE x SYSTEM "{url}/a.dtd">', reference=""
        ),
        with_entity_in(
            SHEET, prolog=f'<!DOCTYPE x [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]>', reference=""
        ),
        with_entity_in(
            "docProps/core.xml", prolog=f'<!DOCTYPE x [<!ENTITY e SYSTEM "{url}/e">]>', reference=""
        ),
        legacy_xlsx_with(
            {
                SHEET: sheet_xml(
                    plan_sheet_rows(
                        inline_row(
                            9,
                            [
                                '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                                f'href="{url}/x"/>'
                            ],
                        )
                    )
                )
            }
        ),
        legacy_xlsx_bytes(
            [*ROWS, ["3. L", f'=WEBSERVICE("{url}/w")', f'=HYPERLINK("{url}/h")', "", ""]]
        ),
    ]
    for data in files:
        plan_import(plan=world["plan"], data=data, filename="fetch.xlsx")
    assert not _connected(listener), "reading a workbook made a network request"
