"""Partnership group pages: propose a group, a group's page, and its members' actions.

Who may do what:
- Propose a group: a Learning Partner Administrator of the school they are working as (staff 403).
- A group's page: admins and staff of any school invited to it (whatever it answered); anyone
  else gets 404, whatever id is put in the path.
- The plan and meeting notes: admins and staff of a joined school add actions and notes and
  change an action's status, while the group is active (plan.py); 409 once it has ended.
- Accept / decline (an invited school), leave (a joined school other than the founder), end (the
  founding school), write the aims (a joined school, while active): that school's admins only;
  staff 403. POST only; a change the group's state no longer allows is a 409 on the group's page.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from datahub.access import can_act_for_establishment
from datahub.models import Establishment
from datahub.views_base import PortalView

from ..selectors import admin_establishment_ids, member_establishment_ids
from ..views import SchoolPortalView, _user
from ..workspace import access as ws_access
from ..workspace import selectors as ws_selectors
from ..workspace import services as ws_services
from . import plan, selectors, services
from .models import GroupAction, GroupStatus, MemberStatus, PartnershipGroup

SEED = re.compile(r"[0-9]{7}")

DONE = {
    "accept": "{school} joined the group.",
    "decline": "{school} declined the invitation.",
    "leave": "{school} left the group: you no longer see its schools' data without suppression.",
    "end": "The group has ended. Its record is kept.",
}


def visible_group(user: Any, pk: int) -> PartnershipGroup:
    """The group if one of the user's schools was invited to it; 404 for everyone else."""
    g = selectors.groups_for(member_establishment_ids(user)).filter(pk=pk).first()
    if g is None:
        raise Http404("No such partnership group")
    return g


def acting_school(user: Any, group: PartnershipGroup, action: str) -> Establishment:
    """The user's school in the group for ``action``: one they are admin of whose place allows it,
    else any of theirs in it (the service then refuses with the reason)."""
    rows = {m.establishment_id: m for m in selectors.members_of(group)}
    admin = admin_establishment_ids(user)
    fits = {
        "accept": lambda m: m.status == MemberStatus.INVITED,
        "decline": lambda m: m.status == MemberStatus.INVITED,
        "leave": lambda m: m.status == MemberStatus.JOINED and m.establishment_id != group.founder_id,
        "end": lambda m: m.establishment_id == group.founder_id,
        "aims": lambda m: m.status == MemberStatus.JOINED,
    }[action]
    for est_id, m in rows.items():
        if est_id in admin and fits(m):
            return m.establishment
    for est_id, m in rows.items():
        if est_id in member_establishment_ids(user):
            return m.establishment
    raise Http404("No such partnership group")


def group_context(user: Any, group: PartnershipGroup, **extra: Any) -> dict[str, Any]:
    members = selectors.members_of(group)
    mine = member_establishment_ids(user)
    admin = admin_establishment_ids(user)
    my_rows = [m for m in members if m.establishment_id in mine]
    actions: list[tuple[str, str]] = []
    if group.status != GroupStatus.ENDED:
        for m in my_rows:
            if m.establishment_id not in admin:
                continue
            if m.status == MemberStatus.INVITED:
                actions += [("accept", f"Accept for {m.establishment.name}"),
                            ("decline", f"Decline for {m.establishment.name}")]
            elif m.establishment_id == group.founder_id:
                actions.append(("end", "End the group"))
            elif m.status == MemberStatus.JOINED:
                actions.append(("leave", f"Leave the group ({m.establishment.name})"))
    can_write_aims = group.status == GroupStatus.ACTIVE and any(
        m.status == MemberStatus.JOINED and m.establishment_id in admin for m in my_rows
    )
    can_contribute = group.status == GroupStatus.ACTIVE and any(m.status == MemberStatus.JOINED for m in my_rows)
    # The workspace (leads, files, joint measures, notices): schools that have joined only.
    in_workspace = any(m.status == MemberStatus.JOINED for m in my_rows)
    is_founder_admin = group.status != GroupStatus.ENDED and group.founder_id in admin
    workspace: dict[str, Any] = {}
    if in_workspace:
        workspace = {"leads": ws_selectors.leads(group), "files": ws_selectors.shared_files(group),
                     "measures": ws_selectors.joint_measures(group),
                     "can_manage": ws_access.can_manage(user, group),
                     "notices": ws_selectors.unread_notices(user, group) if user.is_authenticated else []}
    return {"in_workspace": in_workspace, "can_invite": is_founder_admin, "invite_schools": "", **workspace,"group": group, "members": members, "my_rows": my_rows, "actions": actions,
            "joined": sum(m.status == MemberStatus.JOINED for m in members),
            "events": selectors.group_events(group), "can_write_aims": can_write_aims,
            "read_only": group.status == GroupStatus.ENDED, "message": "", "aims": group.aims,
            "can_contribute": can_contribute, "actions_plan": list(group.actions.select_related("owner_establishment")),
            "notes": list(group.meeting_notes.select_related("author_establishment", "author")),
            "people": plan.group_people(group) if can_contribute else [], "statuses": plan.STATUSES.items(),
            "form": {}, **extra}


class GroupDetailView(PortalView, View):
    """A group: its purpose and aims, its schools and how each answered, its history, the actions."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = visible_group(request.user, pk)
        ctx = group_context(request.user, group)
        response = render(request, "partnerships/groups/detail.html", ctx)
        if ctx.get("notices"):  # seen: the workspace notices about this group are no longer new
            ws_services.workspace_notice_mark_read(user=_user(request), partnership=group)
        return response


class GroupActionView(PortalView, View):
    """POST accept, decline, leave or end (``action``), with an optional message."""

    action = ""
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = visible_group(request.user, pk)
        school = acting_school(request.user, group, self.action)
        if not can_act_for_establishment(request.user, school):
            raise PermissionDenied(f"Only a Learning Partner Administrator of {school.name} can act on its "
                                   "partnership groups.")
        message = request.POST.get("message", "")
        try:
            services.GROUP_ACTIONS[self.action](group=group, by=_user(request), acting_for=school, message=message)
        except services.GroupError as exc:
            group.refresh_from_db()
            status = 409 if isinstance(exc, services.GroupStateError) else 400
            return render(request, "partnerships/groups/detail.html",
                          group_context(request.user, group, error=str(exc), error_field=exc.field, message=message),
                          status=status)
        messages.success(request, DONE[self.action].format(school=school.name))
        return HttpResponseRedirect(reverse("partnerships:group", args=[group.pk]))


class GroupAimsView(PortalView, View):
    """POST the group's agreed aims (a joined school's admin, while the group is active)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        group = visible_group(request.user, pk)
        school = acting_school(request.user, group, "aims")
        if not can_act_for_establishment(request.user, school):
            raise PermissionDenied(f"Only a Learning Partner Administrator of {school.name} can write the aims.")
        aims = request.POST.get("aims", "")
        try:
            services.group_aims_update(group=group, by=_user(request), acting_for=school, aims=aims)
        except services.GroupError as exc:
            status = 409 if isinstance(exc, services.GroupStateError) else 400
            return render(request, "partnerships/groups/detail.html",
                          group_context(request.user, group, error=str(exc), error_field=exc.field, aims=aims),
                          status=status)
        messages.success(request, "The group's aims are saved.")
        return HttpResponseRedirect(reverse("partnerships:group", args=[group.pk]))


def parse_schools(raw: str) -> list[Establishment]:
    """SEED codes (separated by spaces, commas or new lines) -> schools; GroupError on the field
    ``schools`` for anything that is not a SEED code of a known school."""
    tokens = [t for t in re.split(r"[\s,;]+", raw or "") if t]
    bad = [t for t in tokens if not SEED.fullmatch(t)]
    if bad:
        raise services.GroupError(f"\u201c{bad[0][:20]}\u201d is not a SEED code (7 digits).", "schools")
    found = {e.seed_code: e for e in Establishment.objects.filter(seed_code__in=tokens)}
    missing = [t for t in tokens if t not in found]
    if missing:
        raise services.GroupError(f"No school has the SEED code {missing[0]}.", "schools")
    return [found[t] for t in dict.fromkeys(tokens)]


class GroupProposeView(SchoolPortalView, View):
    """GET the form to found a group; POST founds it and invites the schools."""

    template_name = "partnerships/groups/propose.html"

    def _school(self) -> Establishment:
        school = self.school()
        if not can_act_for_establishment(self.request.user, school):
            raise PermissionDenied(
                f"Only a Learning Partner Administrator of {school.name} can propose a partnership group."
            )
        return school

    def get(self, request: HttpRequest) -> HttpResponse:
        school = self._school()
        return render(request, self.template_name, {"school": school, "form": {}})

    def post(self, request: HttpRequest) -> HttpResponse:
        school = self._school()
        form = {k: request.POST.get(k, "") for k in ("name", "purpose", "schools", "message")}
        try:
            invited = parse_schools(form["schools"])
            group = services.group_propose(founder=school, invited=invited, name=form["name"],
                                           purpose=form["purpose"], by=_user(request), message=form["message"])
        except services.GroupError as exc:
            return render(request, self.template_name,
                          {"school": school, "form": form, "error": str(exc), "error_field": exc.field}, status=400)
        messages.success(request, f"The group \u201c{group.name}\u201d is proposed. The invited schools' Learning "
                                  "Partner Administrators have been told; it becomes active when two have joined.")
        return HttpResponseRedirect(reverse("partnerships:group", args=[group.pk]))


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _int(raw: str) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() else None


class GroupPlanView(PortalView, View):
    """POST to the group's plan and notes (``what``: action, action_status, note): admins and staff
    of a joined school while the group is active; its refusal is shown on the group's page."""

    what = ""
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, item: int | None = None) -> HttpResponse:
        group = visible_group(request.user, pk)
        form = {k: request.POST.get(k, "") for k in ("action_title", "owner", "due_on", "evidence_url", "status",
                                                      "held_on", "note_title", "notes")}
        by = _user(request)
        try:
            if self.what == "action":
                plan.group_action_add(group=group, by=by, title=form["action_title"], owner_id=_int(form["owner"]),
                                      due_on=_date(form["due_on"]), evidence_url=form["evidence_url"],
                                      status=form["status"] or "not_started")
                done = "The action is added to the group's plan."
            elif self.what == "action_status":
                action = GroupAction.objects.filter(group=group, pk=item or 0).first()
                if action is None:
                    raise Http404("No such action")
                plan.group_action_status(action=action, by=by, status=form["status"])
                done = f"The action \u201c{action.title}\u201d is now {plan.STATUSES[form['status']].lower()}."
            else:
                note = plan.group_note_add(group=group, by=by, held_on=_date(form["held_on"]),
                                           title=form["note_title"], notes=form["notes"])
                done = f"The meeting notes \u201c{note.title}\u201d are added."
        except services.GroupError as exc:
            group.refresh_from_db()
            status = 409 if isinstance(exc, services.GroupStateError) else 400
            return render(request, "partnerships/groups/detail.html",
                          group_context(request.user, group, error=str(exc), error_field=exc.field, form=form),
                          status=status)
        messages.success(request, done)
        return HttpResponseRedirect(reverse("partnerships:group", args=[group.pk]) + "#plan")
