"""The access policy: the one place that answers "may this user see or do this?".

Every view, API endpoint, admin page and export asks here. Rules (docs/domain.md, "Who sees what"):

- Establishment admins and staff see their own school's data, unsuppressed, and their own
  school's learners individually. Only admins act for the school (learning partnerships).
- MCMC officers see every young person whose last school is in their authority.
- Authority analysts see every school of their authority unsuppressed (aggregates, not learners).
- National analysts see aggregates only.
- Data managers import and correct data for the establishments or authority they hold the role
  in (a national data manager for all), and may use the Django admin within that scope.
- User administrators (an authority's, or national) invite people and grant and revoke roles
  inside their scope; never their own, and user administration only when national. They see who
  holds what, not learners' data (the role carries no data access).
- Partner organisation members (a college, the national skills body) take part in communities of
  practice only: their role reaches no school, authority or learner record, so they are not portal
  users here (``is_portal_user``) and every data page and API endpoint refuses them (403).
- Everyone else: suppressed aggregates (datahub.disclosure), never individual learners.

Outsiders to an object get 404 (its existence is not confirmed); insiders who lack the role get 403.
A higher layer that knows more (learning partners) passes that knowledge in; this module imports
nothing above datahub.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import (
    AUTHORITY_ROLES,
    ESTABLISHMENT_ROLES,
    Establishment,
    Learner,
    LocalAuthority,
    Membership,
    PartnerOrganisation,
    Role,
    User,
)

_CACHE_ATTR = "_insight_memberships"


def memberships_of(user: User | object) -> list[Membership]:
    """A user's memberships, loaded once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        # Active and signed in: a User (request.user may be a lazy proxy of one, hence no isinstance).
        cached = list(
            Membership.objects.filter(user=cast(User, user)).select_related("establishment__authority", "authority")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user: User) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


@dataclass(frozen=True)
class Scope:
    """What a user's memberships reach, as id sets for queryset filters.

    ``establishment_ids``/``authority_ids``: places whose aggregates the user sees unsuppressed.
    ``learner_establishment_ids``/``learner_authority_ids``: places whose learners the user may see
    individually. ``national``: sees every establishment's aggregates (national analysts, national
    data managers); suppression still applies to what they are not entitled to.
    """

    national: bool
    establishment_ids: frozenset[int]
    authority_ids: frozenset[int]
    learner_establishment_ids: frozenset[int]
    learner_authority_ids: frozenset[int]
    import_establishment_ids: frozenset[int]
    import_authority_ids: frozenset[int]
    import_national: bool

    @property
    def is_empty(self) -> bool:
        return not (self.national or self.establishment_ids or self.authority_ids)


def scope_for(user: User | object) -> Scope:
    est: set[int] = set()
    auth: set[int] = set()
    learner_est: set[int] = set()
    learner_auth: set[int] = set()
    import_est: set[int] = set()
    import_auth: set[int] = set()
    national = import_national = False
    for m in memberships_of(user):
        if m.role in ESTABLISHMENT_ROLES:
            assert m.establishment_id is not None
            est.add(m.establishment_id)
            learner_est.add(m.establishment_id)
        elif m.role in AUTHORITY_ROLES:
            assert m.authority_id is not None
            auth.add(m.authority_id)
            if m.role == Role.MCMC_OFFICER:
                learner_auth.add(m.authority_id)
        elif m.role == Role.NATIONAL_ANALYST:
            national = True
        elif m.role == Role.DATA_MANAGER:
            if m.establishment_id:
                est.add(m.establishment_id)
                learner_est.add(m.establishment_id)
                import_est.add(m.establishment_id)
            elif m.authority_id:
                auth.add(m.authority_id)
                learner_auth.add(m.authority_id)
                import_auth.add(m.authority_id)
            else:
                national = import_national = True
    return Scope(
        national=national,
        establishment_ids=frozenset(est),
        authority_ids=frozenset(auth),
        learner_establishment_ids=frozenset(learner_est),
        learner_authority_ids=frozenset(learner_auth),
        import_establishment_ids=frozenset(import_est),
        import_authority_ids=frozenset(import_auth),
        import_national=import_national,
    )


def is_portal_user(user: User | object) -> bool:
    """Signed in, active and holding at least one role that reaches the portal's data.

    A partner organisation member's role does not: it opens communities of practice only
    (``is_partner_member``), so everything built on this answer refuses them.
    """
    return any(m.role != Role.PARTNER_MEMBER for m in memberships_of(user))


def is_partner_member(user: User | object) -> bool:
    """Holds a partner organisation membership (whatever else they hold)."""
    return any(m.role == Role.PARTNER_MEMBER for m in memberships_of(user))


def partner_organisation_ids(user: User | object) -> frozenset[int]:
    return frozenset(m.partner_organisation_id for m in memberships_of(user)
                     if m.role == Role.PARTNER_MEMBER and m.partner_organisation_id)


def holds_role(*roles: Role) -> Callable[[User | object], bool]:
    """A predicate: does the user hold one of ``roles`` anywhere? (menus: "who may see this entry")."""

    def predicate(user: User | object) -> bool:
        return has_role(user, roles)

    predicate.__name__ = "holds_" + "_or_".join(str(r) for r in roles)
    return predicate


def is_superuser(user: User | object) -> bool:
    """A signed-in, active superuser (the Django admin's accounts)."""
    return bool(getattr(user, "is_superuser", False) and getattr(user, "is_active", False))


def has_role(
    user: User | object,
    roles: Role | Iterable[Role],
    *,
    establishment: Establishment | None = None,
    authority: LocalAuthority | None = None,
) -> bool:
    """Does the user hold one of ``roles`` covering this establishment (or authority, or anywhere)?

    An authority role covers every establishment of its authority; a national data manager or
    analyst covers everything. With neither establishment nor authority given, any place counts.
    """
    wanted = {Role(roles)} if isinstance(roles, str) else {Role(r) for r in roles}
    target_authority_id = establishment.authority_id if establishment is not None else (
        authority.id if authority is not None else None
    )
    for m in memberships_of(user):
        if m.role not in wanted:
            continue
        if establishment is None and authority is None:
            return True
        if m.establishment_id is not None:
            if establishment is not None and m.establishment_id == establishment.id:
                return True
        elif m.authority_id is not None:
            if m.authority_id == target_authority_id:
                return True
        else:
            return True  # national role
    return False


def covers_establishment(user: User | object, establishment: Establishment) -> bool:
    """Is the establishment inside any of the user's memberships (so 403, not 404, applies)?"""
    scope = scope_for(user)
    return (
        scope.national
        or establishment.id in scope.establishment_ids
        or establishment.authority_id in scope.authority_ids
    )


def covers_authority(user: User | object, authority: LocalAuthority) -> bool:
    scope = scope_for(user)
    return scope.national or authority.id in scope.authority_ids


# --- Benchmark runs: national data managers run and publish them; readers check them ------------


def can_manage_benchmark_runs(user: User | object) -> bool:
    """Start, cancel, publish and unpublish benchmark runs: a national data manager only."""
    return any(
        m.role == Role.DATA_MANAGER and m.establishment_id is None and m.authority_id is None
        for m in memberships_of(user)
    )


def can_read_benchmark_runs(user: User | object) -> bool:
    """The runs page and its checks: data managers of an authority or Scotland, and analysts."""
    return any(
        m.role in (Role.NATIONAL_ANALYST, Role.AUTHORITY_ANALYST)
        or (m.role == Role.DATA_MANAGER and m.establishment_id is None)
        for m in memberships_of(user)
    )


# --- Entitlement to unsuppressed aggregates --------------------------------------------------


class Entitlement(enum.Enum):
    """How a viewer stands to an establishment's aggregates (docs/domain.md, disclosure control)."""

    OWN = "own"  # the school's own admins, staff and data managers
    AUTHORITY = "authority"  # an analyst, officer or data manager of the school's authority
    PARTNER = "partner"  # an active learning partner of one of the viewer's schools
    PUBLIC = "public"  # everyone else, national analysts included: suppressed

    @property
    def unsuppressed(self) -> bool:
        return self is not Entitlement.PUBLIC


def entitlement_for(
    user: User | object,
    establishment: Establishment,
    *,
    partner_establishment_ids: Iterable[int] = (),
) -> Entitlement:
    """The viewer's entitlement to ``establishment``'s aggregates.

    ``partner_establishment_ids``: establishments in an active learning partnership with one of the
    viewer's own schools, supplied by the partnerships app (a higher layer).
    """
    scope = scope_for(user)
    if establishment.id in scope.establishment_ids:
        return Entitlement.OWN
    if establishment.authority_id in scope.authority_ids:
        return Entitlement.AUTHORITY
    if establishment.id in set(partner_establishment_ids):
        return Entitlement.PARTNER
    return Entitlement.PUBLIC


def authority_entitlement(user: User | object, authority: LocalAuthority) -> Entitlement:
    scope = scope_for(user)
    return Entitlement.AUTHORITY if authority.id in scope.authority_ids else Entitlement.PUBLIC


# --- Individual learners --------------------------------------------------------------------


def can_view_learner(user: User | object, learner: Learner) -> bool:
    scope = scope_for(user)
    return (
        learner.establishment_id in scope.learner_establishment_ids
        or learner.establishment.authority_id in scope.learner_authority_ids
    )


def can_see_scn(user: User | object, learner: Learner) -> bool:
    """The SCN is personal data: only roles that match records (staff of the school, MCMC, data managers)."""
    return can_view_learner(user, learner)


# --- Acting ---------------------------------------------------------------------------------


def can_act_for_establishment(user: User | object, establishment: Establishment) -> bool:
    """Propose, accept, decline, withdraw, end partnerships: the school's own admins only."""
    return has_role(user, Role.ESTABLISHMENT_ADMIN, establishment=establishment)


def can_import_for(user: User | object, establishment: Establishment) -> bool:
    scope = scope_for(user)
    return (
        scope.import_national
        or establishment.id in scope.import_establishment_ids
        or establishment.authority_id in scope.import_authority_ids
    )


def can_use_admin(user: User | object) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.DATA_MANAGER)


# --- User administration -------------------------------------------------------------------
# Roles grant access to children's records, so only a user administrator grants them: within their
# own scope, never to themselves, and user administration itself only by a national one.

NATIONAL_ROLES = (Role.NATIONAL_ANALYST,)


@dataclass(frozen=True)
class UserAdminScope:
    """Where a user administrator may grant and revoke: everywhere, or in these authorities."""

    national: bool
    authority_ids: frozenset[int]

    def covers(self, *, establishment: Establishment | None = None, authority: LocalAuthority | None = None,
               partner_organisation: PartnerOrganisation | None = None) -> bool:
        """Is this place inside the scope? No place at all means a national role. A partner
        organisation is inside an authority's scope when it works in that authority."""
        if self.national:
            return True
        if partner_organisation is not None:
            return partner_organisation.authority_id in self.authority_ids
        if establishment is not None:
            return establishment.authority_id in self.authority_ids
        if authority is not None:
            return authority.id in self.authority_ids
        return False


def user_admin_scope(user: User | object) -> UserAdminScope | None:
    """The user's scope as a user administrator (superusers: national), or None when not one."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return UserAdminScope(national=True, authority_ids=frozenset())
    national = False
    authority_ids: set[int] = set()
    for m in memberships_of(user):
        if m.role != Role.USER_ADMIN:
            continue
        if m.authority_id is None:
            national = True
        else:
            authority_ids.add(m.authority_id)
    if not national and not authority_ids:
        return None
    return UserAdminScope(national=national, authority_ids=frozenset(authority_ids))


def can_administer_users(user: User | object) -> bool:
    return user_admin_scope(user) is not None


def grant_refusal(
    actor: User | object,
    *,
    grantee: User,
    role: Role | str,
    establishment: Establishment | None = None,
    authority: LocalAuthority | None = None,
    partner_organisation: PartnerOrganisation | None = None,
) -> str | None:
    """Why ``actor`` may not give ``grantee`` this role at this place, or None when they may."""
    scope = user_admin_scope(actor)
    if scope is None:
        return "Only a user administrator may grant roles."
    if getattr(actor, "pk", None) == grantee.pk:
        return "You cannot change your own roles: ask another user administrator."
    role = Role(role)
    if role == Role.USER_ADMIN and not scope.national:
        return "Only a national user administrator may grant user administration."
    if role == Role.PARTNER_MEMBER or partner_organisation is not None:
        if role != Role.PARTNER_MEMBER or partner_organisation is None:
            return "A partner organisation member needs a partner organisation, and nothing else does."
        if not scope.covers(partner_organisation=partner_organisation):
            return "That partner organisation is outside the authorities you administer."
        return None
    if establishment is None and authority is None and not scope.national:
        return "A national role can only be granted by a national user administrator."
    if not scope.covers(establishment=establishment, authority=authority):
        return "That place is outside the authorities you administer."
    return None


def revoke_refusal(actor: User | object, membership: Membership) -> str | None:
    """Why ``actor`` may not take this role away, or None when they may."""
    scope = user_admin_scope(actor)
    if scope is None:
        return "Only a user administrator may revoke roles."
    if getattr(actor, "pk", None) == membership.user_id:
        return "You cannot change your own roles: ask another user administrator."
    if membership.role == Role.USER_ADMIN and not scope.national:
        return "Only a national user administrator may revoke user administration."
    if membership.partner_organisation_id is not None:
        if not scope.covers(partner_organisation=membership.partner_organisation):
            return "That role is outside the authorities you administer."
        return None
    if not scope.covers(establishment=membership.establishment, authority=membership.authority):
        return "That role is outside the authorities you administer."
    return None


# --- Helpers for views ----------------------------------------------------------------------


def require_establishment(
    user: User | object, establishment: Establishment, roles: Iterable[Role] | None = None
) -> None:
    """404 for outsiders, 403 for insiders without one of ``roles`` (None: any role will do)."""
    if not covers_establishment(user, establishment):
        raise Http404("No such establishment")
    if roles is not None and not has_role(user, roles, establishment=establishment):
        raise PermissionDenied("Your role does not allow this")


def require_learner(user: User | object, learner: Learner) -> None:
    if not can_view_learner(user, learner):
        raise Http404("No such learner")


# --- Import mapping profiles ---------------------------------------------------------------
# A profile belongs to an authority (its data managers, at school or authority level, share it) or
# is national (saved by a national data manager): every data manager may use a national profile.


def import_profile_authority_ids(user: User | object) -> tuple[bool, frozenset[int]]:
    """(national, authority ids) whose mapping profiles ``user`` may use and save."""
    scope = scope_for(user)
    if scope.import_national:
        return True, frozenset()
    est_auth = Establishment.objects.filter(id__in=scope.import_establishment_ids).values_list(
        "authority_id", flat=True
    )
    return False, frozenset(scope.import_authority_ids) | frozenset(est_auth)


def can_change_import_profile(user: User | object, authority_id: int | None) -> bool:
    """Save over or delete a profile: a national one by national data managers, an authority's by its own."""
    national, authorities = import_profile_authority_ids(user)
    return national or (authority_id is not None and authority_id in authorities)
