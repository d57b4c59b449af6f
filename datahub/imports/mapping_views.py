"""Pages for files as their sources export them: match a file's columns and values to the kind's,
preview, save the mapping as a named profile and import; list and delete profiles.

An upload whose headers are not the kind's (and match no profile) is kept in storage while its
uploader maps it (the session holds the token, the stored path and the upload's options; a
pending upload older than ``PENDING_HOURS`` is deleted the next time one is stored). Data
managers only, like the other import pages.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from ..access import can_change_import_profile
from ..models import Establishment, Role, User
from ..views_base import PortalView
from . import mapping as mapping_
from . import services
from .columns import Column
from .parsing import FileProblem, ParsedFile, read_head
from .registry import get_kind
from .selectors import import_profiles_for
from .types import ImportKind

log = logging.getLogger(__name__)

IMPORT_ROLES = (Role.DATA_MANAGER,)  # as the other import pages (datahub.imports.views)
PENDING_KEY = "import_pending_uploads"
PENDING_HOURS = 24
PREVIEW_ROWS = 10


def _kind_or_404(name: str) -> ImportKind:
    kind = get_kind(name)
    if kind is None:
        raise Http404("No such kind of import")
    return kind


# --- pending uploads (the file waits in storage while it is mapped) ---------------------------


def pending_upload_store(
    request: HttpRequest, *, kind: str, upload: Any, restrict_to: Establishment | None, dry_run: bool
) -> str:
    token = uuid.uuid4().hex
    path = default_storage.save(f"imports/pending/{token}/upload.bin", File(upload))
    pending = dict(request.session.get(PENDING_KEY, {}))
    cutoff = (timezone.now() - dt.timedelta(hours=PENDING_HOURS)).isoformat()
    for old, entry in list(pending.items()):
        if entry["created"] < cutoff:
            _delete_stored(entry["path"])
            del pending[old]
    pending[token] = {
        "kind": kind,
        "path": path,
        "file_name": upload.name,
        "dry_run": dry_run,
        "restrict_to": restrict_to.pk if restrict_to else None,
        "created": timezone.now().isoformat(),
    }
    request.session[PENDING_KEY] = pending
    return token


def _delete_stored(path: str) -> None:
    try:
        default_storage.delete(path)
    except OSError:
        log.warning("Could not delete the pending upload %s", path)


def _pending(request: HttpRequest, kind: str, token: str) -> dict[str, Any]:
    entry = request.session.get(PENDING_KEY, {}).get(token)
    if entry is None or entry["kind"] != kind or not default_storage.exists(entry["path"]):
        raise Http404("This upload is no longer waiting: upload the file again.")
    return dict(entry)


def _forget(request: HttpRequest, token: str) -> None:
    pending = dict(request.session.get(PENDING_KEY, {}))
    entry = pending.pop(token, None)
    request.session[PENDING_KEY] = pending
    if entry:
        _delete_stored(entry["path"])


# --- the mapping page ---------------------------------------------------------------------


@dataclass
class ColumnRow:
    column: Column
    selected: str
    samples: str
    values: list[tuple[int, str, str, bool]] = field(
        default_factory=list
    )  # (i, file value, mapped code, accepted as is)
    codes: list[str] = field(default_factory=list)


def _samples(parsed: ParsedFile) -> dict[str, str]:
    out = {}
    for header in parsed.headers:
        seen = [v for v in dict.fromkeys(parsed.frame[header].astype(str).str.strip().tolist()) if v][:4]
        out[header] = ", ".join(seen) if seen else "(blank in the first rows)"
    return out


def _column_rows(kind: ImportKind, parsed: ParsedFile, mapping: mapping_.Mapping) -> list[ColumnRow]:
    samples = _samples(parsed)
    rows = []
    for column in kind.columns:
        selected = mapping.columns.get(column.name, "")
        row = ColumnRow(column, selected, samples.get(selected, ""))
        if selected and column.type in ("choice", "bool"):
            row.codes = mapping_.accepted_codes(column)
            table = mapping.translations.get(column.name, {})
            for i, value in enumerate(mapping_.distinct_values(parsed.frame[selected])):
                row.values.append((i, value, table.get(value, ""), mapping_.accepts(column, value)))
        rows.append(row)
    return rows


def _posted_mapping(request: HttpRequest, kind: ImportKind, parsed: ParsedFile) -> mapping_.Mapping:
    mapping = mapping_.Mapping(labels=dict(zip(parsed.headers, parsed.original_headers, strict=False)))
    for column in kind.columns:
        chosen = request.POST.get(f"col-{column.name}", "")
        if chosen in parsed.headers:
            mapping.columns[column.name] = chosen
        table: dict[str, str] = {}
        for key, source in request.POST.items():
            if key.startswith(f"src-{column.name}-"):
                code = request.POST.get("val-" + key.removeprefix("src-"), "")
                if code and isinstance(source, str):
                    table[source] = code
        if table:
            mapping.translations[column.name] = table
    return mapping


def _mapping_problems(kind: ImportKind, mapping: mapping_.Mapping, name: str) -> list[tuple[str, str]]:
    """(field id, message) for each reason the mapping cannot be saved yet."""
    problems = []
    for column in kind.columns:
        if column.required and not mapping.columns.get(column.name):
            problems.append(
                (f"col-{column.name}", f"Choose the column of your file that holds {column.name} (required).")
            )
    used: dict[str, str] = {}
    for ours, theirs in mapping.columns.items():
        if theirs in used:
            problems.append(
                (
                    f"col-{ours}",
                    f"The column {mapping.labels.get(theirs, theirs)} is already chosen for {used[theirs]}.",
                )
            )
        used.setdefault(theirs, ours)
    if not name.strip():
        problems.append(
            ("profile-name", "Enter a name for the mapping profile, such as the system the file comes from.")
        )
    return problems


class ImportMappingView(PortalView, TemplateView):
    """GET: the proposed mapping of an upload's columns. POST: preview it, or save it and import."""

    template_name = "datahub/imports/mapping.html"
    required_roles = IMPORT_ROLES

    def _context(
        self, kind: ImportKind, token: str, mapping: mapping_.Mapping | None = None, **extra: Any
    ) -> dict[str, Any]:
        entry = _pending(self.request, kind.name, token)
        parsed = self._head(entry)
        mapping = mapping or mapping_.propose(kind, parsed)
        stem = entry["file_name"].rsplit(".", 1)[0]
        extra.setdefault("profile_name", f"{stem} ({kind.label.split(' (')[0].lower()})"[:100])
        return self.get_context_data(
            kind=kind,
            token=token,
            entry=entry,
            rows=_column_rows(kind, parsed, mapping),
            headers=list(zip(parsed.headers, parsed.original_headers, strict=False)),
            samples=_samples(parsed),
            crumb="Match columns",
            **extra,
        )

    def _head(self, entry: dict[str, Any]) -> ParsedFile:
        try:
            with default_storage.open(entry["path"], "rb") as fh:
                return read_head(fh, name=entry["file_name"], rows=mapping_.SAMPLE_ROWS)
        except FileProblem as exc:
            raise Http404(str(exc)) from None

    def get(self, request: HttpRequest, kind: str, token: str) -> HttpResponse:
        return self.render_to_response(self._context(_kind_or_404(kind), token))

    def post(self, request: HttpRequest, kind: str, token: str) -> HttpResponse:
        import_kind = _kind_or_404(kind)
        entry = _pending(request, import_kind.name, token)
        parsed = self._head(entry)
        mapping = _posted_mapping(request, import_kind, parsed)
        name = request.POST.get("profile_name", "").strip()[:100]
        if request.POST.get("action") != "import":
            columns, rows = mapping_.preview(import_kind, parsed, mapping, PREVIEW_ROWS)
            return self.render_to_response(
                self._context(
                    import_kind, token, mapping, profile_name=name, preview_columns=columns, preview_rows=rows
                )
            )
        problems = _mapping_problems(import_kind, mapping, name)
        if problems:
            return self.render_to_response(
                self._context(import_kind, token, mapping, profile_name=name, problems=problems)
            )
        user: User = request.user  # type: ignore[assignment]
        try:
            profile = services.import_profile_save(
                user=user,
                kind=import_kind.name,
                name=name,
                headers=parsed.headers,
                labels=parsed.original_headers,
                mapping=mapping,
            )
        except services.ProfileNotAllowed as exc:
            return self.render_to_response(
                self._context(import_kind, token, mapping, profile_name=name, problems=[("profile-name", str(exc))])
            )
        restrict_to = Establishment.objects.filter(pk=entry["restrict_to"]).first() if entry["restrict_to"] else None
        with default_storage.open(entry["path"], "rb") as fh:
            batch = services.import_batch_create(
                user=user,
                kind=import_kind.name,
                fh=fh,
                file_name=entry["file_name"],
                restrict_to=restrict_to,
                dry_run=entry["dry_run"],
                mapping_profile=profile,
            )
        _forget(request, token)
        messages.success(
            request, f"Saved the mapping profile \u201c{profile.name}\u201d: the next file with these columns uses it."
        )
        return HttpResponseRedirect(reverse("datahub:import_batch", kwargs={"pk": batch.pk}))


# --- profiles -------------------------------------------------------------------------------


class ImportProfilesView(PortalView, TemplateView):
    """The mapping profiles a data manager may use (their authority's and the national ones)."""

    template_name = "datahub/imports/profiles.html"
    required_roles = IMPORT_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user: User = self.request.user  # type: ignore[assignment]
        profiles = list(import_profiles_for(user))
        for p in profiles:
            kind = get_kind(p.kind)
            p.kind_label = kind.label if kind else p.kind  # type: ignore[attr-defined]
            p.changeable = can_change_import_profile(user, p.authority_id)  # type: ignore[attr-defined]
            labels = dict(zip(p.headers, p.labels or p.headers, strict=False))
            p.pairs = [(labels.get(theirs, theirs), ours) for ours, theirs in p.columns.items()]  # type: ignore[attr-defined]
        ctx.update(profiles=profiles, crumb="Mapping profiles")
        return ctx


class ImportProfileDeleteView(PortalView, View):
    """POST: delete a profile (its authority's data managers, or national ones for a national profile)."""

    required_roles = IMPORT_ROLES

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user: User = request.user  # type: ignore[assignment]
        profile = get_object_or_404(import_profiles_for(user), pk=pk)
        try:
            services.import_profile_delete(user=user, profile=profile)
        except services.ProfileNotAllowed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Deleted the mapping profile \u201c{profile.name}\u201d.")
        return HttpResponseRedirect(reverse("datahub:import_profiles"))
