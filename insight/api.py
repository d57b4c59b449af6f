"""The integration API's reads of the local measures: a school's curricular areas and its Breadth and Depth.

``GET /api/v1/curricular-areas/{seed_code}/?stage=S4&grade=AD&year=2024`` and
``GET /api/v1/breadth-depth/{seed_code}/?stage=S4&grade=AD&credits=0&year=2024``: who may use them
is who may open the pages (insight.views.areas, insight.views.breadth): any portal user (signed in with a role, two-factor
authentication set up where required), for any secondary school; another school is not found
(404) only when it is not a secondary school. The figures are the page's, after the same
disclosure control for the caller (``insight.selectors.local_aggregates``); a read by anyone but the
school's own staff is written to the audit log, as a page view is. A bad parameter is a 400
whose ``detail`` names the field and the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from datahub.access import Entitlement
from datahub.api_base import PortalRolePermission
from datahub.models import Establishment, EstablishmentType
from datahub.services import audit_event_create

from .benchmarking import columns as c
from .pages.areas import AREAS, GRADES
from .selectors.areas import curricular_area_grid, curricular_area_years
from .selectors.breadth import Distribution, breadth_depth_grid, breadth_depth_years
from .selectors.dashboards import latest_run, run_collaborative
from .selectors.figures import Viewer

SIDES = {c.COHORT_ESTABLISHMENT: "school", c.COHORT_VC: "virtual_comparator", c.COHORT_AUTHORITY: "authority",
         c.COHORT_COLLABORATIVE: "collaborative", c.COHORT_NATIONAL: "scotland"}


class LevelSerializer(serializers.Serializer):
    scqf_level = serializers.IntegerField(help_text="SCQF level 3, 4, 5 or 6 or better, or 7")
    percent = serializers.FloatField(allow_null=True, help_text="Per cent of the cohort with an award in the area "
                                     "at this level or better; null when withheld or when there is no cohort")
    withheld = serializers.BooleanField(help_text="True when disclosure control withholds the figure from the caller")


class SideSerializer(serializers.Serializer):
    n_cohort = serializers.IntegerField(allow_null=True, help_text="Pupils in the cohort (for the virtual "
                                        "comparator: comparators drawn); null when withheld or absent")
    levels = LevelSerializer(many=True)


class AreaSerializer(serializers.Serializer):
    curricular_area = serializers.CharField()
    label = serializers.CharField()
    school = SideSerializer()
    virtual_comparator = SideSerializer()
    authority = SideSerializer()
    collaborative = SideSerializer(allow_null=True, help_text="The authority's Regional Improvement Collaborative "
                                   "in the run; null when the authority is in none")
    scotland = SideSerializer()


class CurricularAreasSerializer(serializers.Serializer):
    seed_code = serializers.CharField()
    establishment = serializers.CharField()
    authority = serializers.CharField()
    collaborative = serializers.CharField(allow_null=True, help_text="The authority's Regional Improvement "
                                          "Collaborative in the run (null: none)")
    run = serializers.IntegerField(allow_null=True, help_text="The published benchmark run the figures come from")
    years = serializers.ListField(child=serializers.IntegerField(), help_text="Years the run holds")
    year = serializers.IntegerField(allow_null=True)
    stage = serializers.CharField()
    grade_filter = serializers.CharField()
    areas = AreaSerializer(many=True)


# The query parameters of the curricular areas' endpoints (this one and insight.authority_api's).
AREA_PARAMETERS = [
    OpenApiParameter("stage", OpenApiTypes.STR, enum=list(c.COHORT_STAGES),
                     description="Cohort: S4, S5 or S6 (based on the S4 roll), or leavers (default S4)"),
    OpenApiParameter("grade", OpenApiTypes.STR, enum=list(GRADES),
                     description="Grades counted: A only, A-C (and passes) or A-D (default AD)"),
    OpenApiParameter("year", OpenApiTypes.INT, description="The cohort's year (default: the run's latest)"),
]


class ParameterErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


def _percents(d: Distribution | None, name: str, key: str, labels: Sequence[int]) -> dict[str, Any]:
    """A distribution as the API gives it: its cohort, and under ``name`` one entry per position
    (``key``: its label from ``labels``, in position order) with the percentage and whether it is withheld."""
    cells = []
    for position, label in enumerate(labels, start=1):
        cell = d.percent(position) if d is not None else None
        hidden = bool(cell is not None and cell.suppressed)
        value = None if cell is None or hidden or cell.value is None else round(float(cell.value), 1)
        cells.append({key: label, "percent": value, "withheld": hidden})
    total = d.cohort() if d is not None else None
    return {"n_cohort": None if total is None or total.suppressed else int(total.value or 0), name: cells}


def _side(d: Distribution | None) -> dict[str, Any]:
    """One curricular area's levels (level 3 or better first)."""
    return _percents(d, "levels", "scqf_level", c.BD_LEVELS)


def area_parameters(request: Request, years: list[int]) -> tuple[str, str, int | None, dict[str, list[str]]]:
    """The curricular areas' ``stage``, ``grade`` and ``year`` (default: the run's latest of
    ``years``), with a reason per bad field."""
    stage, grade = request.query_params.get("stage", c.STAGE_S4), request.query_params.get("grade", "AD")
    errors: dict[str, list[str]] = {}
    if stage not in c.COHORT_STAGES:
        errors["stage"] = [f"must be one of {', '.join(c.COHORT_STAGES)}."]
    if grade not in GRADES:
        errors["grade"] = [f"must be one of {', '.join(GRADES)}."]
    raw_year = request.query_params.get("year")
    year = years[-1] if years else None
    if raw_year is not None:
        if not raw_year.isdigit() or int(raw_year) not in years:
            errors["year"] = [f"must be one of the years the published run holds: {', '.join(map(str, years))}."
                              if years else "no published run holds curricular areas."]
        else:
            year = int(raw_year)
    return stage, grade, year, errors


def _bad(errors: dict[str, list[str]]) -> Response:
    detail = "; ".join(f"{field}: {' '.join(reasons)}" for field, reasons in errors.items())
    return Response({"detail": f"Invalid request: {detail}", "errors": errors}, status=status.HTTP_400_BAD_REQUEST)


class CurricularAreasAPIView(APIView):
    """A secondary school's curricular areas for one cohort, year and grade filter: the school, its
    virtual comparator, authority, collaborative and Scotland per area and level, as the page shows them."""

    permission_classes = [PortalRolePermission]
    read_roles = None  # any portal role, as the page

    @extend_schema(
        operation_id="curricular_areas_retrieve",
        parameters=[
            OpenApiParameter("seed_code", OpenApiTypes.STR, OpenApiParameter.PATH, description="The school's SEED code"),
            *AREA_PARAMETERS,
        ],
        responses={200: CurricularAreasSerializer,
                   400: OpenApiResponse(ParameterErrorSerializer, description="A parameter is invalid (named in detail)"),
                   404: OpenApiResponse(description="No secondary school has this SEED code")},
    )
    def get(self, request: Request, seed_code: str) -> Response:
        est = get_object_or_404(Establishment.objects.select_related("authority"), seed_code=seed_code,
                                type=EstablishmentType.SECONDARY)
        run = latest_run()
        years = curricular_area_years(run) if run is not None else []
        stage, grade, year, errors = area_parameters(request, years)
        if errors:
            return _bad(errors)
        viewer = _viewer_audited(request, est, "api_curricular_areas")
        collaborative = run_collaborative(run, est.authority) if run is not None else None
        grid = ({} if run is None or year is None else
                curricular_area_grid(run, est, viewer, stage=stage, grade_filter=grade,
                                     collaborative_id=collaborative.pk if collaborative else None))
        areas = [{"curricular_area": area, "label": label,
                  **{side: (None if cohort == c.COHORT_COLLABORATIVE and collaborative is None
                            else _side(grid.get((cohort, year or 0, area)))) for cohort, side in SIDES.items()}}
                 for area, label in AREAS.items()]
        body = {**_school_body(est, run, collaborative, years, year, stage, grade), "areas": areas}
        return Response(CurricularAreasSerializer(body).data)


# --- Breadth and Depth ---------------------------------------------------------------------------


class AwardsSerializer(serializers.Serializer):
    awards = serializers.IntegerField(help_text="k: members with k or more awards (1 to 10)")
    percent = serializers.FloatField(allow_null=True, help_text="Per cent of the cohort with k or more awards at "
                                     "this level or better; null when withheld or when there is no cohort")
    withheld = serializers.BooleanField(help_text="True when disclosure control withholds the figure from the caller")


class BreadthSideSerializer(serializers.Serializer):
    n_cohort = serializers.IntegerField(allow_null=True, help_text="Pupils in the cohort (for the virtual "
                                        "comparator: comparators drawn); null when withheld or absent")
    at_least = AwardsSerializer(many=True)


class BreadthLevelSerializer(serializers.Serializer):
    scqf_level = serializers.IntegerField(help_text="Awards at SCQF level 3, 4, 5 or 6 or better, or at level 7")
    school = BreadthSideSerializer()
    virtual_comparator = BreadthSideSerializer()
    authority = BreadthSideSerializer()
    collaborative = BreadthSideSerializer(allow_null=True, help_text="The authority's Regional Improvement "
                                          "Collaborative in the run; null when the authority is in none")
    scotland = BreadthSideSerializer()


class BreadthDepthSerializer(serializers.Serializer):
    seed_code = serializers.CharField()
    establishment = serializers.CharField()
    authority = serializers.CharField()
    collaborative = serializers.CharField(allow_null=True, help_text="The authority's Regional Improvement "
                                          "Collaborative in the run (null: none)")
    run = serializers.IntegerField(allow_null=True, help_text="The published benchmark run the figures come from")
    years = serializers.ListField(child=serializers.IntegerField(), help_text="Years the run holds")
    year = serializers.IntegerField(allow_null=True)
    stage = serializers.CharField()
    grade_filter = serializers.CharField()
    min_credits = serializers.IntegerField(help_text="Awards of at least this many SCQF credit points")
    levels = BreadthLevelSerializer(many=True)


def _breadth_side(d: Distribution | None) -> dict[str, Any]:
    """One level's "1 or more" ... "10 or more" awards."""
    return _percents(d, "at_least", "awards", range(1, c.BD_MAX_AWARDS + 1))


def _viewer_audited(request: Request, est: Establishment, page: str) -> Viewer:
    """The caller as a viewer; a read of anyone's school but their own is written to the audit log, as a page view is."""
    viewer = Viewer(request.user)
    ent = viewer.establishment(est)
    if ent is not Entitlement.OWN:
        audit_event_create(actor=request.user, action="view_establishment_benchmarks", object_type="establishment",
                           object_id=est.seed_code, establishment=est, detail={"entitlement": ent.value, "page": page})
    return viewer


def _school_body(est: Establishment, run: Any, collaborative: Any, years: list[int], year: int | None, stage: str,
                 grade: str) -> dict[str, Any]:
    """What both school endpoints say of the figures' school, run and choices."""
    return {"seed_code": est.seed_code, "establishment": est.name, "authority": est.authority.name,
            "collaborative": collaborative.name if collaborative else None,
            "run": run.pk if run is not None else None, "years": years, "year": year, "stage": stage,
            "grade_filter": grade}


class BreadthDepthAPIView(APIView):
    """A secondary school's Breadth and Depth for one cohort, year, grade filter and credit minimum:
    for each SCQF level, the school, its virtual comparator, authority, collaborative and Scotland,
    as the page shows them (``insight.pages.breadth``: the school's figures only to its own staff,
    its authority and its learning partners; the aggregates as ``insight.selectors.local_aggregates``
    decides for the caller)."""

    permission_classes = [PortalRolePermission]
    read_roles = None  # any portal role, as the page

    @extend_schema(
        operation_id="breadth_depth_retrieve",
        summary="A school's Breadth and Depth",
        parameters=[
            OpenApiParameter("seed_code", OpenApiTypes.STR, OpenApiParameter.PATH, description="The school's SEED code"),
            *AREA_PARAMETERS,
            OpenApiParameter("credits", OpenApiTypes.INT, enum=list(c.MIN_CREDIT_OPTIONS),
                             description="Count only awards of at least this many SCQF credit points (default 0)"),
        ],
        responses={200: BreadthDepthSerializer,
                   400: OpenApiResponse(ParameterErrorSerializer, description="A parameter is invalid (named in detail)"),
                   404: OpenApiResponse(description="No secondary school has this SEED code")},
    )
    def get(self, request: Request, seed_code: str) -> Response:
        est = get_object_or_404(Establishment.objects.select_related("authority"), seed_code=seed_code,
                                type=EstablishmentType.SECONDARY)
        run = latest_run()
        years = breadth_depth_years(run) if run is not None else []
        stage, grade, year, errors = area_parameters(request, years)
        raw_credits = request.query_params.get("credits", "0")
        if raw_credits not in {str(n) for n in c.MIN_CREDIT_OPTIONS}:
            errors["credits"] = [f"must be one of {', '.join(map(str, c.MIN_CREDIT_OPTIONS))}."]
        if errors:
            return _bad(errors)
        viewer = _viewer_audited(request, est, "api_breadth_depth")
        collaborative = run_collaborative(run, est.authority) if run is not None else None
        grid = ({} if run is None or year is None else
                breadth_depth_grid(run, est, viewer, stage=stage, grade_filter=grade, min_credits=int(raw_credits),
                                   collaborative_id=collaborative.pk if collaborative else None,
                                   aggregates={(year, level) for level in c.BD_LEVELS}))
        levels = [{"scqf_level": level,
                   **{side: (None if cohort == c.COHORT_COLLABORATIVE and collaborative is None
                             else _breadth_side(grid.get((cohort, year or 0, level)))) for cohort, side in SIDES.items()}}
                  for level in c.BD_LEVELS]
        body = {**_school_body(est, run, collaborative, years, year, stage, grade),
                "min_credits": int(raw_credits), "levels": levels}
        return Response(BreadthDepthSerializer(body).data)
