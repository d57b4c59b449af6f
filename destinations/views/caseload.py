"""The MCMC caseload: open cases filtered and paged, bulk assignment and status changes, and the
audited CSV export. MCMC officers of the young people's authorities only.
"""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from datahub.models import LocalAuthority
from datahub.sharing import share_url
from datahub.spreadsheet import neutralise
from datahub.views_base import PortalView

from .. import services
from ..access import CASEWORK_ROLES, mcmc_authority_ids
from ..exports import caseload_csv_rows
from ..forms import BulkForm, CaseloadFilterForm, ExportForm
from ..pathways.selectors import accepted_offers_by_learner
from ..selectors import (
    CASELOAD_MAX_AGE,
    CASELOAD_STATUSES,
    age_on,
    caseload_for,
    caseload_leaver_years,
    caseload_schools,
    leavers_for_casework,
    officers_for_authorities,
)
from . import PAGE_SIZE


class CaseloadMixin:
    request: HttpRequest

    def officers(self) -> list:
        if not hasattr(self, "_officers"):
            self._officers = list(officers_for_authorities(mcmc_authority_ids(self.request.user)))
        return self._officers

    def filter_form(self, data: Any) -> CaseloadFilterForm:
        """The filter form; brings the cases up to date first (once per request)."""
        user = self.request.user
        services.case_sync()
        return CaseloadFilterForm(
            data,
            schools=list(caseload_schools(user)),  # type: ignore[arg-type]
            years=caseload_leaver_years(user),  # type: ignore[arg-type]
            officers=self.officers(),
            me=getattr(user, "pk", None),
        )


class CaseloadView(CaseloadMixin, PortalView, TemplateView):
    """Open cases of the officer's authorities, filtered and paged; bulk actions. MCMC officers."""

    template_name = "destinations/caseload.html"
    required_roles = CASEWORK_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = self.filter_form(self.request.GET or None)
        if form.is_bound:
            form.is_valid()
        filters = form.filters()
        today = timezone.localdate()
        qs = caseload_for(user, filters, today=today, sync=False)  # type: ignore[arg-type]
        page = Paginator(qs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        # Per-row values worked out once here rather than by template tags 50 times over.
        journey = reverse("destinations:journey", kwargs={"pk": 0})
        accepted = accepted_offers_by_learner(case.leaver.learner_id for case in page.object_list)
        for case in page.object_list:
            learner = case.leaver.learner
            case.age = age_on(learner.date_of_birth, today)
            case.journey_url = journey.replace("/0/", f"/{learner.pk}/")
            case.accepted_offer = accepted.get(learner.pk)  # accepted before leaving, not (known to be) taken up
        officers = self.officers()
        query = filters.as_query()
        ctx.update(
            form=form,
            page=page,
            today=today,
            filters=query,
            filter_query=urlencode(query),
            share_url=share_url(self.request, self.request.path,
                                {**query, "page": page.number if page.number > 1 else ""}),
            bulk=BulkForm(officers=officers),
            authorities=LocalAuthority.objects.filter(id__in=mcmc_authority_ids(user)).order_by("name"),
            max_age=CASELOAD_MAX_AGE,
            status_labels=CASELOAD_STATUSES,
        )
        return ctx


def _caseload_url(query: str) -> str:
    base = reverse("destinations:caseload")
    # Only a query string of our own filters comes back: never a URL (no open redirect).
    return f"{base}?{query}" if query and "/" not in query and ":" not in query else base


class CaseloadBulkView(PortalView, View):
    """POST: assign or update the status of the selected young people, with a reason. All or
    nothing: one young person outside the officer's authorities and nothing is changed (404)."""

    required_roles = CASEWORK_ROLES

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        back = _caseload_url(request.POST.get("filters", ""))
        officers = {str(u.pk): u for u in officers_for_authorities(mcmc_authority_ids(user))}
        form = BulkForm(request.POST, officers=list(officers.values()))
        raw_ids = request.POST.getlist("leavers")
        if not raw_ids:
            messages.error(request, "Nothing was changed: select at least one young person.")
            return HttpResponseRedirect(back)
        if not all(v.isdigit() for v in raw_ids):
            raise Http404("No such young person")
        leavers = leavers_for_casework(user, (int(v) for v in raw_ids))  # type: ignore[arg-type]
        if not form.is_valid():
            problems = "; ".join(str(e) for errs in form.errors.values() for e in errs)
            messages.error(request, f"Nothing was changed: {problems}")
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        try:
            if data["action"] == "assign":
                officer = None if data["officer"] == "none" else officers.get(data["officer"])
                if data["officer"] != "none" and officer is None:
                    raise ValidationError("Choose an MCMC officer of your authority.")
                n = services.case_bulk_assign(leavers=leavers, officer=officer, by=user, reason=data["reason"])  # type: ignore[arg-type]
                who = (officer.get_full_name() or officer.email) if officer else "nobody"
                messages.success(request, f"{n} young {'person' if n == 1 else 'people'} assigned to {who}.")
            else:
                kind = data["kind"]
                value = data["participation_status"] if kind == "participation" else data["category"]
                n = services.case_bulk_set_status(leavers=leavers, kind=kind, value=value, by=user,  # type: ignore[arg-type]
                                               reason=data["reason"], start_date=data.get("start_date"))
                messages.success(request, f"Status updated for {n} young {'person' if n == 1 else 'people'}.")
        except ValidationError as exc:
            messages.error(request, f"Nothing was changed: {'; '.join(exc.messages)}")
        return HttpResponseRedirect(back)


class CaseloadExportView(CaseloadMixin, PortalView, FormView):
    """GET: what will be exported and a reason; POST: the CSV of the filtered caseload, limited to
    the officer's authorities, audited with the reason. MCMC officers."""

    template_name = "destinations/caseload_export.html"
    required_roles = CASEWORK_ROLES
    form_class = ExportForm

    def _filters(self) -> Any:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        data = {k: v for k, v in source.items() if k not in ("reason", "csrfmiddlewaretoken")}
        form = self.filter_form(data or None)
        if form.is_bound:
            form.is_valid()
        return form.filters()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        filters = self._filters()
        ctx.update(
            filters=filters.as_query(),
            filter_query=urlencode(filters.as_query()),
            count=caseload_for(self.request.user, filters, sync=False).count(),  # type: ignore[arg-type]
            authorities=LocalAuthority.objects.filter(id__in=mcmc_authority_ids(self.request.user)).order_by("name"),
        )
        return ctx

    def form_valid(self, form: ExportForm) -> HttpResponse:
        user = self.request.user
        filters = self._filters()
        today = timezone.localdate()
        cases = list(caseload_for(user, filters, today=today, sync=False))  # type: ignore[arg-type]
        services.caseload_export_audit(by=user, reason=form.cleaned_data["reason"],  # type: ignore[arg-type]
                                        authority_ids=mcmc_authority_ids(user), rows=len(cases),
                                        filters=filters.as_query())
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="caseload-{today:%Y-%m-%d}.csv"'
        response["Cache-Control"] = "no-store"
        response.write("\ufeff")  # so spreadsheet programs read UTF-8 names correctly
        writer = csv.writer(response)
        accepted = accepted_offers_by_learner(case.leaver.learner_id for case in cases)
        for row in caseload_csv_rows(cases, today=today, accepted=accepted):
            writer.writerow([neutralise(v) for v in row])
        return response
