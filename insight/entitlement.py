"""The viewer's entitlement to an establishment's aggregates, learning partners included.

datahub.access knows own school and own authority; partnerships knows who is an active learning
partner of the viewer's schools. This module (in the top layer) puts the two together, so every
benchmark page and export asks here. It also says who may use the authority dashboards and the
national view (the views declare it through PortalView.check_access).
"""

from __future__ import annotations

from typing import Any

from datahub.access import Entitlement, entitlement_for, memberships_of, scope_for
from datahub.models import ESTABLISHMENT_ROLES, Establishment, Role
from partnerships.selectors import partner_establishment_ids

AUTHORITY_DASHBOARD_ROLES = (Role.AUTHORITY_ANALYST, Role.MCMC_OFFICER, Role.NATIONAL_ANALYST)


def own_establishment_ids(user: object) -> set[int]:
    """Schools where the user holds an establishment role (admin or staff)."""
    return {m.establishment_id for m in memberships_of(user) if m.role in ESTABLISHMENT_ROLES and m.establishment_id}


def viewer_entitlement(user: object, establishment: Establishment) -> Entitlement:
    partners = partner_establishment_ids(own_establishment_ids(user))
    return entitlement_for(user, establishment, partner_establishment_ids=partners)


def may_use_authority_dashboards(user: Any) -> bool:
    """Analysts, MCMC officers, and data managers working for an authority or nationally."""
    return any(
        m.role in AUTHORITY_DASHBOARD_ROLES or (m.role == Role.DATA_MANAGER and m.establishment_id is None)
        for m in memberships_of(user)
    )


def may_use_national_view(user: Any) -> bool:
    """National analysts and national data managers."""
    return scope_for(user).national
