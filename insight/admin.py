"""Benchmark runs in the Django admin: national data managers and superusers see and start runs."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from datahub.access import scope_for

from .models import BenchmarkRun, RunStatus
from .services import RunError, run_create
from .tasks import BACKGROUND_UNAVAILABLE, enqueue_run


def _national(request: HttpRequest) -> bool:
    return bool(request.user.is_superuser or scope_for(request.user).import_national)


@admin.register(BenchmarkRun)
class BenchmarkRunAdmin(admin.ModelAdmin):
    list_display = ["id", "status", "created_at", "finished_at", "seed", "years", "draws", "chunks_done",
                    "chunks_total", "input_hash"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in BenchmarkRun._meta.fields]
    actions = ["rerun"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _national(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _national(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    @admin.action(description="Enqueue a new run with the same years, seed and draws")
    def rerun(self, request: HttpRequest, queryset: QuerySet[BenchmarkRun]) -> None:
        user = request.user
        assert user.is_authenticated  # the admin only serves signed-in staff
        for old in queryset:
            try:
                with transaction.atomic():
                    run = run_create(requested_by=user, years=old.years, seed=old.seed, draws=old.draws,
                                     authority_chunks=old.authority_chunks)
                    transaction.on_commit(partial(enqueue_run, run))
            except RunError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                continue
            run.refresh_from_db()  # queued at the commit above, or failed because it could not be
            if run.status == RunStatus.FAILED and run.error == BACKGROUND_UNAVAILABLE:
                self.message_user(request, f"Run {run.pk}: {run.error}", messages.ERROR)
                continue
            self.message_user(request, f"Run {run.pk} enqueued.", messages.SUCCESS)
