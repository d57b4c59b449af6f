"""World building, step 2': the rest of the census, so S4, S5 and S6 cohorts are whole.

The leaver years (``world.build_year``) hold every pupil who *left* in a year of the data, with
their S4-S6 enrolments. A cohort is followed from its S4 census (Insight's local measures: S5 and
S6 "based on the S4 roll"), so the cohorts of the data's years also hold pupils who are not
leavers of those years:

* **Before the window**: the S6 cohort of the first leaver year started S4 three years earlier;
  those of its pupils who left after S4 or S5 left before the first leaver year.
* **After the window**: the S4 and S5 cohorts of the last leaver year still have pupils at school
  (or who left after the data's last leaver year).
* **Off the roll**: some pupils leave the roll without a leaving record (they move out of
  Scotland or to an independent school). A few per cent of each S4 roll, so that about 85% of the
  S4 roll is in S5 a year on and about 60% in S6 two years on (Scottish Government, Summary
  Statistics for Schools: staying-on rates of that order).

All are built by ``world.build_year`` as leavers of their year (other random streams: the
leavers stay exactly as they were) and written from the census only: learners, the enrolments
up to the census of this session and the results of the diets they sat (``YearLoader.
load_census_only``); no leaving record, no destinations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from insight.demo.load import YearLoader
from insight.demo.schools import Schools
from insight.demo.world import HomeZones, build_year

OFF_ROLL_SHARE = 0.035  # of a year's leavers: pupils who leave the roll without a leaving record
_STREAM_EDGE = 5
_STREAM_OFF_ROLL = 6


def load_census_cohorts(loader: YearLoader, schools: Schools, arrays: dict[str, np.ndarray], per_year: int,
                        seed: int, leaver_years: list[int], *, session: int, current_year: int,
                        home_zones: HomeZones | None, log: Callable[[str], None]) -> int:
    """Write the census-only pupils whose S4 census falls in the cohorts of ``leaver_years``
    (S4 census from ``first - 3`` to ``last - 1``). ``current_year``: the leaver year built as
    this session's pupils (``pipeline``), and the year before it, built as last session's pupils
    when the leaver years stop before it: neither is built again here. Returns how many were
    written."""
    first, last = leaver_years[0], leaver_years[-1]
    low, high = first - 3, last - 1
    written = 0
    for year in (first - 2, first - 1, last + 1, last + 2):
        if year in leaver_years or year in (current_year, current_year - 1):
            continue
        y = build_year(schools, arrays, per_year, year, seed, False, home_zones, stream=_STREAM_EDGE)
        s4 = year - (y.stage + 1)
        written += loader.load_census_only(y, (s4 >= low) & (s4 <= high), y.stage + 1, last_census=session)
    for year in range(first - 2, last + 3):
        y = build_year(schools, arrays, max(1, round(per_year * OFF_ROLL_SHARE)), year, seed, False, home_zones,
                       stream=_STREAM_OFF_ROLL)
        rng = np.random.default_rng([seed, _STREAM_OFF_ROLL, year, 1])
        s4 = year - (y.stage + 1)
        # Gone after S4 (most) or after S5: the years they would have stayed are not on any roll.
        n_keep = np.where((y.stage == 2) & (rng.random(y.n) < 0.3), 2, 1)
        keep = (y.stage >= 1) & (s4 >= low) & (s4 <= high)
        written += loader.load_census_only(y, keep, n_keep, last_census=session)
    log(f"  census: {written:,} pupils of the S4-S6 cohorts who are not leavers of {first}-{last}")
    return written
