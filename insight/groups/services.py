"""Writes of comparator groups: create, change, share, delete (each audited), choosing schools by a
filter over the context data the portal holds (once, or again at each run for a group that follows
its filter), proposing statistical neighbours, and computing a saved group's figures for the
published run while that run's data are unchanged."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from datahub.models import Establishment, User
from datahub.services import audit_event_create
from partnerships.models import Partnership, Status

from ..models import BenchmarkRun
from ..selectors.runs import inputs_changed_since
from .compute import groups_compute
from .models import MAX_MEMBERS, ComparatorGroup
from .selectors import secondaries

log = logging.getLogger(__name__)

# Bands of the share of pupils in SIMD quintile 1, as offered by the filter (fractions, lower <= x < upper).
SIMD_Q1_BANDS: dict[str, tuple[float, float]] = {
    "0-9": (0.0, 0.10), "10-24": (0.10, 0.25), "25-49": (0.25, 0.50), "50-100": (0.50, 1.01),
}
FSM_BANDS: dict[str, tuple[float, float]] = {
    "0-9": (0.0, 0.10), "10-19": (0.10, 0.20), "20-29": (0.20, 0.30), "30-100": (0.30, 1.01),
}
ROLL_BANDS: dict[str, tuple[int, int]] = {
    "0-599": (0, 600), "600-999": (600, 1000), "1000-1399": (1000, 1400), "1400+": (1400, 10**6),
}
URBAN_RURAL_6 = {1: "Large urban areas", 2: "Other urban areas", 3: "Accessible small towns",
                 4: "Remote small towns", 5: "Accessible rural", 6: "Remote rural"}
NEIGHBOURS = 11


class GroupError(ValueError):
    """A group that cannot be saved: ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def filter_schools(definition: Mapping[str, Any]) -> QuerySet[Establishment]:
    """Secondary schools matching a filter: ``urban_rural`` (6-fold class), ``simd_q1``, ``fsm``
    and ``roll`` (band keys above), ``authority`` (code). Unknown values raise GroupError."""
    qs = secondaries()
    for key, bands, field in (("simd_q1", SIMD_Q1_BANDS, "share_simd_q1"), ("fsm", FSM_BANDS, "share_fsm"),
                              ("roll", ROLL_BANDS, "roll")):
        value = definition.get(key) or ""
        if value:
            if value not in bands:
                raise GroupError(key, f"Choose one of {', '.join(bands)}.")
            low, high = bands[value]
            qs = qs.filter(**{f"{field}__gte": low, f"{field}__lt": high})
    ur = str(definition.get("urban_rural") or "")
    if ur:
        if not ur.isdigit() or int(ur) not in URBAN_RURAL_6:
            raise GroupError("urban_rural", "Choose an urban/rural class from 1 to 6.")
        qs = qs.filter(urban_rural_6=int(ur))
    code = str(definition.get("authority") or "")
    if code:
        if not code.isdigit():
            raise GroupError("authority", "Choose an authority from the list.")
        qs = qs.filter(authority__code=int(code))
    return qs.order_by("name")


def statistical_neighbours(school: Establishment, k: int = NEIGHBOURS) -> list[Establishment]:
    """The ``k`` secondary schools nearest ``school`` by standardised roll, SIMD quintile 1 share,
    FSM share, ASN share and 6-fold urban/rural class (Euclidean distance over z-scores; schools
    without context data are left out; ties by SEED code)."""
    fields = ("roll", "share_simd_q1", "share_fsm", "share_asn", "urban_rural_6")
    pool = [s for s in secondaries().exclude(closed_on__isnull=False).order_by("seed_code")
            if all(getattr(s, f) is not None for f in fields)]
    me = next((s for s in pool if s.pk == school.pk), None)
    if me is None:
        return []
    x = np.array([[float(getattr(s, f)) for f in fields] for s in pool])
    sd = x.std(axis=0)
    z = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    distance = np.sqrt(((z - z[pool.index(me)]) ** 2).sum(axis=1))
    order = sorted((d, s.seed_code, i) for i, (d, s) in enumerate(zip(distance, pool, strict=True)) if s.pk != me.pk)
    return [pool[i] for _, _, i in order[:k]]


def _checked(name: str, members: Iterable[Establishment]) -> tuple[str, list[Establishment]]:
    name = name.strip()
    if not name:
        raise GroupError("name", "Give the group a name.")
    if len(name) > 120:
        raise GroupError("name", "The name must be at most 120 characters.")
    schools = list({m.pk: m for m in members}.values())
    if len(schools) < 2:
        raise GroupError("members", "A group needs at least two schools.")
    if len(schools) > MAX_MEMBERS:
        raise GroupError("members", f"A group may have at most {MAX_MEMBERS} schools.")
    return name, schools


def group_create(*, owner: User, name: str, members: Iterable[Establishment],
                 filter_definition: Mapping[str, Any] | None = None, follow_filter: bool = False) -> ComparatorGroup:
    """Save a group. With ``follow_filter`` its schools are the filter's (``members`` is ignored) and
    each benchmark run chooses them again; otherwise the schools given, kept as they are."""
    definition = dict(filter_definition or {})
    if follow_filter:
        if not definition:
            raise GroupError("filter", "Choose a filter for the group to follow.")
        members = filter_schools(definition)[:MAX_MEMBERS]
    name, schools = _checked(name, members)
    with transaction.atomic():
        group = ComparatorGroup.objects.create(owner=owner, name=name, filter_definition=definition,
                                               follows_filter=follow_filter)
        group.members.set(schools)
        audit_event_create(actor=owner, action="comparator_group_create", object_type="comparator_group",
                           object_id=group.pk, detail={"name": name, "members": len(schools),
                                                       "follows_filter": follow_filter})
        _after_commit(group.pk)
    return group


def group_update(*, group: ComparatorGroup, by: User, name: str, members: Iterable[Establishment]) -> ComparatorGroup:
    """Rename and change the schools. A group that followed its filter and is given other schools
    than its own becomes a picked group (it keeps the schools given)."""
    name, schools = _checked(name, members)
    with transaction.atomic():
        if group.follows_filter and {s.pk for s in schools} != set(group.members.values_list("pk", flat=True)):
            group.follows_filter = False
        group.name, group.updated_at = name, timezone.now()
        group.save(update_fields=["name", "updated_at", "follows_filter"])
        group.members.set(schools)
        audit_event_create(actor=by, action="comparator_group_update", object_type="comparator_group",
                           object_id=group.pk, detail={"name": name, "members": len(schools)})
        _after_commit(group.pk)
    return group


def group_share(*, group: ComparatorGroup, by: User, users: Iterable[User],
                partnership: Partnership | None) -> ComparatorGroup:
    """Share with these users (replacing the list) and/or an active partnership (or none)."""
    people = [u for u in users if u.pk != group.owner_id]
    if partnership is not None and partnership.status != Status.ACTIVE:
        raise GroupError("partnership", "Only an active learning partnership can be shared with.")
    with transaction.atomic():
        group.shared_with.set(people)
        group.partnership = partnership
        group.save(update_fields=["partnership"])
        audit_event_create(actor=by, action="comparator_group_share", object_type="comparator_group",
                           object_id=group.pk, detail={"users": sorted(u.pk for u in people),
                                                       "partnership": partnership.pk if partnership else None})
    return group


def group_delete(*, group: ComparatorGroup, by: User) -> None:
    with transaction.atomic():
        audit_event_create(actor=by, action="comparator_group_delete", object_type="comparator_group",
                           object_id=group.pk, detail={"name": group.name})
        group.delete()


# --- Groups that follow their filter --------------------------------------------------------------------


def groups_follow_filters(run: BenchmarkRun) -> int:
    """At a run's finalise (in its transaction), before the groups' figures: choose the schools of
    every group that follows its filter again from today's context data, and record a change (when,
    by which run, the SEED codes added and removed; audited without a person). Picked groups keep
    their schools. A filter no longer valid (e.g. a band withdrawn) leaves the schools as they were.
    Returns how many groups changed."""
    changed = 0
    for group in ComparatorGroup.objects.filter(follows_filter=True).prefetch_related("members"):
        try:
            wanted = {s.pk: s for s in filter_schools(group.filter_definition)[:MAX_MEMBERS]}
        except GroupError:
            log.warning("comparator group %s: its filter is no longer valid; its schools are kept", group.pk)
            continue
        had = {s.pk: s for s in group.members.all()}
        if set(wanted) == set(had):
            continue
        change = {"run": run.pk, "added": sorted(wanted[i].seed_code for i in set(wanted) - set(had)),
                  "removed": sorted(had[i].seed_code for i in set(had) - set(wanted))}
        group.members.set(list(wanted.values()))
        group.members_changed_at, group.members_change = timezone.now(), change
        group.save(update_fields=["members_changed_at", "members_change"])
        audit_event_create(actor=None, action="comparator_group_follow_filter", object_type="comparator_group",
                           object_id=group.pk, detail=change)
        changed += 1
    return changed


# --- Figures of a group saved after the run -----------------------------------------------------------


def group_figures_refresh(group_id: int) -> int:
    """Compute a group for the published run (and the newest run, when that is a different one) if
    the run's data are unchanged since it read them; otherwise its figures come with the next
    run. Returns the rows written."""
    if not ComparatorGroup.objects.filter(pk=group_id).exists():
        return 0
    runs = {r.pk: r for r in (BenchmarkRun.objects.published(), BenchmarkRun.objects.latest_successful()) if r}
    written = 0
    for run in runs.values():
        if inputs_changed_since(run):
            log.info("comparator group %s not computed for run %s: its data changed since", group_id, run.pk)
            continue
        written += groups_compute(run, [group_id])
    return written


def _after_commit(group_id: int) -> None:
    """In the embedded default (and tests) compute the group here and now, in this transaction;
    with workers, queue it once the group is committed (the worker must find it)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        group_figures_refresh(group_id)
    else:
        transaction.on_commit(lambda: queue_group_compute(group_id))


def queue_group_compute(group_id: int) -> None:
    """Compute the group on a worker (by task name: insight.tasks imports this package)."""
    from celery import current_app
    from kombu.exceptions import KombuError

    try:
        current_app.send_task("insight.tasks.compute_comparator_group", args=[group_id])
    except (KombuError, ConnectionError, OSError):
        log.warning("comparator group %s not queued (broker unreachable); the next run computes it", group_id)
