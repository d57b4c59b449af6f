"""Live embeds in community posts: a dashboard's chart or table, assembled for each reader.

A post stores only the address of a view (partnerships.communities.embeds checks that it is one
of the portal's own dashboards). When a member reads the thread, the page that address names is
assembled *for that reader* by the dashboard's own code (insight.pages), with the reader's user
and so the reader's entitlement, and the chart or table named after ``#`` is taken from it:

- a reader entitled to the school's figures (its own staff, its authority, its learning
  partners) sees the numbers; anyone else who may open the dashboard sees the public suppression
  pattern (``c`` in the table, nothing in the chart's data);
- a reader who may not open the page at all (a partner organisation member, or a school's staff
  for an authority dashboard) sees "no access" and nothing of it.

So an embed never shows more than its reader may see on the page itself. Views of another
school's figures are audited as the dashboard audits them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve

from datahub.access import Entitlement, is_portal_user
from datahub.models import Establishment, EstablishmentType, LocalAuthority
from datahub.services import audit_event_create
from partnerships.communities.embeds import EMBEDDABLE

from .entitlement import may_use_authority_dashboards, may_use_national_view
from .exports import Table
from .pages.authority import authority_page
from .pages.establishment import establishment_page
from .pages.national import national_page
from .pages.parts import Page, Panel

NO_ACCESS = "no_access"
NOT_FOUND = "not_found"
NO_FIGURES = "no_figures"
SHOWN = "shown"


@dataclass
class Embed:
    status: str  # SHOWN | NO_ACCESS | NOT_FOUND | NO_FIGURES
    url: str
    table: Table | None = None
    chart: dict | None = None
    title: str = ""
    explanation: str = ""
    viewer_note: str = ""


def _panels(value: Any) -> list[Panel]:
    """Every Panel a page's context holds (directly, or inside lists and tuples)."""
    if isinstance(value, Panel):
        return [value]
    if isinstance(value, list | tuple):
        return [p for v in value for p in _panels(v)]
    if isinstance(value, dict) and "chart" in value and "table" in value and isinstance(value["table"], Table):
        return [Panel(value["table"].id, value["table"].caption, "", value["table"], value["chart"])]
    return []


def _page_for(request: HttpRequest, view_name: str, kwargs: dict[str, Any]) -> Page | None:
    """The page for this reader, or None when they may not open it (the view's own rules)."""
    user = request.user
    if not is_portal_user(user):
        return None
    if view_name == "insight:establishment_dashboard":
        est = Establishment.objects.select_related("authority").filter(
            seed_code=kwargs.get("seed"), type=EstablishmentType.SECONDARY).first()
        if est is None:
            raise LookupError
        page = establishment_page(request, est)
        if page.context.get("entitlement") is not Entitlement.OWN:
            audit_event_create(actor=user, action="view_establishment_benchmarks",  # type: ignore[arg-type]
                               object_type="establishment", object_id=est.seed_code, establishment=est,
                               detail={"entitlement": page.context["entitlement"].value, "via": "community_embed"})
        return page
    if view_name == "insight:authority_dashboard":
        if not may_use_authority_dashboards(user):
            return None
        authority = LocalAuthority.objects.filter(code=int(kwargs.get("code", 0))).first()
        if authority is None:
            raise LookupError
        return authority_page(request, authority)
    if view_name == "insight:national" and may_use_national_view(user):
        return national_page(request)
    return None


def embed_for(request: HttpRequest, url: str) -> Embed:
    """What ``url`` shows to the reader of ``request`` (see the module docstring)."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return Embed(NOT_FOUND, url)
    if match.view_name not in EMBEDDABLE:
        return Embed(NOT_FOUND, url)
    reader = copy.copy(request)  # the reader's own request, asking for the embedded view's choices
    reader.GET = QueryDict(parts.query)
    reader.path = reader.path_info = parts.path
    try:
        page = _page_for(reader, match.view_name, match.kwargs)
    except LookupError:
        return Embed(NOT_FOUND, url)
    if page is None:
        return Embed(NO_ACCESS, url)
    if not page.tables:
        return Embed(NO_FIGURES, url)
    wanted = parts.fragment or next(iter(page.tables))
    panel = next((p for p in _panels(list(page.context.values())) if p.table.id == wanted), None)
    table = panel.table if panel else page.tables.get(wanted)
    if table is None:
        return Embed(NOT_FOUND, url)
    return Embed(SHOWN, url, table=table, chart=panel.chart if panel else None,
                 title=panel.title if panel else table.caption,
                 explanation=str(page.context.get("explanation", "")), viewer_note=page.viewer_note)
