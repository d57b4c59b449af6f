"""Learning partnership pages: View Partnerships, a partnership's history, propose and the actions.

Who may do what (docs/domain.md, "Learning Partners"):
- View Partnerships: admins and staff of a school (the school they are working as).
- A partnership (history, action pages): members (admin or staff) of either school; anyone else
  gets 404, whatever id they put in the path.
- Propose, accept, decline, withdraw, end: only an establishment admin of the school concerned;
  staff get 403 (they see, they cannot act). Each action is a confirmation page (GET) with an
  optional message, then a POST.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from datahub.access import can_act_for_establishment
from datahub.models import ESTABLISHMENT_ROLES, Establishment, User
from datahub.views_base import PortalView

from . import selectors, services
from .groups.selectors import group_rows
from .models import STATE_REFUSAL, TRANSITIONS, Partnership, Status
from .workspace.selectors import unread_notices as workspace_unread_notices

ACTION_LABELS = {
    "accept": ("Accept", "Accept the partnership proposal"),
    "decline": ("Decline", "Decline the partnership proposal"),
    "withdraw": ("Withdraw", "Withdraw the partnership proposal"),
    "end": ("End", "End the learning partnership"),
}


def current_school(request: HttpRequest) -> Establishment | None:
    """The school the user is working as: the active membership when it is a school role,
    otherwise their first school role. None for users without one."""
    m = getattr(request, "membership", None)
    if m is not None and m.role in ESTABLISHMENT_ROLES and m.establishment_id:
        return m.establishment
    for m in getattr(request, "memberships", []):
        if m.role in ESTABLISHMENT_ROLES and m.establishment_id:
            return m.establishment
    return None


def _user(request: HttpRequest) -> User:
    """The signed-in user (PortalView has already sent anyone else to sign in)."""
    return cast(User, request.user)


def _next_url(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return nxt
    return default


class SchoolPortalView(PortalView):
    """A page about the user's own school: admins and staff of a school."""

    required_roles = ESTABLISHMENT_ROLES

    def school(self) -> Establishment:
        est = current_school(self.request)  # type: ignore[attr-defined]
        if est is None:  # required_roles already guarantees one
            raise PermissionDenied("This page is for school staff.")
        return est


class PartnershipListView(SchoolPortalView, TemplateView):
    """View Partnerships: requests received, existing partnerships, requests sent."""

    template_name = "partnerships/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        school = self.school()
        user = self.request.user
        tables = selectors.partnership_tables(school)
        ctx.update(
            school=school,
            tables={
                kind: [{"p": p, "other": p.other(school)} for p in getattr(tables, kind)]
                for kind in ("received", "active", "sent", "past")
            },
            can_act=can_act_for_establishment(user, school),
            notifications=list(selectors.unread_notifications(user, [school.pk])[:20]),
            workspace_notices=workspace_unread_notices(_user(self.request)),
            groups=group_rows(school),
        )
        return ctx


def _visible_partnership(request: HttpRequest, pk: int) -> Partnership:
    """The partnership if one of the user's schools is in it; 404 for everyone else."""
    return get_object_or_404(selectors.partnerships_for(request.user), pk=pk)


class PartnershipDetailView(PortalView, TemplateView):
    """One partnership's history (every transition with who, when and the message)."""

    template_name = "partnerships/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        p = _visible_partnership(self.request, kwargs["pk"])
        mine = selectors.member_establishment_ids(self.request.user)
        school = p.proposer if p.proposer_id in mine else p.partner
        other = p.other(school)
        admin = selectors.admin_establishment_ids(self.request.user)
        actions = []
        if school.pk in admin:
            if p.status == Status.PROPOSED and p.partner_id == school.pk:
                actions = ["accept", "decline"]
            elif p.status == Status.PROPOSED:
                actions = ["withdraw"]
            elif p.status == Status.ACTIVE:
                actions = ["end"]
        ctx.update(partnership=p, school=school, other=other, events=selectors.partnership_events(p),
                   actions=[(a, ACTION_LABELS[a][0]) for a in actions])
        return ctx


class PartnershipActionView(PortalView, View):
    """GET: confirm an action (with an optional message). POST: do it.

    Outsiders 404 (the partnership is looked up among the user's schools' partnerships); staff
    and the wrong side's admins 403; a partnership no longer in the right state 409.
    """

    action = ""
    template_name = "partnerships/confirm.html"

    def _context(self, p: Partnership, school: Establishment, **extra: Any) -> dict[str, Any]:
        label, title = ACTION_LABELS[self.action]
        return {"partnership": p, "school": school, "other": p.other(school), "action": self.action,
                "action_label": label, "title": title, "message": "", "next": _next_url(self.request, ""),
                **extra}

    def _check(self, request: HttpRequest, pk: int) -> tuple[Partnership, Establishment]:
        p = _visible_partnership(request, pk)
        school = selectors.acting_school_for(request.user, p, self.action)  # type: ignore[arg-type]
        if school is None:
            raise Http404("No such partnership")
        if not can_act_for_establishment(request.user, school):
            raise PermissionDenied(
                f"Only a Learning Partner Administrator of {school.name} can {self.action} learning partnerships."
            )
        t = TRANSITIONS[self.action]
        if t.side != "either" and school.pk != getattr(p, f"{t.side}_id"):
            raise PermissionDenied(t.refusal)
        return p, school

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        p, school = self._check(request, pk)
        t = TRANSITIONS[self.action]
        state_error = "" if p.status == t.from_status else STATE_REFUSAL[Status(p.status)]
        return render(request, self.template_name, self._context(p, school, state_error=state_error))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        p, school = self._check(request, pk)
        message = request.POST.get("message", "")
        try:
            services.ACTIONS[self.action](partnership=p, by=_user(request), acting_for=school, message=message)
        except services.PartnershipStateError as exc:
            p.refresh_from_db()
            return render(request, self.template_name,
                          self._context(p, school, error=str(exc), state_error=str(exc), message=message), status=409)
        except services.PartnershipError as exc:
            return render(request, self.template_name,
                          self._context(p, school, error=str(exc), message=message), status=400)
        other = p.other(school)
        done = {
            "accept": f"{school.name} and {other.name} are now learning partners: you see each other's data "
                      "without suppression.",
            "decline": f"You declined the partnership proposal from {other.name}.",
            "withdraw": f"You withdrew the partnership proposal to {other.name}.",
            "end": f"The learning partnership with {other.name} has ended.",
        }[self.action]
        messages.success(request, done)
        return HttpResponseRedirect(_next_url(request, reverse("partnerships:list")))


class ProposeView(SchoolPortalView, View):
    """GET ?partner=<SEED>: confirm a proposal from the user's school. POST: propose.

    Any school of the same type may be proposed to (Find Partners lists them all); only the
    proposing school's admins may propose (staff 403).
    """

    template_name = "partnerships/propose.html"

    def _partner(self, seed: str) -> Establishment:
        seed = (seed or "").strip()
        if not seed.isdigit():
            raise Http404("No such establishment")
        return get_object_or_404(Establishment.objects.select_related("authority"), seed_code=seed)

    def _school(self) -> Establishment:
        school = self.school()
        if not can_act_for_establishment(self.request.user, school):
            raise PermissionDenied(
                f"Only a Learning Partner Administrator of {school.name} can propose learning partnerships."
            )
        return school

    def _context(self, school: Establishment, partner: Establishment, **extra: Any) -> dict[str, Any]:
        existing = selectors.live_partnership_between(school, partner) if school.pk != partner.pk else None
        return {"school": school, "partner": partner, "existing": existing, "message": "",
                "next": _next_url(self.request, ""), **extra}

    def get(self, request: HttpRequest) -> HttpResponse:
        school = self._school()
        partner = self._partner(request.GET.get("partner", ""))
        return render(request, self.template_name, self._context(school, partner))

    def post(self, request: HttpRequest) -> HttpResponse:
        school = self._school()
        partner = self._partner(request.POST.get("partner", ""))
        message = request.POST.get("message", "")
        try:
            services.partnership_propose(proposer=school, partner=partner, by=_user(request), message=message)
        except services.PartnershipStateError as exc:
            return render(request, self.template_name, self._context(school, partner, error=str(exc), message=message),
                          status=409)
        except services.PartnershipError as exc:
            return render(request, self.template_name, self._context(school, partner, error=str(exc), message=message),
                          status=400)
        messages.success(
            request,
            f"Partnership proposed to {partner.name}. Their Learning Partner Administrators have been told; "
            "their answer will appear under View Partnerships.",
        )
        return HttpResponseRedirect(_next_url(request, reverse("partnerships:list")))


class NotificationsReadView(PortalView, View):
    """POST: mark the user's own partnership notifications as read (ids in the body, or all)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        raw = request.POST.getlist("notification")
        ids = [int(x) for x in raw if x.isdigit()] or None
        n = services.notification_mark_read(user=request.user, ids=ids)  # type: ignore[arg-type]
        if n:
            messages.info(request, f"{n} notification{'s' if n != 1 else ''} marked as read.")
        return HttpResponseRedirect(_next_url(request, reverse("partnerships:list")))

