"""Before they leave: pathway history, offers and their status history, who may do what, the
readiness board's scope and filters, the audited and formula-safe export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from datahub.models import AuditEvent, Role, Subject
from destinations.models import Offer, OfferEvent, PathwayRecord
from destinations.pathways import services
from destinations.pathways.selectors import BoardFilters, board_rows, pupil_rating
from tests.destinations.pathway_worlds import CANARY_PUPIL_Y, Pupils, build_pupils
from tests.factories import ResultFactory, member
from tests.worlds import client_for as client

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupils(world) -> Pupils:
    return build_pupils(world)


def today() -> dt.date:
    return timezone.localdate()


# --- Services -------------------------------------------------------------------------------


def test_a_pathway_change_keeps_the_earlier_record_and_is_audited(world, pupils) -> None:
    staff = world.personas["staff_a"]
    first = services.pathway_record_create(learner=pupils.s5_a, by=staff, aspiration="Nursing",
                                           intended_category="FE", intended_stage="S5")
    second = services.pathway_record_create(learner=pupils.s5_a, by=staff, aspiration="Paramedic",
                                            intended_category="FE", intended_stage="S5", key_worker=staff)
    first.refresh_from_db()
    assert first.superseded_at is not None and second.superseded_at is None
    assert PathwayRecord.objects.filter(learner=pupils.s5_a).count() == 2
    events = AuditEvent.objects.filter(action="pathway_record", object_id=str(pupils.s5_a.pk)).order_by("at")
    assert [e.detail["changed"] for e in events][1] == ["aspiration", "key_worker"]
    assert events[1].authority == world.authority_x and events[1].actor == staff


def test_the_mcmc_officer_of_the_authority_may_record_a_pathway(world, pupils) -> None:
    record = services.pathway_record_create(learner=pupils.s6_a2, by=world.personas["mcmc_x"], aspiration="Chef")
    assert record.recorded_by == world.personas["mcmc_x"]


@pytest.mark.parametrize("persona", ["staff_b", "admin_b", "mcmc_y", "analyst_x", "dm_x", "national"])
def test_nobody_else_may_write_a_pathway_or_an_offer(world, pupils, persona) -> None:
    by = world.personas[persona]
    with pytest.raises(PermissionDenied):
        services.pathway_record_create(learner=pupils.s6_a, by=by, aspiration="x")
    with pytest.raises(PermissionDenied):
        services.offer_create(learner=pupils.s6_a, by=by, kind="college", provider="x", status_date=today())
    assert not PathwayRecord.objects.exists() and not Offer.objects.exists()


def test_a_key_worker_from_another_school_is_refused(world, pupils) -> None:
    with pytest.raises(ValidationError) as exc:
        services.pathway_record_create(learner=pupils.s6_a, by=world.personas["staff_a"],
                                       key_worker=world.personas["staff_b"])
    assert "key_worker" in exc.value.message_dict


def test_a_pathway_beyond_school_needs_its_provider(world, pupils) -> None:
    with pytest.raises(ValidationError) as exc:
        services.pathway_record_create(learner=pupils.s6_a, by=world.personas["staff_a"],
                                       pathway="foundation_apprenticeship")
    assert "pathway_provider" in exc.value.message_dict


def test_offer_status_changes_keep_their_history(world, pupils) -> None:
    staff, officer = world.personas["staff_a"], world.personas["mcmc_x"]
    d = today() - dt.timedelta(days=20)
    offer = services.offer_create(learner=pupils.s6_a, by=staff, kind="college", provider="City College",
                                  course="HNC Social Care", status_date=d)
    assert offer.applied_on == d
    services.offer_status_set(offer=offer, by=officer, status="offered", status_date=d + dt.timedelta(days=5))
    services.offer_status_set(offer=offer, by=officer, status="accepted", status_date=d + dt.timedelta(days=9))
    offer.refresh_from_db()
    assert offer.status == "accepted"
    assert list(OfferEvent.objects.filter(offer=offer).values_list("status", flat=True)) == [
        "applied", "offered", "accepted"]
    with pytest.raises(ValidationError):  # the same status again
        services.offer_status_set(offer=offer, by=officer, status="accepted", status_date=today())
    with pytest.raises(ValidationError):  # earlier than the current status
        services.offer_status_set(offer=offer, by=officer, status="declined", status_date=d)
    with pytest.raises(ValidationError):  # the same application twice
        services.offer_create(learner=pupils.s6_a, by=staff, kind="college", provider="City College",
                              course="HNC Social Care", status_date=d)
    with pytest.raises(ValidationError):  # in the future
        services.offer_create(learner=pupils.s6_a, by=staff, kind="college", provider="x",
                              status_date=today() + dt.timedelta(days=1))
    assert AuditEvent.objects.filter(action="offer_status", object_id=str(pupils.s6_a.pk)).count() == 2


# --- The board --------------------------------------------------------------------------------


def names_on(rows) -> set[str]:
    return {r.learner.given_name for r in rows}


def test_the_board_lists_expected_leavers_of_the_users_school_or_authority(world, pupils) -> None:
    f = BoardFilters()
    # Expected this session: every S6 with nothing recorded; S4 and S5 not (yet).
    assert names_on(board_rows(world.personas["staff_a"], f, today=today())) == {"Ava"}
    assert names_on(board_rows(world.personas["mcmc_x"], f, today=today())) == {"Ava", "Tom"}
    assert names_on(board_rows(world.personas["staff_b"], f, today=today())) == {CANARY_PUPIL_Y}
    assert names_on(board_rows(world.personas["mcmc_x"], BoardFilters(who="all"), today=today())) == {
        "Ava", "Sam", "Ned", "Tom"}
    services.pathway_record_create(learner=pupils.s5_a, by=world.personas["staff_a"], intended_stage="S5")
    assert names_on(board_rows(world.personas["staff_a"], f, today=today())) == {"Ava", "Sam"}
    # An intended leaving date after this session takes an S6 pupil off the list.
    later = dt.date(pupils.year + 1, 12, 20)
    services.pathway_record_create(learner=pupils.s6_a, by=world.personas["staff_a"], intended_date=later)
    assert names_on(board_rows(world.personas["staff_a"], f, today=today())) == {"Sam"}


def test_the_board_rates_from_what_the_portal_holds(world, pupils) -> None:
    rows = {r.learner.given_name: r for r in board_rows(world.personas["staff_a"], BoardFilters(who="all"),
                                                         today=today())}
    ava = rows["Ava"]
    keys = {r.key for r in ava.rating.reasons}
    assert {"care_experienced", "no_intended_destination", "attainment"} <= keys
    assert keys & {"no_offer_late", "no_offer_yet"}
    for subject in Subject.objects.order_by("code")[:3]:
        ResultFactory.create(learner=pupils.s6_a, subject=subject, scqf_level=4, award_type="N4", grade="P", year=2024)
    rating = pupil_rating(pupils.s6_a, today=today())
    assert "attainment" not in {r.key for r in rating.reasons}


def test_an_accepted_offer_is_shown_and_filters_work(world, pupils) -> None:
    staff = world.personas["staff_a"]
    services.offer_create(learner=pupils.s6_a, by=staff, kind="college", provider="City College",
                          status="accepted", status_date=today())
    mcmc = world.personas["mcmc_x"]
    rows = board_rows(mcmc, BoardFilters(offer="yes"), today=today())
    assert names_on(rows) == {"Ava"} and rows[0].accepted is not None
    assert rows[0].accepted.provider == "City College"
    assert names_on(board_rows(mcmc, BoardFilters(offer="no"), today=today())) == {"Tom"}
    assert names_on(board_rows(mcmc, BoardFilters(school=world.school_a2.pk), today=today())) == {"Tom"}
    assert names_on(board_rows(mcmc, BoardFilters(school=world.school_b.pk), today=today())) == set()
    services.pathway_record_create(learner=pupils.s6_a2, by=mcmc, key_worker=mcmc)
    assert names_on(board_rows(mcmc, BoardFilters(key_worker="me"), today=today())) == {"Tom"}
    assert names_on(board_rows(mcmc, BoardFilters(key_worker="none"), today=today())) == {"Ava"}
    assert names_on(board_rows(mcmc, BoardFilters(q="av"), today=today())) == {"Ava"}


# --- Pages ----------------------------------------------------------------------------------


def test_board_page_shows_risk_with_reasons_and_never_another_authority(world, pupils) -> None:
    r = client(world.personas["mcmc_x"]).get(reverse("destinations:readiness") + f"?school={world.school_b.pk}")
    body = r.content.decode()
    assert r.status_code == 200
    assert "Sixth, Ava</a>" in body and "Care experienced" in body and "High risk" in body
    assert CANARY_PUPIL_Y not in body


@pytest.mark.parametrize(("persona", "status"), [("analyst_x", 403), ("national", 403), ("dm_x", 403),
                                                 ("staff_a", 200), ("mcmc_y", 200)])
def test_who_opens_the_board(world, pupils, persona, status) -> None:
    assert client(world.personas[persona]).get(reverse("destinations:readiness")).status_code == status


def test_a_guidance_teacher_records_a_pathway_and_an_application_in_the_portal(world, pupils) -> None:
    staff = world.personas["staff_a"]
    c = client(staff)
    page = c.get(reverse("destinations:pathway", kwargs={"pk": pupils.s6_a.pk}))
    assert page.status_code == 200
    assert AuditEvent.objects.filter(action="view_pathway", actor=staff, object_id=str(pupils.s6_a.pk)).count() == 1
    r = c.post(reverse("destinations:pathway_edit", kwargs={"pk": pupils.s6_a.pk}),
               {"aspiration": "Social care", "intended_category": "FE", "intended_stage": "S6", "pathway": "none",
                "key_worker": staff.pk})
    assert r.status_code == 302
    r = c.post(reverse("destinations:offer_create", kwargs={"pk": pupils.s6_a.pk}),
               {"kind": "college", "provider": "City College", "status": "applied",
                "status_date": today().isoformat()})
    assert r.status_code == 302
    offer = Offer.objects.get(learner=pupils.s6_a)
    r = c.post(reverse("destinations:offer_status", kwargs={"pk": pupils.s6_a.pk, "offer": offer.pk}),
               {"status": "accepted", "status_date": today().isoformat()})
    assert r.status_code == 302
    shown = c.get(reverse("destinations:pathway", kwargs={"pk": pupils.s6_a.pk})).content.decode()
    assert "Social care" in shown and "City College" in shown and "Accepted" in shown


def test_another_pupils_offer_is_not_found_through_this_pupil(world, pupils) -> None:
    offer = services.offer_create(learner=pupils.s6_b, by=world.personas["staff_b"], kind="college",
                                  provider="Glasgow College", status_date=today())
    url = reverse("destinations:offer_status", kwargs={"pk": pupils.s6_a.pk, "offer": offer.pk})
    assert client(world.personas["staff_a"]).get(url).status_code == 404


def test_export_is_scoped_audited_and_formula_safe(world, pupils) -> None:
    staff = world.personas["staff_a"]
    services.pathway_record_create(learner=pupils.s6_a, by=staff, aspiration="=HYPERLINK(\"http://evil\")")
    c = client(staff)
    refused = c.post(reverse("destinations:readiness_export"), {"reason": "short"})
    assert refused.status_code == 200 and not AuditEvent.objects.filter(action="export_readiness_board").exists()
    r = c.post(reverse("destinations:readiness_export"), {"who": "all", "reason": "Guidance team review"})
    assert r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    assert CANARY_PUPIL_Y not in text and "Tom" not in text  # school A's staff: school A only
    rows = list(csv.reader(io.StringIO(text)))
    assert {row[1] for row in rows[1:]} == {"Ava", "Sam", "Ned"}
    ava = next(row for row in rows[1:] if row[1] == "Ava")
    assert ava[9] == "'=HYPERLINK(\"http://evil\")"
    assert ava[16] == "High" and "Care experienced" in ava[18]
    event = AuditEvent.objects.get(action="export_readiness_board")
    assert event.establishment == world.school_a and event.reason == "Guidance team review"
    assert event.detail["rows"] == 3


def test_a_new_staff_member_of_another_school_sees_nothing_of_school_a(world, pupils) -> None:
    other = member(Role.ESTABLISHMENT_STAFF, establishment=world.school_a2)
    assert names_on(board_rows(other, BoardFilters(who="all"), today=today())) == {"Tom"}
    url = reverse("destinations:pathway", kwargs={"pk": pupils.s6_a.pk})
    assert client(other).get(url).status_code == 404


def test_the_pathway_form_opens_on_the_current_pathway(world, pupils) -> None:
    staff = world.personas["staff_a"]
    services.pathway_record_create(learner=pupils.s6_a, by=staff, aspiration="Joinery", intended_category="EMPLOYMENT",
                                   key_worker=staff)
    r = client(staff).get(reverse("destinations:pathway_edit", kwargs={"pk": pupils.s6_a.pk}))
    form = r.context["form"]
    assert form["aspiration"].value() == "Joinery" and form["intended_category"].value() == "EMPLOYMENT"
    assert form["key_worker"].value() == staff.pk


def test_bulk_key_worker_assignment_is_all_or_nothing_and_keeps_history(world, pupils) -> None:
    officer, staff = world.personas["mcmc_x"], world.personas["staff_a"]
    services.pathway_record_create(learner=pupils.s6_a, by=staff, aspiration="Nursing")
    c = client(officer)
    url = reverse("destinations:readiness_bulk")
    body = {"pupils": [pupils.s6_a.pk, pupils.s6_a2.pk], "bulk-key_worker": str(officer.pk),
            "bulk-reason": "Leavers review"}
    assert c.post(url, {**body, "filters": "risk=high"})["Location"] == reverse("destinations:readiness") + "?risk=high"
    ava = PathwayRecord.objects.get(learner=pupils.s6_a, superseded_at=None)
    assert (ava.key_worker, ava.aspiration) == (officer, "Nursing")  # the rest of the pathway is kept
    assert PathwayRecord.objects.filter(learner=pupils.s6_a).count() == 2
    assert PathwayRecord.objects.get(learner=pupils.s6_a2).key_worker == officer
    assert AuditEvent.objects.filter(action="pathway_bulk_key_worker", reason="Leavers review").count() == 2
    # A pupil of another authority in the batch: nothing changes (404).
    before = PathwayRecord.objects.count()
    foreign = {**body, "pupils": [pupils.s6_a.pk, pupils.s6_b.pk], "bulk-key_worker": "none"}
    assert c.post(url, foreign).status_code == 404
    # A key worker who is not eligible for every selected pupil: nothing changes.
    r = c.post(url, {**body, "bulk-key_worker": str(staff.pk)})  # staff of A is not A2's key worker
    assert r.status_code == 302 and PathwayRecord.objects.count() == before
    # School staff may assign within their own school only.
    assert client(staff).post(url, {**body, "pupils": [pupils.s6_a2.pk]}).status_code == 404
    assert client(world.personas["analyst_x"]).post(url, body).status_code == 403


def test_the_cached_board_shows_a_change_made_in_the_portal_or_by_an_import_at_once(world, pupils) -> None:
    from tests.datahub.imports.worlds import as_csv, run

    officer = world.personas["mcmc_x"]
    assert names_on(board_rows(officer, BoardFilters(offer="yes"), today=today())) == set()
    services.offer_create(learner=pupils.s6_a, by=world.personas["staff_a"], kind="college", provider="City College",
                          status="accepted", status_date=today())
    assert names_on(board_rows(officer, BoardFilters(offer="yes"), today=today())) == {"Ava"}
    batch = run(world.personas["dm_x"], "offers", as_csv([{
        "scn": pupils.s6_a2.scn, "kind": "training", "provider": "Trainer", "course": "", "status": "accepted",
        "status_date": today().isoformat(), "applied_on": ""}]))
    assert batch.status == "succeeded", batch.errors
    assert names_on(board_rows(officer, BoardFilters(offer="yes"), today=today())) == {"Ava", "Tom"}


def test_the_authority_board_counts_by_school(world, pupils) -> None:
    services.offer_create(learner=pupils.s6_a, by=world.personas["staff_a"], kind="college", provider="City College",
                          status="accepted", status_date=today())
    r = client(world.personas["mcmc_x"]).get(reverse("destinations:readiness"))
    by_school = {s.name: (s.pupils, s.accepted, s.intended) for s in r.context["by_school"]}
    assert by_school == {world.school_a.name: (1, 1, 0), world.school_a2.name: (1, 0, 0)}
    assert 'id="readiness-by-school"' in r.content.decode()
    staff = client(world.personas["staff_a"]).get(reverse("destinations:readiness")).content.decode()
    assert 'id="readiness-by-school"' not in staff  # one school: the pupil list says it all
