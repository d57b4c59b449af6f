"""A comparator group on a dashboard, chosen with ``?group=<id>``: only a group the viewer may see
(insight.groups.selectors); any other id gives the view without a group, as if none were asked
for. The choice is part of the page's shareable link and of its exports' links."""

from __future__ import annotations

from django.http import HttpRequest

from ..models import BenchmarkRun
from ..pages.parts import Page, print_filters
from ..selectors.figures import Figures, Viewer
from .figures import GroupFigures, group_figures
from .models import ComparatorGroup
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


def local_group_options(request: HttpRequest) -> list[tuple[str, str]]:
    """The comparator groups the viewer may add to a local measure page, as filter choices
    (none when they have none)."""
    groups = list(groups_for(request.user).select_related(None).only("id", "name").order_by("name", "pk"))
    return [("", "None"), *((str(g.pk), g.name) for g in groups)] if groups else []


def chosen_local_group(request: HttpRequest, chosen: str) -> ComparatorGroup | None:
    """The group chosen on a local measure page, if the viewer may see it."""
    return group_for(request.user, chosen) if chosen else None
