"""Enqueue a benchmark run (and optionally wait for it, and publish it).

A run is a draft until it is published: pages keep showing the published run. ``--publish``
waits for the run and publishes it with ``--note`` as its release note (the demo set-up of
``make run`` does this); otherwise a national data manager publishes it on the Benchmark runs page.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from insight.models import BenchmarkRun, RunStatus
from insight.publication import run_publish, run_start
from insight.services import RunError
from insight.tasks import enqueue_run


class Command(BaseCommand):
    help = "Compute virtual comparators, national measures, normalised scores and partner distances."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, nargs="+", help="Leaver years (default: the latest five)")
        parser.add_argument("--seed", type=int, default=20260101)
        parser.add_argument("--draws", type=int, default=1, help="VC draws; 20 gives uncertainty intervals")
        parser.add_argument("--authority-chunks", type=int, default=1, help="Authority groups per year")
        parser.add_argument("--wait", action="store_true", help="Wait until the run finishes")
        parser.add_argument("--timeout", type=int, default=3600)
        parser.add_argument("--publish", action="store_true",
                            help="Wait for the run and publish it (pages show it at once)")
        parser.add_argument("--note", default="", help="The release note when publishing")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            with transaction.atomic():
                run = run_start(by=None, years=opts["years"], seed=opts["seed"], draws=opts["draws"],
                                authority_chunks=opts["authority_chunks"], reason="run_benchmarks command")
        except RunError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Run {run.pk}: years {run.years}, seed {run.seed}, draws {run.draws}, "
                          f"{run.chunks_total} chunks")
        t0 = time.monotonic()
        if not enqueue_run(run):
            raise CommandError(f"Run {run.pk}: {BenchmarkRun.objects.get(pk=run.pk).error}")
        if not (opts["wait"] or opts["publish"]):
            return
        while True:
            run = BenchmarkRun.objects.get(pk=run.pk)
            if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
                break
            if time.monotonic() - t0 > opts["timeout"]:
                raise CommandError(f"Run {run.pk} did not finish within {opts['timeout']} s")
            time.sleep(0.5)
        if run.status == RunStatus.FAILED:
            raise CommandError(f"Run {run.pk} failed: {run.error}")
        self.stdout.write(self.style.SUCCESS(
            f"Run {run.pk} succeeded in {time.monotonic() - t0:.1f} s; input hash {run.input_hash[:12]}; "
            f"rows {run.timings.get('rows')}"
        ))
        if opts["publish"]:
            note = opts["note"] or f"Figures computed by run_benchmarks (run {run.pk}, seed {run.seed})."
            try:
                run_publish(run=run, by=None, release_note=note)
            except RunError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(self.style.SUCCESS(f"Run {run.pk} published: pages show it now."))
        else:
            self.stdout.write(f"Run {run.pk} is a draft: publish it on the Benchmark runs page, or with --publish.")
