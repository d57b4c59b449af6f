"""The main menu and the header's "waiting for you" count: one registry for the whole portal.

Each menu entry is one line: its label, its URL name, and the rule of who may see it, a
predicate from datahub.access (or insight.entitlement) that is the same rule the page's view
applies, so a role is never offered a page it would get a 403 on (tests/test_navigation.py checks
every entry for every persona). A child names its parent's label and appears in the parent's
sub-menu; ``also`` lists further path prefixes that belong to the entry (the propose form belongs
to Find Partners; a ``*`` stands for one path segment, such as a school's seed code). An entry whose URL name does not resolve is left out.

The waiting count adds up ``WAITING`` providers: (label, URL name, who, count(user)).

Rendered by ``portal`` (a context processor, insight.config.settings) into templates/base.html.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from datahub.access import (
    can_administer_users,
    can_read_benchmark_runs,
    can_use_admin,
    holds_role,
    is_portal_user,
    is_superuser,
)
from datahub.models import ESTABLISHMENT_ROLES, Establishment, Role
from destinations.access import may_edit_risk_weights, may_read_readiness_measures
from insight.entitlement import may_use_authority_dashboards
from partnerships.communities.access import may_use_communities
from partnerships.communities.notices import unread_count as community_unread_count
from partnerships.selectors import waiting_count as partnership_waiting_count
from partnerships.workspace.notices import unread_count as workspace_unread_count

Rule = Callable[[Any], bool]


def anyone_signed_in(user: Any) -> bool:
    """Portal users and superusers: everyone with a home page."""
    return is_portal_user(user) or is_superuser(user)


school_roles = holds_role(*ESTABLISHMENT_ROLES)
school_admin = holds_role(Role.ESTABLISHMENT_ADMIN)
mcmc_officer = holds_role(Role.MCMC_OFFICER)
pathway_worker = holds_role(Role.MCMC_OFFICER, *ESTABLISHMENT_ROLES)  # destinations.access.PATHWAY_ROLES


def authority_local_measures(user: Any) -> bool:
    """The authority views' own "Local measures" entry: for those who see authority dashboards and
    hold no school role (a school's people have the entry already; the authority pages join its
    sub-menu)."""
    return may_use_authority_dashboards(user) and not school_roles(user)


def communities_top(user: Any) -> bool:
    return may_use_communities(user) and not school_roles(user)


def communities_for_schools(user: Any) -> bool:
    return may_use_communities(user) and school_roles(user)


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    may: Rule
    parent: str | None = None
    also: tuple[str, ...] = ()


NAV: tuple[Entry, ...] = (
    Entry("Dashboard", "dashboard", anyone_signed_in),
    Entry("Comparator groups", "insight:groups", is_portal_user, parent="Dashboard"),
    Entry("Learning Partnerships", "partnerships:list", school_roles),
    Entry("View Partnerships", "partnerships:list", school_roles, parent="Learning Partnerships"),
    Entry("Find Partners", "insight:find_partners", school_roles, parent="Learning Partnerships",
          also=("/partnerships/propose/",)),
    Entry("Propose a group", "partnerships:group_propose", school_admin, parent="Learning Partnerships"),
    # Local measures (issue 12): one top entry whose sub-menu holds each local measure, so the
    # header stays one line at 1280 px as measures are added.
    Entry("Local measures", "insight:my_breadth_depth", school_roles),
    Entry("Breadth and Depth", "insight:my_breadth_depth", school_roles, parent="Local measures",
          also=("/insight/establishments/*/breadth-depth/",)),
    Entry("Curricular areas", "insight:my_curricular_areas", school_roles, parent="Local measures",
          also=("/insight/establishments/*/curricular-areas/",)),
    Entry("Courses", "insight:my_courses", school_roles, parent="Local measures",
          also=("/insight/establishments/*/courses/",)),
    # ... and for authority views (analysts, MCMC officers, data managers): their authority's schools
    # side by side.
    Entry("Local measures", "insight:my_authority_breadth_depth", authority_local_measures),
    Entry("Authority Breadth and Depth", "insight:my_authority_breadth_depth", may_use_authority_dashboards,
          parent="Local measures", also=("/insight/authorities/*/breadth-depth/",)),
    Entry("Authority curricular areas", "insight:my_authority_curricular_areas", may_use_authority_dashboards,
          parent="Local measures", also=("/insight/authorities/*/curricular-areas/",)),
    Entry("Vocational uptake", "insight:my_course_uptake", may_use_authority_dashboards,
          parent="Local measures", also=("/insight/authorities/*/courses/uptake/",)),
    # Communities of practice (issue 15): members, and data managers who may create one. A school's
    # people find them under Learning Partnerships (their header is full at 1280 px); everyone
    # else, partner organisation members included, has them as a top entry.
    Entry("Communities", "partnerships:communities", communities_top),
    Entry("Communities", "partnerships:communities", communities_for_schools, parent="Learning Partnerships"),
    Entry("Caseload", "destinations:caseload", mcmc_officer, also=("/destinations/young-people/",)),
    Entry("Leaver readiness", "destinations:readiness", pathway_worker, also=("/destinations/pupils/",)),
    Entry("Readiness measures", "destinations:readiness_measures", may_read_readiness_measures),
    Entry("Destinations", "destinations:index", is_portal_user),
    Entry("Risk weights", "destinations:risk_weights", may_edit_risk_weights),
    Entry("Data hub", "datahub:index", is_portal_user),
    Entry("Benchmark runs", "insight:runs", can_read_benchmark_runs),
    Entry("Users", "useradmin:people", can_administer_users),
    Entry("Django admin", "admin:index", can_use_admin),
)


@dataclass(frozen=True)
class Waiting:
    label: str
    url_name: str
    may: Rule
    count: Callable[[Any], int]


WAITING: tuple[Waiting, ...] = (
    Waiting("Learning Partnerships", "partnerships:list", school_roles, partnership_waiting_count),
    Waiting("Partnership workspaces", "partnerships:list", school_roles, workspace_unread_count),
    Waiting("Communities", "partnerships:communities", may_use_communities, community_unread_count),
)


@dataclass
class MenuItem:
    label: str
    url: str
    prefixes: tuple[str, ...] = ()
    children: list[MenuItem] = field(default_factory=list)
    active: bool = False

    def match(self, path: str) -> int:
        """How closely ``path`` belongs here: the length of the longest matching prefix, or 0."""
        best = 0
        for p in (self.url, *self.prefixes):
            if path == p or (p != "/" and _starts(path, p)):
                best = max(best, len(p))
        return best


def _starts(path: str, prefix: str) -> bool:
    """``path`` starts with ``prefix``, where a ``*`` in the prefix stands for one path segment
    (``/insight/establishments/*/breadth-depth/`` covers every school's page)."""
    if "*" not in prefix:
        return path.startswith(prefix)
    return re.match(re.escape(prefix).replace(r"\*", "[^/]+"), path) is not None


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def build_menu(path: str, user: Any) -> list[MenuItem]:
    """The entries ``user`` may use, the current one (and its current child) marked active."""
    top: list[MenuItem] = []
    by_label: dict[str, MenuItem] = {}
    for e in NAV:
        url = _url(e.url_name)
        if url is None or not e.may(user):
            continue
        item = MenuItem(e.label, url, e.also)
        if e.parent is None:
            top.append(item)
            by_label[e.label] = item
        elif e.parent in by_label:
            by_label[e.parent].children.append(item)
    for item in top:
        item.prefixes = (*item.prefixes, *(p for k in item.children for p in (k.url, *k.prefixes)))
    best = max(top, key=lambda i: i.match(path), default=None)
    if best is not None and best.match(path):
        best.active = True
        kid = max(best.children, key=lambda k: k.match(path), default=None)
        if kid is not None and kid.match(path):
            kid.active = True
    return top


def waiting(user: Any) -> list[dict[str, Any]]:
    out = []
    for w in WAITING:
        if not w.may(user):
            continue
        n = w.count(user)
        url = _url(w.url_name)
        if n and url:
            out.append({"label": w.label, "url": url, "count": n})
    return out


def synthetic_data() -> str:
    """"" without demo data; "real" when the demo's schools are real ones of the published list
    (``listed_year`` set) with synthetic figures; "fictional" for invented schools."""
    # Nulls first: a fictional school among them makes the plainer message the true one.
    first = (Establishment.objects.filter(synthetic=True).order_by(F("listed_year").desc(nulls_first=True))
             .values_list("listed_year", flat=True)[:1])
    if not first:
        return ""
    return "real" if first[0] is not None else "fictional"


def portal(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the menu, the waiting count and the role switcher for every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"main_menu": []}
    items = waiting(user)
    return {
        "main_menu": build_menu(request.path, user),
        "waiting_items": items,
        "waiting_total": sum(i["count"] for i in items),
        "memberships": getattr(request, "memberships", []),
        "active_membership": getattr(request, "membership", None),
        # Demo data present: every signed-in page says plainly that its figures are synthetic
        # ("real" when the demo runs on real schools of the published list: say that too).
        "synthetic_data": synthetic_data(),
    }
