"""Top-level pages: the dashboard, the accessibility statement and a health check."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.generic import TemplateView

from datahub import disclosure
from datahub.access import Entitlement, authority_entitlement, entitlement_for
from datahub.models import AUTHORITY_ROLES, Establishment, EstablishmentType, LocalAuthority, SchoolLeaver
from datahub.selectors import leaver_cohorts
from datahub.views_base import PortalView
from destinations.selectors import destination_summaries

from .views_dashboards import home_lead


class DashboardView(PortalView, TemplateView):
    """The signed-in user's home: their active school, authority or Scotland. Any portal user.

    It leads into the benchmarking dashboards for the active membership: a school's staff to
    their school's dashboard, authority staff to the authority dashboard, national analysts to
    the national view (insight.views_dashboards.home_lead).
    """

    template_name = "insight/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        m = self.request.membership  # type: ignore[attr-defined]
        ctx["explanation"] = disclosure.explanation()
        ctx.update(home_lead(self.request))
        if m.establishment_id:
            ctx.update(self._establishment(m.establishment))
        elif m.authority_id:
            ctx.update(self._authority(m.authority))
        else:
            ctx.update(self._national())
        return ctx

    def _establishment(self, est: Establishment) -> dict[str, Any]:
        ent = entitlement_for(self.request.user, est)
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

    def _authority(self, authority: LocalAuthority) -> dict[str, Any]:
        ent = authority_entitlement(self.request.user, authority)
        schools = list(Establishment.objects.filter(authority=authority, type=EstablishmentType.SECONDARY))
        ids = [s.id for s in schools]
        latest = SchoolLeaver.objects.filter(establishment_id__in=ids).order_by("-leaver_year").values_list(
            "leaver_year", flat=True
        ).first()
        counts: dict[int, int] = {}
        if latest is not None:  # no leavers in these schools: no counts
            counts = {
                r["establishment_id"]: r["n"]
                for r in SchoolLeaver.objects.filter(establishment_id__in=ids, leaver_year=latest)
                .values("establishment_id")
                .annotate(n=Count("id"))
                .order_by()
            }
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
        return {"scope_kind": "authority", "authority": authority, "latest_year": latest, "school_rows": rows,
                "is_authority_role": self.request.membership.role in AUTHORITY_ROLES}  # type: ignore[attr-defined]

    def _national(self) -> dict[str, Any]:
        latest = SchoolLeaver.objects.order_by("-leaver_year").values_list("leaver_year", flat=True).first()
        counts: dict[int, int] = defaultdict(int)
        if latest is not None:  # no leavers at all: no counts
            for r in (
                SchoolLeaver.objects.filter(leaver_year=latest)
                .values("establishment__authority_id")
                .annotate(n=Count("id"))
                .order_by()
            ):
                counts[r["establishment__authority_id"]] = r["n"]
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


class AccessibilityView(TemplateView):
    """The accessibility statement: public, linked from every footer."""

    template_name = "accessibility.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["accessibility_contact_email"] = settings.ACCESSIBILITY_CONTACT_EMAIL
        return ctx


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability for load balancers and docker-compose. Public, no data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
