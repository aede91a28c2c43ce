"""The importer's write path: read a legacy plan file and land it in a plan, whole or not at all.

``plan_import`` is the one entry point for the browser and the command line. A dry run does
exactly what a real import does inside a transaction and then rolls it back, so the preview's
counts are the import's counts. Items already in the plan (same number and words under the
same parent) are matched, not duplicated, so importing the same file twice changes nothing.
"""

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import Error as DatabaseFault
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from imports.builder import MilestoneDraft, PlanBuilder, PriorityDraft, SheetReport
from imports.bulk import bulk_create_with_history, bulk_insert, reserve_ids
from imports.dates import find_all_dates, parse_due_text
from imports.findings import SheetFinding
from imports.layout import FIELDS, label_key
from imports.leads import LeadRef, lead_refs, person_key
from imports.models import ColumnMapping
from imports.reading import ImportRefused, Sheet, read_file
from imports.status import status_from_words
from outcomes.sheet_import import HistoryMarks, IndicatorSheetHandler
from plans.audit import IMPORT_REASON_PREFIX
from plans.data_changes import plan_data_changed
from plans.formatting import plural
from plans.lifecycle import ARCHIVED_SENTENCE
from plans.models import (
    RAG,
    Action,
    Milestone,
    MilestoneUpdate,
    Organisation,
    Outcome,
    Person,
    Plan,
    Priority,
)
from plans.numbering import number_sort_key
from plans.periods import FinancialQuarter
from plans.services import MilestoneConflict, milestone_update
from security.events import security_event

logger = logging.getLogger(__name__)

MEMOISED_READERS = (label_key, status_from_words, parse_due_text, find_all_dates, lead_refs)

# Sheets read by another app rather than as plan rows: outcomes reads indicator tables.
SHEET_HANDLERS = (IndicatorSheetHandler(),)

COUNT_KEYS = (
    "priorities",
    "outcomes",
    "actions",
    "milestones",
    "updates",
    "people",
    "organisations",
)


@dataclass
class ColumnChoice:
    """One heading found in the file and the field it was read as (for the mapping form)."""

    key: str
    label: str
    field: str
    confident: bool
    sheets: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    """A file read and understood, before anything touches the database."""

    filename: str
    sheets: list[Sheet] = field(default_factory=list)
    priorities: list[PriorityDraft] = field(default_factory=list)
    reports: list[SheetReport] = field(default_factory=list)
    findings: list[SheetFinding] = field(default_factory=list)
    handled: list[tuple[object, Sheet]] = field(default_factory=list)
    columns: list[ColumnChoice] = field(default_factory=list)
    refused: str = ""

    @property
    def mapping_uncertain(self) -> bool:
        return any(not column.confident for column in self.columns)

    @property
    def records(self) -> str:
        """What the file holds, counted as records (not rows): "4 outcomes, 9 actions, …"."""
        outcomes = [o for p in self.priorities for o in p.outcomes]
        actions = [a for o in outcomes for a in o.actions]
        milestones = sum(len(a.milestones) for a in actions)
        return ", ".join(
            (
                plural(len(self.priorities), "priority", "priorities"),
                plural(len(outcomes), "outcome"),
                plural(len(actions), "action"),
                plural(milestones, "milestone"),
            )
        )

    def due_dates(self) -> list[date]:
        return [
            milestone.due.day
            for priority in self.priorities
            for outcome in priority.outcomes
            for action in outcome.actions
            for milestone in action.milestones
            if milestone.due.day
        ]


@dataclass
class ImportResult:
    filename: str
    dry_run: bool
    parsed: ParsedFile
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    matched: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    findings: list[SheetFinding] = field(default_factory=list)
    refused: str = ""
    # What a re-import changes on milestones already in the plan, one sentence each.
    changes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused

    @property
    def changed_nothing(self) -> bool:
        return not any(self.created.values())


def plan_file_read(
    *,
    data: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
    sheets=None,
    fallback_title: str = "",
) -> ParsedFile:
    """Read and understand a plan file without writing anything; refusals are in ``refused``."""
    try:
        return _read(
            data=data,
            filename=filename,
            mapping=mapping,
            sheets=sheets,
            fallback_title=fallback_title,
        )
    finally:
        # The readers remember the cells they have read (a plan repeats its deadlines, leads
        # and statuses row after row); forget them, so no one's plan text outlives its read.
        for memo in MEMOISED_READERS:
            memo.cache_clear()


def _read(*, data: bytes, filename: str, mapping, sheets, fallback_title="") -> ParsedFile:
    parsed = ParsedFile(filename=filename)
    try:
        parsed.sheets = read_file(data=data, filename=filename, sheets=sheets)
    except ImportRefused as refusal:
        parsed.refused = str(refusal)
        return parsed
    builder = PlanBuilder(mapping=mapping, fallback_title=fallback_title)
    handlers = SHEET_HANDLERS
    try:
        for sheet in parsed.sheets:
            builder.findings.extend(sheet.findings)
            claimed = None
            values = None
            for handler in handlers:
                values = values if values is not None else sheet.values()
                if handler.claims(sheet_name=sheet.name, rows=values):
                    claimed = handler
                    break
            if claimed is not None:
                parsed.handled.append((claimed, sheet))
                builder.reports.append(
                    SheetReport(
                        sheet.name,
                        "handler",
                        f"read by another part of the service ({claimed.name}), not as plan rows",
                    )
                )
                continue
            builder.read_sheet(sheet)
    except Exception:  # a parser bug must not become a stack trace for the admin
        # The file's name is the uploader's words (it may name a person): only its type is logged.
        logger.exception("Reading a plan file (%s) failed", Path(filename).suffix.lower())
        parsed.refused = (
            "Something in this file could not be understood, so nothing was imported. "
            "Check that the plan is a table with headings such as 'Action', 'By when' and "
            "'Who', or send the file to your service's support team."
        )
        return parsed
    parsed.priorities = [p for p in builder.priorities if p.outcomes]
    parsed.reports = builder.reports
    parsed.findings = builder.findings
    parsed.columns = _column_choices(builder.reports)
    if not parsed.priorities and not parsed.handled:
        parsed.refused = (
            "No sheet in this file has a plan table we recognise, so nothing was imported. "
            "A plan table has a header row with headings such as 'Action', 'By when' and "
            "'Who'."
        )
    errors = [finding for finding in parsed.findings if finding.level == "error"]
    if errors and not parsed.refused:
        parsed.refused = errors[0].message
    return parsed


def _column_choices(reports: list[SheetReport]) -> list[ColumnChoice]:
    choices: dict[str, ColumnChoice] = {}
    for report in reports:
        if report.layout is None:
            continue
        for column in report.layout.columns:
            key = label_key(column.label)
            if not key:
                continue
            choice = choices.get(key)
            if choice is None:
                choice = choices[key] = ColumnChoice(
                    key=key,
                    label=column.label,
                    field=column.field or "ignore",
                    confident=column.confident,
                )
            if report.name not in choice.sheets:
                choice.sheets.append(report.name)
    return list(choices.values())


def _headings_key(parsed: ParsedFile) -> str:
    keys = sorted({column.key for column in parsed.columns})
    return hashlib.sha256("\x1f".join(keys).encode()).hexdigest()


def mapping_remembered(*, plan: Plan, parsed: ParsedFile) -> dict[str, str]:
    """The mapping last used for this plan with a file of the same headings ({} if none)."""
    if not parsed.columns:
        return {}
    found = ColumnMapping.objects.filter(plan=plan, headings_key=_headings_key(parsed)).first()
    return dict(found.mapping) if found else {}


def mapping_remember(*, plan: Plan, parsed: ParsedFile, user=None) -> ColumnMapping | None:
    """Keep the roles every column was imported with, for the next file with these headings."""
    if not parsed.columns:
        return None
    mapping, _ = ColumnMapping.objects.update_or_create(
        plan=plan,
        headings_key=_headings_key(parsed),
        defaults={
            "headings": [column.label for column in parsed.columns],
            "mapping": {column.key: column.field for column in parsed.columns},
            "updated_by": user,
        },
    )
    return mapping


def plan_dates_infer(*, parsed: ParsedFile, today: date | None = None) -> tuple[date, date]:
    """The financial years a plan covers, from its earliest to its latest due date."""
    dates = parsed.due_dates()
    if not dates:
        quarter = FinancialQuarter.containing(today or timezone.localdate())
        return date(quarter.year, 4, 1), date(quarter.year + 1, 3, 31)
    first, last = FinancialQuarter.containing(min(dates)), FinancialQuarter.containing(max(dates))
    return date(first.year, 4, 1), date(last.year + 1, 3, 31)


def plan_import(
    *,
    plan: Plan,
    data: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
    sheets: list[str] | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    user=None,
    parsed: ParsedFile | None = None,
) -> ImportResult:
    """Import a legacy plan file into ``plan`` in one transaction (rolled back on a dry run).

    Items already in the plan are matched, never duplicated; on a matched milestone a changed
    status, commentary or date becomes a new update under the browser's rules (listed in
    ``changes``), and milestones the file no longer has are reported, never deleted.
    ``parsed``: the same file already read with the same mapping and sheets, not read again.
    """
    parsed = parsed or plan_file_read(
        data=data, filename=filename, mapping=mapping, sheets=sheets, fallback_title=plan.title
    )
    result = ImportResult(filename=filename, dry_run=dry_run, parsed=parsed)
    result.findings = list(parsed.findings)
    if parsed.refused:
        result.refused = parsed.refused
        return result
    now = now or timezone.now()
    try:
        with transaction.atomic():
            # Two admins confirming at once: the second waits here for the first to commit,
            # then matches what it added instead of adding it twice (PostgreSQL; a no-op on
            # SQLite, which has one writer at a time and meets the conflict below instead).
            locked = Plan.objects.select_for_update().filter(pk=plan.pk)
            if locked.filter(archived_at__isnull=False).exists():
                result.refused = ARCHIVED_SENTENCE  # read-only: nothing is imported into it
                return result
            writer = _Writer(plan=plan, result=result, now=now, user=user)
            writer.write(parsed.priorities)
            marks = writer.history_marks
            history = HistoryMarks(
                user=marks["default_user"],
                reason=marks["default_change_reason"],
                date=marks["default_date"],
            )
            # Bulk writes send no model signals: say so once (told only if this commits).
            plan_data_changed(plan_ids=[plan.pk])
            for handler, sheet in parsed.handled:
                counts, findings = handler.import_sheet(
                    plan=plan,
                    sheet_name=sheet.name,
                    rows=sheet.values(),
                    dry_run=dry_run,
                    history=history,
                )
                for key, value in counts.items():
                    result.created[key] = result.created.get(key, 0) + value
                result.findings.extend(
                    SheetFinding(f.sheet, f.row, f.column, f.message, f.level) for f in findings
                )
            errors = [f for f in result.findings if f.level == "error"]
            if errors:
                result.refused = errors[0].message
                transaction.set_rollback(True)
            elif dry_run:
                transaction.set_rollback(True)
            else:
                # Logged here, once, whoever imports: the upload page and import_plan alike.
                security_event(
                    "plan_imported",
                    user_id=getattr(user, "pk", None),
                    plan_id=plan.pk,
                    milestones_added=result.created.get("milestones", 0),
                )
    except IntegrityError:
        # A person or organisation the file adds was added meanwhile: another import into the
        # plan committed while this one was writing. The file is not at fault.
        logger.warning("Import into plan %s met a concurrent import", plan.pk)
        result.refused = (
            "Someone else imported into this plan at the same time, so nothing was imported "
            "from this file. Check the plan, then import the file again if anything is missing."
        )
    except (DatabaseFault, ValueError):
        # Error, not DatabaseError: a dropped connection raises InterfaceError, which is not
        # one. The exception's class goes to the log, never into the admin's sentence.
        logger.exception(
            "Import of a %s file into plan %s failed", Path(filename).suffix.lower(), plan.pk
        )
        result.refused = (
            "The plan could not be saved, so nothing was imported. Try again; if it fails "
            "again, check the file for very long cells or unusual characters."
        )
    return result


class _Writer:
    """Creates what is new, matches what exists; bulk inserts level by level.

    The number of queries does not grow with the file: each level (and the people the file
    names) is read once and written in one bulk insert with its history rows. The objects
    inserted get their primary keys back (PostgreSQL, SQLite 3.35+), so the next level links
    to them without reading them again.
    """

    def __init__(self, *, plan: Plan, result: ImportResult, now: datetime, user=None):
        self.plan = plan
        self.user = user
        self.matched_changes: list[tuple[Milestone, MilestoneDraft]] = []
        self.matched_ids: set[int] = set()
        self.existing_milestones: list[Milestone] = []
        self.result = result
        self.now = now
        self.author_name = f"Imported from {result.filename}"[:200]
        # One user, reason and time on every history row this import creates: the audit
        # trail shows them as one "Imported N items from <file>" entry (plans.audit).
        self.history_marks = {
            "default_user": user if user is not None and user.is_authenticated else None,
            "default_change_reason": f"{IMPORT_REASON_PREFIX}{result.filename}"[:100],
            "default_date": now,
        }
        self.people: dict[str, list[Person]] = defaultdict(list)
        self.organisations: dict[str, Organisation] = {}

    def count(self, kind: str, created: bool):
        (self.result.created if created else self.result.matched)[kind] += 1

    def write(self, priorities: list[PriorityDraft]):
        self.load_people()
        priority_for = self.write_priorities(priorities)
        outcome_for = self.write_outcomes(priorities, priority_for)
        action_for, new_actions = self.write_actions(priorities, outcome_for)
        new_milestones = self.new_milestones(priorities, action_for)
        # Leads are met in file order, the actions' before the milestones': the first mention
        # of a name the partnership lacks gives the new person their role and agency.
        self.add_people(
            [lead for draft in new_actions for lead in draft.leads]
            + [draft.lead for _, _, draft in new_milestones]
        )
        self.link_actions(new_actions, action_for)
        self.write_milestones(new_milestones)
        self.apply_changes()
        self.report_missing()

    # People ---------------------------------------------------------------------------
    def load_people(self):
        partnership = self.plan.partnership_id
        for organisation in Organisation.objects.filter(partnership_id=partnership):
            self.organisations[person_key(organisation.name)] = organisation
        for person in Person.objects.filter(partnership_id=partnership, removed_at__isnull=True):
            self.people[person_key(person.name)].append(person)

    def add_people(self, leads: list[LeadRef | None]):
        """Create the people (and their agencies) the file names that the partnership lacks."""
        new_people: list[Person] = []
        new_organisations: list[Organisation] = []
        for lead in leads:
            key = person_key(lead.name) if lead else ""
            if not key or self.people.get(key):
                continue
            person = Person(
                partnership_id=self.plan.partnership_id,
                name=lead.name[:200],
                role_title=lead.role_title[:200],
                organisation=self.organisation(lead.organisation, new_organisations),
            )
            self.people[key].append(person)
            new_people.append(person)
        if new_organisations:
            bulk_create_with_history(new_organisations, Organisation, **self.history_marks)
        if new_people:
            bulk_create_with_history(new_people, Person, **self.history_marks)
        self.result.created["organisations"] += len(new_organisations)
        self.result.created["people"] += len(new_people)

    def organisation(self, name: str, new: list[Organisation]) -> Organisation | None:
        if not name:
            return None
        key = person_key(name)
        if key not in self.organisations:
            self.organisations[key] = Organisation(
                partnership_id=self.plan.partnership_id, name=name[:200]
            )
            new.append(self.organisations[key])
        return self.organisations[key]

    def person(self, lead: LeadRef | None) -> Person | None:
        """The person a lead names: same name and role, else the first of that name."""
        if lead is None:
            return None
        candidates = self.people.get(person_key(lead.name), [])
        role = person_key(lead.role_title)
        for person in candidates:
            if person_key(person.role_title) == role:
                return person
        return candidates[0] if candidates else None

    # Hierarchy ------------------------------------------------------------------------
    def write_priorities(self, priorities: list[PriorityDraft]) -> dict[str, Priority]:
        priority_for = {p.title: p for p in Priority.objects.filter(plan=self.plan)}
        next_position = max((p.position for p in priority_for.values()), default=0) + 1
        new_priorities = []
        for draft in priorities:
            title = draft.title[:500]
            if title in priority_for:
                if priority_for[title].pk is not None:  # in the plan before this import
                    self.count("priorities", False)
                continue
            number = draft.number[:30]
            priority = Priority(
                plan_id=self.plan.pk,
                title=title,
                number=number,
                position=next_position,
                sort_key=number_sort_key(number),
            )
            next_position += 1
            new_priorities.append(priority)
            priority_for[title] = priority
            self.count("priorities", True)
        bulk_create_with_history(new_priorities, Priority, **self.history_marks)
        return priority_for

    def write_outcomes(self, priorities, priority_for) -> dict[int, Outcome]:
        """The outcome of each outcome draft (by the draft's id), created where new."""
        outcomes_by_key = {
            (o.priority_id, o.number, o.statement): o
            for o in Outcome.objects.filter(priority__plan=self.plan)
        }
        new_outcomes, outcome_for = [], {}
        position = 0
        for draft in priorities:
            priority = priority_for[draft.title[:500]]
            for outcome_draft in draft.outcomes:
                position += 1
                number = outcome_draft.number[:30]
                key = (priority.pk, number, outcome_draft.statement)
                outcome = outcomes_by_key.get(key)
                if outcome is None:
                    outcome = Outcome(
                        priority_id=priority.pk,
                        number=number,
                        statement=outcome_draft.statement,
                        success_criteria="\n".join(outcome_draft.success_criteria),
                        position=position,
                        sort_key=number_sort_key(number),
                    )
                    new_outcomes.append(outcome)
                    outcomes_by_key[key] = outcome
                    self.count("outcomes", True)
                elif outcome.pk is not None:  # not one created a moment ago by this import
                    self.count("outcomes", False)
                outcome_for[id(outcome_draft)] = outcome
        bulk_create_with_history(new_outcomes, Outcome, **self.history_marks)
        return outcome_for

    def write_actions(self, priorities, outcome_for) -> tuple[dict[int, int], list]:
        """The action id of each action draft (by the draft's id), and the drafts created."""
        existing = {
            (outcome_id, number, text): pk
            for pk, outcome_id, number, text in Action.objects.filter(
                outcome__priority__plan=self.plan
            ).values_list("pk", "outcome_id", "number", "text")
        }
        # New actions as rows, not model instances (see bulk.bulk_insert), by their key.
        new_rows: dict[tuple, dict] = {}
        new_drafts, action_for, assigned = [], {}, []
        position = 0
        for draft in priorities:
            for outcome_draft in draft.outcomes:
                outcome = outcome_for[id(outcome_draft)]
                for action_draft in outcome_draft.actions:
                    position += 1
                    number = action_draft.number[:30]
                    key = (outcome.pk, number, action_draft.text)
                    if key in existing:  # in the plan before this import
                        action_for[id(action_draft)] = existing[key]
                        self.count("actions", False)
                        continue
                    assigned.append((action_draft, key))
                    if key in new_rows:  # the same action again in the file: that one
                        continue
                    new_rows[key] = {
                        "outcome_id": outcome.pk,
                        "number": number,
                        "text": action_draft.text,
                        "lead_text": action_draft.lead_text[:500],
                        "resources": action_draft.resources,
                        "sources": action_draft.sources[:200],
                        "timescale": action_draft.timescale,
                        "position": position,
                        "sort_key": number_sort_key(number),
                    }
                    new_drafts.append(action_draft)
                    self.count("actions", True)
        bulk_create_with_history(list(new_rows.values()), Action, **self.history_marks)
        for action_draft, key in assigned:
            action_for[id(action_draft)] = new_rows[key]["id"]
        return action_for, new_drafts

    def link_actions(self, action_drafts, action_for):
        """Leads and "(see 11)" cross-references of the actions created by this import."""
        outcomes_by_number: dict[str, int] = {}
        for outcome_id, number in (
            Outcome.objects.filter(priority__plan=self.plan)
            .exclude(number="")
            .values_list("pk", "number")
        ):
            outcomes_by_number.setdefault(number, outcome_id)
        lead_links, see_links = [], []
        lead_through = Action.leads.through
        see_through = Action.see_also.through
        for draft in action_drafts:
            action_id = action_for[id(draft)]
            seen = set()
            for lead in draft.leads:
                person = self.person(lead)
                if person and person.pk not in seen:
                    seen.add(person.pk)
                    lead_links.append({"action_id": action_id, "person_id": person.pk})
            for number in draft.see_also:
                target = outcomes_by_number.get(number) or outcomes_by_number.get(
                    number.split(".")[0]
                )
                if target is None:
                    self.result.findings.append(
                        SheetFinding(
                            draft.sheet,
                            draft.row,
                            None,
                            f"Sheet '{draft.sheet}', row {draft.row}: action "
                            f"{draft.number or draft.text[:40]} refers to '{number}', which "
                            "is not an outcome of this plan; the reference was kept as text.",
                            "info",
                        )
                    )
                    continue
                see_links.append({"action_id": action_id, "outcome_id": target})
        bulk_insert(lead_links, lead_through, ignore_conflicts=True)
        bulk_insert(see_links, see_through, ignore_conflicts=True)

    def new_milestones(self, priorities, action_for) -> list[tuple[int, int, MilestoneDraft]]:
        """(action id, position, draft) of each milestone the plan does not have yet."""
        existing = list(
            Milestone.objects.filter(action__outcome__priority__plan=self.plan).select_related(
                "latest_update"
            )
        )
        exact = {(m.action_id, m.number, m.text, m.due_text): m for m in existing}
        # The same step with its date changed in the spreadsheet: matched by its words.
        loose: dict[tuple, list[Milestone]] = defaultdict(list)
        for m in existing:
            loose[(m.action_id, m.number, m.text)].append(m)
        self.existing_milestones = existing
        in_file: dict = {}
        new = []
        for draft in priorities:
            for outcome_draft in draft.outcomes:
                for action_draft in outcome_draft.actions:
                    action_id = action_for[id(action_draft)]
                    for position, m in enumerate(action_draft.milestones, 1):
                        key = (action_id, m.number[:30], m.text, m.due.text[:200])
                        if key in in_file:
                            # The same step twice in the file: one milestone, and what the
                            # second row adds (its progress, another lead) is kept on it.
                            self.merge_repeat(in_file[key], m)
                            continue
                        in_file[key] = m
                        found = exact.get(key) if action_id else None
                        if found is None and action_id:
                            candidates = [
                                c for c in loose.get(key[:3], []) if c.pk not in self.matched_ids
                            ]
                            found = candidates[0] if len(candidates) == 1 else None
                        if found is not None and found.pk not in self.matched_ids:
                            self.matched_ids.add(found.pk)
                            self.count("milestones", False)
                            self.matched_changes.append((found, m))
                            continue
                        new.append((action_id, position, m))
                        self.count("milestones", True)
        return new

    def merge_repeat(self, first: MilestoneDraft, again: MilestoneDraft) -> None:
        added = [
            text
            for text in (
                again.commentary,
                f"Also led by: {again.lead_text}"
                if again.lead_text and again.lead_text != first.lead_text
                else "",
            )
            if text and text not in first.commentary
        ]
        if added:
            first.commentary = "\n".join([first.commentary, *added]).strip()
        if again.status_from and not first.status_from:
            first.status, first.status_from = again.status, again.status_from
        self.result.findings.append(
            SheetFinding(
                again.sheet,
                again.row,
                None,
                f"Sheet '{again.sheet}', row {again.row} repeats the step of row {first.row} "
                f"('{again.text[:40]}'); it is one milestone"
                + (", and this row's progress and lead were added to it." if added else "."),
                "info",
            )
        )

    def write_milestones(self, new_milestones):
        drafts = [m for _, _, m in new_milestones]
        # Progress commentary (or a status read from colour) becomes the milestone's first
        # update. On PostgreSQL the updates' ids are taken first, so each milestone is
        # inserted already pointing at its update: no second write of every milestone row.
        first_updates = [m for m in drafts if m.commentary or m.status_from]
        reserved = reserve_ids(MilestoneUpdate, len(first_updates))
        update_ids = iter(reserved or ())
        milestones = []  # rows, not model instances (see bulk.bulk_insert)
        for action_id, position, m in new_milestones:
            lead = self.person(m.lead)
            number = m.number[:30]
            linked = reserved is not None and bool(m.commentary or m.status_from)
            milestones.append(
                {
                    "action_id": action_id,
                    "number": number,
                    "text": m.text,
                    "lead_id": lead.pk if lead else None,
                    "lead_text": m.lead_text[:500],
                    "due_text": m.due.text[:200],
                    "original_due_date": m.due.day,
                    "due_date": m.due.day,
                    "status": m.status,
                    "position": position,
                    "sort_key": number_sort_key(number),
                    "latest_update_id": next(update_ids) if linked else None,
                    "version": 1 if linked else 0,
                }
            )
        # The history records each milestone as created, before its first update.
        bulk_create_with_history(
            milestones,
            Milestone,
            **self.history_marks,
            history_values={"latest_update_id": None, "version": 0},
        )
        self.write_updates(milestones, drafts, linked=reserved is not None)

    def write_updates(self, milestones, drafts, *, linked: bool):
        """Each new milestone's first update, where the row gave progress or a status."""
        updates = []
        for milestone, draft in zip(milestones, drafts, strict=True):
            if not draft.commentary and not draft.status_from:
                continue
            commentary = draft.commentary or (
                f"Status read from the cell colour in {self.result.filename}."
                if draft.status_from == "colour"
                else ""
            )
            update = {
                "milestone_id": milestone["id"],
                "status": draft.status,
                "commentary": commentary,
                "due_date": milestone["due_date"],
                "author_id": None,
                "author_name": self.author_name,
                "source": MilestoneUpdate.Source.IMPORT,
                "created_at": self.now,
            }
            if linked:
                update["id"] = milestone["latest_update_id"]
            updates.append(update)
        if not updates:
            return
        bulk_insert(updates, MilestoneUpdate)
        self.result.created["updates"] += len(updates)
        if linked:
            return  # the milestones point at their updates already
        # Elsewhere one UPDATE instead of a bulk_update of thousands of rows: each milestone
        # created here has exactly one update, the one just written.
        latest = (
            MilestoneUpdate.objects.filter(milestone=OuterRef("pk"))
            .order_by()
            .values("milestone")
            .annotate(latest=Max("pk"))
        )
        written = MilestoneUpdate.objects.filter(
            milestone__action__outcome__priority__plan=self.plan,
            source=MilestoneUpdate.Source.IMPORT,
            created_at=self.now,
            author_name=self.author_name,
        ).values("milestone_id")
        Milestone.objects.filter(pk__in=written, latest_update__isnull=True).update(
            latest_update=Subquery(latest.values("latest")), version=1
        )

    def apply_changes(self):
        """A matched milestone whose status, commentary or date changed gets a new update.

        The browser's rules apply (plans.services.milestone_update): a Red or Amber needs
        commentary, a later date needs a reason (the row's commentary is taken as it). What
        breaks a rule is not applied, and a finding says why.
        """
        today = timezone.localdate()
        baseline = self.file_baseline([milestone.pk for milestone, _ in self.matched_changes])
        for milestone, draft in self.matched_changes:
            # Only what changed in the spreadsheet since it was last imported counts: an old
            # copy imported again must not undo what leads have since updated in the browser.
            was_status, was_commentary, was_due = baseline.get(
                milestone.pk, (milestone.status, "", milestone.due_date)
            )
            latest = milestone.latest_update
            said = (latest.commentary if latest else "").strip()
            stated = draft.status if draft.status_from else None
            commentary = file_commentary = draft.commentary.strip()
            changed = []
            status = milestone.status
            if stated and stated != was_status and stated != milestone.status:
                status = stated
                changed.append(f"status {RAG(milestone.status).label} → {RAG(status).label}")
            status_moved = status != milestone.status
            if commentary and commentary != was_commentary and commentary != said:
                changed.append("new commentary")
            else:
                commentary = ""
            due_date = milestone.due_date
            if draft.due.day and draft.due.day != was_due and draft.due.day != milestone.due_date:
                due_date = draft.due.day
                was = f"{milestone.due_date:%-d %B %Y}" if milestone.due_date else "no date"
                changed.append(f"due {was} → {draft.due.day:%-d %B %Y}")
            if not changed:
                continue
            where = f"Sheet '{draft.sheet}', row {draft.row}"
            try:
                with transaction.atomic():
                    milestone_update(
                        milestone=milestone,
                        user=self.user,
                        expected_version=milestone.version,
                        status=status,
                        # A status change keeps the row's commentary even if that text is
                        # as before: the browser's rules ask for one with a Red or Amber.
                        commentary=commentary or (file_commentary if status_moved else ""),
                        due_date=due_date,
                        due_date_reason=commentary or file_commentary,
                        completed_on=today if status == RAG.COMPLETE else None,
                        status_reason=commentary or file_commentary,
                        source=MilestoneUpdate.Source.IMPORT,
                    )
            except ValidationError as error:
                reasons = "; ".join(
                    message for messages in error.message_dict.values() for message in messages
                )
                self.result.findings.append(
                    SheetFinding(
                        draft.sheet,
                        draft.row,
                        None,
                        f"{where}: '{milestone.text[:60]}' changed ({', '.join(changed)}) but "
                        f"the change was not applied: {reasons}.",
                    )
                )
                continue
            except MilestoneConflict:
                continue
            self.result.created["updates"] += 1
            self.result.changes.append(f"'{milestone.text[:80]}': {', '.join(changed)}")

    def file_baseline(self, ids: list[int]) -> dict[int, tuple[str, str, date | None]]:
        """What the file said at its last import, per milestone: (status, commentary, due).

        The latest update this importer wrote, else the milestone as it was created.
        """
        if not ids:
            return {}
        baseline: dict[int, tuple[str, str, date | None]] = {}
        for record in Milestone.history.filter(id__in=ids, history_type="+").order_by(
            "history_date"
        ):
            baseline.setdefault(record.id, (record.status, "", record.due_date))
        imported = MilestoneUpdate.objects.filter(
            milestone_id__in=ids, source=MilestoneUpdate.Source.IMPORT
        ).order_by("milestone_id", "created_at", "pk")
        for update in imported:
            baseline[update.milestone_id] = (
                update.status,
                update.commentary.strip(),
                update.due_date,
            )
        return baseline

    def report_missing(self):
        """Milestones of this plan the file no longer has: reported, never deleted."""
        if not self.matched_ids:
            return  # a first import, or another file: nothing here was expected in it
        missing = [m for m in self.existing_milestones if m.pk not in self.matched_ids]
        for milestone in missing[:200]:
            self.result.findings.append(
                SheetFinding(
                    "",
                    None,
                    None,
                    f"'{milestone.text[:80]}' is in the plan but not in this file; it was "
                    "kept (an import never deletes). Withdraw it on its page if it has gone.",
                    "info",
                )
            )
        if len(missing) > 200:
            self.result.findings.append(
                SheetFinding("", None, None, f"and {len(missing) - 200} more not in this file.")
            )


def field_choices() -> list[tuple[str, str]]:
    return list(FIELDS.items())


def status_label(status: str) -> str:
    return RAG(status).label
