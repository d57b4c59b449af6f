"""The reference data page: national data managers load the published school list and SIMD,
and see which subjects have no curricular area yet (they edit areas in the Django admin).

GET shows what is loaded, from which source and under which licence; POST takes a file of one
of the two kinds and answers on the same page with the counts, or every refused row.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.generic import TemplateView

from ..models import Department, Establishment, Membership, Role, SimdDataZone, Subject, User
from ..views_base import PortalView
from .files import SCHOOL_LIST_SOURCE, SIMD_SOURCE, ReferenceDataError, reference_files
from .schools import school_list_load
from .simd import simd_load

MAX_BYTES = 20_000_000
SHOWN_PROBLEMS = 200


def is_national_data_manager(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(user_id=user.id, role=Role.DATA_MANAGER,
                                     establishment__isnull=True, authority__isnull=True).exists()


class ReferenceDataView(PortalView, TemplateView):
    """National data managers only (403 for everyone else, whatever their role)."""

    template_name = "datahub/reference_data.html"
    required_roles = (Role.DATA_MANAGER,)

    def check_access(self, request: HttpRequest, **kwargs: Any) -> None:
        if not is_national_data_manager(request.user):
            raise PermissionDenied("Only a national data manager may load reference data.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        listed = Establishment.objects.filter(listed_year__isnull=False)
        ctx.update(
            school_source=SCHOOL_LIST_SOURCE, simd_source=SIMD_SOURCE, folder_files=reference_files(),
            listed_year=listed.order_by("-listed_year").values_list("listed_year", flat=True).first(),
            open_count=listed.filter(closed_on__isnull=True).count(),
            closed_count=listed.filter(closed_on__isnull=False).count(),
            # The demo on real schools writes the schools it chose from the list, marked synthetic.
            demo_count=listed.filter(synthetic=True).count(),
            departments=sorted(Counter(Department.objects.filter(establishment__in=listed)
                                       .values_list("type", flat=True)).items()),
            zones=SimdDataZone.objects.count(),
            # Subjects in no curricular area count in none on the Curricular areas pages: name them.
            subjects_without_area=list(Subject.objects.filter(curricular_area="").order_by("code")),
        )
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        what = request.POST.get("what", "")
        upload = request.FILES.get("file")
        ctx = self.get_context_data()
        if what not in ("school_list", "simd"):
            ctx["error"] = "Choose which file this is: the school contact list or SIMD by data zone."
        elif upload is None:
            ctx["error"] = "Choose a CSV file to upload."
        elif upload.size is not None and upload.size > MAX_BYTES:
            ctx["error"] = f"The file is larger than {MAX_BYTES // 1_000_000} MB: is it the right file?"
        else:
            by = request.user if isinstance(request.user, User) else None
            try:
                year = int(request.POST["year"]) if request.POST.get("year", "").isdigit() else None
                if what == "school_list":
                    report = school_list_load(fh=upload, file_name=upload.name or "", year=year, by=by)
                else:
                    report = simd_load(fh=upload, file_name=upload.name or "", by=by)  # type: ignore[assignment]
                ctx["result"] = report.lines()
            except ReferenceDataError as exc:
                ctx["error"] = str(exc)
                ctx["problems"] = exc.problems[:SHOWN_PROBLEMS]
                ctx["more_problems"] = max(0, len(exc.problems) - SHOWN_PROBLEMS)
            ctx.update(self.get_context_data())  # the figures after the load
        return self.render_to_response(ctx, status=200 if "result" in ctx else 400)
