"""The worked example of docs/methodology.md, "Local measures", as a database world (no tests here):
four pupils, two schools, two authorities. See test_breadth_depth_worked_example.py for the story."""

from __future__ import annotations

import datetime as dt
from typing import Any

from datahub.codes import make_scn, make_seed_code
from datahub.models import (
    CurricularArea,
    Enrolment,
    Establishment,
    Learner,
    LocalAuthority,
    QualificationResult,
    SchoolLeaver,
    Subject,
)

PUPILS = {
    # name: (S4 school, S5 school or None when they left after S4, results (year, subject, award, level, credits, grade))
    "Ava": ("K", "K", [(2024, "ENG", "N5", 5, 24, "A"), (2024, "MATH", "N5", 5, 24, "C"),
                       (2024, "PHY", "N4", 4, 24, "P"), (2024, "WAYP", "WA", 3, 6, "P"),
                       (2025, "ENG", "H", 6, 24, "B"), (2025, "MATH", "H", 6, 24, "D")]),
    "Ben": ("K", None, [(2024, "ENG", "N4", 4, 24, "P"), (2024, "MATH", "N3", 3, 24, "P"),
                        (2024, "NPACYB", "NPA", 4, 12, "P")]),
    "Cara": ("K", "D", [(2024, "ENG", "N5", 5, 24, "B"), (2024, "MATH", "N5", 5, 24, "A"),
                        (2025, "ENG", "H", 6, 24, "C")]),
    "Dan": ("D", "D", [(2024, "ENG", "N5", 5, 24, "D"), (2024, "HIST", "N5", 5, 24, "A"),
                       (2025, "PHY", "N5", 5, 24, "B")]),
}

AREAS = {"ENG": CurricularArea.LANGUAGES, "MATH": CurricularArea.MATHEMATICS, "PHY": CurricularArea.SCIENCES,
         "HIST": CurricularArea.SOCIAL_STUDIES, "WAYP": CurricularArea.HEALTH_AND_WELLBEING,
         "NPACYB": CurricularArea.TECHNOLOGIES}


def build_example() -> dict[str, Any]:
    """Kelvinbank Academy (Glasgow City) and Deeside Academy (Aberdeen City) with Ava, Ben, Cara and Dan."""
    glasgow = LocalAuthority.objects.get_or_create(gss_code="S12000049", defaults={"code": 260, "name": "Glasgow City"})[0]
    aberdeen = LocalAuthority.objects.get_or_create(gss_code="S12000033",
                                                    defaults={"code": 100, "name": "Aberdeen City"})[0]
    schools = {
        "K": Establishment.objects.create(seed_code=make_seed_code(910001), name="Kelvinbank Academy", authority=glasgow),
        "D": Establishment.objects.create(seed_code=make_seed_code(910002), name="Deeside Academy", authority=aberdeen),
    }
    # The subjects' curricular areas, set here: a browser test's flush removes what the data
    # migration assigned, and the example's figures must not depend on which test ran before.
    for code, area in AREAS.items():
        Subject.objects.filter(code=code).update(curricular_area=area)
    subjects = {s.code: s for s in Subject.objects.all()}
    for i, (name, (s4, s5, results)) in enumerate(PUPILS.items()):
        learner = Learner.objects.create(scn=make_scn(40_000_000 + 17 * i), given_name=name, family_name="Example",
                                         date_of_birth=dt.date(2007, 5, 1), sex="F", simd_decile=5,
                                         establishment=schools[s5 or s4])
        Enrolment.objects.create(learner=learner, establishment=schools[s4], year=2023, stage="S4")
        if s5:
            Enrolment.objects.create(learner=learner, establishment=schools[s5], year=2024, stage="S5")
        else:
            SchoolLeaver.objects.create(learner=learner, establishment=schools[s4], leaver_year=2024, stage="S4",
                                        sex="F", simd_decile=5)
        for year, code, award, level, credits, grade in results:
            school = schools[s4] if year == 2024 else schools[s5 or s4]
            QualificationResult.objects.create(learner=learner, establishment=school, subject=subjects[code],
                                               award_type=award, scqf_level=level, scqf_credits=credits,
                                               grade=grade, year=year)
    return {"schools": schools, "glasgow": glasgow, "aberdeen": aberdeen}
