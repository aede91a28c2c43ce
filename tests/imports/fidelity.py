"""How faithfully ``import_plan`` reads a real plan: facts kept, counted against a truth file.

A truth file (``corpus/truth/<name>.json``) lists the plan's milestones as a person reading
the source would: the text (enough to identify it), the lead as written, the due date
(ISO, or null where the text gives none), the status (a RAG value, or null where the plan
gives none) and the heading the milestone sits under. Five facts per milestone:

- **found**: a milestone of the imported plan whose text matches (normalised prefix, or a
  ``difflib`` ratio of at least ``TEXT_MATCH``); each imported milestone answers for one
  truth milestone at most;
- **lead**: every word of the truth's lead appears in the milestone's lead as imported (its
  ``lead_text`` or its person's name), so "Inspector George Holland" is not met by "George
  Holland"; a null lead is met by a milestone with no lead;
- **due_date**: the same date, or both empty;
- **status**: the same RAG value; a null status is met by "not_started", the value a
  milestone has when the plan states none;
- **heading**: the milestone's outcome or priority reads as the truth's heading.

A milestone that is not found keeps none of its five facts. The import goes through the
management command admins use, into a new partnership, with the importer's own best guess
at the mapping (``accept_mapping=True`` where the command takes it).
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

CORPUS = Path(__file__).resolve().parent / "corpus"
FACTS = ("found", "lead", "due_date", "status", "heading")
STATUSES = {"red", "amber", "green", "complete", "not_started"}
TEXT_MATCH = 0.8
HEADING_MATCH = 0.8
LEAD_MATCH = 0.85

_NUMBERING = re.compile(
    r"^(?:\(?\d+(?:\.\d+)*[a-z]?[).:]?|\(?[ivx]+[).]|\(?[a-z][).])\s+"  # 1.1a  (ii)  b)
)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


@dataclass
class MilestoneScore:
    """What the import kept of one truth milestone."""

    text: str
    facts: dict[str, bool]
    imported_text: str = ""
    imported: dict[str, str] = field(default_factory=dict)


@dataclass
class FileScore:
    """One corpus file: the import's outcome and each truth milestone's facts."""

    name: str
    milestones: list[MilestoneScore]
    refused: str = ""
    imported_milestones: int = 0

    def count(self, fact: str) -> int:
        return sum(score.facts[fact] for score in self.milestones)

    @property
    def kept(self) -> int:
        return sum(self.count(fact) for fact in FACTS)

    @property
    def possible(self) -> int:
        return len(FACTS) * len(self.milestones)

    @property
    def percent(self) -> float:
        return 100.0 * self.kept / self.possible if self.possible else 0.0


def normalise(text: str | None) -> str:
    """Lower case, plain quotes and dashes, no leading item number, single spaces."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES).lower()
    text = " ".join(text.split())
    text = _NUMBERING.sub("", text, count=1)
    return text.strip(" .;:,")


def words(text: str | None) -> list[str]:
    return re.findall(r"[a-z0-9]+", normalise(text).replace("'", ""))


def text_similarity(truth: str, imported: str) -> float:
    """1.0 when the imported text starts with or contains the truth's; else a difflib ratio."""
    wanted, got = normalise(truth), normalise(imported)
    if not wanted or not got:
        return 0.0
    if wanted in got:
        return 1.0
    # An importer that cut the text short still found the item if what it kept is most of it.
    if wanted.startswith(got) and len(got) >= 0.6 * len(wanted):
        return 0.9
    return max(
        SequenceMatcher(None, wanted, got).ratio(),
        SequenceMatcher(None, wanted, got[: len(wanted)]).ratio(),
    )


def lead_matches(truth: str | None, imported: list[str]) -> bool:
    present = [text for text in imported if text and text.strip()]
    if truth is None:
        return not present
    wanted = words(truth)
    for text in present:
        got = words(text)
        if wanted and set(wanted) <= set(got):
            return True
        if SequenceMatcher(None, normalise(truth), normalise(text)).ratio() >= LEAD_MATCH:
            return True
    return False


def heading_matches(truth: str | None, headings: list[str]) -> bool:
    if truth is None:
        return True
    wanted = normalise(truth)
    for heading in headings:
        got = normalise(heading)
        if not got:
            continue
        if wanted in got:
            return True
        ratio = max(
            SequenceMatcher(None, wanted, got).ratio(),
            SequenceMatcher(None, wanted, got[: len(wanted)]).ratio(),
        )
        if ratio >= HEADING_MATCH:
            return True
    return False


def truth_load(path: Path) -> dict:
    """Read a truth file and check its shape, so a broken truth fails loudly, not as a score."""
    truth = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    if not (CORPUS / "files" / truth.get("file", "")).is_file():
        problems.append(f"names {truth.get('file')!r}, which is not in corpus/files")
    for index, milestone in enumerate(truth.get("milestones", []), start=1):
        missing = {"text", "lead", "due_date", "status", "heading"} - milestone.keys()
        if missing:
            problems.append(f"milestone {index} has no {', '.join(sorted(missing))}")
        if milestone.get("status") not in STATUSES | {None}:
            problems.append(f"milestone {index} has status {milestone.get('status')!r}")
        if milestone.get("due_date") is not None:
            date.fromisoformat(milestone["due_date"])
    if not truth.get("milestones"):
        problems.append("lists no milestones")
    if problems:
        raise ValueError(f"{path.name}: " + "; ".join(problems))
    return truth


def corpus_truths() -> list[Path]:
    return sorted((CORPUS / "truth").glob("*.json"))


def plan_import(path: Path, *, partnership: str, plan: str) -> str:
    """Run ``import_plan`` as an admin would; return the refusal, or "" when it imported."""
    out, err = io.StringIO(), io.StringIO()
    options = {"partnership": partnership, "plan": plan, "stdout": out, "stderr": err}
    try:
        try:
            call_command("import_plan", str(path), accept_mapping=True, **options)
        except TypeError as error:
            # The command does not take --accept-mapping yet: its guess is the only mapping.
            if "accept_mapping" not in str(error):
                raise
            call_command("import_plan", str(path), **options)
    except CommandError as error:
        return str(error) or "refused"
    except Exception as error:  # noqa: BLE001 - an importer crash is a score of nothing
        return f"crashed: {type(error).__name__}: {error}"
    return ""


def imported_milestones(*, partnership: str, plan: str) -> list[dict]:
    from plans.models import Milestone

    rows = Milestone.objects.filter(
        action__outcome__priority__plan__partnership__name=partnership,
        action__outcome__priority__plan__title=plan,
    ).select_related("lead", "action__outcome__priority")
    return [
        {
            "text": milestone.text,
            "leads": [milestone.lead_text, milestone.lead.name if milestone.lead else ""],
            "due_date": milestone.due_date,
            "status": milestone.status,
            "headings": [
                milestone.action.outcome.statement,
                milestone.action.outcome.priority.title,
            ],
        }
        for milestone in rows
    ]


def file_score(truth_path: Path) -> FileScore:
    """Import one corpus file into a new partnership and score it against its truth."""
    truth = truth_load(truth_path)
    name = truth_path.stem
    partnership, plan = f"Corpus fidelity: {name}", f"Corpus plan {name}"
    refused = plan_import(CORPUS / "files" / truth["file"], partnership=partnership, plan=plan)
    found = [] if refused else imported_milestones(partnership=partnership, plan=plan)

    # Pair each truth milestone with the imported one most like it, best pairs first.
    pairs = sorted(
        (
            (text_similarity(wanted["text"], got["text"]), t_index, g_index)
            for t_index, wanted in enumerate(truth["milestones"])
            for g_index, got in enumerate(found)
        ),
        reverse=True,
    )
    match: dict[int, int] = {}
    taken: set[int] = set()
    for similarity, t_index, g_index in pairs:
        if similarity < TEXT_MATCH:
            break
        if t_index in match or g_index in taken:
            continue
        match[t_index] = g_index
        taken.add(g_index)

    scores = []
    for t_index, wanted in enumerate(truth["milestones"]):
        if t_index not in match:
            scores.append(MilestoneScore(wanted["text"], dict.fromkeys(FACTS, False)))
            continue
        got = found[match[t_index]]
        due = date.fromisoformat(wanted["due_date"]) if wanted["due_date"] else None
        facts = {
            "found": True,
            "lead": lead_matches(wanted["lead"], got["leads"]),
            "due_date": got["due_date"] == due,
            "status": got["status"] == (wanted["status"] or "not_started"),
            "heading": heading_matches(wanted["heading"], got["headings"]),
        }
        imported = {
            "lead": " / ".join(text for text in got["leads"] if text),
            "due_date": str(got["due_date"] or ""),
            "status": got["status"],
            "heading": " / ".join(got["headings"]),
        }
        scores.append(MilestoneScore(wanted["text"], facts, got["text"], imported))
    return FileScore(name, scores, refused=refused, imported_milestones=len(found))


def table(scores: list[FileScore]) -> str:
    """A plain-text table: one line per file, facts kept of milestones, and a total line."""
    width = max([len(score.name) for score in scores] + [5])
    lines = [
        f"{'file':<{width}}  "
        + "  ".join(f"{fact:>9}" for fact in FACTS)
        + "   kept/all      %  note"
    ]
    for score in scores:
        total = len(score.milestones)
        lines.append(
            f"{score.name:<{width}}  "
            + "  ".join(f"{f'{score.count(fact)}/{total}':>9}" for fact in FACTS)
            + f"  {f'{score.kept}/{score.possible}':>9}  {score.percent:5.1f}"
            + (f"  refused: {score.refused.splitlines()[0][:70]}" if score.refused else "")
        )
    kept = sum(score.kept for score in scores)
    possible = sum(score.possible for score in scores)
    milestones = sum(len(score.milestones) for score in scores)
    lines.append(
        f"{'TOTAL':<{width}}  "
        + "  ".join(
            f"{f'{sum(score.count(fact) for score in scores)}/{milestones}':>9}" for fact in FACTS
        )
        + f"  {f'{kept}/{possible}':>9}  {total_percent(scores):5.1f}"
    )
    return "\n".join(lines)


def total_percent(scores: list[FileScore]) -> float:
    possible = sum(score.possible for score in scores)
    return 100.0 * sum(score.kept for score in scores) / possible if possible else 0.0
