"""A closed quarter's pack is the same next year: a frozen v1 snapshot still renders unchanged.

``frozen/rotherham_2010-11_q3_v1.json`` is a snapshot (and the one before it) as the product
stored it in December 2026, schema version 1. Its PDF text and Excel cell values were frozen
beside it at the same time. When a change to the state's shape, the upgrade or the packs
makes this fail, the pack of every quarter closed before it would change too: add an upgrade
step (reporting/schema.py) instead of editing the frozen files.
"""

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from reporting.models import Snapshot
from reporting.packs.data import pack_data
from reporting.packs.excel import render_xlsx
from reporting.packs.pdf import render_pdf
from reporting.schema import STATE_SCHEMA_VERSION, SnapshotTooNew, snapshot_state, state_upgrade
from reporting.services import state_digest
from tests.reporting.conftest import pdf_text, xlsx_values

FROZEN = Path(__file__).parent / "frozen"
NAME = "rotherham_2010-11_q3_v1"
PRODUCED_AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _snapshot(stored: dict) -> Snapshot:
    return Snapshot(
        data=stored["data"],
        digest=stored["digest"],
        schema_version=stored["schema_version"],
        created_at=datetime.fromisoformat(stored["created_at"]),
    )


def frozen_pack() -> dict:
    stored = json.loads((FROZEN / f"{NAME}.json").read_text())
    snapshot = _snapshot(stored["snapshot"])
    return pack_data(
        state=snapshot_state(snapshot),
        previous=snapshot_state(_snapshot(stored["previous"])),
        snapshot=snapshot,
        produced_at=PRODUCED_AT,
    )


def pdf_lines(data: bytes) -> list[str]:
    """The PDF's text, line by line with runs of spaces as one (layout columns may shift)."""
    lines = (re.sub(r"\s+", " ", line).strip() for line in pdf_text(data).splitlines())
    return [line for line in lines if line]


def _plain(value):
    return value.isoformat() if isinstance(value, date | datetime) else value


def xlsx_cells(data: bytes) -> dict[str, list[list]]:
    return {
        sheet: [[_plain(v) for v in row] for row in rows]
        for sheet, rows in xlsx_values(data).items()
    }


def test_the_frozen_snapshot_is_as_it_was_stored():
    stored = json.loads((FROZEN / f"{NAME}.json").read_text())
    for which in ("snapshot", "previous"):
        assert state_digest(stored[which]["data"]) == stored[which]["digest"]
        assert stored[which]["schema_version"] == 1


def test_the_frozen_v1_snapshot_renders_the_same_excel_pack():
    expected = json.loads((FROZEN / f"{NAME}.xlsx.json").read_text())
    assert xlsx_cells(render_xlsx(frozen_pack())) == expected


def test_the_frozen_v1_snapshot_renders_the_same_pdf_pack():
    expected = (FROZEN / f"{NAME}.pdf.txt").read_text().splitlines()
    assert pdf_lines(render_pdf(frozen_pack())) == expected


def test_the_frozen_pack_has_what_a_board_reads():
    pack = frozen_pack()
    assert not pack["draft"] and pack["period"] == "2010/11 Q3"
    assert pack["total"] == 41 and len(pack["indicators"]) == 15
    assert pack["changes"]["count"] > 0


def test_an_early_v1_state_missing_later_keys_is_filled_with_empty_values():
    stored = json.loads((FROZEN / f"{NAME}.json").read_text())["snapshot"]
    early = json.loads(json.dumps(stored["data"]))
    for key in ("indicators", "as_at", "taken_at", "previous_snapshot_id", "schema"):
        early.pop(key, None)
    for priority in early["priorities"]:
        for outcome in priority["outcomes"]:
            for action in outcome["actions"]:
                for milestone in action["milestones"]:
                    for key in ("start_status", "start_due_date", "created_at", "due_date_reason"):
                        del milestone[key]
    before = json.dumps(early, sort_keys=True)

    state = state_upgrade(early, version=1)

    assert json.dumps(early, sort_keys=True) == before  # the stored dict is left as it was
    assert state["schema"] == STATE_SCHEMA_VERSION and state["indicators"] == []
    milestone = state["priorities"][0]["outcomes"][0]["actions"][0]["milestones"][0]
    assert milestone["start_status"] is None and milestone["due_date_reason"] == ""
    pack = pack_data(state=state, previous=None, snapshot=None, produced_at=PRODUCED_AT)
    assert pack["total"] == 41 and pack["indicators"] == []
    render_xlsx(pack)


def test_a_snapshot_from_a_newer_version_is_refused_with_a_sentence():
    with pytest.raises(SnapshotTooNew, match=r"newer version of the product .* Upgrade"):
        state_upgrade({"priorities": []}, version=STATE_SCHEMA_VERSION + 1)


def _strip_later_keys(data: dict) -> dict:
    data = json.loads(json.dumps(data))
    data.pop("indicators", None)
    for priority in data["priorities"]:
        for outcome in priority["outcomes"]:
            outcome.pop("success_criteria", None)
            for action in outcome["actions"]:
                action.pop("sources", None)
                for milestone in action["milestones"]:
                    for key in ("start_status", "due_date_reason", "commentary", "due_text"):
                        milestone.pop(key, None)
    return data


@pytest.mark.django_db
def test_every_read_of_a_snapshot_upgrades_it_closed_packs_and_what_changed(scenario):
    """Both read paths: a closed period's own pack, and an open one comparing with it."""
    from reporting import selectors
    from reporting.packs import render
    from reporting.packs.data import pack_for_period

    snapshot = selectors.snapshot_latest(period=scenario.q2)
    Snapshot.objects.filter(pk=snapshot.pk).update(data=_strip_later_keys(snapshot.data))

    for period in (scenario.q2, scenario.q3):
        pack = pack_for_period(period=period, produced_at=PRODUCED_AT)
        assert render(pack, "xlsx").startswith(b"PK")
    assert pack["changes"]["basis"].startswith("Compared with the closed quarter")
