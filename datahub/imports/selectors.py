"""Reads of import batches and mapping profiles, scoped through datahub.access."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ..access import import_profile_authority_ids, scope_for
from ..models import Establishment, ImportBatch, ImportMappingProfile, ImportStatus, User


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


def import_profiles_for(user: User, kind: str | None = None) -> QuerySet[ImportMappingProfile]:
    """Mapping profiles a data manager may use: their authority's and the national ones (all, nationally)."""
    national, authorities = import_profile_authority_ids(user)
    qs = ImportMappingProfile.objects.select_related("authority", "created_by")
    if kind is not None:
        qs = qs.filter(kind=kind)
    if not national:
        qs = qs.filter(Q(authority__isnull=True) | Q(authority_id__in=authorities))
    return qs.order_by("kind", "name", "id")


def import_profile_for_headers(user: User, kind: str, signature: str) -> ImportMappingProfile | None:
    """The profile made for files with these headers: the user's authority's first, then a national one."""
    found = list(import_profiles_for(user, kind).filter(signature=signature).order_by("-updated_at"))
    found.sort(key=lambda p: p.authority_id is None)
    return found[0] if found else None


def import_profile_named(user: User, kind: str, name: str) -> ImportMappingProfile | None:
    found = list(import_profiles_for(user, kind).filter(name=name.strip()))
    found.sort(key=lambda p: p.authority_id is None)
    return found[0] if found else None
