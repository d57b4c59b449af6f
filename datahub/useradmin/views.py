"""User administration pages: people and their roles, invite, grant, revoke. User administrators only.

Who may use them: a user administrator (an authority's, or national) or a superuser; anyone else
gets 403. A person outside the administrator's scope is not found (404). What may be granted or
revoked is the access policy's answer (datahub.access.grant_refusal / revoke_refusal).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View

from ..access import UserAdminScope, revoke_refusal, user_admin_scope
from ..models import Membership, User
from . import selectors, services
from .forms import GrantForm, InviteForm, RevokeForm

PAGE_SIZE = 50


class UserAdminView(LoginRequiredMixin, View):
    """Signed in as a user administrator (or superuser); ``self.scope`` is where they administer."""

    scope: UserAdminScope

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        scope = user_admin_scope(request.user)
        if scope is None:
            raise PermissionDenied("Only user administrators manage who holds which role. Ask your authority's.")
        self.scope = scope
        return super().dispatch(request, *args, **kwargs)

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)  # signed in: dispatch checked it

    def person(self, pk: int) -> User:
        person = selectors.person_in(self.scope, pk)
        if person is None:
            raise Http404("No such person")
        return person


class PeopleView(UserAdminView):
    """Everyone holding a role in the administrator's scope, with those roles; search by name or e-mail."""

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "").strip()[:100]
        page = Paginator(selectors.people_in(self.scope, q=q), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "datahub/useradmin/people.html", {"page": page, "q": q, "scope": self.scope})


class InviteView(UserAdminView):
    """Invite a new person with their first role; they get an e-mail with a link to set a password."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, InviteForm(scope=self.scope))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = InviteForm(request.POST, scope=self.scope)
        if form.is_valid():
            try:
                person = services.user_invite(
                    by=self.actor, email=form.cleaned_data["email"], first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"], role=form.cleaned_data["role"],
                    establishment=form.establishment, authority=form.authority,
                    partner_organisation=form.partner_organisation,
                )
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, _message(exc))
            else:
                messages.success(request, f"Invitation sent to {person.email}.")
                return redirect("useradmin:person", pk=person.pk)
        return self._page(request, form, status=400)

    def _page(self, request: HttpRequest, form: InviteForm, status: int = 200) -> HttpResponse:
        return render(request, "datahub/useradmin/invite.html", {"form": form}, status=status)


class PersonView(UserAdminView):
    """One person: the roles they hold in scope, their grant history, and a form to grant another role."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(request, self.person(pk), GrantForm(scope=self.scope))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self.person(pk)
        form = GrantForm(request.POST, scope=self.scope)
        if form.is_valid():
            try:
                services.membership_grant(
                    by=self.actor, user=person, role=form.cleaned_data["role"],
                    establishment=form.establishment, authority=form.authority,
                    partner_organisation=form.partner_organisation,
                )
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, _message(exc))
            else:
                messages.success(request, f"{person} has been granted the role and told by e-mail.")
                return redirect("useradmin:person", pk=person.pk)
        return self._page(request, person, form, status=400)

    def _page(self, request: HttpRequest, person: User, form: GrantForm, status: int = 200) -> HttpResponse:
        own = person.pk == request.user.pk
        roles = [(m, revoke_refusal(request.user, m)) for m in person.roles_here]  # type: ignore[attr-defined]
        context = {
            "person": person, "own": own, "roles": roles, "form": form,
            "history": selectors.grant_history(self.scope, person)[:50],
        }
        return render(request, "datahub/useradmin/person.html", context, status=status)


class RevokeView(UserAdminView):
    """Confirm and revoke one role, with a reason that is audited and sent to the person."""

    def membership(self, pk: int) -> Membership:
        membership = selectors.memberships_in(self.scope).filter(pk=pk).first()
        if membership is None:
            raise Http404("No such role")
        return membership

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = self.membership(pk)
        return self._page(request, membership, RevokeForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = self.membership(pk)
        form = RevokeForm(request.POST)
        if form.is_valid():
            try:
                services.membership_revoke(by=self.actor, membership=membership, reason=form.cleaned_data["reason"])
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, _message(exc))
            else:
                messages.success(request, f"{membership.get_role_display()} revoked; {membership.user} has been told.")
                return redirect("useradmin:people")
        return self._page(request, membership, form, status=400)

    def _page(self, request: HttpRequest, membership: Membership, form: RevokeForm, status: int = 200) -> HttpResponse:
        context = {"membership": membership, "form": form, "refusal": revoke_refusal(request.user, membership)}
        return render(request, "datahub/useradmin/revoke.html", context, status=status)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "You may not do this."
