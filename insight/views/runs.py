"""The Benchmark runs page: start, watch, check, publish and withdraw runs; release notes.

Who may use it (datahub.access decides; these views declare it):

- Read the runs, their progress and their checks: data managers of an authority or of Scotland,
  and analysts (authority and national). An authority reader's checks list only its own schools.
- Start, cancel, publish, unpublish: a national data manager only (403 for every other role).
- A release note: any portal user, for a run that was published (drafts are not found).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from datahub.access import can_manage_benchmark_runs, can_read_benchmark_runs, scope_for
from datahub.views_base import PortalView

from .. import publication
from ..forms import PublishForm, RunStartForm, UnpublishForm
from ..models import BenchmarkRun, Publication, RunStatus
from ..selectors.release import run_checks
from ..selectors.runs import inputs_changed_since, run_found, run_progress, runs_listed
from ..services import RunError
from ..tasks import BACKGROUND_UNAVAILABLE, enqueue_run_background


class RunsReaderView(PortalView, View):
    def check_access(self, request: HttpRequest, **kwargs: Any) -> None:
        if not can_read_benchmark_runs(request.user):
            raise PermissionDenied("Benchmark runs are for data managers and analysts.")

    def run(self, pk: int) -> BenchmarkRun:
        run = run_found(pk)
        if run is None:
            raise Http404("No such run")
        return run


class RunsManagerView(RunsReaderView):
    http_method_names = ["post"]

    def check_access(self, request: HttpRequest, **kwargs: Any) -> None:
        if not can_manage_benchmark_runs(request.user):
            raise PermissionDenied("Only a national data manager starts, cancels and publishes benchmark runs.")

    def done(self, run: BenchmarkRun, message: str) -> HttpResponseRedirect:
        messages.success(self.request, message)
        return HttpResponseRedirect(reverse("insight:run_detail", kwargs={"pk": run.pk}))

    def refused(self, run: BenchmarkRun, exc: RunError) -> HttpResponseRedirect:
        messages.error(self.request, str(exc))
        return HttpResponseRedirect(reverse("insight:run_detail", kwargs={"pk": run.pk}))


def _runs_page(request: HttpRequest, form: RunStartForm | None = None, status: int = 200) -> HttpResponse:
    published = BenchmarkRun.objects.published()
    manager = can_manage_benchmark_runs(request.user)
    return render(
        request,
        "insight/runs.html",
        {
            "runs": runs_listed(),
            "published": published,
            "manager": manager,
            "form": form or (RunStartForm() if manager else None),
            "stale": inputs_changed_since(published) if published else None,
        },
        status=status,
    )


class RunsView(RunsReaderView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _runs_page(request)


class RunStartView(RunsManagerView):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = RunStartForm(request.POST)
        if not form.is_valid():
            return _runs_page(request, form, status=400)
        try:
            with transaction.atomic():
                run = publication.run_start(
                    by=request.user,  # type: ignore[arg-type]
                    years=form.cleaned_data["years"],
                    draws=form.cleaned_data["draws"],
                )
                transaction.on_commit(partial(enqueue_run_background, run.pk))
        except RunError as exc:
            form.add_error(None, str(exc))
            return _runs_page(request, form, status=400)
        run.refresh_from_db()  # queued at the commit above, or failed because it could not be
        if run.status == RunStatus.FAILED and run.error == BACKGROUND_UNAVAILABLE:
            form.add_error(None, run.error)
            return _runs_page(request, form, status=503)
        return self.done(run, f"Run {run.pk} started. It stays a draft until you publish it.")


def _scoped_checks(request: HttpRequest, run: BenchmarkRun) -> Any:
    """The checks, limited to the reader's own authorities unless the reader is national."""
    scope = scope_for(request.user)
    return run_checks(run, authority_ids=None if scope.national else scope.authority_ids)


class RunDetailView(RunsReaderView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self.run(pk)
        manager = can_manage_benchmark_runs(request.user)
        succeeded = run.status == RunStatus.SUCCEEDED
        return render(
            request,
            "insight/run_detail.html",
            {
                "run": run,
                "progress": run_progress(run),
                "manager": manager,
                "checks": _scoped_checks(request, run) if succeeded else None,
                "publish_form": PublishForm() if manager and succeeded and not run.is_published else None,
                "unpublish_form": UnpublishForm() if manager and run.is_published else None,
                "is_current": run == BenchmarkRun.objects.published(),
            },
        )


class RunProgressView(RunsReaderView):
    """The live progress the run page polls (static/js/run_progress.js)."""

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        response = JsonResponse(run_progress(self.run(pk)))
        response["Cache-Control"] = "no-store"
        return response


class RunCancelView(RunsManagerView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self.run(pk)
        try:
            publication.run_cancel(run=run, by=request.user)  # type: ignore[arg-type]
        except RunError as exc:
            return self.refused(run, exc)
        return self.done(run, f"Run {run.pk} cancelled.")


class RunPublishView(RunsManagerView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self.run(pk)
        form = PublishForm(request.POST)
        if not form.is_valid():
            return self.refused(run, RunError("Write a release note: what is new in these figures and why."))
        try:
            publication.run_publish(run=run, by=request.user, release_note=form.cleaned_data["release_note"])  # type: ignore[arg-type]
        except RunError as exc:
            return self.refused(run, exc)
        return self.done(run, f"Run {run.pk} published: every page shows its figures now.")


class RunUnpublishView(RunsManagerView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = self.run(pk)
        form = UnpublishForm(request.POST)
        if not form.is_valid():
            return self.refused(run, RunError("Say why the figures are withdrawn."))
        try:
            shown = publication.run_unpublish(run=run, by=request.user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except RunError as exc:
            return self.refused(run, exc)
        after = f"run {shown.pk}, published {shown.published_at:%-d %B %Y}" if shown else "no figures"
        return self.done(run, f"Run {run.pk} withdrawn: pages show {after}.")


class ReleaseNoteView(PortalView, View):
    """Any portal user: the release note of a run that was published (drafts are not found)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = run_found(pk)
        if run is None or run.publication == Publication.DRAFT:
            raise Http404("No such release")
        publication.notices_mark_read(user=request.user, run=run)  # type: ignore[arg-type]
        return render(
            request,
            "insight/release_note.html",
            {
                "run": run,
                "previous": BenchmarkRun.objects.published_before(run) if run.is_published else None,
                "is_current": run == BenchmarkRun.objects.published(),
            },
        )
