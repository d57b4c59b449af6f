"""The readiness measures page and its CSV: aggregates only, for every role whose memberships reach
a place's figures (destinations.access.may_read_readiness_measures), analysts included.

The place comes from the query (``school=<SEED>``, ``authority=<code>``, ``scope=scotland``: what
a shared link carries) or else from the active membership. A school or authority the user does
not cover is not found (404); Scotland is for national roles (403).
"""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from datahub import disclosure
from datahub.access import (
    authority_entitlement,
    covers_authority,
    covers_establishment,
    entitlement_for,
    scope_for,
)
from datahub.models import Establishment, LocalAuthority, Role
from datahub.services import audit_event_create
from datahub.sharing import share_url
from datahub.spreadsheet import neutralise
from datahub.views_base import PortalView

from ..access import may_read_readiness_measures
from .measures import measures_session
from .measures_page import MeasuresPage, authority_page, csv_rows, establishment_page, national_page

Place = Establishment | LocalAuthority | None  # None: Scotland


class MeasuresMixin:
    request: HttpRequest

    def check_access(self, request: HttpRequest, **kwargs: Any) -> None:
        if not may_read_readiness_measures(request.user):
            raise PermissionDenied("The readiness measures are for roles that see a school's or an authority's figures.")

    def place(self) -> Place:
        user, g = self.request.user, self.request.GET
        if g.get("school"):
            est = Establishment.objects.select_related("authority").filter(seed_code=g["school"]).first()
            if est is None or not covers_establishment(user, est):
                raise Http404("No such establishment")
            return est
        if g.get("authority"):
            code = g["authority"]
            la = LocalAuthority.objects.filter(code=int(code)).first() if code.isdigit() else None
            if la is None or not covers_authority(user, la):
                raise Http404("No such authority")
            return la
        if g.get("scope") == "scotland":
            if not scope_for(user).national:
                raise PermissionDenied("The measures for all of Scotland are for national roles")
            return None
        return self._default_place()

    def _default_place(self) -> Place:
        """The active membership's place, else the first membership that reaches figures."""
        memberships = [self.request.membership, *self.request.memberships]  # type: ignore[attr-defined]
        for m in memberships:
            if m is None or not may_read_readiness_measures_for(m):
                continue
            if m.establishment_id:
                return Establishment.objects.select_related("authority").get(pk=m.establishment_id)
            if m.authority_id:
                return LocalAuthority.objects.get(pk=m.authority_id)
            return None
        raise PermissionDenied("No place to show")

    def page(self) -> MeasuresPage:
        place, user, today = self.place(), self.request.user, timezone.localdate()
        week = self.request.GET.get("week", "")
        if isinstance(place, Establishment):
            session = measures_session(today=today, establishment_ids=[place.id])
            return establishment_page(place, entitlement_for(user, place), session=session, today=today, week=week)
        if isinstance(place, LocalAuthority):
            session = measures_session(today=today, authority_ids=[place.id])
            base = reverse("destinations:readiness_measures")
            return authority_page(place, authority_entitlement(user, place), session=session, today=today, week=week,
                                  school_url=lambda s: f"{base}?{urlencode({'school': s.seed_code})}",
                                  school_ent=lambda s: entitlement_for(user, s))
        base = reverse("destinations:readiness_measures")
        return national_page(session=measures_session(today=today), today=today, week=week,
                             authority_url=lambda a: f"{base}?{urlencode({'authority': a.code})}",
                             authority_ent=lambda a: authority_entitlement(user, a))

    def place_query(self, place: Place) -> dict[str, str]:
        if isinstance(place, Establishment):
            return {"school": place.seed_code}
        if isinstance(place, LocalAuthority):
            return {"authority": str(place.code)}
        return {"scope": "scotland"}


def may_read_readiness_measures_for(m: Any) -> bool:
    """A membership that reaches figures (not a user administrator's)."""
    return bool(m.role != Role.USER_ADMIN)


class ReadinessMeasuresView(MeasuresMixin, PortalView, TemplateView):
    """Expected leavers with a known intended destination and with an accepted offer, week by week,
    against the same week last session."""

    template_name = "destinations/pathways/measures.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        place = self.place()
        page = self.page()
        query = {**self.place_query(place), "week": str(page.week)}
        weeks = page.weekly_rows()
        ctx.update(page=page, weekly=weeks, units=page.unit_rows(), week_row=weeks[page.week - 1],
                   latest=weeks[page.this_weeks - 1], known_chart=page.chart("known"),
                   accepted_chart=page.chart("accepted"), explanation=disclosure.explanation(),
                   any_suppressed=page.any_suppressed(), week_choices=weeks[: page.this_weeks],
                   place_query=self.place_query(place),
                   export_query=urlencode(self.place_query(place)),
                   share_url=share_url(self.request, self.request.path, query),
                   print_filters=[("Readiness measures for", page.name), ("Session", page.labels["this"]),
                                  ("Schools or authorities at", f"week {page.week}")])
        return ctx


class ReadinessMeasuresExportView(MeasuresMixin, PortalView, View):
    """GET: the place's weekly figures and its units' as CSV (withheld figures as ``c``), audited."""

    def get(self, request: HttpRequest) -> HttpResponse:
        place = self.place()
        page = self.page()
        audit_event_create(actor=request.user, action="readiness_measures_export",  # type: ignore[arg-type]
                           object_type="readiness_measures", object_id=page.name[:60],
                           establishment=place if isinstance(place, Establishment) else None,
                           authority=place if isinstance(place, LocalAuthority) else None,
                           detail={"place": self.place_query(place), "session": page.labels["this"]})
        today = timezone.localdate()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="readiness-measures-{today:%Y-%m-%d}.csv"'
        response["Cache-Control"] = "no-store"
        response.write("\ufeff")
        writer = csv.writer(response)
        for values in csv_rows(page):
            writer.writerow([neutralise(v) for v in values])
        return response
