"""Django admin for data managers, scoped by the access policy.

The admin site admits superusers and data managers (not Django's is_staff flag). Each model admin
filters its queryset to the data manager's scope and limits what they may change, so an
establishment's data manager never sees another school's rows here either.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from .access import can_use_admin, scope_for
from .models import (
    AuditEvent,
    ChangeRecord,
    Collaborative,
    Establishment,
    ImportBatch,
    Learner,
    LocalAuthority,
    Membership,
    PartnerOrganisation,
    QualificationResult,
    SchoolLeaver,
    Subject,
    TariffEntry,
    TariffScale,
    User,
)


def _admin_has_permission(request: HttpRequest) -> bool:
    return bool(request.user.is_active and can_use_admin(request.user))


admin.site.has_permission = _admin_has_permission  # type: ignore[method-assign]


class ScopedAdmin(admin.ModelAdmin):
    """Base: data managers get view/add/change/delete inside their scope; superusers everything."""

    national_only = False  # reference data: only national data managers and superusers may change it
    read_only_for_data_managers = False

    def scope_filter(self, qs: QuerySet, request: HttpRequest) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        scope = scope_for(request.user)
        if scope.import_national:
            return qs
        return self.scope_filter(qs, request)

    def _may_write(self, request: HttpRequest) -> bool:
        if request.user.is_superuser:
            return True
        if self.read_only_for_data_managers:
            return False
        if self.national_only:
            return scope_for(request.user).import_national
        return can_use_admin(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_use_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_use_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_write(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_write(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_write(request)


def _est_q(scope: Any, prefix: str = "") -> Q:
    return Q(**{f"{prefix}id__in": scope.import_establishment_ids}) | Q(
        **{f"{prefix}authority_id__in": scope.import_authority_ids}
    )


@admin.register(Collaborative)
class CollaborativeAdmin(ScopedAdmin):
    """Regional Improvement Collaboratives: reference data a national data manager maintains."""

    list_display = ["name", "code"]
    national_only = True

    def scope_filter(self, qs: QuerySet, request: HttpRequest) -> QuerySet:
        return qs


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(ScopedAdmin):
    list_display = ["name", "code", "gss_code", "collaborative"]
    list_filter = ["collaborative"]
    search_fields = ["name", "gss_code"]
    national_only = True

    def scope_filter(self, qs: QuerySet, request: HttpRequest) -> QuerySet:
        return qs


@admin.register(Establishment)
class EstablishmentAdmin(ScopedAdmin):
    list_display = ["name", "seed_code", "authority", "type", "roll"]
    list_filter = ["type", "authority"]
    search_fields = ["name", "seed_code"]

    def scope_filter(self, qs: QuerySet, request: HttpRequest) -> QuerySet:
        return qs.filter(_est_q(scope_for(request.user)))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "authority" and not request.user.is_superuser:
            scope = scope_for(request.user)
            if not scope.import_national:
                kwargs["queryset"] = LocalAuthority.objects.filter(id__in=scope.import_authority_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class _LearnerScoped(ScopedAdmin):
    learner_path = "learner__"

    def scope_filter(self, qs: QuerySet, request: HttpRequest) -> QuerySet:
        return qs.filter(_est_q(scope_for(request.user), prefix=f"{self.learner_path}establishment__"))


@admin.register(Learner)
class LearnerAdmin(_LearnerScoped):
    learner_path = ""
    list_display = ["scn", "family_name", "given_name", "establishment", "simd_decile"]
    search_fields = ["scn", "family_name"]
    raw_id_fields = ["establishment"]


@admin.register(SchoolLeaver)
class SchoolLeaverAdmin(_LearnerScoped):
    list_display = ["learner", "establishment", "leaver_year", "stage"]
    list_filter = ["leaver_year", "stage"]
    raw_id_fields = ["learner", "establishment"]


@admin.register(QualificationResult)
class QualificationResultAdmin(_LearnerScoped):
    list_display = ["learner", "subject", "award_type", "scqf_level", "grade", "year"]
    list_filter = ["award_type", "year"]
    raw_id_fields = ["learner", "establishment"]


@admin.register(Subject)
class SubjectAdmin(ScopedAdmin):
    """Reference data: national data managers (and superusers) edit subjects, their literacy and
    numeracy flags and their curricular area (the Curricular areas measure reads it at the next
    benchmark run); everyone else may at most view them."""

    list_display = ["code", "name", "literacy", "numeracy", "curricular_area"]
    list_filter = ["curricular_area"]
    search_fields = ["code", "name"]
    national_only = True

    def scope_filter(self, qs: QuerySet, request: HttpRequest) -> QuerySet:
        return qs


class TariffEntryInline(admin.TabularInline):
    model = TariffEntry
    extra = 0


@admin.register(TariffScale)
class TariffScaleAdmin(ScopedAdmin):
    list_display = ["version", "is_default", "created_at"]
    inlines = [TariffEntryInline]
    national_only = True

    def scope_filter(self, qs: QuerySet, request: HttpRequest) -> QuerySet:
        return qs


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(ScopedAdmin):
    """Partner organisations (colleges, the national skills body): kept by national data managers;
    their people are invited on the Users pages by user administrators."""

    list_display = ["name", "authority"]
    search_fields = ["name"]
    national_only = True

    def scope_filter(self, qs: QuerySet, request: HttpRequest) -> QuerySet:
        return qs


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Read-only, and for superusers only: roles are granted and revoked on the Users pages
    (datahub.useradmin), by user administrators within their scope, never to themselves, audited."""

    list_display = ["user", "role", "establishment", "authority", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "establishment"]
    list_filter = ["action"]
    read_only_for_data_managers = True

    def scope_filter(self, qs: QuerySet, request: HttpRequest) -> QuerySet:
        scope = scope_for(request.user)
        return qs.filter(
            Q(establishment__in=Establishment.objects.filter(_est_q(scope)))
            | Q(authority_id__in=scope.import_authority_ids)
        )


@admin.register(ImportBatch)
class ImportBatchAdmin(ScopedAdmin):
    """Import history, read-only: a data manager sees the batches they uploaded."""

    list_display = ["created_at", "kind", "file_name", "status", "count_new", "count_updated", "count_unchanged",
                    "count_rejected", "uploaded_by"]
    list_filter = ["kind", "status"]
    read_only_for_data_managers = True

    def scope_filter(self, qs: QuerySet, request: HttpRequest) -> QuerySet:
        return qs.filter(uploaded_by=request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ScopedAdmin):
    """Who changed what, from which batch: read-only, for the data manager's schools."""

    list_display = ["at", "model", "object_id", "action", "changed_by", "batch", "establishment"]
    list_filter = ["model", "action"]
    read_only_for_data_managers = True

    def scope_filter(self, qs: QuerySet, request: HttpRequest) -> QuerySet:
        return qs.filter(establishment__in=Establishment.objects.filter(_est_q(scope_for(request.user))))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts: superusers only (roles are granted through memberships)."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Status", {"fields": ("is_active", "is_superuser", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)
