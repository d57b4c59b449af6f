"""The viewer's entitlement to an establishment's aggregates, learning partners included.

datahub.access knows own school and own authority; partnerships knows who is an active learning
partner of the viewer's schools. This module (in the top layer) puts the two together, so every
benchmark page and export asks here.
"""

from __future__ import annotations

from datahub.access import Entitlement, entitlement_for, memberships_of
from datahub.models import ESTABLISHMENT_ROLES, Establishment
from partnerships.selectors import partner_establishment_ids


def own_establishment_ids(user: object) -> set[int]:
    """Schools where the user holds an establishment role (admin or staff)."""
    return {m.establishment_id for m in memberships_of(user) if m.role in ESTABLISHMENT_ROLES and m.establishment_id}


def viewer_entitlement(user: object, establishment: Establishment) -> Entitlement:
    partners = partner_establishment_ids(own_establishment_ids(user))
    return entitlement_for(user, establishment, partner_establishment_ids=partners)
