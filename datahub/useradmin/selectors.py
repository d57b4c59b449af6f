"""Reads for user administration: who holds what inside a user administrator's scope."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from ..access import UserAdminScope
from ..models import AuditEvent, Establishment, LocalAuthority, Membership, PartnerOrganisation, User


def memberships_in(scope: UserAdminScope) -> QuerySet[Membership]:
    """Memberships at places inside the scope (national roles only for a national administrator)."""
    qs = Membership.objects.select_related("user", "establishment__authority", "authority", "partner_organisation")
    if scope.national:
        return qs
    return qs.filter(Q(establishment__authority_id__in=scope.authority_ids) | Q(authority_id__in=scope.authority_ids)
                     | Q(partner_organisation__authority_id__in=scope.authority_ids))


def people_in(scope: UserAdminScope, *, q: str = "") -> QuerySet[User]:
    """People holding at least one role inside the scope, each with those roles prefetched as ``roles_here``.

    A national administrator also sees accounts with no role yet (invited, or whose roles were revoked).
    """
    here = memberships_in(scope)
    people = User.objects.all() if scope.national else User.objects.filter(memberships__in=here).distinct()
    if q:
        people = people.filter(
            Q(email__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
        )
    return people.prefetch_related(Prefetch("memberships", queryset=here, to_attr="roles_here")).order_by(
        "last_name", "first_name", "email"
    )


def person_in(scope: UserAdminScope, pk: int) -> User | None:
    """The person, when they hold a role inside the scope (or always, for a national administrator)."""
    return people_in(scope).filter(pk=pk).first()


def establishments_in(scope: UserAdminScope) -> QuerySet[Establishment]:
    qs = Establishment.objects.select_related("authority").order_by("name")
    return qs if scope.national else qs.filter(authority_id__in=scope.authority_ids)


def partner_organisations_in(scope: UserAdminScope) -> QuerySet[PartnerOrganisation]:
    """Partner organisations whose people the administrator may invite: an authority's own, or all."""
    qs = PartnerOrganisation.objects.order_by("name")
    return qs if scope.national else qs.filter(authority_id__in=scope.authority_ids)


def authorities_in(scope: UserAdminScope) -> QuerySet[LocalAuthority]:
    qs = LocalAuthority.objects.order_by("name")
    return qs if scope.national else qs.filter(id__in=scope.authority_ids)


def grant_history(scope: UserAdminScope, user: User) -> QuerySet[AuditEvent]:
    """Grants, revocations and the invitation of this person, as far as the scope reaches."""
    qs = AuditEvent.objects.filter(
        Q(object_type="membership", object_id=str(user.pk)) | Q(object_type="user", object_id=str(user.pk))
    ).select_related("actor", "establishment", "authority")
    if not scope.national:
        qs = qs.filter(Q(authority_id__in=scope.authority_ids) | Q(establishment__authority_id__in=scope.authority_ids))
    return qs.order_by("-at")
