"""Insight's documents: the Summary PDF of an establishment.

Who may download it: whoever may open the establishment's dashboard (any portal user, for any
secondary school); its figures are the dashboard's for the same viewer (insight.pages.summary).
Every download is written to the audit log, as the table exports are.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from datahub.services import audit_event_create

from ..documents import PDF_TYPE, render_pdf
from ..pages.summary import summary_page
from .dashboards import EstablishmentDashboardView


class EstablishmentSummaryView(EstablishmentDashboardView):
    """A secondary school's Summary PDF: any portal user (as its dashboard); audited."""

    def get(self, request: HttpRequest, seed: str) -> HttpResponse:
        est = self.establishment(seed)
        page = summary_page(request, est)
        pdf = render_pdf(page.template, page.context)
        audit_event_create(actor=request.user, action="export_benchmarks",  # type: ignore[arg-type]
                           object_type="establishment", object_id=est.seed_code, establishment=est,
                           detail={"document": "summary", "format": "pdf",
                                   "entitlement": page.context["entitlement"].value,
                                   "suppressed": any(t.suppressed for t in page.tables.values())})
        resp = HttpResponse(pdf, content_type=PDF_TYPE)
        resp["Content-Disposition"] = f'attachment; filename="{page.export_name}.pdf"'
        resp["Cache-Control"] = "no-store"
        return resp
