"""A comparator group's figures: the four national measures of all its members' leavers together,
computed exactly as for a school (insight.benchmarking.measures on a leaver table), per leaver year,
for all leavers, for each group of leavers (the dashboards' breakdowns) and by SIMD decile (leavers
and average total tariff, as the engine's attainment versus deprivation).

``group_measures`` is pure (frames in, frame out). ``groups_compute`` loads a run's years, computes
every group asked for (or every saved group) and replaces the group's rows of that run. The run's
finalise calls it for every group (insight.services.run_finalise); a group saved or changed later is
computed by a task (insight.groups.tasks) against the published run while the run's data are unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from django.db import transaction

from .. import loaders
from ..benchmarking import columns as c
from ..benchmarking.cohort import leaver_table
from ..benchmarking.measures import PreparedCohort
from ..models import BenchmarkRun
from ..selectors.catalogue import DECILE
from .models import ComparatorGroup, ComparatorGroupResult

GROUP_ID = "group_id"


def group_measures(table: pd.DataFrame, members: Mapping[int, Iterable[int]]) -> pd.DataFrame:
    """``GROUP_ID``, ``year``, ``breakdown``, ``breakdown_value`` and the headline measures of each
    group's leavers in ``table`` (a :func:`leaver_table`): one row per group and year with leavers
    (breakdown ""), and one per group, year and group of leavers (sex, SIMD quintile, ASN, care
    experience, stage of leaving) with leavers, computed exactly as the engine computes a school's
    (insight.benchmarking.engine); and one per group, year and SIMD decile (breakdown
    ``simd_decile``, as the dashboards read the engine's deciles), every decile 1-10, with its
    leavers and average total tariff only (the engine's attainment versus deprivation; an empty
    decile has 0 leavers and no average). A leaver of a school in several groups counts in each of them."""
    est = table[c.ESTABLISHMENT_ID].to_numpy(dtype=np.int64)
    rows, ids = [], []
    for gid, schools in members.items():
        idx = np.flatnonzero(np.isin(est, np.fromiter(schools, dtype=np.int64)))
        rows.append(idx)
        ids.append(np.full(len(idx), gid, dtype=np.int64))
    if not rows or not sum(len(r) for r in rows):
        return pd.DataFrame(columns=[GROUP_ID, c.YEAR, c.BREAKDOWN, c.BREAKDOWN_VALUE, *c.HEADLINE_MEASURES])
    cohort = table.take(np.concatenate(rows)).reset_index(drop=True)
    cohort[GROUP_ID] = np.concatenate(ids)
    keys = [GROUP_ID, c.YEAR]
    prepared = PreparedCohort(cohort, [*keys, *c.BREAKDOWN_DIMENSIONS])
    head = prepared.headline(keys)
    head.insert(len(keys), c.BREAKDOWN, "")
    head.insert(len(keys) + 1, c.BREAKDOWN_VALUE, "")
    return pd.concat([head, prepared.breakdowns(keys, c.BREAKDOWN_DIMENSIONS), _deciles(prepared, keys)],
                     ignore_index=True)


def _deciles(prepared: PreparedCohort, keys: list[str]) -> pd.DataFrame:
    """The deciles of ``prepared.deprivation`` as breakdown rows; the measures it has not are
    0 (counts) or NaN."""
    dep = prepared.deprivation(keys)
    dep = dep[dep[c.SIMD_BAND_KIND] == c.BAND_DECILE].reset_index(drop=True)
    out = dep[keys].copy()
    out[c.BREAKDOWN] = DECILE
    out[c.BREAKDOWN_VALUE] = dep[c.SIMD_BAND].astype(str).to_numpy()
    for k in c.HEADLINE_MEASURES:
        out[k] = dep[k].to_numpy() if k in dep else (0 if k.startswith("n_") else np.nan)
    return out


def current_members(group_ids: Iterable[int] | None = None) -> dict[int, list[int]]:
    """Group id -> its member establishment ids, sorted (every group when ``group_ids`` is None)."""
    qs = ComparatorGroup.members.through.objects.all()
    if group_ids is not None:
        qs = qs.filter(comparatorgroup_id__in=list(group_ids))
    out: dict[int, list[int]] = {}
    for gid, eid in qs.order_by("comparatorgroup_id", "establishment_id").values_list(
        "comparatorgroup_id", "establishment_id"
    ):
        out.setdefault(gid, []).append(eid)
    return out


def groups_compute(run: BenchmarkRun, group_ids: Iterable[int] | None = None) -> int:
    """Compute the groups (every saved group when ``group_ids`` is None) for ``run`` from today's data, replacing their rows of the run. Returns the rows written."""
    members = current_members(group_ids)
    wanted = list(members) if group_ids is None else list(group_ids)
    new: list[ComparatorGroupResult] = []
    if members:
        for year in sorted(int(y) for y in run.years):
            data = loaders.load_engine_input([year], tariff_scale_id=run.tariff_scale_id)
            frame = group_measures(leaver_table(data.leavers, data.results), members)
            for r in frame.to_dict("records"):
                gid = int(r[GROUP_ID])
                new.append(ComparatorGroupResult(
                    run=run, group_id=gid, year=int(r[c.YEAR]), members=members[gid],
                    breakdown=r[c.BREAKDOWN], breakdown_value=r[c.BREAKDOWN_VALUE],
                    **{k: (None if pd.isna(r[k]) else (int(r[k]) if k.startswith("n_") else float(r[k])))
                       for k in c.HEADLINE_MEASURES},
                ))
    with transaction.atomic():
        ComparatorGroupResult.objects.filter(run=run, group_id__in=wanted).delete()
        ComparatorGroupResult.objects.bulk_create(new, batch_size=2000)
    return len(new)
