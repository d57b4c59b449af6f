"""Recompute every MCMC case's status from the destination records and participation spells.

The caseload keeps itself up to date (destinations.services.case_sync); run this nightly, and
after loading data by hand, to repair anything the incremental sync cannot see (for example a
learner moved to a school in another authority).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from destinations.services import case_sync


class Command(BaseCommand):
    help = "Recompute the status of every MCMC case (all school leavers)."

    def handle(self, *args: Any, **options: Any) -> None:
        t0 = time.monotonic()
        n = case_sync(full=True)
        self.stdout.write(f"Refreshed {n:,} cases in {time.monotonic() - t0:.1f}s")
