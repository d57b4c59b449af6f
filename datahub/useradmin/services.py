"""Writes: invite a person, grant a role, revoke a role. Each is audited and told to the person by e-mail."""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from ..access import forget_memberships, grant_refusal, revoke_refusal
from ..links import absolute_url
from ..models import Establishment, LocalAuthority, Membership, PartnerOrganisation, Role, User
from ..services import audit_event_create


class UserAdminError(ValidationError):
    """A grant or invitation that cannot be made as asked (already held, e-mail in use...)."""


def _place_name(*, establishment: Establishment | None, authority: LocalAuthority | None,
                partner_organisation: PartnerOrganisation | None = None) -> str:
    if partner_organisation is not None:
        return partner_organisation.name
    if establishment is not None:
        return f"{establishment.name} ({establishment.seed_code})"
    if authority is not None:
        return authority.name
    return "Scotland"


def _tell(user: User, template: str, context: dict) -> None:
    """E-mail the person affected once the change is committed (never for a rolled-back change)."""
    context = {**context, "user": user, "portal_url": absolute_url("/")}
    subject = render_to_string(f"datahub/useradmin/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"datahub/useradmin/email/{template}_body.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


def _audit(*, by: User, action: str, membership: Membership, reason: str = "") -> None:
    audit_event_create(
        actor=by,
        action=action,
        object_type="membership",
        object_id=membership.user_id,
        establishment=membership.establishment,
        # A partner organisation's grants are kept with its authority, whose administrators see them.
        authority=membership.authority or (membership.partner_organisation.authority
                                           if membership.partner_organisation else None),
        reason=reason,
        detail={
            "user": membership.user.email,
            "role": membership.role,
            "place": _place_name(establishment=membership.establishment, authority=membership.authority,
                                 partner_organisation=membership.partner_organisation),
        },
    )


@transaction.atomic
def membership_grant(
    *,
    by: User,
    user: User,
    role: Role | str,
    establishment: Establishment | None = None,
    authority: LocalAuthority | None = None,
    partner_organisation: PartnerOrganisation | None = None,
    reason: str = "",
) -> Membership:
    """Give ``user`` the role at the place: checked against the policy, audited, e-mailed."""
    refusal = grant_refusal(by, grantee=user, role=role, establishment=establishment, authority=authority,
                            partner_organisation=partner_organisation)
    if refusal:
        raise PermissionDenied(refusal)
    membership = Membership(user=user, role=Role(role), establishment=establishment, authority=authority,
                            partner_organisation=partner_organisation)
    membership.full_clean(validate_unique=False, validate_constraints=True)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise UserAdminError(f"{user.email} already holds that role there.") from None
    _audit(by=by, action="membership_grant", membership=membership, reason=reason)
    _tell(user, "granted", {"membership": membership, "by": by})
    return membership


@transaction.atomic
def membership_revoke(*, by: User, membership: Membership, reason: str) -> None:
    """Take the role away. It stops working on the person's next request (pages and API alike)."""
    membership = Membership.objects.select_for_update(of=("self",)).select_related(
        "user", "establishment", "authority"
    ).get(pk=membership.pk)
    refusal = revoke_refusal(by, membership)
    if refusal:
        raise PermissionDenied(refusal)
    if not reason.strip():
        raise UserAdminError("Say why the role is being revoked.")
    _audit(by=by, action="membership_revoke", membership=membership, reason=reason.strip())
    _tell(membership.user, "revoked", {"membership": membership, "by": by, "reason": reason.strip()})
    membership.delete()
    forget_memberships(membership.user)


@transaction.atomic
def user_invite(
    *,
    by: User,
    email: str,
    first_name: str,
    last_name: str,
    role: Role | str,
    establishment: Establishment | None = None,
    authority: LocalAuthority | None = None,
    partner_organisation: PartnerOrganisation | None = None,
) -> User:
    """Create an account for a new person with their first role, and e-mail them a link to set a password.

    The account has no usable password until they follow the link (allauth's password reset key,
    valid for PASSWORD_RESET_TIMEOUT). An e-mail already in use is refused: grant that person a role instead.
    """
    email = BaseUserManager.normalize_email(email).strip()
    if User.objects.filter(email__iexact=email).exists():
        raise UserAdminError(f"{email} already has an account: grant them a role from their page instead.")
    # The grant is checked before anything is written (the person does not exist yet, so not the actor).
    probe = User(email=email)
    refusal = grant_refusal(by, grantee=probe, role=role, establishment=establishment, authority=authority,
                            partner_organisation=partner_organisation)
    if refusal:
        raise PermissionDenied(refusal)
    user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_event_create(actor=by, action="user_invite", object_type="user", object_id=user.pk,
                       establishment=establishment,
                       authority=authority or (partner_organisation.authority if partner_organisation else None),
                       detail={"user": email})
    membership = Membership(user=user, role=Role(role), establishment=establishment, authority=authority,
                            partner_organisation=partner_organisation)
    membership.full_clean(validate_unique=False, validate_constraints=True)
    membership.save()
    _audit(by=by, action="membership_grant", membership=membership, reason="Invitation")
    _tell(user, "invited", {"membership": membership, "by": by, "set_password_url": _set_password_url(user)})
    return user


def _set_password_url(user: User) -> str:
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return absolute_url(path)
