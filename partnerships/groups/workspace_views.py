"""A partnership group's workspace pages: leads, shared files, the joint evaluation (under
/partnerships/groups/<pk>/), and the founder's invitations after founding.

The workspace code is the pair's (partnerships.workspace: its forms, services, selectors, file
checks and notices, given the group instead of a partnership). Who may use them
(partnerships.workspace.access): admins and staff of a school that has *joined* the group read
(everyone else 404, whatever id is in the path, schools only invited, declined or left included);
they share files; admins of a joined school also name leads, choose joint measures and remove
another person's file (staff 403). While the group is not active every form answers 409 (an
ended group's workspace is a read-only record).

Invite more schools, withdraw a pending invitation: the founding school's admins (staff 403,
other schools' admins 403), POST only; refusals are shown on the group's page (400, or 409 when
the group has ended).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from datahub.access import can_act_for_establishment
from datahub.views_base import PortalView

from ..views import _user
from ..workspace import access
from ..workspace import selectors as ws_selectors
from ..workspace import services as ws_services
from ..workspace.forms import ActionForm, FileForm, LeadForm, MeasuresForm, WorkspaceForm
from ..workspace.subject import subject_of
from . import plan, services
from .models import GroupAction, GroupMember, MemberStatus, PartnershipGroup
from .services import GroupError, GroupStateError
from .views import group_context, parse_schools, visible_group


class GroupWorkspaceBase(PortalView, View):
    def group(self) -> PartnershipGroup:
        return access.workspace_group(self.request.user, self.kwargs["pk"])

    def base_context(self, g: PartnershipGroup) -> dict[str, Any]:
        return {
            "group": g,
            "school": access.my_school(self.request.user, g),
            "read_only": access.is_read_only(g),
            "can_contribute": access.can_contribute(self.request.user, g),
            "can_manage": access.can_manage(self.request.user, g),
        }

    def closed(self, g: PartnershipGroup, exc: access.WorkspaceClosed) -> HttpResponse:
        ctx = self.base_context(g) | {"title": "The workspace is read-only", "reason": str(exc)}
        return render(self.request, "partnerships/groups/closed.html", ctx, status=409)


class GroupEvaluationView(GroupWorkspaceBase):
    """The joint evaluation: each measure's baseline and later releases, one row per member school."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        g = self.group()
        ctx = self.base_context(g)
        schools = subject_of(g).schools()
        ctx["evaluation"] = [(ev, ev.by_school(schools)) for ev in ws_selectors.joint_evaluation(g)]
        ctx["schools"] = schools
        return render(request, "partnerships/groups/evaluation.html", ctx)


class GroupFormView(GroupWorkspaceBase):
    """GET: the form. POST: the workspace service; its refusal on the form (400), 409 unless active."""

    form_class: ClassVar[type[WorkspaceForm]]
    template_name = "partnerships/groups/form.html"
    manage = False
    title = ""
    done = ""
    submit = "Save"
    hint = ""
    multipart = False
    anchor = ""

    def allowed(self, g: PartnershipGroup) -> None:
        (access.require_manage if self.manage else access.require_contribute)(self.request.user, g)

    def initial(self, g: PartnershipGroup) -> dict[str, Any]:
        return {}

    def save(self, g: PartnershipGroup, form: forms.Form) -> object:
        raise NotImplementedError

    def success_url(self, g: PartnershipGroup) -> str:
        return reverse("partnerships:group", args=[g.pk]) + (f"#{self.anchor}" if self.anchor else "")

    def render_form(self, g: PartnershipGroup, form: forms.Form, status: int = 200) -> HttpResponse:
        ctx = self.base_context(g) | {"form": form, "title": self.title, "submit": self.submit, "hint": self.hint,
                                      "multipart": self.multipart, "cancel": self.success_url(g)}
        return render(self.request, self.template_name, ctx, status=status)

    def get(self, request: HttpRequest, pk: int, **kwargs: int) -> HttpResponse:
        g = self.group()
        try:
            self.allowed(g)
        except access.WorkspaceClosed as exc:
            return self.closed(g, exc)
        return self.render_form(g, self.form_class(initial=self.initial(g), partnership=g))

    def post(self, request: HttpRequest, pk: int, **kwargs: int) -> HttpResponse:
        g = self.group()
        try:
            self.allowed(g)
            form = self.form_class(request.POST, request.FILES, partnership=g)
            if not form.is_valid():
                return self.render_form(g, form, status=400)
            self.save(g, form)
        except access.WorkspaceClosed as exc:
            return self.closed(g, exc)
        except GroupStateError as exc:
            return self.closed(g, access.WorkspaceClosed(str(exc)))
        except (ws_services.WorkspaceError, GroupError) as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            return self.render_form(g, form, status=400)
        messages.success(request, self.done)
        return HttpResponseRedirect(self.success_url(g))


class GroupActionEditView(GroupFormView):
    """Update an action of the group's plan (what, owner, due date, status, evidence): admins and
    staff of a joined school, as they add one."""

    form_class = ActionForm
    title = "Update an action"
    done = "The action is updated."
    anchor = "plan"

    def action(self, g: PartnershipGroup) -> GroupAction:
        a = GroupAction.objects.filter(group=g, pk=self.kwargs["item"]).first()
        if a is None:
            raise Http404("No such action")
        return a

    def allowed(self, g: PartnershipGroup) -> None:
        self.action(g)
        super().allowed(g)

    def initial(self, g: PartnershipGroup) -> dict[str, Any]:
        a = self.action(g)
        return {"title": a.title, "owner": a.owner_id, "due_on": a.due_on, "status": a.status,
                "evidence_url": a.evidence_url}

    def save(self, g: PartnershipGroup, form: forms.Form) -> object:
        d = form.cleaned_data
        return plan.group_action_update(action=self.action(g), by=_user(self.request), title=d["title"],
                                        owner_id=d["owner"], due_on=d["due_on"], status=d["status"],
                                        evidence_url=d["evidence_url"])


class GroupLeadAddView(GroupFormView):
    form_class = LeadForm
    manage = True
    title = "Name a lead"
    done = "The lead is named."
    hint = "Who does what: a member of staff of one of the group's schools and what they lead on."
    anchor = "leads"

    def save(self, g: PartnershipGroup, form: forms.Form) -> object:
        d = form.cleaned_data
        return ws_services.lead_add(partnership=g, by=_user(self.request), user_id=d["lead"],
                                    responsibility=d["responsibility"])


class GroupFileAddView(GroupFormView):
    form_class = FileForm
    title = "Share a file"
    done = "The file is shared with the group's schools."
    submit = "Share file"
    multipart = True
    anchor = "files"

    def save(self, g: PartnershipGroup, form: forms.Form) -> object:
        return ws_services.shared_file_create(partnership=g, by=_user(self.request), upload=form.cleaned_data["file"])


class GroupMeasuresView(GroupFormView):
    form_class = MeasuresForm
    manage = True
    title = "Choose joint measures"
    done = "The measures are in the joint evaluation, with today's published figures as their baseline."
    submit = "Add to the joint evaluation"
    template_name = "partnerships/groups/measures.html"

    def save(self, g: PartnershipGroup, form: forms.Form) -> object:
        return ws_services.joint_measures_choose(partnership=g, by=_user(self.request),
                                                 measures=form.cleaned_data["measures"])

    def success_url(self, g: PartnershipGroup) -> str:
        return reverse("partnerships:group_evaluation", args=[g.pk])


class GroupFileDownloadView(GroupWorkspaceBase):
    """The file as an attachment, with the type it was accepted as (never rendered in the page)."""

    def get(self, request: HttpRequest, pk: int, file: int) -> HttpResponseBase:
        f = ws_selectors.shared_file(self.group(), file)
        if f is None:
            raise Http404("No such file")
        return FileResponse(f.file.open("rb"), as_attachment=True, filename=f.name, content_type=f.content_type)


class GroupRemoveView(GroupWorkspaceBase):
    """POST: remove a lead (admins of a joined school) or a shared file (its uploader or an admin)."""

    kind = ""
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, item: int) -> HttpResponse:
        g = self.group()
        try:
            if self.kind == "lead":
                lead = ws_selectors.lead(g, item)
                if lead is None:
                    raise Http404("No such lead")
                ws_services.lead_remove(lead=lead, by=_user(request))
                messages.success(request, f"{lead.name} is no longer named as a lead.")
            else:
                f = ws_selectors.shared_file(g, item)
                if f is None:
                    raise Http404("No such file")
                ws_services.shared_file_delete(shared_file=f, by=_user(request))
                messages.success(request, f"{f.name} is removed.")
        except access.WorkspaceClosed as exc:
            return self.closed(g, exc)
        return HttpResponseRedirect(reverse("partnerships:group", args=[g.pk]) + f"#{self.kind}s")


class GroupInviteView(PortalView, View):
    """POST: the founding school's admin invites more schools (``schools``: SEED codes), or withdraws
    a pending invitation (``item``: the invited school's membership row)."""

    what = "invite"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, item: int | None = None) -> HttpResponse:
        group = visible_group(request.user, pk)
        if not can_act_for_establishment(request.user, group.founder):
            raise PermissionDenied(f"Only a Learning Partner Administrator of the founding school "
                                   f"({group.founder.name}) can invite schools to the group.")
        by = _user(request)
        raw = request.POST.get("schools", "")
        try:
            if self.what == "invite":
                added = services.group_invite(group=group, by=by, invited=parse_schools(raw))
                done = f"Invited: {', '.join(e.name for e in added)}. Their Learning Partner Administrators have been told."
            else:
                row = GroupMember.objects.filter(group=group, pk=item or 0, status=MemberStatus.INVITED).first()
                if row is None:
                    raise Http404("No such invitation")
                services.group_withdraw(group=group, by=by, member=row)
                done = f"The invitation to {row.establishment.name} is withdrawn."
        except services.GroupError as exc:
            group.refresh_from_db()
            status = 409 if isinstance(exc, services.GroupStateError) else 400
            ctx = group_context(request.user, group, error=str(exc), error_field=exc.field, invite_schools=raw)
            return render(request, "partnerships/groups/detail.html", ctx, status=status)
        messages.success(request, done)
        return HttpResponseRedirect(reverse("partnerships:group", args=[group.pk]) + "#group-schools")
