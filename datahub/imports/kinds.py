"""datahub's own import kinds: establishments, learners and enrolments, school leavers and
qualification results, registered from DatahubConfig.ready. (destinations registers destination
and participation kinds.)"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..models import (
    GRADED_AWARDS,
    SENIOR_PHASE,
    AwardType,
    Enrolment,
    Establishment,
    EstablishmentType,
    Grade,
    Learner,
    QualificationResult,
    SchoolLeaver,
    Stage,
)
from ..referencedata.simd import simd_decile_by_zone
from ..services import department_upsert, establishment_sync_departments
from .columns import Column, choices_from
from .registry import register
from .shared import ASN, CARE, FSM, SCN, SEED, SEX, SIMD, check_learner_scope, learners_by_scn, upsert_one_table
from .sql import Staging, Upsert, qn, reject_existing, same
from .types import Context, Counts, ImportKind, lookup_columns

LEVEL_OF_AWARD = {AwardType.NATIONAL_3: 3, AwardType.NATIONAL_4: 4, AwardType.NATIONAL_5: 5, AwardType.HIGHER: 6,
                  AwardType.ADVANCED_HIGHER: 7}


def _int(series: pd.Series) -> pd.Series:
    return series.astype("Int64")


# --- establishments -------------------------------------------------------------------------


def _prepare_establishments(ctx: Context) -> None:
    f = ctx.frame
    auth = f["authority"].str.upper().map(ctx.authorities).astype("float64")
    ctx.add("authority", ctx.valid("authority") & (f["authority"] != "").to_numpy() & auth.isna().to_numpy(),
            "Unknown local authority: use its education code (e.g. 260) or GSS code (e.g. S12000049).")
    existing = lookup_columns(f["seed_code"], ctx.establishments, ["id", "authority_id"])
    existing_id, existing_auth = existing["id"], existing["authority_id"]
    is_new = existing_id.isna()
    # New schools are checked against their authority; existing ones against themselves, and a
    # move to another authority against the new authority too.
    ctx.set_row_establishment(existing_id, existing_auth.where(~is_new, auth), "seed_code")
    moved = (~is_new & auth.notna() & (auth != existing_auth)).to_numpy()
    ctx.add("authority", moved & ctx.outside_scope(pd.Series(np.nan, index=f.index), auth),
            "You may not move this school into an authority you do not manage.", scope=True)
    if ctx.restrict_to is not None:
        ctx.add("seed_code", (f["seed_code"] != ctx.restrict_to.seed_code).to_numpy(),
                f"This row is for another establishment than the one chosen ({ctx.restrict_to.seed_code}).")
    ctx.frame["authority_id"] = _int(auth)
    ctx.frame["history_establishment"] = _int(existing_id)


def _write_establishments(ctx: Context) -> Counts:
    cols = [("seed_code", "text"), ("name", "text"), ("authority_id", "bigint"), ("type", "text"), ("roll", "int"),
            ("history_establishment", "bigint")]
    counts = upsert_one_table(ctx, Establishment, cols, ctx.chunks([c for c, _ in cols]), ["seed_code"],
                              ["name", "authority_id", "type", "roll"],
                              existing=("seed_code", "An establishment with this SEED code"))
    if not (ctx.dry_run or ctx.has_errors):
        # A row describes the school's department of that type: keep it, then the principal type and roll.
        departments = ctx.whole(["seed_code", "type", "roll"])
        ids = dict(Establishment.objects.filter(seed_code__in=list(departments["seed_code"]))
                   .values_list("seed_code", "id"))
        for seed, kind, roll in departments.itertuples(index=False, name=None):
            department_upsert(establishment_id=ids[seed], type=kind, roll=int(roll))
        establishment_sync_departments(establishment_ids=list(ids.values()))
    return counts

ESTABLISHMENTS = register(ImportKind(
    name="establishments",
    label="Establishments (schools)",
    description="Schools with their SEED code, name, local authority, type and roll.",
    columns=(
        Column("seed_code", "seed", help="SEED code of the school (7 digits). A check-digit mismatch is a warning only.", example="5244439"),
        Column("name", "text", max_length=200, help="Name of the school.", example="Kelvinbank Academy"),
        Column("authority", "text", max_length=9, help="Local authority: education code (e.g. 260) or GSS code (e.g. S12000049).", example="260"),
        Column("type", "choice", required=False, default=EstablishmentType.SECONDARY.value,
               choices=choices_from(EstablishmentType.choices), help="The department this row describes: secondary, primary or special (blank: secondary). The school's principal department (secondary, then special, then primary) gives its type and roll.", example="secondary"),
        Column("roll", "int", required=False, default=0, min_value=0, max_value=5000, help="Pupils on the roll at the census.", example="1040"),
    ),
    key=("seed_code",),
    prepare=_prepare_establishments,
    write=_write_establishments,
    notes=("A new school may be added only by a data manager of its authority (or a national data manager).",),
    order=10,
))


# --- learners and enrolments ----------------------------------------------------------------


def _prepare_learners(ctx: Context) -> None:
    f = ctx.frame
    est, auth = ctx.resolve_establishments("seed_code")
    ctx.set_row_establishment(est, auth, "seed_code")
    learners = learners_by_scn(ctx, required=False)
    check_learner_scope(ctx, learners)
    # The learner's school is the one of their latest census: an older year's file does not move them.
    year = f["year"].astype("float64")
    moves = learners["learner_id"].isna() | learners["last_year"].isna() | (year >= learners["last_year"])
    f["learner_establishment_id"] = _int(est.where(moves, learners["learner_est"]))
    f["enrol_establishment_id"] = _int(est)
    f["history_establishment"] = _int(learners["learner_est"].fillna(est))
    # Dates: a pupil at the census is between 3 and 21 years old.
    ok = ctx.valid("date_of_birth", "year")
    born = pd.to_datetime(f["date_of_birth"].where(ok, "2000-01-01"), format="%Y-%m-%d").dt.year
    age = f["year"].astype("int64") - born
    ctx.add("date_of_birth", ok & ((age < 3) | (age > 21)).to_numpy(),
            "The date of birth does not fit the census year (a pupil is 3 to 21 years old).")
    _derive_simd(ctx)


def _derive_simd(ctx: Context) -> None:
    """SIMD decile from the home data zone through the SIMD 2020v2 table (docs/methodology.md).

    A blank decile takes the data zone's; a decile that disagrees with its data zone's is kept as
    given, with a warning on the row (the file may use an older SIMD or another address).
    """
    f = ctx.frame
    ok = ctx.valid("simd_decile", "data_zone")
    zones = f["data_zone"].astype(str)
    table = simd_decile_by_zone()
    from_zone = zones.map(table).astype("float64")
    given = f["simd_decile"].astype("int64")
    blank = ok & (given == 0).to_numpy()
    ctx.add("simd_decile", blank & from_zone.isna().to_numpy(),
            "Give a SIMD decile, or a data zone found in SIMD 2020v2 (loaded as reference data) to derive it from.")
    f["simd_decile"] = given.where(given != 0, from_zone.fillna(0).astype("int64"))
    disagree = ok & (given != 0).to_numpy() & from_zone.notna().to_numpy() & (from_zone != given).to_numpy()
    ctx.add("simd_decile", disagree,
            "This decile differs from the data zone's SIMD 2020v2 decile " + from_zone.fillna(0).astype("int64").astype(str)
            + "; the file's decile is kept.", warning=True)


LEARNER_VALUES = ["given_name", "family_name", "date_of_birth", "sex", "data_zone", "simd_decile", "asn",
                  "care_experienced", "fsm", "establishment_id"]


def _write_learners(ctx: Context) -> Counts:
    cols = [("scn", "text"), ("given_name", "text"), ("family_name", "text"), ("date_of_birth", "date"),
            ("sex", "text"), ("data_zone", "text"), ("simd_decile", "int"), ("asn", "bool"),
            ("care_experienced", "bool"), ("fsm", "bool"), ("learner_establishment_id", "bigint"),
            ("enrol_establishment_id", "bigint"), ("year", "int"), ("stage", "text"), ("history_establishment", "bigint")]
    stg = Staging(cols, ctx)
    try:
        stg.fill(ctx.chunks([c for c, _ in cols]))
        s = qn(stg.name)
        learner_table, enrol_table = qn(Learner._meta.db_table), qn(Enrolment._meta.db_table)
        learner_src = (
            f"(SELECT row_no, scn, given_name, family_name, date_of_birth, sex, data_zone, simd_decile, asn, "
            f"care_experienced, fsm, learner_establishment_id AS establishment_id, history_establishment FROM {s})"
        )
        learners = Upsert(Learner, ["scn"], LEARNER_VALUES, learner_src)
        enrol_values = ["establishment_id", "stage"]
        enrol_src = (
            f"(SELECT s.row_no, l.id AS learner_id, s.year, s.enrol_establishment_id AS establishment_id, s.stage, "
            f"s.history_establishment FROM {s} s JOIN {learner_table} l ON l.scn = s.scn)"
        )
        enrolments = Upsert(Enrolment, ["learner_id", "year"], enrol_values, enrol_src)
        # A row is new when the learner is; updated when the learner or their enrolment changes.
        with_learner = (
            f"SELECT COUNT(*), SUM(CASE WHEN l.id IS NULL THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN l.id IS NOT NULL AND (NOT {same('l', 'x', LEARNER_VALUES)} OR e.id IS NULL "
            f"OR NOT {same('e', 'y', enrol_values)}) THEN 1 ELSE 0 END) "
            f"FROM {learner_src} x JOIN (SELECT row_no, enrol_establishment_id AS establishment_id, stage, year FROM {s}) y "
            f"ON y.row_no = x.row_no LEFT JOIN {learner_table} l ON l.scn = x.scn "
            f"LEFT JOIN {enrol_table} e ON e.learner_id = l.id AND e.year = y.year"
        )
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(with_learner)
            total, new, updated = (int(v or 0) for v in cur.fetchone())
        counts = Counts(new, updated, total - new - updated)
        if ctx.create_only:
            reject_existing(ctx, learners, "scn", "A learner with this SCN")
        if ctx.dry_run or ctx.has_errors:
            return counts
        learners.counts(ctx)  # plans the learner rows to write
        learners.record_history(ctx)
        learners.merge(ctx, stg.rows, report=False)
        enrolments.counts(ctx)  # after the learners exist: new learners' enrolments join now
        enrolments.record_history(ctx)
        enrolments.merge(ctx, stg.rows)
        return counts
    finally:
        stg.drop()


LEARNERS = register(ImportKind(
    name="learners",
    label="Learners and enrolments (census)",
    description="One row per pupil on a school's roll at a census: personal details, characteristics and stage.",
    columns=(
        SCN,
        Column("given_name", "text", max_length=100, help="Given name.", example="Ailsa"),
        Column("family_name", "text", max_length=100, help="Family name.", example="MacLeod"),
        Column("date_of_birth", "date", min_date=dt.date(1980, 1, 1), max_date=dt.date(2100, 1, 1),
               help="Date of birth.", example="2008-03-14"),
        SEX,
        Column("data_zone", "datazone", required=False, default="", help="2011 data zone of the home address (optional). With it, a blank simd_decile is derived from SIMD 2020v2.", example="S01010206"),
        Column("simd_decile", "int", required=False, default=0, min_value=1, max_value=10,
               help="SIMD 2020 decile of the home data zone; 1 = most deprived 10%. May be blank when data_zone is given: it is then derived.", example="3"),
        ASN, CARE, FSM,
        SEED,
        Column("year", "int", min_value=2000, max_value=2100, help="Census school year by its starting year: 2024 is 2024/25.", example="2024"),
        Column("stage", "choice", choices=choices_from(Stage.choices), help="S1 to S6.", example="S4"),
    ),
    key=("scn",),
    prepare=_prepare_learners,
    write=_write_learners,
    notes=(
        "One row per learner: a file is one census.",
        "A learner's school becomes the file's school unless the learner already has a later census year.",
        "A learner on the roll of a school outside your scope cannot be changed by your file.",
    ),
    order=20,
))


# --- school leavers -------------------------------------------------------------------------


def _prepare_leavers(ctx: Context) -> None:
    f = ctx.frame
    est, auth = ctx.resolve_establishments("seed_code")
    ctx.set_row_establishment(est, auth, "seed_code")
    learners = learners_by_scn(ctx)
    check_learner_scope(ctx, learners)
    f["learner_id"] = _int(learners["learner_id"])
    f["establishment_id"] = _int(est)
    f["history_establishment"] = _int(est)
    # A leaver of 2024 (session 2023/24) left between 1 August 2023 and 31 July 2024.
    ok = ctx.valid("leaving_date", "leaver_year") & (f["leaving_date"] != "").to_numpy()
    left = pd.to_datetime(f["leaving_date"].where(ok, "2000-01-01"), format="%Y-%m-%d")
    year = f["leaver_year"].astype("int64").where(ok, 2000)
    start = pd.to_datetime((year - 1).astype(str) + "-08-01", format="%Y-%m-%d")
    end = pd.to_datetime(year.astype(str) + "-07-31", format="%Y-%m-%d")
    ctx.add("leaving_date", ok & ((left < start) | (left > end)).to_numpy(),
            "The leaving date is not in the leaver year's session (1 August to 31 July).")


LEAVER_VALUES = ["establishment_id", "leaver_year", "stage", "leaving_date", "sex", "simd_decile", "asn",
                 "care_experienced", "fsm"]


def _write_leavers(ctx: Context) -> Counts:
    cols = [("learner_id", "bigint"), ("establishment_id", "bigint"), ("leaver_year", "int"), ("stage", "text"),
            ("leaving_date", "date"), ("sex", "text"), ("simd_decile", "int"), ("asn", "bool"),
            ("care_experienced", "bool"), ("fsm", "bool"), ("history_establishment", "bigint")]
    frames = ctx.chunks([c for c, _ in cols], none_if_blank=["leaving_date"])
    return upsert_one_table(ctx, SchoolLeaver, cols, frames, ["learner_id"], LEAVER_VALUES,
                            existing=("scn", "A leaver record for this learner"))

LEAVERS = register(ImportKind(
    name="leavers",
    label="School leavers",
    description="One row per leaver: school, year and stage of leaving, and characteristics as at leaving.",
    columns=(
        SCN, SEED,
        Column("leaver_year", "int", min_value=2000, max_value=2100, help="Year the session ends: 2024 means the 2023/24 leavers.", example="2024"),
        Column("stage", "choice", choices=choices_from([(s.value, s.label) for s in SENIOR_PHASE]), help="Stage of leaving: S4, S5 or S6.", example="S6"),
        Column("leaving_date", "date", required=False, default="", help="Date of leaving (optional).", example="2024-06-28"),
        SEX, SIMD, ASN, CARE, FSM,
    ),
    key=("scn",),
    prepare=_prepare_leavers,
    write=_write_leavers,
    notes=("The learner must already be loaded (learners file).",),
    order=30,
))


# --- qualification results ------------------------------------------------------------------


def _prepare_results(ctx: Context) -> None:
    f = ctx.frame
    est, auth = ctx.resolve_establishments("seed_code")
    ctx.set_row_establishment(est, auth, "seed_code")
    subject = lookup_columns(f["subject_code"], pd.DataFrame({"id": ctx.subjects}), ["id"])["id"]
    ctx.add("subject_code", ctx.valid("subject_code") & subject.isna().to_numpy(),
            "Unknown subject code (see the subject list in the import formats guide).")
    learners = learners_by_scn(ctx)
    check_learner_scope(ctx, learners)
    ok = ctx.valid("award_type", "grade")
    graded = f["award_type"].isin([a.value for a in GRADED_AWARDS]).to_numpy()
    letter = f["grade"].isin(["A", "B", "C", "D"]).to_numpy()
    ctx.add("grade", ok & graded & ~letter, "This award is graded: the grade must be A, B, C or D.")
    ctx.add("grade", ok & ~graded & letter, "This award is not graded: the grade must be P (pass).")
    ok = ctx.valid("award_type", "scqf_level")
    fixed = f["award_type"].map({k.value: v for k, v in LEVEL_OF_AWARD.items()}).astype("float64")
    level = f["scqf_level"].astype("float64")
    wrong = ok & fixed.notna().to_numpy() & (fixed != level).to_numpy()
    reasons = "This award is at SCQF level " + fixed.fillna(0).astype(int).astype(str) + "."
    ctx.add("scqf_level", wrong, reasons)
    other = ok & fixed.isna().to_numpy() & ((level < 2) | (level > 7)).to_numpy()
    ctx.add("scqf_level", other, "For this award the SCQF level must be from 2 to 7.")
    f["learner_id"] = _int(learners["learner_id"])
    f["subject_id"] = _int(subject)
    f["establishment_id"] = _int(est)


RESULT_KEY = ["learner_id", "subject_id", "award_type", "scqf_level", "year"]
RESULT_VALUES = ["establishment_id", "scqf_credits", "grade"]


RESULT_STAGING = [("learner_id", "bigint"), ("subject_id", "bigint"), ("award_type", "text"), ("scqf_level", "int"),
                  ("year", "int"), ("establishment_id", "bigint"), ("scqf_credits", "int"), ("grade", "text")]


def _write_results(ctx: Context) -> Counts:
    return upsert_one_table(ctx, QualificationResult, RESULT_STAGING, ctx.chunks([c for c, _ in RESULT_STAGING]),
                            RESULT_KEY, RESULT_VALUES, existing=("scn", "This result"),
                            history_establishment="establishment_id")

RESULTS = register(ImportKind(
    name="results",
    label="Qualification results (attainment)",
    description="One row per attained award: learner, school, subject, award type, SCQF level and credits, grade and year.",
    columns=(
        SCN, SEED,
        Column("subject_code", "code", max_length=12, help="Subject code from the portal's subject list.", example="ENG"),
        Column("award_type", "choice", choices=choices_from(AwardType.choices), help="N3, N4, N5, H, AH, NPA, SFW, FA, NC or WA.", example="N5"),
        Column("scqf_level", "int", min_value=1, max_value=12, help="SCQF level (National 5 is 5, Higher 6, Advanced Higher 7).", example="5"),
        Column("scqf_credits", "int", min_value=1, max_value=200, help="SCQF credit points.", example="24"),
        Column("grade", "choice", choices={**choices_from(Grade.choices), "pass": "P"}, help="A to D for graded courses (N5, H, AH); P for a pass otherwise.", example="A"),
        Column("year", "int", min_value=2000, max_value=2100, help="Year of the diet (2024 for the May 2024 exams).", example="2024"),
    ),
    key=("scn", "subject_code", "award_type", "scqf_level", "year"),
    prepare=_prepare_results,
    write=_write_results,
    notes=("The learner must already be loaded (learners file).",
           "A corrected grade or credit value in a later file updates the result and is kept in the history."),
    order=40,
))

__all__ = ["ESTABLISHMENTS", "LEARNERS", "LEAVERS", "RESULTS"]
