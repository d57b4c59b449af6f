"""Destinations pages: measures, the MCMC caseload, learner journeys, casework and the audit log.

Who may use each page is declared here and answered by destinations.access (built on
datahub.access). Every page that shows one young person writes exactly one audit entry; every
export writes one per authority it covers, with the reason given.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from datahub import disclosure
from datahub.access import (
    Entitlement,
    authority_entitlement,
    can_see_scn,
    covers_authority,
    entitlement_for,
    require_establishment,
)
from datahub.models import Establishment, LocalAuthority
from datahub.services import audit_record
from datahub.spreadsheet import neutralise
from datahub.views_base import PortalView

from . import services
from .access import (
    AUDIT_ROLES,
    CASEWORK_ROLES,
    audit_authority_ids,
    may_work_case,
    mcmc_authority_ids,
    require_journey,
)
from .exports import caseload_csv_rows
from .forms import (
    AssignmentForm,
    AuditFilterForm,
    BulkForm,
    CaseloadFilterForm,
    ContactForm,
    DestinationForm,
    ExportForm,
    ParticipationForm,
)
from .measures import measure_cells
from .models import Case, ParticipationSpell
from .selectors import (
    BREAKDOWNS,
    CASELOAD_MAX_AGE,
    CASELOAD_STATUSES,
    age_on,
    audit_events_for,
    authorities_by_ids,
    breakdown_values,
    caseload_for,
    caseload_leaver_years,
    caseload_schools,
    caseload_status_counts,
    destination_measures,
    journey_for,
    journey_learner,
    leaver_years,
    leavers_for_casework,
    officers_for_authorities,
    scotland_measures,
)
from .services import cases_sync

PAGE_SIZE = 50

AUDIT_ACTIONS = {
    "view_learner": "Viewed a young person's record (data hub)",
    "view_journey": "Viewed a learner journey",
    "view_journey_form": "Opened a form about a young person",
    "destination_record": "Recorded a destination",
    "participation_record": "Recorded a participation status",
    "contact_record": "Recorded a contact or note",
    "case_update": "Changed an assignment or next action",
    "bulk_assign": "Assigned in bulk",
    "bulk_status": "Updated status in bulk",
    "caseload_export": "Exported the caseload",
    "api_view_destinations": "Read destination records (API)",
    "api_destination_record": "Recorded a destination (API)",
    "api_participation_record": "Recorded a participation status (API)",
}


# --- Measures ---------------------------------------------------------------------------------


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
            cases_sync()
            ctx["caseload_counts"] = caseload_status_counts(user)  # type: ignore[arg-type]
        authority = None
        code = self.request.GET.get("authority", "")
        if code.isdigit():
            authority = LocalAuthority.objects.filter(code=int(code)).first()
            if authority is None or not covers_authority(user, authority):
                raise Http404("No such authority")
        if authority is None and m.establishment_id:
            ctx.update(self._establishment(m.establishment))
        elif authority is not None or m.authority_id:
            ctx.update(self._authority(authority or m.authority))
        else:
            ctx.update(self._national())
        ctx["any_suppressed"] = ctx["any_suppressed"] or any(r["any_suppressed"] for r in ctx.get("totals", []))
        return ctx

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
        rows = [
            {"authority": la, "label": la.name, "url": f"{base}?{urlencode({'authority': la.code, 'year': year or ''})}",
             **measure_cells(data.get((la.id, year, None)), authority_entitlement(self.request.user, la))}
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
            any_suppressed=any(r["any_suppressed"] for r in year_rows)
            or any(r[k]["any_suppressed"] for r in rows for k in ("school", "authority", "scotland")),
        )
        return ctx


# --- Caseload ---------------------------------------------------------------------------------


class CaseloadMixin:
    request: HttpRequest

    def officers(self) -> list:
        if not hasattr(self, "_officers"):
            self._officers = list(officers_for_authorities(mcmc_authority_ids(self.request.user)))
        return self._officers

    def filter_form(self, data: Any) -> CaseloadFilterForm:
        """The filter form; brings the cases up to date first (once per request)."""
        user = self.request.user
        cases_sync()
        return CaseloadFilterForm(
            data,
            schools=list(caseload_schools(user)),  # type: ignore[arg-type]
            years=caseload_leaver_years(user),  # type: ignore[arg-type]
            officers=self.officers(),
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
        for case in page.object_list:
            learner = case.leaver.learner
            case.age = age_on(learner.date_of_birth, today)
            case.journey_url = journey.replace("/0/", f"/{learner.pk}/")
        officers = self.officers()
        query = filters.as_query()
        ctx.update(
            form=form,
            page=page,
            today=today,
            filters=query,
            filter_query=urlencode(query),
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
                n = services.cases_bulk_assign(leavers=leavers, officer=officer, by=user, reason=data["reason"])  # type: ignore[arg-type]
                who = (officer.get_full_name() or officer.email) if officer else "nobody"
                messages.success(request, f"{n} young {'person' if n == 1 else 'people'} assigned to {who}.")
            else:
                kind = data["kind"]
                value = data["participation_status"] if kind == "participation" else data["category"]
                n = services.cases_bulk_status(leavers=leavers, kind=kind, value=value, by=user,  # type: ignore[arg-type]
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
        services.caseload_export_record(by=user, reason=form.cleaned_data["reason"],  # type: ignore[arg-type]
                                        authority_ids=mcmc_authority_ids(user), rows=len(cases),
                                        filters=filters.as_query())
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="caseload-{today:%Y-%m-%d}.csv"'
        response["Cache-Control"] = "no-store"
        response.write("\ufeff")  # so spreadsheet programs read UTF-8 names correctly
        writer = csv.writer(response)
        for row in caseload_csv_rows(cases, today=today):
            writer.writerow([neutralise(v) for v in row])
        return response


# --- Journey and casework -------------------------------------------------------------------


class JourneyMixin:
    """Look the young person up, apply the journey rules, and audit each page shown."""

    request: HttpRequest
    kwargs: dict[str, Any]
    write: ClassVar[bool] = False
    audit_action: ClassVar[str] = "view_journey_form"
    form_name: ClassVar[str] = ""

    def get_learner(self) -> Any:
        if not hasattr(self, "_learner"):
            learner = journey_learner(self.kwargs["pk"])
            require_journey(self.request.user, learner, write=self.write)
            if self.write and getattr(learner, "leaver", None) is None:
                raise Http404("This young person has no school leaving record")
            self._learner = learner
        return self._learner

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        learner = self.get_learner()
        audit_record(
            actor=self.request.user,  # type: ignore[arg-type]
            action=self.audit_action,
            object_type="learner",
            object_id=learner.pk,
            establishment=learner.establishment,
            detail={"page": self.form_name or "journey"},
        )
        return super().render_to_response(context, **kwargs)  # type: ignore[misc]

    def journey_context(self) -> dict[str, Any]:
        learner = self.get_learner()
        return {
            "learner": learner,
            "leaver": getattr(learner, "leaver", None),
            "show_scn": can_see_scn(self.request.user, learner),
            "can_work": may_work_case(self.request.user, learner),
        }


class JourneyView(JourneyMixin, PortalView, TemplateView):
    """A young person's journey: the young person's authority's MCMC officers and their last
    school's admins and staff (others who may see the learner: 403; everyone else: 404)."""

    template_name = "destinations/journey.html"
    audit_action = "view_journey"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.journey_context())
        ctx["journey"] = journey_for(ctx["learner"])
        ctx["today"] = timezone.localdate()
        return ctx


class CaseworkFormView(JourneyMixin, PortalView, FormView):
    """Base of the casework forms: MCMC officers of the young person's authority only."""

    write = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.journey_context())
        ctx["journey_url"] = reverse("destinations:journey", kwargs={"pk": self.get_learner().pk})
        ctx["form_name"] = self.form_name
        return ctx

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_learner()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_learner()
        return super().post(request, *args, **kwargs)

    def done(self, message: str) -> HttpResponse:
        messages.success(self.request, message)
        return HttpResponseRedirect(reverse("destinations:journey", kwargs={"pk": self.get_learner().pk}))

    def service_error(self, form: Any, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
        return self.form_invalid(form)


class ContactCreateView(CaseworkFormView):
    template_name = "destinations/casework_form.html"
    extra_context = {"heading": "Record a contact", "submit": "Save contact"}
    form_class = ContactForm
    form_name = "contact"

    def get_initial(self) -> dict[str, Any]:
        case = Case.objects.filter(leaver=self.get_learner().leaver).first()
        return {
            "contact_date": timezone.localdate(),
            "next_action": case.next_action if case else "",
            "next_action_date": case.next_action_date if case else None,
        }

    def form_valid(self, form: ContactForm) -> HttpResponse:
        try:
            services.contact_record(leaver=self.get_learner().leaver, by=self.request.user,  # type: ignore[arg-type]
                                    **form.cleaned_data)
        except ValidationError as exc:
            return self.service_error(form, exc)
        return self.done("Contact recorded.")


class DestinationCreateView(CaseworkFormView):
    template_name = "destinations/casework_form.html"
    extra_context = {"heading": "Record a destination", "submit": "Save destination"}
    form_class = DestinationForm
    form_name = "destination"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        journey = journey_for(self.get_learner())
        ctx.update(current_initial=journey.initial, current_follow_up=journey.follow_up)
        return ctx

    def get_initial(self) -> dict[str, Any]:
        journey = journey_for(self.get_learner())
        return {"kind": "follow_up" if journey.initial else "initial"}

    def form_valid(self, form: DestinationForm) -> HttpResponse:
        data = form.cleaned_data
        leaver = self.get_learner().leaver
        replaces = leaver.destinations.filter(kind=data["kind"], superseded_at__isnull=True).exists()
        if replaces and not data["reason"].strip():
            form.add_error("reason", "Give a reason: this replaces the current record (which is kept in the history).")
            return self.form_invalid(form)
        try:
            services.destination_record(leaver=leaver, kind=data["kind"], category=data["category"],
                                        by=self.request.user, note=data["note"], reason=data["reason"])  # type: ignore[arg-type]
        except ValidationError as exc:
            return self.service_error(form, exc)
        return self.done("Destination recorded. The earlier record is kept in the history." if replaces
                         else "Destination recorded.")


class ParticipationCreateView(CaseworkFormView):
    template_name = "destinations/casework_form.html"
    extra_context = {"heading": "Record a participation status", "submit": "Save status"}
    form_class = ParticipationForm
    form_name = "participation"

    def _latest(self) -> ParticipationSpell | None:
        return ParticipationSpell.objects.filter(learner=self.get_learner()).order_by("-start_date").first()

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        latest = self._latest()
        kwargs["latest_start"] = latest.start_date if latest else None
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {"start_date": timezone.localdate()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["latest"] = self._latest()
        return ctx

    def form_valid(self, form: ParticipationForm) -> HttpResponse:
        try:
            services.participation_record(learner=self.get_learner(), by=self.request.user,  # type: ignore[arg-type]
                                          **form.cleaned_data)
        except ValidationError as exc:
            return self.service_error(form, exc)
        return self.done("Participation status recorded.")


class AssignmentView(CaseworkFormView):
    template_name = "destinations/casework_form.html"
    extra_context = {"heading": "Assign or set the next action", "submit": "Save"}
    form_class = AssignmentForm
    form_name = "assignment"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["officers"] = list(officers_for_authorities([self.get_learner().establishment.authority_id]))
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        case = Case.objects.filter(leaver=self.get_learner().leaver).first()
        if case is None:
            return {"officer": str(self.request.user.pk)}
        return {"officer": str(case.officer_id or ""), "next_action": case.next_action,
                "next_action_date": case.next_action_date}

    def form_valid(self, form: AssignmentForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            services.case_update(leaver=self.get_learner().leaver, by=self.request.user,  # type: ignore[arg-type]
                                 officer=form.officer_user(), next_action=data["next_action"],
                                 next_action_date=data["next_action_date"], reason=data["reason"])
        except ValidationError as exc:
            return self.service_error(form, exc)
        return self.done("Assignment and next action saved.")


# --- Audit log ------------------------------------------------------------------------------


class AuditLogView(PortalView, TemplateView):
    """The audit log of the user's authorities: its MCMC officers and authority data managers (a
    national data manager: every authority). Other roles 403."""

    template_name = "destinations/audit_log.html"
    required_roles = AUDIT_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        allowed = audit_authority_ids(self.request.user)
        if allowed == set():
            raise PermissionDenied("Only MCMC officers and data managers of an authority read its audit log")
        authorities = list(authorities_by_ids(allowed))
        form = AuditFilterForm(self.request.GET or None, authorities=authorities,
                               actions=sorted(AUDIT_ACTIONS.items(), key=lambda a: a[1]))
        if form.is_bound:
            form.is_valid()
        data = form.cleaned_data if form.is_bound else {}
        chosen = data.get("authority")
        ids = allowed if chosen is None else ({chosen} if allowed is None or chosen in allowed else set())
        qs = audit_events_for(ids)
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("actor"):
            qs = qs.filter(actor__email__icontains=data["actor"])
        if data.get("learner"):
            qs = qs.filter(object_type="learner", object_id=str(data["learner"]))
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            qs = qs.filter(at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=tz))
        if data.get("date_to"):
            qs = qs.filter(at__lt=dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
        page = Paginator(qs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        ctx.update(form=form, page=page, labels=AUDIT_ACTIONS, authorities=authorities,
                   all_authorities=allowed is None)
        return ctx

