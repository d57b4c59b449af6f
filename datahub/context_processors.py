"""Template context shared by every page: the main menu and the role switcher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .access import can_administer_users, can_read_benchmark_runs
from .models import Establishment


@dataclass
class MenuItem:
    label: str
    url: str
    children: list[MenuItem] = field(default_factory=list)
    active: bool = False


# (label, url name, children). The menu shows only what is built: an entry whose URL name does
# not resolve yet is left out rather than linking to an unfinished page.
MAIN_MENU: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("Dashboard", "dashboard", ()),
    (
        "Learning Partnerships",
        "partnerships:list",
        (("View Partnerships", "partnerships:list"), ("Find Partners", "insight:find_partners")),
    ),
    ("Destinations", "destinations:index", ()),
    ("Data hub", "datahub:index", ()),
    ("Benchmark runs", "insight:runs", ()),
    ("Users", "useradmin:people", ()),
)

# Entries only some roles may open (the rest are shown to every portal user for now).
MENU_FOR: dict[str, Callable[[Any], bool]] = {
    "useradmin:people": can_administer_users,
    "insight:runs": can_read_benchmark_runs,
}


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def build_menu(path: str, user: Any = None) -> list[MenuItem]:
    items: list[MenuItem] = []
    for label, name, children in MAIN_MENU:
        if name in MENU_FOR and not MENU_FOR[name](user):
            continue
        kids = [MenuItem(c_label, u) for c_label, c_name in children if (u := _url(c_name))]
        url = _url(name) or (kids[0].url if kids else None)
        if url is None:
            continue
        item = MenuItem(label, url, kids)
        prefix = url if url != "/" else None
        item.active = path == url or bool(prefix and path.startswith(prefix)) or any(
            path.startswith(k.url) for k in kids
        )
        for k in kids:
            k.active = path.startswith(k.url)
        items.append(item)
    return items


def portal(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"main_menu": []}
    return {
        "main_menu": build_menu(request.path, request.user),
        "memberships": getattr(request, "memberships", []),
        "active_membership": getattr(request, "membership", None),
        # Demo data present: every signed-in page says plainly that its figures are synthetic.
        "synthetic_data": Establishment.objects.filter(synthetic=True).exists(),
    }
