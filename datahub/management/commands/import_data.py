"""python manage.py import_data KIND FILE [--establishment SEED] [--dry-run] [--as EMAIL]

Runs a file through the same checks and writing as the upload page and prints the same report:
counts, then every error (row, column, value, reason) up to the listed cap. Exits 1 when the
file is rejected. The import is recorded as a batch of the user given with --as (who must be a
data manager for the rows' schools), or, without --as, of the first national data manager.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from datahub.access import can_import_for
from datahub.imports import services
from datahub.imports.registry import all_kinds, get_kind
from datahub.models import Establishment, ImportSource, ImportStatus, Membership, Role, User


def report_lines(batch: Any) -> list[str]:
    """The validation report as text lines (shared with tests)."""
    lines = [
        f"Import {batch.pk} ({batch.kind}, {batch.file_name}): {batch.get_status_display()}",
        f"  rows: {batch.rows_total}  new: {batch.count_new}  updated: {batch.count_updated}  "
        f"unchanged: {batch.count_unchanged}  rejected rows: {batch.count_rejected}",
    ]
    if batch.message:
        lines.append(f"  {batch.message}")
    if batch.error_count:
        lines.append(f"Errors ({batch.error_count}):")
        lines.append("  row\tcolumn\tvalue\treason")
        lines += [f"  {row}\t{column}\t{value}\t{reason}" for row, column, value, reason in batch.errors]
        if batch.error_count > len(batch.errors):
            lines.append(f"  ... and {batch.error_count - len(batch.errors)} more")
    if batch.warning_count:
        lines.append(f"Warnings ({batch.warning_count}):")
        lines += [f"  {row}\t{column}\t{value}\t{reason}" for row, column, value, reason in batch.warnings]
    return lines


class Command(BaseCommand):
    help = "Import a CSV or XLSX file of one kind, with the same validation report as the upload page."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", help="One of: " + ", ".join(k.name for k in all_kinds()))
        parser.add_argument("file", type=Path)
        parser.add_argument("--establishment", metavar="SEED", help="Every row must be for this school")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count; write nothing")
        parser.add_argument("--as", dest="as_email", metavar="EMAIL", help="The data manager the import is made as")

    def handle(self, *args: Any, **opts: Any) -> None:
        kind = get_kind(opts["kind"])
        if kind is None:
            raise CommandError(f"Unknown kind {opts['kind']!r}; choose from: " + ", ".join(k.name for k in all_kinds()))
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = self._user(opts.get("as_email"))
        restrict = None
        if opts.get("establishment"):
            restrict = Establishment.objects.filter(seed_code=opts["establishment"]).first()
            if restrict is None:
                raise CommandError(f"No establishment has SEED code {opts['establishment']}")
            if not can_import_for(user, restrict):
                raise CommandError(f"{user} may not import for {restrict}")
        with path.open("rb") as fh:
            batch = services.import_batch_create(
                user=user, kind=kind.name, fh=fh, file_name=path.name, source=ImportSource.COMMAND,
                restrict_to=restrict, dry_run=opts["dry_run"], background=False,
            )
        for line in report_lines(batch):
            self.stdout.write(line)
        if batch.status not in (ImportStatus.SUCCEEDED, ImportStatus.VALIDATED):
            raise CommandError(f"Nothing was imported ({batch.get_status_display()}).", returncode=1)

    def _user(self, email: str | None) -> User:
        if email:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                raise CommandError(f"No user with email {email}")
            return user
        m = (
            Membership.objects.filter(role=Role.DATA_MANAGER, establishment__isnull=True, authority__isnull=True)
            .select_related("user").order_by("id").first()
        )
        if m is None:
            raise CommandError("Give --as EMAIL: there is no national data manager to import as.")
        return m.user
