"""Worlds and helpers shared by the import tests: files in memory, rows of each kind, running an
import as a persona, and signing in to the pages and the API."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from datahub.codes import make_scn
from datahub.imports import services
from datahub.models import ImportBatch, Role
from tests.factories import EstablishmentFactory, LearnerFactory, member

SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"
ORDER = ["establishments", "learners", "leavers", "results", "initial-destinations", "follow-up-destinations",
         "participation", "offers"]


def csv_bytes(header: list[str], rows: Sequence[Sequence[object]]) -> bytes:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def run(user, kind: str, data: bytes, *, name: str = "file.csv", **kw) -> ImportBatch:
    return services.import_batch_create(user=user, kind=kind, fh=io.BytesIO(data), file_name=name, **kw)


def national_dm():
    return member(Role.DATA_MANAGER)


def load_samples(user, upto: str | None = None) -> dict[str, ImportBatch]:
    out = {}
    for kind in ORDER:
        out[kind] = run(user, kind, (SAMPLES / f"{kind}.csv").read_bytes(), name=f"{kind}.csv")
        if kind == upto:
            break
    return out


# --- rows of each kind -----------------------------------------------------------------------


LEARNER_COLUMNS = ["scn", "given_name", "family_name", "date_of_birth", "sex", "data_zone", "simd_decile", "asn",
                   "care_experienced", "fsm", "seed_code", "year", "stage"]


def scn(n: int) -> str:
    return make_scn(30_000_000 + 7 * n)


def learner_row(world, n: int, **over: str) -> dict:
    row = dict(scn=scn(n), given_name=f"Import{n}", family_name="Tester", date_of_birth="2007-03-14", sex="F",
               data_zone="S01010206", simd_decile="4", asn="N", care_experienced="N", fsm="Y",
               seed_code=world.school_a.seed_code, year="2023", stage="S5")
    row.update(over)
    return row


def as_csv(rows: list[dict]) -> bytes:
    header = list(rows[0])
    return csv_bytes(header, [[r[h] for h in header] for r in rows])


def result_row(learner, school, **over: str) -> dict:
    row = dict(scn=learner.scn, seed_code=school.seed_code, subject_code="ENG", award_type="N5", scqf_level="5",
               scqf_credits="24", grade="A", year="2023")
    row.update(over)
    return row


def dest_row(leaver, **over: str) -> dict:
    row = dict(scn=leaver.learner.scn, seed_code=leaver.establishment.seed_code, leaver_year=str(leaver.leaver_year),
               category="FE", survey_date="2024-10-07", note="")
    row.update(over)
    return row


def spell(learner, status: str, start: str, end: str = "") -> dict:
    return dict(scn=learner.scn, status=status, start_date=start, end_date=end)


def api_result_row(learner, school, **over):
    row = {"scn": learner.scn, "seed_code": school.seed_code, "subject_code": "MATH", "award_type": "N5",
           "scqf_level": 5, "scqf_credits": 24, "grade": "B", "year": 2023}
    row.update(over)
    return row


REFERENCES_HEADER = ["scn", "seed_code", "subject_code", "award_type", "scqf_level", "scqf_credits", "grade", "year"]


def references_world():
    school = EstablishmentFactory.create()
    learners = [LearnerFactory.create(establishment=school) for _ in range(5)]
    rows = [[lr.scn, school.seed_code, "MATH", "N5", 5, 24, "A", 2024] for lr in learners]
    return member(Role.DATA_MANAGER, authority=school.authority), learners, csv_bytes(REFERENCES_HEADER, rows)


# --- signing in -----------------------------------------------------------------------------


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def client_for(user) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return c
