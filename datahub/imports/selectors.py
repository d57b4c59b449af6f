"""Reads of import batches, scoped through datahub.access."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ..access import scope_for
from ..models import Establishment, ImportBatch, ImportStatus, User


def import_batches_for(user: User) -> QuerySet[ImportBatch]:
    """Batches a user may see: their own, and those touching only schools in their import scope."""
    scope = scope_for(user)
    qs = ImportBatch.objects.select_related("uploaded_by", "restrict_to")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if scope.import_national:
        return qs
    through = ImportBatch.establishments.through.objects
    mine = Q(id__in=scope.import_establishment_ids) | Q(authority_id__in=scope.import_authority_ids)
    inside = through.filter(establishment__in=Establishment.objects.filter(mine)).values("importbatch_id")
    outside = through.filter(establishment__in=Establishment.objects.exclude(mine)).values("importbatch_id")
    return qs.filter(Q(uploaded_by=user) | (Q(pk__in=inside) & ~Q(pk__in=outside)))


def previous_import_of(sha256: str, kind: str, user: User) -> ImportBatch | None:
    """An earlier successful import of the very same file (same kind and hash) by this user."""
    return (
        ImportBatch.objects.filter(file_sha256=sha256, kind=kind, uploaded_by=user, status=ImportStatus.SUCCEEDED)
        .order_by("-created_at")
        .first()
    )
