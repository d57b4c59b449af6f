"""Reads of partnership data. Used by higher layers to grant partner entitlement."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from .models import Partnership, Status


def partner_establishment_ids(establishment_ids: Iterable[int]) -> set[int]:
    """Establishments in an ACTIVE learning partnership with any of ``establishment_ids``."""
    ids = set(establishment_ids)
    if not ids:
        return set()
    out: set[int] = set()
    for proposer, partner in Partnership.objects.filter(
        Q(proposer_id__in=ids) | Q(partner_id__in=ids), status=Status.ACTIVE
    ).values_list("proposer_id", "partner_id"):
        out.add(partner if proposer in ids else proposer)
        if partner in ids and proposer in ids:
            out.update({proposer, partner})
    return out
