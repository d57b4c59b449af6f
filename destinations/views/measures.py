"""Destination measures pages: the index (known and positive destinations for the place the user
works as: a school, an authority or Scotland) and one school's page with breakdowns.

Every figure passes disclosure control with the viewer's entitlement. The place comes from the
query when it names one (``school=<SEED>``, ``authority=<code>`` or ``scope=scotland``: what a
shared link carries, datahub.sharing), otherwise from the active membership ("Viewing as").
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from datahub import disclosure
from datahub.access import (
    Entitlement,
    authority_entitlement,
    covers_authority,
    entitlement_for,
    require_establishment,
    scope_for,
)
from datahub.models import Establishment, LocalAuthority
from datahub.sharing import share_url
from datahub.views_base import PortalView

from ..access import audit_authority_ids, mcmc_authority_ids
from ..measures import measure_cells
from ..selectors import (
    BREAKDOWNS,
    CASELOAD_MAX_AGE,
    breakdown_values,
    caseload_status_counts,
    destination_measures,
    leaver_years,
    scotland_measures,
)
from ..services import case_sync


def _year(request: HttpRequest, years: list[int]) -> int | None:
    raw = request.GET.get("year", "")
    if raw.isdigit() and int(raw) in years:
        return int(raw)
    return years[0] if years else None


def _year_label(y: int) -> str:
    return f"{y - 1}/{str(y)[2:]}"


class DestinationsIndexView(PortalView, TemplateView):
    """Known and positive destinations for the place the user is working as. Any portal user;
    every figure passes disclosure control with the viewer's entitlement."""

    template_name = "destinations/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        m = self.request.membership  # type: ignore[attr-defined]
        ctx["explanation"] = disclosure.explanation()
        ctx["is_mcmc"] = bool(mcmc_authority_ids(user))
        ctx["max_age"] = CASELOAD_MAX_AGE
        ctx["reads_audit"] = audit_authority_ids(user) != set()
        if ctx["is_mcmc"]:
            case_sync()
            ctx["caseload_counts"] = caseload_status_counts(user)  # type: ignore[arg-type]
        school, authority, scotland = self._place_asked()
        if school is not None or (authority is None and not scotland and m.establishment_id):
            ctx.update(self._establishment(school or m.establishment))
        elif authority is not None or (not scotland and m.authority_id):
            ctx.update(self._authority(authority or m.authority))
        else:
            ctx.update(self._national())
        ctx["share_url"] = self._share_url(ctx)
        ctx["any_suppressed"] = ctx["any_suppressed"] or any(r["any_suppressed"] for r in ctx.get("totals", []))
        # Stated at the top of a printout (templates/includes/_print_filters.html).
        place = ctx.get("establishment") or ctx.get("authority")
        ctx["print_filters"] = [("Destinations of leavers from", str(place.name) if place else "Scotland")]
        if ctx.get("year_label"):
            ctx["print_filters"].append(("Year of leaving", ctx["year_label"]))
        return ctx

    def _place_asked(self) -> tuple[Establishment | None, LocalAuthority | None, bool]:
        """The place the query names, when the user may open it: a school they cover or hold a
        membership at, an authority likewise (404 otherwise), or Scotland for national roles and
        anyone with a membership of no particular place (403 otherwise). So a link opens what
        the opener could reach through "Viewing as", and nothing else."""
        user, g = self.request.user, self.request.GET
        memberships = self.request.memberships  # type: ignore[attr-defined]
        school = authority = None
        seed, code = g.get("school", ""), g.get("authority", "")
        if seed:
            school = Establishment.objects.select_related("authority").filter(seed_code=seed).first()
            if school is None:
                raise Http404("No such establishment")
            if not any(m.establishment_id == school.id for m in memberships):
                require_establishment(user, school)
        elif code.isdigit():
            authority = LocalAuthority.objects.filter(code=int(code)).first()
            if authority is None or not (covers_authority(user, authority)
                                         or any(m.authority_id == authority.id for m in memberships)):
                raise Http404("No such authority")
        scotland = school is None and authority is None and g.get("scope") == "scotland"
        if scotland and not (scope_for(user).national
                             or any(not m.establishment_id and not m.authority_id for m in memberships)):
            raise PermissionDenied("Destinations for all of Scotland are for national roles")
        return school, authority, scotland

    def _share_url(self, ctx: dict[str, Any]) -> str:
        """This page's link with the place and year it shows (the place always named, so the link
        does not depend on the opener's active membership)."""
        kind = ctx["scope_kind"]
        place = ({"school": ctx["establishment"].seed_code} if kind == "establishment"
                 else {"authority": ctx["authority"].code} if kind == "authority" else {"scope": "scotland"})
        return share_url(self.request, self.request.path, {**place, "year": ctx.get("year") or ""})

    def _establishment(self, est: Establishment) -> dict[str, Any]:
        ent = entitlement_for(self.request.user, est)
        years = leaver_years(establishment_ids=[est.id])
        data = destination_measures(level="establishment", ids=[est.id], years=years)
        rows = [{"year": y, "label": _year_label(y), **measure_cells(data.get((est.id, y, None)), ent)} for y in years]
        return {"scope_kind": "establishment", "establishment": est, "rows": rows, "latest": rows[0] if rows else None,
                "any_suppressed": any(r["any_suppressed"] for r in rows)}

    def _authority(self, authority: LocalAuthority) -> dict[str, Any]:
        user = self.request.user
        years = leaver_years(authority_ids=[authority.id])
        year = _year(self.request, years)
        schools = list(Establishment.objects.filter(authority=authority, leavers__leaver_year=year).distinct()
                       .order_by("name")) if year else []
        data = destination_measures(level="establishment", ids=[s.id for s in schools], years=[year] if year else [])
        covers = covers_authority(user, authority)
        rows = [
            {"establishment": s, "label": s.name,
             "url": reverse("destinations:school", kwargs={"seed": s.seed_code}) if covers else None,
             **measure_cells(data.get((s.id, year, None)), entitlement_for(user, s))}
            for s in schools
        ]
        total = destination_measures(level="authority", ids=[authority.id], years=[year] if year else [])
        scotland = scotland_measures(level="national", years=[year] if year else [])
        return {
            "scope_kind": "authority", "authority": authority, "year": year, "years": years,
            "year_label": _year_label(year) if year else "", "rows": rows,
            "totals": [
                {"label": f"{authority.name}: all schools",
                 **measure_cells(total.get((authority.id, year, None)), authority_entitlement(user, authority))},
                {"label": "Scotland", **measure_cells(scotland.get((None, year, None)), Entitlement.PUBLIC)},
            ],
            "any_suppressed": any(r["any_suppressed"] for r in rows),
            "covers": covers,
        }

    def _national(self) -> dict[str, Any]:
        years = leaver_years()
        year = _year(self.request, years)
        data = scotland_measures(level="authority", years=[year] if year else [])
        base = reverse("destinations:index")
        user = self.request.user
        # An authority's page only for those it covers (a national user administrator sees Scotland's
        # public figures here but no authority's page: the link would answer 404).
        rows = [
            {"authority": la, "label": la.name,
             "url": f"{base}?{urlencode({'authority': la.code, 'year': year or ''})}" if covers_authority(user, la)
             else None,
             **measure_cells(data.get((la.id, year, None)), authority_entitlement(user, la))}
            for la in LocalAuthority.objects.order_by("name")
        ]
        scotland = scotland_measures(level="national", years=[year] if year else [])
        return {"scope_kind": "national", "year": year, "years": years,
                "year_label": _year_label(year) if year else "", "rows": rows,
                "totals": [{"label": "Scotland", **measure_cells(scotland.get((None, year, None)), Entitlement.PUBLIC)}],
                "any_suppressed": any(r["any_suppressed"] for r in rows)}


class SchoolMeasuresView(PortalView, TemplateView):
    """A school's destination measures by year and with breakdowns, beside its authority and
    Scotland: anyone whose memberships cover the school (outsiders 404)."""

    template_name = "destinations/school.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        est = get_object_or_404(Establishment.objects.select_related("authority"), seed_code=kwargs["seed"])
        require_establishment(user, est)
        ent = entitlement_for(user, est)
        auth_ent = authority_entitlement(user, est.authority)
        years = leaver_years(establishment_ids=[est.id])
        year = _year(self.request, years)
        breakdown = self.request.GET.get("breakdown", "sex")
        if breakdown not in BREAKDOWNS:
            breakdown = "sex"
        by_year = destination_measures(level="establishment", ids=[est.id], years=years)
        year_rows = [{"year": y, "label": _year_label(y), **measure_cells(by_year.get((est.id, y, None)), ent)}
                     for y in years]
        rows: list[dict[str, Any]] = []
        if year:
            school = destination_measures(level="establishment", ids=[est.id], years=[year], breakdown=breakdown)
            area = destination_measures(level="authority", ids=[est.authority_id], years=[year], breakdown=breakdown)
            nation = scotland_measures(level="national", years=[year], breakdown=breakdown)
            values = breakdown_values(breakdown)
            s_measures = [school.get((est.id, year, v)) for v in values]
            a_measures = [area.get((est.authority_id, year, v)) for v in values]
            s_hidden = disclosure.suppress_table([m.leavers if m else 0 for m in s_measures],
                                                 sum(m.leavers for m in s_measures if m), ent)
            a_hidden = disclosure.suppress_table([m.leavers if m else 0 for m in a_measures],
                                                 sum(m.leavers for m in a_measures if m), auth_ent)
            label = BREAKDOWNS[breakdown][2]
            for i, v in enumerate(values):
                rows.append({
                    "label": label(v),
                    "school": measure_cells(s_measures[i], ent, hide=s_hidden[i]),
                    "authority": measure_cells(a_measures[i], auth_ent, hide=a_hidden[i]),
                    "scotland": measure_cells(nation.get((None, year, v)), Entitlement.PUBLIC),
                })
        ctx.update(
            establishment=est, years=years, year=year, year_label=_year_label(year) if year else "",
            breakdown=breakdown, breakdowns=[(k, v[0]) for k, v in BREAKDOWNS.items()],
            breakdown_label=BREAKDOWNS[breakdown][0], year_rows=year_rows, rows=rows,
            explanation=disclosure.explanation(),
            share_url=share_url(self.request, self.request.path, {"year": year or "", "breakdown": breakdown}),
            print_filters=[("Establishment", f"{est.name} ({est.seed_code})"),
                           ("Groups of leavers", BREAKDOWNS[breakdown][0]),
                           ("Year of leaving for the groups", _year_label(year) if year else "none")],
            any_suppressed=any(r["any_suppressed"] for r in year_rows)
            or any(r[k]["any_suppressed"] for r in rows for k in ("school", "authority", "scotland")),
        )
        return ctx
