"""Comparator group pages under /insight/groups/.

Who may use them: any portal user builds groups and sees the groups they own or that are shared
with them (directly, or through an active learning partnership of their school); any other group
is not found (404). Only the owner changes, shares or deletes a group (a reader it is shared with
gets 403). Authority and national analysts are offered statistical neighbours. Creating, changing,
sharing and deleting are audited (insight.groups.services).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from datahub import disclosure
from datahub.models import LocalAuthority
from datahub.views_base import PortalView

from ..entitlement import may_use_authority_dashboards
from ..selectors.dashboards import latest_run
from ..selectors.figures import Viewer
from . import forms, services
from .figures import group_figures
from .models import ComparatorGroup
from .selectors import group_for, groups_for, members_of, secondaries
from .tables import group_table


def _new_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    """The create form: the filter as chosen, the schools it matches (ticked), neighbours for analysts."""
    chosen = forms.filter_from(request.GET if request.method == "GET" else request.POST)
    ctx: dict[str, Any] = {"chosen": chosen, "urban_rural": services.URBAN_RURAL_6, "simd_q1": services.SIMD_Q1_BANDS,
                           "fsm": services.FSM_BANDS, "roll": services.ROLL_BANDS,
                           "authorities": LocalAuthority.objects.order_by("name"),
                           "analyst": may_use_authority_dashboards(request.user), "matches": None, **extra}
    try:
        if chosen:
            ctx["matches"] = list(services.filter_schools(chosen)[:services.MAX_MEMBERS + 1])
    except services.GroupError as exc:
        ctx.update(error=str(exc), error_field=exc.field)
    seed = request.GET.get("neighbours_of", "").strip()
    if seed and ctx["analyst"]:
        school = secondaries().filter(seed_code=seed).first()
        if school is None:
            ctx.update(error="No secondary school has that SEED code.", error_field="neighbours_of")
        else:
            ctx.update(matches=[school, *services.statistical_neighbours(school)], neighbours_of=school,
                       name=f"Statistical neighbours of {school.name}")
    return ctx


class GroupListView(PortalView, View):
    """Your comparator groups and those shared with you: any portal user."""

    def get(self, request: HttpRequest) -> HttpResponse:
        groups = list(groups_for(request.user).prefetch_related("members"))
        return render(request, "insight/groups/list.html", {"groups": groups, "user_id": request.user.pk})


class GroupNewView(PortalView, View):
    """Build a group by picking schools or by a filter (statistical neighbours for analysts): any portal user."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "insight/groups/new.html", _new_context(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            follow = request.POST.get("keep") == "filter"
            group = services.group_create(owner=request.user, name=request.POST.get("name", ""),  # type: ignore[arg-type]
                                          members=[] if follow else forms.members_from(request.POST),
                                          filter_definition=forms.filter_from(request.POST), follow_filter=follow)
        except services.GroupError as exc:
            ctx = _new_context(request, error=str(exc), error_field=exc.field, name=request.POST.get("name", ""),
                               seeds=request.POST.get("seeds", ""), keep=request.POST.get("keep", ""))
            return render(request, "insight/groups/new.html", ctx, status=400)
        messages.success(request, f"Comparator group \u201c{group.name}\u201d saved.")
        return HttpResponseRedirect(reverse("insight:group_detail", kwargs={"pk": group.pk}))


class GroupDetailView(PortalView, View):
    """One group: its schools and figures; the owner changes, shares or deletes it. Owner and sharers only (else 404)."""

    def get(self, request: HttpRequest, pk: int, **extra: Any) -> HttpResponse:
        group = group_for(request.user, pk)
        if group is None:
            raise Http404("No such comparator group")
        run = latest_run()
        gf = group_figures(run, group, Viewer(request.user)) if run else None
        owner = group.owner_id == request.user.pk
        members = members_of(group)
        in_run = ([s for s in secondaries().filter(pk__in=gf.run_member_ids).order_by("name")]
                  if gf and group.follows_filter else [])
        ctx = {"group": group, "members": members, "run": run, "figures": gf, "run_members": in_run,
               "run_differs": {s.pk for s in in_run} != {s.pk for s in members},
               "table": group_table(gf) if gf else None, "explanation": disclosure.explanation(), "owner": owner,
               "seeds": "\n".join(m.seed_code for m in members),
               "emails": "\n".join(u.email for u in group.shared_with.order_by("email")),
               "partnerships": forms.partnerships_of(request.user) if owner else [], **extra}
        return render(request, "insight/groups/detail.html", ctx, status=400 if extra.get("error") else 200)


class OwnerActionView(GroupDetailView):
    """A change to a group: its owner only (403 for a reader it is shared with, 404 for anyone else)."""

    http_method_names = ["post"]

    def owned(self, request: HttpRequest, pk: int) -> ComparatorGroup:
        group = group_for(request.user, pk)
        if group is None:
            raise Http404("No such comparator group")
        if group.owner_id != request.user.pk:
            raise PermissionDenied("Only the group's owner may change, share or delete it.")
        return group

    def act(self, request: HttpRequest, group: ComparatorGroup) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = self.owned(request, pk)
        try:
            done = self.act(request, group)
        except services.GroupError as exc:
            return self.get(request, pk, error=str(exc), error_field=exc.field)
        messages.success(request, done)
        if not ComparatorGroup.objects.filter(pk=pk).exists():
            return HttpResponseRedirect(reverse("insight:groups"))
        return HttpResponseRedirect(reverse("insight:group_detail", kwargs={"pk": pk}))


class GroupEditView(OwnerActionView):
    def act(self, request: HttpRequest, group: ComparatorGroup) -> str:
        services.group_update(group=group, by=request.user, name=request.POST.get("name", ""),  # type: ignore[arg-type]
                              members=forms.members_from(request.POST))
        return "Group changed; its figures are worked out again."


class GroupShareView(OwnerActionView):
    def act(self, request: HttpRequest, group: ComparatorGroup) -> str:
        services.group_share(group=group, by=request.user, users=forms.people_from(request.POST.get("emails", "")),  # type: ignore[arg-type]
                             partnership=forms.partnership_from(request.user, request.POST.get("partnership", "")))
        return "Sharing saved."


class GroupDeleteView(OwnerActionView):
    def act(self, request: HttpRequest, group: ComparatorGroup) -> str:
        name = group.name
        services.group_delete(group=group, by=request.user)  # type: ignore[arg-type]
        return f"Comparator group \u201c{name}\u201d deleted."
