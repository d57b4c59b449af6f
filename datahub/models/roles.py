"""Roles: what a person may do, and where (establishment, authority or Scotland)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .accounts import User
from .organisations import Establishment, LocalAuthority


class Role(models.TextChoices):
    ESTABLISHMENT_ADMIN = "establishment_admin", "Establishment admin (Learning Partner Administrator)"
    ESTABLISHMENT_STAFF = "establishment_staff", "Establishment staff"
    MCMC_OFFICER = "mcmc_officer", "MCMC officer"
    AUTHORITY_ANALYST = "authority_analyst", "Local authority analyst"
    NATIONAL_ANALYST = "national_analyst", "National analyst"
    DATA_MANAGER = "data_manager", "Data manager"
    USER_ADMIN = "user_admin", "User administrator"
    # A member of a partner organisation (a college, the national skills body): takes part in
    # communities of practice only, and reaches no school, authority or learner record.
    PARTNER_MEMBER = "partner_member", "Partner organisation member"


ESTABLISHMENT_ROLES = (Role.ESTABLISHMENT_ADMIN, Role.ESTABLISHMENT_STAFF)
AUTHORITY_ROLES = (Role.MCMC_OFFICER, Role.AUTHORITY_ANALYST)


class PartnerOrganisation(models.Model):
    """An organisation that works with schools without access to learner records (a college, the
    national skills body). Its members join communities of practice (partnerships.communities).
    ``authority``: the area it works in, so that authority's user administrators may invite its
    people; none for a national body (national user administrators only)."""

    name = models.CharField(max_length=200, unique=True)
    authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, null=True, blank=True, related_name="partner_organisations"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A role a user holds at an establishment, in an authority, or nationally.

    Establishment roles need an establishment, authority roles an authority, the national analyst
    neither; a data manager works at one of the three levels; a user administrator in an authority
    or nationally; a partner organisation member at their organisation (and nowhere else).
    Memberships are granted and revoked only through datahub.useradmin (audited).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    authority = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    partner_organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=[r.value for r in Role]), name="membership_role_known"),
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role=Role.PARTNER_MEMBER.value, partner_organisation__isnull=False, establishment__isnull=True,
                      authority__isnull=True)
                    | (~Q(role=Role.PARTNER_MEMBER.value) & Q(partner_organisation__isnull=True) & (
                    Q(role__in=[r.value for r in ESTABLISHMENT_ROLES], establishment__isnull=False, authority__isnull=True)
                    | Q(role__in=[r.value for r in AUTHORITY_ROLES], establishment__isnull=True, authority__isnull=False)
                    | Q(role=Role.NATIONAL_ANALYST.value, establishment__isnull=True, authority__isnull=True)
                    | (Q(role=Role.DATA_MANAGER.value) & ~Q(establishment__isnull=False, authority__isnull=False))
                    | Q(role=Role.USER_ADMIN.value, establishment__isnull=True)))
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "establishment"],
                condition=Q(establishment__isnull=False),
                name="membership_unique_establishment_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "authority"],
                condition=Q(authority__isnull=False),
                name="membership_unique_authority_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(establishment__isnull=True, authority__isnull=True),
                name="membership_unique_national_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} - {self.place_name}"

    @property
    def place_name(self) -> str:
        if self.partner_organisation_id:
            return self.partner_organisation.name  # type: ignore[union-attr]
        if self.establishment_id:
            return self.establishment.name  # type: ignore[union-attr]
        if self.authority_id:
            return self.authority.name  # type: ignore[union-attr]
        return "Scotland"
