"""python manage.py load_school_list PATH [--year YEAR]

Loads the Scottish Government school contact list as published (one row per department). See
datahub.referencedata.schools for what a load changes; a refused file changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from datahub.referencedata import ReferenceDataError, school_list_load

from ._reference import fail


class Command(BaseCommand):
    help = "Load the Scottish Government school contact list (CSV as published; columns matched by name)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--year", type=int, help="The list's year when the file name does not say it")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["path"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            with path.open("rb") as fh:
                report = school_list_load(fh=fh, file_name=path.name, year=opts.get("year"))
        except ReferenceDataError as exc:
            fail(self, exc)
        for line in report.lines():
            self.stdout.write(line)
