"""The first national administrator of a new installation (``create_national_admin``).

A fresh database has nobody who may grant roles, so the first person is made from the command
line: a national user administrator (grants everyone else's roles through the portal) and a
national data manager (loads reference data and imports), with access to the Django admin. Once a
national user administrator exists the command refuses: every later role is granted, audited and
e-mailed through the user administration pages.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from ..models import Membership, Role, User
from ..services import audit_event_create
from .services import UserAdminError

NATIONAL_ADMIN_ROLES = (Role.USER_ADMIN, Role.DATA_MANAGER)


def national_admin_exists() -> bool:
    return Membership.objects.filter(role=Role.USER_ADMIN, establishment__isnull=True, authority__isnull=True).exists()


@transaction.atomic
def national_admin_create(*, email: str, password: str, first_name: str = "", last_name: str = "") -> User:
    """Create the first national administrator; UserAdminError once one exists or the e-mail is taken.

    The password is checked against the portal's password rules (ValidationError otherwise).
    """
    if national_admin_exists():
        raise UserAdminError("A national user administrator already exists: grant further roles in the portal "
                             "(People) instead.")
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise UserAdminError(f"{email} already has an account.")
    user = User(email=email, first_name=first_name, last_name=last_name, is_staff=True)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    for role in NATIONAL_ADMIN_ROLES:
        Membership.objects.create(user=user, role=role)
    audit_event_create(actor=None, action="national_admin_create", object_type="user", object_id=user.pk,
                       detail={"user": email, "roles": [r.value for r in NATIONAL_ADMIN_ROLES]})
    return user
