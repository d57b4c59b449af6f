"""Base classes every portal page uses: sign-in, a role in the portal, and declared access."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from .access import has_role, is_partner_member, is_portal_user
from .models import Role


class PortalView(LoginRequiredMixin):
    """Signed in and holding at least one role. ``required_roles``: one of these, anywhere.

    Page-level rules beyond a role (who may use a whole kind of page) go in ``check_access``,
    which the dispatch calls once the user is known to be a signed-in portal user. Object-level
    checks (404 for outsiders, 403 for insiders lacking the role) are made by the view through
    datahub.access once it has looked the object up.
    """

    required_roles: ClassVar[tuple[Role, ...] | None] = None
    # Partner organisation members reach no data: only pages that say so (their communities, their
    # own settings) let them in; every other page refuses them as it refuses a person with no role.
    allow_partner_members: ClassVar[bool] = False

    def check_access(self, request: HttpRequest, **kwargs: Any) -> None:
        """Raise PermissionDenied (403) or Http404 when this signed-in portal user may not use the
        page; ``kwargs`` are the URL's. Nothing more to check by default."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_portal_user(request.user) and not (self.allow_partner_members and is_partner_member(request.user)):
            if is_partner_member(request.user):
                raise PermissionDenied("As a member of a partner organisation you take part in communities of practice: "
                                       "this page is not open to you.")
            raise PermissionDenied("Your account has no role in the portal yet. Ask your data manager.")
        if self.required_roles is not None and not has_role(request.user, self.required_roles):
            wanted = " or ".join(str(Role(r).label) for r in self.required_roles)
            raise PermissionDenied(f"This page is for the role {wanted}, which your account does not hold.")
        self.check_access(request, **kwargs)
        return super().dispatch(request, *args, **kwargs)
