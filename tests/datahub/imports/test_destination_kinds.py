"""destinations' kinds (initial and follow-up destinations, participation) through datahub's
import engine: their rules, supersession and scope. (They test destinations/imports.py; kept
here with the other import tests while tests/destinations/ belongs to its own work.)"""

from __future__ import annotations

import pytest

from datahub.models import ChangeRecord
from destinations.models import DestinationRecord, ParticipationSpell
from tests.datahub.imports.worlds import as_csv, dest_row, run, spell
from tests.factories import LearnerFactory, LeaverFactory

pytestmark = pytest.mark.django_db


DEST_RULES = [
    ({"scn": None}, "scn", "No school leaver record"),
    ({"seed_code": "other"}, "seed_code", "for another school"),
    ({"leaver_year": "2023"}, "leaver_year", "for leaver year 2024"),
    ({"category": "ASTRONAUT"}, "category", "Unknown code"),
    ({"survey_date": "2025-04-07"}, "survey_date", "outside the survey season"),
]


@pytest.mark.parametrize(("over", "column", "reason"), DEST_RULES)
def test_destination_rules(world, over, column, reason):
    leaver = LeaverFactory.create(learner=LearnerFactory.create(establishment=world.school_a))
    bad = dict(over)
    if "scn" in bad:
        bad["scn"] = LearnerFactory.create(establishment=world.school_a).scn  # a learner without a leaver record
    if bad.get("seed_code") == "other":
        bad["seed_code"] = world.school_a2.seed_code
    rows = [dest_row(world.learner_a.leaver), dest_row(leaver, **bad)]
    batch = run(world.personas["dm_x"], "initial-destinations", as_csv(rows))
    assert batch.status == "rejected"
    assert [e[:2] for e in batch.errors] == [[3, column]], batch.errors
    assert reason in batch.errors[0][3]


def test_a_changed_destination_supersedes_the_current_one(world):
    dm = world.personas["dm_x"]
    leaver = world.learner_a.leaver
    before = DestinationRecord.objects.get(leaver=leaver, kind="initial", superseded_at__isnull=True)
    same = run(dm, "initial-destinations", as_csv([dest_row(leaver, category="HE", survey_date="")]))
    assert (same.count_new, same.count_updated, same.count_unchanged) == (0, 0, 1)
    changed = run(dm, "initial-destinations", as_csv([dest_row(leaver, category="Employment")]))
    assert changed.count_updated == 1
    records = DestinationRecord.objects.filter(leaver=leaver, kind="initial").order_by("recorded_at", "id")
    assert [r.category for r in records] == ["HE", "EMPLOYMENT"]
    old = records[0]
    assert old.pk == before.pk and old.superseded_at is not None
    current = records[1]
    assert current.superseded_at is None and current.source == "import" and current.recorded_by == dm
    change = ChangeRecord.objects.get(batch=changed)
    assert change.action == "superseded" and change.object_id == before.pk and change.after["category"] == "EMPLOYMENT"
    again = run(dm, "initial-destinations", as_csv([dest_row(leaver, category="Employment")]))
    assert again.count_unchanged == 1 and DestinationRecord.objects.filter(leaver=leaver, kind="initial").count() == 2


def test_destinations_of_another_authoritys_leaver_are_refused(world):
    batch = run(world.personas["dm_x"], "follow-up-destinations",
                as_csv([dest_row(world.learner_b.leaver, survey_date="2025-04-07")]))
    assert batch.scope_violation and not DestinationRecord.objects.filter(leaver__learner=world.learner_b, kind="follow_up").exists()


def test_participation_rules(world):
    la = world.learner_a
    rows = [
        spell(la, "EDUCATION", "2024-08-01", "2024-12-31"),
        spell(la, "TRAINING", "2024-12-01", ""),  # overlaps row 2
        spell(world.learner_a2, "EMPLOYMENT", "2025-03-01", "2025-02-01"),  # ends before it starts
        spell(la, "RETIRED", "2025-06-01", ""),
    ]
    batch = run(world.personas["dm_x"], "participation", as_csv(rows))
    got = {(e[0], e[1]): e[3] for e in batch.errors}
    assert "overlaps the spell in row 2" in got[(3, "start_date")]
    assert "before the start date" in got[(4, "end_date")]
    assert "Unknown code" in got[(5, "status")]
    assert not ParticipationSpell.objects.exists()


def test_participation_update_by_learner_and_start_date(world):
    dm = world.personas["dm_x"]
    run(dm, "participation", as_csv([spell(world.learner_a, "EDUCATION", "2024-08-01")]))
    batch = run(dm, "participation", as_csv([spell(world.learner_a, "EDUCATION", "2024-08-01", "2025-01-31")]))
    assert batch.count_updated == 1
    s = ParticipationSpell.objects.get(learner=world.learner_a)
    assert str(s.end_date) == "2025-01-31" and s.recorded_by == dm
    assert ChangeRecord.objects.get(batch=batch).before["end_date"] is None
