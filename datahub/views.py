"""Data hub pages: establishments in the user's scope, their leavers, and a learner's record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from .access import (
    can_see_scn,
    covers_establishment,
    entitlement_for,
    require_establishment,
    require_learner,
    scope_for,
)
from .middleware import SESSION_KEY
from .models import Establishment, EstablishmentType, Learner, Role
from .selectors import establishment_simd_profile, establishments_for, leaver_cohorts
from .services import audit_event_create
from .views_base import PortalView

LEARNER_ROLES = (
    Role.ESTABLISHMENT_ADMIN,
    Role.ESTABLISHMENT_STAFF,
    Role.MCMC_OFFICER,
    Role.DATA_MANAGER,
)


class SwitchContextView(PortalView, View):
    """POST: choose which of the user's memberships pages open on. Any portal user, own memberships only."""

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            wanted = int(request.POST.get("membership", ""))
        except ValueError:
            raise Http404("No such membership") from None
        if wanted not in {m.id for m in request.memberships}:  # type: ignore[attr-defined]
            raise Http404("No such membership")
        request.session[SESSION_KEY] = wanted
        nxt = request.POST.get("next") or reverse("dashboard")
        if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            nxt = reverse("dashboard")
        return HttpResponseRedirect(nxt)


class DataHubIndexView(PortalView, TemplateView):
    """Establishments in the user's scope. Any portal user; outsiders' schools are not listed."""

    template_name = "datahub/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        qs = establishments_for(self.request.user)  # type: ignore[arg-type]
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(seed_code__startswith=q) | Q(authority__name__icontains=q))
        kind = self.request.GET.get("type", "")
        if kind in EstablishmentType.values:
            qs = qs.filter(type=kind)
        page = Paginator(qs.order_by("authority__name", "name"), 50).get_page(self.request.GET.get("page"))
        scope = scope_for(self.request.user)
        can_import = bool(scope.import_national or scope.import_establishment_ids or scope.import_authority_ids)
        ctx.update(page=page, q=q, type=kind, types=EstablishmentType.choices, can_import=can_import,
                   can_load_reference_data=scope.import_national)  # a national data manager (the page's rule)
        return ctx


class EstablishmentDetailView(PortalView, TemplateView):
    """An establishment's record and leaver cohorts: anyone whose memberships cover it (else 404)."""

    template_name = "datahub/establishment_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        est = get_object_or_404(Establishment.objects.select_related("authority"), seed_code=kwargs["seed"])
        require_establishment(self.request.user, est)
        scope = scope_for(self.request.user)
        may_see_learners = est.id in scope.learner_establishment_ids or est.authority_id in scope.learner_authority_ids
        # National analysts cover every school but are not entitled to its figures unsuppressed. Rather
        # than a second suppression scheme here, they are sent to the benchmark dashboards, whose
        # one pattern withholds a cell the same way on every page.
        ent = entitlement_for(self.request.user, est)
        cohorts = []
        if ent.unsuppressed:
            cohorts = [
                {"leaver_year": r["leaver_year"], "n": r["n"], "s4": r["s4"], "s5": r["s5"], "s6": r["s6"]}
                for r in leaver_cohorts([est.id])
            ]
        ctx.update(
            establishment=est,
            departments=list(est.departments.all()),
            # Pupil counts per quintile are figures like the cohorts: only for those entitled to them.
            simd_profile=establishment_simd_profile(est.id) if ent.unsuppressed else None,
            cohorts=cohorts,
            cohorts_withheld=not ent.unsuppressed,
            may_see_learners=may_see_learners,
        )
        return ctx


class EstablishmentLearnersView(PortalView, TemplateView):
    """Leavers of one school, by name: school staff, its authority's MCMC officers, data managers.

    Outsiders get 404; insiders without a learner role (analysts) get 403.
    """

    template_name = "datahub/establishment_learners.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        est = get_object_or_404(Establishment.objects.select_related("authority"), seed_code=kwargs["seed"])
        require_establishment(self.request.user, est)
        scope = scope_for(self.request.user)
        if not (est.id in scope.learner_establishment_ids or est.authority_id in scope.learner_authority_ids):
            raise PermissionDenied("Your role does not give access to individual young people")
        qs = (
            Learner.objects.for_establishment(est)
            .select_related("leaver")
            .order_by("-leaver__leaver_year", "family_name", "given_name")
        )
        year = self.request.GET.get("year", "")
        if year.isdigit():
            qs = qs.filter(leaver__leaver_year=int(year))
        page = Paginator(qs, 50).get_page(self.request.GET.get("page"))
        ctx.update(establishment=est, page=page, year=year)
        return ctx


class LearnerDetailView(PortalView, TemplateView):
    """One young person's record. Every view is written to the audit log."""

    template_name = "datahub/learner_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        learner = get_object_or_404(
            Learner.objects.select_related("establishment__authority"), pk=kwargs["pk"]
        )
        require_learner(self.request.user, learner)
        audit_event_create(
            actor=self.request.user,  # type: ignore[arg-type]
            action="view_learner",
            object_type="learner",
            object_id=learner.pk,
            establishment=learner.establishment,
        )
        ctx.update(
            learner=learner,
            show_scn=can_see_scn(self.request.user, learner),
            leaver=getattr(learner, "leaver", None),
            enrolments=learner.enrolments.select_related("establishment").order_by("year"),
            results=learner.results.select_related("subject").order_by("year", "subject__name"),
            covers=covers_establishment(self.request.user, learner.establishment),
        )
        return ctx
