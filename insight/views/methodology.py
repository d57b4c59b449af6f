"""The methodology page: how every figure is worked out, with the current run's seed and data hash."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import markdown
from django.conf import settings
from django.db.models import Sum
from django.utils.safestring import SafeString, mark_safe
from django.views.generic import TemplateView

from datahub.views_base import PortalView

from ..models import BenchmarkRun, RelaxationCount

METHODOLOGY_FILE = settings.BASE_DIR / "docs" / "methodology.md"


@lru_cache(maxsize=4)
def _render(mtime: float) -> tuple[SafeString, list[dict]]:
    md = markdown.Markdown(extensions=["tables", "toc", "fenced_code"], extension_configs={"toc": {"toc_depth": "2"}})
    # Our own document from the repository, not user input.
    text = METHODOLOGY_FILE.read_text(encoding="utf-8")
    if text.startswith("# "):  # the page has its own <h1>
        text = text.split("\n", 1)[1]
    html = md.convert(text)
    html = html.replace("<table>", '<div class="portal-table-scroll"><table class="ds_table">').replace(
        "</table>", "</table></div>"
    )
    # toc_tokens is set on the instance by the toc extension at convert(); the stubs do not declare it.
    return mark_safe(html), md.toc_tokens  # type: ignore[attr-defined]  # noqa: S308


def methodology_html() -> tuple[SafeString, list[dict]]:
    return _render(METHODOLOGY_FILE.stat().st_mtime)


class MethodologyView(PortalView, TemplateView):
    """Any portal user and partner organisation members: the method, and which run (seed, data hash,
    tariff scale) the pages show."""

    allow_partner_members = True  # how the figures are worked out: no data, linked from every page's footer

    template_name = "insight/methodology.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        run = BenchmarkRun.objects.select_related("tariff_scale").published()
        relaxed = None
        if run is not None:
            relaxed = RelaxationCount.objects.filter(run=run).aggregate(
                exact=Sum("n_exact"), quintile=Sum("n_relaxed_quintile"), no_asn=Sum("n_relaxed_no_asn"),
                unmatched=Sum("n_unmatched"),
            )
        html, toc = methodology_html()
        ctx.update(run=run, relaxed=relaxed, methodology=html, toc=toc)
        return ctx
