"""python manage.py create_national_admin EMAIL [--first-name ...] [--last-name ...]

Creates the first national administrator of a new installation (national user administrator and
national data manager, see datahub.useradmin.bootstrap). Asks for the password twice, or reads it
from the environment variable INSIGHT_ADMIN_PASSWORD with --no-input. Refused once one exists.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from datahub.useradmin.bootstrap import national_admin_create, national_admin_exists

PASSWORD_ENV = "INSIGHT_ADMIN_PASSWORD"  # noqa: S105 (the variable's name, not a password)


class Command(BaseCommand):
    help = "Create the first national administrator (refused once one exists)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--no-input", action="store_true",
                            help=f"read the password from the environment variable {PASSWORD_ENV}")

    def handle(self, *args: Any, **opts: Any) -> None:
        if national_admin_exists():
            raise CommandError("A national user administrator already exists: grant further roles in the portal.")
        if opts["no_input"]:
            password = os.environ.get(PASSWORD_ENV, "")
            if not password:
                raise CommandError(f"--no-input needs the password in the environment variable {PASSWORD_ENV}.")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            user = national_admin_create(email=opts["email"], password=password, first_name=opts["first_name"],
                                         last_name=opts["last_name"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Created {user.email}: national user administrator and national data manager. Sign in and invite "
            "the other people from People; load reference data from Data hub > Reference data."))
