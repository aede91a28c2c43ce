"""Extension point for the plan's JSON export: other apps add their own sections.

``plans`` never imports ``outcomes`` or ``reporting``; they register a function from their
``AppConfig.ready()`` that returns a JSON-serialisable value for a plan, and the export
puts it under the registered key.
"""

from collections.abc import Callable
from typing import Any

_sections: dict[str, Callable[..., Any]] = {}


def register_export_section(key: str, build: Callable[..., Any]) -> None:
    """Add ``build(plan=...)``'s result to every plan export under ``key``."""
    _sections[key] = build


def export_sections() -> dict[str, Callable[..., Any]]:
    return dict(_sections)


def _plan_tree(plan):
    """The plan's priorities with everything under them, in a fixed number of queries."""
    from django.db.models import Prefetch

    from plans.models import Action, Milestone, Outcome, Priority

    milestones = Milestone.objects.select_related("lead__organisation", "latest_update")
    actions = Action.objects.prefetch_related(
        "leads__organisation",
        Prefetch("see_also", queryset=Outcome.objects.only("id", "number")),
        Prefetch("milestones", queryset=milestones),
    )
    outcomes = Outcome.objects.prefetch_related(Prefetch("actions", queryset=actions))
    return Priority.objects.filter(plan=plan).prefetch_related(
        Prefetch("outcomes", queryset=outcomes)
    )


def _person(person) -> dict[str, Any] | None:
    if person is None:
        return None
    return {
        "name": person.name,
        "role_title": person.role_title,
        "organisation": person.organisation.name if person.organisation else None,
    }


def _date(value) -> str | None:
    return value.isoformat() if value else None


def plan_export(*, plan) -> dict[str, Any]:
    """The plan's whole hierarchy as JSON-ready data, plus every registered app's section."""
    from plans.models import RAG

    priorities = []
    for priority in _plan_tree(plan):
        outcomes = []
        for outcome in priority.outcomes.all():
            actions = []
            for action in outcome.actions.all():
                milestones = []
                for milestone in action.milestones.all():
                    update = milestone.latest_update
                    milestones.append(
                        {
                            "number": milestone.number,
                            "text": milestone.text,
                            "lead": _person(milestone.lead),
                            "lead_text": milestone.lead_text,
                            "due_text": milestone.due_text,
                            "original_due_date": _date(milestone.original_due_date),
                            "due_date": _date(milestone.due_date),
                            "completed_on": _date(milestone.completed_on),
                            "status": milestone.status,
                            "status_label": RAG(milestone.status).label,
                            "commentary": update.commentary if update else "",
                            "updated_at": update.created_at.isoformat() if update else None,
                            "updated_by": update.author_name if update else None,
                        }
                    )
                actions.append(
                    {
                        "number": action.number,
                        "text": action.text,
                        "leads": [_person(person) for person in action.leads.all()],
                        "lead_text": action.lead_text,
                        "resources": action.resources,
                        "sources": action.sources,
                        "timescale": action.timescale,
                        "see_also": [o.number for o in action.see_also.all()],
                        "milestones": milestones,
                    }
                )
            outcomes.append(
                {
                    "number": outcome.number,
                    "statement": outcome.statement,
                    "success_criteria": [
                        line for line in outcome.success_criteria.splitlines() if line.strip()
                    ],
                    "actions": actions,
                }
            )
        priorities.append(
            {"number": priority.number, "title": priority.title, "outcomes": outcomes}
        )
    data: dict[str, Any] = {
        "format": "partnership-plan",
        "version": 1,
        "partnership": plan.partnership.name,
        "plan": {
            "title": plan.title,
            "start_date": _date(plan.start_date),
            "end_date": _date(plan.end_date),
            "description": plan.description,
        },
        "priorities": priorities,
    }
    for key, build in export_sections().items():
        data[key] = build(plan=plan)
    return data
