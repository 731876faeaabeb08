import time

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from bench import scale
from enterprises.models import Enterprise


class Command(BaseCommand):
    help = (
        "Build a synthetic zone for benchmarks, fast: at --factor F about F×2,000 enterprises, F×200 stewards, "
        "F×20,000 requests over two years with their escalations and timelines, F×500 projects, F×600 five-key "
        "items, two years of ratings and grades. Refuses a database that already has enterprises unless --flush. "
        f"Prints the bench logins (password {scale.PASSWORD}) and the rows written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--factor", type=float, default=1.0,
                            help="Size of the zone: 1 is about 2,000 enterprises; 0.01 for tests, 50 for the big bench.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed builds the same zone.")
        parser.add_argument("--flush", action="store_true",
                            help="Empty the database first (manage.py flush), then seed.")

    def handle(self, *args, factor, seed, flush, verbosity=1, **options):
        if factor <= 0:
            raise CommandError("--factor must be greater than 0.")
        if not flush and Enterprise.objects.exists():
            raise CommandError("The database already has enterprises: seed_scale builds a zone from scratch. "
                               "Use --flush to empty the database first.")
        started = time.perf_counter()
        if flush:
            # The flush sends post_migrate, which recreates content types (new ids) and the calendar.
            call_command("flush", interactive=False, verbosity=0)
            ContentType.objects.clear_cache()
            self.stdout.write(f"flushed in {time.perf_counter() - started:.1f} s")
        plan = scale.plan(factor)
        self.stdout.write("seeding F={:g}: {}".format(factor, ", ".join(f"{v} {k}" for k, v in plan.items())))
        try:
            counts = scale.build(factor=factor, seed=seed, log=self.stdout.write if verbosity >= 1 else lambda s: None)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write("\nRows:")
        for label, n in counts.items():
            self.stdout.write(f"  {label:<36} {n:>10,}")
        self.stdout.write(f"  {'total':<36} {sum(counts.values()):>10,}")
        self.stdout.write(f"\nSeeded F={factor:g} in {elapsed:.1f} s.")
        self.stdout.write(f"\nBench logins (password for all: {scale.PASSWORD}):")
        for username, what in scale.BENCH_LOGINS:
            self.stdout.write(f"  {username:<18} {what}")
