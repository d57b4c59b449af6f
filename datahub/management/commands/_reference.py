"""Shared by the reference data commands: print a refusal row by row, then fail."""

from __future__ import annotations

from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError

from datahub.referencedata import ReferenceDataError

SHOWN = 50


def fail(command: BaseCommand, exc: ReferenceDataError) -> NoReturn:
    if exc.problems:
        command.stderr.write("row\tcolumn\tvalue\treason")
        for row, column, value, reason in exc.problems[:SHOWN]:
            command.stderr.write(f"{row}\t{column}\t{value}\t{reason}")
        if len(exc.problems) > SHOWN:
            command.stderr.write(f"... and {len(exc.problems) - SHOWN:,} more")
    raise CommandError(str(exc), returncode=1)
