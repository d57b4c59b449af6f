"""The Course Comparator in the integration API: ``GET /api/v1/courses/{seed_code}/``.

Who may use it: any portal user with a role, for the schools inside their memberships (every one
for national roles) and their schools' learning partners; any other school is not found (404), as
elsewhere in the API. The figures are those the pages show the caller (insight.selectors.courses):
graded course measures only for the school's own staff, its authority and its learning partners
(``null`` with ``graded_shown: false`` for everyone else); entries of 1 to 4 as ``"c"`` for
those not entitled to them. Every call is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from datahub.api_base import PortalRolePermission
from datahub.models import Establishment, EstablishmentType
from datahub.selectors import establishments_for
from datahub.services import audit_event_create
from partnerships.selectors import partner_establishment_ids

from .benchmarking import columns as c
from .entitlement import own_establishment_ids
from .selectors.courses import Figures, course_years, graded_shown, school_courses
from .selectors.dashboards import latest_run
from .selectors.figures import Viewer

_SHOWN = serializers.JSONField(help_text="A number, \"c\" (withheld: fewer than five) or null (not shown / no data)")
_LEVEL = inline_serializer("CourseFigures", {
    "entries": _SHOWN, "pct_a": _SHOWN, "pct_ab": _SHOWN, "pct_ac": _SHOWN, "pct_ad": _SHOWN, "pct_pass": _SHOWN,
    "grade_diff": _SHOWN, "n_compared": _SHOWN,
}, allow_null=True)
_RESPONSE = inline_serializer("SchoolCourses", {
    "seed_code": serializers.CharField(), "year": serializers.IntegerField(), "stage": serializers.CharField(),
    "graded_shown": serializers.BooleanField(),
    "courses": inline_serializer("CourseRow", {
        "subject_code": serializers.CharField(), "subject": serializers.CharField(),
        "award_type": serializers.CharField(), "scqf_level": serializers.IntegerField(),
        "vocational": serializers.BooleanField(), "school": _LEVEL, "virtual_comparator": _LEVEL,
    }, many=True),
})


def _value(cell: Any) -> Any:
    if cell.suppressed:
        return "c"
    v = cell.value
    return None if v is None or v != v else (round(v, 4) if isinstance(v, float) else v)


def _level(f: Figures | None) -> dict | None:
    if f is None:
        return None
    out: dict[str, Any] = {"entries": "c" if f.entries_hidden else int(f.row["n_entries"])}
    for name, column in (("pct_a", "n_a"), ("pct_ab", "n_ab"), ("pct_ac", "n_ac"), ("pct_ad", "n_ad"),
                         ("pct_pass", "n_pass")):
        out[name] = None if f.graded_hidden else _value(f.percent(column))
    out["grade_diff"] = None if f.graded_hidden else _value(f.grade_diff())
    out["n_compared"] = None if f.graded_hidden else _value(f.compared())
    return out


class CourseViewSet(viewsets.ViewSet):
    """A school's courses in one diet year and cohort (the Course Comparator)."""

    permission_classes = [PortalRolePermission]
    lookup_field = "seed_code"
    lookup_value_regex = "[0-9]{7}"

    @extend_schema(responses=_RESPONSE, parameters=[
        OpenApiParameter("year", int, description="Year of the diet (default: the latest the published run holds)"),
        OpenApiParameter("stage", str, enum=list(c.COHORT_STAGES), description="Cohort (default S4)"),
    ])
    def retrieve(self, request: Request, seed_code: str) -> Response:
        user = request.user
        partners = partner_establishment_ids(own_establishment_ids(user))
        scoped = (Establishment.objects.filter(type=EstablishmentType.SECONDARY)
                  .filter(Q(pk__in=establishments_for(user).values("pk")) | Q(pk__in=partners)))
        est = scoped.select_related("authority").filter(seed_code=seed_code).first()
        if est is None:
            raise NotFound("No such secondary school in your scope.")
        run = latest_run()
        years = course_years(run) if run is not None else []
        stage = request.query_params.get("stage", c.STAGE_S4)
        if stage not in c.COHORT_STAGES:
            raise ValidationError({"stage": f"must be one of {', '.join(c.COHORT_STAGES)}"})
        raw_year = request.query_params.get("year", str(years[-1]) if years else "")
        if raw_year and (not raw_year.isdigit() or int(raw_year) not in years):
            raise ValidationError({"year": f"must be one of the published run's years: {', '.join(map(str, years))}"})
        ent = Viewer(user).establishment(est)
        rows = (school_courses(run, est, year=int(raw_year), stage=stage, entitlement=ent)
                if run is not None and raw_year else [])
        audit_event_create(actor=user, action="api_view_courses", object_type="establishment",
                           object_id=est.seed_code, establishment=est,
                           detail={"entitlement": ent.value, "year": raw_year, "stage": stage})
        return Response({
            "seed_code": est.seed_code, "year": int(raw_year) if raw_year else None, "stage": stage,
            "graded_shown": graded_shown(ent),
            "courses": [{"subject_code": course.subject_code, "subject": course.subject_name,
                         "award_type": course.award_type, "scqf_level": course.scqf_level,
                         "vocational": course.vocational, "school": _level(own), "virtual_comparator": _level(vc)}
                        for course, own, vc in rows],
        })
