"""Print how much of each corpus plan ``import_plan`` keeps: one line per file, per fact.

    .venv/bin/python tests/imports/corpus/score.py [--detail] [NAME ...]

Runs against a throwaway test database (SQLite in memory unless DATABASE_URL says
otherwise), so it never touches the development data. ``--detail`` lists each truth
milestone with the facts the import lost.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="Truth file names (default: all).")
    parser.add_argument("--detail", action="store_true", help="List each milestone's facts.")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import transaction
    from django.test.utils import setup_databases, teardown_databases

    from tests.imports import fidelity

    truths = [
        path for path in fidelity.corpus_truths() if not args.names or path.stem in args.names
    ]
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        scores = []
        for path in truths:
            with transaction.atomic():
                scores.append(fidelity.file_score(path))
                transaction.set_rollback(True)
    finally:
        teardown_databases(databases, verbosity=0)
    print(fidelity.table(scores))
    if args.detail:
        for score in scores:
            print(f"\n{score.name}  ({score.imported_milestones} milestones imported)")
            if score.refused:
                print(f"  refused: {score.refused}")
            for milestone in score.milestones:
                lost = [fact for fact in fidelity.FACTS if not milestone.facts[fact]]
                print(f"  - {milestone.text[:70]}")
                print(f"      lost: {', '.join(lost) or 'nothing'}")
                if milestone.imported_text:
                    print(f"      as:   {milestone.imported_text[:70]}")
                    for fact, value in milestone.imported.items():
                        print(f"      {fact}: {' '.join(value.split())[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
