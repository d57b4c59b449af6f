"""The home page: the active school's, authority's or Scotland's leavers, and the lead into the dashboards.

Any portal user. The summary tables are datahub.disclosure cells for the viewer (own school or
authority unsuppressed, everything else under the primary rule); the lead names the dashboards
the active membership may open (insight.entitlement) with a sentence per headline measure.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from datahub import disclosure
from datahub.access import (
    Entitlement,
    authority_entitlement,
    can_manage_benchmark_runs,
    can_read_benchmark_runs,
    entitlement_for,
    scope_for,
)
from datahub.models import AUTHORITY_ROLES, Establishment, EstablishmentType, LocalAuthority, Role
from datahub.selectors import leaver_cohorts
from destinations.selectors import destination_summaries

from ..entitlement import may_use_authority_dashboards, may_use_national_view
from ..selectors.catalogue import PANELS
from ..selectors.dashboards import establishment_data, latest_run
from ..selectors.figures import Viewer
from ..selectors.leavers import latest_leaver_year, leaver_counts_by_authority, leaver_counts_by_establishment
from .establishment import establishment_panel


def home_context(request: HttpRequest) -> dict[str, Any]:
    """Everything the home page shows for the active membership."""
    m = request.membership  # type: ignore[attr-defined]
    ctx: dict[str, Any] = {"explanation": disclosure.explanation()}
    ctx.update(home_lead(request))
    if m.establishment_id:
        ctx.update(establishment_summary(request.user, m.establishment))
    elif m.authority_id:
        ctx.update(authority_summary(request.user, m.authority))
        ctx["is_authority_role"] = m.role in AUTHORITY_ROLES
    else:
        ctx.update(national_summary())
    return ctx


def establishment_summary(user: Any, est: Establishment) -> dict[str, Any]:
    """The school's leaver cohorts by year, with known and positive destinations."""
    ent = entitlement_for(user, est)
    dests = destination_summaries(establishment_ids=[est.id])
    rows = []
    for c in leaver_cohorts([est.id]):
        d = dests.get((est.id, c["leaver_year"]))
        rows.append(
            {
                "year": c["leaver_year"],
                "n": disclosure.cell(c["n"], c["n"], ent),
                "s4": c["s4"],
                "s5": c["s5"],
                "s6": c["s6"],
                "known_pct": disclosure.cell(d.known_pct if d else None, c["n"], ent),
                "positive_pct": disclosure.cell(d.positive_pct if d else None, d.known if d else 0, ent),
            }
        )
    return {"scope_kind": "establishment", "establishment": est, "cohort_rows": rows}


def authority_summary(user: Any, authority: LocalAuthority) -> dict[str, Any]:
    """The authority's secondary schools in the latest year with leavers."""
    ent = authority_entitlement(user, authority)
    schools = list(Establishment.objects.filter(authority=authority, type=EstablishmentType.SECONDARY))
    ids = [s.id for s in schools]
    latest = latest_leaver_year(establishment_ids=ids)
    # No leavers in these schools: no counts.
    counts = leaver_counts_by_establishment(ids, latest) if latest is not None else {}
    dests = destination_summaries(establishment_ids=ids)
    rows = []
    for s in schools:
        d = dests.get((s.id, latest)) if latest else None
        n = counts.get(s.id, 0)
        rows.append(
            {
                "establishment": s,
                "n": disclosure.cell(n, n, ent),
                "known_pct": disclosure.cell(d.known_pct if d else None, n, ent),
                "positive_pct": disclosure.cell(d.positive_pct if d else None, d.known if d else 0, ent),
            }
        )
    return {"scope_kind": "authority", "authority": authority, "latest_year": latest, "school_rows": rows}


def national_summary() -> dict[str, Any]:
    """Every authority's leavers and positive destinations in the latest year (public figures)."""
    latest = latest_leaver_year()
    counts = leaver_counts_by_authority(latest) if latest is not None else {}  # no leavers at all: no counts
    dests = destination_summaries(by="authority")
    rows = []
    for la in LocalAuthority.objects.all():
        d = dests.get((la.id, latest)) if latest else None
        n = counts.get(la.id, 0)
        rows.append(
            {
                "authority": la,
                "n": disclosure.cell(n, n, Entitlement.PUBLIC),
                "positive_pct": disclosure.cell(d.positive_pct if d else None, d.known if d else 0, Entitlement.PUBLIC),
            }
        )
    return {"scope_kind": "national", "latest_year": latest, "authority_rows": rows}


def home_lead(request: HttpRequest, *, summaries: bool = True) -> dict[str, Any]:
    """Where the signed-in user's dashboards are, for their active membership (home page)."""
    m = getattr(request, "membership", None)
    if m is None:
        return {}
    if m.establishment_id and m.establishment.type == EstablishmentType.SECONDARY:
        est = m.establishment
        lead: dict[str, Any] = {
            "url": reverse("insight:establishment_dashboard", kwargs={"seed": est.seed_code}),
            "label": f"Benchmarks for {est.name}",
            "place": est.name,
            "text": "The four national measures over five years against the virtual comparator, the authority and "
                    "Scotland, with breakdowns by groups of leavers.",
            "highlights": [],
        }
        run = latest_run() if summaries else None
        if run is not None:
            data = establishment_data(run, est, Viewer(request.user))
            if data.school.rows:
                for _, _, keys in PANELS:
                    panel = establishment_panel(data, keys[0])
                    lead["highlights"].append((panel.title, panel.caption.split(". ")[0].rstrip(".") + "."))
        return {"lead": lead}
    if m.authority_id and may_use_authority_dashboards(request.user):
        return {"lead": {
            "url": reverse("insight:authority_dashboard", kwargs={"code": m.authority.code}),
            "label": f"Benchmarks for {m.authority.name}",
            "place": m.authority.name,
            "text": "Every school of the authority in one table with five-year trends, the authority against its "
                    "virtual comparator and Scotland, and a dashboard for each school.",
            "highlights": [],
        }}
    if may_use_national_view(request.user):
        return {"lead": {
            "url": reverse("insight:national"),
            "label": "Benchmarks for Scotland",
            "place": "Scotland",
            "text": "Local authorities side by side over five years, and schools where disclosure rules allow.",
            "highlights": [],
        }}
    return {}


def role_guide(request: HttpRequest, waiting: int = 0) -> list[dict[str, Any]]:
    """The first-visit guide: what the active role can do here, in a few lines with links.

    Each line is {"text": ..., "link": (label, url)}; links only to pages the role may open.
    """
    m = getattr(request, "membership", None)
    if m is None:
        return []
    role = m.role
    place = m.establishment.name if m.establishment_id else (m.authority.name if m.authority_id else "Scotland")
    lead = home_lead(request, summaries=False).get("lead")

    def line(text: str, label: str, url: str) -> dict[str, Any]:
        return {"text": text, "link": (label, url)}

    lines: list[dict[str, Any]] = []
    if role in (Role.ESTABLISHMENT_ADMIN, Role.ESTABLISHMENT_STAFF):
        if lead:
            lines.append(line(f"See how {place}'s leavers compare with their virtual comparator, the authority and "
                              "Scotland.", "Your school's benchmarks", lead["url"]))
        if role == Role.ESTABLISHMENT_ADMIN:
            lines.append(line("Find schools like yours, or stronger where you are weaker, and propose a learning "
                              "partnership to share unsuppressed figures.", "Find Partners",
                              reverse("insight:find_partners")))
            wait = f"{waiting} request{'s' if waiting != 1 else ''} or notice{'s' if waiting != 1 else ''} waiting" \
                if waiting else "nothing waiting for you at the moment"
            lines.append(line(f"Answer partnership requests from other schools ({wait}).", "View Partnerships",
                              reverse("partnerships:list")))
        else:
            lines.append(line("Look for schools like yours; your head teacher (the Learning Partner "
                              "Administrator) proposes partnerships.", "Find Partners",
                              reverse("insight:find_partners")))
            lines.append(line("Follow your leavers' destinations.", "Destinations", reverse("destinations:index")))
    elif role == Role.MCMC_OFFICER:
        lines.append(line(f"Work through your caseload: young people from {place}'s schools whose destination is "
                          "unknown or not sustained.", "Your caseload", reverse("destinations:caseload")))
        lines.append(line("Record contacts, destinations and participation on each young person's page; the "
                          "destination measures update as you go.", "Destinations", reverse("destinations:index")))
        if lead:
            lines.append(line(f"Compare {place}'s schools.", "Authority benchmarks", lead["url"]))
    elif role in (Role.AUTHORITY_ANALYST, Role.NATIONAL_ANALYST):
        if lead:
            lines.append(line(f"Benchmarks for {place}: every school or authority over five years, with "
                              "exports.", lead["label"], lead["url"]))
        lines.append(line("Initial and follow-up destinations and annual participation.", "Destinations",
                          reverse("destinations:index")))
        lines.append(line("How every figure is worked out and when numbers are withheld.", "Methodology",
                          reverse("insight:methodology")))
    elif role == Role.DATA_MANAGER:
        lines.append(line(f"Load learners, results, leavers and destinations for {place}; every file is checked "
                          "and loaded all or nothing.", "Imports", reverse("datahub:import_index")))
        lines.append(line("Look up establishments and correct records.", "Data hub", reverse("datahub:index")))
        if scope_for(request.user).import_national:  # the reference data page's rule
            lines.append(line("Load the newest school list and SIMD as the Scottish Government publishes them.",
                              "Reference data", reverse("datahub:reference_data")))
        if can_manage_benchmark_runs(request.user):
            lines.append(line("Start a benchmark run, check it against the published figures and publish it with a "
                              "release note.", "Benchmark runs", reverse("insight:runs")))
        elif can_read_benchmark_runs(request.user):
            lines.append(line("Check each benchmark run before a national data manager publishes it.",
                              "Benchmark runs", reverse("insight:runs")))
        elif lead:
            lines.append(line("See the published figures.", lead["label"], lead["url"]))
    return lines
