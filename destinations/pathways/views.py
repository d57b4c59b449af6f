"""Pages of the senior-phase pipeline: a pupil's pathway (and the forms that change it), and the
leaver readiness board with its audited CSV export.

Who: the school's admins and staff and the authority's MCMC officers (destinations.access
``PATHWAY_ROLES``). Another school's or authority's pupil is not found (404); a role that may see
the pupil elsewhere but not here gets 403. Every page showing one pupil writes one audit entry.
"""

from __future__ import annotations

import csv
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from datahub.access import can_see_scn
from datahub.models import LocalAuthority, User
from datahub.services import audit_event_create
from datahub.spreadsheet import neutralise
from datahub.views_base import PortalView

from ..access import (
    PATHWAY_ROLES,
    may_edit_risk_weights,
    pathway_places,
    pathway_scope,
    require_pathway,
    risk_weight_authority_ids,
)
from ..views import PAGE_SIZE
from . import services
from .exports import board_csv_rows
from .forms import (
    BoardFilterForm,
    ExportForm,
    KeyWorkerBulkForm,
    OfferForm,
    OfferStatusForm,
    PathwayForm,
    RiskWeightsForm,
)
from .risk import WEIGHTS
from .selectors import (
    BoardFilters,
    board_by_school,
    board_key_workers,
    board_page_rows,
    board_rows,
    board_schools,
    board_snapshot,
    current_pathway,
    current_risk_weights,
    current_stage,
    key_worker_choices,
    offers_for,
    pathway_history,
    pathway_learner,
    pupil_offer,
    pupil_rating,
    pupils_for_pathway_work,
    risk_weights_history,
    session_label,
    weights_key,
)


class PupilMixin:
    """Look the pupil up, apply the pathway rules, and audit each page shown."""

    request: HttpRequest
    kwargs: dict[str, Any]
    audit_action: ClassVar[str] = "view_pathway_form"
    form_name: ClassVar[str] = ""

    def get_learner(self) -> Any:
        if not hasattr(self, "_learner"):
            learner = pathway_learner(self.kwargs["pk"])
            require_pathway(self.request.user, learner)
            self._learner = learner
        return self._learner

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        learner = self.get_learner()
        audit_event_create(actor=self.request.user, action=self.audit_action, object_type="learner",  # type: ignore[arg-type]
                           object_id=learner.pk, establishment=learner.establishment,
                           detail={"page": self.form_name or "pathway"})
        return super().render_to_response(context, **kwargs)  # type: ignore[misc]

    def pupil_context(self) -> dict[str, Any]:
        learner = self.get_learner()
        today = timezone.localdate()
        return {"learner": learner, "show_scn": can_see_scn(self.request.user, learner), "today": today,
                "enrolment": current_stage(learner, today), "leaver": getattr(learner, "leaver", None),
                "pupil_url": reverse("destinations:pathway", kwargs={"pk": learner.pk})}


class PupilPathwayView(PupilMixin, PortalView, TemplateView):
    """A pupil's pathway, its history, offers and risk with reasons."""

    template_name = "destinations/pathways/pupil.html"
    audit_action = "view_pathway"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.pupil_context())
        learner = ctx["learner"]
        current = current_pathway(learner)
        ctx.update(current=current, history=pathway_history(learner), offers=offers_for(learner),
                   rating=pupil_rating(learner, today=ctx["today"]),
                   overdue=bool(current and current.action_overdue(ctx["today"])))
        return ctx


class PupilFormView(PupilMixin, PortalView, FormView):
    template_name = "destinations/pathways/pupil_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.pupil_context())
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
        return HttpResponseRedirect(reverse("destinations:pathway", kwargs={"pk": self.get_learner().pk}))

    def service_error(self, form: Any, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
        return self.form_invalid(form)


class PathwayEditView(PupilFormView):
    form_class = PathwayForm
    form_name = "pathway"
    extra_context = {"heading": "Update the pathway", "submit": "Save pathway"}

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        learner = self.get_learner()
        kwargs.update(key_workers=list(key_worker_choices(learner)), current=current_pathway(learner))
        return kwargs

    def form_valid(self, form: PathwayForm) -> HttpResponse:
        try:
            services.pathway_record_create(learner=self.get_learner(), by=self.request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            return self.service_error(form, exc)
        return self.done("Pathway saved. The earlier version is kept in the history.")


class OfferCreateView(PupilFormView):
    form_class = OfferForm
    form_name = "offer"
    extra_context = {"heading": "Record an application or offer", "submit": "Save"}

    def get_initial(self) -> dict[str, Any]:
        return {"status_date": timezone.localdate()}

    def form_valid(self, form: OfferForm) -> HttpResponse:
        try:
            services.offer_create(learner=self.get_learner(), by=self.request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            return self.service_error(form, exc)
        return self.done("Application recorded.")


class OfferStatusView(PupilFormView):
    form_class = OfferStatusForm
    form_name = "offer_status"
    extra_context = {"heading": "Change the status of an offer", "submit": "Save status"}

    def offer(self) -> Any:
        if not hasattr(self, "_offer"):
            self._offer = pupil_offer(self.get_learner(), self.kwargs["offer"])
        return self._offer

    def get_initial(self) -> dict[str, Any]:
        following = {"applied": "offered", "offered": "accepted"}.get(self.offer().status, "")
        return {"status_date": timezone.localdate(), "status": following}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["offer"] = self.offer()
        return ctx

    def form_valid(self, form: OfferStatusForm) -> HttpResponse:
        offer = self.offer()
        try:
            services.offer_status_set(offer=offer, by=self.request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            return self.service_error(form, exc)
        return self.done(f"{offer.provider}: status saved.")


class BoardMixin:
    request: HttpRequest

    def board_form(self, data: Any, *, schools: list[tuple[int, str]] | None = None,
                   key_workers: list[User] | None = None) -> BoardFilterForm:
        user = self.request.user
        form = BoardFilterForm(data, schools=board_schools(user) if schools is None else schools,  # type: ignore[arg-type]
                               key_workers=board_key_workers(user) if key_workers is None else key_workers,  # type: ignore[arg-type]
                               me=getattr(user, "pk", None))
        if form.is_bound:
            form.is_valid()
        return form

    def places(self) -> list[str]:
        return pathway_places(self.request.user)


class ReadinessBoardView(BoardMixin, PortalView, TemplateView):
    """Everyone expected to leave this session: accepted offer, risk and reasons, key worker."""

    template_name = "destinations/pathways/board.html"
    required_roles = PATHWAY_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        schools, key_workers = board_schools(user), board_key_workers(user)  # type: ignore[arg-type]
        form = self.board_form(self.request.GET or None, schools=schools, key_workers=key_workers)
        filters = form.filters()
        board = board_snapshot(user, today=today)  # type: ignore[arg-type]
        selection = board.select(filters, user_id=user.pk)
        page = Paginator(selection.entries, PAGE_SIZE).get_page(self.request.GET.get("page"))
        base = reverse("destinations:pathway", kwargs={"pk": 0})
        rows = board_page_rows(page.object_list, url_for=lambda pk: base.replace("/0/", f"/{pk}/"))
        query = filters.as_query()
        ctx.update(form=form, page=page, rows=rows, filters=query,
                   filter_query=urlencode(query), places=self.places(), session=session_label(board.year),
                   summary=selection.summary, today=today, by_school=tuple(board_by_school(schools, selection)),
                   bulk=KeyWorkerBulkForm(key_workers=key_workers, prefix="bulk"))
        return ctx


def _board_url(query: str) -> str:
    base = reverse("destinations:readiness")
    # Only a query string of our own filters comes back: never a URL (no open redirect).
    return f"{base}?{query}" if query and "/" not in query and ":" not in query else base


class ReadinessBulkView(PortalView, View):
    """POST: one key worker for the selected pupils, with a reason. All or nothing: one pupil
    outside the user's school or authority and nothing changes (404)."""

    required_roles = PATHWAY_ROLES

    def post(self, request: HttpRequest) -> HttpResponse:
        back = _board_url(request.POST.get("filters", ""))
        raw = request.POST.getlist("pupils")
        if not raw:
            messages.error(request, "Nothing was changed: select at least one pupil.")
            return HttpResponseRedirect(back)
        if not all(v.isdigit() for v in raw):
            raise Http404("No such pupil")
        learners = pupils_for_pathway_work(request.user, (int(v) for v in raw))  # type: ignore[arg-type]
        form = KeyWorkerBulkForm(request.POST, key_workers=board_key_workers(request.user), prefix="bulk")  # type: ignore[arg-type]
        if not form.is_valid():
            problems = "; ".join(str(e) for errs in form.errors.values() for e in errs)
            messages.error(request, f"Nothing was changed: {problems}")
            return HttpResponseRedirect(back)
        worker = form.chosen()
        try:
            n = services.pathway_bulk_assign_key_worker(learners=learners, key_worker=worker, by=request.user,  # type: ignore[arg-type]
                                                        reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, f"Nothing was changed: {'; '.join(exc.messages)}")
            return HttpResponseRedirect(back)
        except PermissionDenied as exc:
            raise Http404("No such pupil") from exc
        who = (worker.get_full_name() or worker.email) if worker else "nobody"
        messages.success(request, f"Key worker of {n} pupil{'' if n == 1 else 's'} set to {who}.")
        return HttpResponseRedirect(back)


class ReadinessExportView(BoardMixin, PortalView, FormView):
    """GET: what will be exported and a reason; POST: the filtered board as CSV, audited."""

    template_name = "destinations/pathways/board_export.html"
    required_roles = PATHWAY_ROLES
    form_class = ExportForm

    def _filters(self) -> BoardFilters:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        data = {k: v for k, v in source.items() if k not in ("reason", "csrfmiddlewaretoken")}
        return self.board_form(data or None).filters()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        filters = self._filters()
        user = self.request.user
        selection = board_snapshot(user, today=timezone.localdate()).select(filters, user_id=user.pk)  # type: ignore[arg-type]
        ctx.update(filters=filters.as_query(), filter_query=urlencode(filters.as_query()), count=len(selection.entries),
                   places=self.places())
        return ctx

    def form_valid(self, form: ExportForm) -> HttpResponse:
        user, today = self.request.user, timezone.localdate()
        filters = self._filters()
        rows = board_rows(user, filters, today=today)  # type: ignore[arg-type]
        est_ids, auth_ids = pathway_scope(user)
        services.readiness_export_audit(by=user, reason=form.cleaned_data["reason"], establishment_ids=est_ids,  # type: ignore[arg-type]
                                        authority_ids=auth_ids, rows=len(rows), filters=filters.as_query())
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="leaver-readiness-{today:%Y-%m-%d}.csv"'
        response["Cache-Control"] = "no-store"
        response.write("\ufeff")
        writer = csv.writer(response)
        for values in board_csv_rows(rows, show_scn=True):
            writer.writerow([neutralise(v) for v in values])
        return response


class RiskWeightsView(PortalView, FormView):
    """An authority's weights for the risk rules: its authority-level data managers (others 403).
    ``?authority=<code>`` picks one of theirs; another authority's code is not found (404)."""

    template_name = "destinations/pathways/risk_weights.html"
    form_class = RiskWeightsForm

    def check_access(self, request: HttpRequest, **kwargs: Any) -> None:
        if not may_edit_risk_weights(request.user):
            raise PermissionDenied("The risk weights are set by an authority's data managers.")

    def authority(self) -> LocalAuthority:
        if not hasattr(self, "_authority"):
            mine = LocalAuthority.objects.filter(id__in=risk_weight_authority_ids(self.request.user)).order_by("name")
            code = self.request.GET.get("authority", "")
            found = mine.filter(code=int(code)).first() if code.isdigit() else mine.first()
            if found is None:
                raise Http404("No such authority")
            self._authority = found
        return self._authority

    def get_initial(self) -> dict[str, Any]:
        current = current_risk_weights([self.authority().pk]).get(self.authority().pk)
        return dict(weights_key(current))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        authority = self.authority()
        ctx.update(authority=authority, history=risk_weights_history(authority.pk), defaults=WEIGHTS,
                   authorities=LocalAuthority.objects.filter(id__in=risk_weight_authority_ids(self.request.user))
                   .order_by("name"))
        return ctx

    def form_valid(self, form: RiskWeightsForm) -> HttpResponse:
        authority = self.authority()
        try:
            services.risk_weights_set(authority=authority, weights=form.weights(), by=self.request.user,  # type: ignore[arg-type]
                                      reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, f"Risk weights for {authority.name} saved. The earlier ones are kept.")
        return HttpResponseRedirect(f"{reverse('destinations:risk_weights')}?authority={authority.code}")
