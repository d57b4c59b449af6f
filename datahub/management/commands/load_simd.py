"""python manage.py load_simd PATH

Loads SIMD 2020v2 by data zone as published; a refused file changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from datahub.referencedata import ReferenceDataError, simd_load

from ._reference import fail


class Command(BaseCommand):
    help = "Load SIMD 2020v2 by data zone (CSV as published; columns matched by name)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["path"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            with path.open("rb") as fh:
                report = simd_load(fh=fh, file_name=path.name)
        except ReferenceDataError as exc:
            fail(self, exc)
        for line in report.lines():
            self.stdout.write(line)
