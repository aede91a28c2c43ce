"""Time the board pack for the Middlesbrough demo plan and a generated 5,000-milestone plan.

A measurement, not a test: run it by hand on a quiet machine.

    .venv/bin/python -m reporting.benchmark [--milestones 5000] [--skip-big-pdf]

It builds its own throwaway SQLite database (never the project's), imports
fixtures/middlesbrough-action-plan-2009.xlsx through the importer users use, generates the
big plan with bulk inserts, then times pack data, PDF and Excel, live and from a snapshot.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def setup_django(db_path: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    size = f", {len(result) / 1024:,.0f} KB" if isinstance(result, bytes) else ""
    print(f"  {label:<34} {elapsed:7.2f} s{size}  (peak RSS so far {peak_mb():,.0f} MB)")
    return result


def generated_plan(partnership, milestones: int):
    """A plan of ``milestones`` milestones: 8 priorities × 10 outcomes × 5 actions × n."""
    from datetime import date, timedelta

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

    plan = Plan.objects.create(
        partnership=partnership,
        title=f"Generated plan {milestones}",
        start_date=date(2019, 4, 1),
        end_date=date(2020, 3, 31),
    )
    orgs = [
        Organisation.objects.create(partnership=partnership, name=f"Agency {i}") for i in range(6)
    ]
    people = [
        Person.objects.create(
            partnership=partnership,
            name=f"Lead {i}",
            role_title="Officer",
            organisation=orgs[i % 6],
        )
        for i in range(30)
    ]
    per_action = max(1, -(-milestones // 400))  # ceiling: 400 actions share them
    statuses = [RAG.GREEN, RAG.GREEN, RAG.AMBER, RAG.RED, RAG.COMPLETE, RAG.NOT_STARTED]
    text = (
        "Progress this quarter: the working group met twice, agreed the draft and consulted "
        "partners; the next step is sign-off by the board, subject to funding being confirmed."
    )
    created = 0
    for p in range(8):
        priority = Priority.objects.create(plan=plan, number=str(p + 1), title=f"Priority {p + 1}")
        for o in range(10):
            number = f"{p + 1}.{o + 1}"
            outcome = Outcome.objects.create(
                priority=priority, number=number, statement=f"Outcome {number} for young people"
            )
            for a in range(5):
                action = Action.objects.create(
                    outcome=outcome, number=f"{number}.{a + 1}", text=f"Action {number}.{a + 1}"
                )
                batch = []
                for m in range(per_action):
                    if created >= milestones:
                        break
                    status = statuses[created % len(statuses)]
                    due = date(2019, 6, 30) + timedelta(days=(created * 7) % 300)
                    batch.append(
                        Milestone(
                            action=action,
                            number=f"{chr(97 + m % 26)})",
                            sort_key=number_sort_key(f"{chr(97 + m % 26)})"),
                            position=m,
                            text=f"Milestone {created} of action {number}.{a + 1}",
                            lead=people[created % len(people)],
                            original_due_date=due,
                            due_date=due + timedelta(days=60 if created % 5 == 0 else 0),
                            status=status,
                            completed_on=date(2019, 11, 1) if status == RAG.COMPLETE else None,
                        )
                    )
                    created += 1
                Milestone.objects.bulk_create(batch)
    ms = list(Milestone.objects.filter(action__outcome__priority__plan=plan))
    updates = MilestoneUpdate.objects.bulk_create(
        MilestoneUpdate(
            milestone=m,
            status=m.status,
            commentary=text,
            due_date=m.due_date,
            completed_on=m.completed_on,
            author_name="Benchmark",
            due_date_reason="Waiting for funding." if m.slipped else "",
        )
        for m in ms
    )
    for m, u in zip(ms, updates, strict=True):
        m.latest_update = u
    Milestone.objects.bulk_update(ms, ["latest_update"], batch_size=500)
    return plan


def measure(label: str, plan, admin, *, pdf: bool = True) -> None:
    from plans.models import Milestone
    from reporting import services
    from reporting.packs.data import pack_for_period
    from reporting.packs.excel import render_xlsx
    from reporting.packs.pdf import render_pdf

    count = Milestone.objects.filter(action__outcome__priority__plan=plan).count()
    print(f"\n{label}: {count:,} milestones")
    period = services.periods_generate(plan=plan)[2]
    pack = timed("pack data (live)", lambda: pack_for_period(period=period))
    timed("Excel (live)", lambda: render_xlsx(pack))
    if pdf:
        data = timed("PDF (live)", lambda: render_pdf(pack))
        from io import BytesIO

        from pypdf import PdfReader

        print(f"  {'PDF pages':<34} {len(PdfReader(BytesIO(data)).pages)}")
    timed("close (snapshot)", lambda: services.period_close(period=period, user=admin))
    period.refresh_from_db()
    frozen = timed("pack data (snapshot)", lambda: pack_for_period(period=period))
    timed("Excel (snapshot)", lambda: render_xlsx(frozen))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--milestones", type=int, default=5000)
    parser.add_argument("--skip-big-pdf", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(str(Path(tmp) / "bench.sqlite3"))
        from django.contrib.auth import get_user_model
        from django.core.management import call_command

        from plans.models import Membership, Partnership, Plan

        partnership = Partnership.objects.create(name="Middlesbrough Children's Trust", slug="mbro")
        admin = get_user_model().objects.create(username="bench-admin")
        Membership.objects.create(user=admin, partnership=partnership, role="admin")
        fixture = (
            Path(__file__).resolve().parent.parent
            / "fixtures"
            / "middlesbrough-action-plan-2009.xlsx"
        )
        call_command(
            "import_plan",
            str(fixture),
            partnership=partnership.name,
            plan="Action Plan 2009",
            verbosity=0,
        )
        demo = Plan.objects.get(partnership=partnership, title="Action Plan 2009")
        measure("Middlesbrough Action Plan 2009 (imported)", demo, admin)
        big = generated_plan(partnership, args.milestones)
        measure(f"Generated plan ({args.milestones:,})", big, admin, pdf=not args.skip_big_pdf)


if __name__ == "__main__":
    main()
