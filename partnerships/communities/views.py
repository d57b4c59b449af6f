"""Community pages, under /partnerships/communities/.

Who may use them (access.py): the list for members of a community and for those who may create
one (authority and national data managers), 403 for everyone else; a community and everything in
it for its members only (404 for anyone else, whatever id is in the path); adding and removing
members and hiding posts for the community's admins (403 for other members); leaving for any member. Partner organisation members use
these pages like anyone else (and nothing else of the portal).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View

from datahub.models import User
from datahub.views_base import PortalView

from . import access, notices, selectors, services
from .forms import CommunityForm, HideForm, MemberForm, ReplyForm, ResourceForm, ThreadForm
from .models import Community


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class CommunityBase(PortalView, View):
    allow_partner_members = True

    def community(self) -> Community:
        return access.community_for(self.request.user, self.kwargs["pk"])

    def context(self, community: Community, **extra: Any) -> dict[str, Any]:
        return {"community": community, "is_admin": access.is_community_admin(self.request.user, community), **extra}


def _form_error(form: forms.Form, exc: services.CommunityError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


class CommunityListView(CommunityBase):
    """The communities the user belongs to, and the way to create one (data managers)."""

    def check_access(self, request: HttpRequest, **kwargs: Any) -> None:
        if not access.may_use_communities(request.user):
            raise PermissionDenied("Communities of practice are for their members and for data managers who create them.")

    def get(self, request: HttpRequest) -> HttpResponse:
        mine = access.communities_for(request.user).select_related("authority")
        return render(request, "partnerships/communities/list.html", {
            "communities": mine, "may_create": access.may_create_community(request.user),
        })


class CommunityCreateView(CommunityBase):
    template = "partnerships/communities/form.html"

    def check_access(self, request: HttpRequest, **kwargs: Any) -> None:
        if not access.may_create_community(request.user):
            raise PermissionDenied("Communities are created by authority and national data managers.")

    def page(self, form: forms.Form, status: int = 200) -> HttpResponse:
        return render(self.request, self.template, {"form": form, "title": "Create a community",
                                                    "submit": "Create community", "cancel": "partnerships:communities"},
                      status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(CommunityForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CommunityForm(request.POST)
        if form.is_valid():
            try:
                c = services.community_create(by=_user(request), name=form.cleaned_data["name"],
                                              purpose=form.cleaned_data["purpose"])
            except services.CommunityError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "The community is created: add its members.")
                return redirect("partnerships:community", pk=c.pk)
        return self.page(form, status=400)


class CommunityView(CommunityBase):
    """A community: its threads, shared resources and members (admins add members here)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        c = self.community()
        ctx = self.context(c, threads=selectors.threads(c), resources=selectors.resources(c),
                           members=selectors.members(c), member_form=MemberForm(), resource_form=ResourceForm())
        response = render(request, "partnerships/communities/community.html", ctx)
        notices.mark_read(request.user, c.pk)
        return response


class MemberAddView(CommunityBase):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        c = self.community()
        access.require_admin(request.user, c)
        form = MemberForm(request.POST)
        if form.is_valid():
            try:
                services.community_member_add(by=_user(request), community=c, email=form.cleaned_data["email"],
                                              is_admin=form.cleaned_data["is_admin"])
            except services.CommunityError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"{form.cleaned_data['email']} is now a member and has been told.")
                return redirect("partnerships:community", pk=c.pk)
        ctx = self.context(c, threads=selectors.threads(c), resources=selectors.resources(c),
                           members=selectors.members(c), member_form=form, resource_form=ResourceForm())
        return render(request, "partnerships/communities/community.html", ctx, status=400)


class MemberRemoveView(CommunityBase):
    """POST: a community admin removes another member (403 for other members, 404 for outsiders and
    for a member id of another community)."""

    def post(self, request: HttpRequest, pk: int, member: int) -> HttpResponse:
        c = self.community()
        access.require_admin(request.user, c)
        m = selectors.member_in(c, member)
        if m is None:
            raise Http404("No such member")
        try:
            services.community_member_remove(by=_user(request), community=c, member=m)
        except services.CommunityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{m.user.get_full_name() or m.user.email} is no longer a member.")
        return redirect("partnerships:community", pk=c.pk)


class LeaveView(CommunityBase):
    """POST: a member leaves the community (and is then told it is not found)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        c = self.community()
        try:
            services.community_leave(by=_user(request), community=c)
        except services.CommunityError as exc:
            messages.error(request, str(exc))
            return redirect("partnerships:community", pk=c.pk)
        messages.success(request, f"You have left {c.name}.")
        return redirect("partnerships:communities" if access.may_use_communities(request.user) else "dashboard")


class ThreadAddView(CommunityBase):
    def page(self, c: Community, form: forms.Form, status: int = 200) -> HttpResponse:
        return render(self.request, "partnerships/communities/form.html", self.context(
            c, form=form, title="Start a thread", submit="Post", cancel_url=c.pk), status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.page(self.community(), ThreadForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        c = self.community()
        form = ThreadForm(request.POST)
        if form.is_valid():
            try:
                t = services.thread_start(by=_user(request), community=c, **form.cleaned_data)
            except services.CommunityError as exc:
                _form_error(form, exc)
            else:
                return redirect("partnerships:community_thread", pk=c.pk, thread=t.pk)
        return self.page(c, form, status=400)


class ThreadView(CommunityBase):
    """A thread: its posts (text escaped; embeds assembled for this reader), and a reply form."""

    def thread_page(self, c: Community, thread_pk: int, form: forms.Form, status: int = 200) -> HttpResponse:
        thread = selectors.thread_in(c, thread_pk)
        if thread is None:
            raise Http404("No such thread")
        ctx = self.context(c, thread=thread, posts=selectors.posts(thread), form=form)
        response = render(self.request, "partnerships/communities/thread.html", ctx, status=status)
        notices.mark_read(self.request.user, c.pk, thread.pk)
        return response

    def get(self, request: HttpRequest, pk: int, thread: int) -> HttpResponse:
        return self.thread_page(self.community(), thread, ReplyForm())

    def post(self, request: HttpRequest, pk: int, thread: int) -> HttpResponse:
        c = self.community()
        t = selectors.thread_in(c, thread)
        if t is None:
            raise Http404("No such thread")
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                post = services.post_reply(by=_user(request), thread=t, **form.cleaned_data)
            except services.CommunityError as exc:
                _form_error(form, exc)
            else:
                return redirect(f"{request.path}#post-{post.pk}")
        return self.thread_page(c, thread, form, status=400)


class PostHideView(CommunityBase):
    """Hide a post (community admins): the form, then the thread without the post's text."""

    def target(self, pk: int, post: int) -> tuple[Community, Any]:
        c = self.community()
        p = selectors.post_in(c, post)
        if p is None:
            raise Http404("No such post")
        access.require_admin(self.request.user, c)
        return c, p

    def page(self, c: Community, post: Any, form: forms.Form, status: int = 200) -> HttpResponse:
        return render(self.request, "partnerships/communities/form.html", self.context(
            c, form=form, title="Hide a post", submit="Hide post", post=post), status=status)

    def get(self, request: HttpRequest, pk: int, post: int) -> HttpResponse:
        c, p = self.target(pk, post)
        return self.page(c, p, HideForm())

    def post(self, request: HttpRequest, pk: int, post: int) -> HttpResponse:
        c, p = self.target(pk, post)
        form = HideForm(request.POST)
        if form.is_valid():
            try:
                services.post_hide(by=_user(request), post=p, reason=form.cleaned_data["reason"])
            except services.CommunityError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "The post is hidden.")
                return redirect("partnerships:community_thread", pk=c.pk, thread=p.thread_id)
        return self.page(c, p, form, status=400)


class ResourceAddView(CommunityBase):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        c = self.community()
        form = ResourceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.resource_add(by=_user(request), community=c, upload=form.cleaned_data["file"])
            except services.CommunityError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "The file is shared with the community.")
                return redirect("partnerships:community", pk=c.pk)
        ctx = self.context(c, threads=selectors.threads(c), resources=selectors.resources(c),
                           members=selectors.members(c), member_form=MemberForm(), resource_form=form)
        return render(request, "partnerships/communities/community.html", ctx, status=400)


class ResourceDownloadView(CommunityBase):
    """The file as an attachment, with the type it was accepted as (never rendered in the page)."""

    def get(self, request: HttpRequest, pk: int, resource: int) -> HttpResponseBase:
        r = selectors.resource_in(self.community(), resource)
        if r is None:
            raise Http404("No such file")
        return FileResponse(r.file.open("rb"), as_attachment=True, filename=r.name, content_type=r.content_type)
