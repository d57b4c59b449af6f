"""One demo run, start to end, in one transaction (all or nothing): check the database may take
the data, build the schools, write them and the demo users, then build and load one leaver year
at a time, and finally reset sequences and refresh each establishment's context shares."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, models, transaction
from django.utils import timezone

from datahub.codes import COLLABORATIVES, LOCAL_AUTHORITIES, make_seed_code
from datahub.models import (
    Collaborative,
    Department,
    Establishment,
    EstablishmentType,
    Learner,
    LocalAuthority,
    SchoolLeaver,
    Subject,
    User,
)
from datahub.reference import CURRICULAR_AREAS, SUBJECTS
from datahub.services import establishment_refresh_context, establishment_sync_departments
from destinations.models import Offer
from destinations.pathways.selectors import session_of
from insight.demo.census import load_census_cohorts
from insight.demo.delete import delete_demo_data, demo_establishments
from insight.demo.load import FastLoad, Writer, YearLoader, reset_sequence
from insight.demo.outcomes import N_POS
from insight.demo.pipeline import load_pipeline
from insight.demo.real import ZonePool, build_real_schools, leavers_per_year, read_listing, real_world_sources
from insight.demo.scales import (
    DEMO_SEED_SERIAL_BASE,
    LAST_LEAVER_YEAR,
    DemoDataError,
    Scale,
    scale_spec,
)
from insight.demo.schools import PRI, SEC, SPE, Schools, build_schools
from insight.demo.users import DEMO_EMAIL_DOMAIN, create_users
from insight.demo.world import HomeZones, Year, build_year

_TYPE_CODES = (EstablishmentType.SECONDARY, EstablishmentType.SPECIAL, EstablishmentType.PRIMARY)  # by SEC, SPE, PRI
_REPORTED = ("Establishment", "User", "Learner", "Enrolment", "SchoolLeaver", "QualificationResult",
             "DestinationRecord", "ParticipationSpell", "PathwayRecord", "Offer")


@dataclass
class DemoReport:
    scale: str
    seed: int
    years: list[int]
    counts: dict[str, int]
    seconds: float
    positive_initial: float
    positive_follow_up: float
    world: str = "fictional"  # or "real": built on the published school list
    world_note: str = ""  # where the real schools came from, or why the fictional world was built
    named_schools: list[str] = field(default_factory=list)  # "name (authority)" of the two login schools


def _no_log(_line: str) -> None:
    return None


@dataclass
class _World:
    schools: Schools
    per_year: int
    kind: str
    note: str
    home_zones: HomeZones | None = None
    listed_year: int | None = None


def generate_demo_data(*, scale: str = "demo", seed: int = 1, years: int = 5, last_year: int = LAST_LEAVER_YEAR,
                       replace: bool = False, real_schools: bool = False,
                       log: Callable[[str], None] = _no_log, today: dt.date | None = None) -> DemoReport:
    """Generate the demo data set in one transaction (see the package docstring). With
    ``real_schools`` the world is built on the published school list in REFERENCE_DATA_DIR
    (``insight.demo.real``), falling back to the fictional world, and saying so, without it.
    ``today``: the day whose school session the current S4-S6 pupils belong to (default: today)."""
    spec = scale_spec(scale)
    if not 1 <= years <= 10:
        raise DemoDataError("--years must be between 1 and 10")
    t_start = time.monotonic()
    leaver_years = list(range(last_year - years + 1, last_year + 1))
    with transaction.atomic():
        _prepare(replace, log)
        writer = Writer()
        world = _build_world(spec, scale, seed, real_schools, log)
        est_ids = _create_establishments(world, writer, log)
        shares = _load_leaver_years(world, est_ids, writer, seed, leaver_years, log, today=today)
        _finish(log)
        t_commit = time.monotonic()
    log(f"Committed ({time.monotonic() - t_commit:.1f}s)")
    named = [f"{world.schools.names[i]} ({world.schools.authority[i]})" for i in world.schools.named]
    return DemoReport(scale=scale, seed=seed, years=leaver_years,
                      counts={k: writer.counts.get(k, 0) for k in _REPORTED},
                      seconds=time.monotonic() - t_start, positive_initial=shares[0], positive_follow_up=shares[1],
                      world=world.kind, world_note=world.note, named_schools=named)


def _build_world(spec: Scale, scale: str, seed: int, real_schools: bool, log: Callable[[str], None]) -> _World:
    """The schools: the real ones of the published list when asked and available, else fictional."""
    if real_schools:
        found = real_world_sources()
        if isinstance(found, str):
            note = f"Real schools not available ({found}): building the fictional world instead."
            log(note)
        else:
            school_list, simd = found
            listing = read_listing(school_list, simd)
            schools = build_real_schools(listing, spec, seed, every_secondary=scale == "national")
            note = (f"Real schools from {school_list} (school contact list {listing.year}, Scottish Government, "
                    "Open Government Licence v3.0); pupils, results and destinations synthetic.")
            log(note)
            return _World(schools, leavers_per_year(schools), "real", note, ZonePool().draw, listing.year)
    else:
        note = "Fictional world (invented schools); --real-schools builds it on the published school list."
        log(note)
    return _World(build_schools(spec, seed), spec.leavers_per_year, "fictional", note)


def _prepare(replace: bool, log: Callable[[str], None]) -> None:
    """Delete earlier demo data if asked; refuse to add to existing data otherwise."""
    if replace:
        log("Deleting earlier demo data ...")
        delete_demo_data(log)
    existing = Establishment.objects.count()
    if existing and not replace:
        raise DemoDataError(
            f"{existing} establishments already exist: run with --replace to delete the demo data first "
            "(only demo establishments, their learners and the demo users are deleted).")
    if User.objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}").exists():
        raise DemoDataError("Demo users already exist: run with --replace.")
    _ensure_reference_data()


def _ensure_reference_data() -> None:
    """The authorities and subjects (with their curricular areas) come with migrations; make sure
    they are there (tests skip migrations, and browser tests flush what migrations wrote)."""
    have = set(LocalAuthority.objects.values_list("gss_code", flat=True))
    LocalAuthority.objects.bulk_create(
        [LocalAuthority(code=c, gss_code=g, name=n) for c, g, n in LOCAL_AUTHORITIES if g not in have])
    for code, name, authority_codes in COLLABORATIVES:  # Regional Improvement Collaboratives
        collaborative, _ = Collaborative.objects.update_or_create(code=code, defaults={"name": name})
        LocalAuthority.objects.filter(code__in=authority_codes, collaborative=None).update(collaborative=collaborative)
    have = set(Subject.objects.values_list("code", flat=True))
    Subject.objects.bulk_create(
        [Subject(code=c, name=n, literacy=lit, numeracy=num, curricular_area=CURRICULAR_AREAS.get(c, ""))
         for c, n, lit, num in SUBJECTS if c not in have])
    for code, area in CURRICULAR_AREAS.items():  # an area a data manager set is kept
        Subject.objects.filter(code=code, curricular_area="").update(curricular_area=area)


def _create_establishments(world: _World, writer: Writer, log: Callable[[str], None]) -> np.ndarray:
    """Write the schools and the demo users; the schools' ids.

    Fictional schools take SEED codes from the reserved block; real ones keep their own, with the
    list's facts and departments. Either way ``synthetic`` is set: the figures are the generator's."""
    schools = world.schools
    arrays = schools.arrays()
    authorities = {a.name: a for a in LocalAuthority.objects.all()}
    if schools.real:
        seeds = [r.seed_code for r in schools.real]
        taken = list(Establishment.objects.filter(seed_code__in=seeds).values_list("seed_code", flat=True)[:5])
        if taken:
            raise DemoDataError(
                f"Real establishments with these SEED codes are already loaded ({', '.join(taken)} ...): the demo "
                "on real schools needs a database without them (run it on an empty database).")
        est_objs = [
            Establishment(seed_code=r.seed_code, type=_TYPE_CODES[r.type].value, roll=r.roll, synthetic=True,
                          listed_year=world.listed_year, **r.fields)
            for r in schools.real
        ]
    else:
        # The two named schools take the first serials at every scale (their SEED codes are fixed, so
        # docs/samples import into any demo data set); the rest follow in order.
        order = [*schools.named, *(i for i in range(len(schools.names)) if i not in schools.named)]
        serial = {i: k for k, i in enumerate(order)}
        seeds = [make_seed_code(DEMO_SEED_SERIAL_BASE + serial[i]) for i in range(len(schools.names))]
        est_objs = [
            Establishment(seed_code=seeds[i], name=name, authority=authorities[schools.authority[i]],
                          type=_TYPE_CODES[schools.type[i]].value, roll=schools.roll[i], synthetic=True)
            for i, name in enumerate(schools.names)
        ]
    Establishment.objects.bulk_create(est_objs, batch_size=500)
    est_by_seed = {e.seed_code: e for e in demo_establishments().select_related("authority")}
    ids = [est_by_seed[code].id for code in seeds]
    if schools.real:  # every department the list gives, with its roll
        Department.objects.bulk_create(
            [Department(establishment_id=est_id, type=t, roll=roll)
             for est_id, r in zip(ids, schools.real, strict=True) for t, roll in r.departments.items()],
            batch_size=500)
    establishment_sync_departments(establishment_ids=ids)  # the fictional schools: one department each
    writer.counts["Establishment"] = len(est_objs)
    log(f"Created {len(est_objs)} establishments "
        f"({int((arrays['type'] == SEC).sum())} secondary, {int((arrays['type'] == SPE).sum())} special, "
        f"{int((arrays['type'] == PRI).sum())} primary)")
    school1, school2 = (est_by_seed[seeds[i]] for i in schools.named)
    users = create_users(school1, school2)
    writer.counts["User"] = len(users)
    return np.array(ids, dtype=np.int64)


def _load_leaver_years(world: _World, est_ids: np.ndarray, writer: Writer, seed: int,
                       leaver_years: list[int], log: Callable[[str], None], *,
                       today: dt.date | None = None) -> tuple[float, float]:
    """Build and write one leaver year at a time (the latest two with APM spells), then this
    session's S4-S6 pupils with their pathways and offers; the shares of positive initial and
    follow-up destinations over all leaver years."""
    schools = world.schools
    arrays = schools.arrays()
    subject_ids = dict(Subject.objects.values_list("code", "id"))
    fast = FastLoad(YearLoader.TABLES, log)
    if world.per_year * len(leaver_years) >= 20_000:  # worth it from the demo scale up
        fast.start()
    loader = YearLoader(writer, est_ids, subject_ids, seed)
    last_year = leaver_years[-1]
    pos_init = pos_follow = 0.0
    total = 0
    today = today or timezone.localdate()
    session = session_of(today)
    key_workers = _key_workers(schools)
    last_session: tuple[Year, np.ndarray] | None = None
    for year in leaver_years:
        t0 = time.monotonic()
        y = build_year(schools, arrays, world.per_year, year, seed, year >= last_year - 1, world.home_zones)
        t1 = time.monotonic()
        loader.load(y)
        n = y.n
        if year == session:  # last session's leavers: pathways and offers through that session, below
            last_session = (y, np.arange(loader.learner_id - n, loader.learner_id, dtype=np.int64))
        total += n
        pi = float((y.d_initial < N_POS).mean()) if n else 0.0
        pf = float((y.d_follow < N_POS).mean()) if n else 0.0
        pos_init += pi * n
        pos_follow += pf * n
        log(f"  {year}: {n:,} leavers, {y.r_learner.size:,} results, positive {pi:.1%} / {pf:.1%} "
            f"(built {t1 - t0:.1f}s, written {time.monotonic() - t1:.1f}s)")
    t0 = time.monotonic()
    if last_session is None:
        # The leaver years stop before last session: its pupils are written as this session's are
        # (no leaving record loaded yet), so the readiness measures have last session to compare.
        prev = build_year(schools, arrays, world.per_year, session, seed, False, world.home_zones)
        last_session = (prev, loader.load_current(prev))
    current = build_year(schools, arrays, world.per_year, session + 1, seed, False, world.home_zones)
    current_ids = loader.load_current(current)
    load_census_cohorts(loader, schools, arrays, world.per_year, seed, leaver_years, session=session,
                        current_year=session + 1, home_zones=world.home_zones, log=log)
    fast.finish()
    if last_session is not None:
        load_pipeline(writer, last_session[0], last_session[1], session=session - 1, today=dt.date(session, 6, 30),
                      seed=seed, key_workers=key_workers, actions=False)
    load_pipeline(writer, current, current_ids, session=session, today=today, seed=seed, key_workers=key_workers)
    log(f"  session {session}/{str(session + 1)[2:]}: {current.n:,} pupils expected to leave, with pathways and "
        f"offers ({time.monotonic() - t0:.1f}s)")
    return (pos_init / total if total else 0.0, pos_follow / total if total else 0.0)


def _key_workers(schools: Schools) -> dict[int, list[int]]:
    """Who the demo logins' pupils have as key workers: school 1's staff member and the MCMC
    officer, school 2's head teacher (school index -> user ids)."""
    ids = dict(User.objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}").values_list("email", "id"))
    out: dict[int, list[int]] = {}
    for index, emails in zip(schools.named, (("staff@", "mcmc@"), ("headteacher2@",)), strict=False):
        out[index] = [ids[e + DEMO_EMAIL_DOMAIN] for e in emails if e + DEMO_EMAIL_DOMAIN in ids]
    return out


def _finish(log: Callable[[str], None]) -> None:
    """Sequences past the ids assigned here, planner statistics, and the establishments' context."""
    t0 = time.monotonic()
    reset_sequence(Learner)
    reset_sequence(SchoolLeaver)
    reset_sequence(Offer)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            analyzed: list[type[models.Model]] = [*YearLoader.TABLES, Establishment]
            for model in analyzed:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    log(f"Sequences and statistics ({time.monotonic() - t0:.1f}s)")
    t0 = time.monotonic()
    refreshed = establishment_refresh_context()
    log(f"Refreshed context of {refreshed} establishments ({time.monotonic() - t0:.1f}s)")
