"""A comparator group on a dashboard, chosen with ``?group=<id>``: only a group the viewer may see
(insight.groups.selectors); any other id gives the view without a group, as if none were asked
for. The choice is part of the page's shareable link and of its exports' links."""

from __future__ import annotations

from django.http import HttpRequest

from ..models import BenchmarkRun
from ..pages.parts import Page, print_filters
from ..selectors.figures import Figures, Viewer
from .figures import GroupFigures, group_figures
from .selectors import group_for, groups_for


def chosen_group(page: Page, request: HttpRequest, run: BenchmarkRun, viewer: Viewer,
                 figures: Figures) -> GroupFigures | None:
    page.context["group_choices"] = list(groups_for(request.user).select_related(None).only("id", "name"))
    group = group_for(request.user, request.GET.get("group"))
    if group is None:
        return None
    page.state["group"] = str(group.pk)
    print_filters(page, [("Comparator group", group.name)])
    gf = group_figures(run, group, viewer, figures)
    page.context["group"] = gf
    return gf


def keep_group_in_exports(page: Page, group: GroupFigures | None) -> None:
    """Every table's export link rebuilds the page with the same group (call before link_exports)."""
    if group is None:
        return
    for table in page.tables.values():
        table.export_query = "&".join(q for q in (table.export_query, f"group={group.group.pk}") if q)
