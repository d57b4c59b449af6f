"""The import_data command: a report of the import, a non-zero exit when it is rejected."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from datahub.models import Establishment, ImportBatch
from tests.datahub.imports.worlds import SAMPLES, as_csv, learner_row, national_dm

pytestmark = pytest.mark.django_db


def test_import_data_command_prints_the_report(world, tmp_path):
    national_dm()
    out = io.StringIO()
    call_command("import_data", "establishments", str(SAMPLES / "establishments.csv"), "--dry-run", stdout=out)
    assert "Checked (dry run" in out.getvalue() and "new: 3" in out.getvalue()
    assert not Establishment.objects.filter(seed_code="9009906").exists()
    path = tmp_path / "bad-learners.csv"
    path.write_bytes(as_csv([learner_row(world, 1, sex="Z")]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_data", "learners", str(path), "--as", world.personas["dm_x"].email, stdout=out)
    assert "2\tsex\tZ\tUnknown code" in out.getvalue()
    assert ImportBatch.objects.filter(source="command").count() == 2
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_data", "learners", str(path), "--establishment", world.school_b.seed_code,
                     "--as", world.personas["dm_x"].email)
