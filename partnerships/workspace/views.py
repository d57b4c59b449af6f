"""The workspace pages, under /partnerships/<pk>/workspace/.

Who may use them (access.py): admins and staff of either school read (everyone else 404, whatever
id is in the path); staff of either school add actions, notes and files; admins also write the
purpose and aims, name leads and choose joint measures (staff 403). When the partnership has
ended every form answers 409 and the pages show the record, read-only.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from datahub.models import User
from datahub.views_base import PortalView

from ..models import Partnership
from . import access, selectors, services
from .forms import ActionForm, AimsForm, FileForm, LeadForm, MeasuresForm, NoteForm, WorkspaceForm
from .models import Action


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class WorkspaceBase(PortalView, View):
    """Looks the partnership up among the user's schools' active or ended partnerships (else 404)."""

    def partnership(self) -> Partnership:
        return access.workspace_partnership(self.request.user, self.kwargs["pk"])

    def base_context(self, p: Partnership) -> dict[str, Any]:
        school = access.my_school(self.request.user, p)
        return {
            "partnership": p,
            "school": school,
            "other": p.other(school),
            "read_only": access.is_read_only(p),
            "can_contribute": access.can_contribute(self.request.user, p),
            "can_manage": access.can_manage(self.request.user, p),
        }

    def closed(self, p: Partnership, template: str = "partnerships/workspace/closed.html") -> HttpResponse:
        return render(self.request, template, self.base_context(p), status=409)


class WorkspaceView(WorkspaceBase):
    """The workspace: purpose and aims, leads, the action plan, meeting notes, files, measures."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        p = self.partnership()
        acts = selectors.actions(p)
        ctx = self.base_context(p)
        ctx.update(
            workspace=selectors.workspace_of(p),
            leads=selectors.leads(p),
            actions=acts,
            overdue={a.pk for a in selectors.overdue(acts, timezone.localdate())},
            notes=selectors.meeting_notes(p),
            files=selectors.shared_files(p),
            measures=selectors.joint_measures(p),
            notices=selectors.unread_notices(_user(request), p),
        )
        response = render(request, "partnerships/workspace/workspace.html", ctx)
        # Seen: the notices about this workspace are no longer new (as a dashboard clears its
        # run notices when opened).
        if ctx["notices"]:
            services.workspace_notice_mark_read(user=_user(request), partnership=p)
        return response


class EvaluationView(WorkspaceBase):
    """The joint evaluation: each chosen measure's baseline and later runs, both schools side by side."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        p = self.partnership()
        ctx = self.base_context(p)
        ctx["evaluation"] = selectors.joint_evaluation(p)
        return render(request, "partnerships/workspace/evaluation.html", ctx)


class WorkspaceFormView(WorkspaceBase):
    """GET: the form. POST: the service; its refusal shown on the form (400), 409 once ended."""

    form_class: ClassVar[type[WorkspaceForm]]
    template_name = "partnerships/workspace/form.html"
    manage = False  # admins only (else anyone of either school)
    title = ""
    done = ""
    submit = "Save"
    hint = ""
    multipart = False

    def allowed(self, p: Partnership) -> None:
        (access.require_manage if self.manage else access.require_contribute)(self.request.user, p)

    def make_form(self, p: Partnership, data: Any = None, files: Any = None) -> forms.Form:
        return self.form_class(data, files, initial=self.initial(p), partnership=p)

    def initial(self, p: Partnership) -> dict[str, Any]:
        return {}

    def save(self, p: Partnership, form: forms.Form) -> object:
        raise NotImplementedError

    def success_url(self, p: Partnership) -> str:
        return reverse("partnerships:workspace", args=[p.pk])

    def render_form(self, p: Partnership, form: forms.Form, status: int = 200) -> HttpResponse:
        ctx = self.base_context(p)
        ctx.update(
            form=form,
            title=self.title,
            submit=self.submit,
            hint=self.hint,
            multipart=self.multipart,
            cancel=self.success_url(p),
        )
        return render(self.request, self.template_name, ctx, status=status)

    def get(self, request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        p = self.partnership()
        try:
            self.allowed(p)
        except access.WorkspaceClosed:
            return self.closed(p)
        return self.render_form(p, self.make_form(p))

    def post(self, request: HttpRequest, pk: int, **kwargs: Any) -> HttpResponse:
        p = self.partnership()
        try:
            self.allowed(p)
            form = self.make_form(p, request.POST, request.FILES)
            if not form.is_valid():
                return self.render_form(p, form, status=400)
            self.save(p, form)
        except access.WorkspaceClosed:
            return self.closed(p)
        except services.WorkspaceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            return self.render_form(p, form, status=400)
        messages.success(request, self.done)
        return HttpResponseRedirect(self.success_url(p))


class AimsView(WorkspaceFormView):
    form_class = AimsForm
    manage = True
    title = "Purpose and aims"
    done = "The purpose and aims are saved."
    hint = "Agreed by both schools. Learning Partner Administrators of either school can change them."

    def initial(self, p: Partnership) -> dict[str, Any]:
        ws = selectors.workspace_of(p)
        return {"purpose": ws.purpose, "aims": ws.aims}

    def save(self, p: Partnership, form: forms.Form) -> object:
        d = form.cleaned_data
        return services.workspace_update(partnership=p, by=_user(self.request), purpose=d["purpose"], aims=d["aims"])


class LeadAddView(WorkspaceFormView):
    form_class = LeadForm
    manage = True
    title = "Name a lead"
    done = "The lead is named."
    hint = "Who does what: a member of staff of either school and what they lead on."

    def save(self, p: Partnership, form: forms.Form) -> object:
        d = form.cleaned_data
        return services.lead_add(
            partnership=p, by=_user(self.request), user_id=d["lead"], responsibility=d["responsibility"]
        )


class ActionAddView(WorkspaceFormView):
    form_class = ActionForm
    title = "Add an action"
    done = "The action is added to the plan."
    submit = "Add action"

    def save(self, p: Partnership, form: forms.Form) -> object:
        d = form.cleaned_data
        return services.action_create(
            partnership=p,
            by=_user(self.request),
            title=d["title"],
            owner_id=d["owner"],
            due_on=d["due_on"],
            status=d["status"],
            evidence_url=d["evidence_url"],
        )


class ActionEditView(WorkspaceFormView):
    form_class = ActionForm
    title = "Update an action"
    done = "The action is updated."

    def action(self, p: Partnership) -> Action:
        a = selectors.action(p, self.kwargs["action"])
        if a is None:
            raise Http404("No such action")
        return a

    def allowed(self, p: Partnership) -> None:
        self.action(p)
        super().allowed(p)

    def initial(self, p: Partnership) -> dict[str, Any]:
        a = self.action(p)
        return {
            "title": a.title,
            "owner": a.owner_id,
            "due_on": a.due_on,
            "status": a.status,
            "evidence_url": a.evidence_url,
        }

    def save(self, p: Partnership, form: forms.Form) -> object:
        d = form.cleaned_data
        return services.action_update(
            action=self.action(p),
            by=_user(self.request),
            title=d["title"],
            owner_id=d["owner"],
            due_on=d["due_on"],
            status=d["status"],
            evidence_url=d["evidence_url"],
        )


class NoteAddView(WorkspaceFormView):
    form_class = NoteForm
    title = "Add meeting notes"
    done = "The meeting notes are added."
    submit = "Add notes"

    def save(self, p: Partnership, form: forms.Form) -> object:
        d = form.cleaned_data
        return services.meeting_note_create(
            partnership=p, by=_user(self.request), held_on=d["held_on"], title=d["title"], notes=d["notes"]
        )


class FileAddView(WorkspaceFormView):
    form_class = FileForm
    title = "Share a file"
    done = "The file is shared with both schools."
    submit = "Share file"
    multipart = True

    def save(self, p: Partnership, form: forms.Form) -> object:
        return services.shared_file_create(partnership=p, by=_user(self.request), upload=form.cleaned_data["file"])


class MeasuresView(WorkspaceFormView):
    form_class = MeasuresForm
    manage = True
    title = "Choose joint measures"
    done = "The measures are in the joint evaluation, with today's published figures as their baseline."
    submit = "Add to the joint evaluation"
    template_name = "partnerships/workspace/measures.html"

    def save(self, p: Partnership, form: forms.Form) -> object:
        return services.joint_measures_choose(
            partnership=p, by=_user(self.request), measures=form.cleaned_data["measures"]
        )

    def success_url(self, p: Partnership) -> str:
        return reverse("partnerships:workspace_evaluation", args=[p.pk])


class FileDownloadView(WorkspaceBase):
    """The file as an attachment, with the type it was accepted as (never rendered in the page)."""

    def get(self, request: HttpRequest, pk: int, file: int) -> HttpResponseBase:
        p = self.partnership()
        f = selectors.shared_file(p, file)
        if f is None:
            raise Http404("No such file")
        return FileResponse(f.file.open("rb"), as_attachment=True, filename=f.name, content_type=f.content_type)


class RemoveView(WorkspaceBase):
    """POST: remove a lead (admins) or a shared file (its uploader or an admin)."""

    kind = ""

    def post(self, request: HttpRequest, pk: int, item: int) -> HttpResponse:
        p = self.partnership()
        try:
            if self.kind == "lead":
                lead = selectors.lead(p, item)
                if lead is None:
                    raise Http404("No such lead")
                services.lead_remove(lead=lead, by=_user(request))
                messages.success(request, f"{lead.name} is no longer named as a lead.")
            else:
                f = selectors.shared_file(p, item)
                if f is None:
                    raise Http404("No such file")
                services.shared_file_delete(shared_file=f, by=_user(request))
                messages.success(request, f"{f.name} is removed.")
        except access.WorkspaceClosed:
            return self.closed(p)
        return HttpResponseRedirect(reverse("partnerships:workspace", args=[p.pk]))
