"""Writes: history is never overwritten, bulk changes are all or nothing, every change is
audited, and the caseload's derived status follows every way data arrives."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from datahub.models import AuditEvent, Role
from destinations import services
from destinations.models import Case, ContactNote, DestinationRecord, ParticipationSpell
from tests.factories import member

pytestmark = pytest.mark.django_db


def _case(leaver):
    services.case_sync()
    return Case.objects.get(leaver=leaver)


def test_a_change_of_destination_keeps_the_history(world, caseload) -> None:
    officer = world.personas["mcmc_x"]
    leaver = caseload.unknown_a
    first = DestinationRecord.objects.get(leaver=leaver, kind="initial")
    new = services.destination_record_create(leaver=leaver, kind="initial", category="FE", by=officer,
                                      note="Enrolled at City College", reason="Confirmed by phone")
    newer = services.destination_record_create(leaver=leaver, kind="initial", category="EMPLOYMENT", by=officer)
    rows = list(DestinationRecord.objects.filter(leaver=leaver, kind="initial").order_by("id"))
    assert [r.category for r in rows] == ["UNKNOWN", "FE", "EMPLOYMENT"]
    assert rows[0].pk == first.pk and rows[0].superseded_at is not None  # the earlier record is untouched
    assert rows[1].pk == new.pk and rows[1].superseded_at is not None and rows[1].note == "Enrolled at City College"
    assert rows[2].pk == newer.pk and rows[2].superseded_at is None
    assert rows[2].recorded_by == officer and rows[2].survey_date == dt.date(leaver.leaver_year, 10, 1) + dt.timedelta(
        days=(7 - dt.date(leaver.leaver_year, 10, 1).weekday()) % 7)
    audit = AuditEvent.objects.filter(action="destination_record", object_id=str(leaver.learner_id)).order_by("id")
    assert audit.count() == 2
    assert audit[0].detail["previous"] == "UNKNOWN" and audit[0].reason == "Confirmed by phone"
    assert audit[0].authority == world.authority_x and audit[0].actor == officer


def test_the_database_refuses_two_current_records_of_a_kind(caseload) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        DestinationRecord.objects.create(leaver=caseload.unknown_a, kind="initial", category="HE")


def test_a_new_destination_moves_the_young_person_off_the_caseload(world, caseload) -> None:
    assert _case(caseload.unknown_a).status == "unknown"
    services.destination_record_create(leaver=caseload.unknown_a, kind="follow_up", category="TRAINING",
                                by=world.personas["mcmc_x"])
    case = Case.objects.get(leaver=caseload.unknown_a)
    assert case.status == "positive" and case.status_source == "follow_up" and case.status_value == "TRAINING"


def test_a_participation_status_closes_the_open_spell(world, caseload) -> None:
    learner = caseload.unconfirmed_a.learner
    start = caseload.today
    services.participation_spell_create(learner=learner, status="EMPLOYMENT", start_date=start, by=world.personas["mcmc_x"])
    spells = list(ParticipationSpell.objects.filter(learner=learner).order_by("start_date"))
    assert [s.status for s in spells] == ["EDUCATION", "UNCONFIRMED", "EMPLOYMENT"]
    assert spells[1].end_date == start - dt.timedelta(days=1) and spells[2].end_date is None
    assert Case.objects.get(leaver=caseload.unconfirmed_a).status == "positive"
    with pytest.raises(ValidationError):
        services.participation_spell_create(learner=learner, status="TRAINING", start_date=start, by=world.personas["mcmc_x"])


def test_a_contact_sets_the_next_action_and_last_contact(world, caseload) -> None:
    due = caseload.today + dt.timedelta(days=7)
    contact = services.contact_note_create(
        leaver=caseload.negative_a, by=world.personas["mcmc_x"], contact_date=caseload.today, method="phone",
        outcome="spoke", note="Interested in a modern apprenticeship", next_action="Send SDS referral",
        next_action_date=due,
    )
    case = Case.objects.get(leaver=caseload.negative_a)
    assert case.next_action == "Send SDS referral" and case.next_action_date == due
    assert case.last_contact_date == caseload.today
    assert ContactNote.objects.get() == contact
    assert AuditEvent.objects.filter(action="contact_record", object_id=str(caseload.negative_a.learner_id)).count() == 1
    with pytest.raises(ValidationError):
        services.contact_note_create(leaver=caseload.negative_a, by=None, contact_date=caseload.today + dt.timedelta(days=1),
                                method="phone", outcome="spoke")


def test_bulk_assign_with_a_foreign_young_person_changes_nobody(world, caseload) -> None:
    officer = world.personas["mcmc_x"]
    leavers = [caseload.unknown_a, caseload.negative_a, caseload.unknown_b]
    with pytest.raises(PermissionDenied):
        services.case_bulk_assign(leavers=leavers, officer=officer, by=officer, reason="Spread the load")
    assert not Case.objects.filter(officer=officer).exists()
    assert not AuditEvent.objects.filter(action="bulk_assign").exists()


def test_bulk_assign_needs_a_reason_and_an_officer_of_the_authority(world, caseload) -> None:
    officer = world.personas["mcmc_x"]
    leavers = [caseload.unknown_a, caseload.negative_a]
    with pytest.raises(ValidationError):
        services.case_bulk_assign(leavers=leavers, officer=officer, by=officer, reason="  ")
    with pytest.raises(ValidationError):
        services.case_bulk_assign(leavers=leavers, officer=world.personas["mcmc_y"], by=officer, reason="Cover")
    n = services.case_bulk_assign(leavers=leavers, officer=officer, by=officer, reason="New term")
    assert n == 2 and Case.objects.filter(officer=officer).count() == 2
    assert AuditEvent.objects.filter(action="bulk_assign", reason="New term").count() == 2


def test_bulk_status_update_is_all_or_nothing(world, caseload) -> None:
    officer = world.personas["mcmc_x"]
    # The first young person's status is written, then the second's latest spell starts after the
    # chosen date: the whole batch fails and the first write is rolled back.
    start = caseload.today - dt.timedelta(days=60)
    leavers = [caseload.unknown_a, caseload.unconfirmed_a]
    before = DestinationRecord.objects.count(), ParticipationSpell.objects.count()
    with pytest.raises(ValidationError):
        services.case_bulk_set_status(leavers=leavers, kind="participation", value="EDUCATION", by=officer,
                                   reason="College list", start_date=start)
    assert (DestinationRecord.objects.count(), ParticipationSpell.objects.count()) == before
    assert not ParticipationSpell.objects.filter(learner=caseload.unknown_a.learner).exists()
    assert not AuditEvent.objects.filter(action="bulk_status").exists()
    assert _case(caseload.unknown_a).status == "unknown"


def test_bulk_status_update_records_each_young_person_with_the_reason(world, caseload) -> None:
    officer = world.personas["mcmc_x"]
    leavers = [caseload.unknown_a, caseload.no_record_a2]
    services.case_bulk_set_status(leavers=leavers, kind="follow_up", value="FE", by=officer, reason="College enrolment list")
    for lv in leavers:
        assert DestinationRecord.objects.get(leaver=lv, kind="follow_up", superseded_at__isnull=True).category == "FE"
        assert Case.objects.get(leaver=lv).status == "positive"
    assert AuditEvent.objects.filter(action="bulk_status", reason="College enrolment list").count() == 2


def test_school_staff_cannot_bulk_change(world, caseload) -> None:
    with pytest.raises(PermissionDenied):
        services.case_bulk_set_status(leavers=[caseload.unknown_a], kind="initial", value="FE",
                                   by=world.personas["staff_a"], reason="Heard from a friend")


def test_derived_status_of_every_situation(caseload) -> None:
    expected = {
        "unknown_a": ("unknown", False),
        "negative_a": ("negative", False),
        "positive_a": ("positive", False),
        "not_sustained_a": ("negative", True),
        "no_record_a2": ("unknown", False),
        "unconfirmed_a": ("unconfirmed", True),
        "unknown_b": ("unknown", False),
    }
    for name, (status, not_sustained) in expected.items():
        case = _case(getattr(caseload, name))
        assert (case.status, case.not_sustained) == (status, not_sustained), name


def test_sync_picks_up_rows_written_outside_the_services(world, caseload) -> None:
    services.case_sync()
    # A bulk load adds a follow-up record (new id) ...
    DestinationRecord.objects.create(leaver=caseload.negative_a, kind="follow_up", category="EMPLOYMENT")
    # ... and an import changes a spell in place (same id, later recorded_at).
    spell = ParticipationSpell.objects.get(learner=caseload.unconfirmed_a.learner, status="UNCONFIRMED")
    from django.utils import timezone

    ParticipationSpell.objects.filter(pk=spell.pk).update(status="TRAINING", recorded_at=timezone.now())
    assert services.case_sync() == 2
    assert Case.objects.get(leaver=caseload.negative_a).status == "positive"
    assert Case.objects.get(leaver=caseload.unconfirmed_a).status == "positive"
    assert services.case_sync() == 0  # nothing new: nothing done


def test_sync_rebuilds_after_data_is_deleted_and_loaded_again(world, caseload) -> None:
    services.case_sync()
    Case.objects.all().delete()  # as when leavers are deleted and loaded again (cases cascade)
    assert services.case_sync() > 0
    assert Case.objects.filter(leaver=caseload.unknown_a, status="unknown").exists()


def test_a_case_records_its_authority_from_the_learners_last_school(world, caseload) -> None:
    assert _case(caseload.unknown_b).authority == world.authority_y
    # A second MCMC officer of X may be given the case; one of Y may not.
    other = member(Role.MCMC_OFFICER, authority=world.authority_x)
    services.case_update(leaver=caseload.unknown_a, by=world.personas["mcmc_x"], officer=other,
                         next_action="Home visit", next_action_date=caseload.today)
    assert Case.objects.get(leaver=caseload.unknown_a).officer == other
    with pytest.raises(ValidationError):
        services.case_update(leaver=caseload.unknown_a, by=world.personas["mcmc_x"], officer=world.personas["mcmc_y"],
                             next_action="", next_action_date=None)


def test_nightly_refresh_task_and_command_recompute_every_case(caseload) -> None:
    from django.core.management import call_command

    from destinations.tasks import refresh_cases

    assert refresh_cases.delay().get() == Case.objects.count() > 0
    Case.objects.filter(leaver=caseload.unknown_a).update(status="positive")  # as if stale
    call_command("refresh_cases", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert Case.objects.get(leaver=caseload.unknown_a).status == "unknown"
