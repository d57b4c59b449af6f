"""Synthetic demo data: schools, leavers, results, destinations and a login for every role.

``generate_demo_data(scale=..., seed=...)`` builds a deterministic, realistic-looking Scotland:
the same seed always gives the same rows (ids aside, which follow the database's sequences).
By default nothing here is real: names, SEED codes, SCNs and data zones are invented. With
``real_schools=True`` (``--real-schools``, what ``make run`` asks for) the world is built on the real
secondary schools of the published school list in ``REFERENCE_DATA_DIR`` (``real``): their names,
SEED codes, authorities, rolls, SIMD profiles and urban/rural class are real, every pupil, result
and destination is still synthetic; without the files it falls back to the fictional world and
says so. Either way the establishments are marked ``synthetic`` ("its figures are made up"), so
every page carries the synthetic-data banner. No product module
imports this package (an import-linter contract checks it); ``manage.py generate_demo_data`` and
the tests do.

How the synthetic world is made (one numpy pass per leaver year, no per-row Python objects), and
where each step lives:

- ``names``      name and profile tables: an authority profile (school count, deprivation, roll,
                 denominational share, destination tracking, place names), given and family names
- ``scales``     what a run builds (demo / national / tiny), the reserved SEED and SCN blocks,
                 the two named demo schools
- ``schools``    1. the establishments and each school's latent deprivation, attainment and
                 destinations effects
- ``real``       1'. the same on the published school list: which real schools, their SIMD
                 location from the published band, cohorts from the roll, real home data zones
- ``world``      2. one leaver year: counts, SIMD, ASN, care experience, FSM, ability, stage and
                 dates of leaving, movers, home data zones, names
- ``census``     2'. the rest of the census: pupils of the S4 rolls the cohorts need who are not
                 leavers of the leaver years (before, after, off the roll), census and results only
- ``courses``    the course and award catalogue, grade thresholds, tariff points
- ``attainment`` 3. course choices and results for every senior-phase year
- ``outcomes``   4. initial and follow-up destinations (calibrated to ~95% / 93% positive and the
                 published national mix), their history, and APM spells for the latest two years
- ``numeric``    the small numpy helpers these steps share
- ``load``       bulk loading: COPY on PostgreSQL, ``executemany`` on SQLite; ids assigned here
- ``users``      the demo logins (one shared, published password)
- ``delete``     ``--replace``: delete what an earlier run made, and nothing else
- ``generate``   one run, in one transaction (all or nothing)
"""

from insight.demo.delete import delete_demo_data
from insight.demo.generate import DemoReport, generate_demo_data
from insight.demo.scales import DEMO_SCHOOL_1, DEMO_SCHOOL_2, LAST_LEAVER_YEAR, SCALES, DemoDataError
from insight.demo.users import (
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    DEMO_USERS,
    DemoUser,
    demo_logins,
    demo_places,
    format_logins,
)

__all__ = [
    "DEMO_EMAIL_DOMAIN",
    "DEMO_PASSWORD",
    "DEMO_SCHOOL_1",
    "DEMO_SCHOOL_2",
    "DEMO_USERS",
    "LAST_LEAVER_YEAR",
    "SCALES",
    "DemoDataError",
    "DemoReport",
    "DemoUser",
    "delete_demo_data",
    "demo_logins",
    "demo_places",
    "format_logins",
    "generate_demo_data",
]
