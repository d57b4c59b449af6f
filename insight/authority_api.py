"""The integration API's read of an authority's curricular areas, its schools side by side:
``GET /api/v1/authorities/{code}/curricular-areas/?stage=S4&grade=AD&area=languages&year=2024``.

Who may use it: whoever may open the authority's page (``insight.entitlement.
may_use_authority_dashboards``: analysts, MCMC officers, authority and national data managers),
for any authority; anyone else with a portal role gets 403, an unknown authority 404. The
figures are the page's (``insight.selectors.local_authority``): each school in full to callers
entitled to it (the authority's own staff, its staff, its learning partners) and withheld (null)
from everyone else; the authority, collaborative and Scotland in full to the authority's own
staff and otherwise as ``insight.selectors.local_aggregates`` decides for the caller. Not audited, as
the page's views are not (its downloads are). A bad parameter is a 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from datahub.api_base import PortalRolePermission
from datahub.models import Establishment, EstablishmentType, LocalAuthority

from .api import AREA_PARAMETERS, ParameterErrorSerializer, SideSerializer, _bad, _side, area_parameters
from .benchmarking import columns as c
from .entitlement import may_use_authority_dashboards
from .pages.areas import AREAS
from .selectors.areas import curricular_area_years
from .selectors.dashboards import latest_run, run_collaborative
from .selectors.figures import Viewer
from .selectors.local_authority import authority_curricular_area, authority_entitlements

_ROW = inline_serializer("AuthorityAreaRow", {
    "level": serializers.CharField(help_text="school, authority, collaborative or scotland"),
    "seed_code": serializers.CharField(allow_null=True, help_text="The school's SEED code (null for the others)"),
    "name": serializers.CharField(),
    "figures": SideSerializer(),
}, many=True)
_RESPONSE = inline_serializer("AuthorityCurricularAreas", {
    "authority_code": serializers.IntegerField(), "authority": serializers.CharField(),
    "run": serializers.IntegerField(allow_null=True), "years": serializers.ListField(child=serializers.IntegerField()),
    "year": serializers.IntegerField(allow_null=True), "stage": serializers.CharField(),
    "grade_filter": serializers.CharField(), "curricular_area": serializers.CharField(),
    "rows": _ROW,
})


class AuthorityCurricularAreasAPIView(APIView):
    """One curricular area of every secondary school of an authority, with the authority, its
    collaborative and Scotland, per SCQF level: as the authority's page shows them."""

    permission_classes = [PortalRolePermission]
    read_roles = None  # any portal role passes here; the view asks who may use authority dashboards

    @extend_schema(
        operation_id="authority_curricular_areas_retrieve",
        parameters=[
            OpenApiParameter("code", OpenApiTypes.INT, OpenApiParameter.PATH, description="The authority's code"),
            *AREA_PARAMETERS,
            OpenApiParameter("area", OpenApiTypes.STR, enum=list(AREAS), description="Curricular area (default languages)"),
        ],
        responses={200: _RESPONSE,
                   400: OpenApiResponse(ParameterErrorSerializer, description="A parameter is invalid (named in detail)"),
                   403: OpenApiResponse(description="The caller may not use authority dashboards"),
                   404: OpenApiResponse(description="No authority has this code")},
    )
    def get(self, request: Request, code: int) -> Response:
        if not may_use_authority_dashboards(request.user):
            raise PermissionDenied("Authority views are for analysts and authority staff.")
        authority = get_object_or_404(LocalAuthority, code=code)
        area = request.query_params.get("area", "languages")
        run = latest_run()
        years = curricular_area_years(run) if run is not None else []
        stage, grade, year, errors = area_parameters(request, years)
        if area not in AREAS:
            errors["area"] = [f"must be one of {', '.join(AREAS)}."]
        if errors:
            return _bad(errors)
        schools = list(Establishment.objects.filter(authority=authority, type=EstablishmentType.SECONDARY)
                       .order_by("name"))
        collaborative = run_collaborative(run, authority) if run is not None else None
        viewer = Viewer(request.user)
        grid = ({} if run is None or year is None else authority_curricular_area(
            run, viewer, schools, authority, collaborative_id=collaborative.pk if collaborative else None, year=year,
            stage=stage, grade_filter=grade, area=area, entitlements=authority_entitlements(viewer, authority, schools)))
        rows: list[dict[str, Any]] = [{"level": "school", "seed_code": s.seed_code, "name": s.name,
                 "figures": _side(grid.get((c.COHORT_ESTABLISHMENT, s.pk)))} for s in schools]
        rows.append({"level": "authority", "seed_code": None, "name": authority.name,
                     "figures": _side(grid.get((c.COHORT_AUTHORITY, authority.pk)))})
        if collaborative is not None:
            rows.append({"level": "collaborative", "seed_code": None, "name": collaborative.name,
                         "figures": _side(grid.get((c.COHORT_COLLABORATIVE, collaborative.pk)))})
        rows.append({"level": "scotland", "seed_code": None, "name": "Scotland",
                     "figures": _side(grid.get((c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID)))})
        return Response({"authority_code": authority.code, "authority": authority.name,
                         "run": run.pk if run is not None else None, "years": years, "year": year, "stage": stage,
                         "grade_filter": grade, "curricular_area": area, "rows": rows})
