"""Generate the synthetic demo data set (a thin wrapper over insight.demo)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from destinations.services import case_sync
from insight.demo import LAST_LEAVER_YEAR, SCALES, DemoDataError, demo_places, format_logins, generate_demo_data


def _quiet(_line: str) -> None:
    return None


class Command(BaseCommand):
    help = (
        "Generate deterministic synthetic data: establishments, leavers with enrolments, results and "
        "destinations, APM spells and a demo login for every role. Same seed, same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # "tiny" (four authorities, a few hundred leavers a year) is accepted for tests but not advertised.
        parser.add_argument("--scale", choices=[*SCALES, "tiny"], default="demo", metavar="{demo,national}",
                            help="demo: ~40 schools, ~5,000 leavers a year; national: ~360 schools, ~50,000 a year")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--years", type=int, default=5, help="leaver years ending with --last-year (default 5)")
        parser.add_argument("--last-year", type=int, default=LAST_LEAVER_YEAR,
                            help=f"latest leaver year (default {LAST_LEAVER_YEAR}, i.e. the 2024/25 leavers)")
        parser.add_argument("--replace", action="store_true",
                            help="delete earlier demo data (demo schools, their learners, demo users) first")
        parser.add_argument("--real-schools", action="store_true",
                            help="build the world on the real secondary schools of the published school list in "
                                 "REFERENCE_DATA_DIR (pupils and outcomes stay synthetic); without the files, "
                                 "falls back to the fictional world and says so")
        parser.add_argument("--logins", action="store_true", help="only print the demo logins and stop")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["logins"]:
            self.stdout.write(format_logins(demo_places()))
            return
        verbose = opts["verbosity"] >= 1
        try:
            report = generate_demo_data(
                scale=opts["scale"], seed=opts["seed"], years=opts["years"], last_year=opts["last_year"],
                replace=opts["replace"], real_schools=opts["real_schools"],
                log=self.stdout.write if verbose else _quiet,
            )
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        # The MCMC caseload reads a derived table of open cases: build it for the new data now
        # rather than on the first caseload view.
        case_sync(full=True)
        if not verbose:
            return
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(
            f"Generated {report.scale} data (seed {report.seed}, leaver years {report.years[0]}-{report.years[-1]}) "
            f"in {report.seconds:.1f}s; positive destinations {report.positive_initial:.1%} initial, "
            f"{report.positive_follow_up:.1%} follow-up."))
        for name, count in report.counts.items():
            self.stdout.write(f"  {name:<22}{count:>12,}")
        self.stdout.write(f"World: {report.world}. {report.world_note}")
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        self.stdout.write(format_logins(demo_places()))
