"""Bulk loading into the database: column lists in, rows out by ``COPY ... FROM STDIN`` on
PostgreSQL or ``executemany`` on SQLite, with the big tables' indexes and foreign keys set aside
during a large load (``FastLoad``). ``YearLoader`` maps one leaver year's columns onto the tables.

Learner and leaver ids are assigned here (max(id)+1 onwards, sequences reset afterwards) so child
rows can be written without reading ids back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from django.db import connection, models, transaction

from datahub.models import Enrolment, Learner, QualificationResult, SchoolLeaver
from destinations.models import DestinationRecord, ParticipationSpell
from insight.demo.courses import AWARDS, GRADES, SUBJECT_CODES
from insight.demo.numeric import first_monday, valid_scns
from insight.demo.outcomes import DEST
from insight.demo.scales import DEMO_SCN_BASE
from insight.demo.world import Year


def _columns(model: type[models.Model], names: Sequence[str]) -> tuple[str, list[str]]:
    meta = model._meta
    columns = []
    for name in names:
        f = meta.get_field(name)
        assert isinstance(f, models.Field)
        columns.append(f.column)
    return meta.db_table, columns


class Writer:
    """Bulk inserts: COPY on PostgreSQL, executemany on SQLite. Values come as column lists."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}

    def write(self, model: type[models.Model], names: Sequence[str], columns: Sequence[Any]) -> int:
        table, cols = _columns(model, names)
        n = len(columns[0]) if columns else 0
        if n == 0:
            return 0
        qn = connection.ops.quote_name
        collist = ", ".join(qn(c) for c in cols)
        chunk = 200_000
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if self.pg:
                sql = f"COPY {qn(table)} ({collist}) FROM STDIN"
                with raw.copy(sql) as copy:
                    for lo in range(0, n, chunk):
                        parts = [_pg_text(c[lo:lo + chunk]) for c in columns]
                        copy.write("".join(f"{row}\n" for row in map("\t".join, zip(*parts, strict=True))))
            else:
                sql = f"INSERT INTO {qn(table)} ({collist}) VALUES ({', '.join('?' for _ in cols)})"
                for lo in range(0, n, chunk):
                    raw.executemany(sql, zip(*(_sqlite_values(c[lo:lo + chunk]) for c in columns), strict=True))
        self.counts[model.__name__] = self.counts.get(model.__name__, 0) + n
        return n


def _pg_text(values: Sequence[Any]) -> list[str]:
    if isinstance(values, np.ndarray):
        if values.dtype == bool:
            return np.where(values, "t", "f").tolist()
        if values.dtype.kind == "M":
            text = np.datetime_as_string(values)
            out = np.char.replace(text, "T", " ")
            if values.dtype == np.dtype("datetime64[s]"):
                out = np.char.add(out, "+00")
            return np.where(np.isnat(values), "\\N", out).tolist()
        if values.dtype.kind in "iu":
            return list(map(str, values.tolist()))
        values = values.tolist()
    return ["\\N" if v is None else _escape(str(v)) for v in values]


def _escape(s: str) -> str:
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


def _sqlite_values(values: Sequence[Any]) -> list[Any]:
    if isinstance(values, np.ndarray):
        if values.dtype == bool:
            return values.astype(int).tolist()
        if values.dtype.kind == "M":
            text = np.char.replace(np.datetime_as_string(values), "T", " ")
            return [None if nat else t for nat, t in zip(np.isnat(values).tolist(), text.tolist(), strict=True)]
        return values.tolist()
    return list(values)


def next_id(model: type[models.Model]) -> int:
    agg = model._default_manager.aggregate(m=models.Max("id"))["m"]
    return int(agg or 0) + 1


def reset_sequence(model: type[models.Model]) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite AUTOINCREMENT follows the largest id inserted
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0) + 1, false)",
            [table],
        )


class FastLoad:
    """PostgreSQL bulk-load mode for the big tables: their secondary indexes and foreign keys are
    dropped for the load and re-created afterwards, inside the same transaction. Building an index
    once and validating a foreign key with one join is far cheaper than maintaining five indexes
    row by row and queueing millions of deferred foreign-key trigger events for the commit.

    Needs table ownership (the migrating user); without it the load simply runs with everything in
    place. The tables are locked (ACCESS EXCLUSIVE) until the transaction ends.
    """

    _CATALOG = """
        SELECT i.relname, pg_get_indexdef(x.indexrelid), c.conname, c.contype,
               pg_get_constraintdef(c.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
        ORDER BY i.relname
    """
    _FOREIGN_KEYS = """
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname
    """

    def __init__(self, tables: Sequence[type[models.Model]], log: Callable[[str], None]) -> None:
        self.tables = [m._meta.db_table for m in tables]
        self.log = log
        self.restore_sql: list[str] = []
        self.active = False

    def start(self) -> None:
        if connection.vendor != "postgresql":
            return
        qn = connection.ops.quote_name
        drop: list[str] = []
        restore_idx: list[str] = []
        restore_fk: list[str] = []
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # Fire any deferred checks now (e.g. from --replace deletes): ALTER TABLE refuses to
                # run while trigger events are pending on a table.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in self.tables:
                    cursor.execute(self._FOREIGN_KEYS, [table])
                    for name, definition in cursor.fetchall():
                        drop.append(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
                        restore_fk.append(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
                    cursor.execute(self._CATALOG, [table])
                    for index, index_def, con_name, con_type, con_def in cursor.fetchall():
                        if con_name and con_type in ("u", "x"):
                            drop.append(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(con_name)}")
                            restore_idx.append(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(con_name)} {con_def}")
                        elif not con_name:
                            drop.append(f"DROP INDEX {qn(index)}")
                            restore_idx.append(index_def)
                for sql in drop:
                    cursor.execute(sql)
        except Exception as exc:
            self.log(f"  (bulk-load mode unavailable, loading with indexes in place: {exc})")
            return
        self.restore_sql = restore_idx + restore_fk
        self.active = True
        self.log(f"  bulk-load mode: {len(restore_idx)} indexes and {len(restore_fk)} foreign keys set aside")

    def finish(self) -> None:
        if not self.active:
            return
        t0 = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for sql in self.restore_sql:
                cursor.execute(sql)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self.active = False
        self.log(f"Indexes and foreign keys rebuilt and checked ({time.monotonic() - t0:.1f}s)")


_STAGE_TXT = np.array(["S4", "S5", "S6"])


class YearLoader:
    """Writes leaver years (``world.Year``) into the learner tables: ids follow on from the largest
    ones present, SCNs from ``DEMO_SCN_BASE``, spread over each year's schools by a seeded shuffle."""

    TABLES: tuple[type[models.Model], ...] = (Learner, Enrolment, SchoolLeaver, QualificationResult,
                                              DestinationRecord, ParticipationSpell)

    def __init__(self, writer: Writer, est_ids: np.ndarray, subject_ids: dict[str, int], seed: int) -> None:
        self.writer = writer
        self.est_ids = est_ids
        self.subj_map = np.array([subject_ids[c] for c in SUBJECT_CODES], dtype=np.int64)
        self.seed = seed
        self.learner_id = next_id(Learner)
        self.leaver_id = next_id(SchoolLeaver)
        self.scn_next = DEMO_SCN_BASE

    def load(self, y: Year) -> None:
        n = y.n
        lids = np.arange(self.learner_id, self.learner_id + n, dtype=np.int64)
        vids = np.arange(self.leaver_id, self.leaver_id + n, dtype=np.int64)
        self.learner_id += n
        self.leaver_id += n
        scns, self.scn_next = valid_scns(self.scn_next, n)
        # Spread the year's SCNs over its schools (a deterministic shuffle).
        scns = scns[np.random.default_rng([self.seed, 4, y.year]).permutation(n)]
        self._learners(y, lids, scns)
        self._enrolments(y, lids)
        self._leavers(y, lids, vids)
        self._results(y, lids)
        self._destinations(y, vids)
        if y.spells is not None:
            self._spells(y.spells, lids)

    def load_current(self, y: Year) -> np.ndarray:
        """This session's pupils (``y.year`` = the session's end): learners, the enrolments up to
        this session and the results of diets already sat; no leaving record yet. Their ids."""
        n = y.n
        lids = np.arange(self.learner_id, self.learner_id + n, dtype=np.int64)
        self.learner_id += n
        scns, self.scn_next = valid_scns(self.scn_next, n)
        scns = scns[np.random.default_rng([self.seed, 4, y.year]).permutation(n)]
        self._learners(y, lids, scns)
        self._enrolments(y, lids)
        sat = y.r_year < y.year  # the May diet of the session's end is still to come
        self.writer.write(QualificationResult, ["learner", "establishment", "subject", "award_type", "scqf_level",
                                                "scqf_credits", "grade", "year"],
                          [lids[y.r_learner[sat]], self.est_ids[y.r_school[sat]], self.subj_map[y.r_subject[sat]],
                           np.array(AWARDS)[y.r_award[sat]], y.r_level[sat], y.r_credits[sat],
                           np.array(GRADES)[y.r_grade[sat]], y.r_year[sat]])
        return lids

    def load_census_only(self, y: Year, keep: np.ndarray, n_keep: np.ndarray, *, last_census: int) -> int:
        """Pupils of ``y`` known from the census and their results only (no leaving record): the
        pupils ``keep`` (a mask), each with its first ``n_keep`` senior-phase enrolments up to the
        census of ``last_census`` and the results of the diets those years sat (a diet is sat in May
        of the session's end, so the diet of ``last_census``'s session is still to come). The number
        of pupils written."""
        s4_all = y.year - (y.stage + 1)
        n_keep = np.minimum(n_keep, np.maximum(last_census - s4_all + 1, 0))
        idx = np.flatnonzero(keep & (n_keep > 0))
        n = idx.size
        if n == 0:
            return 0
        s4_census, n_keep = s4_all[idx], n_keep[idx]
        lids = np.arange(self.learner_id, self.learner_id + n, dtype=np.int64)
        self.learner_id += n
        scns, self.scn_next = valid_scns(self.scn_next, n)
        scns = scns[np.random.default_rng([self.seed, 7, y.year]).permutation(n)]
        last_school = np.where(n_keep > 1, y.school[idx], y.first_school[idx])
        self.writer.write(Learner, ["id", "scn", "given_name", "family_name", "date_of_birth", "sex", "data_zone",
                                    "simd_decile", "asn", "care_experienced", "fsm", "establishment"],
                          [lids, [f"{s:09d}" for s in scns.tolist()], y.given[idx], y.family[idx], y.dob[idx],
                           y.sex[idx], [f"S01{z:06d}" for z in y.zone[idx].tolist()], y.decile[idx], y.asn[idx],
                           y.care[idx], y.fsm[idx], self.est_ids[last_school]])
        e_pupil = np.repeat(np.arange(n), n_keep)
        k = np.arange(e_pupil.size) - np.repeat(np.cumsum(n_keep) - n_keep, n_keep)
        e_school = np.where(k == 0, y.first_school[idx][e_pupil], y.school[idx][e_pupil])
        self.writer.write(Enrolment, ["learner", "establishment", "year", "stage"],
                          [lids[e_pupil], self.est_ids[e_school], s4_census[e_pupil] + k, _STAGE_TXT[k]])
        row = np.full(y.n, -1, dtype=np.int64)
        row[idx] = np.arange(n)
        r_row = row[y.r_learner]
        last_diet = np.where(r_row >= 0, s4_census[np.maximum(r_row, 0)] + n_keep[np.maximum(r_row, 0)], 0)
        sat = (r_row >= 0) & (y.r_year <= np.minimum(last_diet, last_census))
        self.writer.write(QualificationResult, ["learner", "establishment", "subject", "award_type", "scqf_level",
                                                "scqf_credits", "grade", "year"],
                          [lids[r_row[sat]], self.est_ids[y.r_school[sat]], self.subj_map[y.r_subject[sat]],
                           np.array(AWARDS)[y.r_award[sat]], y.r_level[sat], y.r_credits[sat],
                           np.array(GRADES)[y.r_grade[sat]], y.r_year[sat]])
        return n

    def _learners(self, y: Year, lids: np.ndarray, scns: np.ndarray) -> None:
        self.writer.write(Learner, ["id", "scn", "given_name", "family_name", "date_of_birth", "sex", "data_zone",
                                    "simd_decile", "asn", "care_experienced", "fsm", "establishment"],
                          [lids, [f"{s:09d}" for s in scns.tolist()], y.given, y.family, y.dob, y.sex,
                           [f"S01{z:06d}" for z in y.zone.tolist()], y.decile, y.asn, y.care, y.fsm,
                           self.est_ids[y.school]])

    def _enrolments(self, y: Year, lids: np.ndarray) -> None:
        """One enrolment per senior-phase year up to the stage of leaving."""
        n_years = y.stage + 1
        e_learner = np.repeat(np.arange(y.n), n_years)
        k = np.arange(e_learner.size) - np.repeat(np.cumsum(n_years) - n_years, n_years)
        e_year = y.year - n_years[e_learner] + k
        e_school = np.where(k == 0, y.first_school[e_learner], y.school[e_learner])
        self.writer.write(Enrolment, ["learner", "establishment", "year", "stage"],
                          [lids[e_learner], self.est_ids[e_school], e_year, _STAGE_TXT[k]])

    def _leavers(self, y: Year, lids: np.ndarray, vids: np.ndarray) -> None:
        self.writer.write(SchoolLeaver, ["id", "learner", "establishment", "leaver_year", "stage", "leaving_date",
                                         "sex", "simd_decile", "asn", "care_experienced", "fsm"],
                          [vids, lids, self.est_ids[y.school], np.full(y.n, y.year), _STAGE_TXT[y.stage], y.leaving,
                           y.sex, y.decile, y.asn, y.care, y.fsm])

    def _results(self, y: Year, lids: np.ndarray) -> None:
        self.writer.write(QualificationResult, ["learner", "establishment", "subject", "award_type", "scqf_level",
                                                "scqf_credits", "grade", "year"],
                          [lids[y.r_learner], self.est_ids[y.r_school], self.subj_map[y.r_subject],
                           np.array(AWARDS)[y.r_award], y.r_level, y.r_credits, np.array(GRADES)[y.r_grade],
                           y.r_year])

    def _destinations(self, y: Year, vids: np.ndarray) -> None:
        """The superseded follow-ups (history), then every initial and every current follow-up."""
        n = y.n
        oct_survey = np.datetime64(first_monday(y.year, 10))
        apr_survey = np.datetime64(first_monday(y.year + 1, 4))
        h = y.h_learner
        d_leaver = np.concatenate([vids[h], vids, vids])
        d_kind = ["follow_up"] * h.size + ["initial"] * n + ["follow_up"] * n
        d_cat = np.array([c.value for c in DEST])[np.concatenate([y.h_category, y.d_initial, y.d_follow])]
        d_at = np.concatenate([y.h_at, y.d_initial_at, y.d_follow_at])
        d_survey = np.concatenate([np.full(h.size, apr_survey), np.full(n, oct_survey), np.full(n, apr_survey)])
        d_super = np.concatenate([y.h_superseded, np.full(2 * n, np.datetime64("NaT"), dtype="datetime64[s]")])
        self.writer.write(DestinationRecord, ["leaver", "kind", "category", "recorded_at", "survey_date", "source",
                                              "note", "superseded_at"],
                          [d_leaver, d_kind, d_cat, d_at, d_survey, ["demo"] * d_leaver.size,
                           [""] * d_leaver.size, d_super])

    def _spells(self, sp: dict[str, np.ndarray], lids: np.ndarray) -> None:
        self.writer.write(ParticipationSpell, ["learner", "status", "start_date", "end_date", "source",
                                               "recorded_at"],
                          [lids[sp["learner"]], sp["status"], sp["start"], sp["end"], ["demo"] * sp["learner"].size,
                           (sp["start"] + np.timedelta64(7, "D")).astype("datetime64[s]")
                           + np.timedelta64(10 * 3600, "s")])
