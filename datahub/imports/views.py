"""Import pages: choose a kind, upload a file, follow its progress, read every error.

Data managers only (``required_roles``); each may import for the schools or authority they hold
the role in (datahub.access.can_import_for, applied row by row by the engine). A batch is visible
to its uploader and to data managers whose import scope covers every school it touched; others
get 404.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from ..models import ChangeRecord, ImportBatch, ImportStatus, Role
from ..services import audit_event_create
from ..spreadsheet import neutralise
from ..views_base import PortalView
from . import services
from .forms import UploadForm
from .mapping import headers_are_ours, signature
from .mapping_views import pending_upload_store
from .parsing import FileProblem, ParsedFile, detect_format, read_head, write_csv_rows
from .registry import all_kinds, get_kind
from .selectors import import_batches_for, import_profile_for_headers, previous_import_of
from .types import ImportKind

IMPORT_ROLES = (Role.DATA_MANAGER,)


def _labelled(batches: Any) -> list[ImportBatch]:
    labels = {k.name: k.label for k in all_kinds()}
    out = list(batches)
    for b in out:
        b.kind_label = labels.get(b.kind, b.kind)
    return out


def _kind_or_404(name: str) -> ImportKind:
    kind = get_kind(name)
    if kind is None:
        raise Http404("No such kind of import")
    return kind


class ImportIndexView(PortalView, TemplateView):
    """The kinds of file a data manager can import, and their latest batches."""

    template_name = "datahub/imports/index.html"
    required_roles = IMPORT_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(kinds=all_kinds(), recent=_labelled(import_batches_for(self.request.user)[:10]))  # type: ignore[arg-type]
        return ctx


class ImportUploadView(PortalView, TemplateView):
    """GET: the upload form with the kind's columns and template. POST: run (or queue) the import."""

    template_name = "datahub/imports/upload.html"
    required_roles = IMPORT_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", UploadForm(user=self.request.user))  # type: ignore[arg-type]
        ctx.update(kind=_kind_or_404(kwargs["kind"]), threshold=services.background_threshold())
        return ctx

    def post(self, request: HttpRequest, kind: str) -> HttpResponse:
        import_kind = _kind_or_404(kind)
        form = UploadForm(request.POST, request.FILES, user=request.user)  # type: ignore[arg-type]
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(kind=kind, form=form))
        upload = form.cleaned_data["file"]
        sha, _size = services.file_digest(upload)
        before = previous_import_of(sha, import_kind.name, request.user)  # type: ignore[arg-type]
        profile = None
        head = _head_or_none(upload)
        if head is not None and not headers_are_ours(import_kind, head):
            profile = import_profile_for_headers(request.user, import_kind.name, signature(head.headers))  # type: ignore[arg-type]
            if profile is None:  # the file's own columns: match them in the browser first
                token = pending_upload_store(
                    request,
                    kind=import_kind.name,
                    upload=upload,
                    restrict_to=form.cleaned_data["establishment"],
                    dry_run=form.cleaned_data["dry_run"],
                )
                return HttpResponseRedirect(
                    reverse("datahub:import_mapping", kwargs={"kind": import_kind.name, "token": token})
                )
            messages.info(
                request,
                f"Read with the mapping profile \u201c{profile.name}\u201d (made for files with these columns).",
            )
        batch = services.import_batch_create(
            user=request.user,  # type: ignore[arg-type]
            kind=import_kind.name,
            fh=upload,
            file_name=upload.name,
            restrict_to=form.cleaned_data["establishment"],
            dry_run=form.cleaned_data["dry_run"],
            mapping_profile=profile,
        )
        if before is not None:
            messages.info(request, f"You imported this same file on {before.created_at.day} {before.created_at:%B %Y at %H:%M} (import {before.pk}); importing it again changes only what differs.")
        return HttpResponseRedirect(reverse("datahub:import_batch", kwargs={"pk": batch.pk}))


def _head_or_none(upload: Any) -> ParsedFile | None:
    """The first rows of an upload, or None when they cannot be read (the import then says why).

    A large workbook is not opened in the request: openpyxl reads its whole shared-strings table
    (every distinct text of the sheet) before the first row, minutes for a million-row export. Its
    columns are checked by the background import, which uses a profile made for them (make one
    with a small extract of the same export)."""
    head = upload.read(4)
    upload.seek(0)
    if detect_format(upload.name or "", head) == "xlsx" and upload.size > services.background_threshold():
        return None
    try:
        return read_head(upload, name=upload.name or "")
    except FileProblem:
        return None


class ImportTemplateView(PortalView, View):
    """A template for the kind: the header row and one example row (CSV, or XLSX with ?format=xlsx)."""

    required_roles = IMPORT_ROLES

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        import_kind = _kind_or_404(kind)
        header: list[object] = [c.name for c in import_kind.columns]
        example: list[object] = [c.example for c in import_kind.columns]
        if request.GET.get("format") == "xlsx":
            import io

            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.title = import_kind.name[:31]
            ws.append(header)
            ws.append(example)
            for cell in ws[2]:
                cell.number_format = "@"  # text: keeps leading zeros of codes
            buf = io.BytesIO()
            wb.save(buf)
            resp = HttpResponse(buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            resp["Content-Disposition"] = f'attachment; filename="{import_kind.name}-template.xlsx"'
            return resp
        resp = HttpResponse(write_csv_rows([header, example]), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="{import_kind.name}-template.csv"'
        return resp


class ImportHistoryView(PortalView, TemplateView):
    """Every import batch the user may see, newest first, filterable by kind and status."""

    template_name = "datahub/imports/history.html"
    required_roles = IMPORT_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        qs = import_batches_for(self.request.user)  # type: ignore[arg-type]
        kind = self.request.GET.get("kind", "")
        status = self.request.GET.get("status", "")
        kinds = all_kinds()
        if kind in {k.name for k in kinds}:
            qs = qs.filter(kind=kind)
        if status in ImportStatus.values:
            qs = qs.filter(status=status)
        page = Paginator(qs, 25).get_page(self.request.GET.get("page"))
        page.object_list = _labelled(page.object_list)
        ctx.update(page=page, kinds=kinds, kind=kind, status=status, statuses=ImportStatus.choices,
                   labels={k.name: k.label for k in kinds})
        return ctx


class BatchMixin:
    request: HttpRequest

    def get_batch(self, pk: int) -> ImportBatch:
        return get_object_or_404(import_batches_for(self.request.user), pk=pk)  # type: ignore[arg-type]


def _record_label(model: str) -> str:
    """"datahub.schoolleaver" as the person reading the page says it: "School leaver"."""
    try:
        return str(apps.get_model(model)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return model


class ImportBatchView(BatchMixin, PortalView, TemplateView):
    """One batch: status, progress (while running), counts, every error and warning, changes made."""

    template_name = "datahub/imports/batch.html"
    required_roles = IMPORT_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        batch = self.get_batch(kwargs["pk"])
        kind = get_kind(batch.kind)
        errors = Paginator(batch.errors, 100).get_page(self.request.GET.get("page"))
        changes = []
        for rec in ChangeRecord.objects.filter(batch=batch).order_by("id")[:50]:
            diff = [(k, rec.before.get(k), rec.after.get(k)) for k in rec.after if rec.before.get(k) != rec.after.get(k)]
            changes.append({"record": rec, "diff": diff, "what": _record_label(rec.model)})
        ctx.update(
            batch=batch, kind=kind, crumb=f"Import {batch.pk}", kind_label=kind.label if kind else batch.kind, errors=errors,
            more_errors=max(0, batch.error_count - len(batch.errors)),
            changes=changes, change_count=ChangeRecord.objects.filter(batch=batch).count(),
        )
        return ctx


class ImportBatchStatusView(BatchMixin, PortalView, View):
    """JSON for the progress bar (polled by the batch page)."""

    required_roles = IMPORT_ROLES

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        b = self.get_batch(pk)
        return JsonResponse({
            "status": b.status, "status_label": b.get_status_display(), "finished": b.finished,
            "rows_total": b.rows_total, "rows_validated": b.rows_validated, "rows_written": b.rows_written,
            "percent": b.progress_percent, "cancel_requested": b.cancel_requested,
        })


class ImportBatchErrorsView(BatchMixin, PortalView, View):
    """Every listed error of a batch as CSV (an export: audited, formula cells neutralised)."""

    required_roles = IMPORT_ROLES

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self.get_batch(pk)
        rows: list[list[object]] = [["row", "column", "value", "reason", "severity"]]
        rows += [[r, neutralise(c), neutralise(v), neutralise(reason), "error"] for r, c, v, reason in batch.errors]
        rows += [[r, neutralise(c), neutralise(v), neutralise(reason), "warning"] for r, c, v, reason in batch.warnings]
        if batch.error_count > len(batch.errors):
            rows.append(["", "", "", f"... and {batch.error_count - len(batch.errors)} more errors not listed", "note"])
        audit_event_create(actor=request.user, action="export_import_errors", object_type="import_batch", object_id=batch.pk)  # type: ignore[arg-type]
        resp = HttpResponse(write_csv_rows(rows), content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.csv"'
        return resp


class ImportBatchCancelView(BatchMixin, PortalView, View):
    """POST: stop a queued or running import (nothing it did is kept)."""

    required_roles = IMPORT_ROLES

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = self.get_batch(pk)
        if not services.import_batch_cancel(batch=batch, user=request.user):  # type: ignore[arg-type]
            messages.info(request, "This import had already finished.")
        else:
            messages.success(request, "Cancelling: the import stops at its next check and writes nothing.")
        return HttpResponseRedirect(reverse("datahub:import_batch", kwargs={"pk": batch.pk}))
