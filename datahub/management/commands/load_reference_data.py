"""python manage.py load_reference_data [--schools] [--simd]

Loads the published files found in settings.REFERENCE_DATA_DIR (default ../shared/data beside the
project when it exists): SIMD by data zone, and with --schools the school contact list. Without
the folder or the files it says so and does nothing (exit 0), so `make run` can always call it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from datahub.referencedata import (
    SCHOOL_LIST_SOURCE,
    SIMD_SOURCE,
    ReferenceDataError,
    reference_files,
    school_list_load,
    simd_load,
)

from ._reference import fail


class Command(BaseCommand):
    help = "Load SIMD (and, with --schools, the school contact list) from REFERENCE_DATA_DIR."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--schools", action="store_true", help="also load the school contact list")

    def handle(self, *args: Any, **opts: Any) -> None:
        files = reference_files()
        folder = settings.REFERENCE_DATA_DIR or "(REFERENCE_DATA_DIR not set)"
        try:
            if files["simd"] is None:
                self.stdout.write(f"No SIMD file (simd2020v2*.csv) in {folder}: SIMD not loaded.")
            else:
                with files["simd"].open("rb") as fh:
                    lines = simd_load(fh=fh, file_name=files["simd"].name).lines()
                self._say(lines, files["simd"].name, SIMD_SOURCE.title)
            if opts["schools"]:
                if files["school_list"] is None:
                    self.stdout.write(f"No school list (school-contact-list-YYYY.csv) in {folder}: schools not loaded.")
                else:
                    with files["school_list"].open("rb") as fh:
                        lines = school_list_load(fh=fh, file_name=files["school_list"].name).lines()
                    self._say(lines, files["school_list"].name, SCHOOL_LIST_SOURCE.title)
        except ReferenceDataError as exc:
            fail(self, exc)

    def _say(self, lines: list[str], name: str, title: str) -> None:
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(f"  from {name}: {title}, Scottish Government, Open Government Licence v3.0.")
