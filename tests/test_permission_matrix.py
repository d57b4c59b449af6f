"""The cross-tenant permission matrix: every route, every persona, own and foreign objects.

Routes are read from the URL resolver, so a new route fails this test until it is given an
expected result in EXPECTED (our own routes) or falls under a third-party rule (allauth, admin).
Every response is also searched for the canary names planted in each school's learners: a user
must never receive a learner they may not see, whatever ids are put in the path or query string.
The world has a published benchmark run (``figures_world``): dashboards, Find Partners, the national
view and every export (CSV, XLSX, PDF, read as text) carry real figures, and school B's small
cohort's figures are canaries too, for everyone not entitled to them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypedDict

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from datahub.access import can_view_learner
from tests.insight.checks import page_table
from tests.worlds import B_FIGURES_ENTITLED, add_published_run

ANON = "anonymous"
PERSONAS = [
    ANON,
    "no_role",
    "admin_a",
    "staff_a",
    "admin_b",
    "staff_b",
    "mcmc_x",
    "analyst_x",
    "mcmc_y",
    "analyst_y",
    "national",
    "dm_a",
    "dm_x",
    "ua_x",
    "ua_national",
    "partner",  # a partner organisation member (issue 15): communities only; see the block at the end
]
USER_ADMINS = {"A": {"ua_x", "ua_national"}, "B": {"ua_national"}}
# Who covers which school (memberships reach it), and who may see its learners individually.
COVERS = {
    "A": {"admin_a", "staff_a", "mcmc_x", "analyst_x", "national", "dm_a", "dm_x"},
    "B": {"admin_b", "staff_b", "mcmc_y", "analyst_y", "national"},
}
LEARNERS = {
    "A": {"admin_a", "staff_a", "mcmc_x", "dm_a", "dm_x"},
    "B": {"admin_b", "staff_b", "mcmc_y"},
}


def walk(patterns: list, ns: str | None = None, prefix: str = "") -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            sub = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from walk(p.url_patterns, sub, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{ns}:{p.name}" if ns else p.name), prefix + str(p.pattern)


def route_names() -> list[str]:
    return sorted({name for name, _ in walk(get_resolver().url_patterns)})


@dataclass
class Route:
    kwargs: Callable[[object, str], dict] | None  # (world, target) -> URL kwargs
    expect: Callable[[str, str], int | set[int]]  # (persona, target) -> status
    method: str = "get"
    # (world, target) -> POST body; None: another user's membership id (the context switcher's field)
    data: Callable[[object, str], dict] | None = None


def portal_page(persona: str, target: str) -> int:
    return {ANON: 302, "no_role": 403}.get(persona, 200)


def covered(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona in COVERS[target] else 404


def learner_list(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    if persona in LEARNERS[target]:
        return 200
    return 403 if persona in COVERS[target] else 404


def learner_page(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona in LEARNERS[target] else 404


def api(inner: Callable[[str, str], int]) -> Callable[[str, str], int | set[int]]:
    def expect(persona: str, target: str) -> int | set[int]:
        if persona == ANON:
            return 401
        if persona == "no_role":
            return 403
        return inner(persona, target)

    return expect


def public(persona: str, target: str) -> int:
    return 200


def authenticated(persona: str, target: str) -> int | set[int]:
    return {401, 403} if persona == ANON else 200


def seed(w: object, t: str) -> dict:
    return {"seed": (w.school_a if t == "A" else w.school_b).seed_code}  # type: ignore[attr-defined]


def learner_pk(w: object, t: str) -> dict:
    return {"pk": (w.learner_a if t == "A" else w.learner_b).pk}  # type: ignore[attr-defined]


SCHOOL_MEMBERS = {"A": {"admin_a", "staff_a"}, "B": {"admin_b", "staff_b"}}  # admins and staff of the school
SCHOOL_PEOPLE = SCHOOL_MEMBERS["A"] | SCHOOL_MEMBERS["B"]


def school_page(persona: str, target: str) -> int:
    """A page for school admins and staff (their own school): 403 for every other role."""
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona in SCHOOL_PEOPLE else 403


def partnership_seen(persona: str, target: str) -> int:
    """A partnership of the target school (with A2): its admins and staff see it, everyone else 404."""
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona in SCHOOL_MEMBERS[target] else 404


def partnership_acted(persona: str, target: str) -> int:
    """POST an action on the target school's partnership: its admin succeeds (redirect), its staff 403,
    everyone else 404 (another school's partnership id in the path)."""
    if persona in (ANON, "no_role"):
        return portal_page(persona, target) if persona == "no_role" else 302
    if persona == f"admin_{target.lower()}":
        return 302
    return 403 if persona in SCHOOL_MEMBERS[target] else 404


def propose_page(persona: str, target: str) -> int:
    """GET the proposal page with no partner in the query: admins 404 (no such school), others 403."""
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 404 if persona in ("admin_a", "admin_b") else 403


def propose_post(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 302 if persona in ("admin_a", "admin_b") else 403


def _fresh_partnership(w: object, t: str, *, target_proposes: bool, status: str = "proposed") -> dict:
    """Only one partnership in the world: between the target school and A2 (no persona's school)."""
    from partnerships.models import Partnership

    Partnership.objects.all().delete()
    school = w.school_a if t == "A" else w.school_b  # type: ignore[attr-defined]
    a2 = w.school_a2  # type: ignore[attr-defined]
    proposer, partner = (school, a2) if target_proposes else (a2, school)
    return {"pk": Partnership.objects.create(proposer=proposer, partner=partner, status=status).pk}


def received(w: object, t: str) -> dict:
    return _fresh_partnership(w, t, target_proposes=False)


def sent(w: object, t: str) -> dict:
    return _fresh_partnership(w, t, target_proposes=True)


def active(w: object, t: str) -> dict:
    return _fresh_partnership(w, t, target_proposes=True, status="active")


def propose_body(w: object, t: str) -> dict:
    from partnerships.models import Partnership

    Partnership.objects.all().delete()
    return {"partner": w.school_a2.seed_code, "message": "matrix"}  # type: ignore[attr-defined]


def notification(w: object, t: str) -> dict:
    """A notification for the target school's admin (its id is another user's for everyone else)."""
    from partnerships.models import Notification, Partnership, PartnershipEvent

    school = w.school_a if t == "A" else w.school_b  # type: ignore[attr-defined]
    Partnership.objects.all().delete()
    p = Partnership.objects.create(proposer=w.school_a2, partner=school)  # type: ignore[attr-defined]
    e = PartnershipEvent.objects.create(partnership=p, acting_for=w.school_a2, to_status="proposed")  # type: ignore[attr-defined]
    user = w.personas[f"admin_{t.lower()}"]  # type: ignore[attr-defined]
    return {"pk": Notification.objects.create(recipient=user, partnership=p, event=e, establishment=school,
                                              text="matrix").pk}


def others_notification_body(w: object, t: str) -> dict:
    """admin_b's unread notification, made once (each ``notification`` call replaces the last)."""
    from partnerships.models import Notification

    pk = notification(w, "B")["pk"]
    assert Notification.objects.filter(pk=pk, read_at__isnull=True).exists()
    return {"notification": [pk], "ids": [pk]}


def api_partnership_acted(persona: str, target: str) -> int:
    if persona == f"admin_{target.lower()}":
        return 200
    return 403 if persona in SCHOOL_MEMBERS[target] else 404


DATA_MANAGERS = {"dm_a", "dm_x"}


def dm_page(persona: str, target: str) -> int:
    """Import pages: data managers only (403 for every other role)."""
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona in DATA_MANAGERS else 403


def import_batch(w: object, t: str) -> dict:
    """A finished import batch touching the target school, uploaded by a data manager of its authority."""
    from datahub.models import ImportBatch, Role
    from tests.factories import member

    school = w.school_a if t == "A" else w.school_b  # type: ignore[attr-defined]
    uploader = w.personas["dm_x"] if t == "A" else member(Role.DATA_MANAGER, authority=w.authority_y)  # type: ignore[attr-defined]
    batch = ImportBatch.objects.create(kind="results", uploaded_by=uploader, file_name="matrix.csv", status="succeeded")
    batch.establishments.set([school])
    return {"pk": batch.pk}


def batch_seen(persona: str, target: str) -> int:
    """A batch: data managers whose import scope covers its school see it (others 404); other roles 403."""
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    if persona not in DATA_MANAGERS:
        return 403
    return 200 if target == "A" else 404


def batch_cancelled(persona: str, target: str) -> int:
    if persona == ANON:
        return 302
    got = batch_seen(persona, target)
    return 302 if got == 200 else got


def dm_no_pending(persona: str, target: str) -> int:
    """A pending upload lives in its uploader's session: a data manager without it gets 404."""
    got = dm_page(persona, target)
    return 404 if got == 200 else got


def mapping_profile(w: object, t: str) -> dict:
    """A profile of authority X (target A: its data managers may delete it) or of authority Y (B: not found)."""
    from datahub.models import ImportMappingProfile

    authority = w.authority_x if t == "A" else w.authority_y  # type: ignore[attr-defined]
    profile = ImportMappingProfile.objects.create(kind="results", name=f"Profile {t}", authority=authority, signature=t)
    return {"pk": profile.pk}


def api_dm(inner: Callable[[str, str], int]) -> Callable[[str, str], int | set[int]]:
    """API endpoints for data managers: other roles 403."""
    return api(lambda p, t: inner(p, t) if p in DATA_MANAGERS else 403)


def result_pk(w: object, t: str) -> dict:
    return {"pk": (w.learner_a if t == "A" else w.learner_b).results.first().pk}  # type: ignore[attr-defined]


def leaver_pk(w: object, t: str) -> dict:
    return {"pk": (w.learner_a if t == "A" else w.learner_b).leaver.pk}  # type: ignore[attr-defined]


# A form body is not a list of rows: data managers get 400, nothing is written; other roles 403.
class PostBody(TypedDict):
    method: str
    data: Callable[[object, str], dict]


BULK: PostBody = {"method": "post", "data": lambda w, t: {"rows": "not rows", "seed_code": seed(w, t)["seed"]}}


# --- Destinations (destinations.access): journeys for the authority's MCMC officers and the last
# school's admins and staff; casework for the MCMC officers only; the audit log for the authority's
# MCMC officers and data managers. Another authority's young people are not found (404).
MCMC = {"mcmc_x", "mcmc_y"}
JOURNEY = {"A": {"mcmc_x", "admin_a", "staff_a"}, "B": {"mcmc_y", "admin_b", "staff_b"}}
JOURNEY_READERS = JOURNEY["A"] | JOURNEY["B"]


def mcmc_page(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona in MCMC else 403


def journey_page(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    if persona in JOURNEY[target]:
        return 200
    return 403 if persona in LEARNERS[target] else 404


def casework_page(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    if persona == f"mcmc_{'x' if target == 'A' else 'y'}":
        return 200
    return 403 if persona in LEARNERS[target] else 404


def audit_page(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona in MCMC | {"dm_x"} else 403


def caseload_bulk(persona: str, target: str) -> int:
    """POST the target school's leaver to bulk assign (no officer chosen: nothing changes, back to
    the caseload); the other authority's officer is refused the foreign id (404)."""
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    if persona not in MCMC:
        return 403
    return 302 if persona == f"mcmc_{'x' if target == 'A' else 'y'}" else 404


def bulk_body(w: object, t: str) -> dict:
    learner = w.learner_a if t == "A" else w.learner_b  # type: ignore[attr-defined]
    return {"action": "assign", "officer": "", "reason": "matrix", "leavers": [learner.leaver.pk]}


def api_journey(persona: str, target: str) -> int:
    """Destination API objects: journey readers of the target 200, other journey readers 404,
    roles that read no journeys 403."""
    if persona in JOURNEY[target]:
        return 200
    return 404 if persona in JOURNEY_READERS else 403


def destination_record_pk(w: object, t: str) -> dict:
    from destinations.models import DestinationRecord

    learner = w.learner_a if t == "A" else w.learner_b  # type: ignore[attr-defined]
    return {"pk": DestinationRecord.objects.filter(leaver__learner=learner).first().pk}  # type: ignore[union-attr]


def participation_spell_pk(w: object, t: str) -> dict:
    import datetime as dt

    from destinations.models import ParticipationSpell

    learner = w.learner_a if t == "A" else w.learner_b  # type: ignore[attr-defined]
    spell, _ = ParticipationSpell.objects.get_or_create(learner=learner, status="EDUCATION",
                                                        start_date=dt.date(2024, 8, 19))
    return {"pk": spell.pk}


# Before they leave (destinations.pathways): a pupil's pathway, offers and risk for the school's
# admins and staff and the authority's MCMC officers (the journey readers); the readiness board for
# those roles, each seeing only their own school or authority; analysts and data managers 403.
def pathway_board(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona in JOURNEY_READERS else 403


def pathway_post(persona: str, target: str) -> int:
    """POST a pathway or an offer for the target's pupil: its readers are redirected (saved), the
    roles that see the pupil elsewhere 403, everyone else 404; nothing written when refused."""
    status = journey_page(persona, target)
    return 302 if status == 200 else status


def risk_weights_page(persona: str, target: str) -> int:
    """An authority's risk weights: its authority-level data managers only (dm_x); everyone else 403."""
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona == "dm_x" else 403


def pathway_bulk(persona: str, target: str) -> int:
    """POST the target school's pupil to the board's key worker assignment: the target's readers are
    redirected, the other school's or authority's are refused the foreign id (404), other roles 403."""
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    if persona not in JOURNEY_READERS:
        return 403
    return 302 if persona in JOURNEY[target] else 404


def readiness_measures(persona: str, target: str) -> int:
    """The readiness measures (aggregates only): every role that reaches a place's figures, analysts
    included, opening on their own place; user administrators reach no figures (403)."""
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 403 if persona in ("ua_x", "ua_national") else 200


def pathway_bulk_body(w: object, t: str) -> dict:
    learner = w.learner_a if t == "A" else w.learner_b  # type: ignore[attr-defined]
    return {"pupils": [learner.pk], "bulk-key_worker": "none", "bulk-reason": "matrix"}


def pupil_offer_pk(w: object, t: str) -> dict:
    import datetime as dt

    from destinations.models import Offer

    learner = w.learner_a if t == "A" else w.learner_b  # type: ignore[attr-defined]
    offer, _ = Offer.objects.get_or_create(learner=learner, kind="college", provider=f"Matrix College {t}",
                                           defaults={"status": "applied", "status_date": dt.date(2025, 1, 10)})
    return {"pk": learner.pk, "offer": offer.pk}


def offer_pk(w: object, t: str) -> dict:
    return {"pk": pupil_offer_pk(w, t)["offer"]}


def foreign_pathway_body(w: object, t: str) -> dict:
    """A pathway naming school B's pupil and school B in every field a view might read."""
    lb, b = w.learner_b, w.school_b  # type: ignore[attr-defined]
    return {"aspiration": "matrix", "pathway": "none", "learner": lb.pk, "pk": lb.pk, "establishment": b.pk,
            "school": b.pk}


def foreign_offer_body(w: object, t: str) -> dict:
    lb = w.learner_b  # type: ignore[attr-defined]
    return {"kind": "college", "provider": "Matrix College", "status": "applied", "status_date": "2025-01-10",
            "learner": lb.pk, "pk": lb.pk}


# Benchmarking dashboards (insight.views.dashboards). Any portal user may open any secondary
# school's dashboard (suppressed unless entitled); authority dashboards are for analysts, MCMC
# officers and authority/national data managers; the national view for national analysts. The
# matrix world has a published benchmark run (tests/worlds.py ``add_published_run``), so every table
# exports for whoever may open its page.
DASHBOARD_ANALYSTS = {"mcmc_x", "analyst_x", "mcmc_y", "analyst_y", "national", "dm_x"}


def authority_dashboard(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona in DASHBOARD_ANALYSTS else 403


def my_authority_page(persona: str) -> int:
    """The authority local measures' menu entries: a redirect for those who may use authority
    dashboards (to their authority's page, or home for national roles)."""
    if persona in (ANON, "no_role"):
        return portal_page(persona, "A")
    return 302 if persona in DASHBOARD_ANALYSTS else 403


def national_view(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona == "national" else 403


# Benchmark runs (insight.views.runs): data managers of an authority or Scotland and analysts read
# them; only a national data manager starts, cancels, publishes and withdraws (the matrix has no
# such persona: every persona here is refused; tests/insight/views/test_runs_pages.py covers them).
RUN_READERS = {"analyst_x", "analyst_y", "national", "dm_x"}


def runs_page(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona in RUN_READERS else 403


def runs_write(persona: str, target: str) -> int:
    return portal_page(persona, target) if persona in (ANON, "no_role") else 403


def a_run(w: object, t: str, *, published: bool = False) -> dict:
    """A finished run (no result rows): a draft, or a published one older than the world's run (which
    pages keep reading)."""
    import datetime as dt

    from django.utils import timezone

    from datahub.models import TariffScale
    from insight.models import BenchmarkRun

    scale = TariffScale.objects.filter(is_default=True).first() or TariffScale.objects.create(version="matrix")
    now = timezone.now()
    run = BenchmarkRun.objects.create(seed=1, years=[2024], tariff_scale=scale, status="succeeded", started_at=now,
                                      finished_at=now, publication="published" if published else "draft",
                                      published_at=now - dt.timedelta(days=400) if published else None,
                                      release_note="matrix")
    return {"pk": run.pk}


def useradmin_page(persona: str, target: str) -> int:
    if persona == ANON:
        return 302
    return 200 if persona in USER_ADMINS["A"] else 403


def useradmin_object(persona: str, target: str) -> int:
    if persona == ANON:
        return 302
    if persona not in USER_ADMINS["A"]:
        return 403
    return 200 if persona in USER_ADMINS[target] else 404


def useradmin_revoked(persona: str, target: str) -> int:
    status = useradmin_object(persona, target)
    return 302 if status == 200 else status


def staff_person(w: object, t: str) -> dict:
    return {"pk": w.personas["staff_a" if t == "A" else "staff_b"].pk}  # type: ignore[attr-defined]


def fresh_role(w: object, t: str) -> dict:
    """A new person's role at school A or B, for a revocation to act on."""
    from datahub.models import Role
    from tests.factories import member

    school = w.school_a if t == "A" else w.school_b  # type: ignore[attr-defined]
    return {"pk": member(Role.ESTABLISHMENT_STAFF, establishment=school).memberships.get().pk}


def authority_code(w: object, t: str) -> dict:
    return {"code": 100 if t == "A" else 260}


EXPECTED: dict[str, Route] = {
    # A user administrator's home is the Users page.
    "dashboard": Route(None, lambda p, t: 302 if p.startswith("ua_") else portal_page(p, t)),
    # Redirects every portal user to their own dashboard (or home).
    "insight:benchmarks": Route(None, lambda p, t: {"no_role": 403}.get(p, 302)),
    "insight:establishment_dashboard": Route(seed, portal_page),
    "insight:establishment_summary_pdf": Route(seed, portal_page),  # whoever may open the dashboard
    "insight:establishment_export": Route(lambda w, t: {**seed(w, t), "table": "leavers", "fmt": "csv"},
                                          portal_page),
    # Local measures (issue 12): Breadth and Depth of any secondary school, as the establishment dashboard.
    "insight:breadth_depth": Route(seed, portal_page),
    "insight:breadth_depth_export": Route(lambda w, t: {**seed(w, t), "table": "grid", "fmt": "csv"},
                                          portal_page),
    # The menu's way in: school staff only (redirected to their school's page).
    "insight:my_breadth_depth": Route(None, lambda p, t: {ANON: 302}.get(p, 302 if p in SCHOOL_PEOPLE else 403)),
    # ... and their curricular areas: the page, its exports and the menu's way in, as Breadth and Depth.
    "insight:curricular_areas": Route(seed, portal_page),
    "insight:curricular_areas_export": Route(lambda w, t: {**seed(w, t), "table": "comparison", "fmt": "xlsx"},
                                             portal_page),
    "insight:my_curricular_areas": Route(None, lambda p, t: {ANON: 302}.get(p, 302 if p in SCHOOL_PEOPLE else 403)),
    # The API: any portal user, for any secondary school, as the page.
    "api:curricular-areas": Route(lambda w, t: {"seed_code": seed(w, t)["seed"]}, api(lambda p, t: 200)),
    "api:breadth-depth": Route(lambda w, t: {"seed_code": seed(w, t)["seed"]}, api(lambda p, t: 200)),
    # The Course Comparator (issue 12): a school's courses and one course, as the establishment
    # dashboard (graded measures only for the entitled: tests/insight/local/test_courses_pages.py);
    # an authority's vocational uptake, as the authority dashboard.
    "insight:courses": Route(seed, portal_page),
    "insight:courses_export": Route(lambda w, t: {**seed(w, t), "table": "courses", "fmt": "csv"}, portal_page),
    "insight:course": Route(lambda w, t: {**seed(w, t), "course": "MATH-AH-7"}, portal_page),
    "insight:course_export": Route(lambda w, t: {**seed(w, t), "course": "MATH-AH-7", "table": "bands", "fmt": "xlsx"},
                                   portal_page),
    "insight:my_courses": Route(None, lambda p, t: {ANON: 302}.get(p, 302 if p in SCHOOL_PEOPLE else 403)),
    "insight:course_uptake": Route(authority_code, authority_dashboard),
    "insight:course_uptake_export": Route(lambda w, t: {**authority_code(w, t), "table": "uptake", "fmt": "csv"},
                                          authority_dashboard),
    # An authority's view of the local measures (its schools side by side), as the authority
    # dashboard; the menu's ways in redirect whoever may use authority dashboards.
    "insight:authority_breadth_depth": Route(authority_code, authority_dashboard),
    "insight:authority_breadth_depth_export": Route(
        lambda w, t: {**authority_code(w, t), "table": "schools", "fmt": "csv"}, authority_dashboard),
    "insight:authority_curricular_areas": Route(authority_code, authority_dashboard),
    "insight:authority_curricular_areas_export": Route(
        lambda w, t: {**authority_code(w, t), "table": "schools", "fmt": "xlsx"}, authority_dashboard),
    "api:authority-curricular-areas": Route(authority_code, api(authority_dashboard)),
    "insight:my_authority_breadth_depth": Route(None, lambda p, t: my_authority_page(p)),
    "insight:my_authority_curricular_areas": Route(None, lambda p, t: my_authority_page(p)),
    "insight:my_course_uptake": Route(None, lambda p, t: my_authority_page(p)),
    "api:course-detail": Route(lambda w, t: {"seed_code": seed(w, t)["seed"]},
                               api(lambda p, t: 200 if p in COVERS[t] else 404)),
    "insight:authority_dashboard": Route(authority_code, authority_dashboard),
    "insight:authority_export": Route(lambda w, t: {"code": str(authority_code(w, t)["code"]), "table": "schools",
                                                    "fmt": "xlsx"}, authority_dashboard),
    "insight:national": Route(None, national_view),
    "insight:national_export": Route(lambda w, t: {"table": "authorities", "fmt": "csv"}, national_view),
    "accessibility": Route(None, public),
    "healthz": Route(None, public),
    # The body carries admin_b's membership id: only admin_b may switch to it.
    "switch_context": Route(None, lambda p, t: {ANON: 302, "no_role": 403, "admin_b": 302}.get(p, 404), method="post"),
    "datahub:index": Route(None, portal_page),
    # One's own settings only: no other user's id in the URL or the body.
    "notice_settings": Route(None, portal_page),
    "dashboard_settings": Route(None, portal_page),
    "insight:methodology": Route(None, portal_page),
    "insight:runs": Route(None, runs_page),
    "insight:run_detail": Route(a_run, runs_page),
    "insight:run_progress": Route(a_run, runs_page),
    "insight:run_start": Route(None, runs_write, method="post", data=lambda w, t: {"years": [2024], "draws": 1}),
    "insight:run_cancel": Route(a_run, runs_write, method="post", data=lambda w, t: {}),
    "insight:run_publish": Route(a_run, runs_write, method="post", data=lambda w, t: {"release_note": "matrix"}),
    "insight:run_unpublish": Route(lambda w, t: a_run(w, t, published=True), runs_write, method="post",
                                   data=lambda w, t: {"reason": "matrix"}),
    # Any portal user reads a release note (a draft is not found: tests/insight/views/test_runs_pages.py).
    "insight:release_note": Route(lambda w, t: a_run(w, t, published=True), portal_page),
    "datahub:establishment": Route(seed, covered),
    "datahub:establishment_learners": Route(seed, learner_list),
    "datahub:learner": Route(learner_pk, learner_page),
    "api:api-root": Route(None, api(lambda p, t: 200)),
    "api:authority-list": Route(None, api(lambda p, t: 200)),
    "api:authority-detail": Route(lambda w, t: {"code": 100 if t == "A" else 260}, api(lambda p, t: 200)),
    "api:establishment-list": Route(None, api(lambda p, t: 200)),
    "api:establishment-detail": Route(
        lambda w, t: {"seed_code": seed(w, t)["seed"]}, api(lambda p, t: 200 if p in COVERS[t] else 404)
    ),
    "api:learner-list": Route(None, api(lambda p, t: 200)),
    "api:learner-detail": Route(learner_pk, api(lambda p, t: 200 if p in LEARNERS[t] else 404)),
    "insight:find_partners": Route(None, school_page),
    "partnerships:list": Route(None, school_page),
    "partnerships:detail": Route(received, partnership_seen),
    "partnerships:propose": Route(None, propose_page),
    "partnerships:accept": Route(received, partnership_acted, method="post", data=lambda w, t: {"message": "m"}),
    "partnerships:decline": Route(received, partnership_acted, method="post", data=lambda w, t: {}),
    "partnerships:withdraw": Route(sent, partnership_acted, method="post", data=lambda w, t: {}),
    "partnerships:end": Route(active, partnership_acted, method="post", data=lambda w, t: {}),
    # Another user's notification id in the body: nothing happens to it, the caller is redirected.
    "partnerships:notifications_read": Route(
        None, lambda p, t: {"no_role": 403}.get(p, 302), method="post", data=others_notification_body
    ),
    "api:partnership-list": Route(None, api(lambda p, t: 200)),
    "api:partnership-detail": Route(received, api(lambda p, t: 200 if p in SCHOOL_MEMBERS[t] else 404)),
    "api:partnership-accept": Route(received, api(api_partnership_acted), method="post", data=lambda w, t: {}),
    "api:partnership-decline": Route(received, api(api_partnership_acted), method="post", data=lambda w, t: {}),
    "api:partnership-withdraw": Route(sent, api(api_partnership_acted), method="post", data=lambda w, t: {}),
    "api:partnership-end": Route(active, api(api_partnership_acted), method="post", data=lambda w, t: {}),
    "api:partnership-notification-list": Route(None, api(lambda p, t: 200)),
    "api:partnership-notification-detail": Route(
        notification, api(lambda p, t: 200 if p == f"admin_{t.lower()}" else 404)
    ),
    "api:partnership-notification-mark-read": Route(
        None, api(lambda p, t: 200), method="post", data=others_notification_body
    ),
    # Imports (datahub.imports.views, datahub.api)
    "datahub:import_index": Route(None, dm_page),
    # Reference data: national data managers only (no persona here is one; tests/datahub/test_referencedata.py).
    "datahub:reference_data": Route(None, lambda p, t: {ANON: 302}.get(p, 403)),
    "datahub:import_history": Route(None, dm_page),
    "datahub:import_upload": Route(lambda w, t: {"kind": "results" if t == "A" else "initial-destinations"}, dm_page),
    "datahub:import_template": Route(lambda w, t: {"kind": "learners" if t == "A" else "participation"}, dm_page),
    "datahub:import_mapping": Route(lambda w, t: {"kind": "learners", "token": "0" * 32}, dm_no_pending),
    "datahub:import_profiles": Route(None, dm_page),
    "datahub:import_profile_delete": Route(mapping_profile, batch_cancelled, method="post", data=lambda w, t: {}),
    "datahub:import_batch": Route(import_batch, batch_seen),
    "datahub:import_batch_status": Route(import_batch, batch_seen),
    "datahub:import_batch_errors": Route(import_batch, batch_seen),
    "datahub:import_batch_cancel": Route(import_batch, batch_cancelled, method="post", data=lambda w, t: {}),
    "api:result-list": Route(None, api(lambda p, t: 200)),
    "api:result-detail": Route(result_pk, api(lambda p, t: 200 if p in LEARNERS[t] else 404)),
    "api:leaver-list": Route(None, api(lambda p, t: 200)),
    "api:leaver-detail": Route(leaver_pk, api(lambda p, t: 200 if p in LEARNERS[t] else 404)),
    "api:establishment-bulk": Route(None, api_dm(lambda p, t: 400), **BULK),
    "api:learner-bulk": Route(None, api_dm(lambda p, t: 400), **BULK),
    "api:leaver-bulk": Route(None, api_dm(lambda p, t: 400), **BULK),
    "api:result-bulk": Route(None, api_dm(lambda p, t: 400), **BULK),
    "api:import-batch-list": Route(None, api_dm(lambda p, t: 200)),
    "api:import-batch-detail": Route(import_batch, api_dm(lambda p, t: 200 if t == "A" else 404)),
    "api:import-kind-list": Route(None, api_dm(lambda p, t: 200)),
    "api:import-kind-detail": Route(lambda w, t: {"kind": "results"}, api_dm(lambda p, t: 200)),
    "api:import-kind-rows": Route(lambda w, t: {"kind": "results"}, api_dm(lambda p, t: 400), **BULK),
    # Destinations (destinations.views, destinations.api)
    "destinations:index": Route(None, portal_page),
    "destinations:school": Route(seed, covered),
    "destinations:caseload": Route(None, mcmc_page),
    "destinations:caseload_export": Route(None, mcmc_page),
    "destinations:caseload_bulk": Route(lambda w, t: {}, caseload_bulk, method="post", data=bulk_body),
    "destinations:journey": Route(learner_pk, journey_page),
    "destinations:contact_create": Route(learner_pk, casework_page),
    "destinations:destination_create": Route(learner_pk, casework_page),
    "destinations:participation_create": Route(learner_pk, casework_page),
    "destinations:assignment": Route(learner_pk, casework_page),
    "destinations:audit": Route(None, audit_page),
    "destinations:readiness": Route(None, pathway_board),
    "destinations:readiness_export": Route(None, pathway_board),
    "destinations:risk_weights": Route(None, risk_weights_page),
    "destinations:readiness_measures": Route(None, readiness_measures),
    "destinations:readiness_measures_export": Route(None, readiness_measures),
    "destinations:readiness_bulk": Route(lambda w, t: {}, pathway_bulk, method="post", data=pathway_bulk_body),
    "destinations:pathway": Route(learner_pk, journey_page),
    "destinations:pathway_edit": Route(learner_pk, journey_page),
    "destinations:offer_create": Route(learner_pk, journey_page),
    "destinations:offer_status": Route(pupil_offer_pk, journey_page),
    "api:destination-record-list": Route(None, api(lambda p, t: 200 if p in JOURNEY_READERS else 403)),
    "api:destination-record-detail": Route(destination_record_pk, api(api_journey)),
    "api:participation-spell-list": Route(None, api(lambda p, t: 200 if p in JOURNEY_READERS else 403)),
    "api:participation-spell-detail": Route(participation_spell_pk, api(api_journey)),
    "api:offer-list": Route(None, api(lambda p, t: 200 if p in JOURNEY_READERS else 403)),
    "api:offer-detail": Route(offer_pk, api(api_journey)),
    # OAuth2 for systems: the client authenticates in the request itself; a portal session is no
    # credential here, so every persona (and no one) is refused the same way.
    "oauth_token": Route(None, lambda p, t: {400, 401}, method="post", data=lambda w, t: {"grant_type": "client_credentials"}),
    "oauth_revoke": Route(None, lambda p, t: {400, 401}, method="post", data=lambda w, t: {"token": "x"}),
    # User administration (datahub.useradmin): user administrators only, inside their scope.
    "useradmin:people": Route(None, useradmin_page),
    "useradmin:invite": Route(None, useradmin_page),
    "useradmin:person": Route(staff_person, useradmin_object),
    "useradmin:revoke": Route(fresh_role, useradmin_revoked, method="post", data=lambda w, t: {"reason": "matrix"}),
    "schema": Route(None, authenticated),
    "api_docs": Route(None, authenticated),
    "api_redoc": Route(None, authenticated),
}


# --- Partnership workspaces (partnerships/workspace/) ---------------------------------------------
# The target school's only partnership is an active one with A2, whose workspace holds a canary in
# its aims, an action, a lead and a shared file: its admins and staff read and contribute, its
# admins manage (staff 403), everyone else 404 whatever ids are in the path.
WORKSPACE_CANARY = {"A": "WorkspaceCanaryAlphaQz", "B": "WorkspaceCanaryBravoQz"}


@pytest.fixture(autouse=True)
def _workspace_media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path  # shared files written by the matrix stay out of the repository


def workspace(w: object, t: str) -> dict:
    from django.core.files.base import ContentFile

    from partnerships.workspace.models import Action, Lead, SharedFile, Workspace

    pk = active(w, t)["pk"]
    school = w.school_a if t == "A" else w.school_b  # type: ignore[attr-defined]
    staff = w.personas[f"staff_{t.lower()}"]  # type: ignore[attr-defined]
    Workspace.objects.create(partnership_id=pk, purpose="matrix", aims=WORKSPACE_CANARY[t])
    action = Action.objects.create(partnership_id=pk, title="matrix", owner=staff, owner_name="S",
                                   owner_establishment=school, due_on="2027-01-01")
    lead = Lead.objects.create(partnership_id=pk, establishment=school, user=staff, name="S", responsibility="r")
    f = SharedFile(partnership_id=pk, token=f"matrix{t}{pk}", name="m.txt", content_type="text/plain", size=2,
                   uploaded_for=school)
    f.file.save(f.token, ContentFile(b"m\n"), save=True)
    return {"pk": pk, "action": action.pk, "lead": lead.pk, "file": f.pk}


def ws_kwargs(*keys: str, rename: dict[str, str] | None = None) -> Callable[[object, str], dict]:
    def kwargs(w: object, t: str) -> dict:
        made = workspace(w, t)
        out = {"pk": made["pk"]}
        for k in keys:
            out[(rename or {}).get(k, k)] = made[k]
        return out

    return kwargs


def ws_expect(*, member_gets: int, staff_gets: int | None = None) -> Callable[[str, str], int]:
    """Members of the target school get ``member_gets`` (staff ``staff_gets`` when it differs:
    the admins' forms); everyone else 404."""

    def expect(persona: str, target: str) -> int:
        if persona in (ANON, "no_role"):
            return portal_page(persona, target)
        if persona == f"staff_{target.lower()}" and staff_gets is not None:
            return staff_gets
        return member_gets if persona in SCHOOL_MEMBERS[target] else 404

    return expect


def ws_upload(w: object, t: str) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("plan.txt", b"plan\n", "text/plain"), "school": w.school_b.pk}  # type: ignore[attr-defined]


def ws_owner(w: object, t: str) -> dict:
    owner = w.personas[f"admin_{t.lower()}"].pk  # type: ignore[attr-defined]
    return {"title": "matrix", "owner": owner, "lead": owner, "due_on": "2027-02-01", "status": "in_progress",
            "responsibility": "r", "establishment": w.school_b.pk}  # type: ignore[attr-defined]


READ, WRITE = ws_expect(member_gets=200), ws_expect(member_gets=302)
MANAGE_FORM, MANAGE = ws_expect(member_gets=200, staff_gets=403), ws_expect(member_gets=302, staff_gets=403)
EXPECTED.update({
    "partnerships:workspace": Route(ws_kwargs(), READ),
    "partnerships:workspace_evaluation": Route(ws_kwargs(), READ),
    "partnerships:workspace_aims": Route(ws_kwargs(), MANAGE_FORM),
    "partnerships:workspace_lead_add": Route(ws_kwargs(), MANAGE, method="post", data=ws_owner),
    "partnerships:workspace_lead_remove": Route(ws_kwargs("lead", rename={"lead": "item"}), MANAGE, method="post",
                                                data=lambda w, t: {}),
    "partnerships:workspace_action_add": Route(ws_kwargs(), WRITE, method="post", data=ws_owner),
    "partnerships:workspace_action_edit": Route(ws_kwargs("action"), WRITE, method="post", data=ws_owner),
    "partnerships:workspace_note_add": Route(ws_kwargs(), WRITE, method="post",
                                             data=lambda w, t: {"held_on": "2026-11-02", "title": "m", "notes": "n"}),
    "partnerships:workspace_file_add": Route(ws_kwargs(), WRITE, method="post", data=ws_upload),
    "partnerships:workspace_file": Route(ws_kwargs("file"), READ),
    # The file was shared by nobody of the school: its staff may not remove it, its admins may.
    "partnerships:workspace_file_remove": Route(ws_kwargs("file", rename={"file": "item"}), MANAGE, method="post",
                                                data=lambda w, t: {}),
    "partnerships:workspace_measures": Route(ws_kwargs(), MANAGE, method="post",
                                             data=lambda w, t: {"measures": ["pct_initial_positive"]}),
})
WORKSPACE_FORMS = ("partnerships:workspace_aims", "partnerships:workspace_lead_add", "partnerships:workspace_action_add",
                   "partnerships:workspace_action_edit", "partnerships:workspace_note_add",
                   "partnerships:workspace_file_add", "partnerships:workspace_measures")

# --- Partnership groups (partnerships/groups/) ------------------------------------------------------
# The only group in the world: the target school, A2 and a school of no persona (D), with a canary in
# its aims. Its admins and staff see it; only the target's admins act for it (staff 403); everyone
# else 404, whatever id is in the path.
GROUP_CANARY = {"A": "GroupCanaryAlphaQz", "B": "GroupCanaryBravoQz"}


def _fresh_group(w: object, t: str, *, target: str, status: str) -> dict:
    """``target``: the target school's place: "founder" (joined), "invited" or "joined"."""
    from partnerships.groups.models import GroupMember, PartnershipGroup
    from tests.factories import EstablishmentFactory

    PartnershipGroup.objects.all().delete()
    school = w.school_a if t == "A" else w.school_b  # type: ignore[attr-defined]
    a2 = w.school_a2  # type: ignore[attr-defined]
    d = EstablishmentFactory.create(name="Delta Matrix School")
    founder = school if target == "founder" else a2
    g = PartnershipGroup.objects.create(name="Matrix group", purpose="matrix", aims=GROUP_CANARY[t],
                                        founder=founder, status=status)
    mine = "invited" if target == "invited" else "joined"
    for est, st in ((school, mine), (a2, "joined"), (d, "joined" if status == "active" else "invited")):
        GroupMember.objects.create(group=g, establishment=est, status=st)
    return {"pk": g.pk}


def group_invited(w: object, t: str) -> dict:
    return _fresh_group(w, t, target="invited", status="forming")


def group_joined(w: object, t: str) -> dict:
    return _fresh_group(w, t, target="joined", status="active")


def group_founded(w: object, t: str) -> dict:
    return _fresh_group(w, t, target="founder", status="active")


def group_action(w: object, t: str) -> dict:
    from partnerships.groups.models import GroupAction

    pk = group_joined(w, t)["pk"]
    school = w.school_a if t == "A" else w.school_b  # type: ignore[attr-defined]
    a = GroupAction.objects.create(group_id=pk, title="matrix", owner_name="S", owner_establishment=school,
                                   due_on="2027-01-01")
    return {"pk": pk, "item": a.pk}


def group_plan_body(w: object, t: str) -> dict:
    owner = w.personas[f"staff_{t.lower()}"].pk  # type: ignore[attr-defined]
    return {"action_title": "matrix", "owner": owner, "due_on": "2027-02-01", "status": "done",
            "held_on": "2026-11-02", "note_title": "m", "notes": "n"}


def group_written(persona: str, target: str) -> int:
    """The group's plan and notes: admins and staff of the target school write (redirect); others 404."""
    if persona in (ANON, "no_role"):
        return portal_page(persona, target) if persona == "no_role" else 302
    return 302 if persona in SCHOOL_MEMBERS[target] else 404


def group_admin_page(persona: str, target: str) -> int:
    """Propose a group: school admins (200), other school staff 403, every other role 403."""
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    return 200 if persona in ("admin_a", "admin_b") else 403


EXPECTED.update({
    "partnerships:group_propose": Route(None, group_admin_page),
    "partnerships:group": Route(group_joined, partnership_seen),
    "partnerships:group_accept": Route(group_invited, partnership_acted, method="post", data=lambda w, t: {}),
    "partnerships:group_decline": Route(group_invited, partnership_acted, method="post", data=lambda w, t: {}),
    "partnerships:group_leave": Route(group_joined, partnership_acted, method="post", data=lambda w, t: {}),
    "partnerships:group_end": Route(group_founded, partnership_acted, method="post", data=lambda w, t: {}),
    "partnerships:group_aims": Route(group_joined, partnership_acted, method="post", data=lambda w, t: {"aims": "m"}),
    "partnerships:group_action_add": Route(group_joined, group_written, method="post", data=group_plan_body),
    "partnerships:group_action_status": Route(group_action, group_written, method="post", data=group_plan_body),
    # The owner (the target's admin) is a person of a joined school: a member's edit is valid (302).
    "partnerships:group_action_edit": Route(group_action, group_written, method="post", data=ws_owner),
    "partnerships:group_note_add": Route(group_joined, group_written, method="post", data=group_plan_body),
    "api:partnership-group-list": Route(None, api(lambda p, t: 200)),
    "api:partnership-group-detail": Route(group_joined, api(lambda p, t: 200 if p in SCHOOL_MEMBERS[t] else 404)),
    "api:partnership-group-accept": Route(group_invited, api(api_partnership_acted), method="post",
                                          data=lambda w, t: {}),
    "api:partnership-group-decline": Route(group_invited, api(api_partnership_acted), method="post",
                                           data=lambda w, t: {}),
    "api:partnership-group-leave": Route(group_joined, api(api_partnership_acted), method="post",
                                         data=lambda w, t: {}),
    "api:partnership-group-end": Route(group_founded, api(api_partnership_acted), method="post",
                                       data=lambda w, t: {}),
})

# A group's workspace (leads, files, the joint evaluation): the target school has joined the group;
# its admins and staff read and share files, its admins manage (staff 403), everyone else 404. The
# lead's responsibility and the file's name carry the workspace canary. The founder's admins invite
# and withdraw invitations (staff 403, everyone else 404).
GROUP_WS_CANARY = {"A": "GroupWorkspaceAlphaQz", "B": "GroupWorkspaceBravoQz"}


def group_workspace(w: object, t: str, *, target: str = "joined") -> dict:
    from django.core.files.base import ContentFile

    from partnerships.groups.models import GroupMember
    from partnerships.workspace.models import Lead, SharedFile
    from tests.factories import EstablishmentFactory

    pk = _fresh_group(w, t, target=target, status="active")["pk"]
    school = w.school_a if t == "A" else w.school_b  # type: ignore[attr-defined]
    staff = w.personas[f"staff_{t.lower()}"]  # type: ignore[attr-defined]
    lead = Lead.objects.create(group_id=pk, establishment=school, user=staff, name="S", responsibility=GROUP_WS_CANARY[t])
    f = SharedFile(group_id=pk, token=f"gmatrix{t}{pk}", name=f"{GROUP_WS_CANARY[t]}.txt", content_type="text/plain",
                   size=2, uploaded_for=school)
    f.file.save(f.token, ContentFile(b"m\n"), save=True)
    invited = GroupMember.objects.create(group_id=pk, establishment=EstablishmentFactory.create(name="Echo Matrix"),
                                         status="invited")
    return {"pk": pk, "lead": lead.pk, "file": f.pk, "invitation": invited.pk}


def gws_kwargs(*keys: str, rename: dict[str, str] | None = None, target: str = "joined") -> Callable[[object, str], dict]:
    def kwargs(w: object, t: str) -> dict:
        made = group_workspace(w, t, target=target)
        return {"pk": made["pk"], **{(rename or {}).get(k, k): made[k] for k in keys}}

    return kwargs


def group_invite_body(w: object, t: str) -> dict:
    from tests.factories import EstablishmentFactory

    return {"schools": EstablishmentFactory.create(name="Foxtrot Matrix").seed_code}


EXPECTED.update({
    "partnerships:group_evaluation": Route(gws_kwargs(), READ),
    "partnerships:group_measures": Route(gws_kwargs(), MANAGE, method="post",
                                         data=lambda w, t: {"measures": ["pct_initial_positive"]}),
    "partnerships:group_lead_add": Route(gws_kwargs(), MANAGE, method="post", data=ws_owner),
    "partnerships:group_lead_remove": Route(gws_kwargs("lead", rename={"lead": "item"}), MANAGE, method="post",
                                            data=lambda w, t: {}),
    "partnerships:group_file_add": Route(gws_kwargs(), WRITE, method="post", data=ws_upload),
    "partnerships:group_file": Route(gws_kwargs("file"), READ),
    # The file was shared by nobody of the school: its staff may not remove it, its admins may.
    "partnerships:group_file_remove": Route(gws_kwargs("file", rename={"file": "item"}), MANAGE, method="post",
                                            data=lambda w, t: {}),
    "partnerships:group_invite": Route(gws_kwargs(target="founder"), partnership_acted, method="post",
                                       data=group_invite_body),
    "partnerships:group_withdraw": Route(gws_kwargs("invitation", rename={"invitation": "item"}, target="founder"),
                                         partnership_acted, method="post", data=lambda w, t: {}),
})
GROUP_WORKSPACE_FORMS = ("partnerships:group_lead_add", "partnerships:group_file_add", "partnerships:group_measures")

# --- Comparator groups (insight/groups/) --------------------------------------------------------
# The target school's admin owns a group (named with a canary) of the target school and A2, shared
# with the target's staff: both see it, only the admin changes it (staff 403), everyone else 404.
COMPARATOR_GROUP_CANARY = {"A": "ComparatorGrpAlphaQz", "B": "ComparatorGrpBravoQz"}


def a_group(w: object, t: str) -> dict:
    from insight.groups.models import ComparatorGroup

    school = w.school_a if t == "A" else w.school_b  # type: ignore[attr-defined]
    group = ComparatorGroup.objects.create(owner=w.personas[f"admin_{t.lower()}"],  # type: ignore[attr-defined]
                                           name=f"Group {COMPARATOR_GROUP_CANARY[t]}")
    group.members.set([school, w.school_a2])  # type: ignore[attr-defined]
    group.shared_with.add(w.personas[f"staff_{t.lower()}"])  # type: ignore[attr-defined]
    return {"pk": group.pk}


def group_expect(*, owner_gets: int, sharer_gets: int) -> Callable[[str, str], int]:
    def expect(persona: str, target: str) -> int:
        if persona in (ANON, "no_role"):
            return portal_page(persona, target)
        if persona == f"admin_{target.lower()}":
            return owner_gets
        return sharer_gets if persona == f"staff_{target.lower()}" else 404

    return expect


def group_body(w: object, t: str) -> dict:
    """A change naming school B as a member: allowed to the owner (a group holds no learner data)."""
    return {"name": "matrix", "seeds": f"{w.school_b.seed_code}\n{w.school_a2.seed_code}", "emails": ""}  # type: ignore[attr-defined]


GROUP_OWNER = group_expect(owner_gets=302, sharer_gets=403)
EXPECTED.update({
    "insight:groups": Route(None, portal_page),
    "insight:group_new": Route(None, portal_page),
    "insight:group_detail": Route(a_group, group_expect(owner_gets=200, sharer_gets=200)),
    "insight:group_edit": Route(a_group, GROUP_OWNER, method="post", data=group_body),
    "insight:group_share": Route(a_group, GROUP_OWNER, method="post", data=group_body),
    "insight:group_delete": Route(a_group, GROUP_OWNER, method="post", data=lambda w, t: {}),
    "api:comparator-group-list": Route(None, api(lambda p, t: 200)),
    "api:comparator-group-detail": Route(a_group, api(group_expect(owner_gets=200, sharer_gets=200))),
})

# Third-party route families: their own rules apply; we still demand no server error and no leak.
THIRD_PARTY = (re.compile(r"^(account_|mfa_|socialaccount_|openid_connect_)"), re.compile(r"^admin:"))


def poisoned_query(w: object) -> str:
    """Another tenant's ids in every query parameter name a view might read."""
    b = w.school_b  # type: ignore[attr-defined]
    lb = w.learner_b  # type: ignore[attr-defined]
    return (
        f"?seed={b.seed_code}&establishment={b.pk}&establishment__seed_code={b.seed_code}"
        f"&learner={lb.pk}&pk={lb.pk}&scn={lb.scn}&q={b.seed_code}&authority__code=260&year=2024"
    )


def client_for(world: object, persona: str) -> Client:
    c = Client()
    if persona != ANON:
        c.force_login(world.personas[persona])  # type: ignore[attr-defined]
    return c


def forbidden_canaries(world: object, persona: str) -> list[str]:
    user = None if persona == ANON else world.personas[persona]  # type: ignore[attr-defined]
    out = [] if persona in B_FIGURES_ENTITLED else list(getattr(world, "figure_canaries", []))
    for key, learner in (("A", world.learner_a), ("A2", world.learner_a2), ("B", world.learner_b)):  # type: ignore[attr-defined]
        if user is None or not can_view_learner(user, learner):
            out.append(world.canaries[key])  # type: ignore[attr-defined]
            out.extend(world.identifiers[key])  # type: ignore[attr-defined]  # SCN, date of birth
    return out


# The data a refused request must leave exactly as it was (model label, fields compared).
GUARDED = (
    "datahub.Membership", "datahub.Establishment", "datahub.Learner", "datahub.SchoolLeaver",
    "datahub.QualificationResult", "partnerships.Partnership", "partnerships.PartnershipEvent",
    "partnerships.Notification", "destinations.DestinationRecord", "destinations.ParticipationSpell",
    "destinations.ContactNote", "destinations.Case", "destinations.PathwayRecord", "destinations.Offer",
    "destinations.OfferEvent", "destinations.RiskWeights", "insight.ComparatorGroup",
)
# The partnership workspaces' tables (partnerships/workspace/models.py).
WORKSPACE_TABLES = ("partnerships.Workspace", "partnerships.Lead", "partnerships.Action", "partnerships.MeetingNote",
                    "partnerships.SharedFile", "partnerships.JointMeasure", "partnerships.JointBaseline")
GROUP_TABLES = ("partnerships.PartnershipGroup", "partnerships.GroupMember", "partnerships.GroupEvent",
                "partnerships.GroupAction", "partnerships.GroupNote")
GUARDED = (*GUARDED, *WORKSPACE_TABLES, *GROUP_TABLES)  # type: ignore[assignment]


def snapshot() -> dict[str, str]:
    """A digest of every row, every column, of every guarded table, in one query: PostgreSQL
    hashes each table's rows as text in primary-key order (any changed, added or removed row
    changes it), where reading every row into Python for each request was most of this test's time."""
    from django.apps import apps
    from django.db import connection

    parts = []
    for label in GUARDED:
        meta = apps.get_model(label)._meta
        table, pk = connection.ops.quote_name(meta.db_table), connection.ops.quote_name(meta.pk.column)
        parts.append(f"SELECT %s, md5(coalesce(string_agg(t::text, '|' ORDER BY t.{pk}), '')) FROM {table} t")
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), list(GUARDED))
        return dict(cursor.fetchall())


def changed_tables(before: dict[str, str]) -> list[str]:
    after = snapshot()
    return [label for label in GUARDED if after[label] != before[label]]


REFUSED = {302, 400, 401, 403, 404, 405, 409}


def refused(persona: str, status: int) -> bool:
    """A refusal: an error, or (for the anonymous and those a route turns away) the sign-in redirect."""
    return status in REFUSED and not (status == 302 and persona not in (ANON,))


# POSTs whose bodies try to act for another school (their route is in EXPECTED for its GET): who
# may do what is the same, and what is written is never another school's.
def propose_as_another(w: object, t: str) -> dict:
    """A proposal to A2 (or to school B), naming school B as proposer in every field a view might read."""
    from partnerships.models import Partnership

    Partnership.objects.all().delete()
    b = w.school_b  # type: ignore[attr-defined]
    partner = b if t == "B" else w.school_a2  # type: ignore[attr-defined]
    return {"partner": partner.seed_code, "message": "matrix", "proposer": b.pk, "establishment": b.pk,
            "acting_for": b.pk, "seed": b.seed_code, "school": b.seed_code}


def propose_as_another_expect(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    if persona == "admin_b" and target == "B":
        return 400  # school B cannot partner itself
    return 302 if persona in ("admin_a", "admin_b") else 403


def other_school_rows(w: object, t: str) -> dict:
    """Real rows for school B's learner (a result and a learner update): only B's authority may write them."""
    lb = w.learner_b  # type: ignore[attr-defined]
    b = w.school_b  # type: ignore[attr-defined]
    rows = {
        "result": {"scn": lb.scn, "seed_code": b.seed_code, "subject_code": "MATH", "award_type": "N5", "scqf_level": 5,
                   "scqf_credits": 24, "grade": "A", "year": 2023},
        "learner": {"scn": lb.scn, "given_name": "Overwritten", "family_name": "Matrix", "date_of_birth": "2006-01-01",
                    "sex": "F", "simd_decile": 3, "asn": False, "seed_code": b.seed_code, "year": 2023, "stage": "S5"},
    }
    return rows["result" if t == "A" else "learner"]


POSTS: list[tuple[str, Route]] = [
    ("partnerships:propose", Route(None, propose_as_another_expect, method="post", data=propose_as_another)),
    ("partnerships:propose", Route(lambda w, t: {}, propose_as_another_expect, method="post", data=propose_as_another)),
    # A pathway or an offer posted for the target's pupil, the body naming school B's pupil: written
    # for the path's pupil only when the role may, refused (nothing written) otherwise.
    ("destinations:pathway_edit", Route(learner_pk, pathway_post, method="post", data=foreign_pathway_body)),
    ("destinations:offer_create", Route(learner_pk, pathway_post, method="post", data=foreign_offer_body)),
    # Data managers of school A and authority X send school B's rows: refused (403), nothing written.
    ("api:result-bulk", Route(lambda w, t: {}, api_dm(lambda p, t: 403), method="post",
                              data=lambda w, t: {"rows": [other_school_rows(w, "A")]})),
    ("api:learner-bulk", Route(lambda w, t: {}, api_dm(lambda p, t: 403), method="post",
                               data=lambda w, t: {"rows": [other_school_rows(w, "B")]})),
]


def check_writes(world: object, persona: str, name: str, status: int, before: dict[str, str],
                 expected: int | set[int]) -> list[str]:
    """What a POST left behind: nothing when refused; never anything of another school."""
    from partnerships.models import Notification, Partnership

    problems = []
    if refused(persona, status) or (isinstance(expected, int) and expected >= 400):
        if name == "partnerships:notifications_read" or name == "api:partnership-notification-mark-read":
            pass  # checked below: another user's notification stays unread
        else:
            changed = changed_tables(before)
            if changed:
                problems.append(f"{name}: refused ({status}) but changed {changed}")
    if "notification" in name:
        mine = persona == "admin_b"
        unread = Notification.objects.filter(recipient=world.personas["admin_b"], read_at__isnull=True)  # type: ignore[attr-defined]
        if not mine and not unread.exists():
            problems.append(f"{name}: another user's notification was marked read")
    if name in ("destinations:pathway_edit", "destinations:offer_create", "destinations:readiness_bulk"):
        from destinations.access import may_work_pathway
        from destinations.models import Offer, PathwayRecord

        user = world.personas.get(persona)  # type: ignore[attr-defined]
        written: list[PathwayRecord | Offer] = [
            *PathwayRecord.objects.filter(recorded_by=user).select_related("learner__establishment"),
            *Offer.objects.filter(recorded_by=user).select_related("learner__establishment"),
        ] if user else []
        for row in written:
            if not may_work_pathway(user, row.learner):
                problems.append(f"{name}: {persona} wrote a pathway or offer of a pupil they may not work on")
    if name == "partnerships:propose":
        own = {"admin_a": world.school_a, "admin_b": world.school_b}.get(persona)  # type: ignore[attr-defined]
        for p in Partnership.objects.all():
            if own is None or p.proposer_id != own.pk:
                problems.append(f"{name}: a partnership proposed by {p.proposer} for {persona}")
    return problems


def test_every_route_has_an_expected_result() -> None:
    missing = [n for n in route_names() if n not in EXPECTED and not any(r.match(n) for r in THIRD_PARTY)]
    assert not missing, f"Routes without an expected result in the permission matrix: {missing}"


@pytest.fixture
def figures_world(world: object) -> object:
    """The world with a published benchmark run; ``figure_canaries`` are school B's small cohort's
    figures as pages print them, for nobody but those entitled to B (tests/worlds.py)."""
    world.figure_canaries = add_published_run(world)  # type: ignore[attr-defined,arg-type]
    return world


def readable(resp: Any) -> str:
    """A response as text a person could read from it: a PDF's extracted text and a workbook's
    cells too (both are compressed, so their bytes would hide any canary)."""
    import io

    body = b"".join(resp.streaming_content) if getattr(resp, "streaming", False) else resp.content
    kind = resp.get("Content-Type", "")
    if kind == "application/pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(" ".join("" if v is None else str(v) for v in row)
                         for ws in book.worksheets for row in ws.iter_rows(values_only=True))
    return body.decode(errors="replace")


# Figures of the run: every table of school B's dashboard, authority Y's and the national view, as
# pages and as CSV and XLSX, B's Summary PDF, and Find Partners (both tabs, CSV). Pages and tables
# a persona may not open are refused as their route says; the rest must carry school B's figures
# only for those entitled to B.
SCHOOL_TABLES = ("leavers", "m-avg-tariff-lowest20", "m-avg-tariff-middle60", "m-avg-tariff-highest20",
                 "m-pct-lit-num-scqf4", "m-pct-initial-positive", "deprivation", "breakdown", "breakdown-trend",
                 "vocational")
AUTHORITY_TABLES = ("schools", "leavers", "m-avg-tariff-lowest20", "m-avg-tariff-middle60", "m-avg-tariff-highest20",
                    "breakdown", "breakdown-trend")
NATIONAL_TABLES = ("scotland", "authorities", "schools")


def figure_urls(w: object) -> Iterator[tuple[str, Callable[[str, str], int]]]:
    b = w.school_b  # type: ignore[attr-defined]
    school = reverse("insight:establishment_dashboard", kwargs={"seed": b.seed_code})
    yield school, portal_page
    by_simd = "?breakdown=simd_quintile&measure=avg_total_tariff"
    yield school + by_simd, portal_page
    yield reverse("insight:establishment_summary_pdf", kwargs={"seed": b.seed_code}), portal_page
    for table in SCHOOL_TABLES:
        for fmt in ("csv", "xlsx") if table.startswith("m-avg") else ("csv",):
            yield reverse("insight:establishment_export", kwargs={"seed": b.seed_code, "table": table, "fmt": fmt}) + \
                by_simd, portal_page
    yield reverse("insight:authority_dashboard", kwargs={"code": 260}), authority_dashboard
    for table in AUTHORITY_TABLES:
        for fmt in ("csv", "xlsx") if table in ("schools", "leavers") else ("csv",):
            yield reverse("insight:authority_export", kwargs={"code": "260", "table": table, "fmt": fmt}), \
                authority_dashboard
    # The authority's local measures: B's leavers (its small cohort) beside the other schools.
    for name in ("insight:authority_breadth_depth", "insight:authority_curricular_areas"):
        query = "?stage=leavers&level=7&count=1&area=mathematics"
        yield reverse(name, kwargs={"code": 260}) + query, authority_dashboard
        yield reverse(f"{name}_export", kwargs={"code": "260", "table": "schools", "fmt": "csv"}) + query, \
            authority_dashboard
    yield reverse("insight:national") + "?measure=avg_total_tariff", national_view
    for table in NATIONAL_TABLES:
        for fmt in ("csv", "xlsx"):
            yield reverse("insight:national_export", kwargs={"table": table, "fmt": fmt}) + "?measure=avg_total_tariff", \
                national_view
    for query in ("?tab=closeness", "?tab=performance", "?tab=performance&format=csv"):
        yield reverse("insight:find_partners") + query, school_page


@pytest.mark.parametrize("persona", PERSONAS)
def test_our_routes_for_persona(figures_world: object, persona: str) -> None:
    world = figures_world
    client = client_for(world, persona)
    canaries = forbidden_canaries(world, persona)
    failures = []
    for name, route in [*EXPECTED.items(), *POSTS]:
        targets = ["A", "B"] if route.kwargs else ["-"]
        for target in targets:
            url = reverse(name, kwargs=route.kwargs(world, target) or None if route.kwargs else None)
            expected = route.expect(persona, target)
            responses: list[tuple[str, Any, int | set[int] | None]] = []
            sent = ""
            if route.method == "post":
                if route.data is not None:
                    body_data = route.data(world, target)
                else:  # another user's membership id in the body
                    body_data = {"membership": world.personas["admin_b"].memberships.first().pk}  # type: ignore[attr-defined]
                sent = str(body_data)
                before = snapshot()
                api_json = name.startswith("api:") and isinstance(body_data.get("rows"), list)
                resp = client.post(url, body_data, content_type="application/json") if api_json else client.post(url, body_data)
                failures += check_writes(world, persona, name, resp.status_code, before, expected)
                responses.append((url, resp, expected))
            else:
                # Lists and pages get another tenant's ids in every query parameter. An object URL is
                # requested as it is, then poisoned too: a filter there may rightly hide the object,
                # but another tenant's ids must never open what was refused, nor leak anything.
                full = url if route.kwargs else url + poisoned_query(world)
                responses.append((full, client.get(full), expected))
                if route.kwargs:
                    poisoned = client.get(url + poisoned_query(world))
                    allowed = expected if isinstance(expected, set) else {expected}
                    if (poisoned.status_code == 200 and 200 not in allowed) or poisoned.status_code >= 500:
                        failures.append(f"{name} [{target}] poisoned query opened it: {poisoned.status_code}")
                    responses.append((url + poisoned_query(world), poisoned, None))
            for got_url, resp, want in responses:
                if want is not None:
                    ok = resp.status_code in want if isinstance(want, set) else resp.status_code == want
                    if not ok:
                        failures.append(f"{name} [{target}] {got_url}: expected {want}, got {resp.status_code}")
                body = readable(resp)
                # A response may echo what was sent (the SCN poisoned into a query, or named in an
                # error about a row): not a leak.
                leaked = [c for c in canaries if c in body and c not in got_url and c not in sent]
                if leaked:
                    failures.append(f"{name} [{target}] {got_url} leaked {leaked}")
    shown_b = 0
    for url, expect in figure_urls(world):
        resp = client.get(url)
        want = expect(persona, "B")
        if resp.status_code != want:
            failures.append(f"figures {url}: expected {want}, got {resp.status_code}")
        body = readable(resp)
        if url.endswith(f"/{world.school_b.seed_code}/") and resp.status_code == 200:  # type: ignore[attr-defined]
            # B's leavers: its count (4) for those entitled to it, withheld for everyone else.
            row = page_table(body, "leavers")[-1]
            if row[1] != ("4" if persona in B_FIGURES_ENTITLED else "c"):
                failures.append(f"figures {url}: school B's leavers shown as {row[1]!r} to {persona}")
        leaked = [c for c in canaries if c in body]
        if leaked:
            failures.append(f"figures {url} leaked {leaked}")
        shown_b += sum(c in body for c in world.figure_canaries)  # type: ignore[attr-defined]
    # The canaries are real: those entitled to school B do get its figures (its dashboard, PDF, exports).
    if persona in B_FIGURES_ENTITLED and shown_b < 2 * len(world.figure_canaries):  # type: ignore[attr-defined]
        failures.append(f"{persona} is entitled to school B's figures but was shown {shown_b} of them")
    assert not failures, "\n".join(failures)


def _fill(pattern: str, world: object) -> str | None:
    """A concrete path for a third-party route, with the other tenant's ids where ids are taken."""
    lb = world.learner_b  # type: ignore[attr-defined]
    path = re.sub(r"<path:object_id>|<int:object_id>|<str:object_id>|\(\?P<object_id>[^)]*\)", str(lb.pk), pattern)
    path = re.sub(r"<[^>]+>|\(\?P<[^>]+>[^)]*\)", "1", path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    if "(" in path or "[" in path:
        return None
    return "/" + path


@pytest.mark.parametrize("persona", [ANON, "no_role", "admin_a", "staff_a", "analyst_x", "national", "dm_a", "dm_x"])
def test_third_party_routes_never_error_or_leak(world: object, persona: str) -> None:
    client = client_for(world, persona)
    canaries = forbidden_canaries(world, persona)
    failures = []
    for name, pattern in walk(get_resolver().url_patterns):
        if name in EXPECTED or not any(r.match(name) for r in THIRD_PARTY):
            continue
        path = _fill(pattern, world)
        if path is None:
            continue
        resp = client.get(path)
        if resp.status_code >= 500:
            failures.append(f"{name} {path}: {resp.status_code}")
        outsider = persona in (ANON, "no_role", "admin_a", "staff_a", "analyst_x", "national")
        if outsider and name.startswith("admin:") and resp.status_code == 200 and "login" not in path:
            failures.append(f"{name} {path}: a non-data-manager reached the admin ({resp.status_code})")
        body = resp.content.decode(errors="replace")
        leaked = [c for c in canaries if c in body]
        if leaked:
            failures.append(f"{name} {path} leaked {leaked}")
    assert not failures, "\n".join(failures)


# --- Shared links: a place named in the query string (datahub.sharing) -----------------------------
# A shared link names its school, authority or Scotland in the query, so the page does not depend
# on the opener's "Viewing as". Each place so named must open only for those who may reach it.

PLACE_HOLDERS = {"A": {"admin_a", "staff_a", "dm_a"}, "B": {"admin_b", "staff_b"}}
AUTHORITY_REACH = {"A": {"mcmc_x", "analyst_x", "dm_x", "ua_x", "national"}, "B": {"mcmc_y", "analyst_y", "national"}}


def shared_place_expect(kind: str) -> Callable[[str, str], int]:
    def expect(persona: str, target: str) -> int:
        if persona in (ANON, "no_role"):
            return portal_page(persona, target)
        if kind == "partners":
            return 200 if persona in SCHOOL_MEMBERS[target] else 404 if persona in SCHOOL_PEOPLE else 403
        if kind == "school":
            return 200 if persona in COVERS[target] | PLACE_HOLDERS[target] else 404
        if kind == "authority":
            return 200 if persona in AUTHORITY_REACH[target] else 404
        return 200 if persona in ("national", "ua_national") else 403  # Scotland

    return expect


def shared_place_query(w: object, kind: str, t: str) -> str:
    school = w.school_a if t == "A" else w.school_b  # type: ignore[attr-defined]
    if kind in ("partners", "school"):
        return f"?school={school.seed_code}"
    if kind == "authority":
        return f"?authority={school.authority.code}&year=2024"
    return "?scope=scotland&year=2024"


SHARED_PLACES = [("insight:find_partners", "partners"), ("destinations:index", "school"),
                 ("destinations:index", "authority"), ("destinations:index", "scotland")]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_place_named_by_a_shared_link_opens_only_for_those_who_may_reach_it(world: object, persona: str) -> None:
    client = client_for(world, persona)
    canaries = forbidden_canaries(world, persona)
    failures = []
    for name, kind in SHARED_PLACES:
        for target in ("A", "B"):
            url = reverse(name) + shared_place_query(world, kind, target)
            resp = client.get(url)
            want = shared_place_expect(kind)(persona, target)
            if resp.status_code != want:
                failures.append(f"{url}: expected {want}, got {resp.status_code}")
            leaked = [c for c in canaries if c in resp.content.decode(errors="replace")]
            if leaked:
                failures.append(f"{url} leaked {leaked}")
    assert not failures, "\n".join(failures)


def readiness_measures_place_expect(kind: str) -> Callable[[str, str], int]:
    """The readiness measures for a named place: as a shared link on the destinations index, except
    that user administrators reach no figures at all (403)."""
    def expect(persona: str, target: str) -> int:
        if persona in ("ua_x", "ua_national"):
            return 403
        return shared_place_expect(kind)(persona, target)

    return expect


@pytest.mark.parametrize("persona", PERSONAS)
def test_readiness_measures_open_a_named_place_only_for_those_who_reach_it(world: object, persona: str) -> None:
    client = client_for(world, persona)
    canaries = forbidden_canaries(world, persona)
    failures = []
    for name in ("destinations:readiness_measures", "destinations:readiness_measures_export"):
        for kind in ("school", "authority", "scotland"):
            for target in ("A", "B"):
                url = reverse(name) + shared_place_query(world, kind, target)
                resp = client.get(url)
                want = readiness_measures_place_expect(kind)(persona, target)
                if resp.status_code != want:
                    failures.append(f"{url}: expected {want}, got {resp.status_code}")
                leaked = [c for c in canaries if c in resp.content.decode(errors="replace")]
                if leaked:
                    failures.append(f"{url} leaked {leaked}")
    assert not failures, "\n".join(failures)


# --- Partnership workspaces: the canary, every form by GET, and an ended partnership ----------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_workspace_is_read_by_its_two_schools_only(world: object, persona: str) -> None:
    """Every workspace page and form opened by GET: the target's members only, and nobody else ever
    receives the target's workspace canary; once the partnership ends every form answers 409."""
    from partnerships.models import Partnership, Status

    client = client_for(world, persona)
    failures = []
    for target in ("A", "B"):
        for name in ("partnerships:workspace", "partnerships:workspace_evaluation", *WORKSPACE_FORMS):
            kwargs = ws_kwargs("action")(world, target) if name.endswith("action_edit") else ws_kwargs()(world, target)
            want = (MANAGE_FORM if name in ("partnerships:workspace_aims", "partnerships:workspace_lead_add",
                                            "partnerships:workspace_measures") else READ)(persona, target)
            resp = client.get(reverse(name, kwargs=kwargs) + poisoned_query(world))
            if resp.status_code != want:
                failures.append(f"{name} [{target}]: expected {want}, got {resp.status_code}")
            body = resp.content.decode(errors="replace")
            for t, canary in WORKSPACE_CANARY.items():
                if canary in body and persona not in SCHOOL_MEMBERS[t]:
                    failures.append(f"{name} [{target}] leaked {canary} to {persona}")
            if name in WORKSPACE_FORMS and want in (200, 403):
                Partnership.objects.filter(pk=kwargs["pk"]).update(status=Status.ENDED)
                ended = client.get(reverse(name, kwargs=kwargs))
                if ended.status_code != {200: 409, 403: 403}[want]:
                    failures.append(f"{name} [{target}] ended: got {ended.status_code}")
    assert not failures, "\n".join(failures)


# --- A partnership group's workspace: the canary, its forms by GET, and an ended group ---------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_group_workspace_is_read_by_its_joined_schools_only(world: object, persona: str) -> None:
    """The group's page, evaluation and workspace forms by GET: the target's members only, nobody
    else ever receives the target's group workspace canary; once the group ends every form is 409."""
    from partnerships.groups.models import PartnershipGroup

    client = client_for(world, persona)
    failures = []
    for target in ("A", "B"):
        for name in ("partnerships:group", "partnerships:group_evaluation", *GROUP_WORKSPACE_FORMS):
            kwargs = gws_kwargs()(world, target)
            want = (MANAGE_FORM if name in ("partnerships:group_lead_add", "partnerships:group_measures")
                    else READ)(persona, target)
            resp = client.get(reverse(name, kwargs=kwargs) + poisoned_query(world))
            if resp.status_code != want:
                failures.append(f"{name} [{target}]: expected {want}, got {resp.status_code}")
            body = resp.content.decode(errors="replace")
            for t, canary in GROUP_WS_CANARY.items():
                if canary in body and persona not in SCHOOL_MEMBERS[t]:
                    failures.append(f"{name} [{target}] leaked {canary} to {persona}")
            if name == "partnerships:group" and want == 200 and GROUP_WS_CANARY[target] not in body:
                failures.append(f"{name} [{target}]: the workspace canary is not shown to a member ({persona})")
            if name in GROUP_WORKSPACE_FORMS and want in (200, 403):
                PartnershipGroup.objects.filter(pk=kwargs["pk"]).update(status="ended")
                ended = client.get(reverse(name, kwargs=kwargs))
                if ended.status_code != {200: 409, 403: 403}[want]:
                    failures.append(f"{name} [{target}] ended: got {ended.status_code}")
                posted = client.post(reverse(name, kwargs=kwargs), ws_owner(world, target))
                if posted.status_code != {200: 409, 403: 403}[want]:
                    failures.append(f"{name} [{target}] ended, POST: got {posted.status_code}")
    assert not failures, "\n".join(failures)


# --- Partnership groups: the canary in a group's aims reaches its members only ----------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_group_is_read_by_its_schools_only(world: object, persona: str) -> None:
    """The group page and its API detail and list: nobody outside the target school receives its
    group's canary; once the group has ended its page is a read-only record (no forms)."""
    from partnerships.groups.models import PartnershipGroup

    client = client_for(world, persona)
    failures = []
    for target in ("A", "B"):
        pk = group_joined(world, target)["pk"]
        for url in (reverse("partnerships:group", args=[pk]), f"/api/v1/partnership-groups/{pk}/",
                    "/api/v1/partnership-groups/", reverse("partnerships:list")):
            resp = client.get(url)
            body = resp.content.decode(errors="replace")
            for t, canary in GROUP_CANARY.items():
                if canary in body and persona not in SCHOOL_MEMBERS[t]:
                    failures.append(f"{url} [{target}] leaked {canary} to {persona}")
            if url.startswith("/partnerships/groups/") and persona in SCHOOL_MEMBERS[target] and GROUP_CANARY[target] not in body:
                failures.append(f"{url} [{target}]: the canary is not shown to a member ({persona})")
        PartnershipGroup.objects.filter(pk=pk).update(status="ended")
        ended = client.get(reverse("partnerships:group", args=[pk])).content.decode(errors="replace")
        if persona in SCHOOL_MEMBERS[target] and ('name="aims"' in ended or "Leave the group" in ended):
            failures.append(f"ended group [{target}] still offers a form to {persona}")


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_comparator_group_is_seen_by_its_owner_and_sharers_only(figures_world: object, persona: str) -> None:
    """The groups list, the group's page, the API and a dashboard asked to show the group
    (?group=<id>): the group's canary name reaches its owner and the colleague it is shared with,
    nobody else, whatever ids are in the path or query; POSTs of another's group change nothing."""
    world = figures_world
    client = client_for(world, persona)
    failures = []
    for target in ("A", "B"):
        pk = a_group(world, target)["pk"]
        urls = [reverse("insight:groups"), reverse("insight:group_detail", kwargs={"pk": pk}),
                reverse("api:comparator-group-list"), reverse("api:comparator-group-detail", kwargs={"pk": pk}),
                reverse("insight:establishment_dashboard", kwargs={"seed": world.school_a2.seed_code})  # type: ignore[attr-defined]
                + f"?group={pk}", reverse("insight:group_new") + f"?group={pk}&pk={pk}",
                # The breakdown table, its export, and the national view show a chosen group too.
                reverse("insight:establishment_dashboard", kwargs={"seed": world.school_a2.seed_code})  # type: ignore[attr-defined]
                + f"?group={pk}&breakdown=sex",
                reverse("insight:establishment_export", kwargs={"seed": world.school_a2.seed_code,  # type: ignore[attr-defined]
                                                                "table": "breakdown", "fmt": "csv"})
                + f"?group={pk}&breakdown=sex",
                reverse("insight:national") + f"?group={pk}"]
        for url in urls:
            resp = client.get(url)
            if resp.status_code >= 500:
                failures.append(f"{url}: {resp.status_code}")
            body = readable(resp)
            for t, canary in COMPARATOR_GROUP_CANARY.items():
                if canary in body and persona not in SCHOOL_MEMBERS[t]:
                    failures.append(f"{url} [{target}] leaked {canary} to {persona}")
        if persona in SCHOOL_MEMBERS[target]:
            seen = readable(client.get(urls[1]))
            if COMPARATOR_GROUP_CANARY[target] not in seen:
                failures.append(f"{persona} does not see their own group {target}")
    assert not failures, "\n".join(failures)


# --- Communities of practice and partner organisation members (issue 15) ---------------------------
# The target's community: A's is authority X's data manager's (dm_x and admin_a its admins, staff_a
# and the college's member, ``partner``, members); B's has admin_b (admin) and staff_b. Members read
# and post; admins add members and hide posts (other members 403); everyone else 404 whatever ids
# are in the path. The list is for members and those who may create one (dm_x), 403 for others.
#
# A partner organisation member reaches nothing else: on every other route they get what a person
# with no role gets (403 on pages and the API), except their home (redirected to their communities)
# and their own e-mail settings. ``_no_data_role`` applies that to every route's expectation below,
# and to the expectations the tests above call by name.
PARTNER = "partner"
COMMUNITY_MEMBERS = {"A": {"dm_x", "admin_a", "staff_a", PARTNER}, "B": {"admin_b", "staff_b"}}
COMMUNITY_ADMINS = {"A": {"dm_x", "admin_a"}, "B": {"admin_b"}}
COMMUNITY_CANARY = {"A": "CommunityPostOneZx", "B": "CommunityPostTwoZx"}  # not containing a learner canary


def community(w: object, t: str) -> dict:
    """The target's community (the only one), with a thread whose post holds its canary, and a file."""
    from django.core.files.base import ContentFile

    from partnerships.communities.models import Community, CommunityMember, Post, Resource, Thread

    Community.objects.all().delete()
    p = w.personas  # type: ignore[attr-defined]
    c = Community.objects.create(name=f"Community {t}", authority=w.authority_x if t == "A" else None)  # type: ignore[attr-defined]
    members = {who: CommunityMember.objects.create(community=c, user=p[who], is_admin=who in COMMUNITY_ADMINS[t])
               for who in COMMUNITY_MEMBERS[t]}
    thread = Thread.objects.create(community=c, title="matrix")
    post = Post.objects.create(thread=thread, author=p[f"staff_{t.lower()}"], body=COMMUNITY_CANARY[t])
    r = Resource(community=c, token=f"community{t}{c.pk}", name="m.txt", content_type="text/plain", size=2)
    r.file.save(r.token, ContentFile(b"m\n"), save=True)
    # The member an admin may remove: a member who is not an admin (the college's, or B's staff).
    removable = members[PARTNER if t == "A" else "staff_b"]
    return {"pk": c.pk, "thread": thread.pk, "post": post.pk, "resource": r.pk, "member": removable.pk}


def community_kwargs(*keys: str) -> Callable[[object, str], dict]:
    def kwargs(w: object, t: str) -> dict:
        made = community(w, t)
        return {k: made[k] for k in ("pk", *keys)}

    return kwargs


def community_expect(*, member_gets: int, others_in_community: int | None = None) -> Callable[[str, str], int]:
    """Admins get ``member_gets``; other members ``others_in_community`` (default the same); others 404."""
    def expect(persona: str, target: str) -> int:
        if persona in (ANON, "no_role"):
            return portal_page(persona, target) if persona == "no_role" else 302
        if persona in COMMUNITY_ADMINS[target]:
            return member_gets
        if persona in COMMUNITY_MEMBERS[target]:
            return member_gets if others_in_community is None else others_in_community
        return 404

    return expect


def communities_list(persona: str, target: str) -> int:
    if persona in (ANON, "no_role"):
        return portal_page(persona, target)
    # A partner organisation member's home: open (empty until they are added) whatever the target.
    return 200 if persona in COMMUNITY_MEMBERS[target] or persona in ("dm_x", PARTNER) else 403


def community_upload(w: object, t: str) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("plan.txt", b"plan\n", "text/plain"), "community": 1}


COMMUNITY_READ = community_expect(member_gets=200)
COMMUNITY_ROUTES: dict[str, Route] = {
    "partnerships:communities": Route(lambda w, t: community(w, t) and {}, communities_list),
    "partnerships:community_create": Route(
        None, lambda p, t: {ANON: 302, "no_role": 403}.get(p, 200 if p == "dm_x" else 403)),
    "partnerships:community": Route(community_kwargs(), COMMUNITY_READ),
    "partnerships:community_thread_add": Route(community_kwargs(), COMMUNITY_READ),
    "partnerships:community_thread": Route(community_kwargs("thread"), COMMUNITY_READ),
    "partnerships:community_resource": Route(community_kwargs("resource"), COMMUNITY_READ),
    "partnerships:community_post_hide": Route(community_kwargs("post"),
                                              community_expect(member_gets=200, others_in_community=403)),
    "partnerships:community_member_add": Route(
        community_kwargs(), community_expect(member_gets=302, others_in_community=403), method="post",
        data=lambda w, t: {"email": w.personas["analyst_y"].email}),  # type: ignore[attr-defined]
    # Admins remove a member (403 for other members); any member leaves (a last admin is told to
    # make another first, on the community page: 302 too); everyone else 404 (the member id is the
    # target community's).
    "partnerships:community_member_remove": Route(
        community_kwargs("member"), community_expect(member_gets=302, others_in_community=403), method="post"),
    "partnerships:community_leave": Route(community_kwargs(), community_expect(member_gets=302), method="post"),
    "partnerships:community_resource_add": Route(community_kwargs(), community_expect(member_gets=302),
                                                 method="post", data=community_upload),
    "api:community-list": Route(None, api(lambda p, t: 200)),
    "api:community-detail": Route(community_kwargs(), api(lambda p, t: 200 if p in COMMUNITY_MEMBERS[t] else 404)),
    "api:community-threads": Route(community_kwargs(), api(lambda p, t: 200 if p in COMMUNITY_MEMBERS[t] else 404)),
}
# Routes whose expectation already says what a partner member gets.
PARTNER_OWN = {*COMMUNITY_ROUTES, "dashboard", "notice_settings", "insight:methodology"}


def _no_data_role(expect: Callable[[str, str], Any]) -> Callable[[str, str], Any]:
    """The expectation for everyone as before; for a partner member, what a person with no role gets."""
    def wrapped(persona: str, target: str) -> Any:
        return expect("no_role" if persona == PARTNER else persona, target)

    return wrapped


for _name, _route in [*EXPECTED.items(), *POSTS]:
    if _name not in PARTNER_OWN:
        _route.expect = _no_data_role(_route.expect)
_home = EXPECTED["dashboard"].expect
EXPECTED["dashboard"].expect = lambda p, t: 302 if p == PARTNER else _home(p, t)  # to their communities
EXPECTED.update(COMMUNITY_ROUTES)
# The expectations the tests above call by name (figures, shared places, workspaces).
portal_page = _no_data_role(portal_page)  # type: ignore[assignment]
authority_dashboard = _no_data_role(authority_dashboard)  # type: ignore[assignment]
national_view = _no_data_role(national_view)  # type: ignore[assignment]
school_page = _no_data_role(school_page)  # type: ignore[assignment]
shared_place_expect = (lambda inner: lambda kind: _no_data_role(inner(kind)))(shared_place_expect)
READ, MANAGE_FORM = _no_data_role(READ), _no_data_role(MANAGE_FORM)
GUARDED = (*GUARDED, "partnerships.Community", "partnerships.CommunityMember", "partnerships.Thread",  # type: ignore[assignment]
           "partnerships.Post", "partnerships.Resource")


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_community_is_read_by_its_members_only(world: object, persona: str) -> None:
    """Every community page and the API's threads: its members only; nobody else ever receives the
    canary posted in it, whatever ids are put in the path or the query."""
    client = client_for(world, persona)
    failures = []
    for target in ("A", "B"):
        for name in ("partnerships:community", "partnerships:community_thread", "api:community-threads"):
            kwargs = community_kwargs("thread")(world, target)
            if not name.endswith("_thread"):
                kwargs.pop("thread")
            resp = client.get(reverse(name, kwargs=kwargs) + poisoned_query(world))
            body = resp.content.decode(errors="replace")
            for t, canary in COMMUNITY_CANARY.items():
                if canary in body and persona not in COMMUNITY_MEMBERS[t]:
                    failures.append(f"{name} [{target}] leaked {canary} to {persona}")
            shows_posts = name != "partnerships:community"  # the community's page lists threads, not posts
            if shows_posts and persona in COMMUNITY_MEMBERS[target] and COMMUNITY_CANARY[target] not in body:
                failures.append(f"{name} [{target}]: a member was not shown the post")
    assert not failures, "\n".join(failures)
