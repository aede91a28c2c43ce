"""Generate demo data at scale: ``python manage.py generate_demo --milestones 50000``."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo.data import demo_delete, demo_generate, partnership_names
from plans.models import Partnership


class Command(BaseCommand):
    help = (
        "Write a deterministic demo data set: partnerships with organisations and leads, a "
        "three-year plan per partnership with priorities, outcomes, actions and milestones, "
        "RAG histories over ten quarters (with slipped dates) and indicators with values. "
        "Accounts are '<partnership slug>-admin', '-board' and '-lead-NNN'; they can sign in "
        "only when --password is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--milestones", type=int, required=True, help="Milestones in all.")
        parser.add_argument("--partnerships", type=int, default=3, help="Default 3.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data. Default 1.")
        parser.add_argument("--password", default=None, help="Password for every demo account.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete earlier generated partnerships of the same names first.",
        )

    def handle(self, *args, milestones, partnerships, seed, password, replace, **options):
        if milestones < 1 or partnerships < 1:
            raise CommandError("Give --milestones and --partnerships of at least 1.")
        if partnerships > milestones:
            raise CommandError("Give at least one milestone per partnership.")
        slugs = [slug for _, slug in partnership_names(partnerships)]
        existing = Partnership.objects.filter(slug__in=slugs).count()
        if existing and not replace:
            raise CommandError(
                f"{existing} generated partnership(s) already exist here. Run again with "
                "--replace to delete them first, or use another database."
            )
        if existing:
            demo_delete(partnerships=partnerships)
        started = time.perf_counter()
        counts = demo_generate(
            milestones=milestones, partnerships=partnerships, seed=seed, password=password
        )
        seconds = time.perf_counter() - started
        summary = ", ".join(
            f"{value:,} {name.replace('_', ' ')}" for name, value in counts.as_dict().items()
        )
        self.stdout.write(self.style.SUCCESS(f"Generated in {seconds:.1f} s: {summary}."))
